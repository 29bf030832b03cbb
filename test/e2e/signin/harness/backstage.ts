// The Backstage backend started as the synthesized Deployment runs it:
// `node packages/backend --config <image files> --config /etc/backstage/app-config.portal.yaml`
// with the Deployment's env (NODE_OPTIONS with the max header size). Loopback-only rewrites:
//  - `packages/backend` → harness/backstage-backend.cjs, the image's working directory →
//    fixtures/backstage (its app-config.yaml holds the catalog location with the users);
//  - the ConfigMap volume → a file in the run directory;
//  - one more --config, last, with backend.listen = 127.0.0.1:<free port> (7007 in the pod);
//  - NODE_EXTRA_CA_CERTS=<test CA>, so Backstage trusts the loopback machine-token JWKS.
// The database is the library's BackstageDatabase.sqliteInMemory() config, unchanged.
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { stringify } from 'yaml';
import { configMapData, Json, list, one, resolve, resourceAt } from './portal';
import { freePort, startProcess, Started, waitFor } from './processes';

export const FIXTURE_DIR = resolvePath(__dirname, '..', 'fixtures', 'backstage');
const ENTRY = resolvePath(__dirname, 'backstage-backend.cjs');

export interface BackstagePlan {
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly port: number;
  /** The synthesized app-config (the ConfigMap's YAML). */
  readonly appConfigYaml: string;
}

export interface RunningBackstage {
  readonly port: number;
  readonly plan: BackstagePlan;
  readonly proc: Started;
  stop(): Promise<void>;
}

export async function planBackstage(json: Json, dir: string, secrets: Record<string, Record<string, string>>, caFile: string): Promise<BackstagePlan> {
  const deployment = resourceAt(json, 'kubernetes_deployment_v1', 'Backstage/Deployment');
  const pod = one(one(one(deployment.spec).template).spec);
  const container = list(pod.container)[0];
  const mounts = new Map<string, string>();
  let appConfigYaml = '';
  for (const mount of list(container.volume_mount)) {
    const volume = list(pod.volume).find((v: any) => v.name === mount.name);
    if (volume?.config_map) {
      const local = join(dir, 'volumes', volume.name);
      mkdirSync(local, { recursive: true });
      for (const [file, content] of Object.entries(configMapData(json, resolve(json, one(volume.config_map).name)))) {
        writeFileSync(join(local, file), content);
        appConfigYaml = content;
      }
      mounts.set(String(mount.mount_path).replace(/\/+$/, ''), local);
    }
  }
  const mapPath = (p: string) => {
    if (!isAbsolute(p)) return join(FIXTURE_DIR, p);
    for (const [mountPath, local] of mounts) if (p.startsWith(`${mountPath}/`)) return local + p.slice(mountPath.length);
    throw new Error(`Backstage reads ${p}, which no volume provides`);
  };
  const args: string[] = list(container.args);
  if (args[0] !== 'node' || args[1] !== 'packages/backend') throw new Error(`unexpected Backstage command ${args.join(' ')}`);
  const rest: string[] = [];
  for (let i = 2; i < args.length; i++) {
    if (args[i] === '--config') rest.push('--config', mapPath(args[++i]!));
    else rest.push(args[i]!);
  }
  const port = await freePort();
  const loopback = join(dir, 'app-config.loopback.yaml');
  writeFileSync(loopback, `# loopback only: where the pod listens on 7007\n${stringify({ backend: { listen: { host: '127.0.0.1', port } } })}`);
  rest.push('--config', loopback);

  const env: Record<string, string> = { NODE_EXTRA_CA_CERTS: caFile };
  for (const e of list(container.env)) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else {
      const ref = one(one(e.value_from).secret_key_ref);
      const value = secrets[resolve(json, ref.name)]?.[ref.key];
      if (value === undefined) throw new Error(`no test value for Secret ${ref.name} key ${ref.key}`);
      env[e.name] = value;
    }
  }
  return { argv: [ENTRY, ...rest], env, port, appConfigYaml };
}

export async function startBackstage(plan: BackstagePlan, logFile: string): Promise<RunningBackstage> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'production', ...plan.env };
  const proc = startProcess('backstage', process.execPath, plan.argv, { cwd: FIXTURE_DIR, env, logFile });
  const base = `http://127.0.0.1:${plan.port}`;
  await waitFor('Backstage readiness', async () => (await fetch(`${base}/.backstage/health/v1/readiness`)).ok, proc, 120_000);
  return { port: plan.port, plan, proc, stop: () => proc.stop() };
}
