import { Construct } from 'constructs';
import * as z from 'zod';

import {
  chartServiceMonitorSchema,
  chartServiceMonitorValues,
  ServiceMonitorOptions,
} from '../core/metrics-scraping';
import { ContainerResources } from '../core/resources';
import { problem } from '../core/validation';
import { chartDisruptionBudget, controllerPodShape, controllerPodValues } from './chart-pod-values';
import { DEFAULT_CHARTS } from './chart-source';
import { flag, HelmOperator, HelmOperatorProps, helmOperatorSchema } from './operator-release';

export interface CertManagerProps extends HelmOperatorProps {
  /**
   * Replicas of the controller and of the webhook (every cert-manager resource is admitted
   * by the webhook); with 2 or more each gets a PodDisruptionBudget. The controller elects
   * a leader, so only one works at a time.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Labels on the controller pods, e.g. `{ "azure.workload.identity/use": "true" }`.
   * @default - none
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * Recursive name servers (`host:port`) for the DNS-01 self check, for split-horizon DNS
   * where the cluster's resolver sees a private zone. When set, only these are asked.
   * @default - the cluster's resolver and the zone's authoritative servers
   */
  readonly dns01RecursiveNameservers?: readonly string[];
  /**
   * Create a Prometheus Operator ServiceMonitor (the metrics endpoint itself is always on).
   * Needs the ServiceMonitor CRD.
   * `true`, or its `labels` (what your Prometheus' `serviceMonitorSelector` matches) and
   * `interval` (a shorter interval than the chart's scrape timeout shortens the timeout too:
   * the Prometheus Operator refuses a timeout longer than the interval).
   * @default false
   */
  readonly serviceMonitor?: boolean | ServiceMonitorOptions;
  /**
   * Keep the CRDs (and with them every Certificate, Issuer and ClusterIssuer in the
   * cluster) when the release is uninstalled, e.g. by `cdktf destroy` of the platform stack.
   * Turn it on where other tools' certificates share this cert-manager.
   * @default false - destroying the platform stack removes everything it installed
   */
  readonly keepCrds?: boolean;
  /**
   * Turn on cert-manager's Gateway API support (`enableGatewayAPI` in its controller
   * config): the gateway-shim issues certificates for Gateway listeners annotated
   * `cert-manager.io/cluster-issuer`, and ACME issuers can answer HTTP-01 with an
   * HTTPRoute (`gatewayHTTPRoute`). The Gateway API CRDs (`gateway.networking.k8s.io/v1`)
   * must be installed first: cert-manager v1.19 exits at start when they are missing.
   * @default false
   */
  readonly gatewayApi?: boolean;
}

/** The values this construct gives the cert-manager chart. */
export interface CertManagerValues {
  /** The CRDs are part of the release; `keep` leaves them behind when it is uninstalled. */
  readonly crds: { readonly enabled: true; readonly keep: boolean };
  readonly replicaCount: number;
  readonly podDisruptionBudget: { readonly enabled: boolean; readonly minAvailable?: number };
  readonly resources: Required<ContainerResources>;
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly serviceAccount?: { readonly annotations: Readonly<Record<string, string>> };
  readonly global: { readonly leaderElection: { readonly namespace: string } };
  readonly webhook: {
    readonly replicaCount: number;
    readonly podDisruptionBudget: { readonly enabled: boolean; readonly minAvailable?: number };
  };
  readonly prometheus: {
    readonly enabled: true;
    readonly servicemonitor: {
      readonly enabled: boolean;
      readonly labels?: Readonly<Record<string, string>>;
      readonly interval?: string;
      readonly scrapeTimeout?: string;
    };
  };
  readonly dns01RecursiveNameservers?: string;
  readonly dns01RecursiveNameserversOnly?: boolean;
  /** The controller's configuration file (the chart renders it as a ControllerConfiguration). */
  readonly config?: {
    readonly apiVersion: 'controller.config.cert-manager.io/v1alpha1';
    readonly kind: 'ControllerConfiguration';
    readonly enableGatewayAPI: true;
  };
}

const nameserver = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/,
    problem('must be a name server as "host:port"', 'Write it like "10.0.0.10:53" or "[2001:db8::53]:53".'),
  );

const certManagerSchema = helmOperatorSchema({
  ...controllerPodShape,
  dns01RecursiveNameservers: z
    .array(nameserver)
    .min(1, problem('must list at least one name server', 'Leave it out to use the cluster resolver.'))
    .optional(),
  serviceMonitor: chartServiceMonitorSchema.optional(),
  keepCrds: flag.optional(),
  gatewayApi: flag.optional(),
}) satisfies z.ZodType<CertManagerProps>;

/**
 * cert-manager (v1.19.x) through Helm, with its CRDs, so `ClusterIssuer`s and
 * certificates can be planned once it is installed. Install it in a platform stack that
 * the portal stack depends on: `kubernetes_manifest` reads the CRDs at plan time.
 */
export class CertManager extends HelmOperator<CertManagerValues> {
  constructor(scope: Construct, id: string, props: CertManagerProps = {}) {
    super(scope, id, certManagerSchema, props);

    const namespace = props.namespace ?? 'cert-manager';
    const replicas = props.replicas ?? 2;
    const pdb = chartDisruptionBudget(replicas);
    const values: CertManagerValues = {
      // cert-manager's chart keeps its CRDs by default; a Terraform-managed platform removes
      // what it installed on destroy unless asked to keep them.
      crds: { enabled: true, keep: props.keepCrds ?? false },
      replicaCount: replicas,
      ...controllerPodValues(props, pdb, { cpu: '500m', memory: '512Mi' }),
      // The leader-election lease lives in cert-manager's own namespace, not kube-system
      // (which GKE Autopilot and locked-down clusters do not let it write).
      global: { leaderElection: { namespace } },
      webhook: { replicaCount: replicas, podDisruptionBudget: pdb },
      prometheus: {
        enabled: true,
        servicemonitor: chartServiceMonitorValues(props.serviceMonitor, {
          labels: 'labels',
          interval: 'interval',
          defaultTimeout: '30s',
        }),
      },
      ...(props.dns01RecursiveNameservers
        ? {
            dns01RecursiveNameservers: props.dns01RecursiveNameservers.join(','),
            dns01RecursiveNameserversOnly: true,
          }
        : {}),
      // The chart writes `config` into the controller's config file (controller-config.yaml);
      // the ExperimentalGatewayAPISupport feature gate it also needs is on by default since 1.15.
      ...(props.gatewayApi
        ? {
            config: {
              apiVersion: 'controller.config.cert-manager.io/v1alpha1',
              kind: 'ControllerConfiguration',
              enableGatewayAPI: true,
            },
          }
        : {}),
    };

    this.install({
      kind: 'CertManager',
      props,
      defaultChart: DEFAULT_CHARTS.certManager,
      defaultNamespace: 'cert-manager',
      values,
    });
  }
}
