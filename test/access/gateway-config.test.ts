// The oauth2-proxy configuration as pure functions: props and names in, flags, alpha
// config, environment and files out, without a stack or a synth.
import { describe, expect, it } from 'vitest';

import { MachineClient, OidcGatewayProps, OidcIssuer, SecretRef, SessionStore } from '../../lib';
import {
  GatewayConfigInput,
  gatewayNames,
  GatewaySecrets,
  jwtMachineClients,
  oauth2ProxyAlphaConfig,
  oauth2ProxyArgs,
  oauth2ProxyEnv,
  oauth2ProxyFiles,
  oauth2ProxyProvider,
} from '../../lib/access/gateway-config';
import { gatewayProps } from '../helpers';

const SECRETS: GatewaySecrets = {
  clientSecret: { secretName: 'oidc', key: 'client-secret' },
  cookieSecret: { secretName: 'cookie', key: 'cookie-secret' },
};

function input(
  overrides: Partial<OidcGatewayProps> = {},
  secrets: Partial<GatewaySecrets> = {},
): GatewayConfigInput {
  const p = gatewayProps(overrides);
  return {
    props: p,
    names: gatewayNames(p),
    sessionStore: p.sessionStore ?? SessionStore.cookie(),
    secrets: { ...SECRETS, ...secrets },
  };
}

const flagsStartingWith = (args: readonly string[], prefix: string) =>
  args.filter((a) => a.startsWith(prefix));

