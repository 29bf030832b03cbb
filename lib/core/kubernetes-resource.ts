import type { ReleaseConfig } from '@cdktf/provider-helm/lib/release';
import type { ConfigMapV1Config } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import type { DeploymentV1Config } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import type { HorizontalPodAutoscalerV2Config } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import type { IngressV1Config } from '@cdktf/provider-kubernetes/lib/ingress-v1';
import type { ManifestConfig } from '@cdktf/provider-kubernetes/lib/manifest';
import type { NamespaceV1Config } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import type { NetworkPolicyV1Config } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import type { PodDisruptionBudgetV1Config } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import type { RoleBindingV1Config } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import type { RoleV1Config } from '@cdktf/provider-kubernetes/lib/role-v1';
import type { SecretV1Config } from '@cdktf/provider-kubernetes/lib/secret-v1';
import type { ServiceAccountV1Config } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { ServiceV1Config } from '@cdktf/provider-kubernetes/lib/service-v1';
import type { StatefulSetV1Config } from '@cdktf/provider-kubernetes/lib/stateful-set-v1';
import { ITerraformDependable, TerraformResource, TerraformResourceLifecycle } from 'cdktf';
import { Construct } from 'constructs';

import { snakeCase } from './names';
import { isPlainObject } from './objects';

// Why not the provider's generated classes (DeploymentV1, ServiceV1, ...)? Each one
// loads megabytes of generated struct code at start-up (~50 ms for the Deployment
// alone) and builds an output-reference object, with a captured stack trace, for every
// nested block of every resource. This library renders ~20 resources per environment,
// so that machinery was most of the cost of synthesizing many environments. Here the
// configuration is still type-checked against the provider's own TypeScript types
// (type-only imports cost nothing at run time) and converted to Terraform's attribute
// names once, directly.

/** The provider requirement each resource registers, exactly as the generated bindings do. */
const GENERATORS: Record<
  NonNullable<KubernetesResourceMeta['provider']>,
  { providerName: string; providerVersion: string; providerVersionConstraint: string }
> = {
  kubernetes: { providerName: 'kubernetes', providerVersion: '2.38.0', providerVersionConstraint: '~> 2.0' },
  helm: { providerName: 'helm', providerVersion: '3.1.1', providerVersionConstraint: '~> 3.0' },
};

/**
 * Attributes whose value is a map with user keys (label keys, ConfigMap keys, node labels,
 * the manifest of a custom resource): their keys are written verbatim, never snake_cased.
 * These are the map-typed attributes (TypeMap in the provider schema) of the resource
 * types this library renders; a test compares every type with the generated classes.
 */
const MAP_ATTRIBUTES = new Set([
  'labels',
  'annotations',
  'data',
  'binaryData',
  'stringData',
  'matchLabels',
  'nodeSelector',
  'requests',
  'limits',
  'capacity',
  'parameters',
  'manifest',
]);

/**
 * Converts a camelCase config (as the provider's TypeScript types spell it) to Terraform
 * attribute names. A Service's `selector` is a map; a workload's is a block with
 * `matchLabels`: the shape tells them apart.
 */
export function toTerraformAttributes(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(toTerraformAttributes);
  }
  if (!isPlainObject(value)) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) {
      continue;
    }
    const isMap =
      MAP_ATTRIBUTES.has(key) ||
      (key === 'selector' &&
        isPlainObject(child) &&
        Object.values(child).every((v) => typeof v === 'string'));
    out[snakeCase(key)] = isMap ? child : toTerraformAttributes(child);
  }
  return out;
}

/** Meta-arguments a Kubernetes object of this library may carry. */
export interface KubernetesResourceMeta {
  readonly dependsOn?: ITerraformDependable[];
  readonly lifecycle?: TerraformResourceLifecycle;
  /**
   * The provider the resource type belongs to.
   * @default "kubernetes"
   */
  readonly provider?: 'kubernetes' | 'helm';
}

/**
 * One resource of the hashicorp/kubernetes provider (`kubernetes_deployment_v1`, ...) or,
 * with `provider: 'helm'`, of hashicorp/helm (`helm_release`),
 * rendered from a config typed by the provider's own interfaces. Use `addOverride` as an
 * escape hatch, like on any cdktf resource.
 */
export class KubernetesResource extends TerraformResource {
  private readonly attributes: Record<string, unknown>;

  constructor(
    scope: Construct,
    id: string,
    resourceType: string,
    config: object,
    meta: KubernetesResourceMeta = {},
  ) {
    super(scope, id, {
      terraformResourceType: resourceType,
      terraformGeneratorMetadata: GENERATORS[meta.provider ?? 'kubernetes'],
      dependsOn: meta.dependsOn && meta.dependsOn.length > 0 ? meta.dependsOn : undefined,
      lifecycle: meta.lifecycle,
    });
    this.attributes = toTerraformAttributes(config) as Record<string, unknown>;
  }

  /** Reference to `metadata[0].name` (orders dependants after this resource). */
  public get metadataName(): string {
    return this.getStringAttribute('metadata[0].name');
  }

  /** Reference to `metadata[0].resource_version`, which changes whenever the object changes. */
  public get resourceVersion(): string {
    return this.getStringAttribute('metadata[0].resource_version');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return this.attributes;
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    throw new Error(
      `${this.node.path}: cdktf-backstage renders Terraform JSON only; synthesize without --hcl.`,
    );
  }
}

/**
 * The resource types this library renders, each with the provider's own config interface
 * (type-only imports). Pairing a type with another type's config does not compile.
 */
export interface ResourceConfigs {
  readonly kubernetes_config_map_v1: ConfigMapV1Config;
  readonly kubernetes_deployment_v1: DeploymentV1Config;
  readonly kubernetes_horizontal_pod_autoscaler_v2: HorizontalPodAutoscalerV2Config;
  readonly kubernetes_ingress_v1: IngressV1Config;
  readonly kubernetes_manifest: ManifestConfig;
  readonly kubernetes_namespace_v1: NamespaceV1Config;
  readonly kubernetes_network_policy_v1: NetworkPolicyV1Config;
  readonly kubernetes_pod_disruption_budget_v1: PodDisruptionBudgetV1Config;
  readonly kubernetes_role_binding_v1: RoleBindingV1Config;
  readonly kubernetes_role_v1: RoleV1Config;
  readonly kubernetes_secret_v1: SecretV1Config;
  readonly kubernetes_service_account_v1: ServiceAccountV1Config;
  readonly kubernetes_service_v1: ServiceV1Config;
  readonly kubernetes_stateful_set_v1: StatefulSetV1Config;
  readonly helm_release: ReleaseConfig;
}

/**
 * Creates a KubernetesResource of `resourceType` from that type's config (meta-arguments
 * included). `helm_release` belongs to the helm provider, everything else to kubernetes.
 */
export function kubernetesResource<T extends keyof ResourceConfigs>(
  scope: Construct,
  id: string,
  resourceType: T,
  config: ResourceConfigs[T] & {
    readonly dependsOn?: ITerraformDependable[];
    readonly lifecycle?: TerraformResourceLifecycle;
  },
): KubernetesResource {
  const { dependsOn, lifecycle, ...attributes } = config;
  return new KubernetesResource(scope, id, resourceType, attributes, {
    dependsOn,
    lifecycle,
    provider: resourceType === 'helm_release' ? 'helm' : 'kubernetes',
  });
}
