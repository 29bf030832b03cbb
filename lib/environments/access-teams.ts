// The teams, the org source and the RBAC roles of the shared access policy, as data: the same
// people, teams and roles in every environment, the way the issuer and the allowed groups
// already are. Teams are declared once by name and everything else names them; a name that is
// not declared is refused here, with the file's path, before any construct exists. The rest
// (a GUID, a permission, a resolver that can find the users) is checked by the constructs
// themselves, the same rules as in TypeScript.
import * as z from 'zod';

import type { LdapSearch } from '../catalog/ldap-org';
import { OrgSource } from '../catalog/org-source';
import { entityNameSchema } from '../catalog/static-org';
import { OrgSyncSchedule, orgSyncScheduleSchema } from '../catalog/sync-schedule';
import { Team } from '../catalog/team';
import { problem } from '../core/validation';
import { RbacCondition } from '../rbac/rbac-condition';
import { RbacOptions } from '../rbac/rbac-policy';
import { RbacMember, RbacRole } from '../rbac/rbac-role';
import { SecretRef } from '../secrets/secret-ref';
import type { SecretSourceData } from './environment';

/** A team: a catalog Group `group:default/<name>` and the group the IdP puts in the ID token. */
export interface TeamData {
  readonly name: string;
  /** The group as the ID token's groups claim has it (default: the name). */
  readonly idpGroup?: string;
}

/** Where Backstage's Users and Groups come from: `OrgSource`'s factories, as data. */
export type OrgData =
  | {
      readonly type: 'static';
      /** The people; `teams` names declared teams. */
      readonly users: readonly {
        readonly name: string;
        readonly email?: string;
        readonly displayName?: string;
        readonly teams?: readonly string[];
      }[];
      /** Which declared teams sit under which. */
      readonly hierarchy?: readonly { readonly parent: string; readonly children: readonly string[] }[];
    }
  | {
      readonly type: 'entra-id';
      readonly tenantId: string;
      readonly clientId: string;
      readonly clientSecret: SecretSourceData;
      readonly userFilter?: string;
      readonly groupFilter?: string;
      readonly schedule?: OrgSyncSchedule;
    }
  | {
      readonly type: 'okta';
      readonly orgUrl: string;
      readonly token: SecretSourceData;
      readonly userFilter?: string;
      readonly groupFilter?: string;
      readonly schedule?: OrgSyncSchedule;
    }
  | {
      readonly type: 'keycloak';
      readonly baseUrl: string;
      readonly realm: string;
      readonly loginRealm?: string;
      readonly clientId: string;
      readonly clientSecret: SecretSourceData;
      readonly schedule?: OrgSyncSchedule;
    }
  | {
      readonly type: 'github';
      readonly orgs: readonly string[];
      readonly token: SecretSourceData;
      readonly githubUrl?: string;
      readonly useVerifiedEmails?: boolean;
      readonly schedule?: OrgSyncSchedule;
    }
  | {
      readonly type: 'ldap';
      /** `ldaps://host[:port]`. */
      readonly target: string;
      /** The account to bind as, its password from a secret source (default: anonymous search). */
      readonly bind?: { readonly dn: string; readonly secret: SecretSourceData };
      readonly users: LdapSearch;
      readonly groups: LdapSearch;
      readonly schedule?: OrgSyncSchedule;
    };

/** When a conditional grant applies: `RbacCondition`'s factories, as data. */
export type RbacConditionData =
  | 'isEntityOwner'
  | { readonly isEntityKind: readonly string[] }
  | { readonly allOf: readonly RbacConditionData[] }
  | { readonly anyOf: readonly RbacConditionData[] }
  | { readonly not: RbacConditionData };

/** Who holds a role or administers the policy: declared teams and User entity names. */
export interface RbacMembersData {
  readonly teams?: readonly string[];
  readonly users?: readonly string[];
}

