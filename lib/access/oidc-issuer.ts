import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import { GUID, hostName, httpsUrl, valueObjectSchema } from '../core/schemas';
import { problem } from '../core/validation';

const BRAND = Symbol.for('cdktf-backstage.OidcIssuer');

/** What oauth2-proxy needs to know about an identity provider. */
export interface OidcIssuerSettings {
  /** oauth2-proxy provider type (`oidc`, `keycloak-oidc`, `entra-id`, `google`). */
  readonly providerType: string;
  /** Issuer URL; discovery is read from `<issuer>/.well-known/openid-configuration`. */
  readonly issuerUrl: string;
  /** Space-separated scopes requested at sign-in. */
  readonly scope: string;
  /** Claim holding the user's groups. */
  readonly groupsClaim: string;
  /** Claim holding the e-mail address. */
  readonly emailClaim: string;
  /** Display name on oauth2-proxy pages. */
  readonly displayName: string;
  /** Extra parameters for the provider block of the alpha config. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** Options shared by every issuer preset. */
export interface IssuerCommonOptions {
  /**
   * Scopes to request.
   * @default - "openid email profile", plus "groups" where the preset needs it for group rules
   */
  readonly scopes?: readonly string[];
  /**
   * Claim holding the groups.
   * @default "groups"
   */
  readonly groupsClaim?: string;
}

export interface OktaIssuerOptions extends IssuerCommonOptions {
  /** Okta org domain, e.g. `example.okta.com`. */
  readonly domain: string;
  /**
   * Custom authorization server id (`default` is Okta's default custom server).
   * @default - the org authorization server (`https://<domain>`)
   */
  readonly authorizationServerId?: string;
}

export interface GoogleIssuerOptions extends IssuerCommonOptions {
  /**
   * Google Workspace domain; sign-in is limited to it at Google (`hd`) in addition to the
   * gateway's e-mail domain rule.
   * @default - any Google account (restrict with the gateway's emailDomains)
   */
  readonly hostedDomain?: string;
}

export interface EntraIdIssuerOptions extends IssuerCommonOptions {
  /** Directory (tenant) id, a GUID. */
  readonly tenantId: string;
}

export interface KeycloakIssuerOptions extends IssuerCommonOptions {
  /** Base URL of Keycloak, e.g. `https://sso.example.com` (add `/auth` for old versions). */
  readonly url: string;
  /** Realm name. */
  readonly realm: string;
}

export interface GenericIssuerOptions extends IssuerCommonOptions {
  /** Issuer URL (https). */
  readonly issuerUrl: string;
  /**
   * Claim holding the e-mail address.
   * @default "email"
   */
  readonly emailClaim?: string;
  /**
   * Name shown on the sign-in page.
   * @default "OpenID Connect"
   */
  readonly displayName?: string;
}

/**
 * An issuer URL as OIDC discovery takes it: https, no credentials (they would end up in the
 * synthesized JSON), no query or fragment, and not the discovery document itself (the issuer
 * is what comes before "/.well-known/openid-configuration").
 */
const issuerUrl = httpsUrl.superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return;
  }
  if (url.username !== '' || url.password !== '') {
    ctx.addIssue({
      code: 'custom',
      message: problem(
        'must not contain credentials',
        'Remove the user name and password: an issuer URL is public, and the client secret goes in clientSecret.',
        { redact: true },
      ),
    });
  } else if (url.search !== '' || url.hash !== '') {
    ctx.addIssue({
      code: 'custom',
      message: problem(
        'must not have a query or fragment',
        'Give the issuer exactly as the "issuer" field of its discovery document, e.g. "https://idp.example.com/realms/staff".',
      ),
    });
  } else if (/\/\.well-known\/openid-configuration\/?$/.test(url.pathname)) {
    ctx.addIssue({
      code: 'custom',
      message: problem(
        'is the discovery document, not the issuer',
        'Drop "/.well-known/openid-configuration": the issuer is the URL before it.',
      ),
    });
  }
});

const common = {
  scopes: z
    .array(
      z
        .string()
        .regex(
          /^[\x21-\x7e]+$/,
          problem('must be a scope without spaces', 'Give each scope as its own array item.'),
        ),
    )
    .refine(
      (scopes) => scopes.includes('openid'),
      problem(
        'must include "openid"',
        'Without it the IdP issues no ID token and oauth2-proxy cannot sign anyone in: add "openid" to the list.',
      ),
    )
    .optional(),
  groupsClaim: z.string().min(1).optional(),
};

const schemas = {
  okta: z.strictObject({
    ...common,
    domain: hostName,
    authorizationServerId: z
      .string()
      .regex(
        /^[A-Za-z0-9]+$/,
        problem(
          'must be an authorization server id',
          'Use "default" or the id shown in Okta (e.g. "aus1a2b3c4d5e6f7g8h9").',
        ),
      )
      .optional(),
  }),
  google: z.strictObject({ ...common, hostedDomain: hostName.optional() }),
  entraId: z.strictObject({
    ...common,
    tenantId: z
      .string()
      .regex(
        GUID,
        problem(
          'must be the directory (tenant) id, a GUID',
          'Copy the "Directory (tenant) ID" from the app registration; names like "common" allow any tenant.',
        ),
      ),
  }),
  keycloak: z.strictObject({
    ...common,
    url: issuerUrl.refine(
      (value) => !/\/realms\//.test(value),
      problem(
        'must be the Keycloak base URL, without "/realms/<realm>"',
        'Give the realm in "realm" only, e.g. url "https://sso.example.com", realm "staff".',
      ),
    ),
    realm: z
      .string()
      .regex(
        /^[A-Za-z0-9._-]+$/,
        problem('must be a realm name', 'Use the realm name as it appears in the Keycloak URL.'),
      ),
  }),
  generic: z.strictObject({
    ...common,
    issuerUrl,
    emailClaim: z.string().min(1).optional(),
    displayName: z.string().min(1).optional(),
  }),
};

