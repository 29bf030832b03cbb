// The header contract, gateway side: the headers oauth2-proxy is configured to emit (its
// synthesized alpha config) are the headers nginx copies onto the upstream request (the
// synthesized Ingress annotation). The Backstage side (the headers Backstage's own oauth2Proxy
// provider reads, the ID token's form) is proven against the published npm module in
// test/e2e/signin/header-contract.test.ts: those packages are the sign-in suite's
// dependencies, not the unit suite's.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { BackstagePortal, IDENTITY_HEADERS } from '../../lib';
import { portalProps, resourceAt, synth } from '../helpers';

describe('identity header contract', () => {
  const json = synth((stack) => new BackstagePortal(stack, 'portal', portalProps(stack)));
  const alpha = parse(
    resourceAt(json, 'kubernetes_config_map_v1', 'Gateway/Config').data['alpha-config.yaml'],
  );
  const emitted: string[] = alpha.injectResponseHeaders.map((h: { name: string }) => h.name);
  const annotations = resourceAt(json, 'kubernetes_ingress_v1', 'portal/Ingress/Ingress').metadata
    .annotations;
  const forwarded: string[] = annotations['nginx.ingress.kubernetes.io/auth-response-headers'].split(',');

  it('oauth2-proxy emits exactly the headers nginx forwards', () => {
    expect(emitted).toEqual(forwarded);
    expect(emitted).toEqual(IDENTITY_HEADERS.map((h) => h.name));
  });

  it('never forwards Authorization (Backstage would reject oauth2-proxy\'s token as "Illegal token")', () => {
    expect(forwarded.map((h) => h.toLowerCase())).not.toContain('authorization');
  });
});
