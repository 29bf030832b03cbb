// GatewayApiIngress `envoyGateway`: Envoy Gateway's own policies (gateway.envoyproxy.io/v1alpha1)
// as synthesized, what they attach to, the access log's EnvoyProxy named by the rendered
// Gateway, and the messages of each rule. What Envoy Gateway's translator makes of them is in
// envoy-gateway-translate.test.ts.
import { describe, expect, it } from 'vitest';

import {
  type EnvoyGatewayOptions,
  GatewayApiIngress,
  type GatewayApiIngressProps,
  GatewayRef,
} from '../../lib';
import {
  expectGatewayApiIngressProblems as problemsWith,
  gatewayApiIngressProps,
  INGRESS_LABELS as LABELS,
  resourceAt,
  resourcesOf,
  synth,
  type TfJson,
} from '../helpers';

const MACHINE_HOST = 'api.backstage.example.com';
/** The portal on a Gateway of Envoy Gateway's usual class. */
const props = (overrides: Partial<GatewayApiIngressProps> = {}): GatewayApiIngressProps =>
  gatewayApiIngressProps({ gateway: GatewayRef.create({ gatewayClassName: 'eg' }), ...overrides });
const machineEntry = {
  host: MACHINE_HOST,
  serviceName: 'oauth2-proxy-machines',
  port: 4180,
  inRequestPath: true,
} as const;
const synthWith = (envoyGateway: EnvoyGatewayOptions, overrides: Partial<GatewayApiIngressProps> = {}) =>
  synth((stack) => new GatewayApiIngress(stack, 'gw', props({ envoyGateway, ...overrides })));
const manifestsOf = (json: TfJson, kind: string) =>
  Object.values(resourcesOf(json, 'kubernetes_manifest'))
    .map((r) => r.manifest)
    .filter((m) => m.kind === kind);
const routeRef = (name: string) => ({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name });
const ROUTE_IDS = [
  expect.stringMatching(/^kubernetes_manifest\.gw_Route_[0-9A-F]{8}$/),
  expect.stringMatching(/^kubernetes_manifest\.gw_MachineRoute_[0-9A-F]{8}$/),
];

/** The access log's fields: ingress-nginx's names where Envoy's value means the same. */
const ACCESS_LOG = {
  time: '%START_TIME%',
  request_id: '%REQ(X-REQUEST-ID)%',
  client_ip: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%',
  method: '%REQ(:METHOD)%',
  host: '%REQ(:AUTHORITY)%',
  path: '%PATH(NQ:ORIG_OR_PATH)%',
  protocol: '%PROTOCOL%',
  status: '%RESPONSE_CODE%',
  response_flags: '%RESPONSE_FLAGS%',
  bytes_received: '%BYTES_RECEIVED%',
  bytes_sent: '%BYTES_SENT%',
  duration_ms: '%DURATION%',
  upstream_addr: '%UPSTREAM_HOST%',
  user_agent: '%REQ(USER-AGENT)%',
  route: '%ROUTE_NAME%',
};

