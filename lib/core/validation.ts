import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import * as z from 'zod';

import { PropsValidationError, ValidationProblem } from './errors';
import { isPlainObject } from './objects';

export { PropsValidationError };

// Zod carries one string per issue. We pack "what is wrong" and "how to fix it" into
// that string with a unit separator so schemas stay declarative and the formatter can
// put the offending value between the two halves.
const SEPARATOR = '\u001f';
const REDACT = '\u001e';

/**
 * Builds a schema error message in two halves: what is wrong and how to fix it.
 * `redact` hides the offending value in the error (secrets must never reach CI logs).
 */
export function problem(what: string, fix: string, options: { readonly redact?: boolean } = {}): string {
  return `${options.redact ? REDACT : ''}${what}${SEPARATOR}${fix}`;
}

/** True when the value is, or contains, a Terraform token that only resolves at plan time. */
export function containsToken(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'number') {
    return Token.isUnresolved(value);
  }
  if (Array.isArray(value)) {
    return Token.isUnresolved(value) || value.some(containsToken);
  }
  if (isPlainObject(value)) {
    return Object.values(value).some(containsToken);
  }
  return value !== null && value !== undefined && typeof value === 'object' && Token.isUnresolved(value);
}

const TYPE_FIXES: Record<string, [string, string]> = {
  string: ['must be a string', 'Write the value as text, in quotes.'],
  number: ['must be a number', 'Write the value as a number, without quotes.'],
  int: ['must be a whole number', 'Use a number without a fraction.'],
  boolean: ['must be true or false', 'Write true or false, without quotes.'],
  array: ['must be a list', 'Put the value in a list: [ ... ].'],
  object: ['must be an object', 'Give an object with the documented properties.'],
  record: ['must be an object', 'Give an object of names to values.'],
};

const FORMAT_NAMES: Record<string, string> = {
  email: 'e-mail address',
  url: 'URL',
  ipv4: 'IPv4 address',
  ipv6: 'IPv6 address',
  cidrv4: 'IPv4 CIDR range',
  cidrv6: 'IPv6 CIDR range',
  uuid: 'UUID',
  guid: 'GUID',
};

function plural(count: number | bigint, one: string, many: string): string {
  return `${count} ${Number(count) === 1 ? one : many}`;
}

/**
 * Zod's own wording ("Invalid input: expected string, received number") says neither which
 * value was wrong nor how to fix it. Every schema here either carries its own `problem(...)`
 * or gets one of these, which fit the `<prop>: <what>, got <value>. <fix>` line.
 */
