import { describe, expect, it } from 'vitest';

import { selects } from '../../lib/policy/label-selectors';

// The pod labels every case below is evaluated against.
const labels = { app: 'backstage', tier: 'web', shard: '1' };

describe('selects', () => {
  it('selects nothing without a selector, and every pod with an empty one', () => {
    expect(selects(undefined, labels)).toBe(false);
    expect(selects({}, labels)).toBe(true);
  });

  it('needs every match_labels pair, whichever way the block is rendered', () => {
    expect(selects({ match_labels: { app: 'backstage', tier: 'web' } }, labels)).toBe(true);
    expect(selects({ match_labels: [{ app: 'backstage' }] }, labels)).toBe(true);
    // Numbers in the synthesized JSON compare as the label strings they become.
    expect(selects({ match_labels: { shard: 1 } }, labels)).toBe(true);
    expect(selects({ match_labels: { app: 'backstage', tier: 'api' } }, labels)).toBe(false);
    expect(selects({ match_labels: { team: 'platform' } }, labels)).toBe(false);
  });

  it('evaluates In, NotIn, Exists and DoesNotExist', () => {
    const by = (key: string, operator: string, values?: string[] | string) =>
      selects({ match_expressions: [{ key, operator, values }] }, labels);
    expect(by('tier', 'In', ['web', 'api'])).toBe(true);
    expect(by('tier', 'In', 'web')).toBe(true);
    expect(by('tier', 'In', ['api'])).toBe(false);
    expect(by('team', 'In', ['platform'])).toBe(false);
    expect(by('tier', 'NotIn', ['api'])).toBe(true);
    expect(by('tier', 'NotIn', ['web'])).toBe(false);
    expect(by('team', 'NotIn', ['platform'])).toBe(true);
    expect(by('tier', 'Exists')).toBe(true);
    expect(by('team', 'Exists')).toBe(false);
    expect(by('team', 'DoesNotExist')).toBe(true);
    expect(by('tier', 'DoesNotExist')).toBe(false);
  });

  it('proves nothing with an operator it cannot evaluate', () => {
    expect(selects({ match_expressions: [{ key: 'shard', operator: 'Gt', values: ['0'] }] }, labels)).toBe(
      false,
    );
  });

  it('needs match_labels and every expression to hold together', () => {
    expect(
      selects(
        {
          match_labels: { app: 'backstage' },
          match_expressions: { key: 'tier', operator: 'In', values: ['web'] },
        },
        labels,
      ),
    ).toBe(true);
    expect(
      selects(
        {
          match_labels: { app: 'backstage' },
          match_expressions: [
            { key: 'tier', operator: 'Exists' },
            { key: 'tier', operator: 'In', values: ['api'] },
          ],
        },
        labels,
      ),
    ).toBe(false);
  });
});
