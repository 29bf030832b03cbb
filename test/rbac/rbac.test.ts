import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

import {
  Backstage,
  BackstageDatabase,
  BackstagePortal,
  BackstageProps,
  OrgSource,
  RbacCondition,
  RbacOptions,
  RbacRole,
  SecretRef,
  Team,
} from '../../lib';
import {
  type ExpectedProblem,
  expectProblems,
  portalProps,
  resourceAt,
  synth,
  synthBackstage,
} from '../helpers';

const admins = Team.of('platform-admins');
const engineering = Team.of('engineering');
const teamA = Team.of('team-a');
const ORG = OrgSource.staticOrg({
  teams: [admins, engineering, teamA],
  users: [
    { name: 'alice', email: 'alice@example.com', memberOf: [admins] },
    { name: 'dave', email: 'dave@example.com', memberOf: [engineering, teamA] },
  ],
});

const ROLES = [
  RbacRole.of({
    name: 'catalog-admins',
    members: [admins],
    allow: [
      'catalog.entity.read',
      'catalog.location.create',
      'catalog.location.delete',
      'catalog.entity.delete',
    ],
  }),
  RbacRole.of({
    name: 'readers',
    members: [engineering, 'dave'],
    allow: ['catalog.entity.read'],
    conditional: [
      {
        permissions: ['catalog.entity.refresh', 'catalog.entity.delete'],
        condition: RbacCondition.isEntityOwner(),
      },
    ],
  }),
];

/** A Backstage with the static org above and `rbac` over the default roles and admins. */
function synthWithRbac(rbac: Partial<RbacOptions> | undefined, overrides: Partial<BackstageProps> = {}) {
  return synthBackstage({
    org: ORG,
    ...(rbac ? { rbac: { roles: ROLES, admins: [admins], ...rbac } } : {}),
    ...overrides,
  });
}

const appConfigOf = (json: ReturnType<typeof synth>) =>
  parse(resourceAt(json, 'kubernetes_config_map_v1', 'bs/AppConfig').data['app-config.portal.yaml']);
const podOf = (json: ReturnType<typeof synth>) =>
  resourceAt(json, 'kubernetes_deployment_v1', 'bs/Deployment').spec.template;
/** Asserts the problems of a Backstage with `rbac` (and other `overrides`, when given). */
function rbacProblems(
  ...args:
    | [rbac: Partial<RbacOptions>, expected: readonly ExpectedProblem[]]
    | [rbac: Partial<RbacOptions>, overrides: Partial<BackstageProps>, expected: readonly ExpectedProblem[]]
) {
  const [rbac, overrides, expected] = args.length === 2 ? [args[0], {}, args[1]] : args;
  return expectProblems(() => synthWithRbac(rbac, overrides), expected);
}

