// The teams, org and RBAC roles of the shared access policy: declared once as data, they
// become the portal's Backstage `org` and `rbac` in every environment.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

import {
  environmentStacks,
  loadEnvironmentFile,
  parseSharedAccessPolicy,
  SharedAccessPolicy,
} from '../../lib';
import { expectProblems } from '../helpers';

const examples = resolve(__dirname, '../../examples/multi-cloud');
// The example's policy without its own teams, org and roles: each test gives its own.
const {
  teams: _teams,
  org: _org,
  rbac: _rbac,
  ...basePolicy
} = parse(readFileSync(join(examples, 'access-policy.yaml'), 'utf8')) as SharedAccessPolicy;
const dev = () => loadEnvironmentFile(join(examples, 'environments/dev.yaml'));
type Json = Record<string, any>;

const TEAMS = [{ name: 'platform-admins' }, { name: 'engineering', idpGroup: 'eng-all' }, { name: 'team-a' }];

/** The dev environment's portal stack with the policy's fields laid over the example's. */
function portalOf(fields: Partial<SharedAccessPolicy>) {
  const { portal } = environmentStacks(Testing.app(), dev(), { ...basePolicy, ...fields });
  return JSON.parse(Testing.synth(portal)) as Json;
}
const resourcesOf = (json: Json, type: string): Json[] => Object.values(json.resource[type] ?? {});
const configMap = (json: Json, suffix: string) =>
  resourcesOf(json, 'kubernetes_config_map_v1').find((c) => String(c.metadata.name).endsWith(suffix))!;
