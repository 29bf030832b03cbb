import * as z from 'zod';

import { httpsUrl } from '../core/schemas';
import { problem } from '../core/validation';
import { SecretRef, secretRefSchema } from '../secrets/secret-ref';
import { orgSecretEnv, OrgSourceData } from './org-source-data';
import { packageModule } from './org-source-parts';
import { OrgSyncSchedule, orgSyncScheduleSchema, scheduleConfig } from './sync-schedule';

// GitHub organizations: @backstage/plugin-catalog-backend-module-github-org (keys as its
// module.ts reads them, version 0.3.26: catalog.providers.githubOrg[]; the token is the
// integration's, integrations.github[]). Users are named after their login, teams after
// their slug.

/** Options of {@link OrgSource.githubOrg}. */
export interface GithubOrgOptions {
  /** The organizations whose members and teams are read. */
  readonly orgs: readonly string[];
  /** A token (or fine-grained token) that can read the organizations' members and teams. */
  readonly token: SecretRef;
  /**
   * GitHub's URL (GitHub Enterprise Server: its own).
   * @default "https://github.com"
   */
  readonly githubUrl?: string;
  /**
   * Take users' verified e-mail addresses in the organizations' domains instead of their
   * public ones (`defaultUserTransformer.useVerifiedEmails`). Needed by the e-mail resolver:
   * most members have no public e-mail address.
   * @default false
   */
  readonly useVerifiedEmails?: boolean;
  /** @default - every hour, 50 minutes timeout */
  readonly schedule?: OrgSyncSchedule;
}

/** @internal */
export const githubOrgSchema = z.strictObject({
  orgs: z
    .array(
      z
        .string()
        .regex(
          /^[A-Za-z0-9](-?[A-Za-z0-9])*$/,
          problem('must be a GitHub organization login', 'Use the name as in https://github.com/<org>.'),
        ),
    )
    .min(1, problem('must name at least one organization', 'List the organizations to read.')),
  token: secretRefSchema(),
  githubUrl: httpsUrl.optional(),
  useVerifiedEmails: z.boolean().optional(),
  schedule: orgSyncScheduleSchema.optional(),
}) satisfies z.ZodType<GithubOrgOptions>;

/** @internal */
export function githubOrgData(o: GithubOrgOptions): OrgSourceData {
  const env = orgSecretEnv('github', 'token');
  const githubUrl = (o.githubUrl ?? 'https://github.com').replace(/\/+$/, '');
  return {
    modules: [packageModule('@backstage/plugin-catalog-backend-module-github-org')],
    appConfig: {
      catalog: {
        providers: {
          githubOrg: [
            {
              id: 'default',
              githubUrl,
              orgs: [...o.orgs],
              ...(o.useVerifiedEmails ? { defaultUserTransformer: { useVerifiedEmails: true } } : {}),
              schedule: scheduleConfig(o.schedule),
            },
          ],
        },
      },
      integrations: { github: [{ host: new URL(githubUrl).host, token: `\${${env}}` }] },
    },
    secrets: [{ env, ref: o.token, prop: 'token' }],
    resolverProblem(resolver) {
      if (resolver === 'emailMatchingUserEntityProfileEmail' && !o.useVerifiedEmails) {
        return 'the github-org module takes only public e-mail addresses unless useVerifiedEmails is set, and most members have none';
      }
      if (resolver === 'emailLocalPartMatchingUserEntityName') {
        return 'the github-org module names users after their GitHub login, not their e-mail address';
      }
      return undefined;
    },
    groupProblem: (name) =>
      /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/.test(name)
        ? undefined
        : 'the github-org module names groups after the teams\' slugs (lower case letters, digits, "-" and "_")',
  };
}
