// A platform stack needs a HelmProvider (the releases) and a KubernetesProvider (each
// operator's namespace, the controller's placeholder Ingress). cdktf's own check names
// neither the construct nor the class to add; the library's does.
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';

import { CertManager, ExternalSecretsOperator, IngressNginxController, Reloader } from '../../lib';
import { errorOf } from '../helpers';
import { expectLines } from '../lines';

// What to add, and where to import it from: the point of these checks.
const KUBERNETES_FIX = [
  'Add new KubernetesProvider(',
  "import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider'",
];
const HELM_FIX = [
  'Add new HelmProvider(',
  "import { HelmProvider } from '@cdktf/provider-helm/lib/provider'",
];

/** The validation lines of a synth of stack "dev-platform" with the given providers. */
function problems(
  providers: { helm?: boolean; kubernetes?: boolean },
  build: (stack: TerraformStack) => void,
): string[] {
  const stack = new TerraformStack(Testing.app(), 'dev-platform');
  if (providers.helm) new HelmProvider(stack, 'helm', {});
  if (providers.kubernetes) new KubernetesProvider(stack, 'kubernetes', {});
  build(stack);
  const message = errorOf(() => Testing.synth(stack, true));
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('[dev-platform/'));
}

describe('provider checks of the platform operators', () => {
  it('names the operator and the KubernetesProvider to add when only a HelmProvider is there', () => {
    expectLines(
      problems({ helm: true }, (stack) => {
        new IngressNginxController(stack, 'IngressNginx', {});
        new CertManager(stack, 'CertManager', {});
      }),
      [
        {
          where: 'dev-platform/IngressNginx',
          subject: 'IngressNginxController',
          says: [
            'its kubernetes_ingress_v1 and kubernetes_namespace_v1 need a KubernetesProvider in stack "dev-platform"',
            'got none',
            ...KUBERNETES_FIX,
          ],
        },
        {
          where: 'dev-platform/CertManager',
          subject: 'CertManager',
          says: [
            'its kubernetes_namespace_v1 needs a KubernetesProvider in stack "dev-platform"',
            'got none',
            ...KUBERNETES_FIX,
          ],
        },
      ],
    );
  });

  it('names the HelmProvider to add when only a KubernetesProvider is there', () => {
    expectLines(
      problems({ kubernetes: true }, (stack) => {
        new ExternalSecretsOperator(stack, 'ExternalSecrets', {});
        new Reloader(stack, 'Reloader', {});
      }),
      [
        {
          where: 'dev-platform/ExternalSecrets',
          subject: 'ExternalSecretsOperator',
          says: ['its helm_release needs a HelmProvider in stack "dev-platform"', 'got none', ...HELM_FIX],
        },
        {
          where: 'dev-platform/Reloader',
          subject: 'Reloader',
          says: ['its helm_release needs a HelmProvider in stack "dev-platform"', 'got none', ...HELM_FIX],
        },
      ],
    );
  });

  it('names both when the stack has no provider', () => {
    expectLines(
      problems({}, (stack) => new Reloader(stack, 'Reloader', {})),
      [
        {
          where: 'dev-platform/Reloader',
          subject: 'Reloader',
          says: ['its helm_release needs a HelmProvider in stack "dev-platform"', 'got none', ...HELM_FIX],
        },
        {
          where: 'dev-platform/Reloader',
          subject: 'Reloader',
          says: [
            'its kubernetes_namespace_v1 needs a KubernetesProvider in stack "dev-platform"',
            'got none',
            ...KUBERNETES_FIX,
          ],
        },
      ],
    );
  });

  it('asks only for what the operator renders: no namespace resource, no KubernetesProvider', () => {
    const stack = new TerraformStack(Testing.app(), 'dev-platform');
    new HelmProvider(stack, 'helm', {});
    new CertManager(stack, 'CertManager', { createNamespace: false });
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  it('passes with both providers', () => {
    const stack = new TerraformStack(Testing.app(), 'dev-platform');
    new HelmProvider(stack, 'helm', {});
    new KubernetesProvider(stack, 'kubernetes', {});
    new IngressNginxController(stack, 'IngressNginx', {});
    new CertManager(stack, 'CertManager', {});
    new ExternalSecretsOperator(stack, 'ExternalSecrets', {});
    new Reloader(stack, 'Reloader', {});
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });
});
