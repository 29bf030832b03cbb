// The values of an operator's pods that the charts name alike (disruption budget, resources,
// pod labels, ServiceAccount annotations), and the props they come from. Kept apart from the
// release itself (operator-release.ts), which installs whatever values an operator builds.
import { ContainerResources } from '../core/resources';
import { positiveInt } from '../core/schemas';
import { type HelmOperatorProps, labelMap } from './operator-release';

/**
 * @internal
 * A chart's `podDisruptionBudget` values for `replicas`: one that keeps a pod up, but only
 * with more than one replica (with one it would block every node drain).
 */
export function chartDisruptionBudget(replicas: number): {
  readonly enabled: boolean;
  readonly minAvailable?: number;
} {
  return replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false };
}

/** @internal The chart's `serviceAccount.annotations` (workload identity), only when given. */
export function serviceAccountValues(props: HelmOperatorProps): {
  readonly serviceAccount?: { readonly annotations: Readonly<Record<string, string>> };
} {
  return props.serviceAccountAnnotations
    ? { serviceAccount: { annotations: { ...props.serviceAccountAnnotations } } }
    : {};
}

/** @internal Requests and limits with the operator's defaults filled in. */
export function withDefaultResources(
  given: ContainerResources | undefined,
  defaults: Required<ContainerResources>,
): Required<ContainerResources> {
  return {
    requests: { ...defaults.requests, ...given?.requests },
    limits: { ...defaults.limits, ...given?.limits },
  };
}

/**
 * @internal
 * The props of a controller's pods that cert-manager and External Secrets take alike (read by
 * `controllerPodValues`): how many replicas, and labels for the pods (a cloud's workload
 * identity may need one).
 */
export const controllerPodShape = {
  replicas: positiveInt('replicas').optional(),
  podLabels: labelMap.optional(),
};

/**
 * @internal
 * The values of a controller's pods that cert-manager's and External Secrets' charts name
 * alike, in the order both write them: the disruption budget, the resources (10m CPU and
 * 64Mi requested; `limits` are the operator's), the pod labels and the ServiceAccount.
 */
export function controllerPodValues(
  props: HelmOperatorProps & { readonly podLabels?: Readonly<Record<string, string>> },
  podDisruptionBudget: ReturnType<typeof chartDisruptionBudget>,
  limits: Required<ContainerResources>['limits'],
) {
  return {
    podDisruptionBudget,
    resources: withDefaultResources(props.resources, { requests: { cpu: '10m', memory: '64Mi' }, limits }),
    ...(props.podLabels ? { podLabels: { ...props.podLabels } } : {}),
    ...serviceAccountValues(props),
  };
}
