// Benchmark (not a test): latency and throughput of one authenticated request through
// nginx to Backstage, with the auth subrequest to oauth2-proxy uncached (the library's
// default) and cached (ingress authCacheDuration), next to the same request with no auth
// in front (the same Ingress without its auth-* annotations). One run, bounded request
// counts, loopback only.
//
//   npx tsx test/e2e/signin/bench.ts [--requests 2000] [--concurrency 8] [--path /catalog]
//
// Needs what the sign-in test needs (bash test/e2e/signin/setup.sh).
import { chmodSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { INGRESS_NGINX_PREFIX } from '../../../lib';
import { HttpClient } from './harness/http';
import { USERS } from './harness/idp';
import { startNginx } from './harness/nginx';
import { SECRETS } from './harness/portal';
import { startStack } from './harness/stack';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const REQUESTS = Math.min(Number(option('requests', '2000')), 20_000);
const CONCURRENCY = Math.min(Number(option('concurrency', '8')), 64);
const WARMUP = Math.min(200, REQUESTS);
const PATH = option('path', '/catalog');

interface Result {
  readonly name: string;
  readonly p50: number;
  readonly p99: number;
  readonly rps: number;
}

async function measure(
  name: string,
  client: HttpClient,
  url: string,
  cookie: string,
  n: number,
): Promise<Result> {
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (issued < n) {
        issued++;
        const t = performance.now();
        const res = await client.request(url, { headers: { cookie }, cookies: false });
        if (res.status !== 200) throw new Error(`${name}: ${url} answered ${res.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { name, p50: at(0.5), p99: at(0.99), rps: n / seconds };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const stack = await startStack();
  try {
    console.log(`stack up in ${((performance.now() - t0) / 1000).toFixed(1)} s (run dir ${stack.runDir})`);
    const cached = await stack.nginxFor({ authCacheDuration: '1m' });
    // The same Ingresses with every auth-* annotation removed: nginx → Backstage only.
    const noAuthIngresses = stack.ingresses.map((i) => ({
      ...i,
      annotations: Object.fromEntries(
        Object.entries(i.annotations).filter(([k]) => !k.startsWith(`${INGRESS_NGINX_PREFIX}/auth-`)),
      ),
    }));
    const dir = mkdtempSync(join(stack.runDir, 'nginx-noauth-'));
    chmodSync(dir, 0o755);
    const upstreams = new Map<string, string>([
      ['backstage:7007', `127.0.0.1:${stack.backstage.port}`],
      ['oauth2-proxy:4180', `127.0.0.1:${stack.oauth2Proxy.port}`],
    ]);
    const noAuth = await startNginx(noAuthIngresses, {
      dir,
      upstreams,
      tlsSecrets: new Map([[SECRETS.tls, stack.pki.issue('portal-bench', [stack.host])]]),
    });

    // One signed-in user; the same session cookie for every variant.
    const signIn = stack.client();
    const chain = await signIn.signIn(USERS.alice.email, USERS.alice.password);
    if (chain.at(-1)!.status !== 200) throw new Error('sign-in failed');
    const cookie = signIn.cookieHeader();
    signIn.close();

    const endpoints = { host: stack.host, caFile: stack.pki.caFile };
    const variants: Array<{ name: string; client: HttpClient }> = [
      {
        name: 'no auth in front',
        client: new HttpClient(
          { ...endpoints, httpsPort: noAuth.plan.httpsPort, httpPort: noAuth.plan.httpPort },
          { keepAlive: true },
        ),
      },
      {
        name: 'auth, no cache (default)',
        client: new HttpClient(
          { ...endpoints, httpsPort: stack.nginx.plan.httpsPort, httpPort: stack.nginx.plan.httpPort },
          { keepAlive: true },
        ),
      },
      {
        name: 'auth, cache 1m',
        client: new HttpClient(
          { ...endpoints, httpsPort: cached.nginx.plan.httpsPort, httpPort: cached.nginx.plan.httpPort },
          { keepAlive: true },
        ),
      },
    ];
    const url = `https://${stack.host}${PATH}`;
    for (const v of variants) await measure(v.name, v.client, url, cookie, WARMUP);
    // Rounds in turn (A B C, C B A, A B C), so warm-up and drift hit every variant alike;
    // each variant's figures are the median of its rounds.
    const rounds: Result[][] = variants.map(() => []);
    const orders = [
      [0, 1, 2],
      [2, 1, 0],
      [0, 1, 2],
    ];
    for (const order of orders) {
      for (const i of order)
        rounds[i]!.push(
          await measure(
            variants[i]!.name,
            variants[i]!.client,
            url,
            cookie,
            Math.ceil(REQUESTS / orders.length),
          ),
        );
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const results: Result[] = rounds.map((rs, i) => ({
      name: variants[i]!.name,
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      rps: median(rs.map((r) => r.rps)),
    }));
    for (const v of variants) v.client.close();

    const base = results[0]!;
    console.log(
      `\nGET ${PATH} as alice, ${REQUESTS} requests per variant in ${orders.length} rounds (medians), ${CONCURRENCY} concurrent, keep-alive HTTPS, loopback`,
    );
    console.log('variant                     p50 ms   p99 ms    req/s   p50 ×    p99 ×   req/s ×');
    for (const r of results) {
      console.log(
        `${r.name.padEnd(26)} ${r.p50.toFixed(2).padStart(7)} ${r.p99.toFixed(2).padStart(8)} ${r.rps.toFixed(0).padStart(8)} ${(r.p50 / base.p50).toFixed(2).padStart(6)} ${(r.p99 / base.p99).toFixed(2).padStart(7)} ${(r.rps / base.rps).toFixed(2).padStart(8)}`,
      );
    }
    await noAuth.stop();
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
