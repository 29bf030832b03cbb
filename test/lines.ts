// The lines of a plain Error (cdktf's "Validation failed" list, which carries the provider
// checks and the Guardrails violations), compared the way expectProblems compares a
// PropsValidationError: where and the subject exactly, what the line says by fragments,
// every line in order. Rewording a fix hint then breaks no test; a line for the wrong
// construct or check, a missing line or an extra one still does.
import { expect } from 'vitest';

/** The meaningful part of one line `[<where>] <subject>: <what is wrong>. <how to fix>`. */
export interface ExpectedLine {
  /** The construct path in the brackets; compared exactly. */
  readonly where: string;
  /** What the line is about, before the colon (a construct class, a check id); compared exactly. */
  readonly subject: string;
  /** Fragments the rest of the line must contain: what is wrong (and, where it matters, the fix). */
  readonly says: string | readonly string[];
}

/** Asserts that `lines` are exactly the expected ones, in order, each saying the expected fragments. */
export function expectLines(lines: readonly string[], expected: readonly ExpectedLine[]): void {
  const fragments = (e: ExpectedLine | undefined): string[] =>
    e === undefined ? [] : typeof e.says === 'string' ? [e.says] : [...e.says];
  const actual = lines.map((line, i) => {
    const match = /^\[([^\]]*)\] ([^\s:]+): (.*)$/s.exec(line);
    if (!match) return { line };
    const rest = match[3]!;
    const says = fragments(expected[i]);
    // Each expected fragment shows as itself when present, so a mismatch diff points at what is missing.
    return {
      where: match[1],
      subject: match[2],
      says: says.length > 0 ? says.map((f) => (rest.includes(f) ? f : `(missing) ${f} in: ${rest}`)) : [rest],
    };
  });
  expect(actual).toEqual(expected.map((e) => ({ where: e.where, subject: e.subject, says: fragments(e) })));
}
