// The pieces the org sources that run a catalog module of their IdP (Entra ID, Okta,
// Keycloak, GitHub, LDAP) build their OrgSourceData from.
import { OrgModule, OrgSourceData } from './org-source-data';

/** @internal A catalog module whose npm package is itself the backend feature. */
export function packageModule(npmPackage: string): OrgModule {
  return { npmPackage, feature: npmPackage };
}

/**
 * @internal
 * The app-config of a catalog entity provider configured once, under the id `default`:
 * `catalog.providers.<key>.default`.
 */
export function defaultCatalogProvider(
  key: string,
  config: Record<string, unknown>,
): Record<string, unknown> {
  return { catalog: { providers: { [key]: { default: config } } } };
}

/**
 * @internal
 * The `resolverProblem` of a source whose reasons do not depend on its options: the
 * table's reason for each resolver it names (by its `SignInResolver` name), none for the
 * others.
 */
export function resolverProblems(
  reasons: Readonly<Record<string, string>>,
): OrgSourceData['resolverProblem'] {
  return (resolver) => (Object.hasOwn(reasons, resolver) ? reasons[resolver] : undefined);
}
