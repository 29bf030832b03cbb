// What Backstage and the oauth2-proxy gateway (and any later long-running workload) render
// alike: the Reloader wiring for secrets, node spreading, resources with defaults, and the
// Service, PodDisruptionBudget and NetworkPolicy around the Deployment.
import { Construct } from 'constructs';

import { KubernetesResource, kubernetesResource } from './kubernetes-resource';
import { RELOADER_RESTART_ANNOTATION_PATH } from './labels';
import type { ScrapedMetrics } from './metrics-scraping';
import { networkPolicyPeer, networkPolicySourceRange, PeerSelector } from './network';
import { ContainerResources } from './resources';

/** The objects of one workload share its name, namespace and labels. */
export interface WorkloadIdentity {
  readonly scope: Construct;
  readonly name: string;
  readonly namespace: string;
  /** Labels of every object (standardLabels). */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels selecting the pods (selectorLabels). */
  readonly selector: Readonly<Record<string, string>>;
}

/** A Secret the workload reads, and who writes it (see SecretRef's BoundSecret). */
export interface ReadSecret {
  readonly secretName: string;
  readonly owner: string;
}

/**
 * Secrets and ConfigMaps written outside Terraform (existing Secrets, External Secrets, a CA
 * bundle such as `kube-root-ca.crt` or a trust-manager Bundle) restart the pods through
 * Stakater Reloader when they change, since the programs read them only at start: the
 * Deployment names them in Reloader's annotations, and Terraform must then leave Reloader's
 * restart stamp on the pod template alone.
 */
export function reloaderWiring(
  secrets: readonly ReadSecret[],
  configMaps: readonly string[] = [],
): {
  readonly annotations: Record<string, string>;
  readonly ignoreChanges: string[];
} {
  const externallyManaged = [
    ...new Set(secrets.filter((s) => s.owner !== 'terraform').map((s) => s.secretName)),
  ];
  const watchedConfigMaps = [...new Set(configMaps)];
  const annotations: Record<string, string> = {
    ...(externallyManaged.length > 0
      ? { 'secret.reloader.stakater.com/reload': externallyManaged.join(',') }
      : {}),
    ...(watchedConfigMaps.length > 0
      ? { 'configmap.reloader.stakater.com/reload': watchedConfigMaps.join(',') }
      : {}),
  };
  return Object.keys(annotations).length > 0
    ? { annotations, ignoreChanges: [RELOADER_RESTART_ANNOTATION_PATH] }
    : { annotations: {}, ignoreChanges: [] };
}

/** The metadata of each object of the workload; annotations only when there are some. */
export function workloadMetadata(w: WorkloadIdentity, annotations: Readonly<Record<string, string>> = {}) {
  return {
    name: w.name,
    namespace: w.namespace,
    labels: { ...w.labels },
    ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
  };
}

/** Spreads the replicas over nodes where it can, without blocking scheduling where it cannot. */
export function spreadAcrossNodes(selector: Readonly<Record<string, string>>) {
  return [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: [{ matchLabels: { ...selector } }],
    },
  ];
}

/** The given resources, each value that is left out taken from the defaults. */
export function resourcesWithDefaults(
  given: ContainerResources | undefined,
  defaults: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  },
) {
  return {
    requests: {
      cpu: given?.requests?.cpu ?? defaults.requests.cpu,
      memory: given?.requests?.memory ?? defaults.requests.memory,
    },
    limits: {
      cpu: given?.limits?.cpu ?? defaults.limits.cpu,
      memory: given?.limits?.memory ?? defaults.limits.memory,
    },
  };
}

/** A probe that GETs `path` on the container's `http` port, with the probe's own timing. */
export function workloadHttpProbe(
  path: string,
  timing: {
    readonly periodSeconds: number;
    readonly timeoutSeconds?: number;
    readonly failureThreshold?: number;
  },
) {
  return { httpGet: { path, port: 'http' }, ...timing };
}

/**
 * A ClusterIP Service on the pods' `http` port, and on their `metrics` port when they are
 * scraped (what a ServiceMonitor names; the ingress and the routes only ever name `http`).
 */
export function workloadService(
  w: WorkloadIdentity,
  port: number,
  metrics?: ScrapedMetrics,
): KubernetesResource {
  return kubernetesResource(w.scope, 'Service', 'kubernetes_service_v1', {
    metadata: workloadMetadata(w),
    spec: {
      type: 'ClusterIP',
      selector: { ...w.selector },
      port: [
        { name: 'http', port, targetPort: 'http', protocol: 'TCP' },
        ...(metrics
          ? [{ name: 'metrics', port: metrics.endpoint.port, targetPort: 'metrics', protocol: 'TCP' }]
          : []),
      ],
    },
  });
}

/** One pod at a time may be evicted; maxUnavailable (not minAvailable) never blocks a drain of a single replica. */
export function workloadDisruptionBudget(w: WorkloadIdentity): KubernetesResource {
  return kubernetesResource(w.scope, 'Pdb', 'kubernetes_pod_disruption_budget_v1', {
    metadata: workloadMetadata(w),
    spec: { maxUnavailable: '1', selector: { matchLabels: { ...w.selector } } },
  });
}

/**
 * Admits only the named peers (pods, and networks outside the cluster), on the one port;
 * and the scraper of its metrics, on the metrics port alone.
 */
export function workloadNetworkPolicy(
  w: WorkloadIdentity,
  peers: readonly PeerSelector[],
  port: number,
  sourceRanges: readonly string[] = [],
  metrics?: ScrapedMetrics,
): KubernetesResource {
  return kubernetesResource(w.scope, 'NetworkPolicy', 'kubernetes_network_policy_v1', {
    metadata: workloadMetadata(w),
    spec: {
      podSelector: { matchLabels: { ...w.selector } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [...peers.map(networkPolicyPeer), ...sourceRanges.map(networkPolicySourceRange)],
          ports: [{ port: String(port), protocol: 'TCP' }],
        },
        ...(metrics
          ? [
              {
                from: [networkPolicyPeer(metrics.scraping.scraper)],
                ports: [{ port: String(metrics.endpoint.port), protocol: 'TCP' }],
              },
            ]
          : []),
      ],
    },
  });
}
