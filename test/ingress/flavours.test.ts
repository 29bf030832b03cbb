// The same access intent on three front doors: the community ingress-nginx (NginxIngress),
// the F5 NGINX Ingress Controller (F5NginxIngress, with oauth2-proxy in the request path)
// and the Gateway API (GatewayApiIngress, oauth2-proxy in the request path too). Each
// flavour's synthesized objects are read back as the controller (and, on F5 and the Gateway
// API, the gateway behind it) would answer a set of requests, and all must give the same
// answer: every path behind sign-in but /oauth2 and the ACME challenge, 401 on the API,
// HTTPS forced, and exactly the header contract's identity headers reaching Backstage.
import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import {
  ClusterIssuer,
  IDENTITY_HEADERS,
  identityHeaderNames,
  NginxIngress,
  OidcGateway,
  OidcGatewayProps,
  OidcIssuer,
  SessionStore,
  TlsSource,
} from '../../lib';
import { F5AuthGateway, F5NginxIngress, F5NginxIngressProps } from '../../lib/ingress/f5-nginx-ingress';
import { GatewayApiIngress } from '../../lib/ingress/gateway-api-ingress';
import { GatewayRef } from '../../lib/ingress/gateway-ref';
import {
  type ExpectedProblem,
  expectProblems,
  resourceAt,
  resourcesOf,
  synth,
  TfJson,
  variableSecret,
} from '../helpers';

const HOST = 'backstage.example.com';
const CONTRACT = IDENTITY_HEADERS.map((h) => h.name);
const ACME_PATH = '/.well-known/acme-challenge/';

/** What a request gets from a flavour. */
interface Answer {
  /** Without a session. */
  readonly auth: 'sign-in redirect' | '401' | 'none';
  /** The Service that finally serves it (with a session where one is needed). */
  readonly servedBy: string;
  /** HTTP is redirected to HTTPS and a certificate is served for the host. */
  readonly https: boolean;
}

/** Requests (path and query) every flavour is asked about. */
const REQUESTS = [
  '/',
  '/catalog?kind=component',
  '/api',
  '/api/catalog/entities',
  '/api?x=1',
  '/apix',
  '/oauth2/start?rd=%2F',
  '/oauth2/callback?code=x',
  '/oauth2/sign_out',
  `${ACME_PATH}token`,
] as const;

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
  readonly answer: (request: string) => Answer;
  readonly identity: IdentityHandling;
}

function gatewayIn(stack: TerraformStack, overrides: Partial<OidcGatewayProps> = {}): OidcGateway {
  return new OidcGateway(stack, 'gw', {
    namespace: 'backstage',
    host: HOST,
    issuer: OidcIssuer.okta({ domain: 'example.okta.com' }),
    clientId: 'client-123',
    clientSecret: variableSecret(stack, 'oidc_client_secret'),
    cookieSecret: variableSecret(stack, 'cookie_secret'),
    access: { emailDomains: ['example.com'] },
    ...overrides,
  });
}

/** What F5NginxIngress takes from a gateway in the request path (as BackstagePortal passes it). */
function f5GatewayOf(gateway: OidcGateway): F5AuthGateway {
  return {
    serviceName: gateway.serviceName,
    namespace: gateway.namespace,
    port: gateway.port,
    sessionStore: gateway.sessionStore,
    identityUpstream: gateway.identityUpstream,
  };
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
        solvers: [
          {
            http01: {
              ingress: {
                ingressClassName: 'nginx',
                ingressTemplate: F5NginxIngress.ACME_SOLVER_INGRESS_TEMPLATE,
              },
            },
          },
        ],
      },
    },
  });
}

const annotationsOf = (ingress: any): Record<string, string> => ingress.metadata.annotations ?? {};
const annotation = (ingress: any, key: string): string => annotationsOf(ingress)[key] ?? '';

