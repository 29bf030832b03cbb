import { SECRET_ENV_NAME } from '../../backstage/app-config';
import { defineCheck } from '../check-definition';
import { containerName, isExpression, many } from '../stack-model';

export const noPlainSecretEnv = defineCheck({
  id: 'no-plain-secret-env',
  title: 'No secret values in env vars',
  requirement:
    'An env var named like a secret (password, token, secret, API key, private key, credential) takes its value from a Secret, not a literal.',
  appliesTo: 'all',
  soc2: ['CC6.1'],
  iso27001: ['A.5.17', 'A.8.12'],
  rationale:
    'A literal value sits in code, in the synthesized JSON and in Terraform state, readable by everyone who can read those (CC6.1 protection of credentials; A.5.17 authentication information; A.8.12 data leakage prevention).',
  inspect(model, report) {
    for (const { workload, container } of model.containers) {
      for (const env of many(container.env)) {
        const name = typeof env.name === 'string' ? env.name : '';
        const value = env.value;
        if (SECRET_ENV_NAME.test(name) && typeof value === 'string' && value !== '' && !isExpression(value)) {
          // The value itself is never repeated: it is the secret.
          report(
            workload.resource,
            `container "${containerName(container)}" sets ${name} to a literal value. Take it from a Secret (env value_from.secret_key_ref; SecretRef in this library) and rotate the exposed value.`,
          );
        }
      }
    }
    return model.workloads.length > 0;
  },
});
