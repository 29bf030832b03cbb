// The Backstage half of the identity header contract, proven against Backstage's own
// oauth2Proxy provider (the published npm module the sign-in suite runs, exercised for
// real): it reads exactly the headers nginx forwards, and the ID token in the form
// oauth2-proxy injects it. It lives here, not in the unit suite, because those packages are
// this suite's dependencies (test/e2e/signin/package.json); the gateway half (oauth2-proxy
// emits what nginx forwards, never Authorization) stays in test/access/header-contract.test.ts.
// No program is started: the synthesized objects and the provider module are enough.
import {
  OAUTH2_PROXY_JWT_HEADER,
  oauth2ProxyAuthenticator,
  oauth2ProxySignInResolvers,
} from '@backstage/plugin-auth-backend-module-oauth2-proxy-provider';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { BackstagePortal } from '../../../lib';
import { portalProps, resourceAt, synth } from '../../helpers';

/** A request that records every header Backstage asks it for. */
function recordingRequest(values: Record<string, string>) {
  const read = new Set<string>();
  const lookup = (name: string) => {
    read.add(name.toLowerCase());
    return values[name.toLowerCase()];
  };
  return { read, req: { header: lookup, get: lookup, headers: values } as any };
}

async function headersBackstageReads(): Promise<Set<string>> {
  const fakeJwt =
    ['{"alg":"none"}', '{"sub":"alice"}'].map((p) => Buffer.from(p).toString('base64url')).join('.') + '.sig';
  const { read, req } = recordingRequest({
    'x-forwarded-user': 'alice',
    'x-forwarded-email': 'alice@example.com',
    'x-forwarded-preferred-username': 'alice',
    [OAUTH2_PROXY_JWT_HEADER.toLowerCase()]: `Bearer ${fakeJwt}`,
  });
  const { result } = await (oauth2ProxyAuthenticator as any).authenticate({ req }, {});
  await (oauth2ProxyAuthenticator as any).defaultProfileTransform(result, {});
  const ctx = { signInWithCatalogUser: async () => ({ token: 't' }) };
  for (const factory of Object.values(oauth2ProxySignInResolvers)) {
    await (factory as any)()({ result, profile: {} }, ctx);
  }
  return read;
}

describe('identity header contract, Backstage side', () => {
  const json = synth((stack) => new BackstagePortal(stack, 'portal', portalProps(stack)));
  const alpha = parse(
    resourceAt(json, 'kubernetes_config_map_v1', 'Gateway/Config').data['alpha-config.yaml'],
  );
  const annotations = resourceAt(json, 'kubernetes_ingress_v1', 'portal/Ingress/Ingress').metadata
    .annotations;
  const forwarded: string[] = annotations['nginx.ingress.kubernetes.io/auth-response-headers'].split(',');

  it('Backstage reads exactly those headers (case-insensitively), and nothing else', async () => {
    const read = await headersBackstageReads();
    expect([...read].sort()).toEqual(forwarded.map((h) => h.toLowerCase()).sort());
  });

  it('the ID token header carries "Bearer <jwt>" as Backstage expects', () => {
    const idToken = alpha.injectResponseHeaders.find(
      (h: { name: string }) => h.name.toLowerCase() === OAUTH2_PROXY_JWT_HEADER.toLowerCase(),
    );
    expect(idToken.values).toEqual([{ claimSource: { claim: 'id_token', prefix: 'Bearer ' } }]);
  });
});
