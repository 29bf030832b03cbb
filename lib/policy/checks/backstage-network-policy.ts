import { defineCheck } from '../check-definition';
import { selects } from '../label-selectors';
import {
  InspectedResource,
  many,
  metadataOf,
  namespaceOf,
  NETWORK_POLICY_TYPES,
  one,
  strings,
  Workload,
} from '../stack-model';

function isBackstage(workload: Workload): boolean {
  if (
    workload.podLabels['app.kubernetes.io/name'] === 'backstage' ||
    workload.podLabels.app === 'backstage'
  ) {
    return true;
  }
  return workload.containers.some((c) => {
    const image = typeof c.image === 'string' ? c.image : '';
    const repository = image.split('@')[0]?.split('/').pop()?.split(':')[0] ?? '';
    return /backstage/i.test(repository);
  });
}

function restrictsIngress(policy: InspectedResource): boolean {
  const spec = one(policy.attributes.spec);
  const types = strings(spec.policy_types);
  if (types.length > 0 && !types.includes('Ingress')) {
    return false;
  }
  // A rule without `from` admits every source: that is no gate.
  return many(spec.ingress).every((rule) => many(rule.from).length > 0);
}

export const backstageNetworkPolicy = defineCheck({
  id: 'backstage-network-policy',
  title: 'NetworkPolicy in front of Backstage',
  requirement:
    'Every Backstage workload is selected by a NetworkPolicy of its namespace that restricts ingress to named peers.',
  appliesTo: 'all',
  soc2: ['CC6.1', 'CC6.6'],
  iso27001: ['A.8.20', 'A.8.22'],
  rationale:
    'Backstage trusts the identity headers; a pod that reaches it around the gateway can claim to be anyone (CC6.6 boundary protection; CC6.1; A.8.20 networks security; A.8.22 segregation of networks).',
  inspect(model, report) {
    const backstage = model.workloads.filter(isBackstage);
    const policies = model.ofTypes(NETWORK_POLICY_TYPES);
    for (const workload of backstage) {
      const guarded = policies.some(
        (policy) =>
          namespaceOf(metadataOf(policy.attributes)) === workload.namespace &&
          selects(one(one(policy.attributes.spec).pod_selector), workload.podLabels) &&
          restrictsIngress(policy),
      );
      if (!guarded) {
        report(
          workload.resource,
          `no NetworkPolicy in namespace "${workload.namespace}" selects these Backstage pods and restricts who may reach them. Add one that admits only the ingress controller (and the gateway where it proxies); Backstage trusts identity headers.`,
        );
      }
    }
    return backstage.length > 0;
  },
});
