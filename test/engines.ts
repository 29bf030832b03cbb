// The Terraform engines unit tests may run: each named by an absolute path, never looked up
// on PATH. OpenTofu: $TOFU, or the build in the tools cache (test/e2e/tools/build-tools.sh).
// Terraform: $TERRAFORM (.ci/run sets it where a terraform binary is installed).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export interface NamedEngine {
  readonly name: 'opentofu' | 'terraform';
  readonly binary: string;
}

export function namedEngines(): NamedEngine[] {
  const tools = process.env.CDKTF_BACKSTAGE_TOOLS ?? join(homedir(), '.cache/cdktf-backstage/tools');
  const candidates: NamedEngine[] = [
    { name: 'opentofu', binary: process.env.TOFU ?? join(tools, 'tofu-v1.12.6/bin/tofu') },
    ...(process.env.TERRAFORM ? [{ name: 'terraform' as const, binary: process.env.TERRAFORM }] : []),
  ];
  return candidates.filter((e) => isAbsolute(e.binary) && existsSync(e.binary));
}