/** One RBAC role (`RbacRole.of`), its members by team and user name. */
export interface RbacRoleData extends RbacMembersData {
  readonly name: string;
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
  readonly conditional?: readonly {
    readonly permissions: readonly string[];
    readonly condition: RbacConditionData;
  }[];
}

/** The RBAC plugin's roles and admins (`rbac` of Backstage), as data. */
export interface RbacData {
  readonly roles: readonly RbacRoleData[];
  /** `rbac.admins`. */
  readonly admins?: RbacMembersData;
  readonly superUsers?: readonly string[];
  readonly maxDepth?: number;
  readonly reload?: 'in-place' | 'restart';
}

/** The teams, org and RBAC fields of the shared access policy. */
export interface AccessTeamsData {
  /** The teams, each declared once; the org, the roles and the admins name them. */
  readonly teams?: readonly TeamData[];
  /** Where Backstage's Users and Groups come from. */
  readonly org?: OrgData;
  /** RBAC roles bound to the teams and users. */
  readonly rbac?: RbacData;
}

const name = entityNameSchema;
const text = z.string().min(1);

const conditionSchema: z.ZodType<RbacConditionData> = z.lazy(() =>
  z.union(
    [
      z.literal('isEntityOwner'),
      z.strictObject({ isEntityKind: z.array(text).min(1) }),
      z.strictObject({ allOf: z.array(conditionSchema).min(2) }),
      z.strictObject({ anyOf: z.array(conditionSchema).min(2) }),
      z.strictObject({ not: conditionSchema }),
    ],
    {
      error: problem(
        'must be "isEntityOwner", {isEntityKind: [...]}, {allOf: [...]}, {anyOf: [...]} or {not: ...}',
        'Write the condition as RbacCondition builds it (allOf and anyOf take two or more).',
      ),
    },
  ),
);

const members = { teams: z.array(name).optional(), users: z.array(name).optional() };

// The shape only: what a DN, a filter or the target must look like is OrgSource.ldap's to
// check, with its messages, as for the other org sources.
const ldapSearch = z.strictObject({ dn: text, filter: text.optional() });

/** @internal The fields, spread into the shared access policy's schema. */
export function accessTeamsShape(secretSource: z.ZodType<SecretSourceData>) {
  const schedule = orgSyncScheduleSchema.optional();
  return {
    teams: z.array(z.strictObject({ name, idpGroup: text.optional() })).optional(),
    org: z
      .discriminatedUnion(
        'type',
        [
          z.strictObject({
            type: z.literal('static'),
            users: z.array(
              z.strictObject({
                name,
                email: text.optional(),
                displayName: text.optional(),
                teams: z.array(name).optional(),
              }),
            ),
            hierarchy: z.array(z.strictObject({ parent: name, children: z.array(name) })).optional(),
          }),
          z.strictObject({
            type: z.literal('entra-id'),
            tenantId: text,
            clientId: text,
            clientSecret: secretSource,
            userFilter: text.optional(),
            groupFilter: text.optional(),
            schedule,
          }),
          z.strictObject({
            type: z.literal('okta'),
            orgUrl: text,
            token: secretSource,
            userFilter: text.optional(),
            groupFilter: text.optional(),
            schedule,
          }),
          z.strictObject({
            type: z.literal('keycloak'),
            baseUrl: text,
            realm: text,
            loginRealm: text.optional(),
            clientId: text,
            clientSecret: secretSource,
            schedule,
          }),
          z.strictObject({
            type: z.literal('github'),
            orgs: z.array(text),
            token: secretSource,
            githubUrl: text.optional(),
            useVerifiedEmails: z.boolean().optional(),
            schedule,
          }),
          z.strictObject({
            type: z.literal('ldap'),
            target: text,
            bind: z.strictObject({ dn: text, secret: secretSource }).optional(),
            users: ldapSearch,
            groups: ldapSearch,
            schedule,
          }),
        ],
        {
          error: problem(
            'must have type "static", "entra-id", "okta", "keycloak", "github" or "ldap"',
            'Pick where Backstage reads its users and groups.',
          ),
        },
      )
      .optional(),
    rbac: z
      .strictObject({
        roles: z.array(
          z.strictObject({
            name: text,
            ...members,
            allow: z.array(text).optional(),
            deny: z.array(text).optional(),
            conditional: z
              .array(z.strictObject({ permissions: z.array(text), condition: conditionSchema }))
              .optional(),
          }),
        ),
        admins: z.strictObject(members).optional(),
        superUsers: z.array(name).optional(),
        // Checked by the RBAC options themselves (whole number, 0 or more).
        maxDepth: z.number().optional(),
        reload: z
          .enum(['in-place', 'restart'], {
            error: problem(
              'must be "in-place" or "restart"',
              'Pick how a changed policy reaches running pods.',
            ),
          })
          .optional(),
      })
      .optional(),
  };
}

