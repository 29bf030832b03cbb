// The same access intent on two controllers: the community ingress-nginx (NginxIngress)
// and the F5 NGINX Ingress Controller (F5NginxIngress). Each flavour's synthesized
// objects are read back as the controller would route them, and both must give the same
// answer: every path behind sign-in but /oauth2 and the ACME challenge, HTTPS forced,
// and exactly the header contract's identity headers reaching Backstage.
import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { ClusterIssuer, IDENTITY_HEADERS, NginxIngress, OidcGateway, OidcIssuer, TlsSource, identityHeaderNames } from '../../lib';
import { F5AuthGateway, F5NginxIngress, F5NginxIngressProps } from '../../lib/ingress/f5-nginx-ingress';
import { TfJson, errorOf, resourceAt, resourcesOf, synth, variableSecret } from '../helpers';

const HOST = 'backstage.example.com';
const CONTRACT = IDENTITY_HEADERS.map((h) => h.name);
const ACME_PATH = '/.well-known/acme-challenge/';

/** A route as the controller serves it. */
interface Route {
  readonly path: string;
  readonly service: string;
  /** What a request without a session gets. */
  readonly auth: 'sign-in redirect' | '401' | 'none';
  /** HTTP is redirected to HTTPS and a certificate is served for the host. */
  readonly https: boolean;
}

/** The identity a flavour hands to Backstage. */
interface IdentityHandling {
  /** Headers set from the signed-in session on requests to Backstage. */
  readonly setByGateway: readonly string[];
  /** Client-sent headers that are replaced or dropped on the way in. */
  readonly clientCopiesReplaced: readonly string[];
}

interface Flavour {
  readonly name: string;
  readonly json: TfJson;
  readonly routes: Route[];
  readonly identity: IdentityHandling;
}

function gatewayIn(stack: TerraformStack): OidcGateway {
  return new OidcGateway(stack, 'gw', {
    namespace: 'backstage',
    host: HOST,
    issuer: OidcIssuer.okta({ domain: 'example.okta.com' }),
    clientId: 'client-123',
    clientSecret: variableSecret(stack, 'oidc_client_secret'),
    cookieSecret: variableSecret(stack, 'cookie_secret'),
    access: { emailDomains: ['example.com'] },
  });
}

/** oauth2-proxy running as a reverse proxy in front of Backstage, setting the contract's headers. */
const proxyGateway: F5AuthGateway = {
  serviceName: 'oauth2-proxy',
  namespace: 'backstage',
  port: 4180,
  sessionStore: { proxyBufferSize: '32k' },
  identityUpstream: { serviceName: 'backstage', port: 7007, requestHeaders: identityHeaderNames() },
};

function f5Props(overrides: Partial<F5NginxIngressProps> = {}): F5NginxIngressProps {
  return {
    namespace: 'backstage',
    host: HOST,
    backend: { serviceName: 'backstage', port: 7007 },
    gateway: proxyGateway,
    tls: TlsSource.fromIssuer('letsencrypt-f5'),
    ...overrides,
  };
}

/** An ACME issuer whose HTTP-01 solver Ingress is a minion, as the F5 controller needs. */
function f5Issuer(stack: TerraformStack): void {
  new ClusterIssuer(stack, 'issuer', {
    name: 'letsencrypt-f5',
    spec: {
      acme: {
        server: 'https://acme-v02.api.letsencrypt.org/directory',
        email: 'platform@example.com',
        privateKeySecretRef: { name: 'letsencrypt-f5-account-key' },
        solvers: [{ http01: { ingress: { ingressClassName: 'nginx', ingressTemplate: F5NginxIngress.ACME_SOLVER_INGRESS_TEMPLATE } } }],
      },
    },
  });
}

const annotationsOf = (ingress: any): Record<string, string> => ingress.metadata.annotations ?? {};
const annotation = (ingress: any, key: string): string => annotationsOf(ingress)[key] ?? '';

/** The Ingress cert-manager creates for an HTTP-01 challenge, from the issuer's solver in the stack. */
function acmeSolverIngress(json: TfJson): any {
  const issuers = Object.values(resourcesOf(json, 'kubernetes_manifest')).filter((r) => r.manifest.kind === 'ClusterIssuer');
  expect(issuers).toHaveLength(1);
  const ingress = issuers[0].manifest.spec.acme.solvers[0].http01.ingress;
  return {
    metadata: { annotations: { ...(ingress.ingressTemplate?.metadata?.annotations ?? {}) } },
    spec: { ingress_class_name: ingress.ingressClassName, rule: [{ host: HOST, http: { path: [{ path: ACME_PATH, backend: { service: { name: 'cm-acme-http-solver' } } }] } }] },
  };
}