describe('GatewayApiIngress envoyGateway', () => {
  it('by default gzips the routes and logs JSON through an EnvoyProxy the rendered Gateway names, merged over the GatewayClass one', () => {
    const json = synthWith({});
    expect(manifestsOf(json, 'EnvoyProxy')).toEqual([
      {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'EnvoyProxy',
        metadata: { name: 'backstage', namespace: 'backstage', labels: LABELS },
        spec: {
          mergeType: 'StrategicMerge',
          telemetry: {
            accessLog: {
              settings: [
                {
                  format: { type: 'JSON', json: ACCESS_LOG },
                  sinks: [{ type: 'File', file: { path: '/dev/stdout' } }],
                },
              ],
            },
          },
        },
      },
    ]);
    const gateway = resourceAt(json, 'kubernetes_manifest', 'gw/Gateway');
    expect(gateway.manifest.spec.infrastructure).toEqual({
      parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'backstage' },
    });
    // Envoy Gateway finds the EnvoyProxy when it first reconciles the Gateway.
    expect(gateway.depends_on).toEqual([
      expect.stringMatching(/^kubernetes_manifest\.gw_EnvoyProxy_[0-9A-F]{8}$/),
    ]);
    expect(manifestsOf(json, 'BackendTrafficPolicy')).toEqual([
      {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'BackendTrafficPolicy',
        metadata: { name: 'backstage', namespace: 'backstage', labels: LABELS },
        spec: { targetRefs: [routeRef('backstage')], compressor: [{ type: 'Gzip', gzip: {} }] },
      },
    ]);
    expect(manifestsOf(json, 'SecurityPolicy')).toEqual([]);
    expect(manifestsOf(json, 'ClientTrafficPolicy')).toEqual([]);
  });

  it('limits each client address on both routes, allows only the listed networks, and trusts the X-Forwarded-For hops on the Gateway', () => {
    const json = synthWith(
      {
        rateLimit: { requests: 600, unit: 'Minute' },
        allowSourceRanges: ['203.0.113.0/24', '2001:db8::/32'],
        trustedProxyHops: 2,
      },
      { machineEntry },
    );
    const perClient = (network: string) => ({
      clientSelectors: [{ sourceCIDR: { type: 'Distinct', value: network, invert: false } }],
      limit: { requests: 600, unit: 'Minute' },
    });
    const traffic = resourceAt(json, 'kubernetes_manifest', 'gw/EnvoyBackendTrafficPolicy');
    expect(traffic.manifest.spec).toEqual({
      targetRefs: [routeRef('backstage'), routeRef('backstage-machines')],
      rateLimit: { local: { rules: [perClient('0.0.0.0/0'), perClient('::/0')] } },
      compressor: [{ type: 'Gzip', gzip: {} }],
    });
    expect(traffic.depends_on).toEqual(ROUTE_IDS);
    const security = resourceAt(json, 'kubernetes_manifest', 'gw/EnvoySecurityPolicy');
    expect(security.manifest.metadata.name).toBe('backstage-allow-list');
    expect(security.manifest.spec).toEqual({
      targetRefs: [routeRef('backstage'), routeRef('backstage-machines')],
      authorization: {
        defaultAction: 'Deny',
        rules: [
          {
            name: 'allowed-networks',
            action: 'Allow',
            principal: { clientCIDRs: ['203.0.113.0/24', '2001:db8::/32'] },
          },
        ],
      },
    });
    expect(security.depends_on).toEqual(ROUTE_IDS);
    expect(resourceAt(json, 'kubernetes_manifest', 'gw/EnvoyClientTrafficPolicy').manifest.spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'backstage' }],
      clientIPDetection: { xForwardedFor: { numTrustedHops: 2 } },
    });
    // The redirect route (and cert-manager's HTTP-01 routes beside it) carry no policy.
    for (const kind of ['BackendTrafficPolicy', 'SecurityPolicy']) {
      expect(JSON.stringify(manifestsOf(json, kind))).not.toContain('https-redirect');
    }
  });

  it('renders neither gzip nor the EnvoyProxy when both are off, and leaves the Gateway without parameters', () => {
    const json = synthWith({ gzip: false, accessLog: false });
    expect(manifestsOf(json, 'BackendTrafficPolicy')).toEqual([]);
    expect(manifestsOf(json, 'EnvoyProxy')).toEqual([]);
    const gateway = resourceAt(json, 'kubernetes_manifest', 'gw/Gateway');
    expect(gateway.manifest.spec.infrastructure).toBeUndefined();
    expect(gateway.depends_on).toBeUndefined();
    // A rate limit alone: no compressor.
    expect(
      manifestsOf(synthWith({ gzip: false, rateLimit: { requests: 20 } }), 'BackendTrafficPolicy')[0].spec,
    ).toEqual({
      targetRefs: [routeRef('backstage')],
      rateLimit: {
        local: {
          rules: ['0.0.0.0/0', '::/0'].map((value) => ({
            clientSelectors: [{ sourceCIDR: { type: 'Distinct', value, invert: false } }],
            limit: { requests: 20, unit: 'Second' },
          })),
        },
      },
    });
  });

  it("keeps the Gateway's own infrastructure labels and annotations beside the EnvoyProxy reference, and adds extra log fields", () => {
    const json = synthWith(
      {
        accessLog: {
          extraFields: {
            trace_id: '%REQ(TRACEPARENT)%',
            upstream_ms: '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
          },
        },
      },
      {
        gateway: GatewayRef.create({
          gatewayClassName: 'eg',
          infrastructure: { labels: { team: 'platform' }, annotations: { 'example.com/lb': 'internal' } },
        }),
      },
    );
    expect(resourceAt(json, 'kubernetes_manifest', 'gw/Gateway').manifest.spec.infrastructure).toEqual({
      labels: { team: 'platform' },
      annotations: { 'example.com/lb': 'internal' },
      parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'backstage' },
    });
    expect(manifestsOf(json, 'EnvoyProxy')[0].spec.telemetry.accessLog.settings[0].format.json).toEqual({
      ...ACCESS_LOG,
      trace_id: '%REQ(TRACEPARENT)%',
      upstream_ms: '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
    });
  });

  it("on an existing Gateway: the route policies only, and no EnvoyProxy (the Envoy fleet is the Gateway owner's)", () => {
    const json = synthWith(
      { rateLimit: { requests: 50 }, allowSourceRanges: ['10.0.0.0/8'] },
      {
        gateway: GatewayRef.existing({ name: 'shared', namespace: 'gateways', httpsListener: 'https' }),
        tls: undefined,
      },
    );
    expect(manifestsOf(json, 'EnvoyProxy')).toEqual([]);
    expect(manifestsOf(json, 'ClientTrafficPolicy')).toEqual([]);
    expect(manifestsOf(json, 'BackendTrafficPolicy').map((m) => m.spec.targetRefs)).toEqual([
      [routeRef('backstage')],
    ]);
    expect(manifestsOf(json, 'SecurityPolicy').map((m) => m.metadata)).toEqual([
      { name: 'backstage-allow-list', namespace: 'backstage', labels: LABELS },
    ]);
  });

  describe('refuses', () => {
    const existing = {
      gateway: GatewayRef.existing({ name: 'shared', namespace: 'gateways', httpsListener: 'https' }),
      tls: undefined,
    };

    it("the access log and the trusted hops on an existing Gateway, which are its owner's", () => {
      problemsWith({ ...existing, envoyGateway: { accessLog: true, trustedProxyHops: 1 } }, [
        {
          path: 'envoyGateway.accessLog',
          says: [
            "is the existing Gateway owner's business: the Envoy fleet that serves it is theirs",
            "ask the Gateway's owner for the access log of its EnvoyProxy",
          ],
        },
        {
          path: 'envoyGateway.trustedProxyHops',
          says: ["is the existing Gateway owner's business", 'a ClientTrafficPolicy on their Gateway'],
        },
      ]);
    });

    it("the access log's EnvoyProxy where the rendered Gateway names other parameters already", () => {
      const gateway = GatewayRef.create({
        gatewayClassName: 'eg',
        infrastructure: {
          parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'corp' },
        },
      });
      problemsWith({ gateway, envoyGateway: {} }, [
        {
          path: 'envoyGateway.accessLog',
          says: [
            `needs the Gateway's infrastructure.parametersRef for its EnvoyProxy, which names EnvoyProxy "corp"`,
            'Set accessLog: false and put the access log in your own EnvoyProxy',
          ],
        },
      ]);
      // With the access log off, the Gateway keeps the reference it was given.
      const json = synth(
        (stack) => new GatewayApiIngress(stack, 'gw', props({ gateway, envoyGateway: { accessLog: false } })),
      );
      expect(resourceAt(json, 'kubernetes_manifest', 'gw/Gateway').manifest.spec.infrastructure).toEqual({
        parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'corp' },
      });
    });

    it('a rate limit that is not a whole number of requests per Second, Minute or Hour', () => {
      problemsWith({ envoyGateway: { rateLimit: { requests: 0, unit: 'Day' } } }, [
        { path: 'envoyGateway.rateLimit.requests', says: ['must be at least 1', 'or leave rateLimit out'] },
        {
          path: 'envoyGateway.rateLimit.unit',
          says: ['must be "Second", "Minute" or "Hour"', "Pick the refill period of each client's bucket."],
        },
      ]);
      problemsWith({ envoyGateway: { rateLimit: { requests: 2.5 } } }, [
        { path: 'envoyGateway.rateLimit.requests', says: 'must be a whole number' },
      ]);
    });

    it('an allow-list entry that is no network, and an empty allow-list', () => {
      problemsWith({ envoyGateway: { allowSourceRanges: ['203.0.113.7/33'] } }, [
        { path: 'envoyGateway.allowSourceRanges[0]', says: ['must be a CIDR range', 'got "203.0.113.7/33"'] },
      ]);
      problemsWith({ envoyGateway: { allowSourceRanges: [] } }, [
        {
          path: 'envoyGateway.allowSourceRanges',
          says: ['must list at least one network', 'Leave it out to allow any address.'],
        },
      ]);
    });

    it('trusted hops that are not 1 to 10', () => {
      problemsWith({ envoyGateway: { trustedProxyHops: 0 } }, [
        {
          path: 'envoyGateway.trustedProxyHops',
          says: ['must be at least 1', 'Leave it out when no proxy sits in front of Envoy.'],
        },
      ]);
      problemsWith({ envoyGateway: { trustedProxyHops: 11 } }, [
        { path: 'envoyGateway.trustedProxyHops', says: 'must be at most 10' },
      ]);
    });

    it('extra log fields that are not one command operator, log a credential, or reuse a built-in name', () => {
      problemsWith(
        {
          envoyGateway: {
            accessLog: {
              extraFields: {
                literal: 'trace %REQ(TRACEPARENT)%',
                token: '%REQ(Authorization)%',
                session: '%REQ(X-FOO?COOKIE)%',
                status: '%RESPONSE_CODE_DETAILS%',
                'Trace-Id': '%REQ(TRACEPARENT)%',
              },
            },
          },
        },
        [
          {
            path: 'envoyGateway.accessLog.extraFields.literal',
            says: ['must be a single Envoy command operator', 'Write it like "%REQ(TRACEPARENT)%"'],
          },
          {
            path: 'envoyGateway.accessLog.extraFields.token',
            says: [
              'logs a header that carries a credential',
              'Log no Authorization, Cookie, Set-Cookie or API-key header',
            ],
          },
          {
            path: 'envoyGateway.accessLog.extraFields.session',
            says: 'logs a header that carries a credential',
          },
          {
            path: 'envoyGateway.accessLog.extraFields.status',
            says: [
              'is already a field of the access log',
              'the built-in fields are time, request_id, client_ip',
            ],
          },
          {
            path: 'envoyGateway.accessLog.extraFields.Trace-Id',
            says: ['must be a field name of lower-case letters, digits and "_"', 'got "Trace-Id"'],
          },
        ],
      );
    });
  });
});
