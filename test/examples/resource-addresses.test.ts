// Upgrade safety: every resource address of every example stack, committed. A construct id
// is part of a resource's address; renaming one makes Terraform destroy and re-create that
// resource for every existing user (a new Namespace means a deleted portal). A change to
// the list must be made on purpose: UPDATE_RESOURCE_ADDRESSES=1 npm test -- resource-addresses
// rewrites it, and the diff shows up in review.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const listFile = join(__dirname, 'resource-addresses.json');

/** Runs an example app as `cdktf synth` does and lists each stack's addresses. */
function addressesOf(app: string): Record<string, string[]> {
  const out = mkdtempSync(join(tmpdir(), 'addresses-'));
  execFileSync(
    process.execPath,
    ['--require', join(root, 'node_modules/tsx/dist/cjs/index.cjs'), join(root, app)],
    {
      env: { ...process.env, CDKTF_OUTDIR: out },
      stdio: 'pipe',
    },
  );
  const stacks: Record<string, string[]> = {};
  for (const stack of readdirSync(join(out, 'stacks')).sort()) {
    const json = JSON.parse(readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as {
      resource?: Record<string, Record<string, unknown>>;
    };
    stacks[stack] = Object.entries(json.resource ?? {})
      .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
      .sort();
  }
  return stacks;
}

describe('resource addresses of the example stacks', () => {
  it('match the committed list (a renamed construct id replaces the resource for every user)', () => {
    const current = {
      'examples/portal/main.ts': addressesOf('examples/portal/main.ts'),
      'examples/multi-cloud/main.ts': addressesOf('examples/multi-cloud/main.ts'),
    };
    if (process.env.UPDATE_RESOURCE_ADDRESSES === '1') {
      writeFileSync(listFile, `${JSON.stringify(current, null, 2)}\n`);
    }
    const committed = JSON.parse(readFileSync(listFile, 'utf8')) as typeof current;
    expect(current).toEqual(committed);
  });
});
