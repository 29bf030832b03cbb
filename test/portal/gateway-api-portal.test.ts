// The same portal on the Gateway API: oauth2-proxy in the request path (as on F5), HTTPRoutes
// that carry every path of the host to it, Backstage admitting oauth2-proxy alone and
// oauth2-proxy admitting the Gateway's data plane; and the switch of an existing
// ingress-nginx portal, with both front doors side by side.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import type { GatewayApiPortalProps } from '../../lib';
import {
  BackstagePortal,
  GatewayApiPortalIngressOptions,
  GatewayRef,
  identityHeaderNames,
  IngressNginxMigration,
  MachineClient,
  TlsSource,
} from '../../lib';
import {
  type ExpectedProblem,
  expectProblems,
  portalProps,
  problemsOf,
  resourceAt,
  resourcesOf,
  synth,
  TfJson,
} from '../helpers';

const created = GatewayRef.create({ gatewayClassName: 'nginx' });
const gatewayPortal = (
  ingress: GatewayApiPortalIngressOptions = { gateway: created },
  more: Partial<GatewayApiPortalProps> = {},
) =>
  synth(
    (stack) =>
      new BackstagePortal(stack, 'portal', {
        ...portalProps(stack),
        ingressFlavour: 'gateway-api',
        ingress,
        ...more,
      }),
  );
const invalidPortal = (more: Record<string, unknown>) => () =>
  synth(
    (stack) =>
      new BackstagePortal(stack, 'portal', {
        ...portalProps(stack),
        ingressFlavour: 'gateway-api',
        ingress: { gateway: created },
        ...more,
      } as GatewayApiPortalProps),
  );
const portalProblems = (more: Record<string, unknown>, expected: readonly ExpectedProblem[]) =>
  expectProblems(invalidPortal(more), expected);
const containerOf = (json: TfJson, suffix: string) =>
  resourceAt(json, 'kubernetes_deployment_v1', suffix).spec.template.spec.container[0];
const alphaOf = (json: TfJson, suffix = 'Gateway/Config') =>
  parse(resourceAt(json, 'kubernetes_config_map_v1', suffix).data['alpha-config.yaml']);
const fromOf = (json: TfJson, suffix: string) =>
  resourceAt(json, 'kubernetes_network_policy_v1', suffix).spec.ingress[0].from;
const manifests = (json: TfJson) =>
  Object.values(resourcesOf(json, 'kubernetes_manifest')).map((r: any) => r.manifest);
const OAUTH2_PROXY_PODS = {
  namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'backstage' } },
  pod_selector: {
    match_labels: { 'app.kubernetes.io/name': 'oauth2-proxy', 'app.kubernetes.io/instance': 'oauth2-proxy' },
  },
};
const INGRESS_NGINX_PODS = {
  namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
  pod_selector: {
    match_labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
  },
};

