import { defineCheck } from '../check-definition';
import { containerName, one, stringMap } from '../stack-model';

export const containerLimits = defineCheck({
  id: 'container-limits',
  title: 'Container resource limits',
  requirement: 'Every container and init container sets resources.limits.cpu and resources.limits.memory.',
  appliesTo: 'all',
  soc2: ['A1.1'],
  iso27001: ['A.8.6'],
  rationale:
    'An unbounded container can starve its neighbours on the node, the gateway included (A1.1 capacity; A.8.6 capacity management).',
  inspect(model, report) {
    for (const { workload, container } of model.containers) {
      const limits = stringMap(one(container.resources).limits);
      const missing = ['cpu', 'memory'].filter((k) => limits[k] === undefined || limits[k] === '');
      if (missing.length > 0) {
        report(
          workload.resource,
          `container "${containerName(container)}" has no ${missing.join(' or ')} limit. Set resources.limits.cpu and resources.limits.memory.`,
        );
      }
    }
    return model.workloads.length > 0;
  },
});
