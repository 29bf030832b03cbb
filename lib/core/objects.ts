// The two object tests the library needs, in one place.

/**
 * An object literal (or `Object.create(null)`): what props, configs and parsed JSON/YAML
 * are made of. Class instances (tokens, constructs, value objects) and arrays are not.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Any non-array object whose properties can be read, class instances included. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
