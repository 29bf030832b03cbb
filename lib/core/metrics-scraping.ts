// Metrics of the workloads this library runs (oauth2-proxy's own, Backstage's when its app
// exports them), opened to one scraper and nobody else: the NetworkPolicy that keeps every
// other pod away from Backstage and the gateway admits the scraper on the metrics port only.
import * as z from 'zod';

import { prometheusDurationMs } from './duration';
import { KubernetesResource, kubernetesResource } from './kubernetes-resource';
import { labelMap, PeerSelector, peerSelectorSchema } from './network';
import { nestedIssues, problem } from './validation';
import type { WorkloadIdentity } from './workload';

/** A Prometheus Operator `ServiceMonitor` for a workload's Service. */
export interface ServiceMonitorOptions {
  /**
   * Labels of the ServiceMonitor: what your Prometheus' `serviceMonitorSelector` matches
   * (kube-prometheus-stack selects `release: <its release name>` by default).
   * @default - none: a Prometheus that selects every ServiceMonitor
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * How often Prometheus scrapes, a Prometheus duration such as "30s" or "1m".
   * @default - Prometheus' global `scrape_interval`
   */
  readonly interval?: string;
}

/** Who scrapes a workload's metrics, and how the scraper finds them. */
export interface MetricsScraping {
  /**
   * The scraping pods (Prometheus, an OpenTelemetry Collector, a Datadog or Grafana agent).
   * The workload's NetworkPolicy admits them on its metrics port, and on no other port.
   */
  readonly scraper: PeerSelector;
  /**
   * Render a Prometheus Operator `ServiceMonitor` (`monitoring.coreos.com/v1`) for the
   * workload's `metrics` Service port. Like every custom resource it needs its CRD at plan
   * time: install the operator (or its CRDs) from an earlier stack.
   * @default - none: the pods carry the `prometheus.io/scrape`, `prometheus.io/port` and
   * `prometheus.io/path` annotations, which annotation-based discovery reads
   */
  readonly serviceMonitor?: ServiceMonitorOptions;
}

/**
 * The Prometheus duration a ServiceMonitor's `interval` takes: the CRD's own pattern, with at
 * least one unit (the pattern alone admits an empty string).
 */
