// npm run bench:deploy [-- --cold]: the figures of the deploy test bed, measured in one run.
//
// - The tool build: with --cold, build-tools.sh runs against empty caches (its own tools
//   cache, Go build cache and module cache in a temporary directory) and is timed; without
//   it, the build times build-tools.sh recorded when it last built each tool are shown.
// - The warm suite run: `npm run test:e2e` end to end (tools cached; the engines' scenarios
//   run side by side), timed.
// - Per engine and stack: the resource count and the time of the first plan, the deploy
//   (cdktf deploy: init, plan and apply), the no-change plan and the destroy, as the suite
//   recorded them while it ran.
// Numbers, not pass/fail: nothing here is a test.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const toolsDir = process.env.CDKTF_BACKSTAGE_TOOLS ?? join(homedir(), '.cache/cdktf-backstage/tools');
const cold = process.argv.includes('--cold');

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function buildTimes(file: string): Array<{ tool: string; seconds: number; at: string }> {
  if (!existsSync(file)) return [];
  const last = new Map<string, { tool: string; seconds: number; at: string }>();
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const [at, tool, secs] = line.split('\t');
    last.set(tool!, { tool: tool!, seconds: Number(secs), at: at! });
  }
  return [...last.values()];
}

console.log(
  `== machine: ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores, node ${process.version}`,
);

if (cold) {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-cold-tools-'));
  const env = {
    ...process.env,
    CDKTF_BACKSTAGE_TOOLS: join(scratch, 'tools'),
    GOCACHE: join(scratch, 'gocache'),
    GOMODCACHE: join(scratch, 'gomodcache'),
  };
  console.log(`== cold tool build (empty caches in ${scratch})`);
  const start = process.hrtime.bigint();
  const result = spawnSync('bash', [join(root, 'test/e2e/tools/build-tools.sh')], { env, stdio: 'inherit' });
  const total = seconds(start);
  if (result.status !== 0) process.exit(result.status ?? 1);
  console.log(`cold tool build: ${total.toFixed(0)} s in all`);
  for (const t of buildTimes(join(scratch, 'tools/build-times.tsv')))
    console.log(`  ${t.tool.padEnd(40)} ${t.seconds} s`);
} else {
  const times = buildTimes(join(toolsDir, 'build-times.tsv'));
  console.log(
    `== tool build times recorded in ${toolsDir}/build-times.tsv (each tool's last build; --cold measures afresh)`,
  );
  for (const t of times) console.log(`  ${t.tool.padEnd(40)} ${String(t.seconds).padStart(5)} s   (${t.at})`);
  console.log(`  ${'sum'.padEnd(40)} ${String(times.reduce((n, t) => n + t.seconds, 0)).padStart(5)} s`);
}

console.log('== warm suite run: npm run test:e2e');
const timingsDir = mkdtempSync(join(tmpdir(), 'bench-deploy-'));
const start = process.hrtime.bigint();
const suite = spawnSync('npm', ['run', 'test:e2e'], {
  cwd: root,
  env: { ...process.env, E2E_TIMINGS_DIR: timingsDir },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const suiteSeconds = seconds(start);
console.log(`warm suite run: ${suiteSeconds.toFixed(0)} s (exit ${suite.status})`);
type Timing = { engine: string; stack: string; step: string; seconds: number; resources?: number };
const timings = readdirSync(timingsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((f) => JSON.parse(readFileSync(join(timingsDir, f), 'utf8')) as Timing[]);
if (timings.length === 0) {
  console.log('the suite wrote no timings');
  process.exit(1);
}
const steps = ['plan', 'deploy', 'no-change plan', 'destroy'];
console.log('== per stack (seconds; deploy = cdktf deploy: init, plan, apply)');
console.log(
  `${'engine'.padEnd(18)} ${'stack'.padEnd(14)} ${'resources'.padStart(9)} ${steps.map((s) => s.padStart(15)).join('')}`,
);
const keys = [...new Set(timings.map((t) => `${t.engine}|${t.stack}`))];
for (const key of keys) {
  const [engine, stack] = key.split('|') as [string, string];
  const rows = timings.filter((t) => t.engine === engine && t.stack === stack);
  const cell = (step: string) => {
    const found = rows.find((r) => r.step === step);
    return (found ? found.seconds.toFixed(1) : '-').padStart(15);
  };
  console.log(
    `${engine.padEnd(18)} ${stack.padEnd(14)} ${String(rows[0]?.resources ?? '-').padStart(9)} ${steps.map(cell).join('')}`,
  );
}
const other = timings.filter((t) => !steps.includes(t.step));
if (other.length > 0) {
  console.log('== change steps (seconds)');
  for (const t of other)
    console.log(
      `  ${t.engine.padEnd(18)} ${t.stack.padEnd(14)} ${t.step.padEnd(30)} ${t.seconds.toFixed(1)}`,
    );
}
process.exit(suite.status ?? 1);
