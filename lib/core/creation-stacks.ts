// cdktf records a full stack trace (Error.stackTraceLimit = MAX) every time it creates a
// token, and each provider resource creates one for every nested block it has (~200 per
// portal). Only an error message for a broken token ever reads them. Formatting those
// traces was the largest single cost of synthesizing many environments, so while this
// library builds its own resources it skips the capture. The user's own resources keep
// their traces; if cdktf's internals are not where we expect, nothing changes.

type StackTraceModule = { captureStackTrace: (below?: unknown) => string[] };

const NO_STACK: string[] = Object.freeze([]) as unknown as string[];
const skip = () => NO_STACK;

let stackTraces: StackTraceModule | undefined;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const candidate = require('cdktf/lib/tokens/private/stack-trace') as Partial<StackTraceModule>;
  if (typeof candidate.captureStackTrace === 'function') {
    stackTraces = candidate as StackTraceModule;
  }
} catch {
  stackTraces = undefined;
}

/**
 * Stops recording token creation stacks until the returned function is called
 * (re-entrant: nested calls restore what they found).
 */
export function suspendCreationStacks(): () => void {
  if (!stackTraces) {
    return () => undefined;
  }
  const module = stackTraces;
  const previous = module.captureStackTrace;
  module.captureStackTrace = skip;
  return () => {
    module.captureStackTrace = previous;
  };
}