/** ingress-nginx: every Ingress is routed on its own annotations. */
function ingressNginxRoutes(json: TfJson): Route[] {
  const ingresses = [...Object.values(resourcesOf(json, 'kubernetes_ingress_v1')), acmeSolverIngress(json)];
  return ingresses.flatMap((ingress) => {
    const a = annotationsOf(ingress);
    const auth: Route['auth'] = a['nginx.ingress.kubernetes.io/auth-url'] ? (a['nginx.ingress.kubernetes.io/auth-signin'] ? 'sign-in redirect' : '401') : 'none';
    const https =
      a['nginx.ingress.kubernetes.io/ssl-redirect'] === 'true' &&
      a['nginx.ingress.kubernetes.io/force-ssl-redirect'] === 'true' &&
      (ingress.spec.tls ?? []).some((t: any) => t.hosts.includes(HOST));
    return ingress.spec.rule.flatMap((rule: any) => rule.http.path.map((p: any) => ({ path: p.path, service: p.backend.service.name, auth, https })));
  });
}

/** F5: minions take host-level settings from the master; policies on a minion override the master's. */
function f5Routes(json: TfJson): Route[] {
  const ingresses = [...Object.values(resourcesOf(json, 'kubernetes_ingress_v1')), acmeSolverIngress(json)];
  const type = (i: any) => annotationsOf(i)['nginx.org/mergeable-ingress-type'];
  const masters = ingresses.filter((i) => type(i) === 'master');
  expect(masters).toHaveLength(1);
  const master = masters[0];
  expect(master.spec.rule).toEqual([{ host: HOST }]);
  const policies = new Map<string, any>(
    Object.values(resourcesOf(json, 'kubernetes_manifest'))
      .filter((r) => r.manifest.kind === 'Policy')
      .map((r) => [r.manifest.metadata.name, r.manifest.spec]),
  );
  const list = (i: any) => (annotationsOf(i)['nginx.org/policies'] ?? '').split(',').filter((n: string) => n !== '');
  const externalAuthOf = (names: string[]) => names.map((n) => policies.get(n)?.externalAuth).find((e) => e !== undefined);
  const https = annotationsOf(master)['nginx.org/ssl-redirect'] === 'true' && master.spec.tls.some((t: any) => t.hosts.includes(HOST));
  const routes: Route[] = [];
  for (const minion of ingresses.filter((i) => type(i) === 'minion')) {
    const externalAuth = externalAuthOf(list(minion)) ?? externalAuthOf(list(master));
    const auth: Route['auth'] = externalAuth ? (externalAuth.authSigninURI ? 'sign-in redirect' : '401') : 'none';
    for (const rule of minion.spec.rule) {
      for (const p of rule.http.path) {
        routes.push({ path: p.path, service: p.backend.service.name, auth, https });
      }
    }
  }
  // The controller serves the sign-in base path of a policy with authSigninURI itself,
  // from the auth service and without auth.
  for (const spec of policies.values()) {
    if (spec.externalAuth?.authSigninURI) {
      routes.push({ path: spec.externalAuth.authSigninRedirectBasePath, service: spec.externalAuth.authServiceName.split('/')[1], auth: 'none', https });
    }
  }
  return routes;
}

function ingressNginxFlavour(): Flavour {
  const json = synth((stack) => {
    const gateway = gatewayIn(stack);
    new NginxIngress(stack, 'ing', {
      namespace: 'backstage',
      host: HOST,
      backend: { serviceName: 'backstage', port: 7007 },
      gateway,
      tls: TlsSource.acme({ email: 'platform@example.com' }),
    });
  });
  const main = resourceAt(json, 'kubernetes_ingress_v1', 'ing/Ingress');
  return {
    name: 'ingress-nginx',
    json,
    routes: ingressNginxRoutes(json),
    identity: {
      // nginx copies these from oauth2-proxy's auth answer onto the request to Backstage,
      // setting each one (empty when absent), so a client copy never survives.
      setByGateway: annotation(main, 'nginx.ingress.kubernetes.io/auth-response-headers').split(','),
      clientCopiesReplaced: annotation(main, 'nginx.ingress.kubernetes.io/auth-response-headers').split(','),
    },
  };
}

