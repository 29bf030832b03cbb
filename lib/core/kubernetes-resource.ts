import { ITerraformDependable, TerraformResource, TerraformResourceLifecycle } from 'cdktf';
import { Construct } from 'constructs';

// Why not the provider's generated classes (DeploymentV1, ServiceV1, ...)? Each one
// loads megabytes of generated struct code at start-up (~50 ms for the Deployment
// alone) and builds an output-reference object, with a captured stack trace, for every
// nested block of every resource. This library renders ~20 resources per environment,
// so that machinery was most of the cost of synthesizing many environments. Here the
// configuration is still type-checked against the provider's own TypeScript types
// (type-only imports cost nothing at run time) and converted to Terraform's attribute
// names once, directly.

/** The provider requirement each resource registers, exactly as the generated bindings do. */
const GENERATORS = {
  kubernetes: { providerName: 'kubernetes', providerVersion: '2.38.0', providerVersionConstraint: '~> 2.0' },
  helm: { providerName: 'helm', providerVersion: '3.1.1', providerVersionConstraint: '~> 3.0' },
} as const;

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

function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, (_m, a: string, b: string) => `${a}_${b.toLowerCase()}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

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
    const isMap = MAP_ATTRIBUTES.has(key) || (key === 'selector' && isPlainObject(child) && Object.values(child).every((v) => typeof v === 'string'));
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
  readonly provider?: keyof typeof GENERATORS;
}

/**
 * One resource of the hashicorp/kubernetes provider (`kubernetes_deployment_v1`, ...) or,
 * with `provider: 'helm'`, of hashicorp/helm (`helm_release`),
 * rendered from a config typed by the provider's own interfaces. Use `addOverride` as an
 * escape hatch, like on any cdktf resource.
 */
export class KubernetesResource extends TerraformResource {
  private readonly attributes: Record<string, unknown>;

  constructor(scope: Construct, id: string, resourceType: string, config: object, meta: KubernetesResourceMeta = {}) {
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
    throw new Error(`${this.node.path}: cdktf-backstage renders Terraform JSON only; synthesize without --hcl.`);
  }
}

/**
 * Creates a KubernetesResource from a config typed by the provider's interface for that
 * resource (e.g. `DeploymentV1Config`), meta-arguments included.
 */
export function kubernetesResource<C extends { readonly dependsOn?: ITerraformDependable[]; readonly lifecycle?: TerraformResourceLifecycle }>(
  scope: Construct,
  id: string,
  resourceType: string,
  config: C,
  provider: KubernetesResourceMeta['provider'] = 'kubernetes',
): KubernetesResource {
  const { dependsOn, lifecycle, ...attributes } = config;
  return new KubernetesResource(scope, id, resourceType, attributes, { dependsOn, lifecycle, provider });
}
