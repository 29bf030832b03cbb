import * as z from 'zod';

import { httpsUrl } from '../core/schemas';
import { SecretRef, secretRefSchema } from '../secrets/secret-ref';
import { orgSecretEnv, OrgSourceData } from './org-source-data';
import { resolverProblems } from './org-source-parts';
import { OrgSyncSchedule, orgSyncScheduleSchema, scheduleConfig } from './sync-schedule';

// Okta: @roadiehq/catalog-backend-module-okta (config keys as its config.d.ts, version 1.4.1:
// catalog.providers.okta[]). Its org-provider-factory feature names users
// "strip-domain-email" and groups "kebab-case-name" (entity-provider-modules.ts).

/** Options of {@link OrgSource.okta}. */
export interface OktaOrgOptions {
  /** Your Okta org, e.g. `https://example.okta.com`. */
  readonly orgUrl: string;
  /** An Okta API token with read access to users and groups. */
  readonly token: SecretRef;
  /**
   * Okta search filter for users, e.g. `'profile.department eq "engineering"'`.
   * @default - every user
   */
  readonly userFilter?: string;
  /**
   * Okta search filter for groups.
   * @default - every group
   */
  readonly groupFilter?: string;
  /** @default - every hour, 50 minutes timeout */
  readonly schedule?: OrgSyncSchedule;
}

/** @internal */
export const oktaOrgSchema = z.strictObject({
  orgUrl: httpsUrl,
  token: secretRefSchema(),
  userFilter: z.string().min(1).optional(),
  groupFilter: z.string().min(1).optional(),
  schedule: orgSyncScheduleSchema.optional(),
}) satisfies z.ZodType<OktaOrgOptions>;

/** @internal */
export function oktaOrgData(o: OktaOrgOptions): OrgSourceData {
  const env = orgSecretEnv('okta', 'token');
  const pkg = '@roadiehq/catalog-backend-module-okta';
  return {
    modules: [
      { npmPackage: pkg, feature: `${pkg}/okta-entity-provider` },
      { npmPackage: pkg, feature: `${pkg}/org-provider-factory` },
    ],
    appConfig: {
      catalog: {
        providers: {
          okta: [
            {
              orgUrl: o.orgUrl.replace(/\/+$/, ''),
              token: `\${${env}}`,
              ...(o.userFilter ? { userFilter: o.userFilter } : {}),
              ...(o.groupFilter ? { groupFilter: o.groupFilter } : {}),
              schedule: scheduleConfig(o.schedule),
            },
          ],
        },
      },
    },
    secrets: [{ env, ref: o.token, prop: 'token' }],
    resolverProblem: resolverProblems({
      forwardedUserMatchingUserEntityName:
        "Okta's sub claim is the user id (00u...), while the org-provider-factory names users after their e-mail without the domain",
      forwardedPreferredUsernameMatchingUserEntityName:
        "Okta's preferred_username is the login (usually the whole e-mail address), while the org-provider-factory names users after their e-mail without the domain",
    }),
    groupProblem: (name) =>
      /^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)
        ? undefined
        : 'the org-provider-factory names groups after their Okta profile name in kebab case (lower case, words joined by "-")',
  };
}
