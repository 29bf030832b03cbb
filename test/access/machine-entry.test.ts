import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import {
  BackstagePortal,
  BackstagePortalProps,
  MachineClient,
  OidcGateway,
  OidcGatewayProps,
  OidcIssuer,
} from '../../lib';
import { expectProblems, portalProps, resourceAt, synth, variableSecret } from '../helpers';

const K8S_ISSUER = 'https://kubernetes.default.svc.cluster.local';

const clients = () => [
  MachineClient.githubActions({
    audience: 'backstage-ci',
    repository: 'acme/service',
    refs: ['refs/heads/main'],
    environments: ['production'],
    accessRestrictions: [{ plugin: 'catalog' }],
  }),
  MachineClient.kubernetesServiceAccount({
    issuerUrl: K8S_ISSUER,
    audience: 'backstage-agents',
    namespace: 'agents',
    serviceAccount: 'catalog-agent',
  }),
];

function gatewayProps(stack: TerraformStack, overrides: Record<string, unknown>): OidcGatewayProps {
  return {
    namespace: 'backstage',
    host: 'backstage.example.com',
    issuer: OidcIssuer.okta({ domain: 'example.okta.com' }),
    clientId: 'client-123',
    clientSecret: variableSecret(stack, 'oidc_client_secret'),
    cookieSecret: variableSecret(stack, 'cookie_secret'),
    access: { emailDomains: ['example.com'], groups: ['portal-users'] },
    ...overrides,
  } as OidcGatewayProps;
}

describe('machine client presets', () => {
  it('derive issuer, JWKS, subject prefix and the exact subjects from their claims', () => {
    const [gh, k8s] = clients();
    expect(gh!.preset).toBe('github-actions');
    expect(gh!.jwtOptions).toEqual({
      issuerUrl: 'https://token.actions.githubusercontent.com',
      jwksUrl: 'https://token.actions.githubusercontent.com/.well-known/jwks',
      audience: 'backstage-ci',
      subjectPrefix: 'github',
      subjects: ['repo:acme/service:ref:refs/heads/main', 'repo:acme/service:environment:production'],
      accessRestrictions: [{ plugin: 'catalog' }],
    });
    expect(k8s!.jwtOptions).toMatchObject({
      jwksUrl: `${K8S_ISSUER}/openid/v1/jwks`,
      subjectPrefix: 'k8s',
      subjects: ['system:serviceaccount:agents:catalog-agent'],
    });
    const gl = MachineClient.gitlabCi({
      audience: 'backstage-ci',
      projectPath: 'acme/service',
      refs: [{ type: 'branch', name: 'main' }],
    });
    expect(gl.jwtOptions).toMatchObject({
      issuerUrl: 'https://gitlab.com',
      jwksUrl: 'https://gitlab.com/oauth/discovery/keys',
      subjects: ['project_path:acme/service:ref_type:branch:ref:main'],
    });
    expect(
      MachineClient.dangerousStaticToken({ subject: 'legacy', token: { kind: 'x' } as never }).preset,
    ).toBe('static');
  });
});

