import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';

import {
  type AccessRestriction,
  Backstage,
  BackstageDatabase,
  MachineClient,
  OidcGateway,
  OidcGatewayProps,
  OidcIssuer,
  SecretRef,
  SessionStore,
} from '../../lib';
import { type ExpectedProblem, expectProblems, resourceAt, synth, variableSecret } from '../helpers';

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

function expectGatewayProblems(
  overrides: (stack: TerraformStack) => Record<string, unknown>,
  expected: readonly ExpectedProblem[],
) {
  return expectProblems(
    () => synth((stack) => new OidcGateway(stack, 'gw', gatewayProps(stack, overrides(stack)))),
    expected,
  );
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
    expectGatewayProblems(
      () => ({
        machineClients: [ciClient({ issuerUrl: 'http://ci.example.com', algorithms: ['HS256'] })],
      }),
      [
        {
          where: 'test/gw',
          path: 'machineClients[0].issuerUrl',
          says: ['must be an https:// URL', 'got "http://ci.example.com"'],
        },
        {
          where: 'test/gw',
          path: 'machineClients[0].algorithms[0]',
          says: ['must be an asymmetric JWS algorithm', 'got "HS256"'],
        },
      ],
    );
  });

  it('accepts the asymmetric algorithms', () => {
    expect(() =>
      containerWith(() => ({
        machineClients: [ciClient({ algorithms: ['RS256', 'ES384', 'PS512', 'EdDSA'] })],
      })),
    ).not.toThrow();
  });

  it('refuses an empty audience', () => {
    expectGatewayProblems(
      () => ({ machineClients: [ciClient({ audience: '' })] }),
      [{ where: 'test/gw', path: 'machineClients[0].audience', says: ['must not be empty', 'got ""'] }],
    );
  });

  it('refuses a plain string as a static token without echoing it', () => {
    const [problem] = expectGatewayProblems(
      () => ({
        machineClients: [
          MachineClient.staticToken({ subject: 'ci-bot', token: 'static-token-literal-9' as any }),
        ],
      }),
      [
        {
          where: 'test/gw',
          path: 'machineClients[0].token',
          says: [SECRET_REF_WHAT, 'got a plain value (hidden)', SECRET_REF_FIX],
        },
      ],
    );
    expect(problem!.message).not.toContain('static-token-literal-9');
  });

  it('refuses something that is not a MachineClient', () => {
    expectGatewayProblems(
      () => ({ machineClients: [{ kind: 'jwt' }] }),
      [
        {
          where: 'test/gw',
          path: 'machineClients[0]',
          says: ['must be a MachineClient', 'got {"kind":"jwt"}'],
        },
      ],
    );
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
    const [problem] = expectGatewayProblems(
      () => ({ sessionStore: SessionStore.redis({ url: 'redis://default:hunter2@redis:6379' }) }),
      [
        {
          where: 'test/gw',
          path: 'sessionStore.url',
          says: [
            'must be a redis:// or rediss:// URL without credentials',
            'got a plain value (hidden)',
            'Put the password in `password` as a SecretRef',
          ],
        },
      ],
    );
    expect(problem!.message).not.toContain('hunter2');
  });

  it('refuses a URL that is not redis:// or rediss://', () => {
    expectGatewayProblems(
      () => ({ sessionStore: SessionStore.redis({ url: 'http://redis:6379' }) }),
      [
        {
          where: 'test/gw',
          path: 'sessionStore.url',
          says: ['must be a redis:// or rediss:// URL without credentials', 'got a plain value (hidden)'],
        },
      ],
    );
  });

  it('refuses a plain string as the Redis password without echoing it', () => {
    const [problem] = expectGatewayProblems(
      () => ({
        sessionStore: SessionStore.redis({
          url: 'redis://redis:6379',
          password: 'redis-password-literal' as any,
        }),
      }),
      [
        {
          where: 'test/gw',
          path: 'sessionStore.password',
          says: [SECRET_REF_WHAT, 'got a plain value (hidden)', SECRET_REF_FIX],
        },
      ],
    );
    expect(problem!.message).not.toContain('redis-password-literal');
  });

  it('refuses something that is not a SessionStore', () => {
    expectGatewayProblems(
      () => ({ sessionStore: { kind: 'redis' } }),
      [{ where: 'test/gw', path: 'sessionStore', says: ['must be a SessionStore', 'got {"kind":"redis"}'] }],
    );
  });
});

