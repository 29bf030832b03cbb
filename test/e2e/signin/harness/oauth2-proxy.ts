// oauth2-proxy (built from its Go module) started with exactly the container args, env and
// mounted files of the synthesized Deployment. Loopback-only rewrites, all listed here:
//  - mount paths (ConfigMap and Secret volumes) → files in the run directory, in the args
//    and in the alpha config's file fields (clientSecretFile);
//  - the alpha config's server/metricsServer bindAddress (0.0.0.0:<port>) → 127.0.0.1:<free port>;
//  - in the request path (F5 flavour): the upstream `http://<service>.<ns>.svc.cluster.local:<port>`
//    → the loopback address of that Service (Terraform references in it resolved first);
//  - env `valueFrom.secretKeyRef` → the test's secret values (what the kubelet does);
//  - SSL_CERT_FILE=<test CA> so Go trusts the loopback IdP and machine issuer (in a
//    cluster the IdP has a publicly trusted certificate; the alpha config is left as is);
//    a synthesized SSL_CERT_DIR (trustedCa) is kept, its mount paths mapped: Go reads both.
//    Not the Redis server's CA: that one reaches oauth2-proxy only as the synthesized
//    Secret volume and --redis-ca-path (SessionStore.redis({ ca })), as in a cluster.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse, stringify } from 'yaml';

import { configMapVolumeFiles, Json, list, one, resolve, resourceAt } from './portal';
import { freePort, Started, startProcess, waitFor } from './processes';

export interface Oauth2ProxyPlan {
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly alphaConfig: Json;
  readonly port: number;
  readonly metricsPort: number;
}

export interface RunningOauth2Proxy {
  readonly port: number;
  readonly plan: Oauth2ProxyPlan;
  readonly proc: Started;
  stop(): Promise<void>;
}

type SecretValues = Record<string, Record<string, string>>;

