// `npm run bench`: synthesizes the full portal for 1, 3, 10 and 50 environments with this
// library and with a hand-written baseline (provider barrel import, the same resources by
// hand), several runs each, interleaved, and prints medians and ratios measured in this
// one run, then checks the targets. Each run is a fresh `node` process running compiled
// JavaScript, as a user's `cdktf synth` would.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = resolve(__dirname, '../..');
// Compiled apps live inside the package, so 'cdktf-backstage' resolves to this repo's dist/.
const build = join(root, 'test/bench/.build');
const SIZES = [1, 3, 10, 50];
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const VARIANTS = ['library', 'baseline'] as const;
type Variant = (typeof VARIANTS)[number];

interface Sample {
  readonly wallMs: number;
  readonly rssMb: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function runApp(variant: Variant, size: number): Sample {
  const outdir = mkdtempSync(join(tmpdir(), `bench-${variant}-${size}-`));
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(build, `${variant}-app.js`), outdir, String(size)], {
    cwd: root,
    encoding: 'utf8',
  });
  const wallMs = performance.now() - started;
  rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) {
    throw new Error(`${variant} app with ${size} environments failed:\n${result.stderr}`);
  }
  const report = JSON.parse(result.stdout.trim().split('\n').pop()!) as { maxRssKb: number };
  return { wallMs, rssMb: report.maxRssKb / 1024 };
}

/** Median time and RSS growth of requiring `module` in a fresh process after cdktf itself. */
function loadCost(module: string): { ms: number; rssMb: number } {
  const script = `
    require('cdktf');
    const rss = process.memoryUsage().rss, t = process.hrtime.bigint();
    require(${JSON.stringify(module)});
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    process.stdout.write(JSON.stringify({ ms, rssMb: (process.memoryUsage().rss - rss) / 2 ** 20 }));`;
  const runs = Array.from(
    { length: RUNS },
    () =>
      JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })) as {
        ms: number;
        rssMb: number;
      },
  );
  return { ms: median(runs.map((r) => r.ms)), rssMb: median(runs.map((r) => r.rssMb)) };
}

// The cdktf CLI is the deploy suite's package (bash test/e2e/deploy/setup.sh installs it); the
// root's `npm run synth` runs the same app the same way without it.
const cdktfCli = join(root, 'test/e2e/deploy/node_modules/.bin/cdktf');

