// The environments both bench apps synthesize: N copies of a full portal (in-cluster
// PostgreSQL, ACME certificate, OIDC gateway, ingress), one TerraformStack each.
export interface BenchEnvironment {
  readonly name: string;
  readonly host: string;
}

export function environments(count: number): BenchEnvironment[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `env-${i}`,
    host: `backstage.env-${i}.example.com`,
  }));
}

/** Where the app writes cdktf.out and how many environments it builds, from argv. */
export function benchArgs(): { outdir: string; count: number } {
  const [outdir, count] = process.argv.slice(2);
  if (!outdir || !count) {
    throw new Error('usage: node app.js <outdir> <environments>');
  }
  return { outdir, count: Number(count) };
}

/** Peak RSS of this process, reported to the bench runner on stdout. */
export function reportPeakRss(): void {
  process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }) + '\n');
}
