// A corpus of wrong inputs against the public API, all in one process. Each case must be
// refused at synth with a PropsValidationError whose line names the construct and the prop,
// says what is wrong with the value shown, and says how to fix it. A case that synthesizes,
// or fails with any other error (a raw zod, cdktf or parser message), fails the test.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import {
  BackstageDatabase,
  BackstagePortal,
  CertManager,
  ChartSource,
  ExternalSecret,
  GatewayRef,
  IngressNginxController,
  loadEnvironmentFile,
  MachineClient,
  OidcIssuer,
  OrgSource,
  parseEnvironment,
  parseSharedAccessPolicy,
  PropsValidationError,
  RbacCondition,
  RbacRole,
  SecretRef,
  SessionStore,
  Team,
  TlsSource,
} from '../../lib';
import { portalProps } from '../helpers';

type Build = (stack: TerraformStack) => void;

interface Case {
  readonly name: string;
  readonly build: Build | (() => void);
  /** Start of the line that must report it: `[<construct path>] <prop>` */
  readonly at: string;
  /** Text the line must contain (what is wrong). */
  readonly says: string;
}

const cases: Case[] = [];
const add = (name: string, build: Build | (() => void), at: string, says: string) =>
  cases.push({ name, build, at, says });

// --- helpers ---------------------------------------------------------------------------

type Overrides = Record<string, unknown>;
const portal = (overrides: (stack: TerraformStack) => Overrides) => (stack: TerraformStack) =>
  new BackstagePortal(stack, 'portal', { ...portalProps(stack), ...overrides(stack) } as never);
const withBackstage = (backstage: Overrides) => portal(() => ({ backstage: { replicas: 1, ...backstage } }));
const withGateway = (gateway: Overrides) => portal(() => ({ gateway }));
const withIngress = (ingress: Overrides) => portal(() => ({ ingress }));
const withF5Ingress = (ingress: Overrides) => portal(() => ({ ingressFlavour: 'f5-nginx', ingress }));
const withIssuer = (issuer: () => unknown) => portal(() => ({ issuer: issuer() }));
const withAccess = (access: Overrides, extra: Overrides = {}) => portal(() => ({ access, ...extra }));
const jwt = (options: Overrides) =>
  MachineClient.jwt({
    issuerUrl: 'https://ci.example.com',
    audience: 'backstage-machines',
    jwksUrl: 'https://ci.example.com/jwks',
    emailDomain: 'example.com',
    ...options,
  } as never);

const PORTAL = '[test/portal]';
const BACKSTAGE = '[test/portal/Backstage]';
const GATEWAY = '[test/portal/Gateway]';
const INGRESS = '[test/portal/Ingress]';

// --- 1. wrong types, for every kind of prop: the message names the expected type -------

const WRONG_TYPES: ReadonlyArray<[string, unknown, string]> = [
  ['a number', 42, 'must be'],
  ['a boolean', true, 'must be'],
  ['null', null, 'must be'],
  ['an object', { value: 1 }, 'must be'],
  ['a list', ['x'], 'must be'],
];
for (const [label, value] of WRONG_TYPES) {
  add(
    `host as ${label}`,
    portal(() => ({ host: value })),
    `${PORTAL} host`,
    'must be',
  );
  add(
    `image as ${label}`,
    portal(() => ({ image: value })),
    `${PORTAL} image`,
    'must be',
  );
  add(
    `clientId as ${label}`,
    portal(() => ({ clientId: value })),
    `${PORTAL} clientId`,
    'must be',
  );
  add(
    `namespace as ${label}`,
    portal(() => ({ namespace: value })),
    `${PORTAL} namespace`,
    'must be',
  );
  add(
    `gateway cookie name as ${label}`,
    withGateway({ cookie: { name: value } }),
    `${GATEWAY} cookie.name`,
    'must be',
  );
  add(
    `gateway cookie refresh as ${label}`,
    withGateway({ cookie: { refresh: value } }),
    `${GATEWAY} cookie.refresh`,
    'must be',
  );
  add(
    `ingress body size as ${label}`,
    withIngress({ proxyBodySize: value }),
    `${INGRESS} proxyBodySize`,
    'must be',
  );
  add(
    `ingress auth cache as ${label}`,
    withIngress({ authCacheDuration: value }),
    `${INGRESS} authCacheDuration`,
    'must be',
  );
  if (typeof value !== 'number') {
    add(
      `backstage replicas as ${label}`,
      withBackstage({ replicas: value }),
      `${BACKSTAGE} replicas`,
      'must be',
    );
    add(`gateway replicas as ${label}`, withGateway({ replicas: value }), `${GATEWAY} replicas`, 'must be');
    add(
      `rate limit as ${label}`,
      withIngress({ rateLimit: { requestsPerSecond: value } }),
      `${INGRESS} rateLimit.requestsPerSecond`,
      'must be',
    );
    add(
      `max header size as ${label}`,
      withBackstage({ maxHeaderSize: value }),
      `${BACKSTAGE} maxHeaderSize`,
      'must be',
    );
  }
  if (!Array.isArray(value)) {
    add(
      `email domains as ${label}`,
      withAccess({ emailDomains: value }),
      `${GATEWAY} access.emailDomains`,
      'must be',
    );
    add(`groups as ${label}`, withAccess({ groups: value }), `${GATEWAY} access.groups`, 'must be');
    add(
      `source ranges as ${label}`,
      withIngress({ allowSourceRanges: value }),
      `${INGRESS} allowSourceRanges`,
      'must be',
    );
    add(
      `base config files as ${label}`,
      withBackstage({ baseConfigFiles: value }),
      `${BACKSTAGE} baseConfigFiles`,
      'must be',
    );
  }
  if (typeof value !== 'boolean') {
    add(
      `allowAnyAuthenticatedUser as ${label}`,
      withAccess({ allowAnyAuthenticatedUser: value }),
      `${GATEWAY} access.allowAnyAuthenticatedUser`,
      'must be true or false',
    );
    add(
      `mountServiceAccountToken as ${label}`,
      withBackstage({ mountServiceAccountToken: value }),
      `${BACKSTAGE} mountServiceAccountToken`,
      'must be true or false',
    );
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    continue;
  }
  add(
    `clientSecret as ${label}`,
    portal(() => ({ clientSecret: value })),
    `${PORTAL} clientSecret`,
    'must be a SecretRef',
  );
  add(
    `tls as ${label}`,
    portal(() => ({ tls: value })),
    `${PORTAL} tls`,
    'must be a TlsSource',
  );
  add(
    `database as ${label}`,
    portal(() => ({ database: value })),
    `${PORTAL} database`,
    'must be a BackstageDatabase',
  );
  add(
    `issuer as ${label}`,
    portal(() => ({ issuer: value })),
    `${PORTAL} issuer`,
    'must be an OidcIssuer',
  );
}

