// The deploy scenario under Terraform, where run.sh named a terraform binary (TERRAFORM).
import { describe, it } from 'vitest';

import { enginesUnderTest } from './harness/engines';
import { deployScenario } from './scenario';

const engine = enginesUnderTest().find((e) => e.name === 'terraform');
if (engine) {
  deployScenario(engine);
} else {
  describe('cdktf deploy under terraform', () => {
    it.skip('no terraform binary is named (TERRAFORM): the scenario runs under OpenTofu only', () => {});
  });
}
