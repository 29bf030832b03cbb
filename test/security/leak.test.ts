// Security rule 1: no secret value is ever written into synthesized output. Sentinel
// values are offered in every way a secret can reach the library (TF_VAR_* for the
// sensitive variables, plain environment variables of the same names), `npm run synth`
// (scripts/synth.mjs, which runs the app exactly as `cdktf synth` does; the deploy suite
// checks the two write the same bytes) synthesizes, and every file under cdktf.out/ is
// searched for them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const SECRETS = ['oidc_client_secret', 'cookie_secret', 'database_password', 'ci_bot_token'];
const sentinel = (name: string) => `SENTINEL-${name}-7f3a9c1e5b`;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function synthFixture(extraEnv: Record<string, string> = {}): { work: string; leaks: string[] } {
  const work = mkdtempSync(join(tmpdir(), 'leak-'));
  writeFileSync(
    join(work, 'cdktf.json'),
    JSON.stringify({
      language: 'typescript',
      app: `node --require ${join(root, 'node_modules/tsx/dist/cjs/index.cjs')} ${join(root, 'test/security/fixtures/leak-app.ts')}`,
    }),
  );
  const env: Record<string, string> = { ...process.env, CHECKPOINT_DISABLE: '1' } as Record<string, string>;
  for (const name of SECRETS) {
    env[`TF_VAR_${name}`] = sentinel(name);
    env[name.toUpperCase()] = sentinel(name);
  }
  env.GITHUB_TOKEN = sentinel('github');
  env.REDIS_PASSWORD = sentinel('redis');
  Object.assign(env, extraEnv);
  execFileSync(process.execPath, [join(root, 'scripts/synth.mjs')], {
    cwd: work,
    env,
    stdio: 'pipe',
    timeout: 120_000,
  });
  const files = filesUnder(join(work, 'cdktf.out'));
  if (!files.some((f) => f.endsWith('cdk.tf.json'))) {
    throw new Error('npm run synth wrote no cdk.tf.json');
  }
  return { work, leaks: files.filter((f) => readFileSync(f, 'utf8').includes('SENTINEL-')) };
}

describe('secret leak', () => {
  it('no sentinel secret value appears anywhere under cdktf.out/', () => {
    const { work, leaks } = synthFixture();
    expect(leaks).toEqual([]);
    const json = JSON.parse(readFileSync(join(work, 'cdktf.out/stacks/leak/cdk.tf.json'), 'utf8'));
    // The variables are declared sensitive and have no default to leak.
    for (const name of SECRETS) {
      expect(json.variable[name]).toEqual(expect.objectContaining({ sensitive: true }));
      expect(json.variable[name]).not.toHaveProperty('default');
    }
  });

  it('the scan does find a sentinel that was put into the output (control)', () => {
    const { leaks } = synthFixture({ LEAK_CONTROL_VALUE: sentinel('control') });
    expect(leaks.some((f) => f.endsWith('cdk.tf.json'))).toBe(true);
  });
});
