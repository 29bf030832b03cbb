import { Construct } from 'constructs';
import * as z from 'zod';

import { namespaceName } from '../core/cloud-ids';
import { KubernetesResource } from '../core/kubernetes-resource';
import { kubernetesSubdomainName } from '../core/schemas';
import { problem, validateProps } from '../core/validation';
import { SecretStoreReference } from './external-secret';
import { SecretStoreProvider, secretStoreProviderSchema } from './secret-store-provider';
import { renderStore } from './store-resource';

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
    this.reference = { name: this.storeName, kind: 'ClusterSecretStore' };
    this.manifest = renderStore(this, {
      kind: 'ClusterSecretStore',
      name: this.storeName,
      provider: props.provider,
      spec: {
        provider: props.provider.render(),
        ...(props.namespaces !== undefined ? { conditions: [{ namespaces: [...props.namespaces] }] } : {}),
      },
    });
  }
}
