import { defineCheck } from '../check-definition';
import { DATABASE_ADVICE, singleDatabase } from '../single-database';
import { HPA_TYPES, isExpression, metadataOf, namespaceOf, one, WorkloadKind } from '../stack-model';

const REPLICATED: ReadonlySet<WorkloadKind> = new Set(['Deployment', 'StatefulSet', 'ReplicationController']);

export const productionReplicas = defineCheck({
  id: 'production-replicas',
  title: 'More than one replica',
  requirement:
    'Production Deployments, StatefulSets and ReplicationControllers run 2 or more replicas (or an autoscaler keeps at least 2).',
  appliesTo: 'production',
  soc2: ['A1.2'],
  iso27001: ['A.8.14'],
  rationale:
    'One replica is an outage at every node drain, rollout or crash (A1.2 recovery infrastructure; A.8.14 redundancy).',
  inspect(model, report) {
    const workloads = model.workloads.filter((w) => REPLICATED.has(w.kind));
    const autoscalers = model.ofTypes(HPA_TYPES);
    for (const workload of workloads) {
      const raw = one(workload.resource.attributes.spec).replicas;
      if (isExpression(raw)) {
        continue;
      }
      const replicas = raw === undefined ? 1 : Number(raw);
      const scaled = autoscalers.some((hpa) => {
        const spec = one(hpa.attributes.spec);
        const target = one(spec.scale_target_ref);
        return (
          namespaceOf(metadataOf(hpa.attributes)) === workload.namespace &&
          target.name === workload.name &&
          target.kind === workload.kind &&
          Number(spec.min_replicas ?? 1) >= 2
        );
      });
      if (replicas < 2 && !scaled) {
        report(
          workload.resource,
          `${workload.kind} "${workload.name}" runs ${replicas} replica${replicas === 1 ? '' : 's'} in production. ${
            singleDatabase(workload)
              ? DATABASE_ADVICE('production-replicas', workload.resource.path)
              : 'Run 2 or more (or an autoscaler with min_replicas >= 2), or exempt it with a reason.'
          }`,
        );
      }
    }
    return workloads.length > 0;
  },
});
