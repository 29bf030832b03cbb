import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';

import {
  Backstage,
  BackstageDatabase,
  MachineClient,
  OidcGateway,
  OidcGatewayProps,
  OidcIssuer,
  SecretRef,
  SessionStore,
} from '../../lib';
import { errorOf, resourceAt, synth, variableSecret } from '../helpers';

function gatewayProps(stack: TerraformStack, overrides: Record<string, unknown>): OidcGatewayProps {
  return {
    namespace: 'backstage',
    host: 'backstage.example.com',
    issuer: OidcIssuer.okta({ domain: 'example.okta.com' }),
    clientId: 'client-123',
    clientSecret: variableSecret(stack, 'oidc_client_secret'),
    cookieSecret: variableSecret(stack, 'cookie_secret'),
    access: { emailDomains: ['example.com'] },
    ...overrides,
  } as OidcGatewayProps;
}

/** The oauth2-proxy container of a gateway built with `overrides`. */
function containerWith(overrides: (stack: TerraformStack) => Record<string, unknown>) {
  const json = synth((stack) => new OidcGateway(stack, 'gw', gatewayProps(stack, overrides(stack))));
  return resourceAt(json, 'kubernetes_deployment_v1', 'gw/Deployment').spec.template.spec.container[0];
}

function gatewayErrors(overrides: (stack: TerraformStack) => Record<string, unknown>): string[] {
  return errorOf(() =>
    synth((stack) => new OidcGateway(stack, 'gw', gatewayProps(stack, overrides(stack)))),
  ).split('\n');
}

const ciClient = (options: Partial<Parameters<typeof MachineClient.jwt>[0]> = {}) =>
  MachineClient.jwt({
    issuerUrl: 'https://token.actions.githubusercontent.com',
    audience: 'backstage-machines',
    jwksUrl: 'https://token.actions.githubusercontent.com/.well-known/jwks',
    // The gateway's access policy (emailDomains example.com) applies to machine tokens too.
    emailDomain: 'example.com',
    ...options,
  });

const SECRET_REF_FIX =
  'Use SecretRef.fromSecret(name, key), SecretRef.fromVariable(sensitiveVariable) or SecretRef.fromExternalSecret({...}).';
const SECRET_REF_WHAT =
  'must be a SecretRef, not a plain value: a literal would be written into the synthesized Terraform JSON';

