import { Construct } from 'constructs';
import * as z from 'zod';

import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { goDuration, kubernetesName, kubernetesSubdomainName, secretKey } from '../core/schemas';
import { problem, validateProps } from '../core/validation';

/** A SecretStore or ClusterSecretStore of the External Secrets Operator. */
export interface SecretStoreReference {
  /** Name of the store. */
  readonly name: string;
  /** `ClusterSecretStore` (shared by all namespaces) or `SecretStore` (this namespace only). */
  readonly kind: 'SecretStore' | 'ClusterSecretStore';
}

/** One key of the target Secret and where its value comes from. */
export interface ExternalSecretData {
  /** Key in the Kubernetes Secret. */
  readonly secretKey: string;
  /** Name or path of the secret in the remote secret manager. */
  readonly remoteKey: string;
  /**
   * Property of a JSON-valued remote secret.
   * @default - the whole value
   */
  readonly property?: string;
  /**
   * Version of the remote secret.
   * @default - the latest
   */
  readonly version?: string;
}

export interface ExternalSecretProps {
  /** Namespace of the ExternalSecret and of the Secret it writes. */
  readonly namespace: string;
  /** Name of both the ExternalSecret and the Secret it writes. */
  readonly name: string;
  /** The store to read from. */
  readonly store: SecretStoreReference;
  /** How often the operator re-reads the remote value (rotation). */
  readonly refreshInterval: string;
  /** The keys to sync. */
  readonly data: readonly ExternalSecretData[];
}

// The same rules as SecretRef.fromExternalSecret, so the construct used directly accepts
// exactly what the SecretRef path accepts.
/** @internal A store reference. */
export const secretStoreReferenceSchema = z.strictObject({
  name: kubernetesSubdomainName,
  kind: z.enum(['SecretStore', 'ClusterSecretStore'], {
    error: problem(
      'must be "SecretStore" or "ClusterSecretStore"',
      'Use ClusterSecretStore for a store shared by all namespaces.',
    ),
  }),
}) satisfies z.ZodType<SecretStoreReference>;

/** @internal Where one value comes from in the secret manager. */
export const remoteRefShape = {
  remoteKey: z
    .string()
    .min(1, problem('must not be empty', 'Give the name or path of the secret in the secret manager.')),
  property: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
};

const externalSecretSchema = z.strictObject({
  namespace: kubernetesName,
  name: kubernetesSubdomainName,
  store: secretStoreReferenceSchema,
  refreshInterval: goDuration,
  data: z
    .array(z.strictObject({ secretKey, ...remoteRefShape }))
    .min(
      1,
      problem(
        'must list at least one key',
        'An ExternalSecret without data writes an empty Secret: add { secretKey, remoteKey } entries.',
      ),
    )
    .superRefine((data, ctx) => {
      const seen = new Set<string>();
      data.forEach((d, index) => {
        if (typeof d.secretKey === 'string' && seen.has(d.secretKey)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'secretKey'],
            message: problem(
              'is listed twice',
              'Each key of the Secret comes from one remote value: remove or rename the duplicate.',
            ),
          });
        }
        seen.add(d.secretKey);
      });
    }),
}) satisfies z.ZodType<ExternalSecretProps>;

/**
 * An `external-secrets.io/v1` ExternalSecret. The custom resource needs its CRD at plan
 * time (`kubernetes_manifest` reads the schema), so the operator must be installed by an
 * earlier stack than the one holding this resource.
 */
export class ExternalSecret extends Construct {
  public readonly manifest: KubernetesResource;

  constructor(scope: Construct, id: string, props: ExternalSecretProps) {
    super(scope, id);
    validateProps(this, externalSecretSchema, props);
    this.manifest = kubernetesResource(this, 'Resource', 'kubernetes_manifest', {
      manifest: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: {
          name: props.name,
          namespace: props.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
        },
        spec: {
          refreshInterval: props.refreshInterval,
          secretStoreRef: { name: props.store.name, kind: props.store.kind },
          target: {
            name: props.name,
            // The operator owns the Secret: deleting the ExternalSecret removes it too.
            creationPolicy: 'Owner',
            template: {
              metadata: {
                labels: { 'app.kubernetes.io/managed-by': 'external-secrets' },
              },
            },
          },
          data: props.data.map((d) => ({
            secretKey: d.secretKey,
            remoteRef: {
              key: d.remoteKey,
              ...(d.property !== undefined ? { property: d.property } : {}),
              ...(d.version !== undefined ? { version: d.version } : {}),
            },
          })),
        },
      },
    });
  }
}