/**
 * @internal Every team name the policy uses must be declared in `teams`, once: a Team is
 * built from its declaration, so an undeclared name would be a team nobody defined.
 */
export function accessTeamsIssues(policy: AccessTeamsData, ctx: z.core.$RefinementCtx): void {
  const declared = (policy.teams ?? []).map((t) => t.name);
  declared.forEach((team, i) => {
    if (declared.findIndex((other) => other.toLowerCase() === team.toLowerCase()) !== i) {
      ctx.addIssue({
        code: 'custom',
        path: ['teams', i, 'name'],
        message: problem(
          'is the name of another team too',
          'Backstage compares entity names without case: declare each team once.',
        ),
      });
    }
  });
  const requireDeclared = (team: string, path: PropertyKey[]) => {
    if (!declared.includes(team)) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: problem(
          'is not one of the teams',
          `Declare it in teams, or use one of ${declared.map((n) => `"${n}"`).join(', ') || 'the teams (there are none yet)'}.`,
        ),
      });
    }
  };
  const org = policy.org;
  if (org?.type === 'static') {
    org.users.forEach((user, i) =>
      user.teams?.forEach((team, j) => requireDeclared(team, ['org', 'users', i, 'teams', j])),
    );
    org.hierarchy?.forEach((entry, i) => {
      requireDeclared(entry.parent, ['org', 'hierarchy', i, 'parent']);
      entry.children.forEach((child, j) => requireDeclared(child, ['org', 'hierarchy', i, 'children', j]));
    });
  }
  policy.rbac?.roles.forEach((role, i) =>
    role.teams?.forEach((team, j) => requireDeclared(team, ['rbac', 'roles', i, 'teams', j])),
  );
  policy.rbac?.admins?.teams?.forEach((team, j) => requireDeclared(team, ['rbac', 'admins', 'teams', j]));
}

/** @internal The secret sources of the org, so the environment knows when it needs External Secrets. */
export function orgSecretSources(policy: AccessTeamsData): SecretSourceData[] {
  const org = policy.org;
  switch (org?.type) {
    case undefined:
    case 'static':
      return [];
    case 'ldap':
      return org.bind ? [org.bind.secret] : [];
    case 'okta':
    case 'github':
      return [org.token];
    case 'entra-id':
    case 'keycloak':
      return [org.clientSecret];
  }
}

/** @internal What the policy's teams, org and roles become: Backstage's `org` and `rbac` props. */
export interface AccessTeamsProps {
  readonly org?: OrgSource;
  readonly rbac?: RbacOptions;
}

