#!/usr/bin/env node
// `npm run synth`: synthesizes the app that cdktf.json in the current directory names, the way
// `cdktf synth` (cdktf-cli 0.21.0) does, without cdktf-cli: that CLI and its ~500 packages are
// what made the root install take minutes, and synthesizing needs none of them (it only runs the
// app with a few environment variables and reads the manifest back). The deploy suite, which
// installs the real CLI, checks that both write the same bytes (test/e2e/deploy/synth-parity.test.ts).
//
// What it does, step for step as cdktf-cli's SynthStack.synth:
//  - reads cdktf.json (refuses a directory without one); `app` and `output` (default cdktf.out),
//    or --app / --output from the command line; the `context` goes to the app as CDKTF_CONTEXT_JSON
//    (with cdktfRelativeModules, the cdktf.json terraformModules that are relative paths);
//  - runs the app through the shell with the caller's environment minus every TF_VAR_* (variable
//    values are for deploy time, never for synth), CDKTF_OUTDIR, SYNTH_HCL_OUTPUT=false,
//    NODE_OPTIONS=--max-old-space-size=4096 when NODE_OPTIONS is unset, and
//    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS, so the app writes error annotations into the
//    manifest and this script reports them, as the CLI does;
//  - reads <output>/manifest.json, prints every annotation (`LEVEL [path]: message`) and fails on
//    an error annotation or when the app wrote no manifest; also when it holds no stack (there
//    the CLI only logs an error and exits 0, which would let README set-up 1 pass on nothing);
//  - deletes stack folders under <output>/stacks that were there before and are no longer in
//    the manifest (a renamed stack leaves no stale JSON behind).
// No telemetry, no update check, no crash reporting (the CLI's extras around synth).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

function fail(message) {
  console.error(`synth: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg];
    const name = { '--app': 'app', '-a': 'app', '--output': 'output', '-o': 'output' }[flag];
    if (!name) {
      fail(`unknown argument ${arg}: only --app <command> and --output <dir> are supported (use cdktf-cli for the rest)`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') fail(`${flag} needs a value`);
    options[name] = value;
  }
  return options;
}

const configFile = join(process.cwd(), 'cdktf.json');
if (!existsSync(configFile)) {
  fail(`no cdktf.json in ${process.cwd()}: run it in a cdktf project directory`);
}
const config = JSON.parse(readFileSync(configFile, 'utf8'));
const options = parseArgs(process.argv.slice(2));
const app = options.app ?? config.app;
const outdir = options.output ?? config.output ?? 'cdktf.out';
if (typeof app !== 'string' || app === '') fail(`cdktf.json has no "app" command and no --app was given`);

const stacksDir = join(outdir, 'stacks');
const directoriesBefore = existsSync(stacksDir)
  ? readdirSync(stacksDir)
      .map((name) => join(stacksDir, name))
      .filter((path) => statSync(path).isDirectory())
  : [];

const relativeModules = (config.terraformModules ?? []).filter((mod) => {
  const source = typeof mod === 'string' ? mod : mod.source;
  return source.startsWith('./') || source.startsWith('../');
});
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TF_VAR_')));
if (!env.NODE_OPTIONS) env.NODE_OPTIONS = '--max-old-space-size=4096';
// The CLI sets CDKTF_CONTEXT_JSON from cdktf.json's context when it reads the config, over any
// value in the environment; without a context it passes the environment's value on.
const inherited = config.context
  ? config.context
  : process.env.CDKTF_CONTEXT_JSON
    ? JSON.parse(process.env.CDKTF_CONTEXT_JSON)
    : {};
Object.assign(env, {
  CDKTF_OUTDIR: outdir,
  CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true',
  CDKTF_CONTEXT_JSON: JSON.stringify({ ...inherited, cdktfRelativeModules: relativeModules }),
  SYNTH_HCL_OUTPUT: 'false',
});

const run = spawnSync(app, { shell: true, env, stdio: 'inherit' });
if (run.error) fail(`could not run the app command ${app}: ${run.error.message}`);
if (run.status !== 0) {
  fail(`the app command failed (${run.status ?? run.signal}): ${app}`);
}

const manifestFile = join(outdir, 'manifest.json');
if (!existsSync(manifestFile)) {
  fail(`the app did not write ${manifestFile}: it must call app.synth()`);
}
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
const stacks = Object.values(manifest.stacks ?? {});
const levels = { '@cdktf/info': 'INFO', '@cdktf/warn': 'WARN', '@cdktf/error': 'ERROR' };
let errors = 0;
for (const stack of stacks) {
  for (const annotation of stack.annotations ?? []) {
    const level = levels[annotation.level] ?? annotation.level;
    if (level === 'ERROR') errors++;
    console.log(`${level} [${annotation.constructPath}]: ${annotation.message}`);
    if (level === 'ERROR' && annotation.stacktrace) console.log(annotation.stacktrace.join('\n'));
  }
}
if (errors > 0) {
  fail(`${errors} error annotation(s) while synthesizing (see above)`);
}
if (stacks.length === 0) fail('the app synthesized no stack');

const names = new Set(stacks.map((stack) => stack.name));
for (const directory of directoriesBefore) {
  if (!names.has(basename(directory))) rmSync(directory, { recursive: true });
}
console.log(`Generated Terraform code for the stacks: ${stacks.map((stack) => stack.name).join(', ')}`);