// Numbers that are not numbers, or out of range.
for (const [label, value, says] of [
  ['NaN', Number.NaN, 'must be a finite number'],
  ['Infinity', Number.POSITIVE_INFINITY, 'must be a finite number'],
  ['0', 0, 'must be at least 1'],
  ['-1', -1, 'must be at least 1'],
  ['1.5', 1.5, 'must be a whole number'],
] as const) {
  add(`backstage replicas ${label}`, withBackstage({ replicas: value }), `${BACKSTAGE} replicas`, says);
  add(`gateway replicas ${label}`, withGateway({ replicas: value }), `${GATEWAY} replicas`, says);
  add(
    `autoscaling minReplicas ${label}`,
    withBackstage({ replicas: undefined, autoscaling: { minReplicas: value, maxReplicas: 4 } }),
    `${BACKSTAGE} autoscaling.minReplicas`,
    says,
  );
}
add(
  'gateway upstream port 0',
  withGateway({ upstream: { serviceName: 'backstage', port: 0 } }),
  `${GATEWAY} upstream.port`,
  'must be at least 1',
);
add(
  'gateway upstream port 70000',
  withGateway({ upstream: { serviceName: 'backstage', port: 70000 } }),
  `${GATEWAY} upstream.port`,
  'must be at most 65535',
);
add(
  'CPU target 5%',
  withBackstage({
    replicas: undefined,
    autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 5 },
  }),
  `${BACKSTAGE} autoscaling.targetCPUUtilizationPercentage`,
  'must be at least 10',
);
add(
  'max header size 8k',
  withBackstage({ maxHeaderSize: 8192 }),
  `${BACKSTAGE} maxHeaderSize`,
  'must be at least 16384',
);

// Unknown and misspelt props.
for (const [name, build, at] of [
  ['portal hots', portal(() => ({ hots: 'x' })), `${PORTAL} hots`],
  ['backstage replica', withBackstage({ replica: 2 }), `${BACKSTAGE} replica`],
  ['gateway cookies', withGateway({ cookies: {} }), `${GATEWAY} cookies`],
  ['ingress rateLimits', withIngress({ rateLimits: {} }), `${INGRESS} rateLimits`],
  ['access emailDomain', withAccess({ emailDomain: ['example.com'] }), `${GATEWAY} access.emailDomain`],
  ['cookie samesite', withGateway({ cookie: { samesite: 'lax' } }), `${GATEWAY} cookie.samesite`],
  ['F5 cors (an ingress-nginx setting)', withF5Ingress({ cors: {} }), `${INGRESS} cors`],
  ['F5 authCacheDuration', withF5Ingress({ authCacheDuration: '1m' }), `${INGRESS} authCacheDuration`],
  [
    'old targetCpuUtilizationPercent',
    withBackstage({
      replicas: undefined,
      autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilizationPercent: 70 },
    }),
    `${BACKSTAGE} autoscaling.targetCpuUtilizationPercent`,
  ],
] as const) {
  add(
    `unknown prop: ${name}`,
    build,
    at,
    name.startsWith('old') ? 'was renamed to targetCPUUtilizationPercentage' : 'is not a known property',
  );
}

// --- 2. values Kubernetes or the controller would refuse at apply -----------------------

for (const host of [
  '10.0.0.7',
  '192.168.1.10',
  'Backstage.example.com',
  'https://backstage.example.com',
  'backstage',
  'backstage.example.com:443',
  'backstage.example.com/portal',
  '*.example.com',
  'back_stage.example.com',
  '',
]) {
  add(
    `host ${JSON.stringify(host)}`,
    portal(() => ({ host })),
    `${PORTAL} host`,
    host.startsWith('1') ? 'must be a DNS name, not an IP address' : 'must be a fully qualified DNS name',
  );
}
for (const namespace of ['kube-system', 'kube-public', 'kube-node-lease']) {
  add(
    `namespace ${namespace}`,
    portal(() => ({ namespace })),
    `${PORTAL} namespace`,
    'is a Kubernetes system namespace',
  );
  add(
    `namespace ${namespace}, not created`,
    portal(() => ({ namespace, createNamespace: false })),
    `${PORTAL} namespace`,
    'is a Kubernetes system namespace',
  );
}
add(
  'creating namespace default',
  portal(() => ({ namespace: 'default' })),
  `${PORTAL} namespace`,
  'already exists in every cluster',
);
for (const namespace of ['Backstage', 'back_stage', '-backstage', 'a'.repeat(64)]) {
  add(
    `namespace ${namespace.slice(0, 12)}`,
    portal(() => ({ namespace })),
    `${PORTAL} namespace`,
    'must be a valid Kubernetes name',
  );
}
for (const [where, build, at] of [
  ['backstage', (resources: Overrides) => withBackstage({ resources }), `${BACKSTAGE} resources`],
  ['gateway', (resources: Overrides) => withGateway({ resources }), `${GATEWAY} resources`],
] as const) {
  add(
    `${where}: cpu request above limit`,
    build({ requests: { cpu: '2' }, limits: { cpu: '500m' } }),
    `${at}.requests.cpu`,
    'must not exceed limits.cpu (500m)',
  );
  add(
    `${where}: memory request above limit`,
    build({ requests: { memory: '2Gi' }, limits: { memory: '512Mi' } }),
    `${at}.requests.memory`,
    'must not exceed limits.memory (512Mi)',
  );
  add(
    `${where}: memory 1G above 1000Mi`,
    build({ requests: { memory: '1100M' }, limits: { memory: '1000Mi' } }),
    `${at}.requests.memory`,
    'must not exceed limits.memory (1000Mi)',
  );
  add(
    `${where}: quantity with a unit typo`,
    build({ limits: { memory: '512MB' } }),
    `${at}.limits.memory`,
    'must be a Kubernetes quantity',
  );
  add(
    `${where}: negative cpu`,
    build({ limits: { cpu: '-1' } }),
    `${at}.limits.cpu`,
    'must be a Kubernetes quantity',
  );
  add(
    `${where}: unknown resource`,
    build({ limits: { gpu: '1' } }),
    `${at}.limits.gpu`,
    'is not a known property',
  );
}
for (const key of [
  'nginx.ingress.kubernetes.io/',
  'example.com/my annotation',
  'bad key!',
  '/leading-slash',
  'a'.repeat(64),
]) {
  add(
    `annotation key ${JSON.stringify(key.slice(0, 20))}`,
    withIngress({ extraAnnotations: { [key]: 'x' } }),
    `${INGRESS} extraAnnotations`,
    'annotation',
  );
}
add(
  'two portals on one host',
  (stack) => {
    new BackstagePortal(stack, 'portal', portalProps(stack));
    new BackstagePortal(stack, 'other', {
      ...portalProps(new Construct(stack, 'other-vars')),
      namespace: 'backstage-two',
    });
  },
  '[test/other] host',
  'is already the host of the portal test/portal',
);
add(
  'two portals in one namespace',
  (stack) => {
    new BackstagePortal(stack, 'portal', portalProps(stack));
    new BackstagePortal(stack, 'other', {
      ...portalProps(new Construct(stack, 'other-vars')),
      host: 'two.example.com',
    });
  },
  '[test/other] namespace',
  'is already the namespace of the portal test/portal',
);

// --- 3. issuer URLs ------------------------------------------------------------------------

