import { pinnedImage } from '../../core/schemas';
import { defineCheck } from '../check-definition';
import { containerName, isExpression } from '../stack-model';

export const pinnedImages = defineCheck({
  id: 'pinned-images',
  title: 'Pinned images',
  requirement: 'Every container image names a version tag other than "latest", or a digest.',
  appliesTo: 'all',
  soc2: ['CC8.1'],
  iso27001: ['A.8.32', 'A.8.19'],
  rationale:
    'An unpinned image changes what runs without a reviewed change (CC8.1 change management; A.8.32 change management; A.8.19 installation of software on operational systems).',
  inspect(model, report) {
    for (const { workload, container } of model.containers) {
      const image = container.image;
      // An image from a Terraform expression is only known at plan time.
      if (typeof image === 'string' && !isExpression(image) && !pinnedImage.safeParse(image).success) {
        report(
          workload.resource,
          `container "${containerName(container)}" runs "${image}", which is not pinned. Use a release tag (":1.2.3") or a digest ("@sha256:...").`,
        );
      }
    }
    return model.workloads.length > 0;
  },
});