describe('MachineClient audience', () => {
  it('refuses the audience "backstage", which Backstage reserves for its own user tokens', () => {
    expectProblems(
      () =>
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
      [
        {
          where: 'test/bs',
          path: 'machineClients[0].audience',
          says: ['must not be "backstage"', 'got "backstage"', 'use another, e.g. "backstage-machines"'],
        },
      ],
    );
  });

  describe("against the people's access policy, which the gateway applies to machine tokens too", () => {
    it('refuses a client whose tokens carry no e-mail when the gateway restricts e-mail domains', () => {
      expectGatewayProblems(
        () => ({ machineClients: [ciClient({ emailDomain: undefined })] }),
        [
          {
            where: 'test/gw',
            path: 'machineClients[0].emailDomain',
            says: ['must be one of access.emailDomains (example.com)', 'got nothing'],
          },
        ],
      );
    });

    it('refuses an e-mail domain outside the allowed ones', () => {
      expectGatewayProblems(
        () => ({ machineClients: [ciClient({ emailDomain: 'ci.example.org' })] }),
        [
          {
            where: 'test/gw',
            path: 'machineClients[0].emailDomain',
            says: ['must be one of access.emailDomains (example.com)', 'got "ci.example.org"'],
          },
        ],
      );
    });

    it('refuses a client without one of the allowed groups when the gateway has group rules', () => {
      expectGatewayProblems(
        () => ({
          access: { groups: ['portal-users'] },
          machineClients: [ciClient({ groups: ['ci'] })],
        }),
        [
          {
            where: 'test/gw',
            path: 'machineClients[0].groups',
            says: ['must include one of access.groups (portal-users)', 'got ["ci"]'],
          },
        ],
      );
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

describe('MachineClient: clients of one issuer', () => {
  // Backstage picks a token's externalAccess entry by issuer and audience alone, and the
  // caller picks the audience: different grants for one issuer would be an illusion.
  const backstageWith = (machineClients: MachineClient[]) => () =>
    synth(
      (stack) =>
        new Backstage(stack, 'bs', {
          namespace: 'backstage',
          host: 'backstage.example.com',
          image: 'registry.example.com/backstage:1.0.0',
          database: BackstageDatabase.sqliteInMemory(),
          replicas: 1,
          machineClients,
        }),
    );
  const github = (repository: string, audience: string, accessRestrictions?: AccessRestriction[]) =>
    MachineClient.githubActions({
      audience,
      repository,
      refs: ['refs/heads/main'],
      ...(accessRestrictions ? { accessRestrictions } : {}),
    });

  it('refuses two that grant different access, with either audience, on the Backstage and the gateway side', () => {
    const clients = [
      github('acme/docs', 'backstage-docs', [{ plugin: 'catalog' }]),
      github('acme/deploy', 'backstage-deploy', [{ plugin: 'catalog' }, { plugin: 'scaffolder' }]),
    ];
    const says = [
      'differ from those of machineClients[0], a client of the same issuer https://token.actions.githubusercontent.com',
      'the subjects of either could get the access of the other',
      'Give the clients of one issuer the same accessRestrictions',
    ];
    expectProblems(backstageWith(clients), [
      { where: 'test/bs', path: 'machineClients[1].accessRestrictions', says },
    ]);
    // One unrestricted client beside a restricted one of the same issuer, and the same audience.
    expectProblems(
      backstageWith([
        github('acme/docs', 'backstage-ci'),
        github('acme/deploy', 'backstage-ci', [{ plugin: 'catalog' }]),
      ]),
      [{ where: 'test/bs', path: 'machineClients[1].accessRestrictions', says: says[0]! }],
    );
    expectGatewayProblems(
      () => ({
        access: { allowAnyAuthenticatedUser: true },
        machineClients: clients,
        machineHost: 'api.backstage.example.com',
      }),
      [{ where: 'test/gw', path: 'machineClients[1].accessRestrictions', says: says[0]! }],
    );
  });

  it('accepts the same grants in another order, and different grants from different issuers', () => {
    const json = backstageWith([
      github('acme/docs', 'backstage-docs', [
        { plugin: 'scaffolder' },
        { plugin: 'catalog', permissions: ['catalog.entity.read', 'catalog.location.read'] },
      ]),
      github('acme/deploy', 'backstage-deploy', [
        { plugin: 'catalog', permissions: ['catalog.location.read', 'catalog.entity.read'] },
        { plugin: 'scaffolder' },
      ]),
      MachineClient.kubernetesServiceAccount({
        issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE',
        audience: 'backstage-agents',
        namespace: 'agents',
        serviceAccount: 'catalog-agent',
      }),
    ])();
    const config = Object.values(json.resource!.kubernetes_config_map_v1 as Record<string, any>)
      .flatMap((cm) => Object.values(cm.data as Record<string, string>))
      .find((d) => d.includes('externalAccess'))!;
    expect(config.match(/type: jwks/g)).toHaveLength(3);
  });
});
