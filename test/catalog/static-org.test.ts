import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { OrgSource, RbacRole, StaticOrgOptions, Team } from '../../lib';
import { type ExpectedProblem, expectProblems, resourceAt, synthBackstage } from '../helpers';

const company = Team.of('company');
const engineering = Team.of('engineering');
const teamA = Team.of('team-a');
const teamB = Team.of('team-b');
const sales = Team.of('sales');
const TEAMS = [company, engineering, teamA, teamB, sales];

/** The Groups of the static org's catalog file, as Backstage reads them. */
function groupsOf(org: StaticOrgOptions) {
  const json = synthBackstage({ org: OrgSource.staticOrg(org) });
  return parseAllDocuments(resourceAt(json, 'kubernetes_config_map_v1', 'bs/OrgCatalog').data['org.yaml'])
    .map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: unknown })
    .filter((e) => e.kind === 'Group')
    .map((e) => ({ name: e.metadata.name, spec: e.spec }));
}

const hierarchyProblems = (hierarchy: StaticOrgOptions['hierarchy'], expected: ExpectedProblem[]) =>
  expectProblems(
    () => synthBackstage({ org: OrgSource.staticOrg({ teams: TEAMS, users: [], hierarchy }) }),
    expected,
  );

describe('static org: teams', () => {
  it('a team twice, also in another case (Backstage compares entity names without case)', () => {
    expectProblems(
      () =>
        synthBackstage({
          org: OrgSource.staticOrg({
            teams: [teamA, Team.of('team-a'), Team.of('Team-A'), teamB],
            users: [],
          }),
        }),
      [
        { path: 'org.teams[1]', says: 'names the team "team-a" a second time' },
        {
          path: 'org.teams[2]',
          says: 'names the team "team-a" a second time (as "Team-A": Backstage compares entity names without case)',
        },
      ],
    );
  });
});

