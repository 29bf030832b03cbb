// A cdktf project in a temporary directory, driven by the real cdktf CLI under a named
// engine. Its cdktf.json runs one of the repository's apps; its context points the
// operators at the vendored charts through the library's public chart-directory context,
// so the synthesized JSON is what a user with a chart mirror would get.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import type { Engine } from './engines';

const execFileAsync = promisify(execFile);
export const repoRoot = resolve(__dirname, '../../../..');
/** The vendored charts and sources: next to the repository, or the workspace's shared folder. */
export const vendorDir =
  process.env.VENDOR_DIR ??
  [resolve(repoRoot, '../shared/vendor'), '/work/shared/vendor'].find((d) =>
    existsSync(join(d, 'SHA256SUMS')),
  ) ??
  resolve(repoRoot, '../shared/vendor');
// The CLI is the suite's own package (test/e2e/deploy/package.json, installed by setup.sh),
// not the root's: the library's install stays small.
const cdktfBin = join(repoRoot, 'test/e2e/deploy/node_modules/.bin/cdktf');
const tsxLoader = join(repoRoot, 'node_modules/tsx/dist/cjs/index.cjs');

export interface RunResult {
  readonly code: number;
  readonly output: string;
  readonly seconds: number;
}

/** One resource change of a saved plan (`show -json`). */
export interface ResourceChange {
  readonly address: string;
  readonly actions: readonly string[];
  readonly before: any;
  readonly after: any;
}

export interface ProjectOptions {
  /** Working directory (created). */
  readonly dir: string;
  /** The app, relative to the repository root, e.g. examples/portal/main.ts. */
  readonly app: string;
  /** The synthesized output directory (default <dir>/cdktf.out); two projects may share one. */
  readonly outdir?: string;
  readonly engine: Engine;
  /** HOME of every command: its ~/.kube/config is the test cluster's kubeconfig. */
  readonly home: string;
  /** Extra environment (TF_VAR_* secrets, app switches). */
  readonly env?: Readonly<Record<string, string>>;
}

export class CdktfProject {
  public readonly outdir: string;
  /** Everything every command printed, for the secret-leak check. */
  public readonly transcript: string[] = [];
  private env: Record<string, string | undefined>;

  constructor(private readonly options: ProjectOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.outdir = options.outdir ?? join(options.dir, 'cdktf.out');
    writeFileSync(
      join(options.dir, 'cdktf.json'),
      JSON.stringify(
        {
          language: 'typescript',
          app: `node --require ${tsxLoader} ${join(repoRoot, options.app)}`,
          output: this.outdir,
          projectId: 'cdktf-backstage-e2e',
          sendCrashReports: 'false',
          terraformProviders: [],
          terraformModules: [],
          context: { 'cdktf-backstage:chartDirectory': join(vendorDir, 'charts') },
        },
        null,
        2,
      ),
    );
    // The provider-mirror CLI config that build-tools.sh writes (its env.sh exports it).
    const cliConfig = process.env.TF_CLI_CONFIG_FILE;
    if (!cliConfig || !existsSync(cliConfig)) {
      throw new Error(
        'TF_CLI_CONFIG_FILE must name the provider-mirror CLI config: source the env.sh that build-tools.sh writes',
      );
    }
    this.env = {
      PATH: process.env.PATH,
      HOME: options.home,
      TERRAFORM_BINARY_NAME: options.engine.binary,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      CI: 'true',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      DISABLE_VERSION_CHECK: 'true',
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true',
      ...(options.env ?? {}),
    };
  }

  /** Changes one environment variable of later commands (a rotated secret, an app switch). */
  setEnv(name: string, value: string | undefined): void {
    this.env[name] = value;
  }

  /** Runs the cdktf CLI; never throws on a non-zero exit. */
  cdktf(args: readonly string[], timeoutMs = 900_000): Promise<RunResult> {
    return this.spawn(cdktfBin, args, this.options.dir, timeoutMs);
  }

  /** Runs the engine itself in a synthesized stack's directory. */
  engine(stack: string, args: readonly string[], timeoutMs = 600_000): Promise<RunResult> {
    return this.spawn(this.options.engine.binary, args, this.stackDir(stack), timeoutMs);
  }

  stackDir(stack: string): string {
    return join(this.outdir, 'stacks', stack);
  }

