import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';

import {
  IngressAuthGateway,
  ingressAuthResponseHeaders,
  NginxIngress,
  NginxIngressProps,
  OidcGateway,
  OidcGatewayProps,
  OidcIssuer,
  SessionStore,
  TlsSource,
} from '../../lib';
import {
  type ExpectedProblem,
  expectProblems,
  problemsOf,
  resourceAt,
  resourcesOf,
  synth,
  TfJson,
  variableSecret,
} from '../helpers';

const NGINX = 'nginx.ingress.kubernetes.io';

/** A real oauth2-proxy gateway for the portal host. */
function gatewayIn(stack: TerraformStack, overrides: Partial<OidcGatewayProps> = {}): OidcGateway {
  return new OidcGateway(stack, 'gw', {
    namespace: 'backstage',
    host: 'backstage.example.com',
    issuer: OidcIssuer.okta({ domain: 'example.okta.com' }),
    clientId: 'client-123',
    clientSecret: variableSecret(stack, 'oidc_client_secret'),
    cookieSecret: variableSecret(stack, 'cookie_secret'),
    access: { emailDomains: ['example.com'] },
    ...overrides,
  });
}

/** A stand-in gateway: anything implementing IngressAuthGateway will do. */
const plainGateway: IngressAuthGateway = {
  authUrl: 'http://auth.sso.svc.cluster.local:4180/oauth2/auth',
  signInUrl: 'https://backstage.example.com/oauth2/start?rd=$escaped_request_uri',
  serviceName: 'auth',
  port: 4180,
  sessionStore: { proxyBufferSize: '16k' },
};

function ingressProps(
  gateway: IngressAuthGateway,
  overrides: Partial<NginxIngressProps> = {},
): NginxIngressProps {
  return {
    namespace: 'backstage',
    host: 'backstage.example.com',
    backend: { serviceName: 'backstage', port: 7007 },
    gateway,
    tls: TlsSource.acme({ email: 'platform@example.com' }),
    ...overrides,
  };
}

/** Synthesizes a real gateway and an ingress `ing` in front of it. */
function synthIngress(
  overrides: Partial<NginxIngressProps> = {},
  gatewayOverrides: Partial<OidcGatewayProps> = {},
): TfJson {
  return synth(
    (stack) => new NginxIngress(stack, 'ing', ingressProps(gatewayIn(stack, gatewayOverrides), overrides)),
  );
}

const mainIngress = (json: TfJson) => resourceAt(json, 'kubernetes_ingress_v1', 'ing/Ingress');
const signInIngress = (json: TfJson) => resourceAt(json, 'kubernetes_ingress_v1', 'ing/SignInIngress');
const mainAnnotations = (json: TfJson): Record<string, string> => mainIngress(json).metadata.annotations;
const signInAnnotations = (json: TfJson): Record<string, string> => signInIngress(json).metadata.annotations;

/** Synthesizes an ingress with invalid props (`any`: tests pass what types forbid). */
const invalidIngress = (overrides: Record<string, unknown>) => () =>
  synth((stack) => new NginxIngress(stack, 'ing', { ...ingressProps(plainGateway), ...overrides } as any));

/** Asserts the problems an ingress with invalid props is refused with. */
function ingressProblems(overrides: Record<string, unknown>, expected: readonly ExpectedProblem[]) {
  return expectProblems(invalidIngress(overrides), expected);
}

