// Debian's redis-server for the Redis session store: one per test run, on free loopback
// ports, with a password (as `SessionStore.redis({ password })` expects) and, beside the
// plain port, a TLS port for `rediss://` URLs (certificate from a private CA of its own,
// which clients must be given: SessionStore.redis({ ca })). Nothing is
// persisted. redis-cli (Debian's redis-tools) reads the keys oauth2-proxy writes, so a
// scenario can tell whether a session really exists server-side.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

import type { ServerCert } from './pki';
import { freePort, Started, startProcess, waitFor } from './processes';

export interface RunningRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** `rediss://127.0.0.1:<tls port>` (certificate for 127.0.0.1 from the private Redis CA) */
  readonly tlsUrl: string;
  readonly password: string;
  readonly proc: Started;
  /** Keys matching a glob pattern (redis-cli KEYS), sorted. */
  keys(pattern: string): Promise<string[]>;
  stop(): Promise<void>;
}

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const REDIS_CLI = process.env.REDIS_CLI ?? '/usr/bin/redis-cli';

export async function startRedis(o: {
  dir: string;
  password: string;
  tls: ServerCert;
  caFile: string;
  logFile: string;
}): Promise<RunningRedis> {
  const port = await freePort();
  const tlsPort = await freePort();
  const conf = join(o.dir, 'redis.conf');
  writeFileSync(
    conf,
    [
      'bind 127.0.0.1',
      `port ${port}`,
      `tls-port ${tlsPort}`,
      `tls-cert-file ${o.tls.cert}`,
      `tls-key-file ${o.tls.key}`,
      `tls-ca-cert-file ${o.caFile}`,
      // Clients authenticate with the password, not with certificates (as oauth2-proxy does).
      'tls-auth-clients no',
      `requirepass "${o.password}"`,
      'protected-mode yes',
      `dir ${o.dir}`,
      'save ""',
      'appendonly no',
      'daemonize no',
      'logfile ""',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const proc = startProcess('redis-server', REDIS_SERVER, [conf], { logFile: o.logFile });
  const cli = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      // REDISCLI_AUTH keeps the password off the command line.
      execFile(
        REDIS_CLI,
        ['-h', '127.0.0.1', '-p', String(port), '--raw', ...args],
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', REDISCLI_AUTH: o.password } },
        (error, stdout, stderr) =>
          error
            ? reject(new Error(`redis-cli ${args.join(' ')}: ${stderr || error.message}`))
            : resolve(stdout),
      );
    });
  const listening = (p: number) =>
    new Promise<boolean>((resolve) => {
      const socket = createConnection(p, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
  await waitFor(
    'redis-server to answer PING',
    async () =>
      (await listening(port)) && (await listening(tlsPort)) && (await cli(['PING'])).trim() === 'PONG',
    proc,
    15_000,
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    tlsUrl: `rediss://127.0.0.1:${tlsPort}`,
    password: o.password,
    proc,
    keys: async (pattern) =>
      (await cli(['KEYS', pattern]))
        .split('\n')
        .map((k) => k.trim())
        .filter(Boolean)
        .sort(),
    stop: () => proc.stop(),
  };
}