describe('the machine entry (OidcGateway machineHost)', () => {
  const json = () =>
    synth(
      (stack) =>
        new OidcGateway(
          stack,
          'gw',
          gatewayProps(stack, { machineClients: clients(), machineHost: 'api.backstage.example.com' }),
        ),
    );

  it('runs a second oauth2-proxy that admits the clients by issuer, audience and subject, with no e-mail rule', () => {
    const j = json();
    const container = resourceAt(j, 'kubernetes_deployment_v1', 'gw/Machines/Deployment').spec.template.spec
      .container[0];
    expect(container.args).toEqual([
      '--alpha-config=/etc/oauth2-proxy/alpha-config.yaml',
      '--reverse-proxy=true',
      '--redirect-url=https://api.backstage.example.com/oauth2/callback',
      '--email-domain=*',
      '--cookie-name=_oauth2_proxy_machines',
      '--cookie-secure=true',
      '--cookie-httponly=true',
      '--session-store-type=cookie',
      '--skip-jwt-bearer-tokens=true',
      `--extra-jwt-issuers=${K8S_ISSUER}=backstage-agents`,
      '--skip-provider-button=true',
      '--silence-ping-logging=true',
    ]);
    const alpha = parse(
      resourceAt(j, 'kubernetes_config_map_v1', 'gw/Machines/Config').data['alpha-config.yaml'],
    );
    expect(alpha.providers).toHaveLength(1);
    expect(alpha.providers[0]).toMatchObject({
      clientID: 'backstage-ci',
      allowedGroups: [
        'repo:acme/service:ref:refs/heads/main',
        'repo:acme/service:environment:production',
        'system:serviceaccount:agents:catalog-agent',
      ],
      oidcConfig: {
        issuerURL: 'https://token.actions.githubusercontent.com',
        skipDiscovery: true,
        jwksURL: 'https://token.actions.githubusercontent.com/.well-known/jwks',
        groupsClaim: 'sub',
      },
    });
    expect(resourceAt(j, 'kubernetes_service_v1', 'gw/Machines/Service').metadata.name).toBe(
      'oauth2-proxy-machines',
    );
  });

  it("takes machine tokens away from the people's oauth2-proxy, whose policy is unchanged", () => {
    const args: string[] = resourceAt(json(), 'kubernetes_deployment_v1', 'gw/Deployment').spec.template.spec
      .container[0].args;
    expect(args.filter((a) => /jwt/.test(a))).toEqual([]);
    expect(args).toContain('--email-domain=example.com');
  });

  it('refuses clients it could not tell apart by subject, a shared host and no client', () => {
    expectProblems(
      () =>
        synth(
          (stack) =>
            new OidcGateway(
              stack,
              'gw',
              gatewayProps(stack, {
                machineHost: 'backstage.example.com',
                machineClients: [
                  MachineClient.jwt({
                    issuerUrl: 'https://ci.example.com',
                    audience: 'ci',
                    jwksUrl: 'https://ci.example.com/jwks',
                  }),
                ],
              }),
            ),
        ),
      [
        { path: 'machineHost', says: ['must differ from host'] },
        {
          path: 'machineClients[0].subjects',
          says: ['is required with machineHost', 'issuer and audience alone would admit every token'],
        },
      ],
    );
    expectProblems(
      () =>
        synth(
          (stack) =>
            new OidcGateway(stack, 'gw', gatewayProps(stack, { machineHost: 'api.backstage.example.com' })),
        ),
      [{ path: 'machineHost', says: ['has no JWT machine client to admit'] }],
    );
    expectProblems(
      () =>
        synth(
          (stack) =>
            new OidcGateway(
              stack,
              'gw',
              gatewayProps(stack, {
                machineHost: 'api.backstage.example.com',
                machineClients: [MachineClient.githubActions({ audience: 'ci', repository: 'acme/service' })],
              }),
            ),
        ),
      [{ path: 'machineClients[0].subjects', says: ['admits no subject', 'Give refs'] }],
    );
  });
});

/** A portal with the test clients on the machine host, with `extra` props on top. */
function synthMachinePortal(extra: Partial<BackstagePortalProps> = {}) {
  return synth(
    (stack) =>
      new BackstagePortal(stack, 'portal', {
        ...portalProps(stack),
        machineClients: clients(),
        machineHost: 'api.backstage.example.com',
        ...extra,
      } as BackstagePortalProps),
  );
}

let defaultSynth: ReturnType<typeof synth> | undefined;
/** The portal without extras, synthesized once for the tests that only read it. */
const defaultMachinePortal = () => (defaultSynth ??= synthMachinePortal());

