// Synthesizes a real BackstagePortal with the library and reads what the programs run
// with out of the synthesized cdk.tf.json: oauth2-proxy's container args, env and mounted
// files, the Ingress annotations and paths, Backstage's app-config and env. Nothing here
// restates a value the library renders; the harness only maps cluster things (Service
// names, mount paths, Secrets) onto loopback things.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { App, TerraformStack } from 'cdktf';

import type { BackstagePortalProps, OrgSource, PortalAccessPolicy, RbacOptions } from '../../../../lib';
import {
  BackstageDatabase,
  BackstagePortal,
  GatewayRef,
  IngressNginxController,
  MachineAgent,
  MachineClient,
  OidcIssuer,
  SecretRef,
  SessionStore,
  TlsSource,
} from '../../../../lib';

export const PORTAL_HOST = 'backstage.example.com';
export const CLIENT_ID = 'backstage-portal';
/** The Secrets the portal refers to (they "exist in the cluster"; values come from the harness). */
export const SECRETS = {
  clientSecret: { name: 'oidc-client', key: 'client-secret' },
  cookieSecret: { name: 'oauth2-proxy-cookie', key: 'cookie-secret' },
  redisPassword: { name: 'oauth2-proxy-redis', key: 'password' },
  /** The CA of the Redis server's certificate (a private CA, not the one the IdP's certificate comes from). */
  redisCa: { name: 'oauth2-proxy-redis-ca', key: 'ca.crt' },
  tls: 'backstage-tls',
} as const;

/** The scraper every synthesized gateway admits to its metrics port, with a ServiceMonitor. */
export const GATEWAY_METRICS = {
  scraper: {
    namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
    podLabels: { 'app.kubernetes.io/name': 'prometheus' },
  },
  serviceMonitor: { interval: '15s' },
} as const;

export interface PortalOptions {
  /** https URL of the test IdP. */
  readonly issuerUrl: string;
  /** https URL of the trusted machine-token issuer. */
  readonly machineIssuerUrl: string;
  /** https URL of a second trusted issuer whose tokens carry the audience "backstage" (as in the README example). */
  readonly backstageAudienceIssuerUrl: string;
  /** NginxIngress authCacheDuration (undefined: caching off, the default). */
  readonly authCacheDuration?: string;
  /**
   * A proxy buffer size written over the synthesized Ingresses' annotation, as an
   * `addOverride` escape hatch would (undefined: the library's default for the session
   * store). The library itself refuses sizes below 8k; the scenario with 4k shows why.
   */
  readonly proxyBufferSize?: string;
  /** The ingress flavour (default ingress-nginx; f5-nginx and gateway-api put oauth2-proxy in the request path). */
  readonly ingressFlavour?: 'ingress-nginx' | 'f5-nginx' | 'gateway-api';
  /**
   * `SessionStore.redis({ url, password, ca })` with this URL (`redis://` or `rediss://`), the
   * password Secret of {@link SECRETS} and, for `rediss://`, the Redis server's private CA
   * (undefined: `SessionStore.cookie()`, the default).
   */
  readonly redisUrl?: string;
  /** rediss:// only: leave the CA out of `SessionStore.redis` (default false: the CA is given). */
  readonly withoutRedisCa?: boolean;
  /**
   * A portal with teams and RBAC (the RBAC scenarios): its org source, roles and access
   * policy, and catalog files of the image (paths relative to its working directory) for
   * its other entities.
   */
  /**
   * A machine entry (`machineHost`) with a GitHub-Actions-shaped client of this issuer
   * (repository acme/service, ref refs/heads/main) instead of the policy-meeting CI client.
   */
  readonly machineEntry?: { readonly githubIssuerUrl: string };
  /**
   * The machine entry with two clients and Backstage's MCP actions backend: an in-cluster
   * agent (the ServiceAccount of a real API server, allowed the catalog and MCP) and a
   * GitHub-Actions-shaped CI job of this issuer (allowed the catalog only).
   */
  readonly machineAgents?: {
    readonly githubIssuerUrl: string;
    readonly kubernetes: {
      readonly issuerUrl: string;
      readonly namespace: string;
      readonly serviceAccount: string;
    };
  };
  readonly teams?: {
    readonly org: OrgSource;
    readonly rbac: RbacOptions;
    readonly access: PortalAccessPolicy;
    readonly catalogFiles?: readonly string[];
  };
}

