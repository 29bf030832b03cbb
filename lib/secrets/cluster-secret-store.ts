import { Construct } from 'constructs';
import * as z from 'zod';

import { namespaceName } from '../core/cloud-ids';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { kubernetesSubdomainName } from '../core/schemas';
import { StackRegistry } from '../core/stack-registry';
import { fail, problem, validateProps } from '../core/validation';
import { SecretStoreReference } from './external-secret';
import { SecretStoreProvider, secretStoreProviderSchema } from './secret-store-provider';

export interface ClusterSecretStoreProps {
  /** Where the secrets are read from. */
  readonly provider: SecretStoreProvider;
  /**
   * Name of the ClusterSecretStore (cluster-scoped: unique in the cluster).
   * @default - the provider's default name (`aws-secrets-manager`, `gcp-secret-manager`, `azure-key-vault`, `vault`, `kubernetes-<remoteNamespace>`)
   */
  readonly name?: string;
  /**
   * Namespaces whose ExternalSecrets may use the store (`spec.conditions`). A
   * ClusterSecretStore otherwise serves every namespace, so anyone who can create an
   * ExternalSecret anywhere can read what its identity can read.
   * @default - every namespace
   */
  readonly namespaces?: readonly string[];
}

const propsSchema = z
  .strictObject({
    provider: secretStoreProviderSchema,
    name: kubernetesSubdomainName.optional(),
    namespaces: z
      .array(namespaceName)
      .min(
        1,
        problem(
          'must list at least one namespace when given',
          'Leave namespaces out to let every namespace use the store.',
        ),
      )
      .optional(),
  })
  .superRefine((props, ctx) => {
    if (SecretStoreProvider.isSecretStoreProvider(props.provider)) {
      props.provider.addOptionIssues(ctx, ['provider']);
    }
  }) satisfies z.ZodType<ClusterSecretStoreProps>;

// ClusterSecretStores are cluster-scoped: one Terraform resource per name and stack.
const REGISTRY_ID = 'cdktf-backstage.ClusterSecretStores';

/**
 * An External Secrets Operator `ClusterSecretStore` (`external-secrets.io/v1`), shared by
 * the ExternalSecrets of every namespace it admits. Pass {@link ClusterSecretStore.reference}
 * to `SecretRef.fromExternalSecret({ store })`. Like every custom resource it needs the
 * operator's CRDs at plan time: install the operator from an earlier stack.
 */
export class ClusterSecretStore extends Construct {
  /** Name of the store. */
  public readonly storeName: string;
  /** What `SecretRef.fromExternalSecret({ store })` takes. */
  public readonly reference: SecretStoreReference;
  /** The `kubernetes_manifest` resource. */
  public readonly manifest: KubernetesResource;

  constructor(scope: Construct, id: string, props: ClusterSecretStoreProps) {
    super(scope, id);
    validateProps(this, propsSchema, props);
    this.storeName = props.name ?? props.provider.defaultStoreName;
    const byName = StackRegistry.of<ClusterSecretStore>(this, REGISTRY_ID);
    const existing = byName.get(this.storeName);
    if (existing) {
      fail(
        this,
        'name',
        `is already used by the ClusterSecretStore at ${existing.node.path}`,
        this.storeName,
        "ClusterSecretStores are cluster-wide: share the existing store's reference, or give this one its own name.",
      );
    }
    byName.set(this.storeName, this);
    this.reference = { name: this.storeName, kind: 'ClusterSecretStore' };
    // The access the store reads with comes first, so the operator's first check of the
    // store already finds it.
    const access = props.provider.renderAccess(this, this.storeName);
    this.manifest = kubernetesResource(this, 'Resource', 'kubernetes_manifest', {
      dependsOn: access,
      manifest: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterSecretStore',
        metadata: {
          name: this.storeName,
          labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
        },
        spec: {
          provider: props.provider.render(),
          ...(props.namespaces !== undefined ? { conditions: [{ namespaces: [...props.namespaces] }] } : {}),
        },
      },
    });
  }
}