/** The Ingress cert-manager creates for an HTTP-01 challenge, from the issuer's solver in the stack. */
function acmeSolverIngress(json: TfJson): any {
  const issuers = Object.values(resourcesOf(json, 'kubernetes_manifest')).filter(
    (r) => r.manifest.kind === 'ClusterIssuer',
  );
  expect(issuers).toHaveLength(1);
  const ingress = issuers[0].manifest.spec.acme.solvers[0].http01.ingress;
  return {
    metadata: { annotations: { ...(ingress.ingressTemplate?.metadata?.annotations ?? {}) } },
    spec: {
      ingress_class_name: ingress.ingressClassName,
      rule: [
        {
          host: HOST,
          http: {
            path: [
              { path: ACME_PATH, path_type: 'Prefix', backend: { service: { name: 'cm-acme-http-solver' } } },
            ],
          },
        },
      ],
    },
  };
}

/** A Kubernetes `Prefix` path: the request path itself or a path below it. */
const prefixMatches = (prefix: string, path: string) =>
  prefix === '/' ||
  path === prefix.replace(/\/$/, '') ||
  path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);

/** The path of the Ingresses that serves a request (the longest matching prefix), and its Ingress. */
function routeOf(ingresses: readonly any[], request: string): { ingress: any; service: string } {
  const path = request.split('?')[0]!;
  const candidates = ingresses.flatMap((ingress) =>
    (ingress.spec.rule ?? []).flatMap((rule: any) =>
      (rule.http?.path ?? []).map((p: any) => ({
        ingress,
        prefix: String(p.path),
        service: String(p.backend.service.name),
      })),
    ),
  );
  const matching = candidates
    .filter((c) => prefixMatches(c.prefix, path))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  expect(matching.length, `a route for ${request}`).toBeGreaterThan(0);
  return matching[0]!;
}

/** ingress-nginx: every Ingress is routed on its own annotations. */
function ingressNginxAnswers(json: TfJson): (request: string) => Answer {
  const ingresses = [...Object.values(resourcesOf(json, 'kubernetes_ingress_v1')), acmeSolverIngress(json)];
  return (request) => {
    const { ingress, service } = routeOf(ingresses, request);
    const a = annotationsOf(ingress);
    const auth: Answer['auth'] = a['nginx.ingress.kubernetes.io/auth-url']
      ? a['nginx.ingress.kubernetes.io/auth-signin']
        ? 'sign-in redirect'
        : '401'
      : 'none';
    const https =
      a['nginx.ingress.kubernetes.io/ssl-redirect'] === 'true' &&
      a['nginx.ingress.kubernetes.io/force-ssl-redirect'] === 'true' &&
      (ingress.spec.tls ?? []).some((t: any) => t.hosts.includes(HOST));
    return { auth, servedBy: service, https };
  };
}

/**
 * oauth2-proxy in the request path decides a request as it does: its proxy prefix /oauth2
 * is served without a session, its --api-route regexes (matched against path and query)
 * answer 401, everything else is redirected to sign-in, and signed-in requests go to its
 * upstream.
 */
function inPathGateway(
  request: string,
  gateway: { serviceName: string; upstream: string; apiRoutes: readonly RegExp[] },
): Omit<Answer, 'https'> {
  const path = request.split('?')[0]!;
  if (path === '/oauth2' || path.startsWith('/oauth2/')) {
    return { auth: 'none', servedBy: gateway.serviceName };
  }
  return {
    auth: gateway.apiRoutes.some((r) => r.test(request)) ? '401' : 'sign-in redirect',
    servedBy: gateway.upstream,
  };
}

/** A Gateway API `PathPrefix`: element-wise, so `/api` matches `/api` and `/api/x`, not `/apix`. */
const gatewayPrefixMatches = (prefix: string, path: string) => {
  const trimmed = prefix.replace(/\/$/, '');
  return trimmed === '' || path === trimmed || path.startsWith(`${trimmed}/`);
};

/**
 * Gateway API: a request arrives on a listener of the Gateway (the portal's over HTTPS, the
 * ACME challenge over plain HTTP). Among the rules of the HTTPRoutes attached to that
 * listener for the host, the most specific match wins, as the API orders matches across
 * routes: an Exact path before any PathPrefix, a longer prefix before a shorter one.
 * cert-manager's challenge route comes from the issuer's gatewayHTTPRoute solver (an Exact
 * match on the token's path). A rule that forwards to oauth2-proxy is decided by it.
 */