function f5Flavour(): Flavour {
  const json = synth((stack) => {
    f5Issuer(stack);
    new F5NginxIngress(stack, 'ing', f5Props());
  });
  const app = resourceAt(json, 'kubernetes_ingress_v1', 'ing/AppIngress');
  const stripped = annotation(app, 'nginx.org/proxy-set-headers')
    .split(',')
    .map((entry) => entry.split(':'))
    .filter(([, value]) => value?.trim() === '')
    .map(([name]) => (name ?? '').trim());
  return {
    name: 'F5 NGINX Ingress Controller',
    json,
    routes: f5Routes(json),
    identity: { setByGateway: proxyGateway.identityUpstream?.requestHeaders ?? [], clientCopiesReplaced: stripped },
  };
}

const flavours = [ingressNginxFlavour(), f5Flavour()];

describe.each(flavours)('$name flavour', (flavour) => {
  it('puts every path behind sign-in except /oauth2 and the ACME challenge', () => {
    const open = flavour.routes.filter((r) => r.auth === 'none');
    expect(open.map((r) => r.path).sort()).toEqual([ACME_PATH, '/oauth2']);
    expect(open.find((r) => r.path === '/oauth2')?.service).toBe('oauth2-proxy');
    const guarded = flavour.routes.filter((r) => r.auth !== 'none');
    expect(guarded.map((r) => [r.path, r.auth])).toEqual(
      expect.arrayContaining([
        ['/', 'sign-in redirect'],
        ['/api', '401'],
      ]),
    );
    expect(guarded).toHaveLength(2);
  });

  it('forces HTTPS with the certificate on every portal path', () => {
    const portal = flavour.routes.filter((r) => r.path !== ACME_PATH);
    expect(portal.length).toBeGreaterThanOrEqual(3);
    expect(portal.every((r) => r.https)).toBe(true);
  });

  it('hands Backstage exactly the identity headers of the header contract, never a client copy', () => {
    expect(flavour.identity.setByGateway).toEqual(CONTRACT);
    expect([...flavour.identity.clientCopiesReplaced].sort()).toEqual([...CONTRACT].sort());
    expect(flavour.identity.setByGateway.map((h) => h.toLowerCase())).not.toContain('authorization');
  });
});

describe('both flavours', () => {
  it('route the same paths with the same protection', () => {
    const table = (f: Flavour) =>
      f.routes
        .map((r) => `${r.path} ${r.auth}`)
        .sort();
    expect(table(flavours[0] as Flavour)).toEqual(table(flavours[1] as Flavour));
  });

  it('refuse snippet annotations, F5 spellings included', () => {
    const fix = (construct: string) =>
      `is a snippet annotation, which injects raw nginx configuration, got "x". Snippets are disabled by default since the IngressNightmare CVEs (2025); use the typed props of ${construct} instead.`;
    const extraAnnotations = { 'nginx.org/server-snippets': 'x', 'nginx.org/location-snippets': 'x' };
    expect(
      errorOf(() =>
        synth((stack) => new NginxIngress(stack, 'ing', { namespace: 'backstage', host: HOST, backend: { serviceName: 'backstage', port: 7007 }, gateway: gatewayIn(stack), tls: TlsSource.fromSecret('tls'), extraAnnotations })),
      ).split('\n'),
    ).toEqual([
      `[test/ing] extraAnnotations.nginx.org/server-snippets: ${fix('NginxIngress')}`,
      `[test/ing] extraAnnotations.nginx.org/location-snippets: ${fix('NginxIngress')}`,
    ]);
    expect(errorOf(() => synth((stack) => new F5NginxIngress(stack, 'ing', f5Props({ extraAnnotations })))).split('\n')).toEqual([
      `[test/ing] extraAnnotations.nginx.org/server-snippets: ${fix('F5NginxIngress')}`,
      `[test/ing] extraAnnotations.nginx.org/location-snippets: ${fix('F5NginxIngress')}`,
    ]);
  });
});

