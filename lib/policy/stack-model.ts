// The stack model the Guardrails checks read: a stack's synthesized resources
// (Terraform attribute names, snake_case, as `cdk.tf.json` has them), its workloads
// with their pod template, and helpers that read nested blocks whichever way the
// provider renders them. Nothing here knows the library's own constructs:
// hand-written provider resources are read the same way. Internal to the Guardrails:
// nothing here is exported from the package.

/** One Terraform resource as synthesized (attributes resolved, snake_case). */
export interface InspectedResource {
  /** Terraform resource type, e.g. `kubernetes_deployment_v1`. */
  readonly type: string;
  /** Construct path. */
  readonly path: string;
  /** Synthesized attributes. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /**
   * `<type>.<logical id>`, what references to it name (`${<address>.metadata[0].name}`).
   * @default - unknown (references to it are not followed)
   */
  readonly address?: string;
}

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A single nested block, whether rendered as an object or a one-element list. */
export function one(value: unknown): Obj {
  if (Array.isArray(value)) {
    return isObj(value[0]) ? value[0] : {};
  }
  return isObj(value) ? value : {};
}

/** A list of blocks, whether rendered as a list or a single object. */
export function many(value: unknown): Obj[] {
  if (Array.isArray(value)) {
    return value.filter(isObj);
  }
  return isObj(value) ? [value] : [];
}

export function strings(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.filter((v): v is string => typeof v === 'string');
  }
  return typeof value === 'string' ? [value] : [];
}

export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, child] of Object.entries(one(value))) {
    if (typeof child === 'string' || typeof child === 'number' || typeof child === 'boolean') {
      out[key] = String(child);
    }
  }
  return out;
}

/** A Terraform expression (`${...}`) is only known at plan time. */
export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

export function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

export const INGRESS_TYPES = new Set(['kubernetes_ingress_v1', 'kubernetes_ingress']);
export const NETWORK_POLICY_TYPES = new Set(['kubernetes_network_policy_v1', 'kubernetes_network_policy']);
export const PDB_TYPES = new Set(['kubernetes_pod_disruption_budget_v1', 'kubernetes_pod_disruption_budget']);
export const HPA_TYPES = new Set([
  'kubernetes_horizontal_pod_autoscaler',
  'kubernetes_horizontal_pod_autoscaler_v1',
  'kubernetes_horizontal_pod_autoscaler_v2',
  'kubernetes_horizontal_pod_autoscaler_v2beta2',
]);

export type WorkloadKind =
  'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicationController' | 'Job' | 'CronJob' | 'Pod';

const WORKLOAD_TYPES: Readonly<Record<string, WorkloadKind>> = {
  kubernetes_deployment: 'Deployment',
  kubernetes_deployment_v1: 'Deployment',
  kubernetes_stateful_set: 'StatefulSet',
  kubernetes_stateful_set_v1: 'StatefulSet',
  kubernetes_daemonset: 'DaemonSet',
  kubernetes_daemon_set_v1: 'DaemonSet',
  kubernetes_replication_controller: 'ReplicationController',
  kubernetes_replication_controller_v1: 'ReplicationController',
  kubernetes_job: 'Job',
  kubernetes_job_v1: 'Job',
  kubernetes_cron_job: 'CronJob',
  kubernetes_cron_job_v1: 'CronJob',
  kubernetes_pod: 'Pod',
  kubernetes_pod_v1: 'Pod',
};

/** A resource that runs pods, with its pod template read out. */
export interface Workload {
  readonly resource: InspectedResource;
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Record<string, string>;
  readonly podSpec: Obj;
  readonly containers: Obj[];
}

export function metadataOf(attributes: Readonly<Obj>): Obj {
  return one(attributes.metadata);
}

export function namespaceOf(metadata: Obj): string {
  return typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default';
}

function workloadOf(resource: InspectedResource): Workload | undefined {
  const kind = WORKLOAD_TYPES[resource.type];
  if (!kind) {
    return undefined;
  }
  const metadata = metadataOf(resource.attributes);
  const spec = one(resource.attributes.spec);
  let template: Obj;
  if (kind === 'Pod') {
    template = { metadata, spec };
  } else if (kind === 'CronJob') {
    template = one(one(one(spec.job_template).spec).template);
  } else {
    template = one(spec.template);
  }
  const podSpec = one(template.spec);
  return {
    resource,
    kind,
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace: namespaceOf(metadata),
    podLabels: stringMap(one(template.metadata).labels),
    podSpec,
    containers: [...many(podSpec.container), ...many(podSpec.init_container)],
  };
}

export function containerName(container: Obj): string {
  return typeof container.name === 'string' ? container.name : '(unnamed)';
}

/** The hosts an Ingress has TLS entries for. */
export function tlsHosts(attributes: Readonly<Obj>): string[] {
  return many(one(attributes.spec).tls).flatMap((t) => strings(t.hosts));
}

/** The synthesized stack, indexed for the checks. */
export class StackModel {
  public readonly workloads: readonly Workload[];
  /** Every container and init container of every workload, with its workload. */
  public readonly containers: ReadonlyArray<{ readonly workload: Workload; readonly container: Obj }>;

  constructor(
    public readonly resources: readonly InspectedResource[],
    public readonly environment: 'production' | 'non-production',
  ) {
    this.workloads = resources.map(workloadOf).filter((w): w is Workload => w !== undefined);
    this.containers = this.workloads.flatMap((workload) =>
      workload.containers.map((container) => ({ workload, container })),
    );
  }

  public ofTypes(types: ReadonlySet<string>): InspectedResource[] {
    return this.resources.filter((r) => types.has(r.type));
  }

  /**
   * A name as Terraform will know it: a reference to another resource's name
   * (`${kubernetes_namespace_v1.x.metadata[0].name}`) becomes that name, so names written
   * plainly and through references compare equal.
   */
  public resolveName(value: unknown): string {
    if (typeof value !== 'string') {
      return '';
    }
    const reference = /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.metadata\[0\]\.name\}$/.exec(value);
    if (!reference) {
      return value;
    }
    const target = this.resources.find((r) => r.address === reference[1]);
    return target ? this.resolveName(metadataOf(target.attributes).name) : value;
  }

  /** The namespace of a resource's metadata, references resolved. */
  public namespaceOf(metadata: Obj): string {
    return this.resolveName(namespaceOf(metadata));
  }
}
