// The Backstage backend started as the synthesized Deployment runs it:
// `node packages/backend --config <image files> --config /etc/backstage/app-config.portal.yaml`
// with the Deployment's env (NODE_OPTIONS with the max header size). Loopback-only rewrites:
//  - `packages/backend` → harness/backstage-backend.cjs, the image's working directory →
//    fixtures/backstage (its app-config.yaml holds the catalog location with the users);
//  - each ConfigMap volume → a directory in the run directory, written the way the kubelet
//    writes it (files are symlinks into `..data`, a symlink to a timestamped directory that
//    an update swaps atomically), so a changed ConfigMap reaches the process as in a pod;
//    mount paths named in the mounted files (the static org's catalog location, the RBAC
//    policy files) point at those directories;
//  - one more --config, last, with backend.listen = 127.0.0.1:<free port> (7007 in the pod);
//  - NODE_EXTRA_CA_CERTS=<test CA>, so Backstage trusts the loopback machine-token JWKS.
// The database is the library's BackstageDatabase.sqliteInMemory() config, unchanged.
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';

import { stringify } from 'yaml';

import { configMapVolumeFiles, Json, list, one, resolve, resourceAt } from './portal';
import { freePort, Started, startProcess, waitFor } from './processes';

export const FIXTURE_DIR = resolvePath(__dirname, '..', 'fixtures', 'backstage');
const ENTRY = resolvePath(__dirname, 'backstage-backend.cjs');

export interface BackstagePlan {
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly port: number;
  /** The synthesized app-config (the ConfigMap's YAML). */
  readonly appConfigYaml: string;
  /** Each ConfigMap volume: the ConfigMap's name, its mount path in the pod and its directory here. */
  readonly volumes: ReadonlyArray<{
    readonly configMap: string;
    readonly mountPath: string;
    readonly local: string;
  }>;
}

/**
 * Writes (or updates) a ConfigMap volume as the kubelet's AtomicWriter does: the files into a
 * new timestamped directory, a `..data_tmp` symlink to it renamed over `..data`, one symlink
 * `<file> -> ..data/<file>` per key, then the old directory removed.
 */
export function writeConfigMapVolume(dir: string, data: Record<string, string>): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const stamp = `..${new Date().toISOString().replace(/[-:.TZ]/g, '_')}${randomBytes(4).toString('hex')}`;
  mkdirSync(join(dir, stamp), { mode: 0o755 });
  for (const [file, content] of Object.entries(data)) writeFileSync(join(dir, stamp, file), content);
  const dataLink = join(dir, '..data');
  const previous = existsSync(dataLink) ? readlinkSync(dataLink) : undefined;
  symlinkSync(stamp, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), dataLink);
  for (const file of Object.keys(data))
    if (!existsSync(join(dir, file))) symlinkSync(join('..data', file), join(dir, file));
  if (previous) rmSync(join(dir, previous), { recursive: true, force: true });
  // Keys no longer in the ConfigMap lose their symlink.
  for (const entry of readdirSync(dir)) {
    if (!entry.startsWith('..') && !(entry in data) && lstatSync(join(dir, entry)).isSymbolicLink())
      unlinkSync(join(dir, entry));
  }
}

/** The ConfigMap's files with the pod's mount paths turned into the local directories. */
export function localFiles(
  data: Record<string, string>,
  volumes: BackstagePlan['volumes'],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([file, text]) => [
      file,
      volumes.reduce((t, v) => t.split(`${v.mountPath}/`).join(`${v.local}/`), text),
    ]),
  );
}

export interface RunningBackstage {
  readonly port: number;
  readonly plan: BackstagePlan;
  readonly proc: Started;
  stop(): Promise<void>;
}

export async function planBackstage(
  json: Json,
  dir: string,
  secrets: Record<string, Record<string, string>>,
  caFile: string,
): Promise<BackstagePlan> {
  const deployment = resourceAt(json, 'kubernetes_deployment_v1', 'Backstage/Deployment');
  const pod = one(one(one(deployment.spec).template).spec);
  const container = list(pod.container)[0];
  const mounts = new Map<string, string>();
  let appConfigYaml = '';
  const volumes: Array<{ configMap: string; mountPath: string; local: string }> = [];
  // The volume blocks, for the `items` a volume may pick (trustedCa's key → ca.pem).
  const blocks = new Map<string, Json>();
  for (const mount of list(container.volume_mount)) {
    const volume = list(pod.volume).find((v: any) => v.name === mount.name);
    if (volume?.config_map) {
      if (mount.sub_path)
        throw new Error(`${volume.name} is mounted with subPath: the kubelet never updates such a file`);
      const local = join(dir, 'volumes', volume.name);
      const mountPath = String(mount.mount_path).replace(/\/+$/, '');
      volumes.push({ configMap: String(resolve(json, one(volume.config_map).name)), mountPath, local });
      blocks.set(local, one(volume.config_map));
      mounts.set(mountPath, local);
    }
  }
  for (const v of volumes) {
    const data = configMapVolumeFiles(json, blocks.get(v.local)!);
    if (data['app-config.portal.yaml'] !== undefined) appConfigYaml = data['app-config.portal.yaml'];
    writeConfigMapVolume(v.local, localFiles(data, volumes));
  }
  const mapPath = (p: string) => {
    if (!isAbsolute(p)) return join(FIXTURE_DIR, p);
    for (const [mountPath, local] of mounts)
      if (p.startsWith(`${mountPath}/`)) return local + p.slice(mountPath.length);
    throw new Error(`Backstage reads ${p}, which no volume provides`);
  };
  const args: string[] = list(container.args);
  if (args[0] !== 'node' || args[1] !== 'packages/backend')
    throw new Error(`unexpected Backstage command ${args.join(' ')}`);
  const rest: string[] = [];
  for (let i = 2; i < args.length; i++) {
    if (args[i] === '--config') rest.push('--config', mapPath(args[++i]!));
    else rest.push(args[i]!);
  }
  const port = await freePort();
  const loopback = join(dir, 'app-config.loopback.yaml');
  writeFileSync(
    loopback,
    `# loopback only: where the pod listens on 7007\n${stringify({ backend: { listen: { host: '127.0.0.1', port } } })}`,
  );
  rest.push('--config', loopback);

  // The test CA, unless the synthesis names a bundle of its own (trustedCa), which then
  // replaces it as in the pod: that bundle must hold every CA Backstage needs.
  const env: Record<string, string> = { NODE_EXTRA_CA_CERTS: caFile };
  for (const e of list(container.env)) {
    if (e.value !== undefined)
      env[e.name] = e.name === 'NODE_EXTRA_CA_CERTS' ? mapPath(String(e.value)) : String(e.value);
    else {
      const ref = one(one(e.value_from).secret_key_ref);
      const value = secrets[resolve(json, ref.name)]?.[ref.key];
      if (value === undefined) throw new Error(`no test value for Secret ${ref.name} key ${ref.key}`);
      env[e.name] = value;
    }
  }
  return { argv: [ENTRY, ...rest], env, port, appConfigYaml, volumes };
}

export async function startBackstage(plan: BackstagePlan, logFile: string): Promise<RunningBackstage> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'production',
    ...plan.env,
  };
  const proc = startProcess('backstage', process.execPath, plan.argv, { cwd: FIXTURE_DIR, env, logFile });
  const base = `http://127.0.0.1:${plan.port}`;
  await waitFor(
    'Backstage readiness',
    async () => (await fetch(`${base}/.backstage/health/v1/readiness`)).ok,
    proc,
    120_000,
  );
  return { port: plan.port, plan, proc, stop: () => proc.stop() };
}
