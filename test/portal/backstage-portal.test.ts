import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';

import { BackstagePortal } from '../../lib';
import { errorOf, expectProblems, portalProps, resourceAt, resourcesOf, synth } from '../helpers';
import { expectLines } from '../lines';

describe('BackstagePortal', () => {
  it('wires namespace, Backstage, gateway, ingress and outputs for one environment', () => {
    const json = synth((stack) => new BackstagePortal(stack, 'portal', portalProps(stack)));
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'portal/Namespace');
    expect(ns.metadata.name).toBe('backstage');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(Object.keys(resourcesOf(json, 'kubernetes_deployment_v1'))).toHaveLength(2);
    expect(json.output?.portal_url?.value).toBe('https://backstage.example.com');
    expect(json.output?.portal_oidc_redirect_uri?.value).toBe(
      'https://backstage.example.com/oauth2/callback',
    );
  });

  it('refuses a client id with a line break or spaces in it', () => {
    expectProblems(
      () =>
        synth(
          (stack) => new BackstagePortal(stack, 'portal', { ...portalProps(stack), clientId: '0oa1b2c3\n' }),
        ),
      [
        {
          where: 'test/portal',
          path: 'clientId',
          says: ['must not contain spaces, line breaks or control characters', 'got "0oa1b2c3\\n"'],
        },
      ],
    );
  });
});

describe('BackstagePortal providers', () => {
  it('names the portal, the resource types and the KubernetesProvider to add when the stack has none', () => {
    const stack = new TerraformStack(Testing.app(), 'dev-portal');
    new BackstagePortal(stack, 'portal', portalProps(stack));
    const problems = errorOf(() => Testing.synth(stack, true))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('[dev-portal/portal]'));
    // One line for the whole portal (not one per part), listing every resource type it
    // renders; the Helm provider is not asked for: the portal renders no release.
    // A cdktf validation (a plain Error), compared line by line as test/lines.ts does.
    expectLines(problems, [
      {
        where: 'dev-portal/portal',
        subject: 'BackstagePortal',
        says: [
          'its kubernetes_config_map_v1, kubernetes_deployment_v1, kubernetes_ingress_v1, kubernetes_manifest, kubernetes_namespace_v1, kubernetes_network_policy_v1, kubernetes_pod_disruption_budget_v1, kubernetes_secret_v1, kubernetes_service_account_v1 and kubernetes_service_v1 need a KubernetesProvider in stack "dev-portal"',
          'got none',
          "new KubernetesProvider(stack, 'kubernetes'",
        ],
      },
    ]);
  });

  it('passes with a KubernetesProvider in the stack', () => {
    const stack = new TerraformStack(Testing.app(), 'dev-portal');
    new KubernetesProvider(stack, 'kubernetes', {});
    new BackstagePortal(stack, 'portal', portalProps(stack));
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });
});
