// The error users catch; kept apart from the zod-based validation so no public
// declaration file depends on zod.

/** One problem of a PropsValidationError, for tools that handle problems one by one. */
export interface ValidationProblem {
  /** Where: the construct path, or the file (and line) of environment data. */
  readonly where: string;
  /** The prop, as a path such as `gateway.cookie.refresh` or `access.groups[0]`; empty when the problem is the whole input. */
  readonly path: string;
  /**
   * What kind of problem: zod's issue code for shape problems (`invalid_type`,
   * `too_small`, `unrecognized_keys`, ...), `custom` for the library's own rules.
   */
  readonly code: string;
  /** The whole line: `[<where>] <path>: <what is wrong>, got <value>. <how to fix>`. */
  readonly message: string;
}

/** `[where] path: rest` → its parts; a line without a prop (a file's syntax error) has an empty path. */
function problemOf(line: string): ValidationProblem {
  const match = /^\[([^\]]*)\] (?:([^\s:][^:]*?): )?/.exec(line);
  if (!match) {
    return { where: '', path: '', code: 'custom', message: line };
  }
  const path = match[2] !== undefined && !/\s/.test(match[2]) ? match[2] : '';
  return { where: match[1]!, path, code: 'custom', message: line };
}

/** Thrown when a construct's props are invalid; one problem per line of the message. */
export class PropsValidationError extends Error {
  /** The problems, one line each (the lines of `message`). */
  public readonly problems: readonly string[];
  /** The same problems with where, the prop path and a code. */
  public readonly details: readonly ValidationProblem[];

  constructor(problems: ReadonlyArray<string | ValidationProblem>) {
    const details = problems.map((p) => (typeof p === 'string' ? problemOf(p) : p));
    super(details.map((d) => d.message).join('\n'));
    this.name = 'PropsValidationError';
    this.details = details;
    this.problems = details.map((d) => d.message);
  }
}
