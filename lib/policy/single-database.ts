// The single in-cluster database, which the availability checks treat apart: the
// replica and PodDisruptionBudget advice does not fit it.

import type { GuardrailCheckId } from './checks';
import type { Workload } from './stack-model';

/**
 * A database server of one instance (PostgreSQL, MySQL, ...) in a StatefulSet: more
 * replicas would be more independent databases, not redundancy, so the usual advice does
 * not apply.
 */
export function singleDatabase(workload: Workload): boolean {
  return (
    workload.kind === 'StatefulSet' &&
    workload.containers.some(
      (c) => typeof c.image === 'string' && /(^|\/)(postgres|postgresql|mysql|mariadb)(:|@)/.test(c.image),
    )
  );
}

/** What to do about a single database instead: a managed database, or an explicit exemption. */
export const DATABASE_ADVICE = (check: GuardrailCheckId, path: string) =>
  'This is a single database instance, which cannot be made redundant by adding replicas: in production use a managed, replicated database ' +
  `(BackstageDatabase.external for RDS, Cloud SQL or Azure Database), or accept the risk explicitly with exemptions: [{ check: '${check}', path: '${path}', reason: '<who accepted it and why>' }].`;