/** The CA bundle ConfigMap of the machine-agent portals (`trustedCa`), which the cluster holds. */
export const TRUSTED_CAS = { configMapName: 'portal-trusted-cas', key: 'ca-bundle.pem' } as const;

/** The GatewayClass of the gateway-api front door. */
export const GATEWAY_CLASS = 'signin-e2e';

/** Audience of the CI tokens. */
export const MACHINE_AUDIENCE = 'portal-ci';
/** Audience of the in-cluster agents' projected tokens. */
export const AGENT_AUDIENCE = 'portal-agents';
/** The machine host of the portal under test. */
export const MACHINE_HOST = `api.${PORTAL_HOST}`;

/** The portal under test: the library's public API as a platform team would call it. */
export function portalProps(stack: TerraformStack, o: PortalOptions): BackstagePortalProps {
  const sessionStore = sessionStoreOf(o);
  return {
    host: PORTAL_HOST,
    image: 'registry.example.com/platform/backstage:1.4.2',
    database: BackstageDatabase.sqliteInMemory(),
    // Groups come with the "groups" scope at this IdP (as at Okta or Keycloak with a mapper).
    issuer: OidcIssuer.generic({ issuerUrl: o.issuerUrl, scopes: ['openid', 'email', 'profile', 'groups'] }),
    clientId: CLIENT_ID,
    clientSecret: SecretRef.fromSecret(SECRETS.clientSecret.name, SECRETS.clientSecret.key),
    cookieSecret: SecretRef.fromSecret(SECRETS.cookieSecret.name, SECRETS.cookieSecret.key),
    access: o.teams?.access ?? { emailDomains: ['example.com'], groups: ['portal-users'] },
    tls: TlsSource.fromSecret(SECRETS.tls),
    // (The RBAC scenarios' portal has people only: its access policy names its teams.)
    ...(o.machineEntry || o.machineAgents ? { machineHost: MACHINE_HOST } : {}),
    ...(o.machineAgents ? { mcpActions: {} } : {}),
    // The API server's CA reaches oauth2-proxy and Backstage only through this bundle (a
    // trust-manager-style ConfigMap of the cluster: harness/stack.ts puts it there).
    ...(o.machineAgents ? { trustedCa: TRUSTED_CAS } : {}),
    machineClients: o.teams
      ? []
      : o.machineAgents
        ? [
            // The agent as a platform team declares it: its ServiceAccount (created on the
            // test cluster under the same name) and the machine client derived from it.
            new MachineAgent(stack, 'Agent', {
              namespace: o.machineAgents.kubernetes.namespace,
              name: o.machineAgents.kubernetes.serviceAccount,
              issuerUrl: o.machineAgents.kubernetes.issuerUrl,
              audience: AGENT_AUDIENCE,
              machineHost: MACHINE_HOST,
              accessRestrictions: [{ plugin: 'catalog' }, { plugin: 'mcp-actions' }],
            }).machineClient(),
            MachineClient.githubActions({
              issuerUrl: o.machineAgents.githubIssuerUrl,
              audience: MACHINE_AUDIENCE,
              repository: 'acme/service',
              refs: ['refs/heads/main'],
              accessRestrictions: [{ plugin: 'catalog' }],
            }),
          ]
        : o.machineEntry
          ? [
              MachineClient.githubActions({
                issuerUrl: o.machineEntry.githubIssuerUrl,
                audience: MACHINE_AUDIENCE,
                repository: 'acme/service',
                refs: ['refs/heads/main'],
                accessRestrictions: [{ plugin: 'catalog' }],
              }),
            ]
          : [
              MachineClient.jwt({
                issuerUrl: o.machineIssuerUrl,
                audience: MACHINE_AUDIENCE,
                jwksUrl: `${o.machineIssuerUrl}/jwks`,
                subjectPrefix: 'ci',
                // What the CI tokens of the policy-meeting scenario carry (the gateway checks both).
                emailDomain: 'example.com',
                groups: ['portal-users'],
                accessRestrictions: [{ plugin: 'catalog' }],
              }),
            ],
    backstage: {
      replicas: 1,
      // The image's catalog.rules allow Users and Groups only; this portal's catalog holds
      // components too (its files', and those an admin registers).
      ...(o.teams
        ? {
            appConfig: {
              catalog: {
                rules: [{ allow: ['Component', 'Location', 'User', 'Group'] }],
                locations: (o.teams.catalogFiles ?? []).map((target) => ({ type: 'file', target })),
              },
            },
          }
        : {}),
    },
    ...(o.teams ? { org: o.teams.org, rbac: o.teams.rbac } : {}),
    // Scraped as a monitored install is: the metrics scenario reads what oauth2-proxy serves
    // on the port these objects open to the scraper.
    gateway: { replicas: 1, metrics: GATEWAY_METRICS, ...(o.redisUrl ? { sessionStore } : {}) },
    ...(o.ingressFlavour === 'f5-nginx'
      ? { ingressFlavour: 'f5-nginx' as const }
      : o.ingressFlavour === 'gateway-api'
        ? // A Gateway the portal renders, of a class no controller here reconciles: the router of
          // harness/gateway-api.ts runs its listeners and routes as a data plane would. With a
          // machine host, its challenge on (the router models the ResponseHeaderModifier).
          {
            ingressFlavour: 'gateway-api' as const,
            ingress: {
              gateway: GatewayRef.create({ gatewayClassName: GATEWAY_CLASS }),
              ...(o.machineEntry || o.machineAgents ? { machineChallenge: true } : {}),
            },
          }
        : { ingress: { ...(o.authCacheDuration ? { authCacheDuration: o.authCacheDuration } : {}) } }),
  };
}