describe('gateway configuration', () => {
  it('derives the names and URLs from the props alone', () => {
    expect(gatewayNames(gatewayProps())).toEqual({
      name: 'oauth2-proxy',
      cookieName: '_oauth2_proxy',
      redirectUrl: 'https://backstage.example.com/oauth2/callback',
      authUrl: 'http://oauth2-proxy.backstage.svc.cluster.local:4180/oauth2/auth',
      signInUrl: 'https://backstage.example.com/oauth2/start?rd=$escaped_request_uri',
    });
    const named = gatewayNames(
      gatewayProps({ name: 'gw', namespace: 'portal', cookie: { name: '_portal' } }),
    );
    expect([named.name, named.cookieName, named.authUrl]).toEqual([
      'gw',
      '_portal',
      'http://gw.portal.svc.cluster.local:4180/oauth2/auth',
    ]);
  });

  describe('flags', () => {
    it('admits any e-mail domain only when the group rule or allowAnyAuthenticatedUser decides', () => {
      expect(
        flagsStartingWith(
          oauth2ProxyArgs(input({ access: { emailDomains: ['example.com', 'example.org'] } })),
          '--email-domain=',
        ),
      ).toEqual(['--email-domain=example.com', '--email-domain=example.org']);
      expect(
        flagsStartingWith(oauth2ProxyArgs(input({ access: { groups: ['admins'] } })), '--email-domain='),
      ).toEqual(['--email-domain=*']);
      expect(
        flagsStartingWith(
          oauth2ProxyArgs(input({ access: { allowAnyAuthenticatedUser: true } })),
          '--email-domain=',
        ),
      ).toEqual(['--email-domain=*']);
    });

    it('keeps the CSRF cookie lax unless the session cookie is SameSite=None', () => {
      const csrf = (sameSite: 'lax' | 'strict' | 'none') =>
        flagsStartingWith(oauth2ProxyArgs(input({ cookie: { sameSite } })), '--cookie-csrf-samesite=');
      expect(csrf('strict')).toEqual(['--cookie-csrf-samesite=lax']);
      expect(csrf('none')).toEqual(['--cookie-csrf-samesite=none']);
    });

    it('passes the cookie domain and lifetimes given, and the defaults otherwise', () => {
      const given = oauth2ProxyArgs(
        input({ cookie: { domain: '.example.com', refresh: '5m', expire: '1h' } }),
      );
      expect(given.filter((a) => /^--cookie-(domain|refresh|expire)=/.test(a))).toEqual([
        '--cookie-domain=.example.com',
        '--cookie-refresh=5m',
        '--cookie-expire=1h',
      ]);
      const defaults = oauth2ProxyArgs(input());
      expect(defaults.filter((a) => /^--cookie-(domain|refresh|expire)=/.test(a))).toEqual([
        '--cookie-refresh=30m',
        '--cookie-expire=12h',
      ]);
    });

    it('connects to Redis, trusting the mounted CA only when there is one', () => {
      const redis = SessionStore.redis({
        url: 'rediss://sessions:6379',
        ca: SecretRef.fromSecret('redis-ca', 'ca.pem'),
      });
      const withCa = oauth2ProxyArgs(
        input({ sessionStore: redis }, { redisCa: { secretName: 'redis-ca', key: 'ca.pem' } }),
      );
      expect(withCa.filter((a) => a.startsWith('--session-store-type=') || a.startsWith('--redis-'))).toEqual(
        [
          '--session-store-type=redis',
          '--redis-connection-url=rediss://sessions:6379',
          '--redis-ca-path=/etc/oauth2-proxy/redis-ca/ca.crt',
        ],
      );
      expect(
        flagsStartingWith(
          oauth2ProxyArgs(input({ sessionStore: SessionStore.redis({ url: 'rediss://sessions:6379' }) })),
          '--redis-ca-path=',
        ),
      ).toEqual([]);
    });

    it('lets the JWT machine clients through by issuer and audience, and only those', () => {
      const machineClients = [
        MachineClient.jwt({
          issuerUrl: 'https://ci.example.com',
          audience: 'backstage',
          jwksUrl: 'https://ci.example.com/jwks',
          subjectPrefix: 'ci',
          emailDomain: 'example.com',
        }),
        MachineClient.staticToken({ subject: 'bot', token: SecretRef.fromSecret('bot', 'token') }),
      ];
      expect(jwtMachineClients(machineClients).map((c) => c.issuerUrl)).toEqual(['https://ci.example.com']);
      const args = oauth2ProxyArgs(input({ machineClients }));
      expect(
        args.filter((a) => a.startsWith('--skip-jwt-bearer-tokens') || a.startsWith('--extra-jwt-issuers')),
      ).toEqual(['--skip-jwt-bearer-tokens=true', '--extra-jwt-issuers=https://ci.example.com=backstage']);
      expect(flagsStartingWith(oauth2ProxyArgs(input()), '--skip-jwt-bearer-tokens')).toEqual([]);
    });

    it('answers 401 on API routes only in the request path', () => {
      const upstream = { serviceName: 'backstage', port: 7007 };
      expect(flagsStartingWith(oauth2ProxyArgs(input({ upstream })), '--api-route=')).toEqual([
        '--api-route=^/api/',
      ]);
      expect(
        flagsStartingWith(
          oauth2ProxyArgs(input({ upstream, apiPaths: ['^/api([/?]|$)', '^/mcp/'] })),
          '--api-route=',
        ),
      ).toEqual(['--api-route=^/api([/?]|$)', '--api-route=^/mcp/']);
      expect(flagsStartingWith(oauth2ProxyArgs(input()), '--api-route=')).toEqual([]);
    });
  });

  describe('alpha config', () => {
    it('answers auth subrequests with a static 202 and the identity response headers in auth-only mode', () => {
      const alpha = oauth2ProxyAlphaConfig(input());
      expect(alpha.upstreamConfig).toEqual({
        upstreams: [{ id: 'auth-only', path: '/', static: true, staticCode: 202 }],
      });
      expect(alpha).toHaveProperty('injectResponseHeaders');
      expect(alpha).not.toHaveProperty('injectRequestHeaders');
    });

    it('proxies to the upstream in its namespace and sets the identity request headers in the request path', () => {
      const alpha = oauth2ProxyAlphaConfig(input({ upstream: { serviceName: 'backstage', port: 7007 } }));
      expect(alpha.upstreamConfig).toEqual({
        upstreams: [{ id: 'portal', path: '/', uri: 'http://backstage.backstage.svc.cluster.local:7007' }],
      });
      expect(alpha).toHaveProperty('injectRequestHeaders');
      expect(alpha).not.toHaveProperty('injectResponseHeaders');
    });

    it('reads the client secret from the mounted file, with PKCE and the allowed groups', () => {
      const issuer = OidcIssuer.keycloak({ url: 'https://sso.example.com/', realm: 'staff' });
      const provider = oauth2ProxyProvider(issuer.settings, 'client-123', 'client-secret', ['admins']);
      expect(provider).toMatchObject({
        provider: 'keycloak-oidc',
        clientID: 'client-123',
        clientSecretFile: '/etc/oauth2-proxy/client-secret/client-secret',
        code_challenge_method: 'S256',
        allowedGroups: ['admins'],
        oidcConfig: {
          issuerURL: 'https://sso.example.com/realms/staff',
          audienceClaims: ['aud'],
          insecureSkipNonce: false,
        },
      });
      expect(oauth2ProxyProvider(issuer.settings, 'client-123', 'client-secret', [])).not.toHaveProperty(
        'allowedGroups',
      );
      expect(
        JSON.stringify(oauth2ProxyAlphaConfig(input({ access: { groups: ['admins'] } })).providers),
      ).toContain('"allowedGroups":["admins"]');
    });
  });

  describe('environment and files', () => {
    it('gives the cookie secret and the Redis password as Secret references, never as values', () => {
      expect(oauth2ProxyEnv(SECRETS)).toEqual([
        {
          name: 'OAUTH2_PROXY_COOKIE_SECRET',
          valueFrom: { secretKeyRef: { name: 'cookie', key: 'cookie-secret' } },
        },
      ]);
      expect(
        oauth2ProxyEnv({ ...SECRETS, redisPassword: { secretName: 'redis', key: 'password' } }).map(
          (e) => e.name,
        ),
      ).toEqual(['OAUTH2_PROXY_COOKIE_SECRET', 'OAUTH2_PROXY_REDIS_PASSWORD']);
    });

    it('mounts the config, the client secret and the Redis CA (as ca.crt) read-only', () => {
      const files = oauth2ProxyFiles('oauth2-proxy-config', {
        ...SECRETS,
        redisCa: { secretName: 'redis-ca', key: 'ca.pem' },
      });
      expect(files.volumeMounts).toEqual([
        { name: 'config', mountPath: '/etc/oauth2-proxy', readOnly: true },
        { name: 'client-secret', mountPath: '/etc/oauth2-proxy/client-secret', readOnly: true },
        { name: 'redis-ca', mountPath: '/etc/oauth2-proxy/redis-ca', readOnly: true },
      ]);
      expect(files.volumes).toEqual([
        { name: 'config', configMap: { name: 'oauth2-proxy-config' } },
        {
          name: 'client-secret',
          secret: { secretName: 'oidc', items: [{ key: 'client-secret', path: 'client-secret' }] },
        },
        { name: 'redis-ca', secret: { secretName: 'redis-ca', items: [{ key: 'ca.pem', path: 'ca.crt' }] } },
      ]);
      expect(oauth2ProxyFiles('cfg', SECRETS).volumes.map((v) => v.name)).toEqual([
        'config',
        'client-secret',
      ]);
    });
  });
});
