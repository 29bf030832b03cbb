// What Envoy Gateway makes of the portal's Gateway API objects and its `envoyGateway` policies:
// Envoy Gateway's own translator (egctl x translate, v1.9.1, built by build-tools.sh) reads
// the synthesized manifests, as its controller would read them from the cluster, and answers
// with each object's status (Accepted or why not) and the Envoy configuration (xDS) it would
// send to the data plane. The standard objects alone are translated too, as one real
// implementation's reading of them: the routes Accepted, cert-manager's HTTP-01 route ahead of
// the redirect on the HTTP listener only, the 301, the machine host's challenge. No cluster:
// the real CRD schemas and a second plan are checked by the Gateway API steps of the scenario
// (gateway-api.ts). No Envoy runs here (no Envoy binary is reachable), so what Envoy does with
// the configuration is Envoy's documented behaviour.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import {
  type EnvoyGatewayOptions,
  GatewayApiIngress,
  type GatewayApiIngressProps,
  GatewayRef,
  TlsSource,
} from '../../../lib';
import { gatewayApiIngressProps, resourcesOf, synth } from '../../helpers';
import { createTestPki } from '../signin/harness/pki';

const egctl = process.env.EGCTL;
const HOST = 'backstage.example.com';
const MACHINE_HOST = 'api.backstage.example.com';
const CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';
const OPTIONS: EnvoyGatewayOptions = {
  rateLimit: { requests: 600, unit: 'Minute' },
  allowSourceRanges: ['203.0.113.0/24', '2001:db8::/32'],
  trustedProxyHops: 2,
  accessLog: { extraFields: { trace_id: '%REQ(TRACEPARENT)%' } },
};

const dir = mkdtempSync(join(tmpdir(), 'envoy-gateway-translate-'));
mkdirSync(join(dir, 'pki'));
const pki = createTestPki(join(dir, 'pki'), 'envoy-gateway translate test CA');
const serving = pki.issue('portal', [HOST, MACHINE_HOST], []);
const b64 = (file: string) => readFileSync(file).toString('base64');

/** The portal's front door as synthesized: every kubernetes_manifest's manifest. */
function portalManifests(overrides: Partial<GatewayApiIngressProps>, withMachineHost = true): any[] {
  const machineEntry = {
    host: MACHINE_HOST,
    serviceName: 'oauth2-proxy-machines',
    port: 4180,
    inRequestPath: true,
  };
  const json = synth(
    (stack) =>
      new GatewayApiIngress(
        stack,
        'ingress',
        gatewayApiIngressProps({
          ...(withMachineHost ? { machineEntry } : {}),
          gateway: GatewayRef.create({ gatewayClassName: 'eg' }),
          envoyGateway: OPTIONS,
          ...overrides,
        }),
      ),
  );
  return Object.values(resourcesOf(json, 'kubernetes_manifest')).map((r) => r.manifest);
}

/** What the cluster around the portal holds: the GatewayClass, the Services the routes name, the certificate. */
function surroundings(manifests: readonly any[], tlsNamespace: string): any[] {
  const services = new Map<string, number>();
  for (const m of manifests.filter((x) => x.kind === 'HTTPRoute')) {
    for (const rule of m.spec.rules) {
      for (const ref of rule.backendRefs ?? []) services.set(ref.name, ref.port);
    }
  }
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'eg' },
      spec: { controllerName: CONTROLLER },
    },
    ...[...services].map(([name, port]) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'backstage' },
      spec: { ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }] },
    })),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'portal-tls', namespace: tlsNamespace },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': b64(serving.cert), 'tls.key': b64(serving.key) },
    },
  ];
}

