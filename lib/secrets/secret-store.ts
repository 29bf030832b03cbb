import { Token } from 'cdktf';
import { Construct } from 'constructs';
import * as z from 'zod';

import { namespaceName } from '../core/cloud-ids';
import { KubernetesResource } from '../core/kubernetes-resource';
import { isRecord } from '../core/objects';
import { kubernetesSubdomainName } from '../core/schemas';
import { problem, validateProps } from '../core/validation';
import { SecretStoreReference } from './external-secret';
import { SecretStoreProvider, secretStoreProviderSchema } from './secret-store-provider';
import { renderStore } from './store-resource';

export interface SecretStoreProps {
  /**
   * The namespace of the store: only ExternalSecrets of this namespace can use it. It must
   * exist first: when the same stack creates it, pass the namespace resource's name
   * (`portal.namespace.metadataName`), here and as the provider's ServiceAccount namespace,
   * so every object of the store is created after it.
   */
  readonly namespace: string;
  /**
   * Where the secrets are read from. Its ServiceAccount and CA source, if any, must be in
   * `namespace`: a SecretStore reads nothing of another namespace.
   */
  readonly provider: SecretStoreProvider;
  /**
   * Name of the SecretStore (unique in its namespace).
   * @default - the provider's default name (`aws-secrets-manager`, `gcp-secret-manager`, `azure-key-vault`, `vault`, `kubernetes-<remoteNamespace>`)
   */
  readonly name?: string;
}

// The keys under which External Secrets' provider specs reference objects by namespace: a
// ServiceAccount (`serviceAccountRef`; the kubernetes provider's `auth.serviceAccount`) and a
// CA certificate (`caProvider`). In a SecretStore they must stay in the store's namespace and
// are written without one (the operator refuses a namespace there for the CA source).
const NAMESPACED_REFERENCES = new Set(['serviceAccountRef', 'serviceAccount', 'caProvider']);

/** The namespaced references of a provider spec, with their paths under `provider`. */
function namespacedReferences(
  value: unknown,
  path: readonly string[] = [],
): Array<{ path: readonly string[]; reference: Record<string, unknown> }> {
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    NAMESPACED_REFERENCES.has(key) && isRecord(child) && typeof child.namespace === 'string'
      ? [{ path: [...path, key], reference: child }]
      : namespacedReferences(child, [...path, key]),
  );
}

/** The provider spec as a SecretStore holds it: the same, without the namespaces of its references. */
function withoutNamespaces(value: unknown): unknown {
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => {
      if (NAMESPACED_REFERENCES.has(key) && isRecord(child)) {
        const { namespace: _sameAsTheStore, ...rest } = child;
        return [key, rest];
      }
      return [key, withoutNamespaces(child)];
    }),
  );
}

const propsSchema = z
  .strictObject({
    namespace: namespaceName,
    provider: secretStoreProviderSchema,
    name: kubernetesSubdomainName.optional(),
  })
  .superRefine((props, ctx) => {
    if (!SecretStoreProvider.isSecretStoreProvider(props.provider)) return;
    const before = ctx.issues.length;
    props.provider.addOptionIssues(ctx, ['provider']);
    // Options with problems of their own may not render; those problems are reported already.
    if (ctx.issues.length > before || typeof props.namespace !== 'string') return;
    const wrong = new Map<string, string>();
    for (const { path, reference } of namespacedReferences(props.provider.render())) {
      // A reference (the namespace resource's name, to order the store after it) is known
      // only at plan time: only literal names can be compared here.
      const comparable = !Token.isUnresolved(props.namespace) && !Token.isUnresolved(reference.namespace);
      if (comparable && reference.namespace !== props.namespace) {
        // Every provider's options name these two `serviceAccount` and `caProvider`.
        wrong.set(
          path.at(-1) === 'caProvider' ? 'caProvider' : 'serviceAccount',
          String(reference.namespace),
        );
      }
    }
    // The kubernetes provider's default CA follows its ServiceAccount: one problem, not two.
    if (wrong.has('caProvider') && wrong.get('caProvider') === wrong.get('serviceAccount')) {
      wrong.delete('caProvider');
    }
    for (const option of ['serviceAccount', 'caProvider'] as const) {
      const namespace = wrong.get(option);
      if (namespace === undefined) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['provider', option, 'namespace'],
        message: problem(
          `must be the SecretStore's namespace "${props.namespace}"`,
          'A SecretStore reads only objects of its own namespace: move the ServiceAccount or CA there, or use a ClusterSecretStore limited to the namespaces that need it.',
        ),
        // The value sits inside the provider's options, which the error cannot walk to.
        params: { nestedValue: { value: namespace } },
      });
    }
  }) satisfies z.ZodType<SecretStoreProps>;

/**
 * An External Secrets Operator `SecretStore` (`external-secrets.io/v1`): a store of one
 * namespace, usable only by that namespace's ExternalSecrets, so no other team can read
 * through it. Pass {@link SecretStore.reference} to `SecretRef.fromExternalSecret({ store })`
 * of a consumer in the same namespace. Like every custom resource it needs the operator's CRDs
 * at plan time: install the operator from an earlier stack.
 */
export class SecretStore extends Construct {
  /** Name of the store. */
  public readonly storeName: string;
  /** Namespace of the store. */
  public readonly namespace: string;
  /** What `SecretRef.fromExternalSecret({ store })` takes, in the store's namespace. */
  public readonly reference: SecretStoreReference;
  /** The `kubernetes_manifest` resource. */
  public readonly manifest: KubernetesResource;

  constructor(scope: Construct, id: string, props: SecretStoreProps) {
    super(scope, id);
    validateProps(this, propsSchema, props);
    this.storeName = props.name ?? props.provider.defaultStoreName;
    this.namespace = props.namespace;
    this.reference = { name: this.storeName, kind: 'SecretStore' };
    this.manifest = renderStore(this, {
      kind: 'SecretStore',
      name: this.storeName,
      namespace: this.namespace,
      provider: props.provider,
      spec: { provider: withoutNamespaces(props.provider.render()) },
    });
  }
}