describe('RBAC', () => {
  it('turns on the permission framework with the RBAC plugin, its files, admins and superusers', () => {
    expect(appConfigOf(synthWithRbac({ superUsers: ['alice'] })).permission).toEqual({
      enabled: true,
      rbac: {
        'policies-csv-file': '/etc/backstage-rbac/rbac-policy.csv',
        conditionalPoliciesFile: '/etc/backstage-rbac/rbac-conditional-policies.yaml',
        policyFileReload: true,
        pluginsWithPermission: ['catalog'],
        admin: {
          users: [{ name: 'group:default/platform-admins' }],
          superUsers: [{ name: 'user:default/alice' }],
        },
      },
    });
  });

  it("renders the roles in the plugin's CSV format: p lines for permissions (name, action, effect), g lines for members", () => {
    const json = synthWithRbac({
      roles: [
        ...ROLES,
        RbacRole.of({ name: 'no-deletes', members: [teamA], deny: ['catalog.entity.delete'] }),
      ],
    });
    const cm = resourceAt(json, 'kubernetes_config_map_v1', 'bs/RbacPolicy');
    expect(cm.metadata.name).toBe('backstage-rbac-policy');
    expect(cm.data['rbac-policy.csv']).toBe(
      [
        'p, role:default/catalog-admins, catalog.entity.read, read, allow',
        'p, role:default/catalog-admins, catalog.location.create, create, allow',
        'p, role:default/catalog-admins, catalog.location.delete, delete, allow',
        'p, role:default/catalog-admins, catalog.entity.delete, delete, allow',
        'g, group:default/platform-admins, role:default/catalog-admins',
        'p, role:default/readers, catalog.entity.read, read, allow',
        'g, group:default/engineering, role:default/readers',
        'g, user:default/dave, role:default/readers',
        'p, role:default/no-deletes, catalog.entity.delete, delete, deny',
        'g, group:default/team-a, role:default/no-deletes',
        '',
      ].join('\n'),
    );
  });

  it('renders conditional grants to the conditional-policies file: actions, and the owner alias the plugin resolves', () => {
    const cm = resourceAt(synthWithRbac({}), 'kubernetes_config_map_v1', 'bs/RbacPolicy');
    expect(parseAllDocuments(cm.data['rbac-conditional-policies.yaml']).map((d) => d.toJS())).toEqual([
      {
        result: 'CONDITIONAL',
        roleEntityRef: 'role:default/readers',
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        permissionMapping: ['update', 'delete'],
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: { claims: ['$ownerRefs'] },
        },
      },
    ]);
  });

  it('mounts the policy ConfigMap as a directory (no subPath, so the kubelet updates it) and reloads it in place: no restart on change', () => {
    const before = synthWithRbac({});
    const pod = podOf(before);
    expect(pod.spec.volume).toContainEqual({
      name: 'rbac-policy',
      config_map: { name: '${kubernetes_config_map_v1.bs_RbacPolicy_26957FD3.metadata[0].name}' },
    });
    expect(pod.spec.container[0].volume_mount).toContainEqual({
      name: 'rbac-policy',
      mount_path: '/etc/backstage-rbac',
      read_only: true,
    });
    expect(pod.spec.container[0].volume_mount.some((m: { sub_path?: string }) => m.sub_path)).toBe(false);
    // A changed binding changes the policy file, not the app-config: the pods are not rolled
    // (no checksum of the policy, no Reloader annotation), the plugin reloads the file.
    const after = synthWithRbac({
      roles: [ROLES[0]!, RbacRole.of({ ...ROLES[1]!.options, members: [teamA] })],
    });
    expect(resourceAt(after, 'kubernetes_config_map_v1', 'bs/RbacPolicy').data['rbac-policy.csv']).not.toBe(
      resourceAt(before, 'kubernetes_config_map_v1', 'bs/RbacPolicy').data['rbac-policy.csv'],
    );
    expect(podOf(after).metadata.annotations).toEqual(pod.metadata.annotations);
    expect(Object.keys(pod.metadata.annotations)).toEqual(['checksum/config']);
    expect(
      resourceAt(after, 'kubernetes_deployment_v1', 'bs/Deployment').metadata.annotations,
    ).toBeUndefined();
  });

  it('with reload: "restart" the policy\'s hash is a pod annotation, so a changed policy rolls the pods', () => {
    const before = podOf(synthWithRbac({ reload: 'restart' })).metadata.annotations;
    const after = podOf(synthWithRbac({ reload: 'restart', roles: [ROLES[0]!] })).metadata.annotations;
    expect(before['checksum/rbac-policy']).toMatch(/^[0-9a-f]{64}$/);
    expect(after['checksum/rbac-policy']).not.toBe(before['checksum/rbac-policy']);
    expect(appConfigOf(synthWithRbac({ reload: 'restart' })).permission.rbac.policyFileReload).toBe(false);
  });

  it('maxDepth caps the levels of parent teams whose roles pass down (permission.rbac.maxDepth); unset by default', () => {
    expect(appConfigOf(synthWithRbac({ maxDepth: 1 })).permission.rbac.maxDepth).toBe(1);
    expect(appConfigOf(synthWithRbac({ maxDepth: 0 })).permission.rbac.maxDepth).toBe(0);
    expect(appConfigOf(synthWithRbac({})).permission.rbac).not.toHaveProperty('maxDepth');
    rbacProblems({ maxDepth: -1 }, [
      { where: 'test/bs', path: 'rbac.maxDepth', says: ['must be 0 or more', 'got -1'] },
    ]);
    rbacProblems({ maxDepth: 1.5 }, [
      { where: 'test/bs', path: 'rbac.maxDepth', says: ['must be a whole number', 'got 1.5'] },
    ]);
  });

  it('names the RBAC backend among the features the image must add', () => {
    let features: readonly string[] = [];
    synth((stack) => {
      features = new Backstage(stack, 'bs', {
        namespace: 'backstage',
        host: 'backstage.example.com',
        image: 'registry.example.com/b:1.0.0',
        database: BackstageDatabase.sqliteInMemory(),
        replicas: 1,
        rbac: { roles: [], superUsers: ['root'] },
      }).backendFeatures;
    });
    expect(features).toEqual(['@backstage-community/plugin-rbac-backend']);
  });

  describe('refusals at synth', () => {
    it('an unknown permission name', () => {
      rbacProblems(
        {
          roles: [RbacRole.of({ name: 'x', members: [engineering], allow: ['catalog.entity.update'] })],
        },
        [
          {
            where: 'test/bs',
            path: 'rbac.roles[0].allow[0]',
            says: [
              'is not a permission any known plugin defines',
              'got "catalog.entity.update"',
              'Use one of catalog.entity.read, catalog.entity.create',
            ],
          },
        ],
      );
    });

    it('accepts a permission of another plugin once declared', () => {
      const json = synthWithRbac({
        roles: [RbacRole.of({ name: 'k8s', members: [engineering], allow: ['kubernetes.proxy'] })],
        extraPermissions: [{ name: 'kubernetes.proxy', pluginId: 'kubernetes' }],
      });
      expect(resourceAt(json, 'kubernetes_config_map_v1', 'bs/RbacPolicy').data['rbac-policy.csv']).toContain(
        'p, role:default/k8s, kubernetes.proxy, use, allow',
      );
      expect(appConfigOf(json).permission.rbac.pluginsWithPermission).toEqual(['kubernetes']);
    });

    it('a role bound to a group the org source does not provide', () => {
      rbacProblems(
        {
          roles: [
            RbacRole.of({ name: 'x', members: [Team.of('enginering')], allow: ['catalog.entity.read'] }),
          ],
        },
        [
          {
            where: 'test/bs',
            path: 'rbac.roles[0].members[0]',
            says: [
              'binds the role to group:default/enginering, which the org source does not provide: it is not one of the static org\'s teams ("platform-admins", "engineering", "team-a")',
              'got "group:default/enginering"',
            ],
          },
        ],
      );
    });

    it('a group name an IdP org source can never produce (Entra ID normalizes names to lower case)', () => {
      const entra = OrgSource.entraId({
        tenantId: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
        clientId: '11111111-2222-3333-4444-555555555555',
        clientSecret: SecretRef.fromSecret('s', 'k'),
      });
      rbacProblems(
        {
          roles: [
            RbacRole.of({
              name: 'x',
              members: [Team.of('Platform-Admins')],
              allow: ['catalog.entity.read'],
            }),
          ],
          admins: [Team.of('platform-admins')],
        },
        { org: entra },
        [
          {
            where: 'test/bs',
            path: 'rbac.roles[0].members[0]',
            says: [
              'binds the role to group:default/Platform-Admins, which the org source does not provide: the msgraph module names groups after their mailNickname or displayName in lower case, with every other character than a-z, 0-9, "_", "-" and "." turned into "_"',
              'got "group:default/Platform-Admins"',
            ],
          },
        ],
      );
    });

    it('a policy nobody can administer: no admin and no superuser', () => {
      rbacProblems({ admins: [] }, [
        {
          where: 'test/bs',
          path: 'rbac.admins',
          says: ['names nobody, and neither does superUsers: nobody could ever change the roles', 'got []'],
        },
      ]);
    });

    it('a policy that locks every admin out: the admin team has no members, or a role denies it the policy', () => {
      const empty = Team.of('empty');
      const org = OrgSource.staticOrg({
        teams: [admins, empty],
        users: [{ name: 'alice', email: 'alice@example.com', memberOf: [admins] }],
      });
      rbacProblems(
        {
          admins: [admins, empty],
          roles: [
            RbacRole.of({
              name: 'lockdown',
              members: [admins],
              allow: ['catalog.entity.read'],
              deny: ['policy.entity.update', 'policy.entity.read'],
            }),
          ],
        },
        { org },
        [
          {
            where: 'test/bs',
            path: 'rbac.admins',
            says: [
              'are all locked out of the policy: group:default/platform-admins is denied policy.entity.update, policy.entity.read by the role "lockdown"; group:default/empty has no members',
              'got ["group:default/platform-admins","group:default/empty"]',
            ],
          },
        ],
      );
      // One admin left able to administer is enough.
      expect(() =>
        synthWithRbac(
          {
            admins: [admins, 'alice'],
            roles: [RbacRole.of({ name: 'lockdown', members: [empty], deny: ['policy.entity.update'] })],
          },
          { org },
        ),
      ).not.toThrow();
    });

    it('a conditional grant of a permission no condition can apply to', () => {
      rbacProblems(
        {
          roles: [
            RbacRole.of({
              name: 'x',
              members: [engineering],
              conditional: [
                { permissions: ['catalog.location.create'], condition: RbacCondition.isEntityOwner() },
              ],
            }),
          ],
        },
        [
          {
            where: 'test/bs',
            path: 'rbac.roles[0].conditional[0].permissions[0]',
            says: [
              'is not a resource permission, so no condition can apply to it',
              'got "catalog.location.create"',
            ],
          },
        ],
      );
    });

    it('permission config of its own next to rbac', () => {
      rbacProblems({}, { appConfig: { permission: { enabled: false } } }, [
        {
          where: 'test/bs',
          path: 'appConfig.permission',
          says: [
            'is set by the library from the rbac prop',
            'got {"enabled":false}',
            'Declare roles, admins and superUsers in rbac instead',
          ],
        },
      ]);
    });
  });

  it("one Team declaration feeds both the gateway's allowed groups and the role bindings: one typed change updates both", () => {
    const render = (readers: Team) => {
      const org = OrgSource.staticOrg({
        teams: [admins, readers],
        users: [
          { name: 'alice', email: 'alice@example.com', memberOf: [admins] },
          { name: 'dave', email: 'dave@example.com', memberOf: [readers] },
        ],
      });
      const json = synth(
        (stack) =>
          new BackstagePortal(stack, 'portal', {
            ...portalProps(stack),
            access: { emailDomains: ['example.com'], groups: [admins, readers] },
            org,
            rbac: {
              admins: [admins],
              roles: [RbacRole.of({ name: 'readers', members: [readers], allow: ['catalog.entity.read'] })],
            },
          }),
      );
      const alpha = parse(
        resourceAt(json, 'kubernetes_config_map_v1', 'portal/Gateway/Config').data['alpha-config.yaml'],
      );
      return {
        allowedGroups: alpha.providers[0].allowedGroups,
        csv: resourceAt(json, 'kubernetes_config_map_v1', 'portal/Backstage/RbacPolicy').data[
          'rbac-policy.csv'
        ],
      };
    };
    expect(render(Team.of('engineering'))).toEqual({
      allowedGroups: ['platform-admins', 'engineering'],
      csv: 'p, role:default/readers, catalog.entity.read, read, allow\ng, group:default/engineering, role:default/readers\n',
    });
    // Entra ID puts group object ids into the token: the gateway compares the id, RBAC binds the name.
    expect(render(Team.of('developers', { idpGroup: '5b6c7d8e-0000-4000-8000-000000000001' }))).toEqual({
      allowedGroups: ['platform-admins', '5b6c7d8e-0000-4000-8000-000000000001'],
      csv: 'p, role:default/readers, catalog.entity.read, read, allow\ng, group:default/developers, role:default/readers\n',
    });
  });
});
