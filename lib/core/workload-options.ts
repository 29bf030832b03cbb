// The props that Backstage and the oauth2-proxy gateway take alike, checked by one schema
// shape: a rule such as "namespace is not a kube-* system namespace" or "replicas is a
// positive whole number" then reads the same for both and cannot drift between them.
import { peerSelectorSchema } from './network';
import { hostName, kubernetesName, positiveInt, resources, workloadNamespace } from './schemas';

/** @internal Spread into a workload's props schema, before its own fields. */
export const workloadOptionsShape = {
  namespace: workloadNamespace,
  host: hostName,
  name: kubernetesName.optional(),
  replicas: positiveInt('replicas').optional(),
  resources: resources.optional(),
  ingressController: peerSelectorSchema.optional(),
};
