// Value objects are recognised by a registered symbol rather than `instanceof`, so a
// SecretRef made by one copy of this library is still accepted by another (npm can
// install two copies side by side).

export function brand(target: object, symbol: symbol): void {
  Object.defineProperty(target, symbol, { value: true, enumerable: false });
}

export function isBranded(value: unknown, symbol: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[symbol] === true;
}
