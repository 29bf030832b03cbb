// scripts/synth.mjs (`npm run synth`, README set-up 1) runs a cdktf app the way `cdktf synth`
// does, without cdktf-cli. These tests run it as a reader would, in a directory with its own
// cdktf.json, and check what the app is handed and what the script makes of its output. That it
// writes the very bytes cdktf-cli writes is the deploy suite's check (it installs the CLI):
// test/e2e/deploy/synth-parity.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const script = join(root, 'scripts/synth.mjs');
const tsx = join(root, 'node_modules/tsx/dist/cjs/index.cjs');
const fixtureApp = `node --require ${tsx} ${join(__dirname, 'fixtures/synth-app.ts')}`;

interface Run {
  readonly status: number | null;
  readonly output: string;
  readonly dir: string;
}

function synth(
  config: Record<string, unknown> | undefined,
  env: Record<string, string> = {},
  args: string[] = [],
  prepare?: (dir: string) => void,
): Run {
  const dir = mkdtempSync(join(tmpdir(), 'synth-script-'));
  if (config) writeFileSync(join(dir, 'cdktf.json'), JSON.stringify(config));
  prepare?.(dir);
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => key !== 'NODE_OPTIONS' && !key.startsWith('TF_VAR_')),
  );
  const result = spawnSync(process.execPath, [script, ...args], {
    cwd: dir,
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, output: result.stdout + result.stderr, dir };
}

type Json = Record<string, any>;
const stackJson = (dir: string, stack = 'fixture'): Json =>
  JSON.parse(readFileSync(join(dir, 'cdktf.out/stacks', stack, 'cdk.tf.json'), 'utf8'));
const seen = (dir: string): Json => JSON.parse(stackJson(dir).output.seen.value);

describe('npm run synth (scripts/synth.mjs)', () => {
  it("synthesizes the repository's own cdktf.json app (README set-up 1) into the output directory", () => {
    const out = mkdtempSync(join(tmpdir(), 'synth-root-'));
    const result = spawnSync(process.execPath, [script, '--output', out], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('Generated Terraform code for the stacks: portal-dev, portal-prod');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['portal-dev', 'portal-prod']);
    for (const stack of ['portal-dev', 'portal-prod']) {
      const json = JSON.parse(readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      expect(Object.keys(json.resource).length).toBeGreaterThan(5);
    }
  });

  it('hands the app what cdktf synth does: no TF_VAR_*, the context, the out dir, continue-on-annotation', () => {
    const run = synth(
      {
        app: fixtureApp,
        context: { 'fixture:setting': 'from-cdktf-json' },
        terraformModules: ['./modules/local', 'some/registry-module@1.0.0'],
      },
      { TF_VAR_secret: 'not-for-synth', FIXTURE_PLAIN: 'plain-value' },
      [],
      // The bindings `cdktf get` generates for the modules (none are imported here).
      (dir) => mkdirSync(join(dir, '.gen')),
    );
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain('Generated Terraform code for the stacks: fixture');
    expect(seen(run.dir)).toEqual({
      tfVarVisible: [],
      plain: 'plain-value',
      nodeOptions: '--max-old-space-size=4096',
      continueOnErrorAnnotations: 'true',
      hcl: 'false',
      context: 'from-cdktf-json',
      relativeModules: ['./modules/local'],
    });
  });

  it("leaves the caller's NODE_OPTIONS alone and takes --app and --output over cdktf.json", () => {
    const run = synth({ app: 'exit 7', output: 'never-written' }, { NODE_OPTIONS: '--no-warnings' }, [
      '--app',
      fixtureApp,
      '--output=elsewhere',
    ]);
    expect(run.status, run.output).toBe(0);
    expect(existsSync(join(run.dir, 'never-written'))).toBe(false);
    const json = JSON.parse(readFileSync(join(run.dir, 'elsewhere/stacks/fixture/cdk.tf.json'), 'utf8'));
    expect(JSON.parse(json.output.seen.value).nodeOptions).toBe('--no-warnings');
  });

  it('prints every annotation and fails on an error annotation', () => {
    const run = synth({ app: fixtureApp }, { FIXTURE_MODE: 'annotations' });
    expect(run.status).toBe(1);
    expect(run.output).toContain('WARN [fixture]: a warning on purpose');
    expect(run.output).toContain('ERROR [fixture]: an error on purpose');
    expect(run.output).toContain('synth: 1 error annotation(s) while synthesizing (see above)');
    expect(run.output).not.toContain('Generated Terraform code');
  });

  it('deletes stack folders from an earlier synth that the app no longer has, and keeps the rest', () => {
    const run = synth({ app: fixtureApp }, {}, [], (dir) => {
      mkdirSync(join(dir, 'cdktf.out/stacks/renamed-away'), { recursive: true });
      writeFileSync(join(dir, 'cdktf.out/stacks/renamed-away/cdk.tf.json'), '{}');
    });
    expect(run.status, run.output).toBe(0);
    expect(existsSync(join(run.dir, 'cdktf.out/stacks/renamed-away'))).toBe(false);
    expect(existsSync(join(run.dir, 'cdktf.out/stacks/fixture/cdk.tf.json'))).toBe(true);
  });

  it('refuses a directory without cdktf.json, an unknown argument, missing bindings, a failing app and an app that never synthesizes', () => {
    const none = synth(undefined);
    expect(none.status).toBe(1);
    expect(none.output).toContain(`synth: no cdktf.json in ${none.dir}: run it in a cdktf project directory`);

    const unknown = synth({ app: fixtureApp }, {}, ['--hcl']);
    expect(unknown.status).toBe(1);
    expect(unknown.output).toContain('synth: unknown argument --hcl');

    const ungot = synth({ app: fixtureApp, terraformProviders: ['hashicorp/random@3.6.0'] });
    expect(ungot.status).toBe(1);
    expect(ungot.output).toContain(
      'synth: cdktf.json lists providers or modules and .gen does not exist: run "cdktf get" first',
    );

    const failing = synth({ app: fixtureApp }, { FIXTURE_MODE: 'throw' });
    expect(failing.status).toBe(1);
    expect(failing.output).toContain('fixture app failed on purpose');
    expect(failing.output).toContain(`synth: the app command failed (1): ${fixtureApp}`);

    const silent = synth({ app: fixtureApp }, { FIXTURE_MODE: 'no-synth' });
    expect(silent.status).toBe(1);
    expect(silent.output).toContain(
      'synth: the app did not write cdktf.out/manifest.json: it must call app.synth()',
    );
  });
});
