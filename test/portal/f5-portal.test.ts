// The same portal on the F5 NGINX Ingress Controller: oauth2-proxy moves into the request
// path (F5's external auth cannot pass identity headers on), sets the header contract on
// requests to Backstage itself, and is the only peer Backstage admits besides the controller.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import {
  BackstagePortal,
  F5PortalIngressOptions,
  identityHeaderNames,
  PortalGatewayOptions,
  SessionStore,
  TlsSource,
} from '../../lib';
import {
  type ExpectedProblem,
  expectProblems,
  portalProps,
  resourceAt,
  resourcesOf,
  synth,
  TfJson,
} from '../helpers';

const f5Portal = (ingress?: F5PortalIngressOptions, gateway?: PortalGatewayOptions) =>
  synth(
    (stack) =>
      new BackstagePortal(stack, 'portal', {
        ...portalProps(stack),
        tls: TlsSource.fromSecret('portal-tls'),
        ingressFlavour: 'f5-nginx',
        ingress,
        gateway,
      }),
  );
const f5Problems = (
  ingress: Record<string, unknown>,
  gateway: Record<string, unknown> | undefined,
  expected: readonly ExpectedProblem[],
) => expectProblems(() => f5Portal(ingress as F5PortalIngressOptions, gateway), expected);
const gatewayArgs = (json: TfJson): string[] =>
  resourceAt(json, 'kubernetes_deployment_v1', 'Gateway/Deployment').spec.template.spec.container[0].args;
const apiRoutes = (json: TfJson) => gatewayArgs(json).filter((a) => a.startsWith('--api-route='));

