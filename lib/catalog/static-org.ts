import * as z from 'zod';

import { problem } from '../core/validation';
import { toYaml } from '../core/yaml';
import { OrgSourceData } from './org-source-data';
import { ENTITY_NAME, Team, teamSchema } from './team';

// The static org: Users and Groups as typed data, rendered to a catalog file that Backstage
// reads from a ConfigMap (a `file` location; the catalog re-reads it on every processing
// loop, so a changed org needs no restart).

/** A person of the static org. */
export interface StaticOrgUser {
  /** The User entity's name (`user:default/<name>`). */
  readonly name: string;
  /**
   * `spec.profile.email`; the e-mail resolvers match on it.
   * @default - none (the e-mail resolvers cannot find this user)
   */
  readonly email?: string;
  /** @default - none */
  readonly displayName?: string;
  /**
   * The teams the user is in (`spec.memberOf`); each must be one of the org's teams.
   * @default - none
   */
  readonly memberOf?: readonly Team[];
}

/** Options of {@link OrgSource.staticOrg}. */
export interface StaticOrgOptions {
  /** The teams, one Group entity each (`spec.type: team`). */
  readonly teams: readonly Team[];
  /** The people. */
  readonly users: readonly StaticOrgUser[];
}

/** Where the Backstage pod reads the static org's catalog file. */
export const STATIC_ORG_MOUNT_PATH = '/etc/backstage-org';
/** The catalog file's name in its ConfigMap. */
export const STATIC_ORG_FILE = 'org.yaml';

const entityName = z
  .string()
  .max(
    63,
    problem('must be at most 63 characters long', 'Backstage entity names have at most 63 characters.'),
  )
  .regex(
    ENTITY_NAME,
    problem(
      'must be a Backstage entity name',
      'Use letters and digits, separated by single ".", "_" or "-".',
    ),
  );

/** @internal */
export const staticOrgSchema = z
  .strictObject({
    teams: z.array(teamSchema),
    users: z.array(
      z.strictObject({
        name: entityName,
        email: z
          .email(problem('must be an e-mail address', 'Write it as the IdP sends it in the email claim.'))
          .optional(),
        displayName: z.string().min(1).optional(),
        memberOf: z.array(teamSchema).optional(),
      }),
    ),
  })
  .superRefine((org, ctx) => {
    const teamNames = org.teams.map((t) => t.name);
    teamNames.forEach((name, i) => {
      if (teamNames.indexOf(name) !== i) {
        ctx.addIssue({
          code: 'custom',
          path: ['teams', i],
          message: problem(`names the team "${name}" a second time`, 'List each team once.'),
        });
      }
    });
    const userNames = org.users.map((u) => u.name.toLowerCase());
    org.users.forEach((user, i) => {
      if (userNames.indexOf(user.name.toLowerCase()) !== i) {
        ctx.addIssue({
          code: 'custom',
          path: ['users', i, 'name'],
          message: problem(
            'is the name of another user too',
            'Backstage compares entity names without case: give each user a name of their own.',
          ),
        });
      }
      user.memberOf?.forEach((team, j) => {
        if (Team.isTeam(team) && !teamNames.includes(team.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['users', i, 'memberOf', j],
            message: problem(
              `is the team "${team.name}", which is not one of the org's teams`,
              `Add it to teams, or use one of ${teamNames.map((n) => `"${n}"`).join(', ') || 'the teams (there are none yet)'}.`,
            ),
          });
        }
      });
    });
  }) satisfies z.ZodType<StaticOrgOptions>;

/** The catalog file: one Group per team, one User per person. */
export function staticOrgCatalog(o: StaticOrgOptions): string {
  const groups = o.teams.map((team) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: team.name },
    spec: { type: 'team', children: [] },
  }));
  const users = o.users.map((user) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: user.name },
    spec: {
      ...(user.email || user.displayName
        ? {
            profile: {
              ...(user.displayName ? { displayName: user.displayName } : {}),
              ...(user.email ? { email: user.email } : {}),
            },
          }
        : {}),
      memberOf: (user.memberOf ?? []).map((t) => t.name),
    },
  }));
  return [...groups, ...users].map((entity) => `---\n${toYaml(entity)}`).join('');
}

/** @internal */
export function staticOrgData(o: StaticOrgOptions): OrgSourceData {
  const teamNames = new Set(o.teams.map((t) => t.name));
  return {
    modules: [],
    appConfig: {},
    locations: [
      {
        type: 'file',
        target: `${STATIC_ORG_MOUNT_PATH}/${STATIC_ORG_FILE}`,
        rules: [{ allow: ['User', 'Group'] }],
      },
    ],
    secrets: [],
    files: { mountPath: STATIC_ORG_MOUNT_PATH, data: { [STATIC_ORG_FILE]: staticOrgCatalog(o) } },
    resolverProblem(resolver) {
      if (resolver === 'emailMatchingUserEntityProfileEmail') {
        const without = o.users.filter((u) => !u.email).map((u) => u.name);
        return without.length > 0
          ? `the users ${without.map((n) => `"${n}"`).join(', ')} have no email, so the e-mail resolver can never find them`
          : undefined;
      }
      if (resolver === 'emailLocalPartMatchingUserEntityName') {
        const mismatched = o.users
          .filter((u) => !u.email || u.email.split('@')[0]!.toLowerCase() !== u.name.toLowerCase())
          .map((u) => u.name);
        return mismatched.length > 0
          ? `the users ${mismatched.map((n) => `"${n}"`).join(', ')} are not named after the local part of their email`
          : undefined;
      }
      return undefined;
    },
    groupProblem: (name) =>
      teamNames.has(name)
        ? undefined
        : `it is not one of the static org's teams (${[...teamNames].map((n) => `"${n}"`).join(', ') || 'none'})`,
    userProblem: (name) =>
      o.users.some((u) => u.name.toLowerCase() === name.toLowerCase())
        ? undefined
        : `it is not one of the static org's users (${o.users.map((u) => `"${u.name}"`).join(', ') || 'none'})`,
    membersOf: (group) =>
      o.users.filter((u) => (u.memberOf ?? []).some((t) => t.name === group)).map((u) => u.name),
    groupsOf: (user) =>
      o.users.find((u) => u.name.toLowerCase() === user.toLowerCase())?.memberOf?.map((t) => t.name) ?? [],
  };
}
