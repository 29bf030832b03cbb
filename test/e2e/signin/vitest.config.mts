import { defineConfig } from 'vitest/config';

import { suiteReporters } from '../../ci-reporters.mjs';

// The sign-in end-to-end test: real nginx, oauth2-proxy, an OIDC provider and Backstage on
// loopback. Not part of `npm test` (the root config excludes test/e2e/**).
// Needs: bash test/e2e/signin/setup.sh (once per machine). Run: npm run test:signin.
export default defineConfig({
  test: {
    ...suiteReporters('signin'),
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/e2e/signin/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