for (const [name, issuer, at, says] of [
  [
    'generic issuer with credentials',
    () => OidcIssuer.generic({ issuerUrl: 'https://admin:hunter2@idp.example.com' }),
    `${GATEWAY} issuer.issuerUrl`,
    'must not contain credentials',
  ],
  [
    'generic issuer with a query',
    () => OidcIssuer.generic({ issuerUrl: 'https://idp.example.com/?tenant=1' }),
    `${GATEWAY} issuer.issuerUrl`,
    'must not have a query or fragment',
  ],
  [
    'generic issuer with a fragment',
    () => OidcIssuer.generic({ issuerUrl: 'https://idp.example.com/#x' }),
    `${GATEWAY} issuer.issuerUrl`,
    'must not have a query or fragment',
  ],
  [
    'generic issuer = discovery document',
    () => OidcIssuer.generic({ issuerUrl: 'https://idp.example.com/.well-known/openid-configuration' }),
    `${GATEWAY} issuer.issuerUrl`,
    'is the discovery document, not the issuer',
  ],
  [
    'generic issuer over http',
    () => OidcIssuer.generic({ issuerUrl: 'http://idp.example.com' }),
    `${GATEWAY} issuer.issuerUrl`,
    'must be an https:// URL',
  ],
  [
    'generic issuer not a URL',
    () => OidcIssuer.generic({ issuerUrl: 'idp.example.com' }),
    `${GATEWAY} issuer.issuerUrl`,
    'must be an https:// URL',
  ],
  [
    'keycloak realm given twice',
    () => OidcIssuer.keycloak({ url: 'https://sso.example.com/realms/staff', realm: 'staff' }),
    `${GATEWAY} issuer.url`,
    'without "/realms/<realm>"',
  ],
  [
    'keycloak realm with a slash',
    () => OidcIssuer.keycloak({ url: 'https://sso.example.com', realm: 'staff/x' }),
    `${GATEWAY} issuer.realm`,
    'must be a realm name',
  ],
  [
    'keycloak with credentials',
    () => OidcIssuer.keycloak({ url: 'https://u:p@sso.example.com', realm: 'staff' }),
    `${GATEWAY} issuer.url`,
    'must not contain credentials',
  ],
  [
    'scopes without openid',
    () => OidcIssuer.okta({ domain: 'example.okta.com', scopes: ['email', 'profile'] }),
    `${GATEWAY} issuer.scopes`,
    'must include "openid"',
  ],
  [
    'scope with a space',
    () => OidcIssuer.okta({ domain: 'example.okta.com', scopes: ['openid email'] }),
    `${GATEWAY} issuer.scopes[0]`,
    'must be a scope without spaces',
  ],
  [
    'okta domain with scheme',
    () => OidcIssuer.okta({ domain: 'https://example.okta.com' }),
    `${GATEWAY} issuer.domain`,
    'must be a fully qualified DNS name',
  ],
  [
    'okta domain as IP',
    () => OidcIssuer.okta({ domain: '10.1.2.3' }),
    `${GATEWAY} issuer.domain`,
    'must be a DNS name, not an IP address',
  ],
  [
    'okta server id with a slash',
    () => OidcIssuer.okta({ domain: 'example.okta.com', authorizationServerId: 'oauth2/default' }),
    `${GATEWAY} issuer.authorizationServerId`,
    'must be an authorization server id',
  ],
  [
    'entra tenant "common"',
    () => OidcIssuer.entraId({ tenantId: 'common' }),
    `${GATEWAY} issuer.tenantId`,
    'must be the directory (tenant) id, a GUID',
  ],
  [
    'entra tenant as a domain',
    () => OidcIssuer.entraId({ tenantId: 'example.onmicrosoft.com' }),
    `${GATEWAY} issuer.tenantId`,
    'must be the directory (tenant) id, a GUID',
  ],
  [
    'google hosted domain with @',
    () => OidcIssuer.google({ hostedDomain: '@example.com' }),
    `${GATEWAY} issuer.hostedDomain`,
    'must be a fully qualified DNS name',
  ],
  [
    'empty groups claim',
    () => OidcIssuer.okta({ domain: 'example.okta.com', groupsClaim: '' }),
    `${GATEWAY} issuer.groupsClaim`,
    'must not be empty',
  ],
  [
    'issuer option misspelt',
    () => OidcIssuer.okta({ domian: 'example.okta.com' } as never),
    `${GATEWAY} issuer.domain`,
    'is required',
  ],
] as const) {
  add(name, withIssuer(issuer), at, says);
}

// --- 4. access rules that can never match -------------------------------------------------

add(
  'groups with Google',
  withAccess({ emailDomains: ['example.com'], groups: ['admins'] }, { issuer: OidcIssuer.google() }),
  `${GATEWAY} access.groups`,
  'can never match with Google',
);
add(
  'hostedDomain outside emailDomains',
  withAccess(
    { emailDomains: ['example.org'] },
    { issuer: OidcIssuer.google({ hostedDomain: 'example.com' }) },
  ),
  `${GATEWAY} access.emailDomains`,
  'leaves out the issuer\'s hostedDomain "example.com"',
);
add('blank group', withAccess({ groups: [''] }), `${GATEWAY} access.groups[0]`, 'must not be empty');
add(
  'group with surrounding spaces',
  withAccess({ groups: [' admins '] }),
  `${GATEWAY} access.groups[0]`,
  'must not start or end with whitespace',
);
add(
  'group that is only spaces',
  withAccess({ groups: ['   '] }),
  `${GATEWAY} access.groups[0]`,
  'must not start or end with whitespace',
);
add('no access rule', withAccess({}), `${GATEWAY} access`, 'needs at least one access rule');
add(
  'empty rule lists',
  withAccess({ emailDomains: [], groups: [] }),
  `${GATEWAY} access`,
  'needs at least one access rule',
);
add(
  '"*" as e-mail domain',
  withAccess({ emailDomains: ['*'] }),
  `${GATEWAY} access.emailDomains`,
  'must not contain "*"',
);
add(
  'rules and allow-anyone',
  withAccess({ emailDomains: ['example.com'], allowAnyAuthenticatedUser: true }),
  `${GATEWAY} access.allowAnyAuthenticatedUser`,
  'contradicts the emailDomains/groups rules',
);
for (const domain of ['@example.com', 'Example.com', 'example', 'user@example.com', 'example.com.']) {
  add(
    `e-mail domain ${domain}`,
    withAccess({ emailDomains: [domain] }),
    `${GATEWAY} access.emailDomains[0]`,
    'must be a domain name such as "example.com"',
  );
}
add(
  'machine client without e-mail behind domain rules',
  portal(() => ({ machineClients: [jwt({ emailDomain: undefined })] })),
  `${GATEWAY} machineClients[0].emailDomain`,
  'must be one of access.emailDomains (example.com)',
);
add(
  'machine client of another domain',
  portal(() => ({ machineClients: [jwt({ emailDomain: 'ci.example.org' })] })),
  `${GATEWAY} machineClients[0].emailDomain`,
  'must be one of access.emailDomains (example.com)',
);
add(
  'machine client without the required group',
  portal(() => ({
    access: { emailDomains: ['example.com'], groups: ['portal-users'] },
    machineClients: [jwt({ groups: ['ci'] })],
  })),
  `${GATEWAY} machineClients[0].groups`,
  'must include one of access.groups (portal-users)',
);
add(
  'machine client audience "backstage"',
  portal(() => ({ machineClients: [jwt({ audience: 'backstage' })] })),
  `${GATEWAY} machineClients[0].audience`,
  'must not be "backstage"',
);
add(
  'machine client HS256',
  portal(() => ({ machineClients: [jwt({ algorithms: ['HS256'] })] })),
  `${GATEWAY} machineClients[0].algorithms[0]`,
  'must be an asymmetric JWS algorithm',
);
add(
  'machine client http JWKS',
  portal(() => ({ machineClients: [jwt({ jwksUrl: 'http://ci.example.com/jwks' })] })),
  `${GATEWAY} machineClients[0].jwksUrl`,
  'must be an https:// URL',
);
add(
  'machine client subject prefix with ":"',
  portal(() => ({ machineClients: [jwt({ subjectPrefix: 'ci:bots' })] })),
  `${GATEWAY} machineClients[0].subjectPrefix`,
  'must be lower-case letters, digits and "-"',
);
add(
  'machine client as plain object',
  portal(() => ({ machineClients: [{ issuerUrl: 'https://ci.example.com' }] })),
  `${PORTAL} machineClients[0]`,
  'must be a MachineClient',
);
add(
  'static token as plain string',
  portal(() => ({
    machineClients: [MachineClient.staticToken({ subject: 'ci-bot', token: 'hunter2hunter2' as never })],
  })),
  `${GATEWAY} machineClients[0].token`,
  'must be a SecretRef',
);

