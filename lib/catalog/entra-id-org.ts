import * as z from 'zod';

import { GUID } from '../core/schemas';
import { problem } from '../core/validation';
import { SecretRef, secretRefSchema } from '../secrets/secret-ref';
import { orgSecretEnv, OrgSourceData } from './org-source-data';
import { defaultCatalogProvider, packageModule, resolverProblems } from './org-source-parts';
import { OrgSyncSchedule, orgSyncScheduleSchema, scheduleConfig } from './sync-schedule';

// Microsoft Entra ID through Microsoft Graph: @backstage/plugin-catalog-backend-module-msgraph
// (config keys as its config.d.ts, version 0.10.6: catalog.providers.microsoftGraphOrg.<id>).

/** Options of {@link OrgSource.entraId}. */
export interface EntraIdOrgOptions {
  /** The directory (tenant) id. */
  readonly tenantId: string;
  /** Application (client) id of an app registration with `User.Read.All` and `GroupMember.Read.All` (application permissions). */
  readonly clientId: string;
  /** That app registration's client secret. */
  readonly clientSecret: SecretRef;
  /**
   * Graph `$filter` for users, e.g. `"accountEnabled eq true and userType eq 'member'"`.
   * @default - every user
   */
  readonly userFilter?: string;
  /**
   * Graph `$filter` for groups, e.g. `"securityEnabled eq true"`.
   * @default - every group
   */
  readonly groupFilter?: string;
  /** @default - every hour, 50 minutes timeout */
  readonly schedule?: OrgSyncSchedule;
}

const guid = (what: string) =>
  z
    .string()
    .regex(
      GUID,
      problem(
        `must be the ${what} (a GUID)`,
        "Copy it from the app registration's Overview page in the Entra admin center.",
      ),
    );

/** @internal */
export const entraIdOrgSchema = z.strictObject({
  tenantId: guid('directory (tenant) id'),
  clientId: guid('application (client) id'),
  clientSecret: secretRefSchema(),
  userFilter: z.string().min(1).optional(),
  groupFilter: z.string().min(1).optional(),
  schedule: orgSyncScheduleSchema.optional(),
}) satisfies z.ZodType<EntraIdOrgOptions>;

/** The module's normalizeEntityName (microsoftGraph/helper.ts): what a group's name can look like. */
function normalizedName(name: string): boolean {
  return /^[a-z0-9_.-]+$/.test(name) && !name.endsWith('_') && !name.includes('__');
}

/** @internal */
export function entraIdOrgData(o: EntraIdOrgOptions): OrgSourceData {
  const env = orgSecretEnv('entra', 'client_secret');
  return {
    modules: [packageModule('@backstage/plugin-catalog-backend-module-msgraph')],
    appConfig: defaultCatalogProvider('microsoftGraphOrg', {
      tenantId: o.tenantId,
      clientId: o.clientId,
      clientSecret: `\${${env}}`,
      ...(o.userFilter ? { user: { filter: o.userFilter } } : {}),
      ...(o.groupFilter ? { group: { filter: o.groupFilter } } : {}),
      schedule: scheduleConfig(o.schedule),
    }),
    secrets: [{ env, ref: o.clientSecret, prop: 'clientSecret' }],
    // The default user transformer names users normalizeEntityName(mail ?? userPrincipalName),
    // e.g. "alice_example.com", and the ID token's sub is a pairwise id per application.
    resolverProblem: resolverProblems({
      emailLocalPartMatchingUserEntityName:
        'the msgraph module names users after their whole e-mail address (alice@example.com becomes alice_example.com), not its local part',
      forwardedUserMatchingUserEntityName:
        "Entra ID's sub claim is an opaque per-application id, which no User entity of the msgraph module is named after",
      forwardedPreferredUsernameMatchingUserEntityName:
        'the preferred_username claim is the user principal name (alice@example.com), while the msgraph module names users alice_example.com',
    }),
    groupProblem: (name) =>
      normalizedName(name)
        ? undefined
        : 'the msgraph module names groups after their mailNickname or displayName in lower case, with every other character than a-z, 0-9, "_", "-" and "." turned into "_"',
  };
}
