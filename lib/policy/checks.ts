// The Guardrails check registry: every check, in report order. Each check is one file in
// checks/ with its table row (what is checked and which SOC 2 criteria and ISO/IEC
// 27001:2022 Annex A controls it gives evidence for) and its evaluator; adding one is
// that file plus one line here. The check ids, the table and the evaluators all come
// from this list, so they cannot drift apart.

import { CheckDefinition, GuardrailCheck } from './check-definition';
import { backstageNetworkPolicy } from './checks/backstage-network-policy';
import { containerLimits } from './checks/container-limits';
import { hstsEnabled } from './checks/hsts-enabled';
import { jsonAccessLogs } from './checks/json-access-logs';
import { noPlainChartSecrets } from './checks/no-plain-chart-secrets';
import { noPlainSecretEnv } from './checks/no-plain-secret-env';
import { noSnippetAnnotations } from './checks/no-snippet-annotations';
import { nonRootContainers } from './checks/non-root-containers';
import { pinnedImages } from './checks/pinned-images';
import { productionPdb } from './checks/production-pdb';
import { productionReplicas } from './checks/production-replicas';
import { scopedSecretStores } from './checks/scoped-secret-stores';
import { tlsOnEveryHost } from './checks/tls-on-every-host';
import { trustedCertificates } from './checks/trusted-certificates';

/** The first id listed twice in a list of checks, or never. */
type RepeatedId<T extends readonly CheckDefinition[], Seen extends string = never> = T extends readonly [
  infer First extends CheckDefinition,
  ...infer Rest extends readonly CheckDefinition[],
]
  ? First['id'] extends Seen
    ? First['id']
    : RepeatedId<Rest, Seen | First['id']>
  : never;

/** The list itself when every id is listed once; otherwise a type no list matches, naming the id. */
type ListedOnce<T extends readonly CheckDefinition[]> = [RepeatedId<T>] extends [never]
  ? T
  : `check "${RepeatedId<T>}" is listed twice`;

/** Lists the checks; a check listed twice does not compile. */
function registry<const T extends readonly CheckDefinition[]>(checks: T & ListedOnce<T>): T {
  return checks;
}

/** Every check with its evaluator, in the order of the table and the report. */
export const CHECKS = registry([
  tlsOnEveryHost,
  trustedCertificates,
  hstsEnabled,
  noSnippetAnnotations,
  noPlainSecretEnv,
  noPlainChartSecrets,
  scopedSecretStores,
  containerLimits,
  nonRootContainers,
  backstageNetworkPolicy,
  pinnedImages,
  productionReplicas,
  productionPdb,
  jsonAccessLogs,
]);

/** Identifier of a check; stable, used in reports and exemptions. */
export type GuardrailCheckId = (typeof CHECKS)[number]['id'];

/** The check table: every check, with its control mapping. */
export const GUARDRAIL_CHECKS: readonly GuardrailCheck[] = Object.freeze(
  CHECKS.map(({ evaluate: _evaluate, ...row }) => row),
);
