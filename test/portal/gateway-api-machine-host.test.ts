// The machine host on the Gateway API flavour: the machine entry sits in the request path
// (as the people's oauth2-proxy does there), a route of its own carries every path of the
// machine host to it, a rendered Gateway gets listeners for that host sharing the portal's
// certificate Secret, and Backstage admits the machine entry as a peer.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import type { GatewayApiPortalProps } from '../../lib';
import { BackstagePortal, GatewayRef, identityHeaderNames, MachineClient, TlsSource } from '../../lib';
import { expectProblems, portalProps, resourceAt, resourcesOf, synth, TfJson } from '../helpers';

const HOST = 'backstage.example.com';
const MACHINE_HOST = 'api.backstage.example.com';
const clients = () => [
  MachineClient.githubActions({
    audience: 'backstage-ci',
    repository: 'acme/service',
    refs: ['refs/heads/main'],
    accessRestrictions: [{ plugin: 'catalog' }],
  }),
];
/** A Gateway API portal (a rendered Gateway unless `more` says otherwise). */
const gatewayPortal = (more: Partial<GatewayApiPortalProps> = {}) =>
  synth(
    (stack) =>
      new BackstagePortal(stack, 'portal', {
        ...portalProps(stack),
        ingressFlavour: 'gateway-api',
        ingress: { gateway: GatewayRef.create({ gatewayClassName: 'nginx' }) },
        ...more,
      } as GatewayApiPortalProps),
  );
/** The same with the machine host and a CI client. */
const machinePortal = (more: Partial<GatewayApiPortalProps> = {}) =>
  gatewayPortal({ machineClients: clients(), machineHost: MACHINE_HOST, ...more });
/** An existing Gateway with a wildcard HTTPS listener, and `machineHttpsListener` when given. */
const sharedGateway = (machineHttpsListener?: string) =>
  GatewayRef.existing({
    name: 'shared',
    namespace: 'gateways',
    httpsListener: 'https-wildcard',
    ...(machineHttpsListener ? { machineHttpsListener } : {}),
  });
const manifestAt = (json: TfJson, suffix: string) => resourceAt(json, 'kubernetes_manifest', suffix).manifest;
const alphaOf = (json: TfJson, suffix: string) =>
  parse(resourceAt(json, 'kubernetes_config_map_v1', suffix).data['alpha-config.yaml']);
const argsOf = (json: TfJson, suffix: string): string[] =>
  resourceAt(json, 'kubernetes_deployment_v1', suffix).spec.template.spec.container[0].args;
const fromOf = (json: TfJson, suffix: string) =>
  resourceAt(json, 'kubernetes_network_policy_v1', suffix).spec.ingress[0].from;
const podsOf = (instance: string) => ({
  namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'backstage' } },
  pod_selector: {
    match_labels: { 'app.kubernetes.io/name': 'oauth2-proxy', 'app.kubernetes.io/instance': instance },
  },
});
const GATEWAY = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'backstage' };
const DATA_PLANE = {
  namespaceLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' },
  podLabels: { 'app.kubernetes.io/name': 'envoy' },
};
const NAMESPACE = '${kubernetes_namespace_v1.portal_Namespace_A3BFD15A.metadata[0].name}';

