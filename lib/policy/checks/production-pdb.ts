import { defineCheck } from '../check-definition';
import { selects } from '../label-selectors';
import { DATABASE_ADVICE, singleDatabase } from '../single-database';
import { metadataOf, namespaceOf, one, PDB_TYPES } from '../stack-model';

export const productionPdb = defineCheck({
  id: 'production-pdb',
  title: 'PodDisruptionBudget',
  requirement:
    'Every production Deployment and StatefulSet is selected by a PodDisruptionBudget of its namespace.',
  appliesTo: 'production',
  soc2: ['A1.2'],
  iso27001: ['A.8.14'],
  rationale:
    'Without a PDB a node drain may evict every replica at once (A1.2 availability; A.8.14 redundancy).',
  inspect(model, report) {
    const workloads = model.workloads.filter((w) => w.kind === 'Deployment' || w.kind === 'StatefulSet');
    const budgets = model.ofTypes(PDB_TYPES);
    for (const workload of workloads) {
      const covered = budgets.some(
        (pdb) =>
          namespaceOf(metadataOf(pdb.attributes)) === workload.namespace &&
          selects(one(one(pdb.attributes.spec).selector), workload.podLabels),
      );
      if (!covered) {
        report(
          workload.resource,
          `no PodDisruptionBudget selects the pods of ${workload.kind} "${workload.name}". ${
            singleDatabase(workload)
              ? DATABASE_ADVICE('production-pdb', workload.resource.path)
              : 'Add one (max_unavailable = 1) selecting its pod labels.'
          }`,
        );
      }
    }
    return workloads.length > 0;
  },
});
