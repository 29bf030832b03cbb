import { describe, expect, it } from 'vitest';
import { BackstagePortal } from '../../lib';
import { errorOf, portalProps, resourceAt, resourcesOf, synth } from '../helpers';

describe('BackstagePortal', () => {
  it('wires namespace, Backstage, gateway, ingress and outputs for one environment', () => {
    const json = synth((stack) => new BackstagePortal(stack, 'portal', portalProps(stack)));
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'portal/Namespace');
    expect(ns.metadata.name).toBe('backstage');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(Object.keys(resourcesOf(json, 'kubernetes_deployment_v1'))).toHaveLength(2);
    expect(json.output?.portal_url?.value).toBe('https://backstage.example.com');
    expect(json.output?.portal_oidc_redirect_uri?.value).toBe('https://backstage.example.com/oauth2/callback');
  });

  it('refuses a client id with a line break or spaces in it', () => {
    expect(errorOf(() => synth((stack) => new BackstagePortal(stack, 'portal', { ...portalProps(stack), clientId: '0oa1b2c3\n' })))).toBe(
      '[test/portal] clientId: must not contain spaces, line breaks or control characters, got "0oa1b2c3\\n". Copy the client id again from the IdP app registration, without surrounding whitespace.',
    );
  });
});
