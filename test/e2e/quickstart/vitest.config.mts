import { defineConfig } from 'vitest/config';

import { suiteReporters } from '../../ci-reporters.mjs';

// The README's quick start, run as written against the package as published: `npm pack` of
// this repository, then every quick-start block in an empty folder against the npm registry
// (cdktf-cli and its ~565 packages included, as a user installs them). It takes a minute or
// more where the unit suite takes seconds, so it is a suite of its own, not part of `npm test`
// (the root config excludes test/e2e/**). Run: npm run test:quickstart.
export default defineConfig({
  test: {
    ...suiteReporters('quickstart'),
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/e2e/quickstart/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 600_000,
  },
});
