import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

import { suiteReporters } from './ci-reporters.mjs';

export default defineConfig({
  // The repository root, so paths below read from there (this file lives in test/).
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    ...suiteReporters('unit'),
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Synth tests are CPU-bound and small; two workers match the CI machine.
    pool: 'forks',
    maxWorkers: 2,
    // Importing cdktf, zod and the library took three quarters of the wall time when every
    // file got a fresh module graph. No test keeps state in a module (construct state lives
    // on the construct tree), so the files of one worker share their imports.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
