// GatewayApiIngress: the portal's Gateway API objects (gateway.networking.k8s.io/v1) as
// synthesized, with every field the CRDs would default written out, and the validation
// messages of each rule.
import { describe, expect, it } from 'vitest';

import { identityHeaderNames, TlsSource } from '../../lib';
import {
  GatewayApiAuthProxy,
  GatewayApiIngress,
  GatewayApiIngressProps,
} from '../../lib/ingress/gateway-api-ingress';
import { GatewayRef } from '../../lib/ingress/gateway-ref';
import { errorOf, resourceAt, resourcesOf, synth, TfJson } from '../helpers';

const HOST = 'backstage.example.com';
const LABELS = {
  'app.kubernetes.io/name': 'backstage',
  'app.kubernetes.io/instance': 'backstage',
  'app.kubernetes.io/component': 'ingress',
  'app.kubernetes.io/part-of': 'backstage-portal',
  'app.kubernetes.io/managed-by': 'cdktf-backstage',
};
const proxy: GatewayApiAuthProxy = {
  serviceName: 'oauth2-proxy',
  namespace: 'backstage',
  port: 4180,
  identityUpstream: { serviceName: 'backstage', port: 7007, requestHeaders: identityHeaderNames() },
};
const props = (overrides: Partial<GatewayApiIngressProps> = {}): GatewayApiIngressProps => ({
  namespace: 'backstage',
  host: HOST,
  backend: { serviceName: 'backstage', port: 7007 },
  authProxy: proxy,
  gateway: GatewayRef.create({ gatewayClassName: 'nginx' }),
  tls: TlsSource.fromSecret('portal-tls'),
  ...overrides,
});
const synthGateway = (overrides: Partial<GatewayApiIngressProps> = {}) =>
  synth((stack) => new GatewayApiIngress(stack, 'gw', props(overrides)));
