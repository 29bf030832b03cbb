// Reads a synthesized stack (cdk.tf.json) so the suite can compare what was asked for
// with what the API server holds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface StackJson {
  resource: Record<string, Record<string, any>>;
  variable?: Record<string, any>;
}

export function readStack(stackDir: string): StackJson {
  return JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as StackJson;
}

/** Every resource of a type, keyed by logical id. */
export function resourcesOf(stack: StackJson, type: string): Record<string, any> {
  return stack.resource[type] ?? {};
}

/** All addresses of a stack (`type.name`), sorted. */
export function addressesOf(stack: StackJson): string[] {
  return Object.entries(stack.resource)
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .sort();
}

/** The values document of a helm_release (one YAML document). */
export function releaseValues(release: { values: string[] }): any {
  return parse(release.values[0]!.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{'));
}