const appConfigOf = (json: Json) =>
  parse(String(configMap(json, 'app-config').data['app-config.portal.yaml']).replace(/\$\$\{/g, '${'));

describe('shared access policy: teams, org and RBAC as data', () => {
  it('renders the static org, its hierarchy and the roles in every environment', () => {
    const json = portalOf({
      teams: TEAMS,
      org: {
        type: 'static',
        users: [
          { name: 'alice', email: 'alice@example.com', teams: ['platform-admins'] },
          { name: 'olga', email: 'olga@example.com', displayName: 'Olga', teams: ['team-a'] },
        ],
        hierarchy: [{ parent: 'engineering', children: ['team-a'] }],
      },
      rbac: {
        admins: { teams: ['platform-admins'] },
        superUsers: ['alice'],
        maxDepth: 2,
        roles: [
          { name: 'readers', teams: ['engineering'], users: ['alice'], allow: ['catalog.entity.read'] },
          {
            name: 'owners',
            teams: ['team-a'],
            conditional: [
              {
                permissions: ['catalog.entity.refresh'],
                condition: { allOf: ['isEntityOwner', { isEntityKind: ['component'] }] },
              },
            ],
          },
        ],
      },
    });
    const org = parseAllDocuments(String(configMap(json, '-org').data['org.yaml'])).map((d) => d.toJS());
    expect(org).toEqual([
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'platform-admins' },
        spec: { type: 'team', children: [] },
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'engineering' },
        spec: { type: 'team', children: ['team-a'] },
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'team-a' },
        spec: { type: 'team', parent: 'engineering', children: [] },
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'alice' },
        spec: { profile: { email: 'alice@example.com' }, memberOf: ['platform-admins'] },
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'olga' },
        spec: { profile: { displayName: 'Olga', email: 'olga@example.com' }, memberOf: ['team-a'] },
      },
    ]);
    expect(String(configMap(json, '-rbac-policy').data['rbac-policy.csv']).split('\n')).toEqual([
      'p, role:default/readers, catalog.entity.read, read, allow',
      'g, group:default/engineering, role:default/readers',
      'g, user:default/alice, role:default/readers',
      'g, group:default/team-a, role:default/owners',
      '',
    ]);
    const conditions = parseAllDocuments(
      String(configMap(json, '-rbac-policy').data['rbac-conditional-policies.yaml']),
    ).map((d) => d.toJS());
    expect(conditions).toEqual([
      {
        result: 'CONDITIONAL',
        roleEntityRef: 'role:default/owners',
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        permissionMapping: ['update'],
        conditions: {
          allOf: [
            { rule: 'IS_ENTITY_OWNER', resourceType: 'catalog-entity', params: { claims: ['$ownerRefs'] } },
            { rule: 'IS_ENTITY_KIND', resourceType: 'catalog-entity', params: { kinds: ['component'] } },
          ],
        },
      },
    ]);
    expect(appConfigOf(json).permission.rbac).toMatchObject({
      admin: {
        users: [{ name: 'group:default/platform-admins' }],
        superUsers: [{ name: 'user:default/alice' }],
      },
      maxDepth: 2,
    });
  });

  it("an IdP org source takes its credential from the environment's secret sources, never a value", () => {
    const json = portalOf({
      teams: TEAMS,
      org: {
        type: 'entra-id',
        tenantId: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
        clientId: '11111111-2222-3333-4444-555555555555',
        clientSecret: { variable: 'entra_org_client_secret' },
      },
    });
    expect(appConfigOf(json).catalog.providers.microsoftGraphOrg.default).toMatchObject({
      tenantId: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
      clientSecret: '${BACKSTAGE_ORG_ENTRA_CLIENT_SECRET}',
    });
    expect(json.variable.entra_org_client_secret).toMatchObject({ sensitive: true, type: 'string' });
  });

  it('an LDAP org binds with a password from a secret source, or searches anonymously without bind', () => {
    const ldap = {
      type: 'ldap',
      target: 'ldaps://ds.example.com:636',
      users: { dn: 'ou=people,dc=example,dc=com', filter: '(objectClass=inetOrgPerson)' },
      groups: { dn: 'ou=groups,dc=example,dc=com' },
    } as const;
    const json = portalOf({
      teams: TEAMS,
      org: {
        ...ldap,
        bind: { dn: 'uid=backstage,ou=robots,dc=example,dc=com', secret: { variable: 'ldap_bind_password' } },
      },
    });
    expect(appConfigOf(json).catalog.providers.ldapOrg.default).toEqual({
      target: 'ldaps://ds.example.com:636',
      bind: { dn: 'uid=backstage,ou=robots,dc=example,dc=com', secret: '${BACKSTAGE_ORG_LDAP_BIND_SECRET}' },
      users: { dn: 'ou=people,dc=example,dc=com', options: { filter: '(objectClass=inetOrgPerson)' } },
      groups: { dn: 'ou=groups,dc=example,dc=com', options: {} },
      schedule: { frequency: { hours: 1 }, timeout: { minutes: 50 }, initialDelay: { seconds: 15 } },
    });
    // The password reaches Backstage from the variable's Secret, never as a value in the config.
    expect(json.variable.ldap_bind_password).toMatchObject({ sensitive: true, type: 'string' });
    const env: Json[] = resourcesOf(json, 'kubernetes_deployment_v1').find(
      (d) => d.metadata.name === 'backstage',
    )!.spec.template.spec.container[0].env;
    const bindEnv = env.find((e) => e.name === 'BACKSTAGE_ORG_LDAP_BIND_SECRET')!;
    expect(bindEnv.value).toBeUndefined();
    expect(bindEnv.value_from.secret_key_ref).toBeDefined();

    const anonymous = portalOf({ teams: TEAMS, org: ldap });
    expect(appConfigOf(anonymous).catalog.providers.ldapOrg.default).not.toHaveProperty('bind');
    expect(anonymous.variable?.ldap_bind_password).toBeUndefined();
  });

  it("an org secret from the cloud's secret manager is an ExternalSecret, and the platform gets External Secrets for it", () => {
    const aks = loadEnvironmentFile(join(examples, 'environments/dev.yaml'));
    const { platform, portal } = environmentStacks(
      Testing.app(),
      {
        ...aks,
        cloud: { provider: 'aks', keyVaultUrl: 'https://portal-kv.vault.azure.net' },
      },
      {
        ...basePolicy,
        org: {
          type: 'okta',
          orgUrl: 'https://example.okta.com',
          token: { externalSecret: { remoteKey: 'okta-org-token' } },
        },
      },
    );
    const portalJson = JSON.parse(Testing.synth(portal)) as Json;
    const external = resourcesOf(portalJson, 'kubernetes_manifest')
      .map((r) => r.manifest)
      .filter((m) => m.kind === 'ExternalSecret');
    expect(external.flatMap((m) => m.spec.data.map((d: Json) => d.remoteRef.key))).toContain(
      'okta-org-token',
    );
    expect(
      resourcesOf(JSON.parse(Testing.synth(platform)) as Json, 'helm_release').map((r) => r.chart),
    ).toContain('external-secrets');
  });

  describe('refusals, naming the access policy and the field', () => {
    const policy = (fields: Partial<SharedAccessPolicy>) => () =>
      parseSharedAccessPolicy({ ...basePolicy, ...fields });

    it('a team name that is not declared, wherever it is used', () => {
      expectProblems(
        policy({
          teams: [{ name: 'team-a' }],
          org: {
            type: 'static',
            users: [{ name: 'olga', teams: ['team-b'] }],
            hierarchy: [{ parent: 'engineering', children: ['team-a'] }],
          },
          rbac: {
            admins: { teams: ['admins'] },
            roles: [{ name: 'r', teams: ['team-c'], allow: ['catalog.entity.read'] }],
          },
        }),
        [
          {
            where: 'access policy',
            path: 'org.users[0].teams[0]',
            says: ['is not one of the teams', 'got "team-b"', 'use one of "team-a"'],
          },
          { where: 'access policy', path: 'org.hierarchy[0].parent', says: 'is not one of the teams' },
          { where: 'access policy', path: 'rbac.roles[0].teams[0]', says: 'is not one of the teams' },
          { where: 'access policy', path: 'rbac.admins.teams[0]', says: 'is not one of the teams' },
        ],
      );
    });

    it('a team declared twice (also in another case), an unknown org type and a malformed condition', () => {
      expectProblems(policy({ teams: [{ name: 'team-a' }, { name: 'Team-A' }] }), [
        {
          where: 'access policy',
          path: 'teams[1].name',
          says: ['is the name of another team too', 'without case'],
        },
      ]);
      expectProblems(policy({ org: { type: 'google-workspace' } as never }), [
        {
          where: 'access policy',
          path: 'org.type',
          says: 'must have type "static", "entra-id", "okta", "keycloak", "github" or "ldap"',
        },
      ]);
      expectProblems(
        policy({
          rbac: {
            roles: [
              {
                name: 'r',
                conditional: [
                  { permissions: ['catalog.entity.refresh'], condition: { allOf: ['isEntityOwner'] } },
                  { permissions: ['catalog.entity.refresh'], condition: 'isOwner' as never },
                ],
              },
            ],
          },
        }),
        [
          {
            where: 'access policy',
            path: 'rbac.roles[0].conditional[0].condition.allOf',
            says: ['must have at least 2 entries', 'got ["isEntityOwner"]'],
          },
          {
            where: 'access policy',
            path: 'rbac.roles[0].conditional[1].condition',
            says: [
              'must be "isEntityOwner", {isEntityKind: [...]}, {allOf: [...]}, {anyOf: [...]} or {not: ...}',
              'got "isOwner"',
            ],
          },
        ],
      );
    });

    it('an LDAP bind without its secret source, and a search without its DN', () => {
      expectProblems(
        policy({
          org: {
            type: 'ldap',
            target: 'ldaps://ds.example.com',
            bind: { dn: 'uid=backstage,ou=robots,dc=example,dc=com' } as never,
            users: { dn: 'ou=people,dc=example,dc=com' },
            groups: { filter: '(objectClass=groupOfNames)' } as never,
          },
        }),
        [
          {
            where: 'access policy',
            path: 'org.bind.secret',
            says: 'must be {variable}, {secret: {name, key}} or {externalSecret: {remoteKey}}, got nothing',
          },
          { where: 'access policy', path: 'org.groups.dn', says: 'is required' },
        ],
      );
    });

    it("what an LDAP value means is OrgSource.ldap's to check, with its message (ldap:// would bind in clear)", () => {
      expectProblems(
        () =>
          portalOf({
            org: {
              type: 'ldap',
              target: 'ldap://ds.example.com',
              users: { dn: 'ou=people,dc=example,dc=com' },
              groups: { dn: 'ou=groups,dc=example,dc=com' },
            },
          }),
        [
          {
            where: 'dev-portal/portal/Backstage',
            path: 'org.target',
            says: ['must be an ldaps:// URL without a path', 'got "ldap://ds.example.com"'],
          },
        ],
      );
    });

    it('the rules of the constructs still apply when the stacks are built (a permission no plugin defines)', () => {
      expectProblems(
        () =>
          portalOf({
            teams: TEAMS,
            rbac: {
              admins: { users: ['alice'] },
              roles: [{ name: 'r', teams: ['team-a'], allow: ['catalog.entity.reed'] }],
            },
          }),
        [
          {
            where: 'dev-portal/portal/Backstage',
            path: 'rbac.roles[0].allow[0]',
            says: ['is not a permission any known plugin defines', 'got "catalog.entity.reed"'],
          },
        ],
      );
    });
  });
});
