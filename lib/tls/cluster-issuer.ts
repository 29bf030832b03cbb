import { Construct } from 'constructs';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import type { ManifestConfig } from '@cdktf/provider-kubernetes/lib/manifest';

export interface ClusterIssuerProps {
  /** Name of the ClusterIssuer (cluster-scoped: unique in the cluster). */
  readonly name: string;
  /** The issuer spec as cert-manager defines it (`acme`, `selfSigned`, `ca`, ...). */
  readonly spec: Record<string, unknown>;
}

/**
 * A cert-manager `ClusterIssuer` (`cert-manager.io/v1`). Like every custom resource it
 * needs cert-manager's CRDs at plan time: install cert-manager from an earlier stack.
 */
export class ClusterIssuer extends Construct {
  public readonly issuerName: string;
  /** The issuer spec as rendered. */
  public readonly spec: Readonly<Record<string, unknown>>;
  public readonly manifest: KubernetesResource;

  constructor(scope: Construct, id: string, props: ClusterIssuerProps) {
    super(scope, id);
    this.issuerName = props.name;
    this.spec = props.spec;
    this.manifest = kubernetesResource<ManifestConfig>(this, 'Resource', 'kubernetes_manifest', {
      manifest: {
        apiVersion: 'cert-manager.io/v1',
        kind: 'ClusterIssuer',
        metadata: {
          name: props.name,
          labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
        },
        spec: props.spec,
      },
    });
  }
}
