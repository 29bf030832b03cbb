// The error users catch; kept apart from the zod-based validation so no public
// declaration file depends on zod.

/** Thrown when a construct's props are invalid; `problems` holds one line per problem. */
export class PropsValidationError extends Error {
  public readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'PropsValidationError';
    this.problems = problems;
  }
}
