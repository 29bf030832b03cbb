import * as z from 'zod';

import { problem } from '../core/validation';
import { SecretRef, secretRefSchema } from '../secrets/secret-ref';
import { orgSecretEnv, OrgSourceData } from './org-source-data';
import { defaultCatalogProvider, packageModule } from './org-source-parts';
import { OrgSyncSchedule, orgSyncScheduleSchema, scheduleConfig } from './sync-schedule';

// LDAP: @backstage/plugin-catalog-backend-module-ldap (config keys as its config.schema.json,
// version 0.12.9: catalog.providers.ldapOrg.<id>; `schedule` is read by ldap/config.ts).

/** Where an LDAP org source searches. */
export interface LdapSearch {
  /** The DN under which the entries are, e.g. `ou=people,dc=example,dc=com`. */
  readonly dn: string;
  /**
   * LDAP search filter, e.g. `(objectClass=inetOrgPerson)`.
   * @default - the module's default (every entry one level below `dn`)
   */
  readonly filter?: string;
}

/** Options of {@link OrgSource.ldap}. */
export interface LdapOrgOptions {
  /**
   * The server, `ldaps://host[:port]` (the bind password must not cross the network in clear).
   * A certificate of a company CA needs that CA in Backstage's trust: the portal's `trustedCa`.
   */
  readonly target: string;
  /**
   * The account to bind as.
   * @default - no bind (anonymous search)
   */
  readonly bind?: { readonly dn: string; readonly secret: SecretRef };
  /** Where the users are. */
  readonly users: LdapSearch;
  /** Where the groups are. */
  readonly groups: LdapSearch;
  /** @default - every hour, 50 minutes timeout */
  readonly schedule?: OrgSyncSchedule;
}

const search = z.strictObject({
  dn: z
    .string()
    .regex(
      /^[A-Za-z][\w-]*=.+/,
      problem(
        'must be a distinguished name',
        'Write it as in your directory, e.g. "ou=people,dc=example,dc=com".',
      ),
    ),
  filter: z
    .string()
    .regex(
      /^\(.*\)$/,
      problem('must be an LDAP filter in parentheses', 'E.g. "(objectClass=inetOrgPerson)".'),
    )
    .optional(),
});

/** @internal */
export const ldapOrgSchema = z.strictObject({
  target: z
    .string()
    .regex(
      /^ldaps:\/\/[^/\s]+$/,
      problem(
        'must be an ldaps:// URL without a path',
        'Use ldaps://host[:port]: with ldap:// the bind password would cross the network in clear.',
      ),
    ),
  bind: z.strictObject({ dn: z.string().min(1), secret: secretRefSchema() }).optional(),
  users: search,
  groups: search,
  schedule: orgSyncScheduleSchema.optional(),
}) satisfies z.ZodType<LdapOrgOptions>;

/** @internal */
export function ldapOrgData(o: LdapOrgOptions): OrgSourceData {
  const env = orgSecretEnv('ldap', 'bind_secret');
  const searchConfig = (s: LdapSearch) => ({ dn: s.dn, options: s.filter ? { filter: s.filter } : {} });
  return {
    modules: [packageModule('@backstage/plugin-catalog-backend-module-ldap')],
    appConfig: defaultCatalogProvider('ldapOrg', {
      target: o.target,
      ...(o.bind ? { bind: { dn: o.bind.dn, secret: `\${${env}}` } } : {}),
      users: searchConfig(o.users),
      groups: searchConfig(o.groups),
      schedule: scheduleConfig(o.schedule),
    }),
    secrets: o.bind ? [{ env, ref: o.bind.secret, prop: 'bind.secret' }] : [],
    // Users are named after uid and carry mail as spec.profile.email (the module's
    // defaults); whether those match what the IdP sends is the directory's business.
    resolverProblem: () => undefined,
    groupProblem: () => undefined,
  };
}