  // --skip-provider-lock: after init, cdktf runs `providers lock -platform=linux_amd64`,
  // which asks the registry for checksums and fails offline; with a filesystem mirror the
  // lock file init wrote is all there is (the README's air-gapped notes say the same).
  // --ignore-missing-stack-dependencies: cdktf refuses to deploy a stack without the stacks
  // it depends on unless told they are deployed already.
  async deploy(
    stacks: readonly string[],
    options: { platformDeployed?: boolean; onOutput?: (text: string) => void } = {},
  ): Promise<RunResult> {
    const args = [
      'deploy',
      ...stacks,
      '--auto-approve',
      '--skip-provider-lock',
      ...(options.platformDeployed ? ['--ignore-missing-stack-dependencies'] : []),
    ];
    return this.spawn(cdktfBin, args, this.options.dir, 900_000, options.onOutput);
  }

  async destroy(stacks: readonly string[], timeoutMs?: number): Promise<RunResult> {
    return this.cdktf(
      ['destroy', ...stacks, '--auto-approve', '--skip-provider-lock', '--ignore-missing-stack-dependencies'],
      timeoutMs,
    );
  }

  /** Synthesizes the app (cdktf synth), so the engine can plan the new JSON. */
  async synth(): Promise<void> {
    const result = await this.cdktf(['synth']);
    if (result.code !== 0) throw new Error(`cdktf synth failed:\n${result.output}`);
  }

  /**
   * Plans one synthesized stack with the engine and returns the changes the saved plan
   * holds (no-op entries left out), as `show -json` reports them.
   */
  async plan(stack: string): Promise<{ changes: ResourceChange[]; seconds: number; result: RunResult }> {
    const result = await this.tryPlan(stack);
    if (result.code !== 0) throw new Error(`plan of ${stack} failed:\n${result.output}`);
    return this.savedPlan(stack, result);
  }

  /** Plans one stack with the engine and returns the result, failed or not. */
  async tryPlan(stack: string): Promise<RunResult> {
    const init = await this.engine(stack, ['init', '-input=false', '-no-color']);
    if (init.code !== 0) throw new Error(`init of ${stack} failed:\n${init.output}`);
    return this.engine(stack, ['plan', '-input=false', '-no-color', '-lock-timeout=60s', '-out=e2e.tfplan']);
  }

  private async savedPlan(
    stack: string,
    result: RunResult,
  ): Promise<{ changes: ResourceChange[]; seconds: number; result: RunResult }> {
    const shown = await execFileAsync(this.options.engine.binary, ['show', '-json', 'e2e.tfplan'], {
      cwd: this.stackDir(stack),
      env: this.env as NodeJS.ProcessEnv,
      maxBuffer: 256 * 1024 * 1024,
    });
    const plan = JSON.parse(shown.stdout) as {
      resource_changes?: Array<{
        address: string;
        change: { actions: string[]; before: unknown; after: unknown };
      }>;
    };
    const changes = (plan.resource_changes ?? [])
      .filter((c) => !(c.change.actions.length === 1 && c.change.actions[0] === 'no-op'))
      .map((c) => ({
        address: c.address,
        actions: c.change.actions,
        before: c.change.before,
        after: c.change.after,
      }));
    return { changes, seconds: result.seconds, result };
  }

  private spawn(
    command: string,
    args: readonly string[],
    cwd: string,
    timeoutMs: number,
    onOutput?: (text: string) => void,
  ): Promise<RunResult> {
    const started = Date.now();
    return new Promise((resolvePromise) => {
      // A process group of its own, so a timeout ends the engine and providers too: a cdktf CLI
      // that ignored SIGTERM once kept spinning after its test, opening pseudo-terminals until
      // none were left for any later run.
      const child = spawn(command, [...args], {
        cwd,
        env: this.env as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const chunks: Buffer[] = [];
      const take = (d: Buffer) => {
        chunks.push(d);
        onOutput?.(d.toString('utf8'));
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const output = Buffer.concat(chunks).toString('utf8');
        this.transcript.push(`$ ${command} ${args.join(' ')}\n${output}`);
        resolvePromise({ code: code ?? (signal ? 128 : 1), output, seconds: (Date.now() - started) / 1000 });
      });
    });
  }
}
