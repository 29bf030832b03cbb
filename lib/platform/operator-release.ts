// What the four platform operators share: the props every one of them takes, their
// schema, and the rendering of one `helm_release` (hashicorp/helm 3.x) with typed values.

import type { ReleaseSet, ReleaseSetListStruct } from '@cdktf/provider-helm/lib/release';
import { Fn, ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import * as z from 'zod';

import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { standardLabels } from '../core/labels';
import { requireProviders } from '../core/providers';
import { ContainerResources } from '../core/resources';
import { keyedRecord, kubernetesName, positiveInt, resources } from '../core/schemas';
import { containsToken, nestedIssues, problem, validateProps } from '../core/validation';
import { escapeTerraformTemplate, toYaml } from '../core/yaml';
import { ChartSource, defaultChartSource, PinnedChart } from './chart-source';

/** Props every platform operator takes. */
export interface HelmOperatorProps {
  /**
   * Namespace to install the operator in.
   * @default - the operator's usual namespace (`ingress-nginx`, `cert-manager`, `external-secrets`, `reloader`)
   */
  readonly namespace?: string;
  /**
   * Create the namespace, as a resource of this stack (so `cdktf destroy` removes it again;
   * Helm's own create-namespace leaves it behind on uninstall). Turn it off to install
   * into a namespace that exists already.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Helm release name; chart resources are named after it.
   * @default - the chart name (`ingress-nginx`, `cert-manager`, `external-secrets`, `reloader`)
   */
  readonly releaseName?: string;
  /**
   * Where the chart comes from: a Helm repository, an OCI registry or a local path
   * (air-gapped mirrors).
   * @default - the project's Helm repository at the version pinned in `DEFAULT_CHARTS`
   */
  readonly chart?: ChartSource;
  /**
   * CPU and memory of the operator's main container.
   * @default - the operator's defaults (requests and limits are always set)
   */
  readonly resources?: ContainerResources;
  /**
   * Annotations on the operator's ServiceAccount, e.g. for workload identity
   * (`eks.amazonaws.com/role-arn`, `iam.gke.io/gcp-service-account`,
   * `azure.workload.identity/client-id`). Values may be Terraform references; those are
   * passed to Helm as `set` string values, not written into the values YAML.
   * @default - none
   */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /**
   * Wait until every workload of the release is ready before the apply succeeds (and roll
   * a failed upgrade back). Turn it off only where pods never run, such as fake API
   * servers in tests: custom resources planned after the release need its webhooks up.
   * @default true
   */
  readonly wait?: boolean;
  /**
   * How long Helm waits for the release, in seconds.
   * @default 600
   */
  readonly timeoutSeconds?: number;
}

const HELM_RELEASE_NAME = /^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/;

// Annotation keys: an optional DNS-subdomain prefix and "/", then a name of at most 63
// characters. Values are free text.
const ANNOTATION_KEY =
  /^(([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** @internal A yes/no prop. */
export const flag = z.boolean({ error: problem('must be true or false', 'Give a boolean, not a string.') });

/** @internal An annotation map (ServiceAccount, Service). */
export const annotationMap = keyedRecord(
  z.string({ error: problem('must be a string', 'Annotation values are text: quote numbers and booleans.') }),
  (key) =>
    ANNOTATION_KEY.test(key)
      ? undefined
      : problem(
          'is not a valid annotation key',
          'Use an optional DNS prefix and "/" followed by a name of letters, digits, "-", "_" and ".", e.g. "eks.amazonaws.com/role-arn".',
        ),
);

/** @internal A label map (pod labels). */
export const labelMap = keyedRecord(
  z
    .string({ error: problem('must be a string', 'Label values are text: quote numbers and booleans.') })
    .regex(
      /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/,
      problem('must be a valid label value', 'Use at most 63 letters, digits, "-", "_" and ".".'),
    ),
  (key) =>
    ANNOTATION_KEY.test(key)
      ? undefined
      : problem(
          'is not a valid label key',
          'Use an optional DNS prefix and "/" followed by a name, e.g. "azure.workload.identity/use".',
        ),
);

/** @internal The schema shape of {@link HelmOperatorProps}. */
export const helmOperatorShape = {
  namespace: kubernetesName.optional(),
  createNamespace: flag.optional(),
  releaseName: z
    .string()
    .regex(
      HELM_RELEASE_NAME,
      problem(
        'must be a valid Helm release name',
        'Use at most 53 lower-case letters, digits and "-", starting and ending with a letter or digit.',
      ),
    )
    .optional(),
  chart: z
    .custom<ChartSource>(
      (v) => ChartSource.isChartSource(v),
      problem(
        'must be a ChartSource',
        'Use ChartSource.repository(url, chart, version), .oci(reference, version) or .localPath(path).',
      ),
    )
    .optional(),
  resources: resources.optional(),
  serviceAccountAnnotations: annotationMap.optional(),
  wait: flag.optional(),
  timeoutSeconds: positiveInt('timeoutSeconds')
    .max(
      3600,
      problem(
        'timeoutSeconds must be at most 3600',
        'An operator that is not ready within an hour will not become ready; look at its pods instead.',
      ),
    )
    .optional(),
};

/** @internal Checks the arguments of a bound ChartSource, as the `chart` prop. */
export function chartIssues(ctx: z.core.$RefinementCtx, chart: unknown): void {
  if (ChartSource.isChartSource(chart)) {
    nestedIssues(ctx, ['chart'], chart.schema, chart.options);
  }
}

/**
 * @internal
 * The props schema of an operator: the props every operator takes and its own `shape`,
 * strict, with the chart's arguments checked as the `chart` prop.
 */
export function helmOperatorSchema<S extends z.core.$ZodLooseShape>(shape: S) {
  return z
    .strictObject({ ...helmOperatorShape, ...shape })
    .superRefine((props: { readonly chart?: unknown }, ctx) => chartIssues(ctx, props.chart));
}

/** @internal A JSON-like values tree; tokens are strings or numbers that resolve at plan time. */
export type HelmValue =
  string | number | boolean | null | readonly HelmValue[] | { readonly [key: string]: HelmValue | undefined };

/** Helm's `--set` path syntax: "." separates keys, so dots inside a key are escaped. */
function setPath(path: readonly string[]): string {
  return path.map((key) => key.replace(/\\/g, '\\\\').replace(/\./g, '\\.')).join('.');
}

function isRecord(value: unknown): value is Record<string, HelmValue | undefined> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A plan-time string as a Helm `--set-string` value: the `set` parser splits values at ","
 * and reads a backslash as an escape, so Terraform escapes both once the value is known.
 */
function setStringValue(value: string): string {
  // cdktf writes these arguments into the expression verbatim, so they are spelled as
  // Terraform string literals: "\\" is one backslash, "\\\\" two, "\\," backslash-comma.
  return Fn.replace(Fn.replace(value, '\\\\', '\\\\\\\\'), ',', '\\\\,');
}

/**
 * @internal
 * Moves every value that is (or contains) a Terraform token out of the values tree into
 * `set` / `set_list` entries: in the values YAML a resolved reference would be pasted into
 * the YAML text unquoted. Strings go in as `type = "string"` (escaped for Helm's parser),
 * numbers as `auto`, lists as `set_list` (list items must not contain ",").
 */
export function splitTokens(values: HelmValue): {
  plain: HelmValue;
  set: ReleaseSet[];
  setList: ReleaseSetListStruct[];
} {
  const set: ReleaseSet[] = [];
  const setList: ReleaseSetListStruct[] = [];
  const walk = (value: HelmValue, path: string[]): HelmValue | undefined => {
    if (typeof value === 'string' && Token.isUnresolved(value)) {
      set.push({ name: setPath(path), value: setStringValue(value), type: 'string' });
      return undefined;
    }
    if (typeof value === 'number' && Token.isUnresolved(value)) {
      set.push({ name: setPath(path), value: Token.asString(value), type: 'auto' });
      return undefined;
    }
    if (Array.isArray(value)) {
      if (containsToken(value)) {
        setList.push({
          name: setPath(path),
          value: (Token.isUnresolved(value)
            ? value
            : value.map((v) => (typeof v === 'number' ? Token.asString(v) : String(v)))) as string[],
        });
        return undefined;
      }
      return value;
    }
    if (isRecord(value)) {
      const out: Record<string, HelmValue> = {};
      for (const [key, child] of Object.entries(value)) {
        if (child === undefined) {
          continue;
        }
        const kept = walk(child, [...path, key]);
        if (kept !== undefined) {
          out[key] = kept;
        }
      }
      return out;
    }
    return value;
  };
  return { plain: walk(values, []) ?? {}, set, setList };
}

/**
 * @internal
 * The operator's namespace as a `kubernetes_namespace_v1` of the stack (id `Namespace`), or
 * undefined when the props say it exists already.
 */
export function operatorNamespace(
  scope: Construct,
  props: HelmOperatorProps,
  defaultNamespace: string,
  chart: string,
): KubernetesResource | undefined {
  if (props.createNamespace === false) {
    return undefined;
  }
  const existing = scope.node.tryFindChild('Namespace');
  if (existing instanceof KubernetesResource) {
    return existing;
  }
  return kubernetesResource(scope, 'Namespace', 'kubernetes_namespace_v1', {
    metadata: {
      name: props.namespace ?? defaultNamespace,
      labels: standardLabels(chart, props.releaseName ?? chart, 'namespace'),
    },
  });
}

/** @internal What an operator construct renders into its release. */
export interface OperatorReleaseSpec {
  /** The operator's class name, for messages (`CertManager`, ...). */
  readonly kind: string;
  readonly props: HelmOperatorProps;
  readonly defaultChart: PinnedChart;
  readonly defaultNamespace: string;
  /** The chart values (a typed values interface of the operator). */
  readonly values: object;
  /** Resources that must exist before Helm installs the chart. */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** @internal The rendered release and the facts operators expose. */
export interface RenderedRelease {
  readonly release: KubernetesResource;
  readonly namespace: string;
  readonly releaseName: string;
  readonly chart: ChartSource;
  readonly valuesYaml: string;
}

/**
 * @internal
 * Renders one `helm_release` through KubernetesResource (no provider classes at run time).
 * Values go in as one YAML document; Terraform references go in as `set` entries.
 */
export function renderOperatorRelease(scope: Construct, spec: OperatorReleaseSpec): RenderedRelease {
  const { props } = spec;
  // A HelmProvider for the release, a KubernetesProvider for the namespace (and the
  // controller's placeholder Ingress): a missing one fails the synth naming this operator.
  requireProviders(scope, spec.kind);
  const chart = props.chart ?? defaultChartSource(scope, spec.defaultChart);
  const namespace = props.namespace ?? spec.defaultNamespace;
  const namespaceResource = operatorNamespace(scope, props, spec.defaultNamespace, spec.defaultChart.chart);
  const dependsOn = [...(namespaceResource ? [namespaceResource] : []), ...(spec.dependsOn ?? [])].filter(
    (d, i, all) => all.indexOf(d) === i,
  );
  const releaseName = props.releaseName ?? spec.defaultChart.chart;
  const wait = props.wait ?? true;
  const { plain, set, setList } = splitTokens(spec.values as HelmValue);
  const valuesYaml = toYaml(plain);
  const location = chart.location;

  const release = kubernetesResource(scope, 'Release', 'helm_release', {
    name: releaseName,
    namespace,
    // The namespace is the stack's own resource (see operatorNamespace), never Helm's.
    createNamespace: false,
    repository: location.repository,
    chart: location.chart,
    version: location.version,
    repositoryUsername: location.repositoryUsername,
    repositoryPassword: location.repositoryPassword,
    repositoryCaFile: location.repositoryCaFile,
    repositoryCertFile: location.repositoryCertFile,
    repositoryKeyFile: location.repositoryKeyFile,
    values: [escapeTerraformTemplate(valuesYaml)],
    set: set.length > 0 ? set : undefined,
    setList: setList.length > 0 ? setList : undefined,
    wait,
    // A failed upgrade is rolled back instead of leaving a half-applied release; only
    // possible when Helm waits for readiness.
    atomic: wait,
    cleanupOnFail: true,
    timeout: props.timeoutSeconds ?? 600,
    // Every revision is a Secret in the namespace; keep a bounded history for rollbacks.
    maxHistory: 10,
    dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
  });
  return { release, namespace, releaseName, chart, valuesYaml };
}

/**
 * The base of the platform operators: each one passes its props and their schema to this
 * constructor (which validates them), computes its typed chart values and calls `install`
 * once; the release and its facts are then read here.
 */
export abstract class HelmOperator<V extends object> extends Construct {
  private installed?: RenderedRelease & { readonly values: V };

  /** @internal Checks the operator's props against its schema before it renders anything. */
  protected constructor(scope: Construct, id: string, schema: z.ZodType, props: HelmOperatorProps) {
    super(scope, id);
    validateProps(this, schema, props);
  }

  /** The `helm_release`. */
  public get release(): KubernetesResource {
    return this.rendered().release;
  }

  /** Namespace the operator runs in. */
  public get namespace(): string {
    return this.rendered().namespace;
  }

  /** Helm release name. */
  public get releaseName(): string {
    return this.rendered().releaseName;
  }

  /** The chart installed. */
  public get chart(): ChartSource {
    return this.rendered().chart;
  }

  /** The chart values. */
  public get values(): V {
    return this.rendered().values;
  }

  /** The values as the YAML document given to Helm (Terraform references excluded). */
  public get valuesYaml(): string {
    return this.rendered().valuesYaml;
  }

  /** @internal Renders the release; called once, from the operator's constructor. */
  protected install(spec: OperatorReleaseSpec & { readonly values: V }): RenderedRelease {
    if (this.installed) {
      throw new Error(`${spec.kind} installed its release twice`);
    }
    const rendered = renderOperatorRelease(this, spec);
    this.installed = { ...rendered, values: spec.values };
    return rendered;
  }

  private rendered(): RenderedRelease & { readonly values: V } {
    if (!this.installed) {
      throw new Error(
        `${this.node.path}: the operator's release is read before its constructor installed it`,
      );
    }
    return this.installed;
  }
}
