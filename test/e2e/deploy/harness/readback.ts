// Read-back helpers: what the API server holds, in the shapes the assertions compare.
import type { Cluster } from './cluster';

/** Deployed Helm releases (Helm keeps each revision as a Secret labelled owner=helm). */
export async function helmReleases(
  cluster: Cluster,
): Promise<Array<{ name: string; namespace: string; status: string; version: number }>> {
  const secrets = await cluster.getJson<{ items: any[] }>(['secrets', '-A', '-l', 'owner=helm']);
  return secrets.items
    .map((s) => ({
      name: s.metadata.labels.name as string,
      namespace: s.metadata.namespace as string,
      status: s.metadata.labels.status as string,
      version: Number(s.metadata.labels.version),
    }))
    .sort((a, b) =>
      `${a.namespace}/${a.name}/${a.version}`.localeCompare(`${b.namespace}/${b.name}/${b.version}`),
    );
}

/** True when the CRD exists and the API server serves it (Established). */
export function established(crd: any): boolean {
  return (crd.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
}

export function condition(object: any, type: string): string | undefined {
  return (object.status?.conditions ?? []).find((c: any) => c.type === type)?.status;
}

/** Secret data, decoded. */
export function decodeSecret(secret: any): Record<string, string> {
  return Object.fromEntries(
    Object.entries((secret.data ?? {}) as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString('utf8'),
    ]),
  );
}

/** Waits until `check` holds, polling; returns its last value. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: still not there after ${timeoutMs / 1000}s; last value: ${JSON.stringify(value).slice(0, 2000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
    value = await read();
  }
  return value;
}

/** The last lines of a command's output, for assertion messages. */
export function tail(output: string, lines = 60): string {
  return output.split('\n').slice(-lines).join('\n');
}
