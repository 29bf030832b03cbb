import { defineCheck } from '../check-definition';
import { isExpression, many } from '../stack-model';

const HELM_RELEASE = new Set(['helm_release']);

export const noPlainChartSecrets = defineCheck({
  id: 'no-plain-chart-secrets',
  title: 'No secret values in Helm releases',
  requirement:
    'A helm_release takes its chart mirror password (repository_password) and its set_sensitive values from Terraform expressions (a sensitive variable, a data source), not literals.',
  appliesTo: 'all',
  soc2: ['CC6.1'],
  iso27001: ['A.5.17', 'A.8.12'],
  rationale:
    'A literal value sits in code, in the synthesized JSON and in Terraform state, readable by everyone who can read those; `sensitive` only hides it from plan output (CC6.1 protection of credentials; A.5.17 authentication information; A.8.12 data leakage prevention).',
  inspect(model, report) {
    const releases = model.ofTypes(HELM_RELEASE);
    const literal = (value: unknown) => typeof value === 'string' && value !== '' && !isExpression(value);
    for (const release of releases) {
      const name = typeof release.attributes.name === 'string' ? release.attributes.name : release.path;
      // Neither value is ever repeated: it is the secret.
      if (literal(release.attributes.repository_password)) {
        report(
          release,
          `helm_release "${name}" has a literal repository_password. Take it from a sensitive variable (ChartSource's login.password in this library) and rotate the exposed password.`,
        );
      }
      for (const entry of many(release.attributes.set_sensitive)) {
        if (literal(entry.value)) {
          report(
            release,
            `helm_release "${name}" sets the sensitive value "${String(entry.name)}" to a literal. Take it from a sensitive variable or a data source, and rotate the exposed value.`,
          );
        }
      }
    }
    return releases.length > 0;
  },
});
