import { defineCheck } from '../check-definition';
import { containerName, isExpression, one, truthy } from '../stack-model';

export const nonRootContainers = defineCheck({
  id: 'non-root-containers',
  title: 'Non-root containers',
  requirement:
    "Every container runs with run_as_non_root = true (its own or the pod's) and never run_as_user = 0.",
  appliesTo: 'all',
  soc2: ['CC6.1', 'CC6.8'],
  iso27001: ['A.8.2', 'A.8.9'],
  rationale:
    'A compromised process running as root is one step from the node (CC6.1 least privilege; CC6.8 containment of malicious software; A.8.2 privileged access rights; A.8.9 secure configuration).',
  inspect(model, report) {
    for (const { workload, container } of model.containers) {
      // The container's own security context wins over the pod's.
      const pod = one(workload.podSpec.security_context);
      const own = one(container.security_context);
      const nonRoot = own.run_as_non_root ?? pod.run_as_non_root;
      const user = own.run_as_user ?? pod.run_as_user;
      const name = containerName(container);
      if (user === 0 || user === '0') {
        report(
          workload.resource,
          `container "${name}" runs as user 0 (root). Run it as a non-zero uid with run_as_non_root = true.`,
        );
      } else if (!truthy(nonRoot) && !isExpression(nonRoot)) {
        report(
          workload.resource,
          `container "${name}" may run as root (run_as_non_root is not true). Set security_context.run_as_non_root = true and a non-zero run_as_user.`,
        );
      }
    }
    return model.workloads.length > 0;
  },
});