function gatewayApiAnswers(
  json: TfJson,
  gateway: { serviceName: string; upstream: string; apiRoutes: readonly RegExp[] },
): (request: string) => Answer {
  const manifests = Object.values(resourcesOf(json, 'kubernetes_manifest')).map((r) => r.manifest);
  const gateways = manifests.filter((m) => m.kind === 'Gateway');
  expect(gateways).toHaveLength(1);
  const listeners = gateways[0].spec.listeners as any[];
  const issuers = manifests.filter((m) => m.kind === 'ClusterIssuer');
  expect(issuers).toHaveLength(1);
  const solver = issuers[0].spec.acme.solvers[0].http01.gatewayHTTPRoute;
  const challengeRoute = {
    spec: {
      parentRefs: solver.parentRefs,
      hostnames: [HOST],
      rules: [
        {
          matches: [{ path: { type: 'Exact', value: `${ACME_PATH}token` } }],
          backendRefs: [{ name: 'cm-acme-http-solver', port: 8089 }],
        },
      ],
    },
  };
  const routes = [...manifests.filter((m) => m.kind === 'HTTPRoute'), challengeRoute];
  const ruleFor = (listener: string, request: string) => {
    const path = request.split('?')[0]!;
    const candidates = routes
      .filter(
        (r) =>
          r.spec.parentRefs.some(
            (p: any) => p.name === gateways[0].metadata.name && p.sectionName === listener,
          ) && r.spec.hostnames.includes(HOST),
      )
      .flatMap((r) =>
        r.spec.rules.flatMap((rule: any) =>
          (rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]).map((m: any) => ({
            rule,
            match: m.path,
          })),
        ),
      )
      .filter(({ match }) =>
        match.type === 'Exact' ? match.value === path : gatewayPrefixMatches(match.value, path),
      )
      .sort((a, b) =>
        a.match.type === b.match.type
          ? b.match.value.length - a.match.value.length
          : a.match.type === 'Exact'
            ? -1
            : 1,
      );
    expect(candidates.length, `a route for ${request} on listener ${listener}`).toBeGreaterThan(0);
    return candidates[0]!.rule;
  };
  const httpsListener = listeners.find((l) => l.protocol === 'HTTPS');
  const terminates =
    httpsListener?.hostname === HOST &&
    httpsListener.tls?.mode === 'Terminate' &&
    httpsListener.tls.certificateRefs.length > 0;
  return (request) => {
    const overHttp = ruleFor('http', request);
    const redirected = (overHttp.filters ?? []).some(
      (f: any) => f.type === 'RequestRedirect' && f.requestRedirect.scheme === 'https',
    );
    const https = redirected && !overHttp.backendRefs && terminates;
    // The challenge is answered where the CA asks for it: over plain HTTP.
    if (request.startsWith(ACME_PATH)) {
      return { auth: 'none', servedBy: String(overHttp.backendRefs[0].name), https };
    }
    const rule = ruleFor('https', request);
    const service = String(rule.backendRefs[0].name);
    return service === gateway.serviceName
      ? { ...inPathGateway(request, gateway), https }
      : { auth: 'none', servedBy: service, https };
  };
}

/**
 * F5: minions take host-level settings from the master; a minion's externalAuth Policy
 * would decide auth at the controller. Where a minion sends a request to the gateway in
 * the request path, oauth2-proxy decides as it does: its proxy prefix /oauth2 is served
 * without a session, its --api-route regexes (matched against path and query) answer 401,
 * everything else is redirected to sign-in, and signed-in requests go to its upstream.
 */
function f5Answers(
  json: TfJson,
  gateway: { serviceName: string; upstream: string; apiRoutes: readonly RegExp[] },
): (request: string) => Answer {
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
  const list = (i: any) =>
    (annotationsOf(i)['nginx.org/policies'] ?? '').split(',').filter((n: string) => n !== '');
  const https =
    annotationsOf(master)['nginx.org/ssl-redirect'] === 'true' &&
    master.spec.tls.some((t: any) => t.hosts.includes(HOST));
  const minions = ingresses.filter((i) => type(i) === 'minion');
  return (request) => {
    const { ingress, service } = routeOf(minions, request);
    const externalAuth = [...list(ingress), ...list(master)]
      .map((n) => policies.get(n)?.externalAuth)
      .find((e) => e !== undefined);
    expect(
      externalAuth,
      'an externalAuth Policy (the gateway in the request path does the auth)',
    ).toBeUndefined();
    if (service !== gateway.serviceName) {
      return { auth: 'none', servedBy: service, https };
    }
    return { ...inPathGateway(request, gateway), https };
  };
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
    answer: ingressNginxAnswers(json),
    identity: {
      // nginx copies these from oauth2-proxy's auth answer onto the request to Backstage,
      // setting each one (empty when absent), so a client copy never survives.
      setByGateway: annotation(main, 'nginx.ingress.kubernetes.io/auth-response-headers').split(','),
      clientCopiesReplaced: annotation(main, 'nginx.ingress.kubernetes.io/auth-response-headers').split(','),
    },
  };
}

