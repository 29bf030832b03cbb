import { describe, expect, it } from 'vitest';
import { BackstagePortal } from '../../lib';
import { portalProps, resourceAt, resourcesOf, synth } from '../helpers';

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
});
