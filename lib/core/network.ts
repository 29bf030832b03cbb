import * as z from 'zod';

import { problem } from './validation';

/** Pods allowed to reach a workload, selected by namespace labels and pod labels. */
export interface PeerSelector {
  /** Labels of the namespace the peers run in. */
  readonly namespaceLabels: Readonly<Record<string, string>>;
  /**
   * Labels of the peer pods.
   * @default - every pod of the selected namespaces
   */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** The ingress-nginx controller as its Helm chart labels it, in namespace `ingress-nginx`. */
export const INGRESS_NGINX_CONTROLLER: PeerSelector = Object.freeze({
  namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
  podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
});

/** The F5 NGINX Ingress Controller as its Helm chart labels it, in namespace `nginx-ingress`. */
export const F5_NGINX_INGRESS_CONTROLLER: PeerSelector = Object.freeze({
  namespaceLabels: { 'kubernetes.io/metadata.name': 'nginx-ingress' },
  podLabels: { 'app.kubernetes.io/name': 'nginx-ingress' },
});

/** @internal Kubernetes label keys and values (selectors, the labels of objects we render). */
export const labelMap = z.record(
  z
    .string()
    .regex(
      /^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
      problem('must be a valid label key', 'Use e.g. "app.kubernetes.io/name".'),
    ),
  z
    .string()
    .regex(
      /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/,
      problem('must be a valid label value', 'Use at most 63 letters, digits, "-", "_" and ".".'),
    ),
);

/** @internal */
export const peerSelectorSchema = z.strictObject({
  namespaceLabels: labelMap.refine(
    (m) => Object.keys(m).length > 0,
    problem(
      'must select at least one label',
      'An empty selector admits every namespace; name the ingress controller\'s namespace, e.g. {"kubernetes.io/metadata.name": "ingress-nginx"}.',
    ),
  ),
  podLabels: labelMap.optional(),
}) satisfies z.ZodType<PeerSelector>;

/** A NetworkPolicy `from` entry for a peer selector. */
export function networkPolicyPeer(peer: PeerSelector) {
  return {
    namespaceSelector: { matchLabels: { ...peer.namespaceLabels } },
    ...(peer.podLabels ? { podSelector: { matchLabels: { ...peer.podLabels } } } : {}),
  };
}

/**
 * A NetworkPolicy `from` entry for a network (CIDR): for a data plane outside the cluster,
 * such as a cloud load balancer whose proxies reach the pods from known ranges, which no
 * pod selector can name.
 */
export function networkPolicySourceRange(cidr: string) {
  return { ipBlock: { cidr } };
}
