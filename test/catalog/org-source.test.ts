import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

import { OrgSource, SecretRef, SignInResolver, Team } from '../../lib';
import { expectProblems, problemsOf, resourceAt, synth, synthBackstage } from '../helpers';

const TENANT = '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
const CLIENT = '11111111-2222-3333-4444-555555555555';

const appConfigOf = (json: ReturnType<typeof synth>) =>
  parse(
    resourceAt(json, 'kubernetes_config_map_v1', 'bs/AppConfig').data['app-config.portal.yaml'].replace(
      /\$\$\{/g,
      '${',
    ),
  );
const containerOf = (json: ReturnType<typeof synth>) =>
  resourceAt(json, 'kubernetes_deployment_v1', 'bs/Deployment').spec.template.spec.container[0];
const SCHEDULE = { frequency: { hours: 1 }, timeout: { minutes: 50 }, initialDelay: { seconds: 15 } };

describe('OrgSource', () => {
  it('Entra ID renders catalog.providers.microsoftGraphOrg with the client secret from a Secret, never its value', () => {
    const json = synthBackstage({
      org: OrgSource.entraId({
        tenantId: TENANT,
        clientId: CLIENT,
        clientSecret: SecretRef.fromSecret('msgraph', 'client-secret'),
        userFilter: 'accountEnabled eq true',
        groupFilter: 'securityEnabled eq true',
        schedule: { frequency: '30m', timeout: '20m' },
      }),
    });
    expect(appConfigOf(json).catalog).toEqual({
      providers: {
        microsoftGraphOrg: {
          default: {
            tenantId: TENANT,
            clientId: CLIENT,
            clientSecret: '${BACKSTAGE_ORG_ENTRA_CLIENT_SECRET}',
            user: { filter: 'accountEnabled eq true' },
            group: { filter: 'securityEnabled eq true' },
            schedule: { frequency: { minutes: 30 }, timeout: { minutes: 20 }, initialDelay: { seconds: 15 } },
          },
        },
      },
    });
    expect(containerOf(json).env).toContainEqual({
      name: 'BACKSTAGE_ORG_ENTRA_CLIENT_SECRET',
      value_from: { secret_key_ref: { name: 'msgraph', key: 'client-secret' } },
    });
  });

  it('names the npm module (and backend feature) the image must include for each source', () => {
    const secret = SecretRef.fromSecret('s', 'k');
    const modules = {
      entraId: OrgSource.entraId({ tenantId: TENANT, clientId: CLIENT, clientSecret: secret }).modules,
      okta: OrgSource.okta({ orgUrl: 'https://example.okta.com', token: secret }).modules,
      keycloak: OrgSource.keycloak({
        baseUrl: 'https://keycloak.example.com',
        realm: 'staff',
        clientId: 'backstage',
        clientSecret: secret,
      }).modules,
      ldap: OrgSource.ldap({
        target: 'ldaps://ds.example.com',
        users: { dn: 'ou=people,dc=example,dc=com' },
        groups: { dn: 'ou=groups,dc=example,dc=com' },
      }).modules,
      githubOrg: OrgSource.githubOrg({ orgs: ['example'], token: secret }).modules,
      static: OrgSource.staticOrg({ teams: [], users: [] }).modules,
    };
    expect(modules).toEqual({
      entraId: [
        {
          npmPackage: '@backstage/plugin-catalog-backend-module-msgraph',
          feature: '@backstage/plugin-catalog-backend-module-msgraph',
        },
      ],
      okta: [
        {
          npmPackage: '@roadiehq/catalog-backend-module-okta',
          feature: '@roadiehq/catalog-backend-module-okta/okta-entity-provider',
        },
        {
          npmPackage: '@roadiehq/catalog-backend-module-okta',
          feature: '@roadiehq/catalog-backend-module-okta/org-provider-factory',
        },
      ],
      keycloak: [
        {
          npmPackage: '@backstage-community/plugin-catalog-backend-module-keycloak',
          feature: '@backstage-community/plugin-catalog-backend-module-keycloak',
        },
      ],
      ldap: [
        {
          npmPackage: '@backstage/plugin-catalog-backend-module-ldap',
          feature: '@backstage/plugin-catalog-backend-module-ldap',
        },
      ],
      githubOrg: [
        {
          npmPackage: '@backstage/plugin-catalog-backend-module-github-org',
          feature: '@backstage/plugin-catalog-backend-module-github-org',
        },
      ],
      static: [],
    });
  });

  it("Okta, Keycloak and LDAP render their providers' keys", () => {
    const okta = appConfigOf(
      synthBackstage({
        org: OrgSource.okta({
          orgUrl: 'https://example.okta.com/',
          token: SecretRef.fromSecret('okta', 'token'),
          groupFilter: 'type eq "OKTA_GROUP"',
        }),
      }),
    );
    expect(okta.catalog.providers.okta).toEqual([
      {
        orgUrl: 'https://example.okta.com',
        token: '${BACKSTAGE_ORG_OKTA_TOKEN}',
        groupFilter: 'type eq "OKTA_GROUP"',
        schedule: SCHEDULE,
      },
    ]);
    const keycloak = appConfigOf(
      synthBackstage({
        org: OrgSource.keycloak({
          baseUrl: 'https://keycloak.example.com',
          realm: 'staff',
          clientId: 'backstage',
          clientSecret: SecretRef.fromSecret('kc', 'secret'),
        }),
      }),
    );
    expect(keycloak.catalog.providers.keycloakOrg).toEqual({
      default: {
        baseUrl: 'https://keycloak.example.com',
        realm: 'staff',
        loginRealm: 'staff',
        clientId: 'backstage',
        clientSecret: '${BACKSTAGE_ORG_KEYCLOAK_CLIENT_SECRET}',
        schedule: SCHEDULE,
      },
    });
    const ldap = appConfigOf(
      synthBackstage({
        org: OrgSource.ldap({
          target: 'ldaps://ds.example.com',
          bind: {
            dn: 'uid=backstage,ou=robots,dc=example,dc=com',
            secret: SecretRef.fromSecret('ldap', 'password'),
          },
          users: { dn: 'ou=people,dc=example,dc=com', filter: '(objectClass=inetOrgPerson)' },
          groups: { dn: 'ou=groups,dc=example,dc=com' },
        }),
      }),
    );
    expect(ldap.catalog.providers.ldapOrg).toEqual({
      default: {
        target: 'ldaps://ds.example.com',
        bind: {
          dn: 'uid=backstage,ou=robots,dc=example,dc=com',
          secret: '${BACKSTAGE_ORG_LDAP_BIND_SECRET}',
        },
        users: { dn: 'ou=people,dc=example,dc=com', options: { filter: '(objectClass=inetOrgPerson)' } },
        groups: { dn: 'ou=groups,dc=example,dc=com', options: {} },
        schedule: SCHEDULE,
      },
    });
  });

  it('GitHub org renders the provider and the integration that carries its token', () => {
    const config = appConfigOf(
      synthBackstage({
        org: OrgSource.githubOrg({
          orgs: ['example'],
          token: SecretRef.fromSecret('github', 'token'),
          useVerifiedEmails: true,
        }),
      }),
    );
    expect(config.catalog.providers.githubOrg).toEqual([
      {
        id: 'default',
        githubUrl: 'https://github.com',
        orgs: ['example'],
        defaultUserTransformer: { useVerifiedEmails: true },
        schedule: SCHEDULE,
      },
    ]);
    expect(config.integrations).toEqual({
      github: [{ host: 'github.com', token: '${BACKSTAGE_ORG_GITHUB_TOKEN}' }],
    });
  });

  it("the static org is a catalog file in a ConfigMap, mounted read-only, added after the user's catalog locations", () => {
    const platform = Team.of('platform-admins');
    const json = synthBackstage({
      org: OrgSource.staticOrg({
        teams: [platform],
        users: [{ name: 'alice', email: 'alice@example.com', displayName: 'Alice', memberOf: [platform] }],
      }),
      appConfig: {
        catalog: { locations: [{ type: 'url', target: 'https://example.com/catalog-info.yaml' }] },
      },
    });
    const cm = resourceAt(json, 'kubernetes_config_map_v1', 'bs/OrgCatalog');
    expect(cm.metadata.name).toBe('backstage-org');
    expect(parseAllDocuments(cm.data['org.yaml']).map((d) => d.toJS())).toEqual([
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'platform-admins' },
        spec: { type: 'team', children: [] },
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'alice' },
        spec: {
          profile: { displayName: 'Alice', email: 'alice@example.com' },
          memberOf: ['platform-admins'],
        },
      },
    ]);
    expect(appConfigOf(json).catalog.locations).toEqual([
      { type: 'url', target: 'https://example.com/catalog-info.yaml' },
      { type: 'file', target: '/etc/backstage-org/org.yaml', rules: [{ allow: ['User', 'Group'] }] },
    ]);
    const pod = resourceAt(json, 'kubernetes_deployment_v1', 'bs/Deployment').spec.template.spec;
    expect(pod.volume).toContainEqual({
      name: 'org-catalog',
      config_map: { name: '${kubernetes_config_map_v1.bs_OrgCatalog_A101192A.metadata[0].name}' },
    });
    expect(pod.container[0].volume_mount).toContainEqual({
      name: 'org-catalog',
      mount_path: '/etc/backstage-org',
      read_only: true,
    });
  });

  describe('refusals', () => {
    it('the sign-in resolvers and the org source must agree (Entra ID users are not named after the sub claim)', () => {
      expectProblems(
        () =>
          synthBackstage({
            org: OrgSource.entraId({
              tenantId: TENANT,
              clientId: CLIENT,
              clientSecret: SecretRef.fromSecret('s', 'k'),
            }),
            signIn: { resolvers: ['forwardedUserMatchingUserEntityName'] },
          }),
        [
          {
            where: 'test/bs',
            path: 'signIn.resolvers',
            says: [
              "cannot find the org source's users: forwardedUserMatchingUserEntityName: Entra ID's sub claim is an opaque per-application id, which no User entity of the msgraph module is named after",
              'got ["forwardedUserMatchingUserEntityName"]',
              'Use a resolver this org source supports',
            ],
          },
        ],
      );
    });

    // Every resolver against each IdP source whose reasons are a table: a reason keyed by a
    // misspelt resolver name would turn its refusal into an acceptance here.
    const idpSources = {
      entraId: () =>
        OrgSource.entraId({
          tenantId: TENANT,
          clientId: CLIENT,
          clientSecret: SecretRef.fromSecret('s', 'k'),
        }),
      okta: () =>
        OrgSource.okta({ orgUrl: 'https://example.okta.com', token: SecretRef.fromSecret('s', 'k') }),
      keycloak: () =>
        OrgSource.keycloak({
          baseUrl: 'https://keycloak.example.com',
          realm: 'staff',
          clientId: 'backstage',
          clientSecret: SecretRef.fromSecret('s', 'k'),
        }),
    };
    const resolverReasons: Record<keyof typeof idpSources, Record<SignInResolver, string | undefined>> = {
      entraId: {
        emailMatchingUserEntityProfileEmail: undefined,
        emailLocalPartMatchingUserEntityName:
          'the msgraph module names users after their whole e-mail address',
        forwardedUserMatchingUserEntityName: "Entra ID's sub claim is an opaque per-application id",
        forwardedPreferredUsernameMatchingUserEntityName:
          'the preferred_username claim is the user principal name (alice@example.com)',
      },
      okta: {
        emailMatchingUserEntityProfileEmail: undefined,
        emailLocalPartMatchingUserEntityName: undefined,
        forwardedUserMatchingUserEntityName: "Okta's sub claim is the user id (00u...)",
        forwardedPreferredUsernameMatchingUserEntityName:
          "Okta's preferred_username is the login (usually the whole e-mail address)",
      },
      keycloak: {
        emailMatchingUserEntityProfileEmail: undefined,
        emailLocalPartMatchingUserEntityName: undefined,
        forwardedUserMatchingUserEntityName: "Keycloak's sub claim is the user's UUID",
        forwardedPreferredUsernameMatchingUserEntityName: undefined,
      },
    };
    for (const [source, reasons] of Object.entries(resolverReasons) as Array<
      [keyof typeof idpSources, Record<SignInResolver, string | undefined>]
    >) {
      for (const [resolver, reason] of Object.entries(reasons) as Array<
        [SignInResolver, string | undefined]
      >) {
        it(`${source} with only ${resolver}: ${reason === undefined ? 'accepted' : 'refused with the reason'}`, () => {
          const run = () => synthBackstage({ org: idpSources[source](), signIn: { resolvers: [resolver] } });
          if (reason === undefined) {
            expect(appConfigOf(run()).auth.providers.oauth2Proxy.signIn.resolvers).toEqual([{ resolver }]);
          } else {
            expect(problemsOf(run)).toContainEqual(
              expect.objectContaining({
                path: 'signIn.resolvers',
                message: expect.stringContaining(
                  `cannot find the org source's users: ${resolver}: ${reason}`,
                ),
              }),
            );
          }
        });
      }
    }

    it('the e-mail resolver needs ingested profile e-mails: a static user without one, GitHub without verified e-mails', () => {
      expectProblems(
        () =>
          synthBackstage({
            org: OrgSource.staticOrg({
              teams: [],
              users: [{ name: 'alice', email: 'alice@example.com' }, { name: 'bob' }],
            }),
          }),
        [
          {
            where: 'test/bs',
            path: 'signIn.resolvers',
            says: [
              'cannot find the org source\'s users: emailMatchingUserEntityProfileEmail: the users "bob" have no email, so the e-mail resolver can never find them',
              'got ["emailMatchingUserEntityProfileEmail"]',
              'Use a resolver this org source supports',
            ],
          },
        ],
      );
      expect(
        problemsOf(() =>
          synthBackstage({
            org: OrgSource.githubOrg({ orgs: ['example'], token: SecretRef.fromSecret('s', 'k') }),
          }),
        ),
      ).toContainEqual(
        expect.objectContaining({
          path: 'signIn.resolvers',
          message: expect.stringContaining(
            "cannot find the org source's users: emailMatchingUserEntityProfileEmail: the github-org module takes only public e-mail addresses unless useVerifiedEmails is set",
          ),
        }),
      );
    });

    it('a second resolver that agrees is enough', () => {
      const json = synthBackstage({
        org: OrgSource.keycloak({
          baseUrl: 'https://keycloak.example.com',
          realm: 'staff',
          clientId: 'backstage',
          clientSecret: SecretRef.fromSecret('s', 'k'),
        }),
        signIn: {
          resolvers: [
            'forwardedUserMatchingUserEntityName',
            'forwardedPreferredUsernameMatchingUserEntityName',
          ],
        },
      });
      expect(appConfigOf(json).auth.providers.oauth2Proxy.signIn.resolvers).toHaveLength(2);
    });

    it("an org source's own options are checked where it is bound", () => {
      expectProblems(
        () =>
          synthBackstage({
            org: OrgSource.ldap({
              target: 'ldap://ds.example.com',
              users: { dn: 'ou=people,dc=example,dc=com' },
              groups: { dn: 'ou=groups,dc=example,dc=com' },
            }),
          }),
        [
          {
            where: 'test/bs',
            path: 'org.target',
            says: ['must be an ldaps:// URL without a path', 'got "ldap://ds.example.com"'],
          },
        ],
      );
      expectProblems(
        () =>
          synthBackstage({
            org: OrgSource.staticOrg({
              teams: [],
              users: [{ name: 'alice', email: 'alice@example.com', memberOf: [Team.of('ghosts')] }],
            }),
          }),
        [
          {
            where: 'test/bs',
            path: 'org.users[0].memberOf[0]',
            says: [
              'is the team "ghosts", which is not one of the org\'s teams',
              'got a Team',
              'Add it to teams',
            ],
          },
        ],
      );
    });

    it('an integration the org source renders is not set in appConfig too, nor its secret env names', () => {
      expectProblems(
        () =>
          synthBackstage({
            org: OrgSource.githubOrg({
              orgs: ['example'],
              token: SecretRef.fromSecret('s', 'k'),
              useVerifiedEmails: true,
            }),
            appConfig: { integrations: { github: [{ host: 'github.com', token: '${GITHUB_TOKEN}' }] } },
            secretEnv: { BACKSTAGE_ORG_GITHUB_TOKEN: SecretRef.fromSecret('s', 'k') },
          }),
        [
          {
            where: 'test/bs',
            path: 'appConfig.integrations.github',
            says: [
              'is set by the org source (its token)',
              'got [{"host":"github.com","token":"${GITHUB_TOKEN}"}]',
              'Leave it out',
            ],
          },
          {
            where: 'test/bs',
            path: 'secretEnv.BACKSTAGE_ORG_GITHUB_TOKEN',
            says: [
              "is set by the Backstage construct for the org source's secrets",
              'got a SecretRef',
              'Pick a name that does not start with BACKSTAGE_ORG_',
            ],
          },
        ],
      );
    });
  });
});
