// The deploy scenario under OpenTofu (always: it is built by build-tools.sh).
import { enginesUnderTest } from './harness/engines';
import { deployScenario } from './scenario';

const engine = enginesUnderTest().find((e) => e.name === 'opentofu');
if (!engine) throw new Error('OpenTofu is not among the engines under test (E2E_ENGINES leaves it out?)');
deployScenario(engine);
