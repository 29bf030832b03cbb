import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import { valueObjectSchema } from '../core/schemas';
import { entraIdOrgData, EntraIdOrgOptions, entraIdOrgSchema } from './entra-id-org';
import { githubOrgData, GithubOrgOptions, githubOrgSchema } from './github-org';
import { keycloakOrgData, KeycloakOrgOptions, keycloakOrgSchema } from './keycloak-org';
import { ldapOrgData, LdapOrgOptions, ldapOrgSchema } from './ldap-org';
import { oktaOrgData, OktaOrgOptions, oktaOrgSchema } from './okta-org';
import type { OrgModule, OrgSourceData } from './org-source-data';
import { staticOrgData, StaticOrgOptions, staticOrgSchema } from './static-org';

const BRAND = Symbol.for('cdktf-backstage.OrgSource');

/** The org sources there are. */
export type OrgSourceKind = 'entraId' | 'okta' | 'keycloak' | 'ldap' | 'githubOrg' | 'static';

type Options =
  | EntraIdOrgOptions
  | OktaOrgOptions
  | KeycloakOrgOptions
  | LdapOrgOptions
  | GithubOrgOptions
  | StaticOrgOptions;

const KINDS: Record<OrgSourceKind, { schema: z.ZodType; data: (o: never) => OrgSourceData }> = {
  entraId: { schema: entraIdOrgSchema, data: entraIdOrgData },
  okta: { schema: oktaOrgSchema, data: oktaOrgData },
  keycloak: { schema: keycloakOrgSchema, data: keycloakOrgData },
  ldap: { schema: ldapOrgSchema, data: ldapOrgData },
  githubOrg: { schema: githubOrgSchema, data: githubOrgData },
  static: { schema: staticOrgSchema, data: staticOrgData },
};

/**
 * Where Backstage's catalog gets its Users and Groups: the same identity provider people
 * sign in with (through the catalog module named in {@link OrgSource.modules}, which your
 * Backstage image must include), or a static org written as typed data. The sign-in
 * resolver finds people among these Users, and RBAC roles are bound to these Groups.
 *
 * Google Workspace has no maintained Backstage catalog module; use the static org there,
 * or ingest through a module of your own (`appConfig`).
 */
export class OrgSource {
  /** Microsoft Entra ID through Microsoft Graph (`catalog.providers.microsoftGraphOrg`). */
  public static entraId(options: EntraIdOrgOptions): OrgSource {
    return new OrgSource('entraId', options);
  }

  /** Okta (`catalog.providers.okta`, Roadie's module with its org provider factory). */
  public static okta(options: OktaOrgOptions): OrgSource {
    return new OrgSource('okta', options);
  }

  /** A Keycloak realm (`catalog.providers.keycloakOrg`). */
  public static keycloak(options: KeycloakOrgOptions): OrgSource {
    return new OrgSource('keycloak', options);
  }

  /** An LDAP directory (`catalog.providers.ldapOrg`). */
  public static ldap(options: LdapOrgOptions): OrgSource {
    return new OrgSource('ldap', options);
  }

  /** GitHub organizations: members and teams (`catalog.providers.githubOrg`). */
  public static githubOrg(options: GithubOrgOptions): OrgSource {
    return new OrgSource('githubOrg', options);
  }

  /**
   * Users and Groups as typed data, rendered to a catalog file in a ConfigMap: for small
   * setups and tests. Needs no catalog module.
   */
  public static staticOrg(options: StaticOrgOptions): OrgSource {
    return new OrgSource('static', options);
  }

  public static isOrgSource(value: unknown): value is OrgSource {
    return isBranded(value, BRAND);
  }

  private constructor(
    public readonly kind: OrgSourceKind,
    /** @internal */
    public readonly options: Options,
  ) {
    brand(this, BRAND);
  }

  /** @internal The schema of this source's options. */
  public get schema(): z.ZodType {
    return KINDS[this.kind].schema;
  }

  /** @internal What the source renders (call after its options were validated). */
  public data(): OrgSourceData {
    return KINDS[this.kind].data(this.options as never);
  }

  /**
   * The backend features your Backstage image must add (`backend.add(import('<feature>'))`
   * in `packages/backend/src/index.ts`), with their npm packages. Empty for the static org.
   */
  public get modules(): readonly OrgModule[] {
    return this.data().modules;
  }
}

/** @internal */
export const orgSourceSchema = valueObjectSchema(
  OrgSource.isOrgSource,
  'an OrgSource',
  'Use OrgSource.entraId({...}), .okta({...}), .keycloak({...}), .ldap({...}), .githubOrg({...}) or .staticOrg({...}).',
);