/** egctl x translate: the objects with their status, and the xDS of each Gateway. */
function translate(name: string, objects: readonly any[]): any {
  if (!egctl) throw new Error('EGCTL is not set: source the env.sh that build-tools.sh writes');
  const input = join(dir, `${name}.yaml`);
  writeFileSync(input, objects.map((o) => stringify(o)).join('---\n'));
  const out = execFileSync(
    egctl,
    [
      'x',
      'translate',
      '--from',
      'gateway-api',
      '--to',
      'gateway-api,xds',
      '-f',
      input,
      '--add-missing-resources',
      '-o',
      'json',
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(out);
}

/** The conditions of a policy's or route's status, per ancestor or parent section: `[section, type, status, reason]`. */
function conditions(object: any): string[][] {
  const entries = object.status?.ancestors ?? object.status?.parents ?? [];
  return entries.flatMap((e: any) =>
    e.conditions.map((c: any) => [
      (e.ancestorRef ?? e.parentRef).sectionName ?? (e.ancestorRef ?? e.parentRef).kind,
      c.type,
      c.status,
      c.reason,
    ]),
  );
}

const configs = (result: any, gateway: string) => result.xds[gateway].configs as any[];
const dump = (result: any, gateway: string, type: string) =>
  configs(result, gateway).find((c) => c['@type'].endsWith(type));
/** Every Envoy route of a Gateway's route configurations, by its name. */
function envoyRoutes(result: any, gateway: string): Map<string, any> {
  const routes = new Map<string, any>();
  for (const rc of dump(result, gateway, 'RoutesConfigDump').dynamicRouteConfigs) {
    for (const vh of rc.routeConfig.virtualHosts) for (const r of vh.routes) routes.set(r.name, r);
  }
  return routes;
}
/** The HTTP connection managers of a Gateway's listeners (not Envoy Gateway's own readiness listener), by listener name. */
function connectionManagers(result: any, gateway: string): Map<string, any> {
  const managers = new Map<string, any>();
  for (const l of dump(result, gateway, 'ListenersConfigDump').dynamicListeners) {
    const listener = l.activeState.listener;
    if (!listener.name.startsWith(`${gateway}/`)) continue;
    for (const chain of [
      ...(listener.filterChains ?? []),
      ...(listener.defaultFilterChain ? [listener.defaultFilterChain] : []),
    ]) {
      for (const f of chain.filters) {
        if (f.name === 'envoy.filters.network.http_connection_manager')
          managers.set(`${listener.name}/${chain.name ?? ''}`, f.typedConfig);
      }
    }
  }
  return managers;
}

describe('Envoy Gateway v1.9.1 translates the portal with envoyGateway', () => {
  const manifests = portalManifests({});
  const result = translate('rendered', [...surroundings(manifests, 'backstage'), ...manifests]);
  const routes = envoyRoutes(result, 'backstage/backstage');
  const portalRoute = [...routes.values()].find((r) =>
    r.name.startsWith('httproute/backstage/backstage/rule/0/'),
  );
  const machineRoute = [...routes.values()].find((r) =>
    r.name.startsWith('httproute/backstage/backstage-machines/rule/0/'),
  );
  const redirectRoutes = [...routes.values()].filter((r) =>
    r.name.startsWith('httproute/backstage/backstage-https-redirect/'),
  );

  it('accepts every policy on both HTTPS listeners, the EnvoyProxy for the Gateway, and every route', () => {
    const byKind = (key: string) =>
      Object.fromEntries((result[key] as any[]).map((o) => [o.metadata.name, conditions(o)]));
    expect(byKind('backendTrafficPolicies')).toEqual({
      backstage: [
        ['https', 'Accepted', 'True', 'Accepted'],
        ['https-machines', 'Accepted', 'True', 'Accepted'],
      ],
    });
    expect(byKind('securityPolicies')).toEqual({
      'backstage-allow-list': [
        ['https', 'Accepted', 'True', 'Accepted'],
        ['https-machines', 'Accepted', 'True', 'Accepted'],
      ],
    });
    expect(byKind('clientTrafficPolicies')).toEqual({
      backstage: [['Gateway', 'Accepted', 'True', 'Accepted']],
    });
    expect(byKind('envoyProxiesForGateways')).toEqual({
      backstage: [
        ['GatewayClass', 'Accepted', 'True', 'Accepted'],
        ['Gateway', 'Accepted', 'True', 'Accepted'],
      ],
    });
    for (const route of result.httpRoutes as any[]) {
      expect(
        conditions(route).map(([, type, status]) => [type, status]),
        route.metadata.name,
      ).toEqual(
        route.metadata.name === 'backstage-https-redirect'
          ? [
              ['Accepted', 'True'],
              ['ResolvedRefs', 'True'],
              ['Accepted', 'True'],
              ['ResolvedRefs', 'True'],
            ]
          : [
              ['Accepted', 'True'],
              ['ResolvedRefs', 'True'],
            ],
      );
    }
    const listeners = (result.gateways[0].status.listeners as any[]).map((l) => [
      l.name,
      l.conditions.filter((c: any) => c.status !== 'True').map((c: any) => c.type),
    ]);
    expect(listeners).toEqual([
      ['http', []],
      ['https', []],
      ['http-machines', []],
      ['https-machines', []],
    ]);
  });

  it('gives each client address a bucket of 600 requests a minute on the portal and machine routes, none on the redirect', () => {
    for (const route of [portalRoute, machineRoute]) {
      const limit = route.typedPerFilterConfig['envoy.filters.http.local_ratelimit'];
      expect(limit.descriptors.map((d: any) => [d.entries, d.tokenBucket])).toEqual(
        ['0.0.0.0/0', '::/0'].map((network, i) => [
          [{ key: `rule-${i}-masked-remote-address`, value: network }, { key: `rule-${i}-remote-address` }],
          { maxTokens: 600, tokensPerFill: 600, fillInterval: '60s' },
        ]),
      );
      // The per-address descriptor value: each client address is its own bucket.
      expect(JSON.stringify(limit.rateLimits)).toContain(
        '"descriptorValue":"%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"',
      );
      expect(limit.filterEnforced.defaultValue.numerator).toBe(100);
    }
    expect(redirectRoutes.length).toBeGreaterThan(0);
    for (const route of redirectRoutes) expect(route.typedPerFilterConfig, route.name).toBeUndefined();
  });

  it('allows only the listed networks on both routes (RBAC per route, deny otherwise)', () => {
    for (const route of [portalRoute, machineRoute]) {
      const rbac = JSON.stringify(route.typedPerFilterConfig['envoy.filters.http.rbac']);
      expect(rbac).toContain('"name":"allowed-networks"');
      expect(rbac).toContain('"addressPrefix":"203.0.113.0","prefixLen":24');
      expect(rbac).toContain('"addressPrefix":"2001:db8::","prefixLen":32');
      expect(rbac).toContain('"name":"DENY"');
    }
  });

  it('gzips what the routes answer: the compressor filter is on for them, and the backend is asked for plain responses', () => {
    for (const route of [portalRoute, machineRoute]) {
      expect(Object.keys(route.typedPerFilterConfig)).toContain('envoy.filters.http.compressor.gzip');
      expect(route.requestHeadersToRemove).toContain('accept-encoding');
    }
    const filters = [...connectionManagers(result, 'backstage/backstage').values()].flatMap((hcm) =>
      hcm.httpFilters.map((f: any) => f.name),
    );
    expect(filters).toContain('envoy.filters.http.compressor.gzip');
  });

  it('writes the JSON access log, the extra field included, to stdout on every listener, and takes the client two hops from the right of X-Forwarded-For', () => {
    const managers = [...connectionManagers(result, 'backstage/backstage').values()];
    // One per filter chain: port 80's (both hosts share it), and one per host (SNI) on 443.
    expect([...connectionManagers(result, 'backstage/backstage').keys()].sort()).toEqual([
      'backstage/backstage/http/backstage/backstage/http',
      'backstage/backstage/https/backstage/backstage/https',
      'backstage/backstage/https/backstage/backstage/https-machines',
    ]);
    const proxy = manifests.find((m) => m.kind === 'EnvoyProxy');
    const fields = proxy.spec.telemetry.accessLog.settings[0].format.json;
    expect(fields.trace_id).toBe('%REQ(TRACEPARENT)%');
    for (const hcm of managers) {
      const logs = (hcm.accessLog as any[]).filter((l) => l.typedConfig.path === '/dev/stdout');
      expect(logs.map((l) => l.typedConfig.logFormat.jsonFormat)).toContainEqual(fields);
      // Envoy Gateway counts the hop Envoy itself sees: numTrustedHops 2 is Envoy's xff_num_trusted_hops 1.
      expect(hcm.originalIpDetectionExtensions).toEqual([
        {
          name: 'envoy.extensions.http.original_ip_detection.xff',
          typedConfig: {
            '@type': 'type.googleapis.com/envoy.extensions.http.original_ip_detection.xff.v3.XffConfig',
            xffNumTrustedHops: 1,
            skipXffAppend: false,
          },
        },
      ]);
    }
  });

  it('drops a gzip compressor without its settings object, accepting the policy: why the library writes gzip: {}', () => {
    const bare = manifests.map((m) =>
      m.kind === 'BackendTrafficPolicy' ? { ...m, spec: { ...m.spec, compressor: [{ type: 'Gzip' }] } } : m,
    );
    const without = translate('bare-compressor', [...surroundings(bare, 'backstage'), ...bare]);
    expect(conditions(without.backendTrafficPolicies[0]).map(([, type, status]) => [type, status])).toEqual([
      ['Accepted', 'True'],
      ['Accepted', 'True'],
    ]);
    const route = [...envoyRoutes(without, 'backstage/backstage').values()].find((r) =>
      r.name.startsWith('httproute/backstage/backstage/rule/0/'),
    );
    expect(Object.keys(route.typedPerFilterConfig)).not.toContain('envoy.filters.http.compressor.gzip');
  });
});

describe('Envoy Gateway v1.9.1 translates the portal with envoyGateway on an existing Gateway', () => {
  // A platform team's shared Gateway in its own namespace, admitting the portal's routes.
  const shared = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'shared', namespace: 'gateways' },
    spec: {
      gatewayClassName: 'eg',
      listeners: [
        {
          name: 'https',
          protocol: 'HTTPS',
          port: 443,
          tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'portal-tls' }] },
          allowedRoutes: { namespaces: { from: 'All' } },
        },
      ],
    },
  };
  const manifests = portalManifests({
    gateway: GatewayRef.existing({ name: 'shared', namespace: 'gateways', httpsListener: 'https' }),
    tls: undefined,
    envoyGateway: { rateLimit: OPTIONS.rateLimit, allowSourceRanges: OPTIONS.allowSourceRanges },
  });
  const result = translate('existing', [...surroundings(manifests, 'gateways'), shared, ...manifests]);

  it('renders no Gateway or EnvoyProxy, and the route policies are accepted on the shared listener', () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual([
      'BackendTrafficPolicy',
      'HTTPRoute',
      'HTTPRoute',
      'SecurityPolicy',
    ]);
    for (const key of ['backendTrafficPolicies', 'securityPolicies']) {
      expect(conditions(result[key][0]), key).toEqual([['https', 'Accepted', 'True', 'Accepted']]);
    }
    const routes = [...envoyRoutes(result, 'gateways/shared').values()].filter((r) =>
      r.name.startsWith('httproute/backstage/'),
    );
    expect(routes.map((r) => r.name.split('/')[2]).sort()).toEqual(['backstage', 'backstage-machines']);
    for (const route of routes) {
      expect(Object.keys(route.typedPerFilterConfig).sort(), route.name).toEqual([
        'envoy.filters.http.compressor.gzip',
        'envoy.filters.http.local_ratelimit',
        'envoy.filters.http.rbac',
      ]);
    }
  });
});

