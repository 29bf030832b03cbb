// An LDAP org source, live: OrgSource.ldap as the library renders it (the provider config,
// the bind password from a Secret into the Backstage container's environment), read by the
// real @backstage/plugin-catalog-backend-module-ldap 0.12.9 from a real OpenLDAP (slapd
// 2.5) over LDAPS. The directory's people and groups become the catalog's Users and Groups;
// a person signs in through the front door and is resolved to her LDAP User, her LDAP
// group is her ownership, and the RBAC role bound to that group decides what she may read.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { TerraformStack, Testing } from 'cdktf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Backstage, BackstageDatabase, OrgSource, RbacRole, SecretRef, Team } from '../../../lib';
import { USERS } from './harness/idp';
import { LDAP_BIND_DN, LDAP_GROUPS, LDAP_PEOPLE, RunningLdap, startLdap } from './harness/ldap';
import { resourceAt } from './harness/portal';
import { waitFor } from './harness/processes';
import { Stack, startStack, TeamsPortal } from './harness/stack';

const BIND_SECRET = { name: 'ldap-bind', key: 'password' };
const readers = Team.of('readers');

let stack: Stack;
let ldap: RunningLdap;
let portal: TeamsPortal;

/** The LDAP org source of the portal under test (the directory's URL known once it runs). */
const orgOf = (url: string) =>
  OrgSource.ldap({
    target: url,
    bind: { dn: LDAP_BIND_DN, secret: SecretRef.fromSecret(BIND_SECRET.name, BIND_SECRET.key) },
    users: { dn: LDAP_PEOPLE, filter: '(objectClass=inetOrgPerson)' },
    groups: { dn: LDAP_GROUPS, filter: '(objectClass=groupOfNames)' },
  });

/** A Backstage token of someone, the way the gateway's identity headers get one. */
async function backstageToken(email: string): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${portal.backstage.port}/api/auth/oauth2Proxy/refresh`, {
    headers: { 'x-forwarded-email': email, 'x-forwarded-user': email },
  });
  return res.ok ? ((await res.json()) as any).backstageIdentity.token : undefined;
}
const catalog = async (path: string, token: string) =>
  (await fetch(`http://127.0.0.1:${portal.backstage.port}/api/catalog${path}`, {
    headers: { authorization: `Bearer ${token}` },
  }).then((r) => r.json())) as any;

beforeAll(async () => {
  stack = await startStack();
  const dir = join(stack.runDir, 'ldap');
  mkdirSync(dir, { recursive: true });
  ldap = await startLdap({
    dir,
    tls: stack.pki.issue('ldap', [], ['127.0.0.1']),
    caFile: stack.pki.caFile,
    bindPassword: 'bind-pw-of-the-directory',
    people: [USERS.rita, USERS.olga, USERS.nora].map((u) => ({
      uid: u.preferredUsername,
      cn: u.name,
      mail: u.email,
    })),
    groups: [
      { cn: 'readers', description: 'Read the catalog', members: ['rita'] },
      { cn: 'team-a', description: 'Team A', members: ['olga'] },
    ],
    logFile: join(stack.runDir, 'logs', 'slapd.log'),
  });
  // As the cluster would hold the Secret the portal's SecretRef names.
  stack.secrets[BIND_SECRET.name] = { [BIND_SECRET.key]: ldap.bindPassword };
  portal = await stack.startTeamsPortal({
    org: orgOf(ldap.url),
    access: { emailDomains: ['example.com'] },
    catalogFiles: ['./catalog/rbac-components.yaml'],
    rbac: {
      // No one who signs in here is an RBAC admin: what they read comes from their role.
      superUsers: ['ldap-admin'],
      roles: [RbacRole.of({ name: 'readers', members: [readers], allow: ['catalog.entity.read'] })],
    },
  });
  // The provider's first run (15 s after start, the library's default schedule) and the
  // processing of what it read.
  await waitFor(
    'the LDAP org in the catalog (rita resolved, her group read)',
    async () => {
      const token = await backstageToken(USERS.rita.email);
      if (!token) return false;
      const rita = await catalog('/entities/by-name/user/default/rita', token);
      return (rita.relations ?? []).some((r: any) => r.targetRef === 'group:default/readers');
    },
    portal.backstage.proc,
    120_000,
  );
}, 300_000);

afterAll(async () => {
  await ldap?.stop();
  await stack?.stop();
});

