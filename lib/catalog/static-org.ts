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

/**
 * A team and the teams directly under it: the Groups' `spec.parent` and `spec.children`.
 * The RBAC plugin gives a member of a child team the roles bound to every team above it.
 */
export interface StaticOrgSubteams {
  /** The team above; one of the org's teams. */
  readonly parent: Team;
  /** The teams directly under it, each one of the org's teams and under no other parent. */
  readonly children: readonly Team[];
}

/** Options of {@link OrgSource.staticOrg}. */
export interface StaticOrgOptions {
  /** The teams, one Group entity each (`spec.type: team`). */
  readonly teams: readonly Team[];
  /** The people. */
  readonly users: readonly StaticOrgUser[];
  /**
   * The team hierarchy: which teams sit under which. Backstage gives a Group one parent, so a
   * team is a child once at most, and the hierarchy has no cycle (the RBAC plugin would grant
   * no group role to anyone while the catalog holds one).
   * @default - none: every team stands alone
   */
  readonly hierarchy?: readonly StaticOrgSubteams[];
}

/** Where the Backstage pod reads the static org's catalog file. */
export const STATIC_ORG_MOUNT_PATH = '/etc/backstage-org';
/** The catalog file's name in its ConfigMap. */
export const STATIC_ORG_FILE = 'org.yaml';

/** @internal A User or Group name of the static org (Backstage's entity name rule). */
export const entityNameSchema = z
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
        name: entityNameSchema,
        email: z
          .email(problem('must be an e-mail address', 'Write it as the IdP sends it in the email claim.'))
          .optional(),
        displayName: z.string().min(1).optional(),
        memberOf: z.array(teamSchema).optional(),
      }),
    ),
    hierarchy: z
      .array(
        z.strictObject({
          parent: teamSchema,
          children: z
            .array(teamSchema)
            .min(
              1,
              problem(
                'must name at least one team',
                'List the teams under the parent, or leave the entry out.',
              ),
            ),
        }),
      )
      .optional(),
  })
  .superRefine((org, ctx) => {
    const teamNames = org.teams.map((t) => t.name);
    // Backstage compares entity names without case: "Platform" and "platform" are one Group.
    const lowerTeamNames = teamNames.map((name) => name.toLowerCase());
    teamNames.forEach((name, i) => {
      const first = lowerTeamNames.indexOf(name.toLowerCase());
      if (first !== i) {
        ctx.addIssue({
          code: 'custom',
          path: ['teams', i],
          message: problem(
            teamNames[first] === name
              ? `names the team "${name}" a second time`
              : `names the team "${teamNames[first]}" a second time (as "${name}": Backstage compares entity names without case)`,
            'List each team once.',
          ),
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
      user.memberOf?.forEach((team, j) => requireOrgTeam(team, ['users', i, 'memberOf', j]));
    });
    hierarchyIssues(org.hierarchy ?? [], requireOrgTeam, ctx);

    function requireOrgTeam(team: Team, path: PropertyKey[]): void {
      if (Team.isTeam(team) && !teamNames.includes(team.name)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: problem(
            `is the team "${team.name}", which is not one of the org's teams`,
            `Add it to teams, or use one of ${teamNames.map((n) => `"${n}"`).join(', ') || 'the teams (there are none yet)'}.`,
          ),
        });
      }
    }
  }) satisfies z.ZodType<StaticOrgOptions>;

/**
 * The hierarchy's own rules: each parent listed once, a team under one parent at most and
 * never under itself, and no cycle. The RBAC plugin finds a cycle when it resolves a user's
 * groups, logs it and then grants no group role to anyone, so one is refused here.
 */
function hierarchyIssues(
  hierarchy: readonly StaticOrgSubteams[],
  requireOrgTeam: (team: Team, path: PropertyKey[]) => void,
  ctx: z.core.$RefinementCtx,
): void {
  const parentByChild = new Map<string, string>();
  const parents = new Set<string>();
  hierarchy.forEach((entry, i) => {
    requireOrgTeam(entry.parent, ['hierarchy', i, 'parent']);
    if (parents.has(entry.parent.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['hierarchy', i, 'parent'],
        message: problem(
          `names the parent "${entry.parent.name}" a second time`,
          'List all the teams under it in one entry.',
        ),
      });
    }
    parents.add(entry.parent.name);
    entry.children.forEach((child, j) => {
      const path = ['hierarchy', i, 'children', j];
      requireOrgTeam(child, path);
      const earlier = parentByChild.get(child.name);
      if (child.name === entry.parent.name) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: problem(`puts the team "${child.name}" under itself`, 'Remove it from its own children.'),
        });
      } else if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: problem(
            `puts the team "${child.name}" under "${entry.parent.name}", but it is under "${earlier}" already`,
            'A Backstage Group has one parent: keep the team under one of them.',
          ),
        });
      } else {
        parentByChild.set(child.name, entry.parent.name);
      }
    });
  });
  // Walking up from each team must end at a team without a parent.
  for (const start of parentByChild.keys()) {
    const seen = [start];
    for (let at = parentByChild.get(start); at !== undefined; at = parentByChild.get(at)) {
      if (at === start) {
        ctx.addIssue({
          code: 'custom',
          path: ['hierarchy'],
          message: problem(
            `has a cycle: ${[...seen, start].map((n) => `"${n}"`).join(' under ')}`,
            'Take one of these teams out from under the next: a team cannot sit under itself, directly or not.',
          ),
        });
        return;
      }
      seen.push(at);
      if (seen.length > parentByChild.size + 1) {
        break; // a cycle above this team, reported when the walk starts inside it
      }
    }
  }
}

/** The catalog file: one Group per team, one User per person. */
export function staticOrgCatalog(o: StaticOrgOptions): string {
  const hierarchy = o.hierarchy ?? [];
  const groups = o.teams.map((team) => {
    // Plain names: the RBAC plugin matches spec.parent against the Groups' metadata.name.
    const parent = parentOf(o, team.name);
    const children = hierarchy.find((h) => h.parent.name === team.name)?.children.map((c) => c.name) ?? [];
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: team.name },
      spec: { type: 'team', ...(parent !== undefined ? { parent } : {}), children },
    };
  });
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
    // The RBAC plugin resolves a user's groups upwards: the user's teams and the teams above
    // them, up to its maxDepth. A role bound to a parent team reaches the members below it.
    membersOf: (group, levels) =>
      o.users
        .filter((u) => (u.memberOf ?? []).some((t) => withAncestors(o, t.name, levels).includes(group)))
        .map((u) => u.name),
    groupsOf: (user, levels) => [
      ...new Set(
        (o.users.find((u) => u.name.toLowerCase() === user.toLowerCase())?.memberOf ?? []).flatMap((t) =>
          withAncestors(o, t.name, levels),
        ),
      ),
    ],
    groupsAbove: (group, levels) => withAncestors(o, group, levels).slice(1),
  };
}

/** The team and the teams above it, nearest first: `levels` of them at most (all when undefined). */
function withAncestors(o: StaticOrgOptions, team: string, levels = Infinity): string[] {
  const chain = [team];
  for (
    let parent = parentOf(o, team);
    parent !== undefined && !chain.includes(parent) && chain.length <= levels;
    parent = parentOf(o, parent)
  ) {
    chain.push(parent);
  }
  return chain;
}

function parentOf(o: StaticOrgOptions, team: string): string | undefined {
  return (o.hierarchy ?? []).find((h) => h.children.some((c) => c.name === team))?.parent.name;
}
