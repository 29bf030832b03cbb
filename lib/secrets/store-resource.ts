import { Construct } from 'constructs';

import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { StackRegistry } from '../core/stack-registry';
import { fail } from '../core/validation';
import { SecretStoreProvider } from './secret-store-provider';

/** A store as ClusterSecretStore and SecretStore render it. */
export interface StoreResource {
  readonly kind: 'ClusterSecretStore' | 'SecretStore';
  readonly name: string;
  /** A SecretStore's namespace; none for a ClusterSecretStore. */
  readonly namespace?: string;
  readonly provider: SecretStoreProvider;
  /** The `spec`, with the provider as the store kind holds it. */
  readonly spec: Record<string, unknown>;
}

/**
 * @internal What both store constructs render, in `scope`: the check that no store of the
 * stack has the name already (cluster-wide for a ClusterSecretStore, in its namespace for a
 * SecretStore), the objects the provider reads with, and the manifest, created after them
 * so the operator's first check of the store already finds them.
 */
export function renderStore(scope: Construct, store: StoreResource): KubernetesResource {
  const registry = StackRegistry.of<Construct>(scope, `cdktf-backstage.${store.kind}s`);
  const key = store.namespace === undefined ? store.name : `${store.namespace}/${store.name}`;
  const existing = registry.get(key);
  if (existing) {
    fail(
      scope,
      'name',
      `is already used by the ${store.kind} at ${existing.node.path}${store.namespace === undefined ? '' : ` in namespace ${store.namespace}`}`,
      store.name,
      store.namespace === undefined
        ? "ClusterSecretStores are cluster-wide: share the existing store's reference, or give this one its own name."
        : "Share the existing store's reference, or give this one its own name.",
    );
  }
  registry.set(key, scope);
  // Stores of two namespaces may share a name and read one namespace: their Roles there may not.
  const access = store.provider.renderAccess(
    scope,
    store.namespace === undefined ? store.name : `${store.namespace}-${store.name}`,
  );
  return kubernetesResource(scope, 'Resource', 'kubernetes_manifest', {
    dependsOn: access,
    manifest: {
      apiVersion: 'external-secrets.io/v1',
      kind: store.kind,
      metadata: {
        name: store.name,
        ...(store.namespace === undefined ? {} : { namespace: store.namespace }),
        labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
      },
      spec: store.spec,
    },
  });
}
