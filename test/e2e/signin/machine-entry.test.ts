// The machine entry's oauth2-proxy exactly as synthesized (BackstagePortal machineHost with
// a GitHub-Actions-shaped client), run for real: --config-test, then started and asked at
// /oauth2/auth the way the machine host's Ingress asks it (auth-url). Tokens come from a
// local issuer built with jose that publishes its JWKS where GitHub's does.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MachineIssuer, startMachineIssuer } from './harness/machine-issuer';
import {
  Oauth2ProxyPlan,
  planOauth2Proxy,
  RunningOauth2Proxy,
  startOauth2Proxy,
} from './harness/oauth2-proxy';
import { createTestPki } from './harness/pki';
import { MACHINE_AUDIENCE, SECRETS, synthesizePortal } from './harness/portal';
import { configTest, oauth2ProxyBinary } from './harness/stack';

let dir: string;
let github: MachineIssuer;
let rogue: MachineIssuer;
let plan: Oauth2ProxyPlan;
let proxy: RunningOauth2Proxy;
const secrets = {
  [SECRETS.clientSecret.name]: { [SECRETS.clientSecret.key]: 'people-client-secret-for-the-test' },
  [SECRETS.cookieSecret.name]: { [SECRETS.cookieSecret.key]: 'a'.repeat(32) },
};
const main = {
  sub: 'repo:acme/service:ref:refs/heads/main',
  aud: MACHINE_AUDIENCE,
  repository: 'acme/service',
  ref: 'refs/heads/main',
  workflow: 'deploy',
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'machine-entry-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'pki'));
  const pki = createTestPki(join(dir, 'pki'));
  const cert = pki.issue('loopback', ['localhost'], ['127.0.0.1']);
  github = await startMachineIssuer(cert, 'gha-1');
  rogue = await startMachineIssuer(cert, 'rogue-1');
  const json = synthesizePortal({
    issuerUrl: 'https://idp.invalid',
    machineIssuerUrl: github.issuer,
    backstageAudienceIssuerUrl: github.issuer,
    machineEntry: { githubIssuerUrl: github.issuer },
  });
  mkdirSync(join(dir, 'o2p'));
  plan = await planOauth2Proxy(
    json,
    join(dir, 'o2p'),
    secrets,
    pki.caFile,
    undefined,
    'Gateway/Machines/Deployment',
  );
  proxy = await startOauth2Proxy(oauth2ProxyBinary(), plan, join(dir, 'oauth2-proxy.log'));
});

afterAll(async () => {
  await proxy?.stop();
  await github?.stop();
  await rogue?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ask = (token?: string) =>
  fetch(`http://127.0.0.1:${proxy.port}/oauth2/auth`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    redirect: 'manual',
  });

describe('the machine entry (oauth2-proxy v7.15.6, as synthesized)', () => {
  it('passes oauth2-proxy --config-test', async () => {
    const result = await configTest(plan);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('configuration is valid');
  });

  it('in the request path (the Gateway API flavour) passes oauth2-proxy --config-test too', async () => {
    const json = synthesizePortal({
      issuerUrl: 'https://idp.invalid',
      machineIssuerUrl: github.issuer,
      backstageAudienceIssuerUrl: github.issuer,
      machineEntry: { githubIssuerUrl: github.issuer },
      ingressFlavour: 'gateway-api',
    });
    mkdirSync(join(dir, 'o2p-in-path'));
    const inPath = await planOauth2Proxy(
      json,
      join(dir, 'o2p-in-path'),
      secrets,
      join(dir, 'pki', 'ca.crt'),
      new Map([['backstage:7007', '127.0.0.1:1']]),
      'Gateway/Machines/Deployment',
    );
    // The flags and the alpha config of that mode (run live by machine-agents.test.ts).
    expect(inPath.args).toEqual(expect.arrayContaining(['--api-route=^/', '--force-json-errors=true']));
    expect((inPath.alphaConfig as any).injectRequestHeaders).toHaveLength(4);
    const result = await configTest(inPath);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('configuration is valid');
  });

  it('admits a token without an e-mail from the allowed repository and ref (202)', async () => {
    const res = await ask(await github.token(main));
    expect(res.status).toBe(202);
  });

  it('refuses with 401, never a page: no token, another repository, another audience, expired, untrusted issuer, forged', async () => {
    // oauth2-proxy's /oauth2/auth answers 401 whenever the request brings no acceptable
    // session: a bearer token it cannot verify, or whose subject is not listed, makes none
    // (seen here: every case below is a 401, none a 403). The 202 above is the control that
    // the same entry admits the right token.
    const cases: Record<string, [string | undefined, number]> = {
      'no token': [undefined, 401],
      'another repository': [
        await github.token({ ...main, sub: 'repo:evil/fork:ref:refs/heads/main', repository: 'evil/fork' }),
        401,
      ],
      'another ref': [
        await github.token({
          ...main,
          sub: 'repo:acme/service:ref:refs/heads/feature',
          ref: 'refs/heads/feature',
        }),
        401,
      ],
      'another audience': [await github.token({ ...main, aud: 'something-else' }), 401],
      expired: [await github.token(main, { expiresIn: '-5m' }), 401],
      'untrusted issuer': [await rogue.token(main), 401],
      forged: [await github.forgedToken(main), 401],
    };
    for (const [kind, [token, status]] of Object.entries(cases)) {
      const res = await ask(token);
      const body = await res.text();
      expect(res.status, kind).toBe(status);
      expect(res.headers.get('location'), kind).toBeNull();
      expect(body, kind).not.toMatch(/<html|sign in/i);
    }
  });
});