/** @internal Builds the Teams, the OrgSource and the RBAC options of a checked policy. */
export function accessTeamsProps(
  policy: AccessTeamsData,
  secretRef: (source: SecretSourceData) => SecretRef,
): AccessTeamsProps {
  const teams = new Map(
    (policy.teams ?? []).map((t) => [
      t.name,
      Team.of(t.name, t.idpGroup !== undefined ? { idpGroup: t.idpGroup } : {}),
    ]),
  );
  // Declared names only (the schema refused the others).
  const team = (teamName: string) => teams.get(teamName)!;
  const membersOf = (m: RbacMembersData): RbacMember[] => [...(m.teams ?? []).map(team), ...(m.users ?? [])];
  const rbac = policy.rbac;
  return {
    ...(policy.org ? { org: orgSource(policy.org, [...teams.values()], team, secretRef) } : {}),
    ...(rbac
      ? {
          rbac: {
            roles: rbac.roles.map((role) =>
              RbacRole.of({
                name: role.name,
                members: membersOf(role),
                ...(role.allow ? { allow: role.allow } : {}),
                ...(role.deny ? { deny: role.deny } : {}),
                ...(role.conditional
                  ? {
                      conditional: role.conditional.map((grant) => ({
                        permissions: grant.permissions,
                        condition: rbacCondition(grant.condition),
                      })),
                    }
                  : {}),
              }),
            ),
            ...(rbac.admins ? { admins: membersOf(rbac.admins) } : {}),
            ...(rbac.superUsers ? { superUsers: rbac.superUsers } : {}),
            ...(rbac.maxDepth !== undefined ? { maxDepth: rbac.maxDepth } : {}),
            ...(rbac.reload ? { reload: rbac.reload } : {}),
          },
        }
      : {}),
  };
}

function orgSource(
  org: OrgData,
  allTeams: Team[],
  team: (name: string) => Team,
  secretRef: (source: SecretSourceData) => SecretRef,
): OrgSource {
  switch (org.type) {
    case 'static':
      return OrgSource.staticOrg({
        teams: allTeams,
        users: org.users.map(({ teams, ...user }) => ({
          ...user,
          ...(teams ? { memberOf: teams.map(team) } : {}),
        })),
        ...(org.hierarchy
          ? {
              hierarchy: org.hierarchy.map((entry) => ({
                parent: team(entry.parent),
                children: entry.children.map(team),
              })),
            }
          : {}),
      });
    case 'entra-id':
      return OrgSource.entraId(withSecretRef(org, 'clientSecret', secretRef));
    case 'okta':
      return OrgSource.okta(withSecretRef(org, 'token', secretRef));
    case 'keycloak':
      return OrgSource.keycloak(withSecretRef(org, 'clientSecret', secretRef));
    case 'github':
      return OrgSource.githubOrg(withSecretRef(org, 'token', secretRef));
    case 'ldap': {
      const { type: _type, bind, ...options } = org;
      return OrgSource.ldap({
        ...options,
        ...(bind ? { bind: { dn: bind.dn, secret: secretRef(bind.secret) } } : {}),
      });
    }
  }
}

/** An IdP org's options: its data without `type`, and its one secret source as a SecretRef. */
function withSecretRef<T extends { readonly type: string }, K extends keyof T>(
  data: T,
  key: K,
  secretRef: (source: SecretSourceData) => SecretRef,
): Omit<T, 'type' | K> & Record<K, SecretRef> {
  const { type: _type, ...options } = data;
  return { ...options, [key]: secretRef(data[key] as SecretSourceData) } as Omit<T, 'type' | K> &
    Record<K, SecretRef>;
}

function rbacCondition(condition: RbacConditionData): RbacCondition {
  if (condition === 'isEntityOwner') {
    return RbacCondition.isEntityOwner();
  }
  if ('isEntityKind' in condition) {
    return RbacCondition.isEntityKind(condition.isEntityKind);
  }
  if ('allOf' in condition) {
    return RbacCondition.allOf(...condition.allOf.map(rbacCondition));
  }
  if ('anyOf' in condition) {
    return RbacCondition.anyOf(...condition.anyOf.map(rbacCondition));
  }
  return RbacCondition.not(rbacCondition(condition.not));
}