/** Reads the gateway Deployment and lays its volumes out under `dir`. */
export async function planOauth2Proxy(
  json: Json,
  dir: string,
  secrets: SecretValues,
  caFile: string,
  /** "<service>:<port>" → "127.0.0.1:<port>", for the upstreams of the request-path mode. */
  services?: ReadonlyMap<string, string>,
  /** Which oauth2-proxy Deployment: the people's (default) or the machine entry's (`Gateway/Machines/Deployment`). */
  deploymentPath = 'Gateway/Deployment',
): Promise<Oauth2ProxyPlan> {
  const deployment = resourceAt(json, 'kubernetes_deployment_v1', deploymentPath);
  const pod = one(one(one(deployment.spec).template).spec);
  const containers = list(pod.container);
  if (containers.length !== 1)
    throw new Error(`expected one oauth2-proxy container, got ${containers.length}`);
  const container = containers[0];

  // Volumes → local directories.
  const volumes = new Map<string, string>();
  for (const volume of list(pod.volume)) {
    const local = join(dir, 'volumes', volume.name);
    mkdirSync(local, { recursive: true });
    if (volume.config_map) {
      const data = configMapVolumeFiles(json, one(volume.config_map));
      for (const [file, content] of Object.entries(data)) writeFileSync(join(local, file), content);
    } else if (volume.secret) {
      const secret = one(volume.secret);
      const values = secrets[resolve(json, secret.secret_name)];
      if (!values) throw new Error(`no test value for Secret ${secret.secret_name}`);
      const items = list(secret.items);
      for (const item of items.length ? items : Object.keys(values).map((key) => ({ key, path: key }))) {
        const value = values[item.key];
        if (value === undefined)
          throw new Error(`no test value for Secret ${secret.secret_name} key ${item.key}`);
        writeFileSync(join(local, item.path), value, { mode: 0o600 });
      }
    } else {
      throw new Error(`volume kind of ${volume.name} not emulated`);
    }
    volumes.set(volume.name, local);
  }
  // Mount paths, longest first so nested mounts win.
  const mounts = list(container.volume_mount)
    .map((m: any) => ({ path: String(m.mount_path).replace(/\/+$/, ''), local: volumes.get(m.name)! }))
    .sort((a: any, b: any) => b.path.length - a.path.length);
  const mapPath = (p: string) => {
    const m = mounts.find((mount: any) => p === mount.path || p.startsWith(`${mount.path}/`));
    return m ? m.local + p.slice(m.path.length) : p;
  };

  // The alpha config, as mounted, with loopback rewrites.
  const alphaArg = list(container.args).find((a: string) => a.startsWith('--alpha-config='));
  if (!alphaArg) throw new Error('oauth2-proxy runs without --alpha-config');
  const alphaPath = mapPath(alphaArg.slice('--alpha-config='.length));
  const alphaConfig = parse((await import('node:fs')).readFileSync(alphaPath, 'utf8'));
  const port = await freePort();
  const metricsPort = await freePort();
  if (!alphaConfig.server?.bindAddress) throw new Error('alpha config has no server.bindAddress');
  alphaConfig.server.bindAddress = `127.0.0.1:${port}`;
  if (alphaConfig.metricsServer?.bindAddress)
    alphaConfig.metricsServer.bindAddress = `127.0.0.1:${metricsPort}`;
  for (const upstream of alphaConfig.upstreamConfig?.upstreams ?? []) {
    if (typeof upstream.uri !== 'string' || !services) continue;
    const url = new URL(String(resolve(json, upstream.uri)));
    const m = /^([a-z0-9-]+)\.[a-z0-9-]+\.svc\.cluster\.local$/.exec(url.hostname);
    const local = m ? services.get(`${m[1]}:${url.port || '80'}`) : undefined;
    if (!local) throw new Error(`oauth2-proxy upstream ${upstream.uri} does not name a Service of the stack`);
    upstream.uri = `${url.protocol}//${local}${url.pathname === '/' ? '' : url.pathname}`;
  }
  for (const provider of alphaConfig.providers ?? []) {
    for (const key of ['clientSecretFile']) {
      if (typeof provider[key] === 'string') provider[key] = mapPath(provider[key]);
    }
  }
  writeFileSync(alphaPath, stringify(alphaConfig));

  const args = list(container.args).map((arg: string) => {
    const eq = arg.indexOf('=');
    return eq > 0 && arg.slice(eq + 1).startsWith('/')
      ? `${arg.slice(0, eq + 1)}${mapPath(arg.slice(eq + 1))}`
      : arg;
  });

  const env: Record<string, string> = { SSL_CERT_FILE: caFile };
  for (const e of list(container.env)) {
    if (e.value !== undefined) {
      // SSL_CERT_DIR (trustedCa) names mounted directories: their local copies.
      env[e.name] =
        e.name === 'SSL_CERT_DIR' ? String(e.value).split(':').map(mapPath).join(':') : String(e.value);
    } else if (e.value_from) {
      const ref = one(one(e.value_from).secret_key_ref);
      const value = secrets[resolve(json, ref.name)]?.[ref.key];
      if (value === undefined)
        throw new Error(`no test value for Secret ${ref.name} key ${ref.key} (env ${e.name})`);
      env[e.name] = value;
    }
  }
  return { args, env, alphaConfig, port, metricsPort };
}

export async function startOauth2Proxy(
  binary: string,
  plan: Oauth2ProxyPlan,
  logFile: string,
): Promise<RunningOauth2Proxy> {
  // Only PATH/HOME from the parent: no OAUTH2_PROXY_* of the caller leaks into the test.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...plan.env };
  const proc = startProcess('oauth2-proxy', binary, plan.args, { env, logFile });
  await waitFor(
    'oauth2-proxy /ready',
    async () => (await fetch(`http://127.0.0.1:${plan.port}/ready`)).ok,
    proc,
    30_000,
  );
  return { port: plan.port, plan, proc, stop: () => proc.stop() };
}
