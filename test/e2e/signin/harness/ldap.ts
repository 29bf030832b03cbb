// Debian's OpenLDAP (slapd 2.5) as the directory of an LDAP org source: one per scenario, on a
// free loopback port, LDAPS only (as OrgSource.ldap requires: the bind password must not
// cross the network in clear), with a certificate for 127.0.0.1 from the test CA. Its
// entries are loaded offline with slapadd before it starts. Only the bind account may read
// the directory (anonymous clients may only authenticate), so a search that finds anything
// proves the bind DN and password were used. ldapsearch (Debian's ldap-utils) asks it the
// way a person debugging the directory would.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ServerCert } from './pki';
import { freePort, Started, startProcess, waitFor } from './processes';

export const SLAPD = process.env.SLAPD ?? '/usr/sbin/slapd';
const SLAPADD = process.env.SLAPADD ?? '/usr/sbin/slapadd';
const LDAPSEARCH = process.env.LDAPSEARCH ?? '/usr/bin/ldapsearch';

export const LDAP_SUFFIX = 'dc=example,dc=com';
/** The account the org source binds as. */
export const LDAP_BIND_DN = `uid=backstage,ou=robots,${LDAP_SUFFIX}`;
export const LDAP_PEOPLE = `ou=people,${LDAP_SUFFIX}`;
export const LDAP_GROUPS = `ou=groups,${LDAP_SUFFIX}`;

export interface LdapPerson {
  readonly uid: string;
  readonly cn: string;
  readonly mail: string;
}
export interface LdapGroup {
  readonly cn: string;
  readonly description: string;
  /** uids of people in it. */
  readonly members: readonly string[];
}

export interface RunningLdap {
  /** `ldaps://127.0.0.1:<port>` */
  readonly url: string;
  readonly bindPassword: string;
  readonly proc: Started;
  /** ldapsearch under `base` with `filter`: the uid/cn values found (bound, or anonymous). */
  search(base: string, filter: string, o: { bound: boolean }): Promise<string[]>;
  stop(): Promise<void>;
}

function ldif(people: readonly LdapPerson[], groups: readonly LdapGroup[], bindPassword: string): string {
  const entry = (lines: string[]) => lines.join('\n');
  return [
    entry([
      `dn: ${LDAP_SUFFIX}`,
      'objectClass: dcObject',
      'objectClass: organization',
      'dc: example',
      'o: Example',
    ]),
    ...['people', 'groups', 'robots'].map((ou) =>
      entry([`dn: ou=${ou},${LDAP_SUFFIX}`, 'objectClass: organizationalUnit', `ou: ${ou}`]),
    ),
    entry([
      `dn: ${LDAP_BIND_DN}`,
      'objectClass: account',
      'objectClass: simpleSecurityObject',
      'uid: backstage',
      `userPassword: ${bindPassword}`,
    ]),
    ...people.map((p) =>
      entry([
        `dn: uid=${p.uid},${LDAP_PEOPLE}`,
        'objectClass: inetOrgPerson',
        `uid: ${p.uid}`,
        `cn: ${p.cn}`,
        `sn: ${p.cn}`,
        `mail: ${p.mail}`,
      ]),
    ),
    ...groups.map((g) =>
      entry([
        `dn: cn=${g.cn},${LDAP_GROUPS}`,
        'objectClass: groupOfNames',
        `cn: ${g.cn}`,
        `description: ${g.description}`,
        ...g.members.map((uid) => `member: uid=${uid},${LDAP_PEOPLE}`),
      ]),
    ),
  ].join('\n\n');
}

function run(file: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolvePromise, reject) =>
    execFile(file, [...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`${file} ${args.join(' ')}: ${stderr || error.message}`))
        : resolvePromise(stdout),
    ),
  );
}

export async function startLdap(o: {
  dir: string;
  tls: ServerCert;
  caFile: string;
  bindPassword: string;
  people: readonly LdapPerson[];
  groups: readonly LdapGroup[];
  logFile: string;
}): Promise<RunningLdap> {
  const port = await freePort();
  const db = join(o.dir, 'db');
  mkdirSync(db, { recursive: true });
  const conf = join(o.dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      `pidfile ${join(o.dir, 'slapd.pid')}`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `TLSCertificateFile ${o.tls.cert}`,
      `TLSCertificateKeyFile ${o.tls.key}`,
      'database mdb',
      `suffix "${LDAP_SUFFIX}"`,
      `directory ${db}`,
      // Passwords are for authenticating only; everything else only the bind account reads.
      'access to attrs=userPassword by anonymous auth by * none',
      `access to * by dn.exact="${LDAP_BIND_DN}" read by * none`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const data = join(o.dir, 'data.ldif');
  writeFileSync(data, `${ldif(o.people, o.groups, o.bindPassword)}\n`, { mode: 0o600 });
  await run(SLAPADD, ['-f', conf, '-l', data]);
  const url = `ldaps://127.0.0.1:${port}`;
  // -d keeps it in the foreground (stats: one log line per operation).
  const proc = startProcess('slapd', SLAPD, ['-d', 'stats', '-f', conf, '-h', `${url}/`], {
    logFile: o.logFile,
  });
  const search: RunningLdap['search'] = async (base, filter, s) => {
    const out = await run(
      LDAPSEARCH,
      [
        '-H',
        url,
        '-x',
        ...(s.bound ? ['-D', LDAP_BIND_DN, '-w', o.bindPassword] : []),
        '-b',
        base,
        '-LLL',
        filter,
        'uid',
        'cn',
      ],
      { LDAPTLS_CACERT: o.caFile },
    ).catch((error: Error) => (/No such object \(32\)/.test(error.message) ? '' : Promise.reject(error)));
    return out
      .split('\n')
      .filter((l) => /^(uid|cn): /.test(l))
      .map((l) => l.replace(/^(uid|cn): /, ''));
  };
  await waitFor(
    'slapd to answer over LDAPS',
    async () =>
      (await search(`ou=robots,${LDAP_SUFFIX}`, '(uid=backstage)', { bound: true }).catch(() => [])).length >
      0,
    proc,
    20_000,
  );
  return { url, bindPassword: o.bindPassword, proc, search, stop: () => proc.stop() };
}