const manifest = (json: TfJson, suffix: string) => resourceAt(json, 'kubernetes_manifest', suffix).manifest;
const errors = (overrides: Record<string, unknown>) =>
  errorOf(() =>
    synth(
      (stack) => new GatewayApiIngress(stack, 'gw', { ...props(), ...overrides } as GatewayApiIngressProps),
    ),
  ).split('\n');
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
    it('refuses an auth-only gateway: the routes only carry traffic to it', () => {
      const { identityUpstream: _upstream, ...authOnly } = proxy;
      expect(errors({ authProxy: authOnly })).toEqual([
        '[test/gw] authProxy: must sit in the request path: the routes only carry traffic to it, got {"serviceName":"oauth2-proxy","namespace":"backstage","port":4180}. Standard Gateway API has no portable external-auth filter: run oauth2-proxy as a reverse proxy in front of the backend that sets the identity headers itself (OidcGateway upstream), or use NginxIngress.',
      ]);
    });

    it('refuses other identity headers than the contract, another backend, and a gateway in another namespace', () => {
      expect(
        errors({
          authProxy: {
            ...proxy,
            namespace: 'sso',
            identityUpstream: { serviceName: 'other', port: 80, requestHeaders: ['X-Forwarded-User'] },
          },
        }),
      ).toEqual([
        '[test/gw] authProxy.identityUpstream.requestHeaders: must be exactly the identity headers of the header contract, got ["X-Forwarded-User"]. Have the gateway set X-Forwarded-User, X-Forwarded-Email, X-Forwarded-Preferred-Username, X-OAUTH2-PROXY-ID-TOKEN (identityHeaderNames()), no more and no fewer: Backstage trusts exactly these.',
        "[test/gw] authProxy.namespace: is not the routes' namespace (backstage), got \"sso\". A route reaches another namespace's Service only with a ReferenceGrant: run the gateway in the portal's namespace.",
        '[test/gw] authProxy.identityUpstream: proxies to another Service than the backend (backstage:7007), got "other:80". Point the gateway\'s upstream at the portal\'s backend, or the portal is served without it.',
      ]);
    });

    it('needs tls for a rendered Gateway, and refuses it for an existing one', () => {
      expect(errors({ tls: undefined })).toEqual([
        "[test/gw] tls: is required when the portal renders its Gateway, got nothing. Say where the HTTPS listener's certificate comes from: TlsSource.acme({ email }), .fromIssuer(name), .fromSecret(name) or .privateCa(secret).",
      ]);
      expect(
        errors({
          gateway: GatewayRef.existing({
            name: 'shared',
            namespace: 'gateway-system',
            httpsListener: 'https',
          }),
        }),
      ).toEqual([
        "[test/gw] tls: is the existing Gateway's business: its listener \"https\" terminates TLS with its owner's certificate, got a TlsSource. Leave tls out, and have the Gateway's owner add a certificate for the host to that listener (e.g. with cert-manager's annotation on their Gateway).",
      ]);
    });

    it('refuses bad Gateway options, naming each', () => {
      expect(
        errors({
          gateway: GatewayRef.create({
            gatewayClassName: '',
            name: 'Portal',
            annotations: { 'cert-manager.io/cluster-issuer': 'x' },
            infrastructure: { labels: { 'gateway.networking.k8s.io/gateway-name': 'x' } },
          }),
        }),
      ).toEqual([
        '[test/gw] gateway.gatewayClassName: must not be empty, got "". Name the GatewayClass of your implementation (kubectl get gatewayclass).',
        expect.stringMatching(/^\[test\/gw\] gateway\.name: .*got "Portal"/),
        '[test/gw] gateway.annotations.cert-manager.io/cluster-issuer: is managed by the tls prop, got "x". Choose the issuer with TlsSource.acme(), .fromIssuer() or .privateCa(); the portal annotates its Gateway for cert-manager\'s gateway-shim itself.',
        '[test/gw] gateway.infrastructure.labels.gateway.networking.k8s.io/gateway-name: must not use the gateway.networking.k8s.io/ prefix, got "gateway.networking.k8s.io/gateway-name". The Gateway API reserves it; pick a prefix of your own.',
      ]);
      expect(
        errors({
          tls: undefined,
          gateway: GatewayRef.existing({
            name: 'shared',
            namespace: 'gateway-system',
            httpsListener: 'HTTPS',
            httpListener: 'HTTPS',
          }),
        }),
      ).toEqual([
        '[test/gw] gateway.httpsListener: must be a listener name, got "HTTPS". Use the `name` of the listener in the Gateway\'s spec.listeners (lower case, digits, "-", ".").',
        '[test/gw] gateway.httpListener: must be a listener name, got "HTTPS". Use the `name` of the listener in the Gateway\'s spec.listeners (lower case, digits, "-", ".").',
        '[test/gw] gateway.httpListener: is the HTTPS listener too, got "HTTPS". Name the Gateway\'s plain-HTTP listener, or leave httpListener out.',
      ]);
    });

    it('allows at most 8 infrastructure labels, as the CRD does', () => {
      const labels = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`l${i}`, 'x']));
      expect(
        errors({
          gateway: GatewayRef.create({
            gatewayClassName: 'nginx',
            infrastructure: { labels, annotations: { 'not a key': 'x' } },
          }),
        }),
      ).toEqual([
        expect.stringMatching(
          /^\[test\/gw\] gateway\.infrastructure\.labels: must have at most 8 entries, got \{"l0":"x",.*\. The Gateway API allows 8 labels and 8 annotations on infrastructure\.$/,
        ),
        '[test/gw] gateway.infrastructure.annotations.not a key: is not a label or annotation key, got "not a key". Use an optional DNS prefix and a name, e.g. "example.com/team".',
      ]);
    });

    it('refuses what is not a GatewayRef or a TlsSource, and a misspelled prop', () => {
      expect(errors({ gateway: { gatewayClassName: 'nginx' }, tls: 'portal-tls', gatway: {} })).toEqual([
        '[test/gw] gateway: must be a GatewayRef, got {"gatewayClassName":"nginx"}. Use GatewayRef.create({ gatewayClassName }) or GatewayRef.existing({ name, namespace, httpsListener }).',
        '[test/gw] tls: must be a TlsSource, got "portal-tls". Use TlsSource.acme({...}), .fromIssuer(name), .fromSecret(name), .privateCa(secret) or .selfSigned().',
        '[test/gw] gatway: is not a known property, got {}. Check the spelling against the documented props.',
      ]);
    });
  });
});