function f5Flavour(): Flavour {
  let gateway: OidcGateway | undefined;
  const json = synth((stack) => {
    f5Issuer(stack);
    // As BackstagePortal wires it: the API prefix "/api" as oauth2-proxy's route.
    gateway = gatewayIn(stack, {
      upstream: { serviceName: 'backstage', port: 7007 },
      apiPaths: ['^/api([/?]|$)'],
    });
    new F5NginxIngress(stack, 'ing', f5Props({ gateway: f5GatewayOf(gateway) }));
  });
  const args: string[] = resourceAt(json, 'kubernetes_deployment_v1', 'gw/Deployment').spec.template.spec
    .container[0].args;
  const apiRoutes = args
    .filter((a) => a.startsWith('--api-route='))
    .map((a) => new RegExp(a.slice('--api-route='.length)));
  expect(apiRoutes).toHaveLength(1);
  const app = resourceAt(json, 'kubernetes_ingress_v1', 'ing/AppIngress');
  const stripped = annotation(app, 'nginx.org/proxy-set-headers')
    .split(',')
    .map((entry) => entry.split(':'))
    .filter(([, value]) => value?.trim() === '')
    .map(([name]) => (name ?? '').trim());
  return {
    name: 'F5 NGINX Ingress Controller',
    json,
    answer: f5Answers(json, {
      serviceName: gateway!.serviceName,
      upstream: gateway!.identityUpstream!.serviceName,
      apiRoutes,
    }),
    identity: {
      setByGateway: gateway!.identityUpstream?.requestHeaders ?? [],
      clientCopiesReplaced: stripped,
    },
  };
}

function gatewayApiFlavour(): Flavour {
  let gateway: OidcGateway | undefined;
  const json = synth((stack) => {
    // As BackstagePortal wires it: the API prefix "/api" as oauth2-proxy's route.
    gateway = gatewayIn(stack, {
      upstream: { serviceName: 'backstage', port: 7007 },
      apiPaths: ['^/api([/?]|$)'],
      hsts: {},
    });
    new GatewayApiIngress(stack, 'ing', {
      namespace: 'backstage',
      host: HOST,
      backend: { serviceName: 'backstage', port: 7007 },
      authProxy: {
        serviceName: gateway.serviceName,
        namespace: gateway.namespace,
        port: gateway.port,
        identityUpstream: gateway.identityUpstream,
      },
      gateway: GatewayRef.create({ gatewayClassName: 'nginx' }),
      tls: TlsSource.acme({ email: 'platform@example.com' }),
    });
  });
  const args: string[] = resourceAt(json, 'kubernetes_deployment_v1', 'gw/Deployment').spec.template.spec
    .container[0].args;
  const apiRoutes = args
    .filter((a) => a.startsWith('--api-route='))
    .map((a) => new RegExp(a.slice('--api-route='.length)));
  expect(apiRoutes).toHaveLength(1);
  // No data plane header filter is portable: oauth2-proxy strips the client's copies of the
  // headers it injects (preserveRequestValue unset) and sets its own.
  const alpha = parse(resourceAt(json, 'kubernetes_config_map_v1', 'gw/Config').data['alpha-config.yaml']);
  const replaced = (alpha.injectRequestHeaders as Array<{ name: string; preserveRequestValue?: boolean }>)
    .filter((h) => h.preserveRequestValue !== true)
    .map((h) => h.name);
  return {
    name: 'Gateway API',
    json,
    answer: gatewayApiAnswers(json, {
      serviceName: gateway!.serviceName,
      upstream: gateway!.identityUpstream!.serviceName,
      apiRoutes,
    }),
    identity: {
      setByGateway: gateway!.identityUpstream?.requestHeaders ?? [],
      clientCopiesReplaced: replaced,
    },
  };
}