// --- 5. settings that contradict each other -------------------------------------------------

add(
  'replicas above the autoscaling maximum',
  withBackstage({ replicas: 9, autoscaling: { minReplicas: 2, maxReplicas: 4 } }),
  `${BACKSTAGE} replicas`,
  "must lie within autoscaling's 2..4",
);
add(
  'replicas below the autoscaling minimum',
  withBackstage({ replicas: 1, autoscaling: { minReplicas: 2, maxReplicas: 4 } }),
  `${BACKSTAGE} replicas`,
  "must lie within autoscaling's 2..4",
);
add(
  'autoscaling max below min',
  withBackstage({ replicas: undefined, autoscaling: { minReplicas: 5, maxReplicas: 2 } }),
  `${BACKSTAGE} autoscaling`,
  'maxReplicas must not be below minReplicas',
);
add(
  'SQLite with two replicas',
  withBackstage({ replicas: 2 }),
  `${BACKSTAGE} replicas`,
  'must be 1 with an in-memory SQLite database',
);
for (const size of ['4k', '1k', '7k', '0m']) {
  add(
    `proxy buffer ${size}`,
    withIngress({ proxyBufferSize: size }),
    `${INGRESS} proxyBufferSize`,
    'must be at least 8k',
  );
}
add(
  'proxy buffer without a unit',
  withIngress({ proxyBufferSize: '4096' }),
  `${INGRESS} proxyBufferSize`,
  'must be a size such as "16k"',
);
for (const paths of [['/'], ['/oauth2'], ['/oauth2/callback'], ['/o']]) {
  add(
    `API paths ${paths.join(',')} covering /oauth2`,
    withIngress({ apiPaths: paths }),
    `${INGRESS} apiPaths[0]`,
    '/oauth2',
  );
}
add(
  'API path without a slash',
  withIngress({ apiPaths: ['api'] }),
  `${INGRESS} apiPaths[0]`,
  'must be a path prefix such as "/api"',
);
add(
  'gateway apiPaths without upstream',
  withGateway({ apiPaths: ['^/api/'] }),
  `${GATEWAY} apiPaths`,
  'only works when oauth2-proxy is in the request path',
);
add(
  'cookie refresh after expiry',
  withGateway({ cookie: { refresh: '24h', expire: '12h' } }),
  `${GATEWAY} cookie.refresh`,
  'must be shorter than cookie.expire (12h)',
);
add(
  'cookie refresh as words',
  withGateway({ cookie: { refresh: 'thirty minutes' } }),
  `${GATEWAY} cookie.refresh`,
  'must be a duration',
);
add(
  'cookie domain not covering the host',
  withGateway({ cookie: { domain: '.example.org' } }),
  `${GATEWAY} cookie.domain`,
  'does not cover the host "backstage.example.com"',
);
add(
  'cookie name with a dash',
  withGateway({ cookie: { name: 'my-session' } }),
  `${GATEWAY} cookie.name`,
  'must be a cookie name of letters, digits and "_"',
);
add(
  'sameSite Lax',
  withGateway({ cookie: { sameSite: 'Lax' } }),
  `${GATEWAY} cookie.sameSite`,
  'must be "lax", "strict" or "none"',
);
for (const [path, value] of [
  [['app', 'baseUrl'], 'https://other.example.com'],
  [['backend', 'baseUrl'], 'https://other.example.com'],
  [['backend', 'cors', 'origin'], '*'],
  [['backend', 'listen'], { port: 8080 }],
  [['backend', 'database'], { client: 'pg' }],
  [['backend', 'auth', 'externalAccess'], []],
  [['auth', 'providers', 'oauth2Proxy'], {}],
] as const) {
  const appConfig: Overrides = {};
  let node = appConfig;
  path.slice(0, -1).forEach((key) => {
    node[key] = {};
    node = node[key] as Overrides;
  });
  node[path[path.length - 1]!] = value;
  add(
    `app-config overrides ${path.join('.')}`,
    withBackstage({ appConfig }),
    `${BACKSTAGE} appConfig.${path.join('.')}`,
    'is set by the library from the other props',
  );
}
add(
  'no sign-in resolver',
  withBackstage({ signIn: { resolvers: [] } }),
  `${BACKSTAGE} signIn.resolvers`,
  'must name at least one resolver',
);
add(
  'unknown sign-in resolver',
  withBackstage({ signIn: { resolvers: ['emailMatchingUserEntityName'] } }),
  `${BACKSTAGE} signIn.resolvers[0]`,
  'must be a resolver of the oauth2Proxy provider',
);
add(
  'sign-in flag misspelt',
  withBackstage({ signIn: { dangerouslyAllowSignInWithoutUserInCatalogue: true } }),
  `${BACKSTAGE} signIn.dangerouslyAllowSignInWithoutUserInCatalogue`,
  'is not a known property',
);
add(
  'rollout "blue-green"',
  withBackstage({ rollout: 'blue-green' }),
  `${BACKSTAGE} rollout`,
  'must be "rolling" or "recreate"',
);
add(
  'ingress flavour "nginx"',
  portal(() => ({ ingressFlavour: 'nginx' })),
  `${PORTAL} ingressFlavour`,
  'must be "ingress-nginx", "f5-nginx" or "gateway-api"',
);
for (const range of ['10.0.0.0', '10.0.0.0/33', 'example.com', '0.0.0.0/0 ']) {
  add(
    `source range ${range}`,
    withIngress({ allowSourceRanges: [range] }),
    `${INGRESS} allowSourceRanges[0]`,
    'must be a CIDR range',
  );
}

