import { brand, isBranded } from '../core/brand';
import * as z from 'zod';
import { httpsUrl } from '../core/schemas';
import { problem } from '../core/validation';
import { SecretRef, secretRefSchema } from '../secrets/secret-ref';

const BRAND = Symbol.for('cdktf-backstage.MachineClient');

/** Limits what a machine client may do in Backstage (`accessRestrictions`). */
export interface AccessRestriction {
  /** Backend plugin id the client may call, e.g. `catalog`. */
  readonly plugin: string;
  /**
   * Permission names allowed within that plugin.
   * @default - every permission of the plugin
   */
  readonly permissions?: readonly string[];
}

/** Options of {@link MachineClient.jwt}. */
export interface JwtMachineClientOptions {
  /** Issuer (`iss`) of the tokens, e.g. a CI system's OIDC issuer or an IdP. */
  readonly issuerUrl: string;
  /**
   * Audience (`aud`) the tokens must carry; checked at the gateway and in Backstage. Not
   * `"backstage"`: Backstage reserves it for its own user tokens.
   */
  readonly audience: string;
  /** JWKS endpoint Backstage verifies signatures with. */
  readonly jwksUrl: string;
  /**
   * Names this client in Backstage. A token Backstage accepts becomes the service
   * principal `external:<subjectPrefix>:<sub>` (`<sub>` is the token's `sub` claim; this
   * is Backstage's `externalAccess` jwks option of the same name). That subject is what
   * permission policies see (`credentials.principal.subject`) and what audit logs record,
   * so one prefix per issuer keeps the `sub` values of two issuers apart and lets a policy
   * match every token of this client, e.g. `"ci"` turns `sub: "deploy-bot"` into
   * `external:ci:deploy-bot`. Lower-case letters, digits and `-`. It changes nothing at the
   * gateway, which checks issuer, audience and the access policy only.
   * @default - no prefix: `external:<sub>`
   */
  readonly subjectPrefix?: string;
  /**
   * Domain of the e-mail claim in this client's tokens. The gateway holds machine tokens to
   * the people's access policy too: oauth2-proxy checks every session, bearer-token ones
   * included, against `access.emailDomains` (a token without an e-mail is checked by its
   * subject, which never matches) and `access.groups`. So when the gateway restricts e-mail
   * domains this is required and must be one of them. Tokens with no e-mail claim (GitHub
   * Actions, GitLab CI, Kubernetes service accounts) cannot pass such a gateway.
   * @default - the tokens carry no e-mail claim
   */
  readonly emailDomain?: string;
  /**
   * Groups this client's tokens carry in the issuer's groups claim. When the gateway has
   * `access.groups`, at least one of them must be among those (see `emailDomain`).
   * @default - the tokens carry no groups
   */
  readonly groups?: readonly string[];
  /**
   * Accepted signing algorithms.
   * @default ["RS256"]
   */
  readonly algorithms?: readonly string[];
  /**
   * What the client may do in Backstage.
   * @default - no restriction beyond Backstage's permission policy
   */
  readonly accessRestrictions?: readonly AccessRestriction[];
}

/** Options of {@link MachineClient.staticToken}. */
export interface StaticTokenMachineClientOptions {
  /** Name of the principal in Backstage (permission policies, audit logs), exactly as given. */
  readonly subject: string;
  /** The shared token (at least 8 characters, no whitespace), as a secret reference. */
  readonly token: SecretRef;
  /**
   * What the client may do in Backstage.
   * @default - no restriction beyond Backstage's permission policy
   */
  readonly accessRestrictions?: readonly AccessRestriction[];
}

const restrictions = z
  .array(
    z.strictObject({
      plugin: z.string().regex(/^[a-z0-9-]+$/, problem('must be a Backstage plugin id', 'Use the plugin id in lower case, e.g. "catalog".')),
      permissions: z.array(z.string().min(1)).optional(),
    }),
  )
  .optional();

/** @internal */
export const jwtMachineClientSchema = z.strictObject({
  issuerUrl: httpsUrl,
  audience: z
    .string()
    .min(1, problem('must not be empty', 'Set the audience your token issuer puts in "aud" for Backstage.'))
    // Backstage takes any JWT whose aud is "backstage" for one of its own user tokens and
    // rejects it ("Failed user token verification") before externalAccess is consulted.
    .refine((aud) => aud !== 'backstage', problem('must not be "backstage"', 'Backstage reserves that audience for its own user tokens; use another, e.g. "backstage-machines".')),
  jwksUrl: httpsUrl,
  subjectPrefix: z.string().regex(/^[a-z0-9-]+$/, problem('must be lower-case letters, digits and "-"', 'Use a short name such as "ci".')).optional(),
  emailDomain: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, problem('must be a domain name such as "example.com"', 'Write the part after "@" of the e-mail claim, in lower case.'))
    .optional(),
  groups: z.array(z.string().regex(/^\S(.*\S)?$/, problem('must be a group name without surrounding whitespace', 'Write the group as the issuer puts it in the groups claim.'))).optional(),
  algorithms: z.array(z.string().regex(/^(RS|ES|PS)(256|384|512)$|^EdDSA$/, problem('must be an asymmetric JWS algorithm', 'Use RS256, ES256, PS256 or EdDSA; shared-secret (HS*) tokens cannot be checked with a JWKS.'))).optional(),
  accessRestrictions: restrictions,
}) satisfies z.ZodType<JwtMachineClientOptions>;

/** @internal */
export const staticTokenMachineClientSchema = z.strictObject({
  subject: z.string().regex(/^[a-z0-9][a-z0-9:._-]*$/i, problem('must be a simple name', 'Use letters, digits and ".", "_", "-", ":" (e.g. "ci-bot").')),
  token: secretRefSchema(),
  accessRestrictions: restrictions,
}) satisfies z.ZodType<StaticTokenMachineClientOptions>;

/**
 * A machine (CI bot, AI agent) that calls Backstage's API with a token instead of a
 * browser session.
 *
 * - `jwt`: tokens from a trusted issuer pass the gateway (oauth2-proxy
 *   `skip-jwt-bearer-tokens` + `extra-jwt-issuers`) and Backstage verifies them again
 *   against the JWKS (`backend.auth.externalAccess` type `jwks`).
 * - `staticToken`: a shared token Backstage accepts (`externalAccess` type `static`). It
 *   is not a JWT, so the gateway does not let it through from outside: use it only for
 *   in-cluster callers allowed by the Backstage NetworkPolicy (`allowedPeers`).
 */
export class MachineClient {
  public static jwt(options: JwtMachineClientOptions): MachineClient {
    return new MachineClient('jwt', options);
  }

  public static staticToken(options: StaticTokenMachineClientOptions): MachineClient {
    return new MachineClient('static', options);
  }

  public static isMachineClient(value: unknown): value is MachineClient {
    return isBranded(value, BRAND);
  }


  private constructor(
    public readonly kind: 'jwt' | 'static',
    public readonly options: JwtMachineClientOptions | StaticTokenMachineClientOptions,
  ) {
    brand(this, BRAND);
  }

  /** @internal The schema matching this client's kind. */
  public get schema(): z.ZodType {
    return this.kind === 'jwt' ? jwtMachineClientSchema : staticTokenMachineClientSchema;
  }
}

/** @internal The zod schema for a list of machine clients. */
export function machineClientsSchema() {
  return z.array(
    z.custom<MachineClient>(
      (value) => MachineClient.isMachineClient(value),
      problem('must be a MachineClient', 'Use MachineClient.jwt({...}) or MachineClient.staticToken({...}).'),
    ),
  );
}
