// GatewayApiIngress: the portal's Gateway API objects (gateway.networking.k8s.io/v1) as
// synthesized, with every field the CRDs would default written out, and the validation
// messages of each rule.
import { describe, expect, it } from 'vitest';

import { TlsSource } from '../../lib';
import { GatewayApiIngress, GatewayApiIngressProps } from '../../lib/ingress/gateway-api-ingress';
import { GatewayRef } from '../../lib/ingress/gateway-ref';
import {
  expectGatewayApiIngressProblems as problemsWith,
  gatewayApiIngressProps as props,
  IN_PATH_AUTH_PROXY as proxy,
  INGRESS_LABELS as LABELS,
  resourceAt,
  resourcesOf,
  synth,
  TfJson,
} from '../helpers';

const HOST = 'backstage.example.com';
const synthGateway = (overrides: Partial<GatewayApiIngressProps> = {}) =>
  synth((stack) => new GatewayApiIngress(stack, 'gw', props(overrides)));
const manifest = (json: TfJson, suffix: string) => resourceAt(json, 'kubernetes_manifest', suffix).manifest;
const allowedRoutes = {
  namespaces: { from: 'Same' },
  kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
};
const parentRef = (sectionName: string, name = 'backstage', namespace = 'backstage') => ({
  group: 'gateway.networking.k8s.io',
  kind: 'Gateway',
  name,
  namespace,
  sectionName,
});

