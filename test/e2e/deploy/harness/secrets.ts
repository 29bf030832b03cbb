// Secret values for a deploy: random per run, so finding one in any output means it leaked.
import { randomBytes } from 'node:crypto';

/** A value that looks like nothing else in any output: a fixed marker plus random hex. */
export function sentinel(bytes = 12): string {
  return `e2eS3cr3t${randomBytes(bytes).toString('hex')}`;
}

/** An oauth2-proxy cookie secret: exactly 32 characters (32 bytes to oauth2-proxy). */
export function cookieSecret(): string {
  return `e2eC${randomBytes(14).toString('hex')}`;
}

/** TF_VAR_* entries for a map of variable name to value. */
export function tfVars(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [`TF_VAR_${name}`, value]));
}