const PROMETHEUS_DURATION =
  /^(?=[0-9])(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;

/** @internal */
export const serviceMonitorSchema = z.strictObject({
  labels: labelMap.optional(),
  interval: z
    .string()
    .regex(
      PROMETHEUS_DURATION,
      problem(
        'must be a Prometheus duration such as "30s" or "1m"',
        'Use whole numbers, each followed by y, w, d, h, m, s or ms, largest first.',
      ),
    )
    .refine(
      (value) => /[1-9]/.test(value),
      problem('must be longer than zero', 'Leave it out for the global scrape interval, or give e.g. "30s".'),
    )
    .optional(),
}) satisfies z.ZodType<ServiceMonitorOptions>;

/** @internal The fields of {@link MetricsScraping}, to spread into a schema that adds its own. */
export const metricsScrapingShape = {
  scraper: peerSelectorSchema,
  serviceMonitor: serviceMonitorSchema.optional(),
};

/** @internal */
export const metricsScrapingSchema = z.strictObject(
  metricsScrapingShape,
) satisfies z.ZodType<MetricsScraping>;

/** @internal Where a workload's container serves its metrics. */
export interface MetricsEndpoint {
  readonly port: number;
  readonly path: string;
}

/** @internal The annotations that annotation-based discovery (Prometheus' `kubernetes-pods` job, agents) reads on a pod. */
export function metricsPodAnnotations(endpoint: MetricsEndpoint): Record<string, string> {
  return {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(endpoint.port),
    'prometheus.io/path': endpoint.path,
  };
}

/** @internal A workload's metrics: who scrapes them, and where its container serves them. */
export interface ScrapedMetrics {
  readonly scraping: MetricsScraping;
  readonly endpoint: MetricsEndpoint;
}

/**
 * @internal The ServiceMonitor of a workload, when its `metrics` ask for one: its Service by
 * the workload's selector labels (which its Service carries and no other workload's does),
 * the `metrics` port, in the Service's namespace (a ServiceMonitor selects Services of its
 * own namespace by default).
 */
export function workloadServiceMonitor(
  w: WorkloadIdentity,
  metrics: ScrapedMetrics | undefined,
): KubernetesResource | undefined {
  const options = metrics?.scraping.serviceMonitor;
  if (!metrics || !options) {
    return undefined;
  }
  return kubernetesResource(w.scope, 'ServiceMonitor', 'kubernetes_manifest', {
    manifest: {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: {
        name: w.name,
        namespace: w.namespace,
        labels: { ...w.labels, ...(options.labels ?? {}) },
      },
      spec: {
        selector: { matchLabels: { ...w.selector } },
        endpoints: [
          {
            port: 'metrics',
            path: metrics.endpoint.path,
            scheme: 'http',
            ...(options.interval !== undefined ? { interval: options.interval } : {}),
          },
        ],
      },
    },
  });
}

/**
 * @internal An operator chart's ServiceMonitor switch: `true`, `false`, or the options (which
 * turn it on). A plain union would report one "no branch matched" for a bad interval; this
 * reports the option's own problem.
 */
export const chartServiceMonitorSchema = z.unknown().superRefine((value, ctx) => {
  if (typeof value === 'boolean') {
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({
      code: 'custom',
      message: problem(
        'must be true, false or { labels, interval }',
        "Give true for a ServiceMonitor with the chart's defaults, or its labels and interval.",
      ),
    });
    return;
  }
  nestedIssues(ctx, [], serviceMonitorSchema, value);
}) as unknown as z.ZodType<boolean | ServiceMonitorOptions>;

/** @internal How an operator chart spells its ServiceMonitor values. */
export interface ChartServiceMonitorKeys<L extends string, I extends string> {
  /** The key of the ServiceMonitor's labels (`labels`, `additionalLabels`). */
  readonly labels: L;
  /** The key of the interval (`interval`, `scrapeInterval`). */
  readonly interval: I;
  /** The scrape timeout the chart (or Prometheus) uses when none is given. */
  readonly defaultTimeout: string;
}

/** @internal A chart's ServiceMonitor values, under its own keys. */
export type ChartServiceMonitorValues<L extends string, I extends string> = {
  readonly enabled: boolean;
  readonly scrapeTimeout?: string;
} & { readonly [K in L]?: Readonly<Record<string, string>> } & { readonly [K in I]?: string };

/**
 * @internal A chart's ServiceMonitor values from the switch: on or off, the labels and the
 * interval under the chart's own keys, and a scrape timeout only where the interval is shorter
 * than the chart's (the Prometheus Operator refuses a ServiceMonitor whose timeout is longer
 * than its interval, and the charts default to fixed timeouts that a short interval undercuts).
 */
export function chartServiceMonitorValues<L extends string, I extends string>(
  value: boolean | ServiceMonitorOptions | undefined,
  keys: ChartServiceMonitorKeys<L, I>,
): ChartServiceMonitorValues<L, I> {
  if (value === undefined || typeof value === 'boolean') {
    return { enabled: value ?? false } as ChartServiceMonitorValues<L, I>;
  }
  const shorter =
    value.interval !== undefined &&
    prometheusDurationMs(value.interval) < prometheusDurationMs(keys.defaultTimeout);
  return {
    enabled: true,
    ...(value.labels ? { [keys.labels]: { ...value.labels } } : {}),
    ...(value.interval !== undefined ? { [keys.interval]: value.interval } : {}),
    ...(shorter ? { scrapeTimeout: value.interval } : {}),
    // Keys computed from type parameters do not narrow: the spreads above are those types.
  } as ChartServiceMonitorValues<L, I>;
}
