// The sign-in resolver and the org source must agree: a resolver finds people among the
// User entities the org source ingests, by a field that source fills (the e-mail resolver
// needs spec.profile.email, the name resolvers need entity names of the right form).
import type { OrgSourceData } from '../catalog/org-source-data';
import { problem } from '../core/validation';
import { SIGN_IN_RESOLVERS, SignInResolver } from './app-config';

/** The problem when no resolver can find the org source's users, else undefined. */
export function signInDisagreement(
  resolvers: readonly SignInResolver[],
  org: OrgSourceData,
): string | undefined {
  const reasons = resolvers.map((resolver) => [resolver, org.resolverProblem(resolver)] as const);
  if (reasons.some(([, why]) => why === undefined)) {
    return undefined;
  }
  const agreeing = SIGN_IN_RESOLVERS.filter((r) => org.resolverProblem(r) === undefined);
  return problem(
    `cannot find the org source's users: ${reasons.map(([resolver, why]) => `${resolver}: ${why}`).join('; ')}`,
    agreeing.length > 0
      ? `Use a resolver this org source supports (${agreeing.join(', ')}), or change the org source.`
      : 'Change the org source so that it ingests what a resolver matches on.',
  );
}