/** The single problem of an ingress with invalid props. */
function ingressProblem(overrides: Record<string, unknown>) {
  const problems = problemsOf(invalidIngress(overrides));
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

const SNIPPET = [
  'is a snippet annotation, which injects raw nginx configuration',
  'got "x"',
  'use the typed props of NginxIngress instead',
];

describe('NginxIngress', () => {
  describe('authenticated Ingress', () => {
    it('sends every request through the gateway and copies exactly the identity headers', () => {
      const annotations = mainAnnotations(synthIngress());
      expect(annotations[`${NGINX}/auth-url`]).toBe(
        'http://oauth2-proxy.backstage.svc.cluster.local:4180/oauth2/auth',
      );
      expect(annotations[`${NGINX}/auth-signin`]).toBe(
        'https://backstage.example.com/oauth2/start?rd=$escaped_request_uri',
      );
      expect(annotations[`${NGINX}/auth-response-headers`]).toBe(ingressAuthResponseHeaders());
      expect(annotations[`${NGINX}/auth-response-headers`]).toBe(
        'X-Forwarded-User,X-Forwarded-Email,X-Forwarded-Preferred-Username,X-OAUTH2-PROXY-ID-TOKEN',
      );
      // Backstage rejects oauth2-proxy's bearer token ("Illegal token").
      expect((annotations[`${NGINX}/auth-response-headers`] ?? '').toLowerCase().split(',')).not.toContain(
        'authorization',
      );
    });

    it('forces HTTPS and routes / to the Backstage service', () => {
      const ingress = mainIngress(synthIngress());
      expect(ingress.metadata.annotations).toMatchObject({
        [`${NGINX}/ssl-redirect`]: 'true',
        [`${NGINX}/force-ssl-redirect`]: 'true',
      });
      expect(ingress.metadata.name).toBe('backstage');
      expect(ingress.spec.ingress_class_name).toBe('nginx');
      expect(ingress.spec.rule).toEqual([
        {
          host: 'backstage.example.com',
          http: {
            path: [
              {
                path: '/',
                path_type: 'Prefix',
                backend: { service: { name: 'backstage', port: { number: 7007 } } },
              },
            ],
          },
        },
      ]);
    });

    it('sizes the proxy buffer for the session store, unless told otherwise', () => {
      expect(mainAnnotations(synthIngress())[`${NGINX}/proxy-buffer-size`]).toBe('32k');
      const redis = synthIngress(
        {},
        { sessionStore: SessionStore.redis({ url: 'redis://redis.backstage.svc:6379' }) },
      );
      expect(mainAnnotations(redis)[`${NGINX}/proxy-buffer-size`]).toBe('16k');
      const explicit = synthIngress({ proxyBufferSize: '64k' });
      expect(mainAnnotations(explicit)[`${NGINX}/proxy-buffer-size`]).toBe('64k');
      expect(signInAnnotations(explicit)[`${NGINX}/proxy-buffer-size`]).toBe('64k');
    });

    it('has the default body size and timeouts, and takes explicit ones', () => {
      expect(mainAnnotations(synthIngress())).toMatchObject({
        [`${NGINX}/proxy-body-size`]: '10m',
        [`${NGINX}/proxy-connect-timeout`]: '5',
        [`${NGINX}/proxy-read-timeout`]: '60',
        [`${NGINX}/proxy-send-timeout`]: '60',
      });
      const custom = mainAnnotations(
        synthIngress({
          proxyBodySize: '50m',
          timeouts: { connectSeconds: 2, readSeconds: 300, sendSeconds: 120 },
        }),
      );
      expect(custom).toMatchObject({
        [`${NGINX}/proxy-body-size`]: '50m',
        [`${NGINX}/proxy-connect-timeout`]: '2',
        [`${NGINX}/proxy-read-timeout`]: '300',
        [`${NGINX}/proxy-send-timeout`]: '120',
      });
    });

    it('caches auth answers per complete credential: the whole Cookie header and the bearer token', () => {
      // A large session is split into any number of cookies (7 for an Entra ID user in
      // 200 groups): naming some parts would let a request that shares them but differs
      // in the rest be answered from another user's cached "yes".
      const annotations = mainAnnotations(
        synthIngress({ authCacheDuration: '5m' }, { cookie: { name: 'portal_session' } }),
      );
      expect(annotations[`${NGINX}/auth-cache-key`]).toBe('$http_cookie$http_authorization');
      expect(annotations[`${NGINX}/auth-cache-duration`]).toBe('200 202 5m');
    });

    it('does not cache auth answers by default', () => {
      const annotations = mainAnnotations(synthIngress());
      expect(annotations).not.toHaveProperty(`${NGINX}/auth-cache-key`);
      expect(annotations).not.toHaveProperty(`${NGINX}/auth-cache-duration`);
    });

    it('limits CORS to the portal origin and the extra origins', () => {
      expect(mainAnnotations(synthIngress())).not.toHaveProperty(`${NGINX}/enable-cors`);
      const annotations = mainAnnotations(
        synthIngress({ cors: { extraOrigins: ['https://docs.example.com'] } }),
      );
      expect(annotations).toMatchObject({
        [`${NGINX}/enable-cors`]: 'true',
        [`${NGINX}/cors-allow-origin`]: 'https://backstage.example.com,https://docs.example.com',
        [`${NGINX}/cors-allow-credentials`]: 'true',
      });
      expect(mainAnnotations(synthIngress({ cors: {} }))[`${NGINX}/cors-allow-origin`]).toBe(
        'https://backstage.example.com',
      );
    });

    it('works with any IngressAuthGateway implementation', () => {
      const json = synth(
        (stack) => new NginxIngress(stack, 'ing', ingressProps(plainGateway, { authCacheDuration: '1m' })),
      );
      const annotations = mainAnnotations(json);
      expect(annotations[`${NGINX}/auth-url`]).toBe('http://auth.sso.svc.cluster.local:4180/oauth2/auth');
      expect(annotations[`${NGINX}/proxy-buffer-size`]).toBe('16k');
      expect(annotations[`${NGINX}/auth-cache-key`]).toBe('$http_cookie$http_authorization');
      expect(signInIngress(json).spec.rule[0].http.path[0].backend.service).toEqual({
        name: 'auth',
        port: { number: 4180 },
      });
    });
  });

  describe('client restrictions on both Ingresses', () => {
    it('applies the source allow-list and rate limits to the portal and the sign-in path', () => {
      const json = synthIngress({
        allowSourceRanges: ['203.0.113.0/24', '2001:db8::/32'],
        rateLimit: { requestsPerSecond: 10, connections: 20 },
      });
      for (const annotations of [mainAnnotations(json), signInAnnotations(json)]) {
        expect(annotations).toMatchObject({
          [`${NGINX}/whitelist-source-range`]: '203.0.113.0/24,2001:db8::/32',
          [`${NGINX}/limit-rps`]: '10',
          [`${NGINX}/limit-burst-multiplier`]: '5',
          [`${NGINX}/limit-connections`]: '20',
        });
      }
    });

    it('takes an explicit burst multiplier and sets no limits by default', () => {
      const json = synthIngress({ rateLimit: { requestsPerSecond: 5, burstMultiplier: 3 } });
      expect(mainAnnotations(json)[`${NGINX}/limit-burst-multiplier`]).toBe('3');
      const defaults = mainAnnotations(synthIngress());
      expect(Object.keys(defaults).filter((k) => /limit-|whitelist-source-range/.test(k))).toEqual([]);
    });
  });

  describe('sign-in Ingress', () => {
    it('routes /oauth2 to oauth2-proxy without auth, with the same HTTPS settings', () => {
      const json = synthIngress();
      const ingress = signInIngress(json);
      expect(ingress.metadata.name).toBe('backstage-oauth2');
      expect(ingress.spec.rule).toEqual([
        {
          host: 'backstage.example.com',
          http: {
            path: [
              {
                path: '/oauth2',
                path_type: 'Prefix',
                backend: { service: { name: 'oauth2-proxy', port: { number: 4180 } } },
              },
            ],
          },
        },
      ]);
      expect(ingress.metadata.annotations).toEqual({
        [`${NGINX}/ssl-redirect`]: 'true',
        [`${NGINX}/force-ssl-redirect`]: 'true',
        [`${NGINX}/proxy-buffer-size`]: '32k',
        [`${NGINX}/proxy-buffers-number`]: '8',
      });
      expect(Object.keys(ingress.metadata.annotations).some((k) => k.startsWith(`${NGINX}/auth-`))).toBe(
        false,
      );
    });
  });

  describe('TLS', () => {
    it('asks cert-manager for the certificate from the main Ingress only, and both serve the same secret', () => {
      const json = synthIngress();
      expect(mainAnnotations(json)['cert-manager.io/cluster-issuer']).toBe('letsencrypt-production');
      expect(signInAnnotations(json)).not.toHaveProperty('cert-manager.io/cluster-issuer');
      const tls = [{ hosts: ['backstage.example.com'], secret_name: 'backstage-example-com-tls' }];
      expect(mainIngress(json).spec.tls).toEqual(tls);
      expect(signInIngress(json).spec.tls).toEqual(tls);
    });

    it('uses an existing TLS secret on both Ingresses without cert-manager', () => {
      const json = synthIngress({ tls: TlsSource.fromSecret('portal-tls') });
      expect(Object.keys(mainAnnotations(json)).some((k) => k.startsWith('cert-manager.io/'))).toBe(false);
      expect(mainIngress(json).spec.tls).toEqual([
        { hosts: ['backstage.example.com'], secret_name: 'portal-tls' },
      ]);
      expect(signInIngress(json).spec.tls).toEqual([
        { hosts: ['backstage.example.com'], secret_name: 'portal-tls' },
      ]);
      expect(resourcesOf(json, 'kubernetes_manifest')).toEqual({});
    });
  });

  describe('extra annotations', () => {
    it('passes harmless extra annotations through to both Ingresses', () => {
      const extra = { [`${NGINX}/proxy-http-version`]: '1.1', 'example.com/team': 'platform' };
      const json = synthIngress({ extraAnnotations: extra });
      expect(mainAnnotations(json)).toMatchObject(extra);
      expect(signInAnnotations(json)).toMatchObject(extra);
    });

    it('refuses every kind of snippet annotation', () => {
      ingressProblems(
        {
          extraAnnotations: {
            [`${NGINX}/configuration-snippet`]: 'x',
            [`${NGINX}/server-snippet`]: 'x',
            [`${NGINX}/auth-snippet`]: 'x',
            'nginx.org/location-snippets': 'x',
          },
        },
        [
          { where: 'test/ing', path: `extraAnnotations.${NGINX}/configuration-snippet`, says: SNIPPET },
          { where: 'test/ing', path: `extraAnnotations.${NGINX}/server-snippet`, says: SNIPPET },
          { where: 'test/ing', path: `extraAnnotations.${NGINX}/auth-snippet`, says: SNIPPET },
          { where: 'test/ing', path: 'extraAnnotations.nginx.org/location-snippets', says: SNIPPET },
        ],
      );
    });

    it('refuses snippet look-alikes: any case, surrounding spaces', () => {
      ingressProblems(
        {
          extraAnnotations: {
            [`${NGINX}/Configuration-Snippet`]: 'x',
            [`${NGINX}/server-snippet `]: 'x',
            [`${NGINX}/AUTH-SNIPPET`]: 'x',
          },
        },
        [
          { where: 'test/ing', path: `extraAnnotations.${NGINX}/Configuration-Snippet`, says: SNIPPET },
          { where: 'test/ing', path: `extraAnnotations.${NGINX}/server-snippet `, says: SNIPPET },
          { where: 'test/ing', path: `extraAnnotations.${NGINX}/AUTH-SNIPPET`, says: SNIPPET },
        ],
      );
    });

    it('refuses the newer name of the managed allow-list, which ingress-nginx reads first', () => {
      ingressProblems(
        {
          allowSourceRanges: ['10.0.0.0/8'],
          extraAnnotations: { [`${NGINX}/allowlist-source-range`]: '0.0.0.0/0' },
        },
        [
          {
            where: 'test/ing',
            path: `extraAnnotations.${NGINX}/allowlist-source-range`,
            says: [
              'is managed by NginxIngress',
              'got "0.0.0.0/0"',
              'Set it through the "allowSourceRanges" prop',
            ],
          },
        ],
      );
      ingressProblems({ extraAnnotations: { [`${NGINX}/Whitelist-Source-Range`]: '0.0.0.0/0' } }, [
        {
          where: 'test/ing',
          path: `extraAnnotations.${NGINX}/Whitelist-Source-Range`,
          says: [
            'is managed by NginxIngress',
            'got "0.0.0.0/0"',
            'Set it through the "allowSourceRanges" prop',
          ],
        },
      ]);
    });

    it('refuses keys Kubernetes does not accept as annotation keys', () => {
      ingressProblems(
        {
          extraAnnotations: {
            'team name': 'a',
            'Example.com/team': 'b',
            [`example.com/${'x'.repeat(64)}`]: 'c',
            'example.com/team': 'ok',
          },
        },
        [
          {
            where: 'test/ing',
            path: 'extraAnnotations.team name',
            says: ['is not a valid annotation key', 'got "a"'],
          },
          {
            where: 'test/ing',
            path: 'extraAnnotations.Example.com/team',
            says: ['is not a valid annotation key', 'got "b"'],
          },
          {
            where: 'test/ing',
            path: `extraAnnotations.example.com/${'x'.repeat(64)}`,
            says: ['is not a valid annotation key', 'got "c"'],
          },
        ],
      );
    });

    it('refuses overriding a managed annotation, pointing at the typed prop', () => {
      ingressProblems({ extraAnnotations: { [`${NGINX}/proxy-buffer-size`]: '4k' } }, [
        {
          where: 'test/ing',
          path: `extraAnnotations.${NGINX}/proxy-buffer-size`,
          says: ['is managed by NginxIngress', 'got "4k"', 'Set it through the "proxyBufferSize" prop'],
        },
      ]);
    });

    it('refuses cert-manager annotations: the tls prop chooses the issuer', () => {
      ingressProblems({ extraAnnotations: { 'cert-manager.io/cluster-issuer': 'other' } }, [
        {
          where: 'test/ing',
          path: 'extraAnnotations.cert-manager.io/cluster-issuer',
          says: ['is managed by the tls prop', 'got "other"'],
        },
      ]);
    });

    it('refuses overriding the identity headers the gateway decides', () => {
      ingressProblems({ extraAnnotations: { [`${NGINX}/auth-response-headers`]: 'Authorization' } }, [
        {
          where: 'test/ing',
          path: `extraAnnotations.${NGINX}/auth-response-headers`,
          says: ['is managed by NginxIngress', 'got "Authorization"'],
        },
      ]);
    });

    it('names a prop NginxIngress really has when a managed annotation maps to a differently named prop', () => {
      const allowList = ingressProblem({
        extraAnnotations: { [`${NGINX}/whitelist-source-range`]: '10.0.0.0/8' },
      });
      expect(allowList.path).toBe(`extraAnnotations.${NGINX}/whitelist-source-range`);
      expect(allowList.message).toContain('"allowSourceRanges"');
      const rate = ingressProblem({ extraAnnotations: { [`${NGINX}/limit-rps`]: '100' } });
      expect(rate.path).toBe(`extraAnnotations.${NGINX}/limit-rps`);
      expect(rate.message).toContain('"rateLimit.requestsPerSecond"');
      const timeout = ingressProblem({ extraAnnotations: { [`${NGINX}/proxy-read-timeout`]: '600' } });
      expect(timeout.path).toBe(`extraAnnotations.${NGINX}/proxy-read-timeout`);
      expect(timeout.message).toContain('"timeouts.readSeconds"');
    });
  });

  describe('validation', () => {
    it('refuses a host that is not a DNS name', () => {
      ingressProblems({ host: 'Backstage' }, [
        { where: 'test/ing', path: 'host', says: ['must be a fully qualified DNS name', 'got "Backstage"'] },
      ]);
    });

    it('refuses bad networks, origins, sizes, durations and timeouts', () => {
      ingressProblems(
        {
          authCacheDuration: '5 minutes',
          proxyBufferSize: '16',
          allowSourceRanges: ['10.0.0.0/33'],
          cors: { extraOrigins: ['http://docs.example.com'] },
          timeouts: { readSeconds: 7200 },
        },
        [
          {
            where: 'test/ing',
            path: 'authCacheDuration',
            says: ['must be a duration such as "30m", "1h" or "168h"', 'got "5 minutes"'],
          },
          { where: 'test/ing', path: 'proxyBufferSize', says: ['must be a size such as "16k"', 'got "16"'] },
          {
            where: 'test/ing',
            path: 'allowSourceRanges[0]',
            says: ['must be a CIDR range', 'got "10.0.0.0/33"'],
          },
          {
            where: 'test/ing',
            path: 'cors.extraOrigins[0]',
            says: ['must be an https origin without a path', 'got "http://docs.example.com"'],
          },
          {
            where: 'test/ing',
            path: 'timeouts.readSeconds',
            says: ['readSeconds must be at most 3600 seconds', 'got 7200'],
          },
        ],
      );
    });

    it('refuses invalid Kubernetes names', () => {
      ingressProblems({ namespace: 'back_stage', name: 'Portal' }, [
        {
          where: 'test/ing',
          path: 'namespace',
          says: ['must be a valid Kubernetes name (RFC 1123 label)', 'got "back_stage"'],
        },
        {
          where: 'test/ing',
          path: 'name',
          says: ['must be a valid Kubernetes name (RFC 1123 label)', 'got "Portal"'],
        },
      ]);
    });

    it('refuses something that is not a gateway or a TlsSource', () => {
      ingressProblems({ gateway: {}, tls: 'portal-tls' }, [
        { where: 'test/ing', path: 'gateway', says: ['must be an auth gateway', 'got {}'] },
        { where: 'test/ing', path: 'tls', says: ['must be a TlsSource', 'got "portal-tls"'] },
      ]);
    });

    it('reports a misspelled prop', () => {
      ingressProblems({ extraAnnotation: {} }, [
        { where: 'test/ing', path: 'extraAnnotation', says: ['is not a known property', 'got {}'] },
      ]);
    });
  });
});

describe('NginxIngress API paths', () => {
  const apiIngress = (json: ReturnType<typeof synthIngress>) =>
    resourceAt(json, 'kubernetes_ingress_v1', 'ing/ApiIngress');

  it('answers /api without a session with 401: same auth as the portal, but no auth-signin redirect', () => {
    const json = synthIngress();
    const api = apiIngress(json);
    const main = mainAnnotations(json);
    expect(api.metadata.name).toBe('backstage-api');
    expect(api.spec.rule[0].http.path).toEqual([
      {
        path: '/api',
        path_type: 'Prefix',
        backend: { service: { name: 'backstage', port: { number: 7007 } } },
      },
    ]);
    // Only the main Ingress asks cert-manager for the certificate; the API Ingress shares it.
    const { [`${NGINX}/auth-signin`]: signin, 'cert-manager.io/cluster-issuer': issuer, ...rest } = main;
    expect(signin).toBeDefined();
    expect(issuer).toBe('letsencrypt-production');
    expect(api.metadata.annotations).toEqual(rest);
    expect(api.spec.tls).toEqual(resourceAt(json, 'kubernetes_ingress_v1', 'ing/Ingress').spec.tls);
  });

  it('refuses API prefixes that cover /oauth2 (sign-in would need a session)', () => {
    const fix = 'pick a prefix such as "/api"';
    expectProblems(
      () => synthIngress({ apiPaths: ['/o', '/oauth2/start'] }),
      [
        { where: 'test/ing', path: 'apiPaths[0]', says: ['must not cover /oauth2', 'got "/o"', fix] },
        {
          where: 'test/ing',
          path: 'apiPaths[1]',
          says: ['must not cover /oauth2', 'got "/oauth2/start"', fix],
        },
      ],
    );
  });

  it('refuses a proxy buffer below 8k, which breaks sessions (the sign-in suite shows it with 4k)', () => {
    expectProblems(
      () => synthIngress({ proxyBufferSize: '4k' }),
      [
        {
          where: 'test/ing',
          path: 'proxyBufferSize',
          says: ['must be at least 8k', 'got "4k"', 'leave it out for 32k (cookie sessions) or 16k (Redis)'],
        },
      ],
    );
  });

  it('takes other API prefixes and refuses regular expressions', () => {
    const api = apiIngress(synthIngress({ apiPaths: ['/api', '/catalog-import'] }));
    expect(api.spec.rule[0].http.path.map((p: { path: string }) => p.path)).toEqual([
      '/api',
      '/catalog-import',
    ]);
    expectProblems(
      () => synthIngress({ apiPaths: ['^/api/'] }),
      [
        {
          where: 'test/ing',
          path: 'apiPaths[0]',
          says: ['must be a path prefix such as "/api"', 'got "^/api/"'],
        },
      ],
    );
  });
});