describe('MachineClient', () => {
  it('is recognised by brand and keeps its kind', () => {
    expect(MachineClient.isMachineClient(ciClient())).toBe(true);
    expect(ciClient().kind).toBe('jwt');
    expect(
      MachineClient.staticToken({ subject: 'ci-bot', token: SecretRef.fromSecret('ci', 'token') }).kind,
    ).toBe('static');
    expect(MachineClient.isMachineClient({ kind: 'jwt' })).toBe(false);
  });

  it('still shows the options given to the factory (deprecated `options`, kept for one minor version)', () => {
    const jwtOptions = {
      issuerUrl: 'https://ci.example.com',
      audience: 'portal',
      jwksUrl: 'https://ci.example.com/jwks',
      subjectPrefix: 'ci',
    };
    const staticOptions = { subject: 'ci-bot', token: SecretRef.fromSecret('ci', 'token') };
    expect(MachineClient.jwt(jwtOptions).options).toEqual(jwtOptions);
    expect(MachineClient.staticToken(staticOptions).options).toEqual(staticOptions);
  });

  it('lets each JWT client through the gateway by issuer and audience', () => {
    const args: string[] = containerWith(() => ({
      machineClients: [
        ciClient(),
        ciClient({
          issuerUrl: 'https://gitlab.example.com',
          audience: 'portal',
          jwksUrl: 'https://gitlab.example.com/oauth/discovery/keys',
        }),
      ],
    })).args;
    expect(
      args.filter((a) => a.startsWith('--skip-jwt-bearer-tokens') || a.startsWith('--extra-jwt-issuers')),
    ).toEqual([
      '--skip-jwt-bearer-tokens=true',
      '--extra-jwt-issuers=https://token.actions.githubusercontent.com=backstage-machines',
      '--extra-jwt-issuers=https://gitlab.example.com=portal',
    ]);
  });

  it('does not open the gateway for static-token clients', () => {
    const args: string[] = containerWith(() => ({
      machineClients: [
        MachineClient.staticToken({ subject: 'ci-bot', token: SecretRef.fromSecret('ci', 'token') }),
      ],
    })).args;
    expect(
      args.some((a) => a.startsWith('--skip-jwt-bearer-tokens') || a.startsWith('--extra-jwt-issuers')),
    ).toBe(false);
  });

  it('refuses an http issuer and a shared-secret (HS*) algorithm', () => {
    expect(
      gatewayErrors(() => ({
        machineClients: [ciClient({ issuerUrl: 'http://ci.example.com', algorithms: ['HS256'] })],
      })),
    ).toEqual([
      '[test/gw] machineClients[0].issuerUrl: must be an https:// URL, got "http://ci.example.com". Identity and key material must come over TLS: use the https:// address of the endpoint.',
      '[test/gw] machineClients[0].algorithms[0]: must be an asymmetric JWS algorithm, got "HS256". Use RS256, ES256, PS256 or EdDSA; shared-secret (HS*) tokens cannot be checked with a JWKS.',
    ]);
  });

  it('accepts the asymmetric algorithms', () => {
    expect(() =>
      containerWith(() => ({
        machineClients: [ciClient({ algorithms: ['RS256', 'ES384', 'PS512', 'EdDSA'] })],
      })),
    ).not.toThrow();
  });

  it('refuses an empty audience', () => {
    expect(gatewayErrors(() => ({ machineClients: [ciClient({ audience: '' })] }))).toEqual([
      '[test/gw] machineClients[0].audience: must not be empty, got "". Set the audience your token issuer puts in "aud" for Backstage.',
    ]);
  });

  it('refuses a plain string as a static token without echoing it', () => {
    const message = errorOf(() =>
      synth(
        (stack) =>
          new OidcGateway(
            stack,
            'gw',
            gatewayProps(stack, {
              machineClients: [
                MachineClient.staticToken({ subject: 'ci-bot', token: 'static-token-literal-9' as any }),
              ],
            }),
          ),
      ),
    );
    expect(message).toBe(
      `[test/gw] machineClients[0].token: ${SECRET_REF_WHAT}, got a plain value (hidden). ${SECRET_REF_FIX}`,
    );
    expect(message).not.toContain('static-token-literal-9');
  });

  it('refuses something that is not a MachineClient', () => {
    expect(gatewayErrors(() => ({ machineClients: [{ kind: 'jwt' }] }))).toEqual([
      '[test/gw] machineClients[0]: must be a MachineClient, got {"kind":"jwt"}. Use MachineClient.jwt({...}) or MachineClient.staticToken({...}).',
    ]);
  });
});

describe('SessionStore', () => {
  it('sizes the ingress proxy buffer for the store: 32k for cookie sessions, 16k for Redis tickets', () => {
    expect(SessionStore.cookie().kind).toBe('cookie');
    expect(SessionStore.cookie().proxyBufferSize).toBe('32k');
    const redis = SessionStore.redis({ url: 'redis://redis.backstage.svc:6379' });
    expect(redis.kind).toBe('redis');
    expect(redis.proxyBufferSize).toBe('16k');
    expect(SessionStore.isSessionStore(redis)).toBe(true);
    expect(SessionStore.isSessionStore({ kind: 'redis' })).toBe(false);
  });

  it('stores sessions in cookies by default', () => {
    expect(containerWith(() => ({})).args).toContain('--session-store-type=cookie');
  });

  it('connects to Redis and reads its password from a secretKeyRef', () => {
    const container = containerWith(() => ({
      sessionStore: SessionStore.redis({
        url: 'rediss://redis.backstage.svc:6379',
        password: SecretRef.fromSecret('redis', 'password'),
      }),
    }));
    expect(container.args).toContain('--session-store-type=redis');
    expect(container.args).toContain('--redis-connection-url=rediss://redis.backstage.svc:6379');
    expect(container.env).toContainEqual({
      name: 'OAUTH2_PROXY_REDIS_PASSWORD',
      value_from: { secret_key_ref: { name: 'redis', key: 'password' } },
    });
  });

  it('refuses a Redis URL with credentials and hides it', () => {
    const message = errorOf(() =>
      synth(
        (stack) =>
          new OidcGateway(
            stack,
            'gw',
            gatewayProps(stack, {
              sessionStore: SessionStore.redis({ url: 'redis://default:hunter2@redis:6379' }),
            }),
          ),
      ),
    );
    expect(message).toBe(
      '[test/gw] sessionStore.url: must be a redis:// or rediss:// URL without credentials, got a plain value (hidden). Put the password in `password` as a SecretRef; keep the URL to scheme, host and port.',
    );
    expect(message).not.toContain('hunter2');
  });

  it('refuses a URL that is not redis:// or rediss://', () => {
    expect(gatewayErrors(() => ({ sessionStore: SessionStore.redis({ url: 'http://redis:6379' }) }))).toEqual(
      [
        '[test/gw] sessionStore.url: must be a redis:// or rediss:// URL without credentials, got a plain value (hidden). Put the password in `password` as a SecretRef; keep the URL to scheme, host and port.',
      ],
    );
  });

  it('refuses a plain string as the Redis password without echoing it', () => {
    const message = errorOf(() =>
      synth(
        (stack) =>
          new OidcGateway(
            stack,
            'gw',
            gatewayProps(stack, {
              sessionStore: SessionStore.redis({
                url: 'redis://redis:6379',
                password: 'redis-password-literal' as any,
              }),
            }),
          ),
      ),
    );
    expect(message).toBe(
      `[test/gw] sessionStore.password: ${SECRET_REF_WHAT}, got a plain value (hidden). ${SECRET_REF_FIX}`,
    );
    expect(message).not.toContain('redis-password-literal');
  });

  it('refuses something that is not a SessionStore', () => {
    expect(gatewayErrors(() => ({ sessionStore: { kind: 'redis' } }))).toEqual([
      '[test/gw] sessionStore: must be a SessionStore, got {"kind":"redis"}. Use SessionStore.cookie() or SessionStore.redis({...}).',
    ]);
  });
});

