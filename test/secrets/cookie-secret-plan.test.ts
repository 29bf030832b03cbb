// The cookie-secret check, evaluated by a real plan under each named engine: a synth test
// can only show the condition text; this shows the engine accepts good secrets, refuses the
// ones that would crash oauth2-proxy before anything deploys, and never prints the value.
// The check is the precondition the library puts on the Secret made from the variable; it
// is planned here on a terraform_data resource (built into both engines), so no provider is
// needed. The deploy suite plans it on the real kubernetes_secret_v1.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BackstagePortal } from '../../lib';
import { namedEngines } from '../engines';
import { portalProps, resourcesOf, synth } from '../helpers';

const engines = namedEngines();
const env = {
  ...process.env,
  TF_CLI_CONFIG_FILE: '/dev/null',
  CHECKPOINT_DISABLE: '1',
  TF_IN_AUTOMATION: '1',
};

const json = synth((stack) => new BackstagePortal(stack, 'portal', portalProps(stack)));
const cookieSecret = Object.values(resourcesOf(json, 'kubernetes_secret_v1')).find((s) => s.lifecycle)!;

describe('the engines under test', () => {
  it('include OpenTofu wherever the tools are built, and Terraform wherever TERRAFORM names it', () => {
    expect(engines.map((e) => e.name)).toEqual([
      ...(engines.some((e) => e.name === 'opentofu') ? ['opentofu'] : []),
      ...(process.env.TERRAFORM ? ['terraform'] : []),
    ]);
  });
});

describe.each(engines)('cookie secret check under $name', ({ binary }) => {
  const dir = mkdtempSync(join(tmpdir(), 'cookie-plan-'));
  writeFileSync(
    join(dir, 'main.tf.json'),
    JSON.stringify({
      variable: { cookie_secret: json.variable!.cookie_secret },
      resource: {
        terraform_data: {
          cookie_secret: { input: cookieSecret.data.value, lifecycle: cookieSecret.lifecycle },
        },
      },
    }),
  );
  execFileSync(binary, ['init', '-input=false', '-no-color'], { cwd: dir, env, stdio: 'pipe' });
  const plan = (value: string) =>
    spawnSync(binary, ['plan', '-input=false', '-no-color'], {
      cwd: dir,
      env: { ...env, TF_VAR_cookie_secret: value },
      encoding: 'utf8',
    });

  it.each([
    ['16 raw characters', '0123456789abcdef'],
    ['32 raw characters', '0123456789abcdef0123456789abcdef'],
    ['URL-safe base64 of 32 bytes, padded', 'q8Vq1oE2Sxb3oJmY9u2m0N-Y_Ql8Wb8Jk6F3rT1a2cU='],
    ['URL-safe base64 of 32 bytes, unpadded', 'q8Vq1oE2Sxb3oJmY9u2m0N-Y_Ql8Wb8Jk6F3rT1a2cU'],
    ['URL-safe base64 of 16 bytes', 'AAECAwQFBgcICQoLDA0ODw'],
  ])('accepts %s', (_, value) => {
    const result = plan(value);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(value);
  });

  it.each([
    [
      'standard base64 with "+" and "/" (44 raw bytes to oauth2-proxy)',
      'WhPRTY1ZiU8l+lG0CkDOJEgYqHLLs1FFKWLj97XTpWk=',
    ],
    ['a short password', 'hunter2'],
    ['20 characters', '01234567890123456789'],
  ])('refuses %s at plan time without printing it', (_, value) => {
    const result = plan(value);
    expect(result.status).not.toBe(0);
    expect(result.stderr.replace(/\s+/g, ' ')).toContain(
      'The oauth2-proxy cookie secret in variable cookie_secret must be 16, 24 or 32 bytes',
    );
    expect(result.stderr + result.stdout).not.toContain(value);
  });
});
