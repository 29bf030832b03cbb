import * as z from 'zod';

import { parseDuration } from '../core/duration';
import { goDuration } from '../core/schemas';
import { problem } from '../core/validation';

/** How often an org source reads the IdP (Backstage's scheduler task definition). */
export interface OrgSyncSchedule {
  /**
   * Time between two reads, e.g. `"1h"` or `"30m"`.
   * @default "1h"
   */
  readonly frequency?: string;
  /**
   * Longest a read may take before another replica may take it over.
   * @default "50m"
   */
  readonly timeout?: string;
  /**
   * Wait after start before the first read.
   * @default "15s"
   */
  readonly initialDelay?: string;
}

/** @internal */
export const orgSyncScheduleSchema = z
  .strictObject({
    frequency: goDuration.optional(),
    timeout: goDuration.optional(),
    initialDelay: goDuration.optional(),
  })
  .superRefine((s, ctx) => {
    const frequency = parseDuration(s.frequency ?? '1h');
    const timeout = parseDuration(s.timeout ?? '50m');
    if (frequency !== undefined && timeout !== undefined && timeout > frequency) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeout'],
        message: problem(
          'must not be longer than the frequency',
          'A read that may run longer than the interval overlaps the next one: shorten timeout or lengthen frequency.',
        ),
      });
    }
  }) satisfies z.ZodType<OrgSyncSchedule>;

/** `"90m"` → `{ minutes: 90 }`: Backstage's HumanDuration, in the largest unit that is exact. */
function humanDuration(value: string): Record<string, number> {
  const seconds = parseDuration(value) ?? 0;
  if (seconds % 3600 === 0) {
    return { hours: seconds / 3600 };
  }
  return seconds % 60 === 0 ? { minutes: seconds / 60 } : { seconds };
}

/** @internal The `schedule` block every catalog provider module reads. */
export function scheduleConfig(schedule: OrgSyncSchedule | undefined): Record<string, unknown> {
  return {
    frequency: humanDuration(schedule?.frequency ?? '1h'),
    timeout: humanDuration(schedule?.timeout ?? '50m'),
    initialDelay: humanDuration(schedule?.initialDelay ?? '15s'),
  };
}