const DEFAULT_SCOPES: readonly string[] = ['openid', 'email', 'profile'];

/** What a preset decides of its settings. */
type PresetDecisions = Pick<OidcIssuerSettings, 'providerType' | 'issuerUrl' | 'displayName'> & {
  readonly scopes?: readonly string[];
  readonly emailClaim?: string;
  readonly extra?: Readonly<Record<string, unknown>>;
};

/**
 * A preset's settings: what the preset decides, and what every preset does alike with the
 * common options (scopes and groups claim, each with its default; the `email` claim; no
 * extra provider fields).
 */
function presetSettings(options: IssuerCommonOptions, preset: PresetDecisions): OidcIssuerSettings {
  return {
    providerType: preset.providerType,
    issuerUrl: preset.issuerUrl,
    scope: (options.scopes ?? preset.scopes ?? DEFAULT_SCOPES).join(' '),
    groupsClaim: options.groupsClaim ?? 'groups',
    emailClaim: preset.emailClaim ?? 'email',
    displayName: preset.displayName,
    extra: preset.extra ?? {},
  };
}

/**
 * The OpenID Connect identity provider people sign in with. Presets fill in the issuer
 * URL, provider type and scopes of the common providers.
 */
export class OidcIssuer {
  /** Okta, with the org authorization server or a custom one. */
  public static okta(options: OktaIssuerOptions): OidcIssuer {
    const issuerUrl = options.authorizationServerId
      ? `https://${options.domain}/oauth2/${options.authorizationServerId}`
      : `https://${options.domain}`;
    // Okta's org authorization server returns the groups claim for its `groups` scope.
    return new OidcIssuer('okta', options, {
      providerType: 'oidc',
      issuerUrl,
      displayName: 'Okta',
      scopes: [...DEFAULT_SCOPES, 'groups'],
    });
  }

  /** Google Workspace (Google accounts). */
  public static google(options: GoogleIssuerOptions = {}): OidcIssuer {
    return new OidcIssuer('google', options, {
      providerType: 'oidc',
      issuerUrl: 'https://accounts.google.com',
      displayName: 'Google',
      extra: options.hostedDomain
        ? { loginURLParameters: [{ name: 'hd', default: [options.hostedDomain] }] }
        : {},
    });
  }

  /** Microsoft Entra ID (v2.0 endpoint of one tenant), with oauth2-proxy's entra-id provider. */
  public static entraId(options: EntraIdIssuerOptions): OidcIssuer {
    const issuerUrl = `https://login.microsoftonline.com/${options.tenantId}/v2.0`;
    return new OidcIssuer('entraId', options, {
      providerType: 'entra-id',
      issuerUrl,
      displayName: 'Microsoft Entra ID',
    });
  }

  /** Keycloak, one realm. */
  public static keycloak(options: KeycloakIssuerOptions): OidcIssuer {
    const issuerUrl = `${options.url.replace(/\/+$/, '')}/realms/${options.realm}`;
    return new OidcIssuer('keycloak', options, {
      providerType: 'keycloak-oidc',
      issuerUrl,
      displayName: 'Keycloak',
    });
  }

  /** Any OpenID Connect issuer with discovery. */
  public static generic(options: GenericIssuerOptions): OidcIssuer {
    return new OidcIssuer('generic', options, {
      providerType: 'oidc',
      issuerUrl: options.issuerUrl.replace(/\/+$/, ''),
      displayName: options.displayName ?? 'OpenID Connect',
      emailClaim: options.emailClaim,
    });
  }

  public static isOidcIssuer(value: unknown): value is OidcIssuer {
    return isBranded(value, BRAND);
  }

  /** Which preset made this issuer. */
  public readonly preset: string;
  /** What oauth2-proxy needs. */
  public readonly settings: OidcIssuerSettings;
  /** @internal The options given to the preset, validated when the gateway binds it. */
  public readonly options: unknown;
  /** @internal Schema of those options. */
  public readonly schema: z.ZodType;

  // Every preset is named after its schema and decides only its part of the settings.
  private constructor(
    preset: keyof typeof schemas,
    options: IssuerCommonOptions,
    decisions: PresetDecisions,
  ) {
    brand(this, BRAND);
    this.preset = preset;
    this.options = options;
    this.schema = schemas[preset];
    this.settings = presetSettings(options, decisions);
  }
}

/** @internal The `issuer` prop of the gateway and of the portal. */
export const oidcIssuerSchema = valueObjectSchema(
  OidcIssuer.isOidcIssuer,
  'an OidcIssuer',
  'Use OidcIssuer.okta(), .google(), .entraId(), .keycloak() or .generic().',
);
