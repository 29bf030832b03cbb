import { defineCheck } from '../check-definition';
import { many, metadataOf, one, strings } from '../stack-model';

export const scopedSecretStores = defineCheck({
  id: 'scoped-secret-stores',
  title: 'Cluster secret stores limited to named namespaces',
  requirement:
    'Every ClusterSecretStore lists the namespaces whose ExternalSecrets may use it (spec.conditions with namespaces, or a namespace selector), and none of them is all namespaces.',
  appliesTo: 'all',
  soc2: ['CC6.1', 'CC6.3'],
  iso27001: ['A.5.15', 'A.8.3'],
  rationale:
    'A ClusterSecretStore without conditions serves every namespace: anyone who may create an ExternalSecret anywhere reads whatever its identity can read, across the namespace boundary (CC6.1 logical access; CC6.3 least privilege; A.5.15 access control; A.8.3 information access restriction).',
  inspect(model, report) {
    const stores = model.resources.filter(
      (r) => r.type === 'kubernetes_manifest' && one(r.attributes.manifest).kind === 'ClusterSecretStore',
    );
    for (const store of stores) {
      const manifest = one(store.attributes.manifest);
      const name = String(metadataOf(manifest).name ?? store.path);
      const conditions = many(one(manifest.spec).conditions);
      // ESO admits a namespace when any one condition matches it; a condition that names
      // nothing (no namespaces, no selector, no regex) matches every namespace.
      const open = conditions.length === 0 || conditions.some((c) => !limits(c));
      if (open) {
        report(
          store,
          `ClusterSecretStore "${name}" serves every namespace. List the namespaces that may use it (ClusterSecretStore's namespaces prop), or use a namespaced SecretStore.`,
        );
      }
    }
    return stores.length > 0;
  },
});

/** True when an ESO store condition restricts the namespaces it admits. */
function limits(condition: Readonly<Record<string, unknown>>): boolean {
  const selector = one(condition.namespaceSelector);
  const selects =
    Object.keys(one(selector.matchLabels)).length > 0 || many(selector.matchExpressions).length > 0;
  return (
    strings(condition.namespaces).length > 0 || strings(condition.namespaceRegexes).length > 0 || selects
  );
}
