import { defineConfig } from 'vitest/config';

import { suiteReporters } from '../../ci-reporters.mjs';

// The deploy suite: the real cdktf CLI applies the example stacks to a real Kubernetes API
// server (test/e2e/cluster/cluster.sh) with the real providers and charts. Not part of
// `npm test`. Run: npm run test:e2e (it builds or reuses the tools first).
export default defineConfig({
  test: {
    // verbose: each step is printed when it ends (a run takes minutes).
    ...suiteReporters('deploy', 'verbose'),
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/e2e/deploy/**/*.test.ts'],
    // One file per engine, each with a cluster of its own: the two run side by side, one
    // core each.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    // One step of a scenario is one cdktf deploy, destroy or plan against the cluster.
    testTimeout: 900_000,
    hookTimeout: 600_000,
    // Within a file the steps run in order; a failed step leaves the next ones meaningless,
    // they still run and report.
    sequence: { concurrent: false },
  },
});
