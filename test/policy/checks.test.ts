// The registry: every check file is one check, named after its id and listed once, and
// the public table is exactly the registry's rows.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

import { GUARDRAIL_CHECKS } from '../../lib';
import type { CheckDefinition } from '../../lib/policy/check-definition';
import { CHECKS } from '../../lib/policy/checks';

const dir = path.join(__dirname, '../../lib/policy/checks');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));

describe('the check registry', () => {
  it('lists every file of lib/policy/checks, each one check named after its id', async () => {
    const defined: CheckDefinition[] = [];
    for (const file of files) {
      const exported = Object.values((await import(path.join(dir, file))) as Record<string, CheckDefinition>);
      expect(exported, file).toHaveLength(1);
      expect(`${exported[0]?.id}.ts`).toBe(file);
      defined.push(exported[0] as CheckDefinition);
    }
    expect(CHECKS.map((c) => c.id).sort()).toEqual(defined.map((c) => c.id).sort());
    for (const check of defined) {
      expect(CHECKS).toContain(check);
    }
    expect(CHECKS).toHaveLength(files.length);
  });

  it('publishes the rows without the evaluators, in registry order, frozen', () => {
    expect(Object.isFrozen(GUARDRAIL_CHECKS)).toBe(true);
    expect(GUARDRAIL_CHECKS.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
    for (const [index, row] of GUARDRAIL_CHECKS.entries()) {
      expect(Object.keys(row)).toEqual([
        'id',
        'title',
        'requirement',
        'appliesTo',
        'soc2',
        'iso27001',
        'rationale',
      ]);
      expect({ ...row, evaluate: CHECKS[index]?.evaluate }).toEqual(CHECKS[index]);
    }
  });
});
