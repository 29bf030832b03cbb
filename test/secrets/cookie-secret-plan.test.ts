// The cookie-secret variable validation, evaluated by a real Terraform/OpenTofu plan:
// a synth test can only show the condition text; this shows the engine accepts good
// secrets and refuses the ones that would crash oauth2-proxy, before anything deploys.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { SecretRef } from '../../lib';
import { synth } from '../helpers';
import { Construct } from 'constructs';

/** A Terraform-compatible engine: $TOFU, the tools cache, or terraform/tofu on PATH. */
function findEngine(): string | undefined {
  const candidates = [
    process.env.TOFU,
    join(process.env.CDKTF_BACKSTAGE_TOOLS ?? join(homedir(), '.cache/cdktf-backstage/tools'), 'tofu-v1.12.6/bin/tofu'),
  ].filter((c): c is string => !!c && existsSync(c));
  for (const name of ['tofu', 'terraform']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found) candidates.push(found);
  }
  return candidates[0];
}

const engine = findEngine();
const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };

describe.skipIf(!engine)(`cookie secret validation under ${engine ?? 'no engine found'}`, () => {
  const json = synth((stack) => {
    const ref = SecretRef.fromVariable(new TerraformVariable(stack, 'cookie_secret', { type: 'string', sensitive: true }));
    ref.expectCookieSecret();
    ref.bind({ scope: new Construct(stack, 'consumer'), namespace: 'backstage' });
  });
  const dir = mkdtempSync(join(tmpdir(), 'cookie-plan-'));
  // Only the variable: no provider needed, so init and plan run offline.
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ variable: { cookie_secret: json.variable!.cookie_secret } }));
  execFileSync(engine!, ['init', '-input=false', '-no-color'], { cwd: dir, env, stdio: 'pipe' });
  const plan = (value: string) =>
    spawnSync(engine!, ['plan', '-input=false', '-no-color'], { cwd: dir, env: { ...env, TF_VAR_cookie_secret: value }, encoding: 'utf8' });

  it.each([
    ['16 raw characters', '0123456789abcdef'],
    ['32 raw characters', '0123456789abcdef0123456789abcdef'],
    ['URL-safe base64 of 32 bytes, padded', 'q8Vq1oE2Sxb3oJmY9u2m0N-Y_Ql8Wb8Jk6F3rT1a2cU='],
    ['URL-safe base64 of 32 bytes, unpadded', 'q8Vq1oE2Sxb3oJmY9u2m0N-Y_Ql8Wb8Jk6F3rT1a2cU'],
    ['URL-safe base64 of 16 bytes', 'AAECAwQFBgcICQoLDA0ODw'],
  ])('accepts %s', (_, value) => {
    const result = plan(value);
    expect(result.status, result.stderr).toBe(0);
  });

  it.each([
    ['standard base64 with "+" and "/" (44 raw bytes to oauth2-proxy)', 'WhPRTY1ZiU8l+lG0CkDOJEgYqHLLs1FFKWLj97XTpWk='],
    ['a short password', 'hunter2'],
    ['20 characters', '01234567890123456789'],
  ])('refuses %s at plan time', (_, value) => {
    const result = plan(value);
    expect(result.status).not.toBe(0);
    expect(result.stderr.replace(/\s+/g, ' ')).toContain('The oauth2-proxy cookie secret must be 16, 24 or 32 bytes');
    // The engine must not print the sensitive value in its error.
    expect(result.stderr + result.stdout).not.toContain(value);
  });
});
