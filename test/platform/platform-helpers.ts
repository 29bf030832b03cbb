// Helpers for the platform operator tests: a stack with a helm provider, and the
// helm_release of one operator with its values YAML parsed.
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { TerraformStack } from 'cdktf';
import { parse } from 'yaml';

import { resourceAt, synth, type TfJson } from '../helpers';

/** Synthesizes a stack that has a kubernetes and a helm provider (operators need the latter). */
export function synthPlatform(build: (stack: TerraformStack) => void): TfJson {
  return synth((stack) => {
    new HelmProvider(stack, 'helm', { kubernetes: { configPath: '~/.kube/config' } });
    build(stack);
  });
}

/** The helm_release of the construct with id `id`. */
export function releaseOf(json: TfJson, id: string): any {
  return resourceAt(json, 'helm_release', `${id}/Release`);
}

/** The parsed values YAML of that release (it carries exactly one document). */
export function valuesOf(json: TfJson, id: string): any {
  const values: string[] = releaseOf(json, id).values;
  if (values.length !== 1) {
    throw new Error(`expected one values document, found ${values.length}`);
  }
  return parse(values[0] as string);
}

/** A build that is expected to be refused, as the function expectProblems runs. */
export function refusedBy(build: (stack: TerraformStack) => void): () => TfJson {
  return () => synthPlatform(build);
}

/** The release attributes without cdktf's "//" metadata and without the values YAML. */
export function releaseAttributes(json: TfJson, id: string): Record<string, unknown> {
  const { '//': _metadata, values: _values, ...attributes } = releaseOf(json, id);
  return attributes;
}