describe('GatewayApiIngress', () => {
  it('renders a Gateway with an HTTP and an HTTPS listener for the host, routes from its own namespace only', () => {
    expect(manifest(synthGateway(), 'gw/Gateway')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'backstage', namespace: 'backstage', labels: LABELS },
      spec: {
        gatewayClassName: 'nginx',
        listeners: [
          { name: 'http', protocol: 'HTTP', port: 80, hostname: HOST, allowedRoutes },
          {
            name: 'https',
            protocol: 'HTTPS',
            port: 443,
            hostname: HOST,
            tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'portal-tls' }] },
            allowedRoutes,
          },
        ],
      },
    });
  });

  it('sends every path of the host, on the HTTPS listener only, to oauth2-proxy', () => {
    const json = synthGateway();
    const route = resourceAt(json, 'kubernetes_manifest', 'gw/Route');
    expect(route.manifest).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'backstage', namespace: 'backstage', labels: LABELS },
      spec: {
        parentRefs: [parentRef('https')],
        hostnames: [HOST],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            backendRefs: [{ group: '', kind: 'Service', name: 'oauth2-proxy', port: 4180, weight: 1 }],
          },
        ],
      },
    });
    expect(route.depends_on).toEqual([
      expect.stringMatching(/^kubernetes_manifest\.gw_Gateway_[0-9A-F]{8}$/),
    ]);
  });

  it('redirects plain HTTP permanently to HTTPS on the HTTP listener, and forwards nothing there', () => {
    expect(manifest(synthGateway(), 'gw/RedirectRoute')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'backstage-https-redirect', namespace: 'backstage', labels: LABELS },
      spec: {
        parentRefs: [parentRef('http')],
        hostnames: [HOST],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
          },
        ],
      },
    });
  });

  it("asks cert-manager's gateway-shim for the certificate, and an ACME issuer answers HTTP-01 with an HTTPRoute on the HTTP listener", () => {
    const json = synthGateway({ tls: TlsSource.acme({ email: 'platform@example.com' }) });
    const gateway = resourceAt(json, 'kubernetes_manifest', 'gw/Gateway');
    expect(gateway.manifest.metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt-production',
    });
    expect(gateway.manifest.spec.listeners[1].tls.certificateRefs).toEqual([
      { group: '', kind: 'Secret', name: 'backstage-example-com-tls' },
    ]);
    const issuer = Object.values(resourcesOf(json, 'kubernetes_manifest')).find(
      (r) => r.manifest.kind === 'ClusterIssuer',
    );
    expect(issuer.manifest.spec.acme.solvers).toEqual([
      { http01: { gatewayHTTPRoute: { parentRefs: [parentRef('http')] } } },
    ]);
    expect(gateway.depends_on).toEqual([
      expect.stringMatching(/^kubernetes_manifest\.gw_ClusterIssuer-letsencrypt-production_[0-9A-F]{8}$/),
    ]);
    // An existing issuer: the annotation only.
    const fromIssuer = manifest(
      synthGateway({ tls: TlsSource.fromIssuer('corp-ca', 'Issuer') }),
      'gw/Gateway',
    );
    expect(fromIssuer.metadata.annotations).toEqual({ 'cert-manager.io/issuer': 'corp-ca' });
  });

  it("takes the Gateway's name, annotations and infrastructure, and names its data plane as GEP-1762 labels it", () => {
    let construct: GatewayApiIngress | undefined;
    const json = synth((stack) => {
      construct = new GatewayApiIngress(
        stack,
        'gw',
        props({
          gateway: GatewayRef.create({
            gatewayClassName: 'azure-alb-external',
            name: 'portal',
            annotations: {
              'alb.networking.azure.io/alb-id':
                '/subscriptions/x/resourceGroups/y/providers/Microsoft.ServiceNetworking/trafficControllers/z',
            },
            infrastructure: {
              labels: { team: 'platform' },
              parametersRef: {
                group: 'gateway.k8s.aws',
                kind: 'LoadBalancerConfiguration',
                name: 'internet-facing',
              },
            },
          }),
        }),
      );
    });
    const gateway = manifest(json, 'gw/Gateway');
    expect(gateway.metadata.name).toBe('portal');
    expect(gateway.metadata.annotations).toEqual({
      'alb.networking.azure.io/alb-id':
        '/subscriptions/x/resourceGroups/y/providers/Microsoft.ServiceNetworking/trafficControllers/z',
    });
    expect(gateway.spec.infrastructure).toEqual({
      labels: { team: 'platform' },
      parametersRef: { group: 'gateway.k8s.aws', kind: 'LoadBalancerConfiguration', name: 'internet-facing' },
    });
    expect(manifest(json, 'gw/Route').spec.parentRefs).toEqual([parentRef('https', 'portal')]);
    expect(construct!.dataPlane).toEqual({
      namespaceLabels: { 'kubernetes.io/metadata.name': 'backstage' },
      podLabels: { 'gateway.networking.k8s.io/gateway-name': 'portal' },
    });
  });

  it("attaches to an existing Gateway's named listeners without rendering one, and redirects only when given its HTTP listener", () => {
    const existing = (httpListener?: string) =>
      synthGateway({
        tls: undefined,
        gateway: GatewayRef.existing({
          name: 'shared',
          namespace: 'gateway-system',
          httpsListener: 'portal-https',
          ...(httpListener ? { httpListener } : {}),
        }),
      });
    const json = existing();
    expect(Object.values(resourcesOf(json, 'kubernetes_manifest')).map((r) => r.manifest.kind)).toEqual([
      'HTTPRoute',
    ]);
    expect(manifest(json, 'gw/Route').spec.parentRefs).toEqual([
      parentRef('portal-https', 'shared', 'gateway-system'),
    ]);
    expect(resourceAt(json, 'kubernetes_manifest', 'gw/Route').depends_on).toBeUndefined();
    expect(manifest(existing('web'), 'gw/RedirectRoute').spec.parentRefs).toEqual([
      parentRef('web', 'shared', 'gateway-system'),
    ]);
  });

  describe('validation', () => {
    it('refuses machineChallenge without a machine entry: there is no machine host to challenge for', () => {
      problemsWith({ machineChallenge: true }, [
        {
          where: 'test/gw',
          path: 'machineChallenge',
          says: ['has no machine host to challenge for', 'or leave machineChallenge out'],
        },
      ]);
    });

    it('refuses an auth-only gateway: the routes only carry traffic to it', () => {
      const { identityUpstream: _upstream, ...authOnly } = proxy;
      problemsWith({ authProxy: authOnly }, [
        {
          where: 'test/gw',
          path: 'authProxy',
          says: [
            'must sit in the request path: the routes only carry traffic to it',
            'got {"serviceName":"oauth2-proxy","namespace":"backstage","port":4180}',
            'Standard Gateway API has no portable external-auth filter',
          ],
        },
      ]);
    });

    it('refuses other identity headers than the contract, another backend, and a gateway in another namespace', () => {
      problemsWith(
        {
          authProxy: {
            ...proxy,
            namespace: 'sso',
            identityUpstream: { serviceName: 'other', port: 80, requestHeaders: ['X-Forwarded-User'] },
          },
        },
        [
          {
            where: 'test/gw',
            path: 'authProxy.identityUpstream.requestHeaders',
            says: ['must be exactly the identity headers of the header contract', 'got ["X-Forwarded-User"]'],
          },
          {
            where: 'test/gw',
            path: 'authProxy.namespace',
            says: [
              "is not the routes' namespace (backstage)",
              'got "sso"',
              "run the gateway in the portal's namespace",
            ],
          },
          {
            where: 'test/gw',
            path: 'authProxy.identityUpstream',
            says: ['proxies to another Service than the backend (backstage:7007)', 'got "other:80"'],
          },
        ],
      );
    });

    it('needs tls for a rendered Gateway, and refuses it for an existing one', () => {
      problemsWith({ tls: undefined }, [
        {
          where: 'test/gw',
          path: 'tls',
          says: [
            'is required when the portal renders its Gateway',
            'got nothing',
            'TlsSource.acme({ email })',
          ],
        },
      ]);
      problemsWith(
        {
          gateway: GatewayRef.existing({
            name: 'shared',
            namespace: 'gateway-system',
            httpsListener: 'https',
          }),
        },
        [
          {
            where: 'test/gw',
            path: 'tls',
            says: [
              'is the existing Gateway\'s business: its listener "https" terminates TLS with its owner\'s certificate',
              'got a TlsSource',
              'Leave tls out',
            ],
          },
        ],
      );
    });

    it('refuses bad Gateway options, naming each', () => {
      problemsWith(
        {
          gateway: GatewayRef.create({
            gatewayClassName: '',
            name: 'Portal',
            annotations: { 'cert-manager.io/cluster-issuer': 'x' },
            infrastructure: { labels: { 'gateway.networking.k8s.io/gateway-name': 'x' } },
          }),
        },
        [
          { where: 'test/gw', path: 'gateway.gatewayClassName', says: ['must not be empty', 'got ""'] },
          { where: 'test/gw', path: 'gateway.name', says: 'got "Portal"' },
          {
            where: 'test/gw',
            path: 'gateway.annotations.cert-manager.io/cluster-issuer',
            says: ['is managed by the tls prop', 'got "x"'],
          },
          {
            where: 'test/gw',
            path: 'gateway.infrastructure.labels.gateway.networking.k8s.io/gateway-name',
            says: [
              'must not use the gateway.networking.k8s.io/ prefix',
              'got "gateway.networking.k8s.io/gateway-name"',
            ],
          },
        ],
      );
      problemsWith(
        {
          tls: undefined,
          gateway: GatewayRef.existing({
            name: 'shared',
            namespace: 'gateway-system',
            httpsListener: 'HTTPS',
            httpListener: 'HTTPS',
          }),
        },
        [
          {
            where: 'test/gw',
            path: 'gateway.httpsListener',
            says: ['must be a listener name', 'got "HTTPS"'],
          },
          {
            where: 'test/gw',
            path: 'gateway.httpListener',
            says: ['must be a listener name', 'got "HTTPS"'],
          },
          {
            where: 'test/gw',
            path: 'gateway.httpListener',
            says: ['is the HTTPS listener too', 'got "HTTPS"'],
          },
        ],
      );
    });

    it('allows at most 8 infrastructure labels, as the CRD does', () => {
      const labels = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`l${i}`, 'x']));
      problemsWith(
        {
          gateway: GatewayRef.create({
            gatewayClassName: 'nginx',
            infrastructure: { labels, annotations: { 'not a key': 'x' } },
          }),
        },
        [
          {
            where: 'test/gw',
            path: 'gateway.infrastructure.labels',
            says: [
              'must have at most 8 entries',
              'got {"l0":"x",',
              'The Gateway API allows 8 labels and 8 annotations',
            ],
          },
          {
            where: 'test/gw',
            path: 'gateway.infrastructure.annotations.not a key',
            says: ['is not a label or annotation key', 'got "not a key"'],
          },
        ],
      );
    });

    it('refuses what is not a GatewayRef or a TlsSource, and a misspelled prop', () => {
      problemsWith({ gateway: { gatewayClassName: 'nginx' }, tls: 'portal-tls', gatway: {} }, [
        {
          where: 'test/gw',
          path: 'gateway',
          says: ['must be a GatewayRef', 'got {"gatewayClassName":"nginx"}'],
        },
        { where: 'test/gw', path: 'tls', says: ['must be a TlsSource', 'got "portal-tls"'] },
        { where: 'test/gw', path: 'gatway', says: ['is not a known property', 'got {}'] },
      ]);
    });
  });
});