describe('BackstagePortal machineHost', () => {
  it('adds an Ingress on the machine host through the machine entry, without a sign-in redirect; Backstage gets the clients as externalAccess', () => {
    const j = defaultMachinePortal();
    const ing = resourceAt(j, 'kubernetes_ingress_v1', 'portal/Ingress/MachineIngress');
    expect(ing.spec.rule[0].host).toBe('api.backstage.example.com');
    const annotations = ing.metadata.annotations;
    expect(annotations['nginx.ingress.kubernetes.io/auth-url']).toMatch(
      /^http:\/\/oauth2-proxy-machines\.\$\{kubernetes_namespace_v1\.[^}]+\}\.svc\.cluster\.local:4180\/oauth2\/auth$/,
    );
    expect(annotations).not.toHaveProperty('nginx.ingress.kubernetes.io/auth-signin');
    // The contract's identity headers are still overwritten from the (empty) auth answer.
    expect(annotations['nginx.ingress.kubernetes.io/auth-response-headers']).toBeTruthy();
    const appConfig = Object.values(
      j.resource!.kubernetes_config_map_v1 as Record<string, { data: Record<string, string> }>,
    )
      .flatMap((cm) => Object.values(cm.data))
      .find((d) => d.includes('externalAccess'))!;
    const access = parse(appConfig).backend.auth.externalAccess;
    expect(access).toEqual([
      {
        type: 'jwks',
        options: {
          url: 'https://token.actions.githubusercontent.com/.well-known/jwks',
          issuer: 'https://token.actions.githubusercontent.com',
          audience: 'backstage-ci',
          algorithm: ['RS256'],
          subjectPrefix: 'github',
        },
        accessRestrictions: [{ plugin: 'catalog' }],
      },
      {
        type: 'jwks',
        options: {
          url: `${K8S_ISSUER}/openid/v1/jwks`,
          issuer: K8S_ISSUER,
          audience: 'backstage-agents',
          algorithm: ['RS256'],
          subjectPrefix: 'k8s',
        },
      },
    ]);
  });

  it("asks cert-manager for one certificate naming both hosts: the annotated Ingress's TLS hosts", () => {
    const j = defaultMachinePortal();
    const people = resourceAt(j, 'kubernetes_ingress_v1', 'portal/Ingress/Ingress');
    expect(people.metadata.annotations['cert-manager.io/cluster-issuer']).toBe('letsencrypt-production');
    expect(people.spec.tls).toEqual([
      {
        hosts: ['backstage.example.com', 'api.backstage.example.com'],
        secret_name: 'backstage-example-com-tls',
      },
    ]);
    // The machine Ingress serves the same Secret and asks for nothing itself.
    const machines = resourceAt(j, 'kubernetes_ingress_v1', 'portal/Ingress/MachineIngress');
    expect(machines.spec.tls).toEqual([
      { hosts: ['api.backstage.example.com'], secret_name: 'backstage-example-com-tls' },
    ]);
    expect(
      Object.keys(machines.metadata.annotations).filter((k) => k.startsWith('cert-manager.io/')),
    ).toEqual([]);
  });

  it('answers on the machine host with a WWW-Authenticate challenge: a ConfigMap of response headers and the custom-headers annotation', () => {
    const j = defaultMachinePortal();
    const headers = resourceAt(j, 'kubernetes_config_map_v1', 'portal/Ingress/MachineResponseHeaders');
    expect(headers.data).toEqual({ 'WWW-Authenticate': 'Bearer realm="api.backstage.example.com"' });
    const ing = resourceAt(j, 'kubernetes_ingress_v1', 'portal/Ingress/MachineIngress');
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/custom-headers']).toBe(
      `${headers.metadata.namespace}/${headers.metadata.name}`,
    );
    expect(headers.metadata.name).toBe('backstage-machines-headers');
    // Created before the Ingress: the controller denies a location whose ConfigMap is missing.
    const configMaps = j.resource!.kubernetes_config_map_v1 as Record<string, unknown>;
    const headersId = Object.keys(configMaps).find((k) => configMaps[k] === headers);
    expect(ing.depends_on).toContain(`kubernetes_config_map_v1.${headersId}`);
    // The people's Ingresses carry no challenge.
    const people = resourceAt(j, 'kubernetes_ingress_v1', 'portal/Ingress/Ingress');
    expect(people.metadata.annotations).not.toHaveProperty('nginx.ingress.kubernetes.io/custom-headers');
  });

  it('with ingress machineChallenge false renders no challenge', () => {
    const j = synthMachinePortal({ ingress: { machineChallenge: false } });
    const ing = resourceAt(j, 'kubernetes_ingress_v1', 'portal/Ingress/MachineIngress');
    expect(ing.metadata.annotations).not.toHaveProperty('nginx.ingress.kubernetes.io/custom-headers');
    expect(
      Object.values(j.resource!.kubernetes_config_map_v1 as Record<string, any>).map(
        (cm) => cm.metadata.name,
      ),
    ).not.toContain('backstage-machines-headers');
  });
});