describe('BackstagePortal on the F5 NGINX Ingress Controller', () => {
  it('types the ingress settings by flavour: an ingress-nginx-only setting does not compile for F5', () => {
    const build = () =>
      synth((stack) => {
        const props = { ...portalProps(stack), tls: TlsSource.fromSecret('portal-tls') };
        new BackstagePortal(stack, 'portal', {
          ...props,
          ingressFlavour: 'f5-nginx',
          // @ts-expect-error cors is read by the ingress-nginx flavour only (npm run typecheck checks this line)
          ingress: { cors: { allowCredentials: true } },
        });
      });
    // And at run time the F5 flavour refuses it, naming the prop.
    expectProblems(build, [{ where: 'test/portal/Ingress', path: 'cors', says: 'is not a known property' }]);
  });

  it('runs oauth2-proxy in front of Backstage, setting exactly the identity headers of the contract', () => {
    const json = f5Portal();
    const alpha = parse(
      resourceAt(json, 'kubernetes_config_map_v1', 'Gateway/Config').data['alpha-config.yaml'],
    );
    expect(alpha.upstreamConfig.upstreams).toEqual([
      {
        id: 'portal',
        path: '/',
        uri: 'http://backstage.${kubernetes_namespace_v1.portal_Namespace_A3BFD15A.metadata[0].name}.svc.cluster.local:7007',
      },
    ]);
    expect(alpha.injectRequestHeaders.map((h: { name: string }) => h.name)).toEqual(identityHeaderNames());
    expect(alpha).not.toHaveProperty('injectResponseHeaders');
    const args = gatewayArgs(json);
    // ingress.apiPaths' default ["/api"], as oauth2-proxy's route: /api, /api/… and /api?…
    expect(apiRoutes(json)).toEqual(['--api-route=^/api([/?]|$)']);
    // A legacy-only flag: with --alpha-config, oauth2-proxy v7.14+ exits with "unknown flag".
    expect(args.filter((a) => a.startsWith('--skip-auth-strip-headers'))).toEqual([]);
  });

  it('admits the F5 controller and the oauth2-proxy pods to Backstage, nothing else', () => {
    const json = f5Portal();
    const from = resourceAt(json, 'kubernetes_network_policy_v1', 'Backstage/NetworkPolicy').spec.ingress[0]
      .from;
    expect(from).toEqual([
      {
        namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'nginx-ingress' } },
        pod_selector: { match_labels: { 'app.kubernetes.io/name': 'nginx-ingress' } },
      },
      {
        namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'backstage' } },
        pod_selector: {
          match_labels: {
            'app.kubernetes.io/name': 'oauth2-proxy',
            'app.kubernetes.io/instance': 'oauth2-proxy',
          },
        },
      },
    ]);
  });

  it('renders the F5 master and one minion to the gateway, no Policy and no ingress-nginx annotation', () => {
    const json = f5Portal();
    const ingresses = Object.values(resourcesOf(json, 'kubernetes_ingress_v1')) as any[];
    expect(Object.fromEntries(ingresses.map((i) => [i.metadata.name, i.metadata.annotations]))).toEqual({
      backstage: {
        'nginx.org/mergeable-ingress-type': 'master',
        'nginx.org/ssl-redirect': 'true',
        'nginx.org/hsts': 'true',
        'nginx.org/hsts-max-age': '31536000',
        'nginx.org/hsts-include-subdomains': 'false',
        'nginx.org/server-tokens': 'false',
      },
      'backstage-app': {
        'nginx.org/mergeable-ingress-type': 'minion',
        'nginx.org/proxy-buffer-size': '32k',
        'nginx.org/proxy-buffers': '8 32k',
        'nginx.org/client-max-body-size': '10m',
        'nginx.org/proxy-connect-timeout': '5s',
        'nginx.org/proxy-read-timeout': '60s',
        'nginx.org/proxy-send-timeout': '60s',
        'nginx.org/proxy-set-headers':
          'X-Forwarded-User: ,X-Forwarded-Email: ,X-Forwarded-Preferred-Username: ,X-OAUTH2-PROXY-ID-TOKEN: ',
      },
    });
    const app = resourceAt(json, 'kubernetes_ingress_v1', 'Ingress/AppIngress');
    expect(app.spec.rule[0].http.path).toEqual([
      {
        path: '/',
        path_type: 'Prefix',
        backend: { service: { name: 'oauth2-proxy', port: { number: 4180 } } },
      },
    ]);
    expect(
      Object.values(resourcesOf(json, 'kubernetes_manifest')).filter(
        (r: any) => r.manifest.kind === 'Policy',
      ),
    ).toEqual([]);
  });

  it('puts the allow-list in an accessControl Policy on the minion', () => {
    const json = f5Portal({ allowSourceRanges: ['203.0.113.0/24'] });
    const policies = Object.values(resourcesOf(json, 'kubernetes_manifest'))
      .map((r: any) => r.manifest)
      .filter((m) => m.kind === 'Policy');
    expect(policies.map((p) => [p.metadata.name, p.spec])).toEqual([
      ['backstage-allow-list', { ingressClassName: 'nginx', accessControl: { allow: ['203.0.113.0/24'] } }],
    ]);
    expect(
      resourceAt(json, 'kubernetes_ingress_v1', 'Ingress/AppIngress').metadata.annotations[
        'nginx.org/policies'
      ],
    ).toBe('backstage-allow-list');
  });

  it("turns the API prefixes of ingress.apiPaths into the gateway's 401 routes", () => {
    const json = f5Portal({ apiPaths: ['/api', '/catalog-import', '/v1.0'] });
    expect(apiRoutes(json)).toEqual([
      '--api-route=^/api([/?]|$)',
      '--api-route=^/catalog-import([/?]|$)',
      '--api-route=^/v1\\.0([/?]|$)',
    ]);
    const routes = apiRoutes(json).map((a) => new RegExp(a.slice('--api-route='.length)));
    const isApi = (uri: string) => routes.some((r) => r.test(uri));
    expect(
      ['/api', '/api/', '/api/catalog/entities', '/api?x=1', '/catalog-import/x', '/v1.0'].filter(
        (u) => !isApi(u),
      ),
    ).toEqual([]);
    expect(['/', '/apix', '/catalog', '/v1x0', '/x/api'].filter(isApi)).toEqual([]);
    // The F5 Ingress itself has no API paths any more.
    expect(
      Object.values(resourcesOf(json, 'kubernetes_ingress_v1')).flatMap((i: any) =>
        (i.spec.rule[0].http?.path ?? []).map((p: any) => p.path),
      ),
    ).toEqual(['/']);
  });

  it('passes gateway.apiPaths (regexes) through as given', () => {
    expect(apiRoutes(f5Portal(undefined, { apiPaths: ['^/api/', '^/graphql'] }))).toEqual([
      '--api-route=^/api/',
      '--api-route=^/graphql',
    ]);
  });

  it('refuses bad API prefixes, and API paths given twice', () => {
    f5Problems({ apiPaths: ['^/api/', '/oauth2/x'] }, undefined, [
      {
        where: 'test/portal',
        path: 'ingress.apiPaths[0]',
        says: ['must be a path prefix such as "/api"', 'got "^/api/"'],
      },
      {
        where: 'test/portal',
        path: 'ingress.apiPaths[1]',
        says: ['must not cover /oauth2', 'got "/oauth2/x"'],
      },
    ]);
    f5Problems({ apiPaths: ['/api'] }, { apiPaths: ['^/api/'] }, [
      {
        where: 'test/portal',
        path: 'gateway.apiPaths',
        says: [
          'contradicts ingress.apiPaths: both set the API paths of the F5 flavour',
          'got ["^/api/"]',
          'remove gateway.apiPaths',
        ],
      },
    ]);
  });

  it('warns at synth with cookie sessions (users in many groups get 400 on F5), not with Redis', () => {
    const warnings = (gateway?: PortalGatewayOptions) => {
      let portal: BackstagePortal | undefined;
      synth((stack) => {
        portal = new BackstagePortal(stack, 'portal', {
          ...portalProps(stack),
          tls: TlsSource.fromSecret('portal-tls'),
          ingressFlavour: 'f5-nginx',
          gateway,
        });
      });
      return portal!.node
        .findAll()
        .flatMap((c) =>
          c.node.metadata
            .filter((m) => m.type === '@cdktf/warn')
            .map((m) => `${c.node.path}: ${String(m.data).slice(0, 44)}`),
        );
    };
    expect(warnings()).toEqual(['test/portal/Ingress: F5NginxIngress with cookie sessions: the F5 ']);
    expect(
      warnings({ sessionStore: SessionStore.redis({ url: 'rediss://redis.backstage.svc:6379' }) }),
    ).toEqual([]);
  });

  it('refuses apiPaths on an auth-only gateway, where oauth2-proxy cannot decide them', () => {
    expectProblems(
      () =>
        synth(
          (stack) =>
            new BackstagePortal(stack, 'portal', {
              ...portalProps(stack),
              gateway: { apiPaths: ['^/api/'] },
            }),
        ),
      [
        {
          where: 'test/portal/Gateway',
          path: 'apiPaths',
          says: [
            'only works when oauth2-proxy is in the request path (upstream)',
            'got ["^/api/"]',
            'use NginxIngress apiPaths instead',
          ],
        },
      ],
    );
  });
});
