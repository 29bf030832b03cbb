import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

import { PropsValidationError } from '../core/errors';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { StackRegistry } from '../core/stack-registry';
import { formatValue } from '../core/validation';

export interface ClusterIssuerProps {
  /** Name of the ClusterIssuer (cluster-scoped: unique in the cluster). */
  readonly name: string;
  /** The issuer spec as cert-manager defines it (`acme`, `selfSigned`, `ca`, ...). */
  readonly spec: Record<string, unknown>;
  /**
   * Resources the issuer needs first (e.g. a DNS provider token Secret).
   * @default - none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
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
    this.manifest = kubernetesResource(this, 'Resource', 'kubernetes_manifest', {
      manifest: {
        apiVersion: 'cert-manager.io/v1',
        kind: 'ClusterIssuer',
        metadata: {
          name: props.name,
          labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
        },
        spec: props.spec,
      },
      dependsOn: [...(props.dependsOn ?? [])],
    });
  }
}

/** Who asks for an issuer: the kind of TlsSource, and what tells two of its issuers apart. */
export interface IssuerRequester {
  /** Kind of TlsSource (issuers of one kind conflict by spec, of different kinds by name). */
  readonly kind: string;
  /** What usually makes two issuers of this kind differ, for the error message. */
  readonly differsBy: string;
}

interface RegisteredIssuer {
  readonly issuer: ClusterIssuer;
  readonly spec: string;
  readonly kind: string;
}

// ClusterIssuers are cluster-scoped: each name is created once per stack, however many
// TlsSources and portals use it. One registry for every kind of TlsSource, so a name
// clash is found when the second one asks, whichever kinds they are.
const REGISTRY_ID = 'cdktf-backstage.ClusterIssuers';

/** @internal The stack's ClusterIssuer of this name: created once, refused if the spec differs. */
export function ensureClusterIssuer(
  scope: Construct,
  name: string,
  spec: Record<string, unknown>,
  requester: IssuerRequester,
  dependsOn: readonly ITerraformDependable[] = [],
): ClusterIssuer {
  const byName = StackRegistry.of<RegisteredIssuer>(scope, REGISTRY_ID);
  const json = JSON.stringify(spec);
  const existing = byName.get(name);
  if (existing) {
    if (existing.spec === json) {
      return existing.issuer;
    }
    const conflict =
      existing.kind === requester.kind
        ? {
            what: `needs ClusterIssuer "${name}" with a different spec than another construct in this stack created`,
            fix: `ClusterIssuers are cluster-wide: give this TlsSource its own issuerName (e.g. for ${requester.differsBy}).`,
          }
        : {
            what: `needs ClusterIssuer "${name}", which ${existing.issuer.node.path} already creates with another spec`,
            fix: 'ClusterIssuers are cluster-wide: give this TlsSource its own issuerName.',
          };
    throw new PropsValidationError([
      `[${scope.node.path}] tls: ${conflict.what}, got ${formatValue(name)}. ${conflict.fix}`,
    ]);
  }
  const issuer = new ClusterIssuer(scope, `ClusterIssuer-${name}`, { name, spec, dependsOn });
  byName.set(name, { issuer, spec: json, kind: requester.kind });
  return issuer;
}