describe('MachineClient audience', () => {
  it('refuses the audience "backstage", which Backstage reserves for its own user tokens', () => {
    const message = errorOf(() =>
      synth(
        (stack) =>
          new Backstage(stack, 'bs', {
            namespace: 'backstage',
            host: 'backstage.example.com',
            image: 'registry.example.com/backstage:1.0.0',
            database: BackstageDatabase.sqliteInMemory(),
            replicas: 1,
            machineClients: [
              MachineClient.jwt({
                issuerUrl: 'https://ci.example.com',
                audience: 'backstage',
                jwksUrl: 'https://ci.example.com/jwks',
              }),
            ],
          }),
      ),
    );
    expect(message).toBe(
      '[test/bs] machineClients[0].audience: must not be "backstage", got "backstage". Backstage reserves that audience for its own user tokens; use another, e.g. "backstage-machines".',
    );
  });

  describe("against the people's access policy, which the gateway applies to machine tokens too", () => {
    it('refuses a client whose tokens carry no e-mail when the gateway restricts e-mail domains', () => {
      expect(gatewayErrors(() => ({ machineClients: [ciClient({ emailDomain: undefined })] }))).toEqual([
        '[test/gw] machineClients[0].emailDomain: must be one of access.emailDomains (example.com): the gateway checks machine tokens against them too, got nothing. If the tokens carry an e-mail claim, set emailDomain to its domain and list that domain in access.emailDomains. Tokens without one (GitHub Actions, GitLab CI, Kubernetes service accounts) cannot pass a gateway that restricts e-mail domains.',
      ]);
    });

    it('refuses an e-mail domain outside the allowed ones', () => {
      expect(
        gatewayErrors(() => ({ machineClients: [ciClient({ emailDomain: 'ci.example.org' })] }))[0],
      ).toMatch(
        /^\[test\/gw\] machineClients\[0\]\.emailDomain: must be one of access\.emailDomains \(example\.com\).*, got "ci\.example\.org"\./,
      );
    });

    it('refuses a client without one of the allowed groups when the gateway has group rules', () => {
      expect(
        gatewayErrors(() => ({
          access: { groups: ['portal-users'] },
          machineClients: [ciClient({ groups: ['ci'] })],
        })),
      ).toEqual([
        '[test/gw] machineClients[0].groups: must include one of access.groups (portal-users): the gateway checks machine tokens against them too, got ["ci"]. List the groups the tokens carry in the groups claim; tokens without one of the allowed groups cannot pass the gateway.',
      ]);
      expect(() =>
        containerWith(() => ({
          access: { groups: ['portal-users'] },
          machineClients: [ciClient({ emailDomain: undefined, groups: ['ci', 'portal-users'] })],
        })),
      ).not.toThrow();
    });

    it('asks nothing of the tokens when any authenticated account may sign in', () => {
      expect(() =>
        containerWith(() => ({
          access: { allowAnyAuthenticatedUser: true },
          machineClients: [ciClient({ emailDomain: undefined })],
        })),
      ).not.toThrow();
    });
  });
});