const flavours = [ingressNginxFlavour(), f5Flavour(), gatewayApiFlavour()];
/**
 * Each flavour's answers. The ACME challenge is answered over plain HTTP as well (F5's
 * challenge minion inherits the master's redirect, ingress-nginx's solver Ingress has
 * none), so HTTPS is compared for the portal's requests only.
 */
const table = (f: Flavour) =>
  Object.fromEntries(
    REQUESTS.map((r) => {
      const { https, ...rest } = f.answer(r);
      return [r, r.startsWith(ACME_PATH) ? rest : { ...rest, https }];
    }),
  );

describe.each(flavours)('$name flavour', (flavour) => {
  it('puts every path behind sign-in except /oauth2 and the ACME challenge, with 401 on the API', () => {
    const portal = (auth: Answer['auth']) => ({ auth, servedBy: 'backstage', https: true });
    const open = (servedBy: string) => ({ auth: 'none', servedBy, https: true });
    expect(table(flavour)).toEqual({
      '/': portal('sign-in redirect'),
      '/catalog?kind=component': portal('sign-in redirect'),
      '/api': portal('401'),
      '/api/catalog/entities': portal('401'),
      '/api?x=1': portal('401'),
      '/apix': portal('sign-in redirect'),
      '/oauth2/start?rd=%2F': open('oauth2-proxy'),
      '/oauth2/callback?code=x': open('oauth2-proxy'),
      '/oauth2/sign_out': open('oauth2-proxy'),
      [`${ACME_PATH}token`]: { auth: 'none', servedBy: 'cm-acme-http-solver' },
    });
  });

  it('hands Backstage exactly the identity headers of the header contract, never a client copy', () => {
    expect(flavour.identity.setByGateway).toEqual(CONTRACT);
    expect([...flavour.identity.clientCopiesReplaced].sort()).toEqual([...CONTRACT].sort());
    expect(flavour.identity.setByGateway.map((h) => h.toLowerCase())).not.toContain('authorization');
  });
});

