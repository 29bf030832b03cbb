// oauth2-proxy and ingress-nginx read durations the way Go's time.ParseDuration does.
// We only need the units people write in configs (s, m, h) to compare two durations.

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