function synthMs(command: string, args: readonly string[]): number {
  const started = performance.now();
  execFileSync(command, [...args], {
    cwd: root,
    stdio: 'pipe',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  return performance.now() - started;
}

function main(): void {
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
  );
  console.log(`runs per cell: ${RUNS} (medians; BENCH_RUNS changes it)\n`);
  // The library side runs the published build (dist/, bundled), as users get it.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'test/bench/tsconfig.json')], {
    stdio: 'inherit',
  });

  const samples = new Map<string, Sample[]>();
  // Interleave variants and sizes so background load hits both sides alike.
  for (let run = 0; run < RUNS; run++) {
    for (const size of SIZES) {
      for (const variant of run % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
        const key = `${variant}:${size}`;
        samples.set(key, [...(samples.get(key) ?? []), runApp(variant, size)]);
      }
    }
  }
  const cell = (variant: Variant, size: number) => {
    const s = samples.get(`${variant}:${size}`)!;
    return { wallMs: median(s.map((x) => x.wallMs)), rssMb: median(s.map((x) => x.rssMb)) };
  };

  const rows = SIZES.map((size) => {
    const lib = cell('library', size);
    const base = cell('baseline', size);
    return { size, lib, base, speedup: base.wallMs / lib.wallMs, memory: lib.rssMb / base.rssMb };
  });
  const pad = (s: string, n: number) => s.padStart(n);
  console.log(
    `${pad('envs', 5)} | ${pad('library wall', 13)} | ${pad('library RSS', 12)} | ${pad('baseline wall', 14)} | ${pad('baseline RSS', 13)} | ${pad('speed-up', 9)} | ${pad('RSS ratio', 9)}`,
  );
  for (const r of rows) {
    console.log(
      `${pad(String(r.size), 5)} | ${pad(`${r.lib.wallMs.toFixed(0)} ms`, 13)} | ${pad(`${r.lib.rssMb.toFixed(0)} MB`, 12)} | ${pad(`${r.base.wallMs.toFixed(0)} ms`, 14)} | ${pad(`${r.base.rssMb.toFixed(0)} MB`, 13)} | ${pad(`${r.speedup.toFixed(2)}x`, 9)} | ${pad(r.memory.toFixed(2), 9)}`,
    );
  }

  const at = (size: number) => rows.find((r) => r.size === size)!;
  const perEnvLib = (at(50).lib.wallMs - at(3).lib.wallMs) / 47;
  const perEnvBase = (at(50).base.wallMs - at(3).base.wallMs) / 47;
  console.log(
    `\ncost of each environment past the third: library ${perEnvLib.toFixed(1)} ms, baseline ${perEnvBase.toFixed(1)} ms`,
  );

  console.log('\nload cost after cdktf (fresh process, median):');
  const bundle = join(root, 'dist/index.js');
  for (const [label, module] of [
    ['provider barrel @cdktf/provider-kubernetes', '@cdktf/provider-kubernetes'],
    ['one deep import (lib/deployment-v1)', '@cdktf/provider-kubernetes/lib/deployment-v1'],
    [`this library (dist/index.js, ${(statSync(bundle).size / 1024).toFixed(0)} KB)`, bundle],
  ] as const) {
    const cost = loadCost(module);
    console.log(`  ${label}: ${cost.ms.toFixed(0)} ms, +${cost.rssMb.toFixed(0)} MB RSS`);
  }

  const synthRuns = Array.from({ length: 3 }, () =>
    synthMs(process.execPath, [join(root, 'scripts/synth.mjs')]),
  );
  console.log(
    `npm run synth of examples/portal (2 stacks, tsx included), median of 3: ${median(synthRuns).toFixed(0)} ms`,
  );
  if (existsSync(cdktfCli)) {
    const cliRuns = Array.from({ length: 3 }, () => synthMs(cdktfCli, ['synth']));
    console.log(
      `cdktf synth (cdktf-cli) of examples/portal (2 stacks, CLI + tsx included), median of 3: ${median(cliRuns).toFixed(0)} ms`,
    );
  } else {
    console.log(
      'cdktf synth (cdktf-cli): not measured, the CLI is not installed (bash test/e2e/deploy/setup.sh installs it)',
    );
  }
  console.log(
    'no-change plan per stack: not measured here (needs the kubernetes provider binary, which this machine cannot build yet)',
  );

  const targets: Array<[string, boolean]> = [
    [`3 environments in <= 500 ms wall (${at(3).lib.wallMs.toFixed(0)} ms)`, at(3).lib.wallMs <= 500],
    [`3 environments in <= 150 MB peak RSS (${at(3).lib.rssMb.toFixed(0)} MB)`, at(3).lib.rssMb <= 150],
    [`50 environments in <= 250 MB peak RSS (${at(50).lib.rssMb.toFixed(0)} MB)`, at(50).lib.rssMb <= 250],
    [`each environment past the third <= 20 ms (${perEnvLib.toFixed(1)} ms)`, perEnvLib <= 20],
    [`>= 3x faster than the baseline at 1 environment (${at(1).speedup.toFixed(2)}x)`, at(1).speedup >= 3],
    [`>= 3x faster than the baseline at 3 environments (${at(3).speedup.toFixed(2)}x)`, at(3).speedup >= 3],
    [
      `faster than the baseline at every size (${rows.map((r) => `${r.speedup.toFixed(2)}x`).join(', ')})`,
      rows.every((r) => r.speedup > 1),
    ],
  ];
  console.log('\ntargets:');
  for (const [label, ok] of targets) {
    console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${label}`);
  }
  process.exitCode = targets.every(([, ok]) => ok) ? 0 : 1;
}

main();
