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
import { errorOf, resourceAt, resourcesOf, synth, TfJson, variableSecret } from '../helpers';

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

/** The error lines of an ingress with invalid props (`any`: tests pass what types forbid). */
function ingressErrors(overrides: Record<string, unknown>): string[] {
  return errorOf(() =>
    synth((stack) => new NginxIngress(stack, 'ing', { ...ingressProps(plainGateway), ...overrides } as any)),
  ).split('\n');
}

const SNIPPET_FIX =
  'is a snippet annotation, which injects raw nginx configuration, got "x". Snippets are disabled by default since the IngressNightmare CVEs (2025); use the typed props of NginxIngress instead.';

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
      expect(
        ingressErrors({
          extraAnnotations: {
            [`${NGINX}/configuration-snippet`]: 'x',
            [`${NGINX}/server-snippet`]: 'x',
            [`${NGINX}/auth-snippet`]: 'x',
            'nginx.org/location-snippets': 'x',
          },
        }),
      ).toEqual([
        `[test/ing] extraAnnotations.${NGINX}/configuration-snippet: ${SNIPPET_FIX}`,
        `[test/ing] extraAnnotations.${NGINX}/server-snippet: ${SNIPPET_FIX}`,
        `[test/ing] extraAnnotations.${NGINX}/auth-snippet: ${SNIPPET_FIX}`,
        `[test/ing] extraAnnotations.nginx.org/location-snippets: ${SNIPPET_FIX}`,
      ]);
    });

    it('refuses snippet look-alikes: any case, surrounding spaces', () => {
      expect(
        ingressErrors({
          extraAnnotations: {
            [`${NGINX}/Configuration-Snippet`]: 'x',
            [`${NGINX}/server-snippet `]: 'x',
            [`${NGINX}/AUTH-SNIPPET`]: 'x',
          },
        }),
      ).toEqual([
        `[test/ing] extraAnnotations.${NGINX}/Configuration-Snippet: ${SNIPPET_FIX}`,
        `[test/ing] extraAnnotations.${NGINX}/server-snippet : ${SNIPPET_FIX}`,
        `[test/ing] extraAnnotations.${NGINX}/AUTH-SNIPPET: ${SNIPPET_FIX}`,
      ]);
    });

    it('refuses the newer name of the managed allow-list, which ingress-nginx reads first', () => {
      expect(
        ingressErrors({
          allowSourceRanges: ['10.0.0.0/8'],
          extraAnnotations: { [`${NGINX}/allowlist-source-range`]: '0.0.0.0/0' },
        }),
      ).toEqual([
        `[test/ing] extraAnnotations.${NGINX}/allowlist-source-range: is managed by NginxIngress, got "0.0.0.0/0". Set it through the "allowSourceRanges" prop.`,
      ]);
      expect(
        ingressErrors({ extraAnnotations: { [`${NGINX}/Whitelist-Source-Range`]: '0.0.0.0/0' } }),
      ).toEqual([
        `[test/ing] extraAnnotations.${NGINX}/Whitelist-Source-Range: is managed by NginxIngress, got "0.0.0.0/0". Set it through the "allowSourceRanges" prop.`,
      ]);
    });

    it('refuses keys Kubernetes does not accept as annotation keys', () => {
      const fix =
        'Kubernetes takes an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or "." (starting and ending with a letter or digit), e.g. "example.com/team".';
      expect(
        ingressErrors({
          extraAnnotations: {
            'team name': 'a',
            'Example.com/team': 'b',
            [`example.com/${'x'.repeat(64)}`]: 'c',
            'example.com/team': 'ok',
          },
        }),
      ).toEqual([
        `[test/ing] extraAnnotations.team name: is not a valid annotation key, got "a". ${fix}`,
        `[test/ing] extraAnnotations.Example.com/team: is not a valid annotation key, got "b". ${fix}`,
        `[test/ing] extraAnnotations.example.com/${'x'.repeat(64)}: is not a valid annotation key, got "c". ${fix}`,
      ]);
    });

    it('refuses overriding a managed annotation, pointing at the typed prop', () => {
      expect(ingressErrors({ extraAnnotations: { [`${NGINX}/proxy-buffer-size`]: '4k' } })).toEqual([
        `[test/ing] extraAnnotations.${NGINX}/proxy-buffer-size: is managed by NginxIngress, got "4k". Set it through the "proxyBufferSize" prop.`,
      ]);
    });

    it('refuses cert-manager annotations: the tls prop chooses the issuer', () => {
      expect(ingressErrors({ extraAnnotations: { 'cert-manager.io/cluster-issuer': 'other' } })).toEqual([
        '[test/ing] extraAnnotations.cert-manager.io/cluster-issuer: is managed by the tls prop, got "other". Choose the issuer with TlsSource.acme(), .fromIssuer() or .privateCa(); only the main Ingress may ask cert-manager for the certificate.',
      ]);
    });

    it('refuses overriding the identity headers the gateway decides', () => {
      const [line] = ingressErrors({
        extraAnnotations: { [`${NGINX}/auth-response-headers`]: 'Authorization' },
      });
      expect(line).toMatch(
        new RegExp(
          `^\\[test/ing\\] extraAnnotations\\.${NGINX.replace(/\./g, '\\.')}/auth-response-headers: is managed by NginxIngress, got "Authorization"\\. `,
        ),
      );
    });

    it('names a prop NginxIngress really has when a managed annotation maps to a differently named prop', () => {
      const [allowList] = ingressErrors({
        extraAnnotations: { [`${NGINX}/whitelist-source-range`]: '10.0.0.0/8' },
      });
      expect(allowList).toContain('"allowSourceRanges"');
      const [rate] = ingressErrors({ extraAnnotations: { [`${NGINX}/limit-rps`]: '100' } });
      expect(rate).toContain('"rateLimit.requestsPerSecond"');
      const [timeout] = ingressErrors({ extraAnnotations: { [`${NGINX}/proxy-read-timeout`]: '600' } });
      expect(timeout).toContain('"timeouts.readSeconds"');
    });
  });

  describe('validation', () => {
    it('refuses a host that is not a DNS name', () => {
      expect(ingressErrors({ host: 'Backstage' })).toEqual([
        '[test/ing] host: must be a fully qualified DNS name, got "Backstage". Use lower-case letters, digits, "-" and ".", with at least two labels and no scheme, port or path (e.g. "backstage.example.com").',
      ]);
    });

    it('refuses bad networks, origins, sizes, durations and timeouts', () => {
      expect(
        ingressErrors({
          authCacheDuration: '5 minutes',
          proxyBufferSize: '16',
          allowSourceRanges: ['10.0.0.0/33'],
          cors: { extraOrigins: ['http://docs.example.com'] },
          timeouts: { readSeconds: 7200 },
        }),
      ).toEqual([
        '[test/ing] authCacheDuration: must be a duration such as "30m", "1h" or "168h", got "5 minutes". Use a number followed by "s", "m" or "h" (combinations like "1h30m" work too).',
        '[test/ing] proxyBufferSize: must be a size such as "16k", got "16". Use a number followed by "k" or "m".',
        '[test/ing] allowSourceRanges[0]: must be a CIDR range, got "10.0.0.0/33". Use a network such as "203.0.113.0/24" or "2001:db8::/32".',
        '[test/ing] cors.extraOrigins[0]: must be an https origin without a path, got "http://docs.example.com". Write it like "https://docs.example.com".',
        '[test/ing] timeouts.readSeconds: readSeconds must be at most 3600 seconds, got 7200. Long-running calls should not hold a proxy connection open for hours.',
      ]);
    });

    it('refuses invalid Kubernetes names', () => {
      const fix =
        'Use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit.';
      expect(ingressErrors({ namespace: 'back_stage', name: 'Portal' })).toEqual([
        `[test/ing] namespace: must be a valid Kubernetes name (RFC 1123 label), got "back_stage". ${fix}`,
        `[test/ing] name: must be a valid Kubernetes name (RFC 1123 label), got "Portal". ${fix}`,
      ]);
    });

    it('refuses something that is not a gateway or a TlsSource', () => {
      expect(ingressErrors({ gateway: {}, tls: 'portal-tls' })).toEqual([
        '[test/ing] gateway: must be an auth gateway, got {}. Pass the OidcGateway of the portal.',
        '[test/ing] tls: must be a TlsSource, got "portal-tls". Use TlsSource.acme({...}), .fromIssuer(name), .fromSecret(name), .privateCa(secret) or .selfSigned().',
      ]);
    });

    it('reports a misspelled prop', () => {
      expect(ingressErrors({ extraAnnotation: {} })).toEqual([
        '[test/ing] extraAnnotation: is not a known property, got {}. Check the spelling against the documented props.',
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
    const fix = 'The sign-in paths under /oauth2 stay outside auth; pick a prefix such as "/api".';
    expect(errorOf(() => synthIngress({ apiPaths: ['/o', '/oauth2/start'] })).split('\n')).toEqual([
      `[test/ing] apiPaths[0]: must not cover /oauth2, got "/o". ${fix}`,
      `[test/ing] apiPaths[1]: must not cover /oauth2, got "/oauth2/start". ${fix}`,
    ]);
  });

  it('refuses a proxy buffer below 8k, which breaks sessions (the sign-in suite shows it with 4k)', () => {
    expect(errorOf(() => synthIngress({ proxyBufferSize: '4k' }))).toBe(
      '[test/ing] proxyBufferSize: must be at least 8k, got "4k". oauth2-proxy\'s Set-Cookie and the identity headers do not fit nginx\'s 4k default and sessions break; leave it out for 32k (cookie sessions) or 16k (Redis).',
    );
  });

  it('takes other API prefixes and refuses regular expressions', () => {
    const api = apiIngress(synthIngress({ apiPaths: ['/api', '/catalog-import'] }));
    expect(api.spec.rule[0].http.path.map((p: { path: string }) => p.path)).toEqual([
      '/api',
      '/catalog-import',
    ]);
    expect(errorOf(() => synthIngress({ apiPaths: ['^/api/'] }))).toBe(
      '[test/ing] apiPaths[0]: must be a path prefix such as "/api", got "^/api/". Start with "/" and leave out regular expressions and the trailing "/".',
    );
  });
});
