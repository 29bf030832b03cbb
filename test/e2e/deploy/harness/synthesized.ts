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

/**
 * A synthesized value with references to other resources' names (`${type.name.metadata[0].name}`)
 * replaced by those names, as Terraform resolves them.
 */
export function resolveNames<T>(stack: StackJson, value: T): T {
  return JSON.parse(
    JSON.stringify(value).replace(
      /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.metadata\[0\]\.name\}/g,
      (ref, type: string, name: string) => {
        const target = stack.resource[type]?.[name];
        if (!target) throw new Error(`cannot resolve ${ref}`);
        return target.metadata.name;
      },
    ),
  ) as T;
}