/**
 * The HTTPRoute cert-manager's `gatewayHTTPRoute` solver creates for one challenge (cert-manager
 * v1.19, pkg/issuer/acme/http/httproute.go): the solver's parentRefs, the challenged host, an
 * Exact match on the token's path, to the solver pod's Service on 8089.
 */
function acmeSolverRoute(issuer: any, host: string): any {
  const [solver] = issuer.spec.acme.solvers;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'cm-acme-http-solver-e2e', namespace: 'backstage' },
    spec: {
      parentRefs: solver.http01.gatewayHTTPRoute.parentRefs,
      hostnames: [host],
      rules: [
        {
          matches: [{ path: { type: 'Exact', value: '/.well-known/acme-challenge/e2e-token' } }],
          backendRefs: [
            { group: '', kind: 'Service', name: 'cm-acme-http-solver-e2e', port: 8089, weight: 1 },
          ],
        },
      ],
    },
  };
}

describe('Envoy Gateway v1.9.1 translates the standard objects alone (no envoyGateway), as any conformant implementation reads them', () => {
  const routesByHost = (result: any) => {
    const out: Record<string, string[]> = {};
    for (const rc of dump(result, 'backstage/backstage', 'RoutesConfigDump').dynamicRouteConfigs) {
      for (const vh of rc.routeConfig.virtualHosts) {
        out[`${rc.routeConfig.name} ${vh.domains.join(',')}`] = vh.routes.map(
          (r: any) => `${r.name.split('/')[2]} ${JSON.stringify(r.match)}`,
        );
      }
    }
    return out;
  };

  it('accepts the Gateway and every route; the ACME challenge, an Exact match, is routed before the redirect on the HTTP listener only, and the redirect is a 301 to https', () => {
    const manifests = portalManifests(
      { envoyGateway: undefined, tls: TlsSource.acme({ email: 'platform@example.com' }) },
      false,
    );
    expect(manifests.map((m) => m.kind).sort()).toEqual([
      'ClusterIssuer',
      'Gateway',
      'HTTPRoute',
      'HTTPRoute',
    ]);
    const issuer = manifests.find((m) => m.kind === 'ClusterIssuer');
    const portal = manifests.filter((m) => m.kind !== 'ClusterIssuer');
    // The Gateway's certificate Secret, as cert-manager's gateway-shim would name it.
    const secret = portal.find((m) => m.kind === 'Gateway').spec.listeners[1].tls.certificateRefs[0].name;
    const around = surroundings(portal, 'backstage').map((o) =>
      o.kind === 'Secret' ? { ...o, metadata: { ...o.metadata, name: secret } } : o,
    );
    const solver = acmeSolverRoute(issuer, HOST);
    const solverService = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cm-acme-http-solver-e2e', namespace: 'backstage' },
      spec: { ports: [{ port: 8089, targetPort: 8089, protocol: 'TCP' }] },
    };
    const result = translate('standard', [...around, solverService, ...portal, solver]);
    for (const route of result.httpRoutes as any[]) {
      expect(
        conditions(route).map(([section, type, status]) => [section, type, status]),
        route.metadata.name,
      ).toEqual([
        [route.metadata.name === 'backstage' ? 'https' : 'http', 'Accepted', 'True'],
        [route.metadata.name === 'backstage' ? 'https' : 'http', 'ResolvedRefs', 'True'],
      ]);
    }
    expect(routesByHost(result)).toEqual({
      [`backstage/backstage/http ${HOST}`]: [
        'cm-acme-http-solver-e2e {"path":"/.well-known/acme-challenge/e2e-token"}',
        'backstage-https-redirect {"prefix":"/"}',
      ],
      [`backstage/backstage/https ${HOST}`]: ['backstage {"prefix":"/"}'],
    });
    const envoy = [...envoyRoutes(result, 'backstage/backstage').values()];
    const redirect = envoy.find((r) => r.name.startsWith('httproute/backstage/backstage-https-redirect/'));
    // No responseCode: Envoy's default, 301 (MOVED_PERMANENTLY).
    expect(redirect.redirect).toEqual({ schemeRedirect: 'https' });
    const portalRoute = envoy.find((r) => r.name.startsWith('httproute/backstage/backstage/rule/0/'));
    expect(portalRoute.route.cluster).toBe('httproute/backstage/backstage/rule/0');
    expect(portalRoute.typedPerFilterConfig).toBeUndefined();
  });

  it('with a machine host: its route carries the WWW-Authenticate challenge of machineChallenge, set (not appended) on its responses', () => {
    const manifests = portalManifests({ envoyGateway: undefined, machineChallenge: true });
    const result = translate('standard-machines', [...surroundings(manifests, 'backstage'), ...manifests]);
    for (const route of result.httpRoutes as any[]) {
      expect(
        conditions(route).every(([, , status]) => status === 'True'),
        route.metadata.name,
      ).toBe(true);
    }
    const machine = [...envoyRoutes(result, 'backstage/backstage').values()].find((r) =>
      r.name.startsWith('httproute/backstage/backstage-machines/'),
    );
    expect(machine.responseHeadersToAdd).toEqual([
      {
        appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD',
        header: { key: 'WWW-Authenticate', value: `Bearer realm="${MACHINE_HOST}"` },
      },
    ]);
  });
});
