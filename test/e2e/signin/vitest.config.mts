import { defineConfig } from 'vitest/config';

// The sign-in end-to-end test: real nginx, oauth2-proxy, an OIDC provider and Backstage on
// loopback. Not part of `npm test` (the root config excludes test/e2e/**).
// Needs: bash test/e2e/signin/setup.sh (once per machine). Run: npm run test:signin.
// CI sets CI_TEST_RESULTS to collect a JSON summary next to the normal output, so it can
// run the README's command unchanged and still print one closing count.
const results = process.env.CI_TEST_RESULTS;

export default defineConfig({
  test: {
    reporters: results ? ['default', 'json'] : ['default'],
    ...(results ? { outputFile: { json: `${results}/signin.json` } } : {}),
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/e2e/signin/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
