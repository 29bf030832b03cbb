import { Construct } from 'constructs';
import * as z from 'zod';

import {
  chartServiceMonitorSchema,
  chartServiceMonitorValues,
  ServiceMonitorOptions,
} from '../core/metrics-scraping';
import { ContainerResources } from '../core/resources';
import { chartDisruptionBudget, controllerPodShape, controllerPodValues } from './chart-pod-values';
import { DEFAULT_CHARTS } from './chart-source';
import { HelmOperator, HelmOperatorProps, helmOperatorSchema } from './operator-release';

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
   * `true`, or its `labels` (what your Prometheus' `serviceMonitorSelector` matches) and
   * `interval` (a shorter interval than the chart's scrape timeout shortens the timeout too:
   * the Prometheus Operator refuses a timeout longer than the interval).
   * @default false
   */
  readonly serviceMonitor?: boolean | ServiceMonitorOptions;
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
  readonly webhook: {
    readonly replicaCount: number;
    readonly podDisruptionBudget: { readonly enabled: boolean; readonly minAvailable?: number };
  };
  readonly serviceMonitor: {
    readonly enabled: boolean;
    readonly additionalLabels?: Readonly<Record<string, string>>;
    readonly interval?: string;
    readonly scrapeTimeout?: string;
  };
}

const esoSchema = helmOperatorSchema({
  ...controllerPodShape,
  serviceMonitor: chartServiceMonitorSchema.optional(),
}) satisfies z.ZodType<ExternalSecretsOperatorProps>;

/**
 * External Secrets Operator through Helm, with its CRDs (`external-secrets.io/v1`
 * `SecretStore`, `ClusterSecretStore`, `ExternalSecret`, ...). The ServiceAccount
 * annotations and pod labels carry the cloud's workload identity for the secret store.
 * Install it in a platform stack that the portal stack depends on: `kubernetes_manifest`
 * reads the CRDs at plan time.
 */
export class ExternalSecretsOperator extends HelmOperator<ExternalSecretsOperatorValues> {
  constructor(scope: Construct, id: string, props: ExternalSecretsOperatorProps = {}) {
    super(scope, id, esoSchema, props);

    const replicas = props.replicas ?? 2;
    const pdb = chartDisruptionBudget(replicas);
    const values: ExternalSecretsOperatorValues = {
      installCRDs: true,
      replicaCount: replicas,
      leaderElect: replicas > 1,
      ...controllerPodValues(props, pdb, { cpu: '500m', memory: '256Mi' }),
      webhook: { replicaCount: replicas, podDisruptionBudget: pdb },
      serviceMonitor: chartServiceMonitorValues(props.serviceMonitor, {
        labels: 'additionalLabels',
        interval: 'interval',
        defaultTimeout: '25s',
      }),
    };

    this.install({
      kind: 'ExternalSecretsOperator',
      props,
      defaultChart: DEFAULT_CHARTS.externalSecrets,
      defaultNamespace: 'external-secrets',
      values,
    });
  }
}