describe('an LDAP org source (OrgSource.ldap, plugin-catalog-backend-module-ldap 0.12.9, OpenLDAP slapd 2.5)', () => {
  it('binds with the password from its Secret: the directory shows nothing to an anonymous search', async () => {
    expect(await ldap.search(LDAP_PEOPLE, '(objectClass=inetOrgPerson)', { bound: false })).toEqual([]);
    expect((await ldap.search(LDAP_PEOPLE, '(objectClass=inetOrgPerson)', { bound: true })).sort()).toEqual([
      'Nora',
      'Olga',
      'Rita',
      'nora',
      'olga',
      'rita',
    ]);
    // The rendered provider names the Secret's value only as an environment reference.
    const appConfig: string = resourceAt(portal.door.json, 'kubernetes_config_map_v1', 'Backstage/AppConfig')
      .data['app-config.portal.yaml'];
    expect(appConfig).toContain('secret: $${BACKSTAGE_ORG_LDAP_BIND_SECRET}');
    expect(appConfig).not.toContain(ldap.bindPassword);
    expect(portal.backstage.plan.env.BACKSTAGE_ORG_LDAP_BIND_SECRET).toBe(ldap.bindPassword);
  });

  it("the directory's people and groups are the catalog's Users and Groups, memberships included", async () => {
    const token = (await backstageToken(USERS.rita.email))!;
    const users = (await catalog('/entities?filter=kind=user', token)) as any[];
    expect(
      users.map((u) => [u.metadata.name, u.spec.profile?.email, u.spec.profile?.displayName]).sort(),
    ).toEqual([
      ['nora', USERS.nora.email, USERS.nora.name],
      ['olga', USERS.olga.email, USERS.olga.name],
      ['rita', USERS.rita.email, USERS.rita.name],
    ]);
    const groups = (await catalog('/entities?filter=kind=group', token)) as any[];
    expect(groups.map((g) => [g.metadata.name, g.metadata.description]).sort()).toEqual([
      ['readers', 'Read the catalog'],
      ['team-a', 'Team A'],
    ]);
    const olga = await catalog('/entities/by-name/user/default/olga', token);
    expect(olga.spec.memberOf).toEqual(['group:default/team-a']);
    // Where they came from: the provider of the library's config (catalog.providers.ldapOrg.default).
    expect(olga.metadata.annotations['backstage.io/managed-by-location']).toBe(
      `ldap://default/${encodeURIComponent(`uid=olga,${LDAP_PEOPLE}`)}`,
    );
  });

  it('a person signs in through the front door as her LDAP User, her LDAP group her ownership, and its role applies', async () => {
    const client = portal.door.client();
    const chain = await client.signIn(USERS.rita.email, USERS.rita.password, '/');
    expect(chain.at(-1)!.status, chain.map((r) => `${r.status} ${r.url}`).join(' → ')).toBe(200);
    const refresh = await client.request(`${portal.door.portal}/api/auth/oauth2Proxy/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    expect(refresh.status, refresh.body.slice(0, 200)).toBe(200);
    const identity = refresh.json().backstageIdentity;
    expect(identity.identity.userEntityRef).toBe('user:default/rita');
    expect([...identity.identity.ownershipEntityRefs].sort()).toEqual([
      'group:default/readers',
      'user:default/rita',
    ]);
    const list = await client.request(`${portal.door.portal}/api/catalog/entities?filter=kind=component`, {
      headers: { authorization: `Bearer ${identity.token}`, accept: 'application/json' },
    });
    expect(list.status).toBe(200);
    expect((list.json() as any[]).map((c) => c.metadata.name).sort()).toEqual([
      'team-a-service',
      'team-b-service',
    ]);
  });

  it('a member of another LDAP group, bound to no role, reads nothing', async () => {
    const token = (await backstageToken(USERS.olga.email))!;
    expect(await catalog('/entities?filter=kind=component', token)).toEqual([]);
  });

  it('the image must add the module the backend of this suite adds', () => {
    const app = Testing.app();
    const s = new TerraformStack(app, 'features');
    const backstage = new Backstage(s, 'bs', {
      namespace: 'backstage',
      host: 'backstage.example.com',
      image: 'registry.example.com/backstage:1.0.0',
      database: BackstageDatabase.sqliteInMemory(),
      replicas: 1,
      org: orgOf('ldaps://ds.example.com'),
    });
    expect(backstage.backendFeatures).toEqual(['@backstage/plugin-catalog-backend-module-ldap']);
  });
});