describe('all flavours', () => {
  it('answer every request the same way', () => {
    expect(table(flavours[1] as Flavour)).toEqual(table(flavours[0] as Flavour));
    expect(table(flavours[2] as Flavour)).toEqual(table(flavours[0] as Flavour));
  });

  it('refuse snippet annotations, F5 spellings included', () => {
    const says = (construct: string) => [
      'is a snippet annotation, which injects raw nginx configuration',
      'got "x"',
      `use the typed props of ${construct} instead`,
    ];
    const extraAnnotations = { 'nginx.org/server-snippets': 'x', 'nginx.org/location-snippets': 'x' };
    expectProblems(
      () =>
        synth(
          (stack) =>
            new NginxIngress(stack, 'ing', {
              namespace: 'backstage',
              host: HOST,
              backend: { serviceName: 'backstage', port: 7007 },
              gateway: gatewayIn(stack),
              tls: TlsSource.fromSecret('tls'),
              extraAnnotations,
            }),
        ),
      [
        { where: 'test/ing', path: 'extraAnnotations.nginx.org/server-snippets', says: says('NginxIngress') },
        {
          where: 'test/ing',
          path: 'extraAnnotations.nginx.org/location-snippets',
          says: says('NginxIngress'),
        },
      ],
    );
    expectProblems(
      () => synth((stack) => new F5NginxIngress(stack, 'ing', f5Props({ extraAnnotations }))),
      [
        {
          where: 'test/ing',
          path: 'extraAnnotations.nginx.org/server-snippets',
          says: says('F5NginxIngress'),
        },
        {
          where: 'test/ing',
          path: 'extraAnnotations.nginx.org/location-snippets',
          says: says('F5NginxIngress'),
        },
      ],
    );
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
  const policiesOf = (json: TfJson) =>
    Object.values(resourcesOf(json, 'kubernetes_manifest'))
      .map((r) => r.manifest)
      .filter((m) => m.kind === 'Policy');
  const problemsWith = (overrides: Record<string, unknown>, expected: readonly ExpectedProblem[]) =>
    expectProblems(
      () => synth((stack) => new F5NginxIngress(stack, 'ing', { ...f5Props(), ...overrides } as any)),
      expected,
    );
  const MINION = {
    'nginx.org/mergeable-ingress-type': 'minion',
    'nginx.org/proxy-buffer-size': '32k',
    'nginx.org/proxy-buffers': '8 32k',
    'nginx.org/client-max-body-size': '10m',
    'nginx.org/proxy-connect-timeout': '5s',
    'nginx.org/proxy-read-timeout': '60s',
    'nginx.org/proxy-send-timeout': '60s',
    'nginx.org/proxy-set-headers':
      'X-Forwarded-User: ,X-Forwarded-Email: ,X-Forwarded-Preferred-Username: ,X-OAUTH2-PROXY-ID-TOKEN: ',
  };

  it('renders a master and one minion, and no Policy: the gateway in the request path does the auth', () => {
    const json = synthF5();
    expect(
      Object.values(resourcesOf(json, 'kubernetes_ingress_v1'))
        .map((i) => i.metadata.name)
        .sort(),
    ).toEqual(['backstage', 'backstage-app']);
    expect(policiesOf(json)).toEqual([]);
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
    expect(master(json).spec).toEqual({
      ingress_class_name: 'nginx',
      tls: [{ hosts: [HOST], secret_name: 'backstage-example-com-tls' }],
      rule: [{ host: HOST }],
    });
  });

  it('routes every path (/oauth2 and the API included) to the gateway with one set of buffers and limits, the identity headers stripped', () => {
    const json = synthF5();
    expect(app(json).metadata.annotations).toEqual(MINION);
    expect(app(json).spec.tls).toBeUndefined();
    expect(app(json).spec.rule).toEqual([
      {
        host: HOST,
        http: {
          path: [
            {
              path: '/',
              path_type: 'Prefix',
              backend: { service: { name: 'oauth2-proxy', port: { number: 4180 } } },
            },
          ],
        },
      },
    ]);
    expect(app(json).depends_on).toEqual([expect.stringMatching(/^kubernetes_ingress_v1\.ing_Ingress_/)]);
  });

  it('applies the allow-list (an accessControl Policy) and the rate limit to the portal minion only', () => {
    const json = synthF5({
      allowSourceRanges: ['203.0.113.0/24', '2001:db8::/32'],
      rateLimit: { requestsPerSecond: 10, burstMultiplier: 3 },
    });
    expect(policiesOf(json)).toEqual([
      {
        apiVersion: 'k8s.nginx.org/v1',
        kind: 'Policy',
        metadata: {
          name: 'backstage-allow-list',
          namespace: 'backstage',
          labels: {
            'app.kubernetes.io/name': 'backstage',
            'app.kubernetes.io/instance': 'backstage',
            'app.kubernetes.io/component': 'ingress',
            'app.kubernetes.io/part-of': 'backstage-portal',
            'app.kubernetes.io/managed-by': 'cdktf-backstage',
          },
        },
        spec: { ingressClassName: 'nginx', accessControl: { allow: ['203.0.113.0/24', '2001:db8::/32'] } },
      },
    ]);
    expect(app(json).metadata.annotations).toEqual({
      ...MINION,
      'nginx.org/policies': 'backstage-allow-list',
      'nginx.org/limit-req-rate': '10r/s',
      'nginx.org/limit-req-burst': '30',
    });
    expect(master(json).metadata.annotations).not.toHaveProperty('nginx.org/policies');
    expect(app(json).depends_on).toEqual([
      expect.stringMatching(/^kubernetes_manifest\.ing_AccessControlPolicy_/),
      expect.stringMatching(/^kubernetes_ingress_v1\.ing_Ingress_/),
    ]);
  });

  it('warns at synth with cookie sessions (users in many groups get 400), not with Redis', () => {
    const warningsWith = (sessionStore: F5AuthGateway['sessionStore']) => {
      let ingress: F5NginxIngress | undefined;
      synth((stack) => {
        ingress = new F5NginxIngress(
          stack,
          'ing',
          f5Props({ tls: TlsSource.fromSecret('portal-tls'), gateway: { ...proxyGateway, sessionStore } }),
        );
      });
      return ingress!.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => m.data);
    };
    expect(warningsWith(SessionStore.cookie())).toEqual([
      'F5NginxIngress with cookie sessions: the F5 controller keeps nginx\'s default client header buffers (4 8k; it has no setting for them), so a user whose session cookie is over 8k (an ID token with many groups, e.g. from Entra ID) gets 400 "Request Header Or Cookie Too Large". Give the gateway SessionStore.redis(...) if users are in many groups.',
    ]);
    expect(warningsWith(SessionStore.redis({ url: 'rediss://redis.backstage.svc:6379' }))).toEqual([]);
    // A stand-in gateway that does not say which store it uses is not warned about.
    expect(warningsWith({ proxyBufferSize: '32k' })).toEqual([]);
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

  it('passes harmless extra annotations to the portal minion', () => {
    const json = synthF5({
      extraAnnotations: { 'nginx.org/websocket-services': 'oauth2-proxy', 'example.com/team': 'platform' },
    });
    expect(app(json).metadata.annotations).toEqual({
      ...MINION,
      'nginx.org/websocket-services': 'oauth2-proxy',
      'example.com/team': 'platform',
    });
  });

  it('uses an existing TLS secret without cert-manager', () => {
    const json = synth(
      (stack) => new F5NginxIngress(stack, 'ing', f5Props({ tls: TlsSource.fromSecret('portal-tls') })),
    );
    expect(Object.keys(master(json).metadata.annotations).some((k) => k.startsWith('cert-manager.io/'))).toBe(
      false,
    );
    expect(master(json).spec.tls).toEqual([{ hosts: [HOST], secret_name: 'portal-tls' }]);
  });

  describe('validation', () => {
    it('refuses an auth-only gateway: F5 cannot pass the identity headers from the auth answer', () => {
      expectProblems(
        () =>
          synth(
            (stack) =>
              new F5NginxIngress(
                stack,
                'ing',
                f5Props({ gateway: gatewayIn(stack) as unknown as F5AuthGateway }),
              ),
          ),
        [
          {
            where: 'test/ing',
            path: 'gateway',
            says: [
              'cannot hand the identity headers to the backend on the F5 controller',
              'got an OidcGateway',
              'run the gateway as a reverse proxy in front of the backend',
              'or use NginxIngress',
            ],
          },
        ],
      );
    });

    it('refuses a gateway that sets other identity headers than the contract, or proxies elsewhere', () => {
      problemsWith(
        {
          gateway: {
            ...proxyGateway,
            identityUpstream: {
              serviceName: 'other',
              port: 80,
              requestHeaders: ['X-Forwarded-User', 'Authorization'],
            },
          },
        },
        [
          {
            where: 'test/ing',
            path: 'gateway.identityUpstream.requestHeaders',
            says: [
              'must be exactly the identity headers of the header contract',
              'got ["X-Forwarded-User","Authorization"]',
            ],
          },
          {
            where: 'test/ing',
            path: 'gateway.identityUpstream',
            says: ['proxies to another Service than the backend (backstage:7007)', 'got "other:80"'],
          },
        ],
      );
    });

    it('refuses a gateway in another namespace, which the minion could not route to', () => {
      problemsWith({ gateway: { ...proxyGateway, namespace: 'sso' } }, [
        {
          where: 'test/ing',
          path: 'gateway.namespace',
          says: ["is not the Ingresses' namespace (backstage)", 'got "sso"'],
        },
      ]);
    });

    it('accepts the contract headers in any order and case', () => {
      const requestHeaders = [...identityHeaderNames()].reverse().map((h) => h.toLowerCase());
      expect(() =>
        synthF5({
          gateway: {
            ...proxyGateway,
            identityUpstream: { serviceName: 'backstage', port: 7007, requestHeaders },
          },
        }),
      ).not.toThrow();
    });

    it('refuses something that is not a gateway or a TlsSource', () => {
      problemsWith({ gateway: {}, tls: 'portal-tls' }, [
        {
          where: 'test/ing',
          path: 'gateway',
          says: ['must be an auth gateway with serviceName, namespace and port', 'got {}'],
        },
        { where: 'test/ing', path: 'tls', says: ['must be a TlsSource', 'got "portal-tls"'] },
      ]);
    });

    it('refuses an ACME HTTP-01 issuer whose challenge Ingress would collide with the portal host', () => {
      problemsWith({ tls: TlsSource.acme({ email: 'platform@example.com' }) }, [
        {
          where: 'test/ing',
          path: 'tls',
          says: [
            'uses an ACME HTTP-01 solver whose challenge Ingress the F5 controller rejects (a second Ingress for the same host)',
            'got a TlsSource',
            'F5NginxIngress.ACME_SOLVER_INGRESS_TEMPLATE',
          ],
        },
      ]);
    });

    it('refuses annotations it manages, host-level ones and cert-manager ones', () => {
      problemsWith(
        {
          extraAnnotations: {
            'nginx.org/policies': 'other',
            'nginx.org/hsts': 'false',
            'nginx.org/proxy-set-headers': 'X-Forwarded-User: admin',
            'nginx.org/proxy-hide-headers': 'Server',
            'acme.cert-manager.io/http01-edit-in-place': 'true',
          },
        },
        [
          {
            where: 'test/ing',
            path: 'extraAnnotations.nginx.org/policies',
            says: [
              'is managed by F5NginxIngress',
              'got "other"',
              'Set it through the "allowSourceRanges" prop',
            ],
          },
          {
            where: 'test/ing',
            path: 'extraAnnotations.nginx.org/hsts',
            says: ['is managed by F5NginxIngress', 'got "false"', 'HSTS is always on'],
          },
          {
            where: 'test/ing',
            path: 'extraAnnotations.nginx.org/proxy-set-headers',
            says: [
              'is managed by F5NginxIngress',
              'got "X-Forwarded-User: admin"',
              'the identity headers are stripped from client requests',
            ],
          },
          {
            where: 'test/ing',
            path: 'extraAnnotations.nginx.org/proxy-hide-headers',
            says: [
              "is a host-level annotation, which the portal's minion Ingress cannot carry",
              'got "Server"',
              "Set it on the controller's ConfigMap",
            ],
          },
          {
            where: 'test/ing',
            path: 'extraAnnotations.acme.cert-manager.io/http01-edit-in-place',
            says: ['is managed by the tls prop', 'got "true"'],
          },
        ],
      );
    });

    it('refuses apiPaths: the gateway in the request path decides them', () => {
      problemsWith({ apiPaths: ['/api'] }, [
        {
          where: 'test/ing',
          path: 'apiPaths',
          says: [
            'is decided by the gateway on the F5 controller, not by the Ingress',
            'got ["/api"]',
            'set the OidcGateway apiPaths',
          ],
        },
      ]);
    });

    it('refuses bad sizes, networks, limits, timeouts and HSTS ages', () => {
      problemsWith(
        {
          proxyBufferSize: '16',
          proxyBodySize: 'big',
          allowSourceRanges: [],
          rateLimit: { requestsPerSecond: 0 },
          timeouts: { readSeconds: 7200 },
          hsts: { maxAgeSeconds: 300 },
        },
        [
          { where: 'test/ing', path: 'proxyBufferSize', says: ['must be a size such as "16k"', 'got "16"'] },
          {
            where: 'test/ing',
            path: 'allowSourceRanges',
            says: ['must list at least one network', 'got []'],
          },
          { where: 'test/ing', path: 'rateLimit.requestsPerSecond', says: ['must be at least 1', 'got 0'] },
          { where: 'test/ing', path: 'proxyBodySize', says: ['must be a size such as "10m"', 'got "big"'] },
          {
            where: 'test/ing',
            path: 'timeouts.readSeconds',
            says: ['readSeconds must be at most 3600 seconds', 'got 7200'],
          },
          {
            where: 'test/ing',
            path: 'hsts.maxAgeSeconds',
            says: ['must be at least 86400 (one day)', 'got 300'],
          },
        ],
      );
    });

    it('reports a misspelled prop', () => {
      problemsWith({ extraAnnotation: {} }, [
        { where: 'test/ing', path: 'extraAnnotation', says: ['is not a known property', 'got {}'] },
      ]);
    });
  });
});
