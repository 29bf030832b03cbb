// The test cluster: test/e2e/cluster/cluster.sh as a child process, fresh state in a
// temporary directory per suite run. The script stops everything it started when its
// stdin closes, so the cluster goes away with this process however it ends.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const script = join(__dirname, '../../cluster/cluster.sh');

export type Component = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

export interface Cluster {
  /** Directory with the cluster's state, certificates and logs. */
  readonly stateDir: string;
  /** Admin kubeconfig with every context asked for. */
  readonly kubeconfig: string;
  readonly apiUrl: string;
  /** The API server's service-account issuer (`--service-account-issuer`), the `iss` of its tokens. */
  readonly serviceAccountIssuer: string;
  /** CA of the API server's serving certificate. */
  readonly caFile: string;
  /** Kills a component (SIGKILL, like a crash). */
  stop(component: Component): Promise<void>;
  /** Starts it again with the same arguments and waits until it is healthy. */
  start(component: Component): Promise<void>;
  /** kubectl with the admin kubeconfig; throws with stderr on failure. */
  kubectl(args: readonly string[], input?: string): Promise<string>;
  /** kubectl get … -o json, parsed. */
  getJson<T = any>(args: readonly string[]): Promise<T>;
  /** Stops every process of the cluster. */
  shutdown(): Promise<void>;
}

function parseEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/**
 * The cluster's binaries from the env.sh build-tools.sh writes, when the environment does not
 * name them already (the deploy suite's run.sh sources it; the sign-in suite, which starts a
 * cluster for its service-account issuer, is run without it).
 */
function loadToolsEnv(): void {
  const names = ['KUBE_BIN_DIR', 'ETCD', 'KWOK', 'KWOK_STAGES'];
  if (names.every((n) => process.env[n])) return;
  const cache = process.env.CDKTF_BACKSTAGE_TOOLS ?? join(homedir(), '.cache', 'cdktf-backstage', 'tools');
  const envFile = join(cache, 'env.sh');
  if (!existsSync(envFile)) return;
  for (const m of readFileSync(envFile, 'utf8').matchAll(/^export ([A-Z_]+)=(.*)$/gm)) {
    if (names.includes(m[1]!) && !process.env[m[1]!]) process.env[m[1]!] = m[2]!;
  }
}

export async function startCluster(options: {
  readonly contexts: readonly string[];
  readonly nodes?: number;
}): Promise<Cluster> {
  loadToolsEnv();
  for (const name of ['KUBE_BIN_DIR', 'ETCD', 'KWOK']) {
    if (!process.env[name]) {
      throw new Error(
        `${name} is not set: run test/e2e/tools/build-tools.sh and source the env.sh it writes`,
      );
    }
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'cdktf-backstage-cluster-'));
  const logFile = join(stateDir, '..', `${stateDir.split('/').pop()}.supervisor.log`);
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn('bash', [script, join(stateDir, 'state')], {
    env: {
      ...process.env,
      CLUSTER_CONTEXTS: options.contexts.join(','),
      CLUSTER_NODES: String(options.nodes ?? 3),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr!.pipe(log);
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  const early: string[] = [];
  lines.on('line', (line) => {
    log.write(`> ${line}\n`);
    const next = waiting.shift();
    if (next) next(line);
    else early.push(line);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const nextLine = (timeoutMs: number, what: string) =>
    new Promise<string>((resolve, reject) => {
      if (early.length > 0) return resolve(early.shift()!);
      const timer = setTimeout(
        () => reject(new Error(`cluster: no answer for ${what} after ${timeoutMs} ms; see ${logFile}`)),
        timeoutMs,
      );
      waiting.push((line) => (clearTimeout(timer), resolve(line)));
      void exit.then(() => {
        clearTimeout(timer);
        reject(
          new Error(
            `cluster.sh exited while waiting for ${what}:\n${readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n')}`,
          ),
        );
      });
    });

  const ready = await nextLine(300_000, 'the cluster to be ready');
  if (!ready.startsWith('ready ')) {
    throw new Error(`cluster.sh said "${ready}" instead of ready`);
  }
  const env = parseEnvFile(ready.slice('ready '.length));
  const kubeconfig = env.KUBECONFIG!;

  const command = async (line: string) => {
    if (exited) throw new Error(`cluster is gone; cannot ${line}`);
    child.stdin!.write(`${line}\n`);
    const answer = await nextLine(180_000, line);
    if (answer !== `ok ${line}`) {
      throw new Error(`cluster: ${answer}; see ${env.CLUSTER_LOGS}`);
    }
  };
  const kubectl = async (args: readonly string[], input?: string) => {
    const run = execFileAsync(process.env.KUBECTL ?? 'kubectl', ['--kubeconfig', kubeconfig, ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    if (input !== undefined) {
      run.child.stdin!.end(input);
    }
    return (await run).stdout;
  };
  return {
    stateDir,
    kubeconfig,
    apiUrl: env.KUBE_API_URL!,
    serviceAccountIssuer: env.SA_ISSUER!,
    caFile: env.KUBE_CA_FILE!,
    stop: (c) => command(`stop ${c}`),
    start: (c) => command(`start ${c}`),
    kubectl,
    getJson: async (args) => JSON.parse(await kubectl(['get', ...args, '-o', 'json'])),
    async shutdown() {
      if (!exited) {
        child.stdin!.end();
        const timer = setTimeout(() => child.kill('SIGTERM'), 30_000);
        await exit;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