// --- 6. secrets ---------------------------------------------------------------------------

add(
  'client secret as a literal',
  portal(() => ({ clientSecret: 'hunter2' })),
  `${PORTAL} clientSecret`,
  'must be a SecretRef, not a plain value',
);
add(
  'cookie secret as a literal',
  portal(() => ({ cookieSecret: 'abcdefghijklmnopqrstuvwxyz012345' })),
  `${PORTAL} cookieSecret`,
  'must be a SecretRef, not a plain value',
);
for (const clientId of ['0oa1b2c3\n', ' 0oa1b2c3', '0oa1 b2c3', '0oa1\tb2c3', '']) {
  add(
    `client id ${JSON.stringify(clientId)}`,
    portal(() => ({ clientId })),
    `${PORTAL} clientId`,
    clientId === '' ? 'must not be empty' : 'must not contain spaces, line breaks or control characters',
  );
}
for (const [key, value] of [
  ['password', 'hunter2'],
  ['token', 'ghp_abcdef'],
  ['apiKey', 'k-123'],
  ['x-api-key', 'k-123'],
  ['Authorization', 'Bearer abc.def.ghi'],
  ['authorization', 'Basic dXNlcjpwYXNz'],
  ['clientSecret', 'shh'],
  ['privateKey', '-----BEGIN'],
] as const) {
  add(
    `literal ${key} in app-config`,
    withBackstage({ appConfig: { proxy: { endpoints: { '/svc': { headers: { [key]: value } } } } } }),
    `${BACKSTAGE} appConfig.proxy.endpoints./svc.headers.${key}`,
    'looks like a literal secret in the app-config',
  );
}
for (const name of ['GITHUB_TOKEN', 'DB_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'OPENAI_API_KEY']) {
  add(
    `env ${name} as a plain value`,
    withBackstage({ env: { [name]: 'value' } }),
    `${BACKSTAGE} env.${name}`,
    'names a secret but is a plain value',
  );
}
for (const name of ['1ST', 'MY-VAR', 'has space']) {
  add(
    `env name ${name}`,
    withBackstage({ env: { [name]: 'x' } }),
    `${BACKSTAGE} env.${name}`,
    'must be an environment variable name',
  );
}
for (const name of ['NODE_OPTIONS', 'POSTGRES_PASSWORD', 'BACKSTAGE_STATIC_TOKEN_CI']) {
  add(
    `env ${name} owned by the construct`,
    withBackstage({ env: { [name]: 'x' } }),
    `${BACKSTAGE} env.${name}`,
    'is set by the Backstage construct',
  );
}
for (const url of [
  'redis-master:6379',
  'sessions.example.com:6379',
  'http://redis:6379',
  'redis://user:pass@redis:6379',
  'tcp://redis:6379',
]) {
  add(
    `redis URL ${url}`,
    withGateway({ sessionStore: SessionStore.redis({ url }) }),
    `${GATEWAY} sessionStore.url`,
    'must be a redis:// or rediss:// URL without credentials',
  );
}
add(
  'redis password as a literal',
  withGateway({
    sessionStore: SessionStore.redis({ url: 'rediss://redis:6379', password: 'hunter2' as never }),
  }),
  `${GATEWAY} sessionStore.password`,
  'must be a SecretRef',
);
add(
  'session store as a string',
  withGateway({ sessionStore: 'redis' }),
  `${GATEWAY} sessionStore`,
  'must be a SessionStore',
);
// SecretRefs are checked where they are bound (the gateway, for the client secret).
for (const [name, ref, at, says] of [
  [
    'external secret with empty key',
    () =>
      SecretRef.fromExternalSecret({ store: { name: 'vault', kind: 'ClusterSecretStore' }, remoteKey: '' }),
    'clientSecret.remoteKey',
    'must not be empty',
  ],
  [
    'external secret with bad refresh',
    () =>
      SecretRef.fromExternalSecret({
        store: { name: 'vault', kind: 'ClusterSecretStore' },
        remoteKey: 'x',
        refreshInterval: '1 hour',
      }),
    'clientSecret.refreshInterval',
    'must be a duration',
  ],
  [
    'external secret with bad store kind',
    () => SecretRef.fromExternalSecret({ store: { name: 'vault', kind: 'Store' as never }, remoteKey: 'x' }),
    'clientSecret.store.kind',
    'must be "SecretStore" or "ClusterSecretStore"',
  ],
  [
    'secret with a bad name',
    () => SecretRef.fromSecret('My_Secret', 'key'),
    'clientSecret',
    'must be a valid Kubernetes object name',
  ],
  [
    'secret with a bad key',
    () => SecretRef.fromSecret('oidc', 'a/b'),
    'clientSecret',
    'must be a valid Secret key',
  ],
] as const) {
  add(
    name,
    portal(() => ({ clientSecret: ref() })),
    `[test/portal/Gateway] ${at}`,
    says,
  );
}

// --- 7. TLS, databases and constructs used directly ----------------------------------------

for (const [name, tls, says] of [
  ['acme without e-mail', () => TlsSource.acme({ email: 'not-an-email' }), 'must be an e-mail address'],
  [
    'acme over http',
    () => TlsSource.acme({ email: 'platform@example.com', server: 'http://acme.example.com/directory' }),
    'must be "production", "staging" or an https:// ACME directory URL',
  ],
  [
    'acme server "prod"',
    () => TlsSource.acme({ email: 'platform@example.com', server: 'prod' }),
    'must be "production", "staging" or an https:// ACME directory URL',
  ],
  ['issuer name with capitals', () => TlsSource.fromIssuer('LetsEncrypt'), 'must be a valid Kubernetes name'],
  [
    'secret name with underscore',
    () => TlsSource.fromSecret('portal_tls'),
    'must be a valid Kubernetes object name',
  ],
] as const) {
  add(
    name,
    portal(() => ({ tls: tls() })),
    '[test/portal',
    says,
  );
}
for (const [name, database, says] of [
  [
    'external db with URL as host',
    () =>
      BackstageDatabase.external({
        host: 'postgres://db.example.com',
        user: 'backstage',
        password: SecretRef.fromSecret('db', 'password'),
      }),
    'host',
  ],
  [
    'external db port 0',
    () =>
      BackstageDatabase.external({
        host: 'db.example.com',
        port: 0,
        user: 'backstage',
        password: SecretRef.fromSecret('db', 'password'),
      }),
    'must be at least 1',
  ],
  [
    'external db literal password',
    () =>
      BackstageDatabase.external({ host: 'db.example.com', user: 'backstage', password: 'hunter2' as never }),
    'must be a SecretRef',
  ],
  [
    'external db tls mode "on"',
    () =>
      BackstageDatabase.external({
        host: 'db.example.com',
        user: 'backstage',
        password: SecretRef.fromSecret('db', 'password'),
        tls: { mode: 'on' as never },
      }),
    'must be',
  ],
  [
    'in-cluster db size "5GB"',
    () =>
      BackstageDatabase.inCluster({ password: SecretRef.fromSecret('db', 'password'), storageSize: '5GB' }),
    'must be',
  ],
] as const) {
  add(
    name,
    portal(() => ({ database: database(), backstage: { replicas: 1 } })),
    '[test/portal',
    says,
  );
}
const store = { name: 'vault', kind: 'ClusterSecretStore' as const };
add(
  'ExternalSecret with no data',
  (stack) =>
    new ExternalSecret(stack, 'es', {
      namespace: 'backstage',
      name: 'x',
      store,
      refreshInterval: '1h',
      data: [],
    }),
  '[test/es] data',
  'must list at least one key',
);
add(
  'ExternalSecret with bad refresh',
  (stack) =>
    new ExternalSecret(stack, 'es', {
      namespace: 'backstage',
      name: 'x',
      store,
      refreshInterval: 'hourly',
      data: [{ secretKey: 'k', remoteKey: 'r' }],
    }),
  '[test/es] refreshInterval',
  'must be a duration',
);
add(
  'ExternalSecret with a duplicate key',
  (stack) =>
    new ExternalSecret(stack, 'es', {
      namespace: 'backstage',
      name: 'x',
      store,
      refreshInterval: '1h',
      data: [
        { secretKey: 'k', remoteKey: 'r' },
        { secretKey: 'k', remoteKey: 's' },
      ],
    }),
  '[test/es] data[1].secretKey',
  'is listed twice',
);
add(
  'ExternalSecret with a bad secret key',
  (stack) =>
    new ExternalSecret(stack, 'es', {
      namespace: 'backstage',
      name: 'x',
      store,
      refreshInterval: '1h',
      data: [{ secretKey: 'a b', remoteKey: 'r' }],
    }),
  '[test/es] data[0].secretKey',
  'must be a valid Secret key',
);
const platform =
  (build: Build): Build =>
  (stack) => {
    new HelmProvider(stack, 'helm', {});
    build(stack);
  };
add(
  'local chart that does not exist',
  platform(
    (stack) => new CertManager(stack, 'cm', { chart: ChartSource.localPath('/nonexistent/cert-manager') }),
  ),
  '[test/cm] chart.path',
  'does not exist',
);
add(
  'chart from an http repository',
  platform(
    (stack) =>
      new CertManager(stack, 'cm', {
        chart: ChartSource.repository('http://charts.example.com', 'cert-manager', '1.19.6'),
      }),
  ),
  '[test/cm] chart',
  'https',
);
add(
  'chart version "latest"',
  platform(
    (stack) =>
      new CertManager(stack, 'cm', {
        chart: ChartSource.repository('https://charts.example.com', 'cert-manager', 'latest'),
      }),
  ),
  '[test/cm] chart.version',
  'version',
);
add(
  'controller replicas 0',
  platform((stack) => new IngressNginxController(stack, 'ingress', { replicas: 0 })),
  '[test/ingress] replicas',
  'must be at least 1',
);
add(
  'controller snippets in extraConfig',
  platform(
    (stack) =>
      new IngressNginxController(stack, 'ingress', { extraConfig: { 'allow-snippet-annotations': 'true' } }),
  ),
  '[test/ingress] extraConfig',
  'snippet',
);
add(
  'controller buffer 4k',
  platform((stack) => new IngressNginxController(stack, 'ingress', { proxyBufferSize: '4k' })),
  '[test/ingress] proxyBufferSize',
  'must be at least 8k',
);

// --- 8. environments as data and files ------------------------------------------------------

const EXAMPLES = join(__dirname, '../../examples/multi-cloud');
const prodEnv = parseYaml(readFileSync(join(EXAMPLES, 'environments/prod.yaml'), 'utf8')) as Overrides;
const devEnv = parseYaml(readFileSync(join(EXAMPLES, 'environments/dev.yaml'), 'utf8')) as Overrides;
const envCase = (name: string, base: Overrides, change: Overrides, at: string, says: string) =>
  add(
    `environment: ${name}`,
    () => parseEnvironment({ ...base, ...change }, 'env.yaml'),
    `[env.yaml] ${at}`,
    says,
  );
envCase('no name', devEnv, { name: undefined }, 'name', 'is required');
envCase('production "yes"', devEnv, { production: 'yes' }, 'production', 'must be true or false');
envCase('replicas "2"', devEnv, { replicas: '2' }, 'replicas', 'must be a number');
envCase('replicas NaN', devEnv, { replicas: Number.NaN }, 'replicas', 'got NaN');
envCase('replicas 0', devEnv, { replicas: 0 }, 'replicas', 'must be at least 1');
envCase('host as IP', devEnv, { host: '10.0.0.7' }, 'host', 'must be a DNS name, not an IP address');
envCase(
  'namespace kube-system',
  devEnv,
  { namespace: 'kube-system' },
  'namespace',
  'is a Kubernetes system namespace',
);
envCase('unknown cloud', devEnv, { cloud: { provider: 'digitalocean' } }, 'cloud', 'must');
envCase('backend type "consul"', devEnv, { backend: { type: 'consul' } }, 'backend', 'must');
envCase(
  'bucket with capitals',
  prodEnv,
  { backend: { type: 's3', bucket: 'My_Bucket', region: 'eu-west-1' } },
  'backend.bucket',
  'must be a bucket name',
);
envCase('tls email missing', devEnv, { tls: { type: 'acme' } }, 'tls.email', 'is required');
envCase(
  'tls email invalid',
  devEnv,
  { tls: { type: 'acme', email: 'platform' } },
  'tls.email',
  'must be a valid e-mail address',
);
envCase(
  'storage size 5GB',
  devEnv,
  { database: { type: 'in-cluster', password: { variable: 'x' }, storageSize: '5GB' } },
  'database.storageSize',
  'must be a volume size such as "5Gi"',
);
envCase(
  'secret as a literal',
  devEnv,
  { secrets: { clientSecret: 'hunter2', cookieSecret: { variable: 'c' } } },
  'secrets.clientSecret',
  'must',
);
envCase('exposure "private"', devEnv, { exposure: 'private' }, 'exposure', 'must be "public" or "internal"');
envCase(
  'source range "10.0.0.0"',
  devEnv,
  { allowSourceRanges: ['10.0.0.0'] },
  'allowSourceRanges[0]',
  'must be a CIDR range',
);
envCase(
  'old autoscaling key',
  devEnv,
  { replicas: undefined, autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilizationPercent: 70 } },
  'autoscaling.targetCpuUtilizationPercent',
  'was renamed to targetCPUUtilizationPercentage',
);
envCase('unknown key', devEnv, { replica: 2 }, 'replica', 'is not a known property');
add(
  'access policy: unknown issuer type',
  () => parseSharedAccessPolicy({ issuer: { type: 'auth0' }, clientId: 'x' }, 'policy.yaml'),
  '[policy.yaml] issuer',
  'must have type "okta", "google", "entra-id", "keycloak" or "oidc"',
);
add(
  'access policy: empty client id',
  () => parseSharedAccessPolicy({ issuer: { type: 'google' }, clientId: '' }, 'policy.yaml'),
  '[policy.yaml] clientId',
  'must not be empty',
);
add(
  'access policy: tenant not a GUID',
  () =>
    parseSharedAccessPolicy(
      { issuer: { type: 'entra-id', tenantId: 'common' }, clientId: 'x' },
      'policy.yaml',
    ),
  '[policy.yaml] issuer.tenantId',
  'must be a GUID',
);

