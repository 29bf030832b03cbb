// oauth2-proxy and ingress-nginx read durations the way Go's time.ParseDuration does.
// We only need the units people write in configs (s, m, h) to compare two durations.
// Prometheus (and the Prometheus Operator's CRDs) write theirs with whole numbers and units
// from years down to milliseconds.

const PART = /(\d+(?:\.\d+)?)(h|m|s)/g;
const SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1 };

/** Seconds in a duration like "1h30m", or undefined if it is not one. */
export function parseDuration(value: string): number | undefined {
  if (!/^(\d+(?:\.\d+)?(h|m|s))+$/.test(value)) {
    return undefined;
  }
  let total = 0;
  for (const match of value.matchAll(PART)) {
    total += Number(match[1]) * (SECONDS[match[2] as string] as number);
  }
  return total;
}

const PROMETHEUS_UNIT_MS: Record<string, number> = {
  y: 31_536_000_000,
  w: 604_800_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

/** Milliseconds in a Prometheus duration such as "1m30s" (one its pattern admits). */
export function prometheusDurationMs(value: string): number {
  let total = 0;
  for (const [, n, unit] of value.matchAll(/([0-9]+)(ms|y|w|d|h|m|s)/g)) {
    total += Number(n) * (PROMETHEUS_UNIT_MS[unit as string] as number);
  }
  return total;
}