describe('F5NginxIngress', () => {
  const synthF5 = (overrides: Partial<F5NginxIngressProps> = {}) =>
    synth((stack) => {
      f5Issuer(stack);
      new F5NginxIngress(stack, 'ing', f5Props(overrides));
    });
  const master = (json: TfJson) => resourceAt(json, 'kubernetes_ingress_v1', 'ing/Ingress');
  const app = (json: TfJson) => resourceAt(json, 'kubernetes_ingress_v1', 'ing/AppIngress');
  const api = (json: TfJson) => resourceAt(json, 'kubernetes_ingress_v1', 'ing/ApiIngress');
  const manifest = (json: TfJson, suffix: string) => resourceAt(json, 'kubernetes_manifest', suffix).manifest;
  const errors = (overrides: Record<string, unknown>) => errorOf(() => synth((stack) => new F5NginxIngress(stack, 'ing', { ...f5Props(), ...overrides } as any))).split('\n');

  it('renders the external-auth policies for oauth2-proxy: sign-in for the portal, 401 for the API', () => {
    const json = synthF5();
    expect(manifest(json, 'ing/ExternalAuthPolicy')).toMatchObject({
      apiVersion: 'k8s.nginx.org/v1',
      kind: 'Policy',
      metadata: { name: 'backstage-external-auth', namespace: 'backstage' },
      spec: {
        ingressClassName: 'nginx',
        externalAuth: {
          authURI: '/oauth2/auth',
          authServiceName: 'backstage/oauth2-proxy',
          authServicePorts: [4180],
          authSigninURI: '/oauth2/start',
          authSigninRedirectBasePath: '/oauth2',
          sslEnabled: false,
        },
      },
    });
    expect(manifest(json, 'ing/ApiExternalAuthPolicy').spec).toEqual({
      ingressClassName: 'nginx',
      externalAuth: { authURI: '/oauth2/auth', authServiceName: 'backstage/oauth2-proxy', authServicePorts: [4180], sslEnabled: false },
    });
  });

  it('puts host, TLS, HTTPS redirect and HSTS on the master, and no policies or paths', () => {
    const json = synthF5();
    expect(master(json).metadata.annotations).toEqual({
      'nginx.org/mergeable-ingress-type': 'master',
      'nginx.org/ssl-redirect': 'true',
      'nginx.org/hsts': 'true',
      'nginx.org/hsts-max-age': '31536000',
      'nginx.org/hsts-include-subdomains': 'false',
      'nginx.org/server-tokens': 'false',
      'cert-manager.io/cluster-issuer': 'letsencrypt-f5',
    });
    expect(master(json).spec).toEqual({ ingress_class_name: 'nginx', tls: [{ hosts: [HOST], secret_name: 'backstage-example-com-tls' }], rule: [{ host: HOST }] });
  });

  it('routes / and /api through the gateway with buffers, limits and the identity headers stripped', () => {
    const json = synthF5();
    expect(app(json).metadata.annotations).toEqual({
      'nginx.org/mergeable-ingress-type': 'minion',
      'nginx.org/policies': 'backstage-external-auth',
      'nginx.org/proxy-buffer-size': '32k',
      'nginx.org/proxy-buffers': '8 32k',
      'nginx.org/client-max-body-size': '10m',
      'nginx.org/proxy-connect-timeout': '5s',
      'nginx.org/proxy-read-timeout': '60s',
      'nginx.org/proxy-send-timeout': '60s',
      'nginx.org/proxy-set-headers': 'X-Forwarded-User: ,X-Forwarded-Email: ,X-Forwarded-Preferred-Username: ,X-OAUTH2-PROXY-ID-TOKEN: ',
    });
    expect(app(json).spec.tls).toBeUndefined();
    expect(app(json).spec.rule).toEqual([
      { host: HOST, http: { path: [{ path: '/', path_type: 'Prefix', backend: { service: { name: 'oauth2-proxy', port: { number: 4180 } } } }] } },
    ]);
    expect(api(json).metadata.annotations['nginx.org/policies']).toBe('backstage-external-auth-api');
    expect(api(json).spec.rule[0].http.path.map((p: any) => p.path)).toEqual(['/api']);
  });

  it('applies the allow-list and rate limit to the portal and API minions only', () => {
    const json = synthF5({ allowSourceRanges: ['203.0.113.0/24'], rateLimit: { requestsPerSecond: 10, burstMultiplier: 3 }, apiPaths: ['/api', '/graphql'] });
    expect(manifest(json, 'ing/AccessControlPolicy')).toMatchObject({
      kind: 'Policy',
      metadata: { name: 'backstage-allow-list' },
      spec: { ingressClassName: 'nginx', accessControl: { allow: ['203.0.113.0/24'] } },
    });
    for (const minion of [app(json), api(json)]) {
      expect(minion.metadata.annotations).toMatchObject({ 'nginx.org/limit-req-rate': '10r/s', 'nginx.org/limit-req-burst': '30' });
    }
    expect(app(json).metadata.annotations['nginx.org/policies']).toBe('backstage-external-auth,backstage-allow-list');
    expect(api(json).metadata.annotations['nginx.org/policies']).toBe('backstage-external-auth-api,backstage-allow-list');
    expect(master(json).metadata.annotations).not.toHaveProperty('nginx.org/policies');
    expect(api(json).spec.rule[0].http.path.map((p: any) => p.path)).toEqual(['/api', '/graphql']);
  });

  it('takes explicit sizes, timeouts and HSTS settings, and redirects by X-Forwarded-Proto behind a TLS proxy', () => {
    const json = synthF5({
      proxyBufferSize: '64k',
      proxyBodySize: '50m',
      timeouts: { connectSeconds: 2, readSeconds: 300, sendSeconds: 120 },
      hsts: { maxAgeSeconds: 63072000, includeSubdomains: true },
      behindTlsTerminatingProxy: true,
    });
    expect(app(json).metadata.annotations).toMatchObject({
      'nginx.org/proxy-buffer-size': '64k',
      'nginx.org/proxy-buffers': '8 64k',
      'nginx.org/client-max-body-size': '50m',
      'nginx.org/proxy-connect-timeout': '2s',
      'nginx.org/proxy-read-timeout': '300s',
      'nginx.org/proxy-send-timeout': '120s',
    });
    expect(master(json).metadata.annotations).toMatchObject({
      'nginx.org/redirect-to-https': 'true',
      'nginx.org/hsts-behind-proxy': 'true',
      'nginx.org/hsts-max-age': '63072000',
      'nginx.org/hsts-include-subdomains': 'true',
    });
  });

  it('passes harmless extra annotations to both minions', () => {
    const json = synthF5({ extraAnnotations: { 'nginx.org/websocket-services': 'oauth2-proxy', 'example.com/team': 'platform' } });
    expect(app(json).metadata.annotations).toMatchObject({ 'nginx.org/websocket-services': 'oauth2-proxy', 'example.com/team': 'platform' });
    expect(api(json).metadata.annotations).toMatchObject({ 'example.com/team': 'platform' });
  });

  it('uses an existing TLS secret without cert-manager', () => {
    const json = synth((stack) => new F5NginxIngress(stack, 'ing', f5Props({ tls: TlsSource.fromSecret('portal-tls') })));
    expect(Object.keys(master(json).metadata.annotations).some((k) => k.startsWith('cert-manager.io/'))).toBe(false);
    expect(master(json).spec.tls).toEqual([{ hosts: [HOST], secret_name: 'portal-tls' }]);
  });

  describe('validation', () => {
    it('refuses an auth-only gateway: F5 cannot pass the identity headers from the auth answer', () => {
      expect(errorOf(() => synth((stack) => new F5NginxIngress(stack, 'ing', f5Props({ gateway: gatewayIn(stack) as unknown as F5AuthGateway })))).split('\n')).toEqual([
        "[test/ing] gateway: cannot hand the identity headers to the backend on the F5 controller, got an OidcGateway. F5's externalAuth policy does not copy auth-response headers to the backend (nginx/kubernetes-ingress#10525) and snippets are refused: run the gateway as a reverse proxy in front of the backend that sets the identity headers itself (identityUpstream), or use NginxIngress.",
      ]);
    });

    it('refuses a gateway that sets other identity headers than the contract, or proxies elsewhere', () => {
      expect(
        errors({
          gateway: { ...proxyGateway, identityUpstream: { serviceName: 'other', port: 80, requestHeaders: ['X-Forwarded-User', 'Authorization'] } },
        }),
      ).toEqual([
        '[test/ing] gateway.identityUpstream.requestHeaders: must be exactly the identity headers of the header contract, got ["X-Forwarded-User","Authorization"]. Have the gateway set X-Forwarded-User, X-Forwarded-Email, X-Forwarded-Preferred-Username, X-OAUTH2-PROXY-ID-TOKEN (identityHeaderNames()), no more and no fewer: Backstage trusts exactly these.',
        '[test/ing] gateway.identityUpstream: proxies to another Service than the backend (backstage:7007), got "other:80". Point the gateway\'s upstream at the portal\'s backend, or the portal is served without it.',
      ]);
    });

    it('accepts the contract headers in any order and case', () => {
      const requestHeaders = [...identityHeaderNames()].reverse().map((h) => h.toLowerCase());
      expect(() => synthF5({ gateway: { ...proxyGateway, identityUpstream: { serviceName: 'backstage', port: 7007, requestHeaders } } })).not.toThrow();
    });

    it('refuses something that is not a gateway or a TlsSource', () => {
      expect(errors({ gateway: {}, tls: 'portal-tls' })).toEqual([
        '[test/ing] gateway: must be an auth gateway with serviceName, namespace and port, got {}. Pass the oauth2-proxy gateway of the portal.',
        '[test/ing] tls: must be a TlsSource, got "portal-tls". Use TlsSource.fromIssuer(name), .fromSecret(name) or .privateCa(secret).',
      ]);
    });

    it('refuses an ACME HTTP-01 issuer whose challenge Ingress would collide with the portal host', () => {
      expect(errors({ tls: TlsSource.acme({ email: 'platform@example.com' }) })).toEqual([
        '[test/ing] tls: uses an ACME HTTP-01 solver whose challenge Ingress the F5 controller rejects (a second Ingress for the same host), got a TlsSource. Use an issuer whose solver has http01.ingress.ingressTemplate = F5NginxIngress.ACME_SOLVER_INGRESS_TEMPLATE (TlsSource.fromIssuer(name)), a DNS-01 issuer, or TlsSource.fromSecret(name).',
      ]);
    });

    it('refuses annotations it manages, host-level ones and cert-manager ones', () => {
      expect(
        errors({
          extraAnnotations: {
            'nginx.org/policies': 'other',
            'nginx.org/hsts': 'false',
            'nginx.org/proxy-set-headers': 'X-Forwarded-User: admin',
            'nginx.org/proxy-hide-headers': 'Server',
            'acme.cert-manager.io/http01-edit-in-place': 'true',
          },
        }),
      ).toEqual([
        '[test/ing] extraAnnotations.nginx.org/policies: is managed by F5NginxIngress, got "other". Set it through the gateway and "allowSourceRanges" props.',
        '[test/ing] extraAnnotations.nginx.org/hsts: is managed by F5NginxIngress, got "false". Set it through nothing: HSTS is always on.',
        '[test/ing] extraAnnotations.nginx.org/proxy-set-headers: is managed by F5NginxIngress, got "X-Forwarded-User: admin". Set it through nothing: the identity headers are stripped from client requests.',
        "[test/ing] extraAnnotations.nginx.org/proxy-hide-headers: is a host-level annotation, which the portal's minion Ingress cannot carry, got \"Server\". Set it on the controller's ConfigMap (controller.config.entries) instead.",
        '[test/ing] extraAnnotations.acme.cert-manager.io/http01-edit-in-place: is managed by the tls prop, got "true". Choose the issuer with TlsSource.fromIssuer() or .privateCa(); only the master Ingress asks cert-manager for the certificate.',
      ]);
    });

    it('refuses bad paths, sizes, networks, limits, timeouts and HSTS ages', () => {
      expect(
        errors({
          apiPaths: ['/api/', '/oauth2/x'],
          proxyBufferSize: '16',
          proxyBodySize: 'big',
          allowSourceRanges: [],
          rateLimit: { requestsPerSecond: 0 },
          timeouts: { readSeconds: 7200 },
          hsts: { maxAgeSeconds: 300 },
        }),
      ).toEqual([
        '[test/ing] apiPaths[0]: must be a path prefix such as "/api", got "/api/". Start with "/" and leave out regular expressions and the trailing "/".',
        '[test/ing] apiPaths[1]: must not cover /oauth2, got "/oauth2/x". The sign-in paths under /oauth2 stay outside auth; pick a prefix such as "/api".',
        '[test/ing] proxyBufferSize: must be a size such as "16k", got "16". Use a number followed by "k" or "m".',
        '[test/ing] allowSourceRanges: must list at least one network, got []. Leave it out to allow any address.',
        '[test/ing] rateLimit.requestsPerSecond: must be at least 1, got 0. Use a whole number of requests per second.',
        '[test/ing] proxyBodySize: must be a size such as "10m", got "big". Use a number followed by "k", "m" or "g".',
        '[test/ing] timeouts.readSeconds: readSeconds must be at most 3600 seconds, got 7200. Long-running calls should not hold a proxy connection open for hours.',
        '[test/ing] hsts.maxAgeSeconds: must be at least one day (86400), got 300. Browsers forget a short HSTS policy between visits; use 31536000 (one year).',
      ]);
    });

    it('reports a misspelled prop', () => {
      expect(errors({ extraAnnotation: {} })).toEqual([
        '[test/ing] extraAnnotation: is not a known property, got {}. Check the spelling against the documented props.',
      ]);
    });
  });
});
