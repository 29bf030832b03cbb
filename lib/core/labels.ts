/** The recommended `app.kubernetes.io/*` labels, so the objects group in every dashboard. */
export function standardLabels(name: string, instance: string, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': instance,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'backstage-portal',
    'app.kubernetes.io/managed-by': 'cdktf-backstage',
  };
}

/** The stable subset used in selectors: selectors of Deployments are immutable. */
export function selectorLabels(name: string, instance: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': instance,
  };
}

/** Turns a construct id or variable name into a Kubernetes-safe name fragment. */
export function toKubernetesName(value: string): string {
  const name = value
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return name.slice(0, 63).replace(/-$/, '') || 'x';
}

/**
 * Reloader (annotations strategy) restarts a workload by stamping this annotation on its
 * pod template. Terraform must leave it alone, or the next apply removes it and rolls the
 * pods once more.
 */
export const RELOADER_RESTART_ANNOTATION_PATH =
  'spec[0].template[0].metadata[0].annotations["reloader.stakater.com/last-reloaded-from"]';