/** The session store the options ask for (the gateway and the controller get the same one). */
function sessionStoreOf(o: PortalOptions): SessionStore {
  if (!o.redisUrl) return SessionStore.cookie();
  const ca =
    o.redisUrl.startsWith('rediss://') && !o.withoutRedisCa
      ? { ca: SecretRef.fromSecret(SECRETS.redisCa.name, SECRETS.redisCa.key) }
      : {};
  return SessionStore.redis({
    url: o.redisUrl,
    password: SecretRef.fromSecret(SECRETS.redisPassword.name, SECRETS.redisPassword.key),
    ...ca,
  });
}

export type Json = Record<string, any>;

/** `cdktf synth` of one stack with the portal; returns the parsed cdk.tf.json. */
export function synthesizePortal(o: PortalOptions): Json {
  const outdir = mkdtempSync(join(tmpdir(), 'signin-synth-'));
  try {
    const app = new App({ outdir, stackTraces: false });
    const stack = new TerraformStack(app, 'signin');
    new KubernetesProvider(stack, 'k8s', {});
    new BackstagePortal(stack, 'portal', portalProps(stack, o));
    // The controller as the library installs it: its ConfigMap settings (header buffers)
    // are what nginx runs with, instead of the controller's defaults. The identity log
    // placeholder Ingress is left out: it belongs to no portal host.
    new HelmProvider(stack, 'helm', {});
    new IngressNginxController(stack, 'Controller', {
      sessionStore: sessionStoreOf(o),
      accessLog: { identity: false },
    });
    app.synth();
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', 'signin', 'cdk.tf.json'), 'utf8'));
    if (o.proxyBufferSize) {
      for (const ingress of Object.values(json.resource.kubernetes_ingress_v1 as Record<string, any>)) {
        const annotations = one(ingress.metadata).annotations as Record<string, string>;
        if (annotations['nginx.ingress.kubernetes.io/proxy-buffer-size'])
          annotations['nginx.ingress.kubernetes.io/proxy-buffer-size'] = o.proxyBufferSize;
      }
    }
    return json;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Nested blocks are objects or one-element lists in cdktf's JSON. */
export function one(value: any): any {
  return Array.isArray(value) ? value[0] : value;
}
export function list(value: any): any[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** What Terraform does with `$${` and `%%{` in a JSON string. */
export function unescapeTerraform(text: string): string {
  return text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/**
 * Resolves Terraform references such as
 * `${kubernetes_config_map_v1.portal_Gateway_Config_1234.metadata[0].name}` (the whole
 * string or embedded in one) against the resources of the same JSON: what Terraform
 * knows about these values once the referenced resources exist.
 */
export function resolve(json: Json, value: unknown): any {
  if (typeof value !== 'string') return value;
  const ref = /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([^}]+)\}/g;
  const lookup = (type: string, id: string, path: string): unknown => {
    let node: any = json.resource?.[type]?.[id];
    if (node === undefined) throw new Error(`unresolvable reference \${${type}.${id}.${path}}`);
    for (const part of path.split('.')) {
      const idx = /^([^[]+)\[(\d+)\]$/.exec(part);
      node = idx ? list(node[idx[1]!])[Number(idx[2])] : node[part];
    }
    return resolve(json, node);
  };
  const whole = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([^}]+)\}$/.exec(value);
  if (whole) return lookup(whole[1]!, whole[2]!, whole[3]!);
  return value.replace(ref, (_m, type: string, id: string, path: string) => String(lookup(type, id, path)));
}

/** The single resource of a type whose construct path ends with `suffix`. */
export function resourceAt(json: Json, type: string, suffix: string): Json {
  const all = Object.values(json.resource?.[type] ?? {}) as Json[];
  const found = all.filter((r) => String(r['//']?.metadata?.path ?? '').endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one ${type} at …${suffix}, found ${found.length}`);
  return found[0]!;
}

/**
 * ConfigMaps the cluster holds that no synthesis renders (`kube-root-ca.crt`, a
 * trust-manager bundle): what a scenario puts here, a volume of that name reads.
 */
const clusterConfigMaps = new Map<string, Record<string, string>>();
export function addClusterConfigMap(name: string, data: Record<string, string>): void {
  clusterConfigMaps.set(name, data);
}

/** A ConfigMap's data by name (as a volume or envFrom names it): the synthesized one, or the cluster's. */
export function configMapData(json: Json, name: string): Record<string, string> {
  for (const cm of Object.values(json.resource?.kubernetes_config_map_v1 ?? {}) as Json[]) {
    if (resolve(json, one(cm.metadata).name) === name) {
      return Object.fromEntries(
        Object.entries(cm.data ?? {}).map(([k, v]) => [k, unescapeTerraform(String(v))]),
      );
    }
  }
  const cluster = clusterConfigMaps.get(name);
  if (cluster) return cluster;
  throw new Error(`no ConfigMap named ${name} in the synthesized stack or the cluster`);
}

/** The files a ConfigMap volume holds: every key, or the `items` it names under their paths. */
export function configMapVolumeFiles(json: Json, configMap: Json): Record<string, string> {
  const name = String(resolve(json, configMap.name));
  const data = configMapData(json, name);
  const items = list(configMap.items);
  if (items.length === 0) return data;
  return Object.fromEntries(
    items.map((item: Json) => {
      const value = data[item.key];
      if (value === undefined) throw new Error(`ConfigMap ${name} has no key ${item.key}`);
      return [String(item.path), value];
    }),
  );
}

/** A Service's port by Service name (the harness maps each to a loopback port). */
export function services(json: Json): Array<{ name: string; port: number; targetPort: string | number }> {
  return (Object.values(json.resource?.kubernetes_service_v1 ?? {}) as Json[]).map((s) => {
    const port = list(one(s.spec).port)[0];
    return {
      name: String(resolve(json, one(s.metadata).name)),
      port: Number(port.port),
      targetPort: port.target_port,
    };
  });
}