describe('BackstagePortal on the Gateway API', () => {
  it('types the ingress settings by flavour: an ingress-nginx-only setting does not compile, and the Gateway is required', () => {
    const build = () =>
      synth((stack) => {
        new BackstagePortal(stack, 'portal', {
          ...portalProps(stack),
          ingressFlavour: 'gateway-api',
          // @ts-expect-error cors is read by the ingress-nginx flavour only (npm run typecheck checks this line)
          ingress: { gateway: created, cors: {} },
        });
      });
    expectProblems(build, [
      { where: 'test/portal', path: 'ingress.cors', says: ['is not a known property', 'got {}'] },
    ]);
    const missing = () =>
      synth((stack) => {
        // @ts-expect-error the Gateway API flavour needs ingress.gateway
        new BackstagePortal(stack, 'portal', { ...portalProps(stack), ingressFlavour: 'gateway-api' });
      });
    expect(problemsOf(missing)).toContainEqual(
      expect.objectContaining({ where: 'test/portal', path: 'ingress' }),
    );
  });

  it('runs oauth2-proxy in front of Backstage, setting exactly the identity headers of the contract and HSTS on what it proxies', () => {
    const json = gatewayPortal();
    const alpha = alphaOf(json);
    expect(alpha.upstreamConfig.upstreams).toEqual([
      {
        id: 'portal',
        path: '/',
        uri: 'http://backstage.${kubernetes_namespace_v1.portal_Namespace_A3BFD15A.metadata[0].name}.svc.cluster.local:7007',
      },
    ]);
    expect(alpha.injectRequestHeaders.map((h: { name: string }) => h.name)).toEqual(identityHeaderNames());
    expect(alpha.injectResponseHeaders).toEqual([
      {
        name: 'Strict-Transport-Security',
        values: [{ secretSource: { value: 'max-age=31536000; includeSubDomains' } }],
      },
    ]);
    expect(
      containerOf(json, 'Gateway/Deployment').args.filter((a: string) => a.startsWith('--api-route=')),
    ).toEqual(['--api-route=^/api([/?]|$)']);
  });

  it('takes the API prefixes and the HSTS settings of ingress', () => {
    const json = gatewayPortal({
      gateway: created,
      apiPaths: ['/api', '/graphql'],
      hsts: { maxAgeSeconds: 63072000, includeSubdomains: false, preload: true },
    });
    expect(
      containerOf(json, 'Gateway/Deployment').args.filter((a: string) => a.startsWith('--api-route=')),
    ).toEqual(['--api-route=^/api([/?]|$)', '--api-route=^/graphql([/?]|$)']);
    expect(alphaOf(json).injectResponseHeaders[0].values).toEqual([
      { secretSource: { value: 'max-age=63072000; preload' } },
    ]);
  });

  it("lets only oauth2-proxy reach Backstage, and only the Gateway's data plane (and the networks given) reach oauth2-proxy", () => {
    const json = gatewayPortal({
      gateway: created,
      dataPlaneSourceRanges: ['35.191.0.0/16', '2600:2d00:1:1::/64'],
    });
    expect(fromOf(json, 'Backstage/NetworkPolicy')).toEqual([OAUTH2_PROXY_PODS]);
    expect(fromOf(json, 'Gateway/NetworkPolicy')).toEqual([
      {
        namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'backstage' } },
        pod_selector: { match_labels: { 'gateway.networking.k8s.io/gateway-name': 'backstage' } },
      },
      { ip_block: { cidr: '35.191.0.0/16' } },
      { ip_block: { cidr: '2600:2d00:1:1::/64' } },
    ]);
  });

  it('renders the Gateway and the two HTTPRoutes, the route on the HTTPS listener to oauth2-proxy', () => {
    const json = gatewayPortal();
    expect(
      manifests(json)
        .map((m) => `${m.kind} ${m.metadata.name}`)
        .sort(),
    ).toEqual([
      'ClusterIssuer letsencrypt-production',
      'Gateway backstage',
      'HTTPRoute backstage',
      'HTTPRoute backstage-https-redirect',
    ]);
    const route = resourceAt(json, 'kubernetes_manifest', 'GatewayApi/Route').manifest;
    expect(route.spec.parentRefs.map((p: any) => p.sectionName)).toEqual(['https']);
    expect(route.spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'oauth2-proxy', port: 4180, weight: 1 },
    ]);
    expect(Object.keys(resourcesOf(json, 'kubernetes_ingress_v1'))).toEqual([]);
  });

  it('keeps the ClusterIssuer where the ingress-nginx flavour has it, so a switch updates it in place', () => {
    const address = (json: TfJson) =>
      Object.keys(resourcesOf(json, 'kubernetes_manifest')).find((k) => k.includes('ClusterIssuer'));
    const onIngressNginx = synth((stack) => new BackstagePortal(stack, 'portal', portalProps(stack)));
    expect(address(gatewayPortal())).toBe(address(onIngressNginx));
    expect(address(onIngressNginx)).toMatch(
      /^portal_Ingress_ClusterIssuer-letsencrypt-production_[0-9A-F]{8}$/,
    );
  });

  it('attaches to an existing Gateway, whose data plane is named', () => {
    const json = gatewayPortal(
      {
        gateway: GatewayRef.existing({
          name: 'shared',
          namespace: 'gateway-system',
          httpsListener: 'https',
          httpListener: 'http',
        }),
      },
      {
        tls: undefined,
        ingressController: {
          namespaceLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' },
          podLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'shared' },
        },
      },
    );
    expect(
      manifests(json)
        .map((m) => `${m.kind} ${m.metadata.name}`)
        .sort(),
    ).toEqual(['HTTPRoute backstage', 'HTTPRoute backstage-https-redirect']);
    expect(fromOf(json, 'Gateway/NetworkPolicy')).toEqual([
      {
        namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
        pod_selector: { match_labels: { 'gateway.envoyproxy.io/owning-gateway-name': 'shared' } },
      },
    ]);
    // A load balancer outside the cluster: its networks alone.
    const cloud = gatewayPortal(
      {
        gateway: GatewayRef.existing({ name: 'shared', namespace: 'gateway-system', httpsListener: 'https' }),
        dataPlaneSourceRanges: ['10.10.0.0/24'],
      },
      { tls: undefined },
    );
    expect(fromOf(cloud, 'Gateway/NetworkPolicy')).toEqual([{ ip_block: { cidr: '10.10.0.0/24' } }]);
  });

  it("passes envoyGateway on: Envoy Gateway's policies on the portal's route (and the machine host's), the access log's EnvoyProxy named by its Gateway", () => {
    const json = gatewayPortal(
      {
        gateway: GatewayRef.create({ gatewayClassName: 'eg' }),
        envoyGateway: { rateLimit: { requests: 100 }, allowSourceRanges: ['198.51.100.0/24'] },
      },
      {
        machineHost: 'api.backstage.example.com',
        machineClients: [
          MachineClient.githubActions({
            audience: 'backstage-ci',
            repository: 'acme/service',
            refs: ['refs/heads/main'],
            accessRestrictions: [{ plugin: 'catalog' }],
          }),
        ],
      },
    );
    expect(
      manifests(json)
        .map((m) => `${m.kind} ${m.metadata.name}`)
        .sort(),
    ).toEqual([
      'BackendTrafficPolicy backstage',
      'ClusterIssuer letsencrypt-production',
      'EnvoyProxy backstage',
      'Gateway backstage',
      'HTTPRoute backstage',
      'HTTPRoute backstage-https-redirect',
      'HTTPRoute backstage-machines',
      'SecurityPolicy backstage-allow-list',
    ]);
    const byKind = (kind: string) => manifests(json).find((m) => m.kind === kind);
    for (const kind of ['BackendTrafficPolicy', 'SecurityPolicy']) {
      expect(
        byKind(kind).spec.targetRefs.map((r: any) => r.name),
        kind,
      ).toEqual(['backstage', 'backstage-machines']);
    }
    expect(byKind('Gateway').spec.infrastructure.parametersRef).toEqual({
      group: 'gateway.envoyproxy.io',
      kind: 'EnvoyProxy',
      name: 'backstage',
    });
  });

  describe('switching from ingress-nginx (migrateFromIngressNginx)', () => {
    const migrating = (migration: IngressNginxMigration = {}) =>
      gatewayPortal(undefined, { migrateFromIngressNginx: migration });
    const onIngressNginx = () => synth((stack) => new BackstagePortal(stack, 'portal', portalProps(stack)));
    const addresses = (json: TfJson) =>
      Object.entries(json.resource ?? {}).flatMap(([type, byId]) =>
        Object.keys(byId).map((id) => `${type}.${id}`),
      );

    it('keeps every object of the ingress-nginx portal at its address, and only adds the Gateway API ones and an auth-only proxy', () => {
      const before = addresses(onIngressNginx());
      const during = addresses(migrating());
      expect(before.filter((a) => !during.includes(a))).toEqual([]);
      expect(
        during
          .filter((a) => !before.includes(a))
          .map((a) => a.replace(/_[0-9A-F]{8}$/, ''))
          .sort(),
      ).toEqual([
        'kubernetes_config_map_v1.portal_IngressNginxGateway_Config',
        'kubernetes_deployment_v1.portal_IngressNginxGateway_Deployment',
        'kubernetes_manifest.portal_GatewayApi_Gateway',
        'kubernetes_manifest.portal_GatewayApi_RedirectRoute',
        'kubernetes_manifest.portal_GatewayApi_Route',
        'kubernetes_network_policy_v1.portal_IngressNginxGateway_NetworkPolicy',
        'kubernetes_pod_disruption_budget_v1.portal_IngressNginxGateway_Pdb',
        'kubernetes_service_v1.portal_IngressNginxGateway_Service',
      ]);
    });

    it("leaves Backstage's Deployment as it was, and admits the ingress-nginx controller and oauth2-proxy to it", () => {
      const before = onIngressNginx();
      const json = migrating();
      expect(resourceAt(json, 'kubernetes_deployment_v1', 'Backstage/Deployment')).toEqual(
        resourceAt(before, 'kubernetes_deployment_v1', 'Backstage/Deployment'),
      );
      expect(fromOf(json, 'Backstage/NetworkPolicy')).toEqual([INGRESS_NGINX_PODS, OAUTH2_PROXY_PODS]);
    });

    it('serves the Ingresses with their own auth-only proxy, and the Gateway with the certificate they keep renewing', () => {
      const json = migrating();
      const ingresses = Object.values(resourcesOf(json, 'kubernetes_ingress_v1')) as any[];
      expect(
        ingresses.map((i) => i.metadata.annotations['nginx.ingress.kubernetes.io/auth-url']).filter(Boolean),
      ).toEqual([
        'http://oauth2-proxy-ingress-nginx.${kubernetes_namespace_v1.portal_Namespace_A3BFD15A.metadata[0].name}.svc.cluster.local:4180/oauth2/auth',
        'http://oauth2-proxy-ingress-nginx.${kubernetes_namespace_v1.portal_Namespace_A3BFD15A.metadata[0].name}.svc.cluster.local:4180/oauth2/auth',
      ]);
      expect(
        alphaOf(json, 'IngressNginxGateway/Config').injectResponseHeaders.map(
          (h: { name: string }) => h.name,
        ),
      ).toEqual(identityHeaderNames());
      expect(fromOf(json, 'IngressNginxGateway/NetworkPolicy')).toEqual([INGRESS_NGINX_PODS]);
      // The certificate stays with the Ingress (ingress-shim): the Gateway serves its Secret
      // without asking cert-manager, and the issuer keeps its ingress solver.
      const gateway = resourceAt(json, 'kubernetes_manifest', 'GatewayApi/Gateway').manifest;
      expect(gateway.metadata.annotations).toBeUndefined();
      expect(gateway.spec.listeners[1].tls.certificateRefs).toEqual([
        { group: '', kind: 'Secret', name: 'backstage-example-com-tls' },
      ]);
      expect(manifests(json).find((m) => m.kind === 'ClusterIssuer').spec.acme.solvers).toEqual([
        { http01: { ingress: { ingressClassName: 'nginx' } } },
      ]);
      // After the switch the Gateway asks for it, and the issuer answers through the Gateway.
      const after = gatewayPortal();
      expect(
        resourceAt(after, 'kubernetes_manifest', 'GatewayApi/Gateway').manifest.metadata.annotations,
      ).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt-production' });
      expect(
        manifests(after).find((m) => m.kind === 'ClusterIssuer').spec.acme.solvers[0].http01,
      ).toHaveProperty('gatewayHTTPRoute');
    });

    it('orders the apply so the ingress-nginx path keeps working: Ingresses after their proxy, the request-path proxy after the Ingresses', () => {
      const json = migrating();
      const dependsOn = (type: string, suffix: string): string[] =>
        (resourceAt(json, type, suffix).depends_on ?? []).map((d: string) => d.replace(/_[0-9A-F]{8}$/, ''));
      for (const ingress of ['Ingress/Ingress', 'Ingress/ApiIngress', 'Ingress/SignInIngress']) {
        expect(dependsOn('kubernetes_ingress_v1', ingress)).toEqual(
          expect.arrayContaining([
            'kubernetes_deployment_v1.portal_IngressNginxGateway_Deployment',
            'kubernetes_service_v1.portal_IngressNginxGateway_Service',
            'kubernetes_network_policy_v1.portal_IngressNginxGateway_NetworkPolicy',
          ]),
        );
      }
      const first = [
        'kubernetes_ingress_v1.portal_Ingress',
        'kubernetes_ingress_v1.portal_Ingress_ApiIngress',
        'kubernetes_ingress_v1.portal_Ingress_SignInIngress',
        'kubernetes_network_policy_v1.portal_Backstage_NetworkPolicy',
      ];
      for (const [type, suffix] of [
        ['kubernetes_deployment_v1', 'portal/Gateway/Deployment'],
        ['kubernetes_config_map_v1', 'portal/Gateway/Config'],
        ['kubernetes_network_policy_v1', 'portal/Gateway/NetworkPolicy'],
      ] as const) {
        expect(dependsOn(type, suffix)).toEqual(expect.arrayContaining(first));
      }
    });

    it('takes the ingress-nginx settings and controller of the portal it was', () => {
      const json = migrating({
        ingress: { allowSourceRanges: ['10.0.0.0/8'] },
        ingressController: { namespaceLabels: { 'kubernetes.io/metadata.name': 'edge' } },
      });
      const main = resourceAt(json, 'kubernetes_ingress_v1', 'Ingress/Ingress');
      expect(main.metadata.annotations['nginx.ingress.kubernetes.io/whitelist-source-range']).toBe(
        '10.0.0.0/8',
      );
      expect(fromOf(json, 'IngressNginxGateway/NetworkPolicy')).toEqual([
        { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'edge' } } },
      ]);
    });
  });

  describe('validation', () => {
    it("refuses envoyGateway's access log on an existing Gateway, at the portal's own path", () => {
      portalProblems(
        {
          ingress: {
            gateway: GatewayRef.existing({
              name: 'shared',
              namespace: 'gateway-system',
              httpsListener: 'https',
            }),
            envoyGateway: { accessLog: true },
          },
          tls: undefined,
          ingressController: { namespaceLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
        },
        [
          {
            where: 'test/portal',
            path: 'ingress.envoyGateway.accessLog',
            says: ["is the existing Gateway owner's business", 'Leave accessLog out'],
          },
        ],
      );
    });

    it('refuses an existing Gateway without its data plane, tls with it, and bad networks', () => {
      portalProblems(
        {
          tls: undefined,
          ingress: {
            gateway: GatewayRef.existing({
              name: 'shared',
              namespace: 'gateway-system',
              httpsListener: 'https',
            }),
          },
        },
        [
          {
            where: 'test/portal',
            path: 'ingressController',
            says: [
              'is required with an existing Gateway: oauth2-proxy admits only its data plane',
              'got nothing',
              'or give ingress.dataPlaneSourceRanges',
            ],
          },
        ],
      );
      portalProblems(
        {
          ingress: {
            gateway: GatewayRef.existing({
              name: 'shared',
              namespace: 'gateway-system',
              httpsListener: 'https',
            }),
            dataPlaneSourceRanges: ['10.10.0.0/24'],
          },
        },
        [
          {
            where: 'test/portal/GatewayApi',
            path: 'tls',
            says: [
              'is the existing Gateway\'s business: its listener "https" terminates TLS with its owner\'s certificate',
              'got a TlsSource',
            ],
          },
        ],
      );
      portalProblems({ ingress: { gateway: created, dataPlaneSourceRanges: [] } }, [
        {
          where: 'test/portal',
          path: 'ingress.dataPlaneSourceRanges',
          says: ['must list at least one network', 'got []'],
        },
      ]);
    });

    it('needs tls for a rendered Gateway and during the switch', () => {
      portalProblems({ tls: undefined }, [
        {
          where: 'test/portal/GatewayApi',
          path: 'tls',
          says: ['is required when the portal renders its Gateway', 'got nothing'],
        },
      ]);
      const [first] = problemsOf(invalidPortal({ tls: undefined, migrateFromIngressNginx: {} }));
      expect(first).toMatchObject({ where: 'test/portal', path: 'tls' });
      for (const fragment of [
        'is required during migrateFromIngressNginx: the ingress-nginx Ingresses keep serving the certificate',
        'got nothing',
        'Keep the tls the portal had on ingress-nginx',
      ]) {
        expect(first!.message).toContain(fragment);
      }
    });

    it('refuses API paths given twice, bad API prefixes and HSTS ages', () => {
      portalProblems(
        {
          ingress: { gateway: created, apiPaths: ['api/'] },
          gateway: { apiPaths: ['^/api/'] },
        },
        [
          {
            where: 'test/portal',
            path: 'ingress.apiPaths[0]',
            says: ['must be a path prefix such as "/api"', 'got "api/"'],
          },
          {
            where: 'test/portal',
            path: 'gateway.apiPaths',
            says: [
              'contradicts ingress.apiPaths: both set the API paths of the gateway-api flavour',
              'got ["^/api/"]',
            ],
          },
        ],
      );
      portalProblems({ ingress: { gateway: created, hsts: { maxAgeSeconds: 60 } } }, [
        {
          where: 'test/portal/Gateway',
          path: 'hsts.maxAgeSeconds',
          says: ['must be at least one day (86400)', 'got 60'],
        },
      ]);
    });

    it('refuses migrateFromIngressNginx outside the gateway-api flavour, and a missing tls elsewhere as before', () => {
      expectProblems(
        () =>
          synth(
            (stack) =>
              new BackstagePortal(stack, 'portal', {
                ...portalProps(stack),
                migrateFromIngressNginx: {},
              } as any),
          ),
        [
          {
            where: 'test/portal',
            path: 'migrateFromIngressNginx',
            says: [
              'only applies with ingressFlavour "gateway-api"',
              'got {}',
              'Set ingressFlavour: "gateway-api" to switch',
            ],
          },
        ],
      );
      const [tls] = problemsOf(() =>
        synth(
          (stack) => new BackstagePortal(stack, 'portal', { ...portalProps(stack), tls: undefined } as any),
        ),
      );
      expect(tls).toMatchObject({ where: 'test/portal', path: 'tls' });
    });

    it('names the flavours in the error for an unknown one', () => {
      expectProblems(
        () =>
          synth(
            (stack) =>
              new BackstagePortal(stack, 'portal', {
                ...portalProps(stack),
                ingressFlavour: 'traefik',
              } as any),
          ),
        [
          {
            where: 'test/portal',
            path: 'ingressFlavour',
            says: ['must be "ingress-nginx", "f5-nginx" or "gateway-api"', 'got "traefik"'],
          },
        ],
      );
    });
  });

  it('a TLS source the portal binds elsewhere keeps what it is: a self-signed certificate still says so', () => {
    // The Gateway API flavour binds the portal's TlsSource under <portal>/Ingress (see above).
    const json = gatewayPortal(undefined, { tls: TlsSource.selfSigned() });
    expect(manifests(json).find((m) => m.kind === 'ClusterIssuer').spec).toEqual({ selfSigned: {} });
  });
});
