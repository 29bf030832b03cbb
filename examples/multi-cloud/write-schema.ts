// Writes environment.schema.json (editor completion for environments/*.yaml) from the
// same zod schema that checks the files. `npm run schema`; a test fails if it drifts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { environmentJsonSchema } from '../../lib';

writeFileSync(
  join(__dirname, 'environment.schema.json'),
  JSON.stringify(environmentJsonSchema(), null, 2) + '\n',
);