const files = mkdtempSync(join(tmpdir(), 'corpus-env-'));
const fileCase = (name: string, text: string, line: string, says: string) => {
  const file = join(files, `${name.replace(/\W+/g, '-')}.yaml`);
  writeFileSync(file, text);
  add(
    `environment file: ${name}`,
    () => loadEnvironmentFile(file),
    line.startsWith(' ') ? `[${file}]${line}` : `[${file}${line}]`,
    says,
  );
};
fileCase('tab indentation', 'name: dev\nkubernetes:\n\tcontext: dev\n', ':3:1', 'Fix the YAML there');
fileCase(
  'unclosed flow map',
  'name: dev\ncloud: { provider: generic\nhost: x\n',
  ':3:1',
  'Flow map in block collection must be sufficiently indented and end with a }. Fix the YAML there',
);
fileCase('duplicate key', 'name: dev\nname: prod\n', ':2:1', 'Map keys must be unique. Fix the YAML there');
fileCase(
  'two documents',
  'name: dev\n---\nname: prod\n',
  '',
  'must hold one environment, got 2 YAML documents',
);
fileCase('bad indentation', 'name: dev\n  host: x\n', ':1:7', 'Fix the YAML there');
fileCase('a list, not a map', '- name: dev\n', '', 'must be an object');
fileCase(
  'valid YAML, wrong values',
  `${readFileSync(join(EXAMPLES, 'environments/dev.yaml'), 'utf8')}autoscaling: many\n`,
  ' autoscaling',
  'must be an object',
);