describe('static org: the team hierarchy', () => {
  it("renders each team's parent and children into its Group, by plain name (what the RBAC plugin matches)", () => {
    expect(
      groupsOf({
        teams: TEAMS,
        users: [],
        hierarchy: [
          { parent: company, children: [engineering, sales] },
          { parent: engineering, children: [teamA, teamB] },
        ],
      }),
    ).toEqual([
      { name: 'company', spec: { type: 'team', children: ['engineering', 'sales'] } },
      { name: 'engineering', spec: { type: 'team', parent: 'company', children: ['team-a', 'team-b'] } },
      { name: 'team-a', spec: { type: 'team', parent: 'engineering', children: [] } },
      { name: 'team-b', spec: { type: 'team', parent: 'engineering', children: [] } },
      { name: 'sales', spec: { type: 'team', parent: 'company', children: [] } },
    ]);
  });

  it('without a hierarchy every team stands alone', () => {
    expect(groupsOf({ teams: [teamA, teamB], users: [] })).toEqual([
      { name: 'team-a', spec: { type: 'team', children: [] } },
      { name: 'team-b', spec: { type: 'team', children: [] } },
    ]);
  });

  describe('refusals', () => {
    it('a parent or a child that is not one of the org’s teams', () => {
      const ops = Team.of('ops');
      hierarchyProblems(
        [
          { parent: ops, children: [teamA] },
          { parent: engineering, children: [ops] },
        ],
        [
          {
            path: 'org.hierarchy[0].parent',
            says: ['is the team "ops", which is not one of the org\'s teams'],
          },
          {
            path: 'org.hierarchy[1].children[0]',
            says: 'is the team "ops", which is not one of the org\'s teams',
          },
        ],
      );
    });

    it('a team under two parents (a Backstage Group has one)', () => {
      hierarchyProblems(
        [
          { parent: engineering, children: [teamA] },
          { parent: sales, children: [teamB, teamA] },
        ],
        [
          {
            path: 'org.hierarchy[1].children[1]',
            says: [
              'puts the team "team-a" under "sales", but it is under "engineering" already',
              'A Backstage Group has one parent',
            ],
          },
        ],
      );
    });

    it('a parent listed twice, a team under itself, and an entry with no children', () => {
      hierarchyProblems(
        [
          { parent: engineering, children: [teamA] },
          { parent: engineering, children: [teamB] },
          { parent: sales, children: [sales] },
          { parent: company, children: [] },
        ],
        [
          { path: 'org.hierarchy[3].children', says: ['must name at least one team', 'got []'] },
          {
            path: 'org.hierarchy[1].parent',
            says: [
              'names the parent "engineering" a second time',
              'List all the teams under it in one entry.',
            ],
          },
          { path: 'org.hierarchy[2].children[0]', says: 'puts the team "sales" under itself' },
        ],
      );
    });

    it('a cycle, which would make the RBAC plugin grant no group role to anyone', () => {
      hierarchyProblems(
        [
          { parent: company, children: [engineering] },
          { parent: engineering, children: [teamA] },
          { parent: teamA, children: [company] },
        ],
        [
          {
            path: 'org.hierarchy',
            says: [
              'has a cycle: "engineering" under "company" under "team-a" under "engineering"',
              'Take one of these teams out from under the next',
            ],
          },
        ],
      );
      // Two teams under each other: the same refusal, found from the first team walked.
      hierarchyProblems(
        [
          { parent: teamA, children: [teamB] },
          { parent: teamB, children: [teamA] },
        ],
        [{ path: 'org.hierarchy', says: 'has a cycle: "team-b" under "team-a" under "team-b"' }],
      );
    });
  });

  describe('RBAC sees the hierarchy as the plugin does (roles flow down to the teams below)', () => {
    const alice = { name: 'alice', email: 'alice@example.com', memberOf: [teamA] };
    const org = OrgSource.staticOrg({
      teams: TEAMS,
      users: [alice],
      hierarchy: [{ parent: engineering, children: [teamA, teamB] }],
    });

    it('an admin team whose people are all in the teams below it has members', () => {
      expect(() =>
        synthBackstage({
          org,
          rbac: {
            admins: [engineering],
            roles: [RbacRole.of({ name: 'readers', members: [engineering], allow: ['catalog.entity.read'] })],
          },
        }),
      ).not.toThrow();
      // A team with no one in it or below it still has no members.
      expectProblems(
        () =>
          synthBackstage({
            org,
            rbac: { admins: [teamB], roles: [] },
          }),
        [
          {
            path: 'rbac.admins',
            says: 'are all locked out of the policy: group:default/team-b has no members',
          },
        ],
      );
    });

    it('with maxDepth the check counts only the levels the plugin walks', () => {
      const twoLevels = OrgSource.staticOrg({
        teams: TEAMS,
        users: [alice],
        hierarchy: [
          { parent: company, children: [engineering] },
          { parent: engineering, children: [teamA] },
        ],
      });
      // At 0 no role passes down: engineering, with no one in it directly, has no members.
      expectProblems(
        () => synthBackstage({ org: twoLevels, rbac: { admins: [engineering], roles: [], maxDepth: 0 } }),
        [{ path: 'rbac.admins', says: 'group:default/engineering has no members' }],
      );
      expect(() =>
        synthBackstage({ org: twoLevels, rbac: { admins: [engineering], roles: [], maxDepth: 1 } }),
      ).not.toThrow();
      // A deny two levels up reaches team-a's admins at maxDepth 2, not at 1.
      const lockdown = RbacRole.of({ name: 'lockdown', members: [company], deny: ['policy.entity.update'] });
      expect(() =>
        synthBackstage({
          org: twoLevels,
          rbac: { admins: [teamA, 'alice'], roles: [lockdown], maxDepth: 1 },
        }),
      ).not.toThrow();
      expectProblems(
        () =>
          synthBackstage({
            org: twoLevels,
            rbac: { admins: [teamA, 'alice'], roles: [lockdown], maxDepth: 2 },
          }),
        [
          {
            path: 'rbac.admins',
            says: [
              'group:default/team-a is denied policy.entity.update by the role "lockdown"',
              'user:default/alice is denied policy.entity.update by the role "lockdown"',
            ],
          },
        ],
      );
    });

    it('a deny bound to a team above reaches the admins below it, teams and users alike', () => {
      const lockdown = RbacRole.of({
        name: 'lockdown',
        members: [engineering],
        allow: ['catalog.entity.read'],
        deny: ['policy.entity.update'],
      });
      expectProblems(
        () => synthBackstage({ org, rbac: { admins: [teamA], roles: [lockdown] } }),
        [
          {
            path: 'rbac.admins',
            says: 'group:default/team-a is denied policy.entity.update by the role "lockdown"',
          },
        ],
      );
      expectProblems(
        () => synthBackstage({ org, rbac: { admins: ['alice'], roles: [lockdown] } }),
        [
          {
            path: 'rbac.admins',
            says: 'user:default/alice is denied policy.entity.update by the role "lockdown"',
          },
        ],
      );
      // Bound to a team beside them, the deny does not reach them.
      expect(() =>
        synthBackstage({
          org,
          rbac: {
            admins: [teamA],
            roles: [RbacRole.of({ name: 'lockdown', members: [sales], deny: ['policy.entity.update'] })],
          },
        }),
      ).not.toThrow();
    });
  });
});
