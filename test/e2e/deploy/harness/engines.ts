// The engines the deploy suite runs under. Each is named by an absolute path in the
// environment, never looked up on PATH: OpenTofu always (TOFU, from build-tools.sh), and
// Terraform as well when TERRAFORM names a binary (.ci/run sets it where one exists).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';

export interface Engine {
  /** "opentofu" or "terraform". */
  readonly name: string;
  /** Absolute path, given to cdktf as TERRAFORM_BINARY_NAME. */
  readonly binary: string;
  /** What the binary reports as its version. */
  readonly version: string;
}

function describeBinary(name: string, binary: string): Engine {
  if (!isAbsolute(binary) || !existsSync(binary)) {
    throw new Error(`${name}: "${binary}" is not an absolute path to an existing binary`);
  }
  // An empty CLI config: the machine's TF_CLI_CONFIG_FILE may name a missing file.
  const out = execFileSync(binary, ['version', '-json'], {
    encoding: 'utf8',
    env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' },
  });
  const version = (JSON.parse(out) as { terraform_version: string }).terraform_version;
  return { name, binary, version };
}

export function enginesUnderTest(): Engine[] {
  const tofu = process.env.TOFU;
  if (!tofu) {
    throw new Error('TOFU is not set: run test/e2e/tools/build-tools.sh and source the env.sh it writes');
  }
  const engines = [describeBinary('opentofu', tofu)];
  if (process.env.TERRAFORM) {
    engines.push(describeBinary('terraform', process.env.TERRAFORM));
  }
  const only = process.env.E2E_ENGINES?.split(',').map((e) => e.trim());
  return only ? engines.filter((e) => only.includes(e.name)) : engines;
}