function defaultProblem(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) {
        return problem('is required', 'Set this prop: it has no default.');
      }
      if (issue.expected === 'number' && typeof issue.input === 'number') {
        return problem(
          'must be a finite number',
          'The value is NaN or Infinity: check the arithmetic or parsing that produced it.',
        );
      }
      const known = TYPE_FIXES[issue.expected];
      return known
        ? problem(known[0], known[1])
        : problem(`must be of type ${issue.expected}`, 'Give a value of that type.');
    }
    case 'too_small': {
      const min = issue.minimum;
      if (issue.origin === 'string') {
        return Number(min) === 1
          ? problem('must not be empty', 'Give a value, or leave the prop out where it is optional.')
          : problem(
              `must be at least ${plural(min, 'character', 'characters')} long`,
              'Give a longer value.',
            );
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        return problem(
          `must have at least ${plural(min, 'entry', 'entries')}`,
          'Add entries, or leave the prop out where it is optional.',
        );
      }
      return issue.inclusive === false
        ? problem(`must be greater than ${min}`, `Use a value above ${min}.`)
        : problem(`must be at least ${min}`, `Use ${min} or more.`);
    }
    case 'too_big': {
      const max = issue.maximum;
      if (issue.origin === 'string') {
        return problem(
          `must be at most ${plural(max, 'character', 'characters')} long`,
          'Shorten the value.',
        );
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        return problem(`must have at most ${plural(max, 'entry', 'entries')}`, 'Remove entries.');
      }
      return issue.inclusive === false
        ? problem(`must be less than ${max}`, `Use a value below ${max}.`)
        : problem(`must be at most ${max}`, `Use ${max} or less.`);
    }
    case 'invalid_value':
      return problem(
        `must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
        'Use one of these values exactly (they are case-sensitive).',
      );
    case 'invalid_union':
      return problem(
        'matches none of the accepted forms',
        'Check the shape of this prop against its documentation (its TSDoc lists each form).',
      );
    case 'invalid_format': {
      if (issue.format === 'regex') {
        return problem(
          `must match the pattern ${(issue as { pattern?: string }).pattern ?? ''}`.trimEnd(),
          'Check the documented format of this value.',
        );
      }
      const name = FORMAT_NAMES[issue.format] ?? issue.format;
      return problem(`must be a valid ${name}`, `Give a well-formed ${name}.`);
    }
    case 'not_multiple_of':
      return problem(`must be a multiple of ${issue.divisor}`, `Round it to a multiple of ${issue.divisor}.`);
    case 'invalid_key':
      return problem('has an invalid key', 'Check the names used as keys here.');
    case 'invalid_element':
      return problem('has an invalid entry', 'Check the entries of this list or map.');
    default:
      return undefined;
  }
}

/** `schema.safeParse` with the wording above for every issue a schema gives no message of its own. */
export function parseWithProblems<T>(schema: z.ZodType<T>, input: unknown): z.ZodSafeParseResult<T> {
  return schema.safeParse(input, { error: defaultProblem });
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || current === undefined || typeof current !== 'object') {
      return undefined;
    }
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') {
      out += `[${key}]`;
    } else {
      out += out === '' ? String(key) : `.${String(key)}`;
    }
  }
  return out === '' ? '(props)' : out;
}

export function formatValue(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    // Value objects are named by their public class (SecretRef, TlsSource, ...), not
    // by the internal subclass that implements them.
    const branded = Object.getOwnPropertySymbols(value)
      .map((s) => s.description ?? '')
      .find((d) => d.startsWith('cdktf-backstage.'));
    const name = branded ? branded.slice('cdktf-backstage.'.length) : (value as object).constructor?.name;
    if (name && name !== 'Object') {
      return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
    }
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    // JSON.stringify shows NaN and Infinity as null.
    return String(value);
  }
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

interface Described {
  readonly path: string;
  readonly code: string;
  readonly text: string;
}

function describe(issue: z.core.$ZodIssue, props: unknown, at: readonly PropertyKey[]): Described[] {
  const path = issue.path;
  const raw = issue.message;
  const redact = raw.startsWith(REDACT);
  const message = redact ? raw.slice(REDACT.length) : raw;

  if (issue.code === 'unrecognized_keys') {
    const parent = valueAt(props, path);
    return issue.keys.map((key) => {
      const keyPath = formatPath([...at, ...path, key]);
      const value = redact ? 'a value (hidden)' : formatValue(valueAt(parent, [key]));
      return {
        path: keyPath,
        code: issue.code,
        text: `${keyPath}: is not a known property, got ${value}. Check the spelling against the documented props.`,
      };
    });
  }

  if (issue.code === 'invalid_key') {
    // A record's key failed its schema: say what the key's own schema says, and show the key
    // (the value under it is not what is wrong).
    const keyMessage = issue.issues[0]?.message;
    const [what, fix] =
      keyMessage?.includes(SEPARATOR) === true
        ? (keyMessage.split(SEPARATOR) as [string, string])
        : [message.split(SEPARATOR)[0] ?? message, 'Check the names used as keys here.'];
    const propPath = formatPath([...at, ...path]);
    const key = path[path.length - 1];
    return [
      {
        path: propPath,
        code: issue.code,
        text: `${propPath}: ${what}, got the key ${formatValue(String(key))}. ${fix}`,
      },
    ];
  }

  // Issues re-raised from a nested value object carry the offending value with them
  // (see nestedIssues); the others are looked up in the props by path.
  const params = (issue as { params?: { nestedValue?: { value: unknown }; code?: string } }).params;
  const value = params?.nestedValue ? params.nestedValue.value : valueAt(props, path);
  if (containsToken(value)) {
    // Tokens resolve at plan time; Terraform validates them there.
    return [];
  }
  const [what, fix] = message.includes(SEPARATOR)
    ? (message.split(SEPARATOR) as [string, string])
    : [message.charAt(0).toLowerCase() + message.slice(1), 'See the documentation of this prop.'];
  // Only primitives can be secret values; a SecretRef or other object is safe to name.
  const shown =
    redact && (typeof value === 'string' || typeof value === 'number')
      ? 'a plain value (hidden)'
      : formatValue(value);
  const propPath = formatPath([...at, ...path]);
  return [
    { path: propPath, code: params?.code ?? issue.code, text: `${propPath}: ${what}, got ${shown}. ${fix}` },
  ];
}

/** Formats zod issues as `[<where>] <prop>: <what>, got <value>. <fix>` problems (tokens skipped). */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  where: string,
  at: readonly PropertyKey[] = [],
): ValidationProblem[] {
  return issues
    .flatMap((issue) => describe(issue, input, at))
    .map((d) => ({
      where,
      path: d.path === '(props)' ? '' : d.path,
      code: d.code,
      message: `[${where}] ${d.text}`,
    }));
}

/**
 * Checks props against a schema once, in the constructor. Every problem is reported in
 * one error, one line each: `[<construct path>] <prop>: <what is wrong>, got <value>. <how to fix>`.
 * Values that are unresolved Terraform tokens are skipped: they are only known at plan time.
 * `at` prefixes the reported paths, for value objects validated when a prop binds them.
 */
export function validateProps<T>(
  scope: IConstruct,
  schema: z.ZodType<T>,
  props: unknown,
  at: readonly PropertyKey[] = [],
): T {
  const result = parseWithProblems(schema, props);
  if (result.success) {
    return props as T;
  }
  const lines = describeIssues(result.error.issues, props, scope.node.path, at);
  if (lines.length > 0) {
    throw new PropsValidationError(lines);
  }
  return props as T;
}

/**
 * Validates a value object's options inside a construct's schema (e.g. the options an
 * OidcIssuer preset was given) and re-raises each problem under `path`, with the
 * offending value, so it is reported like any other prop.
 */
export function nestedIssues(
  ctx: z.core.$RefinementCtx,
  path: readonly PropertyKey[],
  schema: z.ZodType,
  input: unknown,
): void {
  const parsed = parseWithProblems(schema, input);
  if (parsed.success) {
    return;
  }
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const parent = valueAt(input, issue.path);
      for (const key of issue.keys) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, ...issue.path, key],
          message: problem('is not a known property', 'Check the spelling against the documented options.'),
          params: { nestedValue: { value: valueAt(parent, [key]) }, code: 'unrecognized_keys' },
        });
      }
      continue;
    }
    // An issue raised inside a value object's own schema may carry its value already (the
    // path does not lead to it through the object's fields).
    const inner = (issue as { params?: { nestedValue?: { value: unknown } } }).params?.nestedValue;
    ctx.addIssue({
      code: 'custom',
      path: [...path, ...issue.path],
      message: issue.message,
      params: { nestedValue: { value: inner ? inner.value : valueAt(input, issue.path) }, code: issue.code },
    });
  }
}

/** Throws a single-problem error in the same format as schema problems. */
export function fail(scope: IConstruct, prop: string, what: string, value: unknown, fix: string): never {
  throw new PropsValidationError([
    `[${scope.node.path}] ${prop}: ${what}, got ${formatValue(value)}. ${fix}`,
  ]);
}
