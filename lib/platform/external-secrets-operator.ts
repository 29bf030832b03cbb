import { Construct } from 'constructs';
import * as z from 'zod';
import { KubernetesResource } from '../core/kubernetes-resource';
import { ContainerResources } from '../core/resources';
import { positiveInt } from '../core/schemas';
import { validateProps } from '../core/validation';
import { ChartSource, DEFAULT_CHARTS } from './chart-source';
import { HelmOperatorProps, flag, chartIssues, helmOperatorShape, labelMap, renderOperatorRelease, withDefaultResources } from './operator-release';

export interface ExternalSecretsOperatorProps extends HelmOperatorProps {
  /**
   * Replicas of the controller (leader-elected) and of its admission webhook (which
   * refuses ExternalSecrets while it is down); with 2 or more each gets a
   * PodDisruptionBudget.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Labels on the controller pods, e.g. `{ "azure.workload.identity/use": "true" }`.
   * @default - none
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * Create a Prometheus Operator ServiceMonitor. Needs the ServiceMonitor CRD.
   * @default false
   */
  readonly serviceMonitor?: boolean;
}

/** The values this construct gives the external-secrets chart. */
export interface ExternalSecretsOperatorValues {
  /** The `external-secrets.io` CRDs are part of the release. */
  readonly installCRDs: true;
  readonly replicaCount: number;
  /** On whenever there is more than one replica, so only one reconciles. */
  readonly leaderElect: boolean;
  readonly podDisruptionBudget: { readonly enabled: boolean; readonly minAvailable?: number };
  readonly resources: Required<ContainerResources>;
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly serviceAccount?: { readonly annotations: Readonly<Record<string, string>> };
  readonly webhook: { readonly replicaCount: number; readonly podDisruptionBudget: { readonly enabled: boolean; readonly minAvailable?: number } };
  readonly serviceMonitor: { readonly enabled: boolean };
}

const esoSchema = z
  .strictObject({
    ...helmOperatorShape,
    replicas: positiveInt('replicas').optional(),
    podLabels: labelMap.optional(),
    serviceMonitor: flag.optional(),
  })
  .superRefine((props, ctx) => chartIssues(ctx, props.chart)) satisfies z.ZodType<ExternalSecretsOperatorProps>;

/**
 * External Secrets Operator through Helm, with its CRDs (`external-secrets.io/v1`
 * `SecretStore`, `ClusterSecretStore`, `ExternalSecret`, ...). The ServiceAccount
 * annotations and pod labels carry the cloud's workload identity for the secret store.
 * Install it in a platform stack that the portal stack depends on: `kubernetes_manifest`
 * reads the CRDs at plan time.
 */
export class ExternalSecretsOperator extends Construct {
  /** The `helm_release`. */
  public readonly release: KubernetesResource;
  /** Namespace the operator runs in. */
  public readonly namespace: string;
  /** Helm release name. */
  public readonly releaseName: string;
  /** The chart installed. */
  public readonly chart: ChartSource;
  /** The chart values. */
  public readonly values: ExternalSecretsOperatorValues;
  /** The values as the YAML document given to Helm (Terraform references excluded). */
  public readonly valuesYaml: string;

  constructor(scope: Construct, id: string, props: ExternalSecretsOperatorProps = {}) {
    super(scope, id);
    validateProps(this, esoSchema, props);

    const replicas = props.replicas ?? 2;
    const pdb = replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false };
    const values: ExternalSecretsOperatorValues = {
      installCRDs: true,
      replicaCount: replicas,
      leaderElect: replicas > 1,
      podDisruptionBudget: pdb,
      resources: withDefaultResources(props.resources, { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } }),
      ...(props.podLabels ? { podLabels: { ...props.podLabels } } : {}),
      ...(props.serviceAccountAnnotations ? { serviceAccount: { annotations: { ...props.serviceAccountAnnotations } } } : {}),
      webhook: { replicaCount: replicas, podDisruptionBudget: pdb },
      serviceMonitor: { enabled: props.serviceMonitor ?? false },
    };

    const rendered = renderOperatorRelease(this, { kind: 'ExternalSecretsOperator', props, defaultChart: DEFAULT_CHARTS.externalSecrets, defaultNamespace: 'external-secrets', values });
    this.release = rendered.release;
    this.namespace = rendered.namespace;
    this.releaseName = rendered.releaseName;
    this.chart = rendered.chart;
    this.values = values;
    this.valuesYaml = rendered.valuesYaml;
  }
}