// --- 9. teams, org sources and RBAC -------------------------------------------------------

const BS = '[test/portal/Backstage]';
const withRbac = (rbac: Overrides, extra: Overrides = {}) =>
  portal(() => ({ rbac: { superUsers: ['root'], roles: [], ...rbac }, ...extra }));
const role = (options: Overrides) =>
  RbacRole.of({
    name: 'readers',
    members: [Team.of('engineering')],
    allow: ['catalog.entity.read'],
    ...options,
  } as never);
const secret = SecretRef.fromSecret('s', 'k');
add(
  'rbac: a team name with a space',
  withRbac({ roles: [role({ members: [Team.of('a b')] })] }),
  `${BS} rbac.roles[0].members[0].name`,
  'must be a Backstage entity name',
);
add(
  'rbac: a member that is neither a user name nor a Team',
  withRbac({ roles: [role({ members: ['Bad User!'] })] }),
  `${BS} rbac.roles[0].members[0]`,
  'must be a User entity name or a Team',
);
add(
  'access: a Team whose IdP group has a leading space',
  withAccess({ emailDomains: ['example.com'], groups: [Team.of('ok', { idpGroup: ' x' })] }),
  '[test/portal/Gateway] access.groups[0]',
  'must not start or end with whitespace',
);
add(
  'org: not an OrgSource',
  portal(() => ({ org: 'keycloak' })),
  `${BS} org`,
  'must be an OrgSource',
);
add(
  'rbac: not an object',
  portal(() => ({ rbac: 'admins' })),
  `${BS} rbac`,
  'must be an object',
);
add(
  'rbac: a role as a string',
  withRbac({ roles: ['readers'] }),
  `${BS} rbac.roles[0]`,
  'must be an RbacRole',
);
add(
  'rbac: a role nobody holds',
  withRbac({ roles: [role({ members: [] })] }),
  `${BS} rbac.roles[0].members`,
  'must have at least one member',
);
add(
  'rbac: a role name with "!"',
  withRbac({ roles: [role({ name: 'readers!' })] }),
  `${BS} rbac.roles[0].name`,
  'must be a Backstage entity name',
);
add(
  'rbac: two roles of one name',
  withRbac({ roles: [role({}), role({})] }),
  `${BS} rbac.roles[1].name`,
  'is the name of roles[0] too',
);
add(
  'rbac: a superuser as an entity ref',
  withRbac({ superUsers: ['user:default/root'] }),
  `${BS} rbac.superUsers[0]`,
  'must be a User entity name',
);
add(
  'rbac: an extra permission with a bad plugin id',
  withRbac({ extraPermissions: [{ name: 'kubernetes.proxy', pluginId: 'Kubernetes' }] }),
  `${BS} rbac.extraPermissions[0].pluginId`,
  'must be a Backstage plugin id',
);
add(
  'rbac: a condition about another resource type',
  withRbac({
    roles: [
      role({
        conditional: [{ permissions: ['scaffolder.task.read'], condition: RbacCondition.isEntityOwner() }],
      }),
    ],
  }),
  `${BS} rbac.roles[0].conditional[0].permissions[0]`,
  'is about scaffolder-task, the condition about catalog-entity',
);
add(
  'rbac: a kind condition without kinds',
  withRbac({
    roles: [
      role({
        conditional: [{ permissions: ['catalog.entity.delete'], condition: RbacCondition.isEntityKind([]) }],
      }),
    ],
  }),
  `${BS} rbac.roles[0].conditional[0].condition`,
  'must name entity kinds',
);
add(
  'rbac: an unknown reload',
  withRbac({ reload: 'live' }),
  `${BS} rbac.reload`,
  'must be "in-place" or "restart"',
);
add(
  'org: Entra tenant not a GUID',
  portal(() => ({
    org: OrgSource.entraId({
      tenantId: 'contoso',
      clientId: '11111111-2222-3333-4444-555555555555',
      clientSecret: secret,
    }),
  })),
  `${BS} org.tenantId`,
  'must be the directory (tenant) id (a GUID)',
);
add(
  'org: schedule timeout over its frequency',
  portal(() => ({
    org: OrgSource.okta({
      orgUrl: 'https://example.okta.com',
      token: secret,
      schedule: { frequency: '10m', timeout: '1h' },
    }),
  })),
  `${BS} org.schedule.timeout`,
  'must not be longer than the frequency',
);
add(
  'org: GitHub org with a space',
  portal(() => ({ org: OrgSource.githubOrg({ orgs: ['my org'], token: secret, useVerifiedEmails: true }) })),
  `${BS} org.orgs[0]`,
  'must be a GitHub organization login',
);
add(
  'org: a static team twice',
  portal(() => ({ org: OrgSource.staticOrg({ teams: [Team.of('a'), Team.of('a')], users: [] }) })),
  `${BS} org.teams[1]`,
  'names the team "a" a second time',
);
add(
  'org: a static team hierarchy with a cycle',
  portal(() => ({
    org: OrgSource.staticOrg({
      teams: [Team.of('a'), Team.of('b')],
      users: [],
      hierarchy: [
        { parent: Team.of('a'), children: [Team.of('b')] },
        { parent: Team.of('b'), children: [Team.of('a')] },
      ],
    }),
  })),
  `${BS} org.hierarchy`,
  'has a cycle: "b" under "a" under "b"',
);
add(
  'org: a static user e-mail without "@"',
  portal(() => ({
    org: OrgSource.staticOrg({ teams: [], users: [{ name: 'alice', email: 'alice.example.com' }] }),
  })),
  `${BS} org.users[0].email`,
  'must be an e-mail address',
);

