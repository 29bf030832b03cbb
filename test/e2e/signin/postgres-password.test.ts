// The in-cluster PostgreSQL's password rotation, run for real: the postgres container's
// postStart hook, as BackstageDatabase.inCluster synthesizes it, against a real PostgreSQL
// (Debian's postgresql-15, installed by setup.sh; the image runs 17, whose psql has the same
// \getenv and quoting). The official image sets POSTGRES_PASSWORD only when it creates the
// data directory: without the hook, a rotated password restarts Backstage into "password
// authentication failed". The data directory here is made as the image's initdb makes it (the
// server's own user trusted on the local socket) and, as for a client on another pod,
// password authentication (scram-sha-256) on TCP.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Backstage, BackstageDatabase, SecretRef } from '../../../lib';
import { resourceAt } from './harness/portal';
import { freePort, type Started, startProcess, waitFor } from './harness/processes';

const PG_BIN = '/usr/lib/postgresql/15/bin';
/** PostgreSQL refuses to run as root; the image runs it as its user 999, Debian's package made this one. */
const PG_USER = 'postgres';
const uid = Number(execFileSync('id', ['-u', PG_USER], { encoding: 'utf8' }));
const gid = Number(execFileSync('id', ['-g', PG_USER], { encoding: 'utf8' }));

/** The postgres container of the StatefulSet, as synthesized. */
function synthesizedPostgresContainer(): any {
  const app = Testing.app();
  const tf = new TerraformStack(app, 'pg');
  new KubernetesProvider(tf, 'k8s', {});
  new Backstage(tf, 'bs', {
    namespace: 'backstage',
    host: 'backstage.example.com',
    image: 'registry.example.com/platform/backstage:1.4.2',
    database: BackstageDatabase.inCluster({ password: SecretRef.fromSecret('backstage-db', 'password') }),
    replicas: 1,
  });
  Testing.synth(tf, true);
  const json = JSON.parse(JSON.stringify(tf.toTerraform()));
  return resourceAt(json, 'kubernetes_stateful_set_v1', 'bs/Postgres/StatefulSet').spec.template.spec
    .container[0];
}

let dir: string;
let port: number;
let server: Started;
let container: any;
const user = () => container.env.find((e: any) => e.name === 'POSTGRES_USER').value as string;

/** Runs the synthesized hook as the container would, with this password in POSTGRES_PASSWORD. */
function runHook(password: string) {
  const [shell, flag, script] = container.lifecycle.post_start[0].exec.command as string[];
  return spawnSync(shell!, [flag!, script!], {
    encoding: 'utf8',
    timeout: 150_000,
    env: {
      PATH: `${PG_BIN}:${process.env.PATH}`,
      POSTGRES_USER: user(),
      POSTGRES_PASSWORD: password,
      // Where this server's socket is; in the image it is the compiled-in /var/run/postgresql.
      PGHOST: join(dir, 'run'),
      PGPORT: String(port),
    },
    uid,
    gid,
  });
}

/** Signs in over TCP with a password, as Backstage's pg client does from its own pod. */
function signIn(password: string) {
  return spawnSync(
    join(PG_BIN, 'psql'),
    ['-X', '-w', '-h', '127.0.0.1', '-p', String(port), '-U', user(), '-d', 'postgres', '-tAc', 'select 1'],
    { encoding: 'utf8', env: { PATH: process.env.PATH, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' } },
  );
}

describe('the in-cluster PostgreSQL applies a rotated password at start (postStart hook, PostgreSQL 15)', () => {
  const first = 'first-password-sentinel';
  const rotated = "rotated 'pass\"word' $HOME ;-- sentinel";

  beforeAll(async () => {
    container = synthesizedPostgresContainer();
    dir = mkdtempSync(join(tmpdir(), 'cdktf-backstage-postgres-'));
    mkdirSync(join(dir, 'run'));
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${first}\n`, { mode: 0o600 });
    for (const path of [dir, join(dir, 'run'), pwfile]) chownSync(path, uid, gid);
    // As the image's entrypoint runs initdb (its user, a password file), with host connections
    // held to their password as the image's appended pg_hba line holds other pods.
    execFileSync(
      join(PG_BIN, 'initdb'),
      [
        '-D',
        join(dir, 'data'),
        `--username=${user()}`,
        `--pwfile=${pwfile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
      ],
      { uid, gid, stdio: 'pipe' },
    );
    port = await freePort();
    server = startProcess(
      'postgres',
      join(PG_BIN, 'postgres'),
      [
        '-D',
        join(dir, 'data'),
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${join(dir, 'run')}`,
        // A server that logs every statement, as some are run: the hook's session must still
        // keep its ALTER ROLE (and the password in it) out of the log.
        '-c',
        'log_statement=all',
      ],
      { logFile: join(dir, 'postgres.log'), uid, gid },
    );
    await waitFor('postgres accepting connections', async () => signIn(first).status === 0, server, 60_000);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the hook is the command the container runs after start, under the image’s environment', () => {
    expect(container.lifecycle.post_start[0].exec.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(container.env.map((e: any) => e.name)).toEqual(
      expect.arrayContaining(['POSTGRES_USER', 'POSTGRES_PASSWORD', 'PGDATA']),
    );
  });

  it('without the hook the rotated password is refused: the image keeps the first one', () => {
    const refused = signIn(rotated);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(`password authentication failed for user "${user()}"`);
  });

  it('after the hook the rotated password signs in and the old one is refused, a password with quotes and $ included', async () => {
    const hook = runHook(rotated);
    expect(hook.status, hook.stderr).toBe(0);
    expect(signIn(rotated).stdout.trim()).toBe('1');
    expect(signIn(first).stderr).toContain('password authentication failed');
    // Nothing printed or logged the password, though the server logs every other statement.
    expect(`${hook.stdout}${hook.stderr}`).not.toContain('sentinel');
    // The server's output reaches the log file through a pipe: wait for the statement of the
    // sign-in above, which the server ran after the hook's session.
    const statements = () => readFileSync(server.logFile, 'utf8').split('statement: select 1').length - 1;
    const before = statements();
    expect(signIn(rotated).status).toBe(0);
    await waitFor('the last sign-in in the server log', async () => statements() > before, server, 10_000);
    const log = readFileSync(server.logFile, 'utf8');
    expect(log).not.toContain('sentinel');
    expect(log).not.toContain('ALTER ROLE');
  });

  it('runs again at the next start with the same password (idempotent)', () => {
    expect(runHook(rotated).status).toBe(0);
    expect(signIn(rotated).stdout.trim()).toBe('1');
  });
});
