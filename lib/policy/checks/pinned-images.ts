import { pinnedImage } from '../../core/schemas';
import { CheckOutcome, GuardrailFinding, defineCheck, finding } from '../check-definition';
import { StackModel, containerName, isExpression } from '../stack-model';

export const pinnedImages = defineCheck({
  id: 'pinned-images',
  title: 'Pinned images',
  requirement: 'Every container image names a version tag other than "latest", or a digest.',
  appliesTo: 'all',
  soc2: ['CC8.1'],
  iso27001: ['A.8.32', 'A.8.19'],
  rationale: 'An unpinned image changes what runs without a reviewed change (CC8.1 change management; A.8.32 change management; A.8.19 installation of software on operational systems).',
  evaluate(model: StackModel): CheckOutcome {
    const findings: GuardrailFinding[] = [];
    for (const workload of model.workloads) {
      for (const container of workload.containers) {
        const image = container.image;
        if (typeof image !== 'string' || isExpression(image)) {
          continue;
        }
        if (!pinnedImage.safeParse(image).success) {
          findings.push(
            finding('pinned-images', workload.resource, `container "${containerName(container)}" runs "${image}", which is not pinned. Use a release tag (":1.2.3") or a digest ("@sha256:...").`),
          );
        }
      }
    }
    return { applicable: model.workloads.length > 0, findings };
  },
});
