// `npm run synth` (scripts/synth.mjs, README set-up 1) stands in for `cdktf synth` where the CLI
// is not installed: the unit tests and the leak scan synthesize through it. This suite has the
// real CLI (its own package, setup.sh), so it checks here that both write the same files with
// the same bytes, for the apps and settings the repository uses: the root cdktf.json, the
// multi-cloud example with this suite's chart-directory context and secrets in TF_VAR_*, the
// leak fixture with its sentinels, an app with relative modules in cdktf.json, and an app with an
// error annotation (both refuse it, leaving the same files). No cluster: nothing here deploys.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { describe, expect, it } from 'vitest';

import { repoRoot, vendorDir } from './harness/project';

const cli = join(repoRoot, 'test/e2e/deploy/node_modules/.bin/cdktf');
const script = join(repoRoot, 'scripts/synth.mjs');
const tsx = join(repoRoot, 'node_modules/tsx/dist/cjs/index.cjs');
const appCommand = (file: string) => `node --require ${tsx} ${join(repoRoot, file)}`;

/** Every file under dir, by relative path, with its SHA-256. */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return files;
}

interface Synthesized {
  readonly status: number | null;
  readonly output: string;
  readonly files: Record<string, string>;
}

/**
 * Synthesizes with the CLI and with the script, each into an output directory of its own that
 * holds a stale stack folder from an "earlier synth" (both must delete it).
 */
function both(
  cwd: string,
  env: Record<string, string>,
  args: readonly string[] = [],
): { cli: Synthesized; script: Synthesized } {
  const run = (command: string, commandArgs: readonly string[]): Synthesized => {
    const out = mkdtempSync(join(tmpdir(), 'synth-parity-'));
    mkdirSync(join(out, 'stacks/stale'), { recursive: true });
    writeFileSync(join(out, 'stacks/stale/cdk.tf.json'), '{}');
    const result = spawnSync(command, [...commandArgs, ...args, '--output', out], {
      cwd,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true', NO_COLOR: '1', ...env },
      encoding: 'utf8',
      timeout: 300_000,
    });
    return { status: result.status, output: result.stdout + result.stderr, files: tree(out) };
  };
  return { cli: run(cli, ['synth']), script: run(process.execPath, [script]) };
}

function projectDir(config: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'synth-parity-project-'));
  writeFileSync(join(dir, 'cdktf.json'), JSON.stringify(config, null, 2));
  // Where cdktf.json lists modules, both refuse to synthesize before `cdktf get` made this.
  mkdirSync(join(dir, '.gen'));
  return dir;
}

/** The stack list the script prints at the end ("Generated Terraform code for the stacks: a, b"). */
const generated = (output: string): string[] | undefined =>
  /Generated Terraform code for the stacks: ([^\n]*)/.exec(output)?.[1]?.split(', ');

function expectSameFiles(result: { cli: Synthesized; script: Synthesized }, stacks: readonly string[]): void {
  expect(result.cli.status, result.cli.output).toBe(0);
  expect(result.script.status, result.script.output).toBe(0);
  // The stale folder is gone and each stack is there (with what else the app writes next to it).
  const files = Object.keys(result.cli.files);
  expect(files).toContain('manifest.json');
  expect(files.filter((f) => f.endsWith('/cdk.tf.json')).sort()).toEqual(
    stacks.map((s) => `stacks/${s}/cdk.tf.json`).sort(),
  );
  expect(files.filter((f) => f.startsWith('stacks/stale/'))).toEqual([]);
  expect(result.script.files).toEqual(result.cli.files);
  // The CLI prints the same line through its terminal renderer (wrapped, with escape codes).
  expect(result.cli.output).toContain('Generated Terraform code for the stacks:');
  expect(generated(result.script.output)?.sort()).toEqual([...stacks].sort());
}

describe('npm run synth writes what cdktf synth writes, byte for byte', () => {
  it('the root cdktf.json (README set-up 1: portal-dev, portal-prod)', () => {
    expectSameFiles(both(repoRoot, {}), ['portal-dev', 'portal-prod']);
  });

  it("the multi-cloud example with this suite's chart-directory context and secrets in TF_VAR_*", () => {
    const dir = projectDir({
      language: 'typescript',
      app: appCommand('examples/multi-cloud/main.ts'),
      sendCrashReports: 'false',
      terraformProviders: [],
      terraformModules: [],
      context: { 'cdktf-backstage:chartDirectory': join(vendorDir, 'charts') },
    });
    const result = both(dir, {
      TF_VAR_dev_oidc_client_secret: 'SENTINEL-parity-oidc',
      TF_VAR_dev_database_password: 'SENTINEL-parity-db',
    });
    // Its stacks, as the committed address list names them.
    const stacks = Object.keys(
      JSON.parse(readFileSync(join(repoRoot, 'test/examples/resource-addresses.json'), 'utf8'))[
        'examples/multi-cloud/main.ts'
      ] as Record<string, unknown>,
    );
    expect(stacks.length).toBeGreaterThan(2);
    expectSameFiles(result, stacks);
  });

  it('the leak fixture with sentinel secrets in TF_VAR_* and plain environment variables', () => {
    const dir = projectDir({ language: 'typescript', app: appCommand('test/security/fixtures/leak-app.ts') });
    const env: Record<string, string> = {};
    for (const name of ['oidc_client_secret', 'cookie_secret', 'database_password', 'ci_bot_token']) {
      env[`TF_VAR_${name}`] = `SENTINEL-${name}`;
      env[name.toUpperCase()] = `SENTINEL-${name}`;
    }
    expectSameFiles(both(dir, env), ['leak']);
  });

  it('an app that reads its context and the relative modules cdktf.json names', () => {
    const dir = projectDir({
      language: 'typescript',
      app: appCommand('test/scripts/fixtures/synth-app.ts'),
      terraformModules: ['./modules/local', 'some/registry-module@1.0.0'],
      context: { 'fixture:setting': 'from-cdktf-json' },
    });
    const result = both(dir, { TF_VAR_secret: 'not-for-synth', FIXTURE_PLAIN: 'plain-value' });
    expectSameFiles(result, ['fixture']);
  });

  it('an app with an error annotation: both print it and fail, leaving the same files', () => {
    const dir = projectDir({ language: 'typescript', app: appCommand('test/scripts/fixtures/synth-app.ts') });
    const result = both(dir, { FIXTURE_MODE: 'annotations' });
    for (const run of [result.cli, result.script]) {
      expect(run.status, run.output).not.toBe(0);
      expect(run.output).toContain('WARN [fixture]: a warning on purpose');
      expect(run.output).toContain('ERROR [fixture]: an error on purpose');
    }
    expect(Object.keys(result.cli.files).sort()).toEqual(['manifest.json', 'stacks/fixture/cdk.tf.json']);
    expect(result.script.files).toEqual(result.cli.files);
  });
});
