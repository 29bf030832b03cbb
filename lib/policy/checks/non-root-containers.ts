import { CheckOutcome, GuardrailFinding, defineCheck, finding } from '../check-definition';
import { StackModel, containerName, isExpression, one, truthy } from '../stack-model';

export const nonRootContainers = defineCheck({
  id: 'non-root-containers',
  title: 'Non-root containers',
  requirement: 'Every container runs with run_as_non_root = true (its own or the pod\'s) and never run_as_user = 0.',
  appliesTo: 'all',
  soc2: ['CC6.1', 'CC6.8'],
  iso27001: ['A.8.2', 'A.8.9'],
  rationale: 'A compromised process running as root is one step from the node (CC6.1 least privilege; CC6.8 containment of malicious software; A.8.2 privileged access rights; A.8.9 secure configuration).',
  evaluate(model: StackModel): CheckOutcome {
    const findings: GuardrailFinding[] = [];
    for (const workload of model.workloads) {
      const pod = one(workload.podSpec.security_context);
      for (const container of workload.containers) {
        const own = one(container.security_context);
        const nonRoot = own.run_as_non_root ?? pod.run_as_non_root;
        const user = own.run_as_user ?? pod.run_as_user;
        const name = containerName(container);
        if (user === 0 || user === '0') {
          findings.push(finding('non-root-containers', workload.resource, `container "${name}" runs as user 0 (root). Run it as a non-zero uid with run_as_non_root = true.`));
        } else if (!truthy(nonRoot) && !isExpression(nonRoot)) {
          findings.push(finding('non-root-containers', workload.resource, `container "${name}" may run as root (run_as_non_root is not true). Set security_context.run_as_non_root = true and a non-zero run_as_user.`));
        }
      }
    }
    return { applicable: model.workloads.length > 0, findings };
  },
});
