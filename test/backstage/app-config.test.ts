import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { Backstage, BackstageDatabase, MachineClient, mergeAppConfig, SecretRef } from '../../lib';
import { findLiteralSecrets } from '../../lib/backstage/app-config';
import { expectProblems, resourceAt, synth, synthBackstage, type TfJson, variableSecret } from '../helpers';

const ORIGIN = 'https://backstage.example.com';

/** The ConfigMap data exactly as synthesized (Terraform template syntax escaped). */
function rawAppConfig(json: TfJson): string {
  return resourceAt(json, 'kubernetes_config_map_v1', 'bs/AppConfig').data['app-config.portal.yaml'];
}

/** The app-config Backstage reads: the YAML after Terraform has rendered `$${` to `${`. */
function appConfigOf(json: TfJson): any {
  return parse(rawAppConfig(json).replaceAll('$${', '${').replaceAll('%%{', '%{'));
}

const envOf = (json: TfJson): any[] =>
  resourceAt(json, 'kubernetes_deployment_v1', 'bs/Deployment').spec.template.spec.container[0].env;

describe('Backstage app-config', () => {
  describe('generated config', () => {
    it('derives every URL from the one host and listens on 7007', () => {
      const config = appConfigOf(synthBackstage());
      expect(config.app.baseUrl).toBe(ORIGIN);
      expect(config.backend.baseUrl).toBe(ORIGIN);
      expect(config.backend.cors.origin).toBe(ORIGIN);
      expect(config.backend.cors.credentials).toBe(true);
      expect(config.backend.listen).toEqual({ port: 7007 });
      expect(config.auth.environment).toBe('production');
    });

    it('signs users in through oauth2Proxy by e-mail by default', () => {
      expect(appConfigOf(synthBackstage()).auth.providers).toEqual({
        oauth2Proxy: { signIn: { resolvers: [{ resolver: 'emailMatchingUserEntityProfileEmail' }] } },
      });
    });

    it('uses the given resolvers in order', () => {
      const config = appConfigOf(
        synthBackstage({
          signIn: {
            resolvers: ['forwardedUserMatchingUserEntityName', 'emailLocalPartMatchingUserEntityName'],
          },
        }),
      );
      expect(config.auth.providers.oauth2Proxy.signIn.resolvers).toEqual([
        { resolver: 'forwardedUserMatchingUserEntityName' },
        { resolver: 'emailLocalPartMatchingUserEntityName' },
      ]);
    });

    it('allows sign-in without a catalog user on every resolver (each one takes the flag)', () => {
      const config = appConfigOf(
        synthBackstage({
          signIn: {
            resolvers: [
              'forwardedPreferredUsernameMatchingUserEntityName',
              'emailMatchingUserEntityProfileEmail',
              'forwardedUserMatchingUserEntityName',
            ],
            dangerouslyAllowSignInWithoutUserInCatalog: true,
          },
        }),
      );
      expect(config.auth.providers.oauth2Proxy.signIn.resolvers).toEqual([
        {
          resolver: 'forwardedPreferredUsernameMatchingUserEntityName',
          dangerouslyAllowSignInWithoutUserInCatalog: true,
        },
        { resolver: 'emailMatchingUserEntityProfileEmail', dangerouslyAllowSignInWithoutUserInCatalog: true },
        { resolver: 'forwardedUserMatchingUserEntityName', dangerouslyAllowSignInWithoutUserInCatalog: true },
      ]);
    });

    // The rendered resolver options against Backstage's own resolver schemas:
    // test/e2e/signin/resolver-options.test.ts (Backstage's packages are the sign-in suite's).

    it('has no externalAccess without machine clients', () => {
      expect(appConfigOf(synthBackstage()).backend.auth).toBeUndefined();
    });

    it('accepts JWT machine clients through a jwks externalAccess entry', () => {
      const config = appConfigOf(
        synthBackstage({
          machineClients: [
            MachineClient.jwt({
              issuerUrl: 'https://token.actions.githubusercontent.com',
              audience: 'backstage-machines',
              jwksUrl: 'https://token.actions.githubusercontent.com/.well-known/jwks',
              subjectPrefix: 'github',
              algorithms: ['RS256', 'ES256'],
            }),
          ],
        }),
      );
      expect(config.backend.auth.externalAccess).toEqual([
        {
          type: 'jwks',
          options: {
            url: 'https://token.actions.githubusercontent.com/.well-known/jwks',
            issuer: 'https://token.actions.githubusercontent.com',
            audience: 'backstage-machines',
            algorithm: ['RS256', 'ES256'],
            subjectPrefix: 'github',
          },
        },
      ]);
    });

    it('defaults JWT clients to RS256', () => {
      const config = appConfigOf(
        synthBackstage({
          machineClients: [
            MachineClient.jwt({
              issuerUrl: 'https://idp.example.com',
              audience: 'backstage-machines',
              jwksUrl: 'https://idp.example.com/jwks',
            }),
          ],
        }),
      );
      expect(config.backend.auth.externalAccess[0].options.algorithm).toEqual(['RS256']);
      expect(config.backend.auth.externalAccess[0].options).not.toHaveProperty('subjectPrefix');
    });

    it('puts accessRestrictions next to options, where Backstage reads them', () => {
      // Backstage reads `accessRestrictions` from the externalAccess entry itself
      // (readAccessRestrictionsFromConfig(handlerConfig)); inside `options` they are ignored
      // and the client gets unrestricted access.
      const config = appConfigOf(
        synthBackstage({
          machineClients: [
            MachineClient.jwt({
              issuerUrl: 'https://idp.example.com',
              audience: 'backstage-machines',
              jwksUrl: 'https://idp.example.com/jwks',
              accessRestrictions: [{ plugin: 'catalog', permissions: ['catalog.entity.read'] }],
            }),
            MachineClient.staticToken({
              subject: 'ci-bot',
              token: SecretRef.fromSecret('ci-bot', 'token'),
              accessRestrictions: [{ plugin: 'scaffolder' }],
            }),
          ],
        }),
      );
      const [jwks, staticToken] = config.backend.auth.externalAccess;
      expect(jwks.accessRestrictions).toEqual([{ plugin: 'catalog', permission: ['catalog.entity.read'] }]);
      expect(jwks.options).not.toHaveProperty('accessRestrictions');
      expect(staticToken.accessRestrictions).toEqual([{ plugin: 'scaffolder' }]);
      expect(staticToken.options).not.toHaveProperty('accessRestrictions');
    });

    it('accepts static-token clients with the token from an env var filled from the secret', () => {
      const json = synthBackstage({
        machineClients: [
          MachineClient.staticToken({
            subject: 'ci-bot',
            token: SecretRef.fromSecret('ci-bot-token', 'token'),
          }),
        ],
      });
      expect(appConfigOf(json).backend.auth.externalAccess).toEqual([
        { type: 'static', options: { token: '${BACKSTAGE_STATIC_TOKEN_CI_BOT}', subject: 'ci-bot' } },
      ]);
      expect(rawAppConfig(json)).toContain('token: $${BACKSTAGE_STATIC_TOKEN_CI_BOT}');
      expect(envOf(json)).toContainEqual({
        name: 'BACKSTAGE_STATIC_TOKEN_CI_BOT',
        value_from: { secret_key_ref: { name: 'ci-bot-token', key: 'token' } },
      });
    });

    it('lists JWT clients before static-token clients', () => {
      const config = appConfigOf(
        synthBackstage({
          machineClients: [
            MachineClient.staticToken({ subject: 'agent', token: SecretRef.fromSecret('agent', 'token') }),
            MachineClient.jwt({
              issuerUrl: 'https://idp.example.com',
              audience: 'backstage-machines',
              jwksUrl: 'https://idp.example.com/jwks',
            }),
          ],
        }),
      );
      expect(config.backend.auth.externalAccess.map((e: any) => e.type)).toEqual(['jwks', 'static']);
    });
  });

  describe('Terraform escaping', () => {
    it('writes Backstage substitutions as $${VAR} so Terraform does not interpolate them', () => {
      const json = synthBackstage({
        appConfig: { integrations: { github: [{ host: 'github.com', token: '${GITHUB_TOKEN}' }] } },
      });
      const raw = rawAppConfig(json);
      expect(raw).toContain('token: $${GITHUB_TOKEN}');
      // No `${` reaches Terraform unescaped.
      expect(raw).not.toMatch(/(?<!\$)\$\{/);
      expect(appConfigOf(json).integrations.github[0].token).toBe('${GITHUB_TOKEN}');
    });

    it('escapes %{ template directives too', () => {
      const json = synthBackstage({ appConfig: { app: { title: 'Portal %{ not a directive }' } } });
      expect(rawAppConfig(json)).toContain('title: Portal %%{ not a directive }');
      expect(appConfigOf(json).app.title).toBe('Portal %{ not a directive }');
    });
  });

  describe('user appConfig', () => {
    it('is deep-merged over the generated config: objects merge, arrays and scalars replace', () => {
      const config = appConfigOf(
        synthBackstage({
          appConfig: {
            app: { title: 'Developer Portal' },
            backend: { cors: { methods: ['GET', 'POST'] } },
            organization: { name: 'Example' },
          },
        }),
      );
      expect(config.app).toEqual({ baseUrl: ORIGIN, title: 'Developer Portal' });
      expect(config.backend.cors).toEqual({ origin: ORIGIN, methods: ['GET', 'POST'], credentials: true });
      expect(config.backend.baseUrl).toBe(ORIGIN);
      expect(config.organization).toEqual({ name: 'Example' });
    });

    it('is exposed merged on the construct', () => {
      let backstage: Backstage | undefined;
      synth((stack) => {
        backstage = new Backstage(stack, 'bs', {
          namespace: 'backstage',
          host: 'backstage.example.com',
          image: 'registry.example.com/platform/backstage:1.4.2',
          database: BackstageDatabase.sqliteInMemory(),
          replicas: 1,
          appConfig: { app: { title: 'Portal' } },
        });
      });
      expect(backstage?.appConfig.app).toEqual({ baseUrl: ORIGIN, title: 'Portal' });
      expect(parse(backstage!.appConfigYaml)).toEqual(backstage!.appConfig);
    });

    it('accepts secrets written as ${ENV_VAR} and given in secretEnv', () => {
      const json = synthBackstage((stack) => ({
        appConfig: { integrations: { github: [{ host: 'github.com', token: '${GITHUB_TOKEN}' }] } },
        secretEnv: { GITHUB_TOKEN: variableSecret(stack, 'github_token') },
      }));
      expect(envOf(json)).toContainEqual({
        name: 'GITHUB_TOKEN',
        value_from: { secret_key_ref: { name: 'github-token', key: 'value' } },
      });
    });

    it('refuses a literal secret and does not echo it', () => {
      const [problem] = expectProblems(
        () =>
          synthBackstage({
            appConfig: { integrations: { github: [{ host: 'github.com', token: 'ghp_x1234567890abcdef' }] } },
          }),
        [
          {
            where: 'test/bs',
            path: 'appConfig.integrations.github[0].token',
            says: [
              'looks like a literal secret in the app-config',
              'got a plain value (hidden)',
              'Write "${MY_SECRET}" here and pass secretEnv',
            ],
          },
        ],
      );
      expect(problem!.message).not.toContain('ghp_x1234567890abcdef');
    });

    it('reports every literal secret on its own line', () => {
      const problems = expectProblems(
        () =>
          synthBackstage({
            appConfig: {
              auth: { providers: { github: { production: { clientSecret: 's3cr3t-value' } } } },
              techdocs: {
                publisher: {
                  awsS3: { credentials: { secretAccessKey: '${AWS_SECRET}', accessKeyId: 'AKIA' } },
                },
              },
              catalog: { providers: { backstageOpenapi: { apiKey: 'k-abcdef' } } },
            },
          }),
        [
          {
            where: 'test/bs',
            path: 'appConfig.auth.providers.github.production.clientSecret',
            says: 'looks like a literal secret in the app-config',
          },
          {
            where: 'test/bs',
            path: 'appConfig.catalog.providers.backstageOpenapi.apiKey',
            says: 'looks like a literal secret in the app-config',
          },
        ],
      );
      const message = problems.map((p) => p.message).join('\n');
      expect(message).not.toContain('s3cr3t-value');
      expect(message).not.toContain('k-abcdef');
    });
  });

  describe('mergeAppConfig', () => {
    it('merges objects key by key and replaces arrays and scalars', () => {
      const base = { a: { b: 1, c: [1, 2], d: { e: 'x' } }, f: 'keep' };
      expect(mergeAppConfig(base, { a: { c: [3], d: { g: true } }, h: null })).toEqual({
        a: { b: 1, c: [3], d: { e: 'x', g: true } },
        f: 'keep',
        h: null,
      });
    });

    it('replaces an object by a scalar and a scalar by an object', () => {
      expect(mergeAppConfig({ a: { b: 1 }, c: 'x' }, { a: 'flat', c: { d: 1 } })).toEqual({
        a: 'flat',
        c: { d: 1 },
      });
    });

    it('does not modify its inputs', () => {
      const base = { a: { b: 1 } };
      const override = { a: { c: 2 } };
      mergeAppConfig(base, override);
      expect(base).toEqual({ a: { b: 1 } });
      expect(override).toEqual({ a: { c: 2 } });
    });
  });

  describe('findLiteralSecrets', () => {
    it('finds string values under secret-looking keys, in objects and arrays', () => {
      expect(
        findLiteralSecrets({
          integrations: { github: [{ host: 'github.com', token: 'ghp_x' }] },
          backend: { database: { connection: { password: 'pw' } } },
          auth: { providers: { okta: { production: { clientSecret: 's', privateKey: 'k' } } } },
        }),
      ).toEqual([
        ['integrations', 'github', 0, 'token'],
        ['backend', 'database', 'connection', 'password'],
        ['auth', 'providers', 'okta', 'production', 'clientSecret'],
        ['auth', 'providers', 'okta', 'production', 'privateKey'],
      ]);
    });

    it('accepts ${ENV_VAR} substitutions and non-secret keys', () => {
      expect(
        findLiteralSecrets({
          integrations: { github: [{ token: '${GITHUB_TOKEN}' }] },
          backend: { database: { connection: { password: ' ${POSTGRES_PASSWORD} ', user: 'backstage' } } },
          app: { title: 'token' },
          tokenUrl: 'https://example.com/token',
        }),
      ).toEqual([]);
    });

    it('refuses a substitution mixed with literal text', () => {
      expect(findLiteralSecrets({ apiToken: 'Bearer ${TOKEN}' })).toEqual([['apiToken']]);
    });
  });
});
