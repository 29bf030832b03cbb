import * as z from 'zod';

import { httpsUrl } from '../core/schemas';
import { problem } from '../core/validation';
import { SecretRef, secretRefSchema } from '../secrets/secret-ref';
import { orgSecretEnv, OrgSourceData } from './org-source-data';
import { defaultCatalogProvider, packageModule, resolverProblems } from './org-source-parts';
import { OrgSyncSchedule, orgSyncScheduleSchema, scheduleConfig } from './sync-schedule';

// Keycloak: @backstage-community/plugin-catalog-backend-module-keycloak (config keys as its
// config.schema.json, version 3.23.1: catalog.providers.keycloakOrg.<id>, client-credentials
// form). Users are named after their username, groups after their name (lib/read.ts).

/** Options of {@link OrgSource.keycloak}. */
export interface KeycloakOrgOptions {
  /** Keycloak's base URL, e.g. `https://keycloak.example.com` (with `/auth` on Keycloak before 17). */
  readonly baseUrl: string;
  /** The realm whose users and groups are read. */
  readonly realm: string;
  /**
   * The realm the client authenticates in.
   * @default - `realm`
   */
  readonly loginRealm?: string;
  /** A confidential client with the service-account roles `view-users` and `query-groups` (realm-management). */
  readonly clientId: string;
  /** That client's secret. */
  readonly clientSecret: SecretRef;
  /** @default - every hour, 50 minutes timeout */
  readonly schedule?: OrgSyncSchedule;
}

const realm = z
  .string()
  .regex(
    /^[A-Za-z0-9._-]+$/,
    problem('must be a realm name', 'Use the realm name as in the Keycloak admin console URL.'),
  );

/** @internal */
export const keycloakOrgSchema = z.strictObject({
  baseUrl: httpsUrl,
  realm,
  loginRealm: realm.optional(),
  clientId: z.string().min(1),
  clientSecret: secretRefSchema(),
  schedule: orgSyncScheduleSchema.optional(),
}) satisfies z.ZodType<KeycloakOrgOptions>;

/** @internal */
export function keycloakOrgData(o: KeycloakOrgOptions): OrgSourceData {
  const env = orgSecretEnv('keycloak', 'client_secret');
  return {
    modules: [packageModule('@backstage-community/plugin-catalog-backend-module-keycloak')],
    appConfig: defaultCatalogProvider('keycloakOrg', {
      baseUrl: o.baseUrl.replace(/\/+$/, ''),
      realm: o.realm,
      loginRealm: o.loginRealm ?? o.realm,
      clientId: o.clientId,
      clientSecret: `\${${env}}`,
      schedule: scheduleConfig(o.schedule),
    }),
    secrets: [{ env, ref: o.clientSecret, prop: 'clientSecret' }],
    resolverProblem: resolverProblems({
      forwardedUserMatchingUserEntityName:
        "Keycloak's sub claim is the user's UUID, while the keycloak module names users after their username",
    }),
    groupProblem: () => undefined,
  };
}