describe('BackstagePortal machineHost on the Gateway API', () => {
  const json = machinePortal();

  it("renders the machine host's listeners on the Gateway, both HTTPS ones with the portal's certificate Secret", () => {
    const gateway = manifestAt(json, 'portal/GatewayApi/Gateway');
    const listeners = gateway.spec.listeners.map((l: any) => [l.name, l.protocol, l.port, l.hostname]);
    expect(listeners).toEqual([
      ['http', 'HTTP', 80, HOST],
      ['https', 'HTTPS', 443, HOST],
      ['http-machines', 'HTTP', 80, MACHINE_HOST],
      ['https-machines', 'HTTPS', 443, MACHINE_HOST],
    ]);
    // One Secret for both: cert-manager's gateway-shim asks for one certificate naming both hosts.
    const secrets = gateway.spec.listeners
      .filter((l: any) => l.protocol === 'HTTPS')
      .map((l: any) => l.tls.certificateRefs);
    expect(secrets).toEqual([
      [{ group: '', kind: 'Secret', name: 'backstage-example-com-tls' }],
      [{ group: '', kind: 'Secret', name: 'backstage-example-com-tls' }],
    ]);
    expect(gateway.metadata.annotations['cert-manager.io/cluster-issuer']).toBe('letsencrypt-production');
    // The ACME issuer's HTTP-01 route attaches to whichever HTTP listener has its hostname.
    const issuer = resourceAt(
      json,
      'kubernetes_manifest',
      'ClusterIssuer-letsencrypt-production/Resource',
    ).manifest;
    expect(issuer.spec.acme.solvers).toEqual([
      { http01: { gatewayHTTPRoute: { parentRefs: [{ ...GATEWAY, namespace: NAMESPACE }] } } },
    ]);
  });

  it('routes every path of the machine host to the machine entry, on its HTTPS listener only, and redirects both hosts from HTTP', () => {
    const route = manifestAt(json, 'portal/GatewayApi/MachineRoute');
    expect(route.metadata.name).toBe('backstage-machines');
    expect(route.spec).toEqual({
      parentRefs: [{ ...GATEWAY, namespace: NAMESPACE, sectionName: 'https-machines' }],
      hostnames: [MACHINE_HOST],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ group: '', kind: 'Service', name: 'oauth2-proxy-machines', port: 4180, weight: 1 }],
        },
      ],
    });
    const people = manifestAt(json, 'portal/GatewayApi/Route');
    expect(people.spec.hostnames).toEqual([HOST]);
    expect(people.spec.rules[0].backendRefs[0].name).toBe('oauth2-proxy');
    const redirect = manifestAt(json, 'portal/GatewayApi/RedirectRoute');
    expect(redirect.spec.parentRefs.map((p: any) => p.sectionName)).toEqual(['http', 'http-machines']);
    expect(redirect.spec.hostnames).toEqual([HOST, MACHINE_HOST]);
    // No Ingress: the Gateway API flavour renders none.
    expect(resourcesOf(json, 'kubernetes_ingress_v1')).toEqual({});
  });

  it('puts the machine entry in the request path: it proxies to Backstage, strips the identity headers, sends HSTS and never redirects', () => {
    const alpha = alphaOf(json, 'portal/Gateway/Machines/Config');
    const people = alphaOf(json, 'portal/Gateway/Config');
    expect(alpha.upstreamConfig).toEqual(people.upstreamConfig);
    expect(alpha.upstreamConfig.upstreams[0].uri).toBe(
      `http://backstage.${NAMESPACE}.svc.cluster.local:7007`,
    );
    // The contract's headers are stripped, none set: a machine is nobody's identity to Backstage.
    expect(alpha.injectRequestHeaders).toEqual(identityHeaderNames().map((name) => ({ name, values: [] })));
    expect(alpha.injectResponseHeaders).toEqual(people.injectResponseHeaders);
    expect(alpha.injectResponseHeaders[0].name).toBe('Strict-Transport-Security');
    // Still the machines' provider: subjects as the one compared claim.
    expect(alpha.providers[0].allowedGroups).toEqual(['repo:acme/service:ref:refs/heads/main']);
    const args = argsOf(json, 'portal/Gateway/Machines/Deployment');
    expect(args.filter((a) => a.startsWith('--api-route='))).toEqual(['--api-route=^/']);
    expect(args).toContain('--force-json-errors=true');
    expect(args).toContain('--skip-jwt-bearer-tokens=true');
  });

  it("admits the Gateway's data plane to the machine entry, and the machine entry to Backstage", () => {
    expect(fromOf(json, 'portal/Gateway/Machines/NetworkPolicy')).toEqual(
      fromOf(json, 'portal/Gateway/NetworkPolicy'),
    );
    expect(fromOf(json, 'portal/Gateway/Machines/NetworkPolicy')).toEqual([
      {
        namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'backstage' } },
        pod_selector: { match_labels: { 'gateway.networking.k8s.io/gateway-name': 'backstage' } },
      },
    ]);
    expect(fromOf(json, 'portal/Backstage/NetworkPolicy')).toEqual([
      podsOf('oauth2-proxy'),
      podsOf('oauth2-proxy-machines'),
    ]);
  });

  it('on the ingress-nginx flavour the machine entry stays auth-only (no upstream, no API route)', () => {
    const nginx = synth(
      (stack) =>
        new BackstagePortal(stack, 'portal', {
          ...portalProps(stack),
          machineClients: clients(),
          machineHost: MACHINE_HOST,
        }),
    );
    const alpha = alphaOf(nginx, 'portal/Gateway/Machines/Config');
    expect(alpha.upstreamConfig.upstreams).toEqual([
      { id: 'auth-only', path: '/', static: true, staticCode: 202 },
    ]);
    expect(alpha).not.toHaveProperty('injectRequestHeaders');
    expect(
      argsOf(nginx, 'portal/Gateway/Machines/Deployment').filter((a) => a.startsWith('--api-route')),
    ).toEqual([]);
    expect(fromOf(nginx, 'portal/Backstage/NetworkPolicy')).toHaveLength(1);
  });

  it('on an existing Gateway attaches the machine route to its HTTPS listener, or to machineHttpsListener', () => {
    const existing = (machineHttpsListener?: string) =>
      machinePortal({
        tls: undefined,
        ingressController: DATA_PLANE,
        ingress: { gateway: sharedGateway(machineHttpsListener) },
      });
    const parentsOf = (j: TfJson) => manifestAt(j, 'portal/GatewayApi/MachineRoute').spec.parentRefs;
    const shared = {
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      name: 'shared',
      namespace: 'gateways',
    };
    expect(parentsOf(existing())).toEqual([{ ...shared, sectionName: 'https-wildcard' }]);
    expect(parentsOf(existing('https-api'))).toEqual([{ ...shared, sectionName: 'https-api' }]);
  });

  it('during migrateFromIngressNginx, machines get in through both: the Ingresses keep an auth-only machine entry of their own', () => {
    const j = machinePortal({
      tls: TlsSource.acme({ email: 'platform@example.com' }),
      migrateFromIngressNginx: {},
    });
    const ingress = resourceAt(j, 'kubernetes_ingress_v1', 'portal/Ingress/MachineIngress');
    expect(ingress.spec.rule[0].host).toBe(MACHINE_HOST);
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/auth-url']).toBe(
      `http://oauth2-proxy-ingress-nginx-machines.${NAMESPACE}.svc.cluster.local:4180/oauth2/auth`,
    );
    expect(alphaOf(j, 'portal/IngressNginxGateway/Machines/Config').upstreamConfig.upstreams[0].id).toBe(
      'auth-only',
    );
    expect(manifestAt(j, 'portal/GatewayApi/MachineRoute').spec.rules[0].backendRefs[0].name).toBe(
      'oauth2-proxy-machines',
    );
    const peers = fromOf(j, 'portal/Backstage/NetworkPolicy');
    expect(peers).toContainEqual(podsOf('oauth2-proxy-machines'));
    expect(peers).toContainEqual(podsOf('oauth2-proxy'));
  });

  describe('machineChallenge', () => {
    const challengeFilter = [
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          set: [{ name: 'WWW-Authenticate', value: `Bearer realm="${MACHINE_HOST}"` }],
        },
      },
    ];
    const filtersOf = (j: TfJson, suffix: string) => manifestAt(j, suffix).spec.rules[0].filters;

    it("sets the challenge on the machine host's route only, on a rendered and on an existing Gateway", () => {
      const rendered = machinePortal({
        ingress: { gateway: GatewayRef.create({ gatewayClassName: 'nginx' }), machineChallenge: true },
      });
      expect(manifestAt(rendered, 'portal/GatewayApi/MachineRoute').spec.rules).toEqual([
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ group: '', kind: 'Service', name: 'oauth2-proxy-machines', port: 4180, weight: 1 }],
          filters: challengeFilter,
        },
      ]);
      // The people's host answers with a redirect to the IdP: no bearer challenge there.
      expect(filtersOf(rendered, 'portal/GatewayApi/Route')).toBeUndefined();
      expect(filtersOf(rendered, 'portal/GatewayApi/RedirectRoute').map((f: any) => f.type)).toEqual([
        'RequestRedirect',
      ]);
      const existing = machinePortal({
        tls: undefined,
        ingressController: DATA_PLANE,
        ingress: { gateway: sharedGateway('https-api'), machineChallenge: true },
      });
      expect(filtersOf(existing, 'portal/GatewayApi/MachineRoute')).toEqual(challengeFilter);
    });

    it('is off by default and with false: the filter has Extended support only', () => {
      expect(filtersOf(json, 'portal/GatewayApi/MachineRoute')).toBeUndefined();
      const off = machinePortal({
        ingress: { gateway: GatewayRef.create({ gatewayClassName: 'nginx' }), machineChallenge: false },
      });
      expect(filtersOf(off, 'portal/GatewayApi/MachineRoute')).toBeUndefined();
    });

    it('refuses it without a machine host, and a value that is not a boolean', () => {
      expectProblems(
        () =>
          gatewayPortal({
            ingress: { gateway: GatewayRef.create({ gatewayClassName: 'nginx' }), machineChallenge: true },
          }),
        [
          {
            path: 'ingress.machineChallenge',
            says: ['has no machine host to challenge for', 'Give the portal a machineHost'],
          },
        ],
      );
      expectProblems(
        () =>
          machinePortal({
            ingress: {
              gateway: GatewayRef.create({ gatewayClassName: 'nginx' }),
              machineChallenge: 'yes' as unknown as boolean,
            },
          }),
        [{ path: 'ingress.machineChallenge', says: ['must be true or false, got "yes"'] }],
      );
    });
  });

  it('refuses machineHttpsListener without a machine host', () => {
    expectProblems(
      () =>
        gatewayPortal({
          tls: undefined,
          ingressController: DATA_PLANE,
          ingress: { gateway: sharedGateway('https-api') },
        }),
      [{ path: 'ingress.gateway.machineHttpsListener', says: ['has no machine entry to route'] }],
    );
  });
});