// --- the run ----------------------------------------------------------------------------------

const ZOD_WORDING =
  /invalid input|expected \w+, received|Invalid (string|enum|option)|See the documentation of this prop/i;
const LINE = /^\[[^\]]+\] \S[^:]*: .+, got .+\. \S.+$/s;

// --- the Gateway API flavour ---------------------------------------------------------------

const withGatewayApi = (ingress: Overrides, extra: Overrides = {}) =>
  portal(() => ({ ingressFlavour: 'gateway-api', ingress, ...extra }));
const created = (options: Overrides) => GatewayRef.create({ gatewayClassName: 'nginx', ...options } as never);
const existing = (options: Overrides) =>
  GatewayRef.existing({
    name: 'shared',
    namespace: 'gateway-system',
    httpsListener: 'https',
    ...options,
  } as never);
const GATEWAY_API = '[test/portal/GatewayApi]';
add(
  'gateway-api without ingress',
  portal(() => ({ ingressFlavour: 'gateway-api' })),
  `${PORTAL} ingress`,
  'is required',
);
add(
  'gateway-api ingress.gateway not a GatewayRef',
  withGatewayApi({ gateway: { gatewayClassName: 'nginx' } }),
  `${PORTAL} ingress.gateway`,
  'must be a GatewayRef',
);
add(
  'gateway-api unknown ingress option',
  withGatewayApi({ gateway: created({}), allowSourceRanges: ['10.0.0.0/8'] }),
  `${PORTAL} ingress.allowSourceRanges`,
  'is not a known property',
);
add(
  'gateway-api empty data plane ranges',
  withGatewayApi({ gateway: created({}), dataPlaneSourceRanges: [] }),
  `${PORTAL} ingress.dataPlaneSourceRanges`,
  'must list at least one network',
);
add(
  'gateway-api bad data plane range',
  withGatewayApi({ gateway: created({}), dataPlaneSourceRanges: ['10.0.0.300/8'] }),
  `${PORTAL} ingress.dataPlaneSourceRanges[0]`,
  'must be',
);
add(
  'gateway-api bad API prefix',
  withGatewayApi({ gateway: created({}), apiPaths: ['^/api'] }),
  `${PORTAL} ingress.apiPaths[0]`,
  'must be a path prefix',
);
add(
  'gateway-api short HSTS',
  withGatewayApi({ gateway: created({}), hsts: { maxAgeSeconds: 10 } }),
  `${GATEWAY} hsts.maxAgeSeconds`,
  'must be at least one day',
);
add(
  'gateway-api empty GatewayClass',
  withGatewayApi({ gateway: created({ gatewayClassName: '' }) }),
  `${GATEWAY_API} gateway.gatewayClassName`,
  'must not be empty',
);
add(
  'gateway-api cert-manager annotation on the Gateway',
  withGatewayApi({ gateway: created({ annotations: { 'cert-manager.io/issuer': 'x' } }) }),
  `${GATEWAY_API} gateway.annotations.cert-manager.io/issuer`,
  'is managed by the tls prop',
);
add(
  'gateway-api reserved infrastructure label',
  withGatewayApi({
    gateway: created({ infrastructure: { labels: { 'gateway.networking.k8s.io/x': 'y' } } }),
  }),
  `${GATEWAY_API} gateway.infrastructure.labels.gateway.networking.k8s.io/x`,
  'must not use the gateway.networking.k8s.io/ prefix',
);
add(
  'gateway-api bad listener name',
  withGatewayApi(
    { gateway: existing({ httpsListener: 'Web Secure' }) },
    { tls: undefined, ingressController: { namespaceLabels: { 'kubernetes.io/metadata.name': 'gw' } } },
  ),
  `${GATEWAY_API} gateway.httpsListener`,
  'must be a listener name',
);
add(
  'gateway-api existing Gateway with tls',
  withGatewayApi(
    { gateway: existing({}) },
    { ingressController: { namespaceLabels: { 'kubernetes.io/metadata.name': 'gw' } } },
  ),
  `${GATEWAY_API} tls`,
  'is the existing Gateway',
);
add(
  'gateway-api existing Gateway without its data plane',
  withGatewayApi({ gateway: existing({}) }, { tls: undefined }),
  `${PORTAL} ingressController`,
  'is required with an existing Gateway',
);
add(
  'gateway-api rendered Gateway without tls',
  withGatewayApi({ gateway: created({}) }, { tls: undefined }),
  `${GATEWAY_API} tls`,
  'is required when the portal renders its Gateway',
);
add(
  'migrateFromIngressNginx on ingress-nginx',
  portal(() => ({ migrateFromIngressNginx: {} })),
  `${PORTAL} migrateFromIngressNginx`,
  'only applies with ingressFlavour "gateway-api"',
);
add(
  'migrateFromIngressNginx unknown option',
  withGatewayApi({ gateway: created({}) }, { migrateFromIngressNginx: { ingres: {} } }),
  `${PORTAL} migrateFromIngressNginx.ingres`,
  'is not a known property',
);
add(
  'CertManager gatewayApi as a string',
  (stack) => {
    new HelmProvider(stack, 'helm', {});
    new CertManager(stack, 'cm', { gatewayApi: 'true' } as never);
  },
  '[test/cm] gatewayApi',
  'must be true or false',
);

function refusal(build: Case['build']): { error?: unknown } {
  try {
    if (build.length === 0) {
      (build as () => void)();
    } else {
      const app = Testing.app();
      const stack = new TerraformStack(app, 'test');
      new KubernetesProvider(stack, 'k8s', {});
      (build as Build)(stack);
      Testing.synth(stack, true);
    }
    return {};
  } catch (error) {
    return { error };
  }
}

describe(`a corpus of ${cases.length} wrong inputs`, () => {
  it('has hundreds of cases with distinct names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const { error } = refusal(c.build);
    expect(error, 'synthesized without complaint').toBeInstanceOf(PropsValidationError);
    const problems = (error as PropsValidationError).problems;
    for (const line of problems) {
      // Every line: where, which prop, what, the value, and how to fix it, in plain words.
      expect(line).not.toMatch(ZOD_WORDING);
      if (!line.includes('YAML') && !line.includes('must hold one environment')) {
        expect(line).toMatch(LINE);
      }
    }
    // The structured details say the same: where and which prop.
    const details = (error as PropsValidationError).details;
    expect(details.map((d) => d.message)).toEqual(problems);
    expect(
      details.some((d) => `[${d.where}]${d.path === '' ? '' : ` ${d.path}`}`.startsWith(c.at)),
      `no detail at ${c.at}`,
    ).toBe(true);
    const lines = problems.filter((p) => p.startsWith(c.at));
    expect(
      lines.some((l) => l.includes(c.says)),
      `no line starts with ${c.at} and says ${JSON.stringify(c.says)}:\n${problems.join('\n')}`,
    ).toBe(true);
  });
});
