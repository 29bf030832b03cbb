// CI sets CI_TEST_RESULTS to collect a JSON summary of each suite next to its normal output,
// so it can run the README's commands unchanged and still print one closing count. Every
// suite's vitest config spreads this into its `test` block.
export function suiteReporters(suite: string, console: 'default' | 'verbose' = 'default') {
  const results = process.env.CI_TEST_RESULTS;
  return results
    ? { reporters: [console, 'json'], outputFile: { json: `${results}/${suite}.json` } }
    : { reporters: [console] };
}
