import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import { httpsUrl, valueObjectSchema } from '../core/schemas';
import { nestedIssues, problem } from '../core/validation';
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
  /**
   * The exact `sub` values the machine entry (`OidcGateway` `machineHost`) admits. Required
   * there: an issuer such as GitHub Actions signs tokens for every repository on it, so
   * issuer and audience alone would let anyone's workflow in. The presets derive it from
   * what they are given (repository and ref or environment, namespace and service account).
   * @default - none: the client can only use the people's entry (see `emailDomain`)
   */
  readonly subjects?: readonly string[];
}

/** What {@link MachineClient.githubActions}, `.gitlabCi`, `.kubernetesServiceAccount` and `.oidc` have in common. */
export interface MachineClientPresetCommonOptions {
  /** Audience (`aud`) the tokens are requested for; not `"backstage"`. */
  readonly audience: string;
  /**
   * Names the client inside Backstage: principal `external:<subjectPrefix>:<sub>`.
   * @default - the preset's own: "github", "gitlab", "k8s", none for `oidc`
   */
  readonly subjectPrefix?: string;
  /**
   * What the client may do in Backstage.
   * @default - no restriction beyond Backstage's permission policy
   */
  readonly accessRestrictions?: readonly AccessRestriction[];
}

/** Options of {@link MachineClient.githubActions}. */
export interface GitHubActionsMachineClientOptions extends MachineClientPresetCommonOptions {
  /** The `repository` claim: `owner/name`. */
  readonly repository: string;
  /**
   * Git refs (`ref` claim) whose jobs without an environment are admitted, e.g. `refs/heads/main`.
   * @default - none
   */
  readonly refs?: readonly string[];
  /**
   * Deployment environments (`environment` claim) whose jobs are admitted; GitHub puts the
   * environment instead of the ref in `sub` for such jobs.
   * @default - none
   */
  readonly environments?: readonly string[];
  /**
   * Issuer of a GitHub Enterprise Server (`https://<host>/_services/token`).
   * @default "https://token.actions.githubusercontent.com"
   */
  readonly issuerUrl?: string;
}

/** Options of {@link MachineClient.gitlabCi}. */
export interface GitLabCiMachineClientOptions extends MachineClientPresetCommonOptions {
  /** The `project_path` claim: `group/project`. */
  readonly projectPath: string;
  /** Branches or tags (`ref_type`, `ref` claims) whose jobs are admitted. */
  readonly refs: ReadonlyArray<{ readonly type: 'branch' | 'tag'; readonly name: string }>;
  /**
   * The GitLab instance (its issuer).
   * @default "https://gitlab.com"
   */
  readonly gitlabUrl?: string;
}

/** Options of {@link MachineClient.kubernetesServiceAccount}. */
export interface KubernetesServiceAccountMachineClientOptions extends MachineClientPresetCommonOptions {
  /** The cluster's service-account issuer (`kube-apiserver --service-account-issuer`). */
  readonly issuerUrl: string;
  /**
   * Its JWKS, readable without credentials.
   * @default `${issuerUrl}/openid/v1/jwks`
   */
  readonly jwksUrl?: string;
  /** Namespace of the agent's ServiceAccount. */
  readonly namespace: string;
  /** Name of the agent's ServiceAccount. */
  readonly serviceAccount: string;
}

/** Options of {@link MachineClient.oidc}: any OIDC workload identity (GCP, Azure, SPIFFE...). */
export interface OidcMachineClientOptions extends MachineClientPresetCommonOptions {
  /** Issuer (`iss`). */
  readonly issuerUrl: string;
  /** Its JWKS endpoint. */
  readonly jwksUrl: string;
  /** The exact `sub` values admitted (a GCP service account's unique id, an Azure managed identity's object id). */
  readonly subjects: readonly string[];
  /**
   * Accepted signing algorithms.
   * @default ["RS256"]
   */
  readonly algorithms?: readonly string[];
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

/** @internal The `accessRestrictions` of a machine client. */
export const restrictions = z
  .array(
    z.strictObject({
      plugin: z
        .string()
        .regex(
          /^[a-z0-9-]+$/,
          problem('must be a Backstage plugin id', 'Use the plugin id in lower case, e.g. "catalog".'),
        ),
      permissions: z.array(z.string().min(1)).optional(),
    }),
  )
  .optional();

/** @internal The audience (`aud`) of a machine client's tokens, as every client and MachineAgent checks it. */
export const machineAudience = z
  .string()
  .min(1, problem('must not be empty', 'Set the audience your token issuer puts in "aud" for Backstage.'))
  // Backstage takes any JWT whose aud is "backstage" for one of its own user tokens and
  // rejects it ("Failed user token verification") before externalAccess is consulted.
  .refine(
    (aud) => aud !== 'backstage',
    problem(
      'must not be "backstage"',
      'Backstage reserves that audience for its own user tokens; use another, e.g. "backstage-machines".',
    ),
  );

/** @internal A machine client's `subjectPrefix`. */
export const machineSubjectPrefix = z
  .string()
  .regex(
    /^[a-z0-9-]+$/,
    problem('must be lower-case letters, digits and "-"', 'Use a short name such as "ci".'),
  );

const jwtMachineClientSchema = z.strictObject({
  issuerUrl: httpsUrl,
  audience: machineAudience,
  jwksUrl: httpsUrl,
  subjectPrefix: machineSubjectPrefix.optional(),
  emailDomain: z
    .string()
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/,
      problem(
        'must be a domain name such as "example.com"',
        'Write the part after "@" of the e-mail claim, in lower case.',
      ),
    )
    .optional(),
  groups: z
    .array(
      z
        .string()
        .regex(
          /^\S(.*\S)?$/,
          problem(
            'must be a group name without surrounding whitespace',
            'Write the group as the issuer puts it in the groups claim.',
          ),
        ),
    )
    .optional(),
  algorithms: z
    .array(
      z
        .string()
        .regex(
          /^(RS|ES|PS)(256|384|512)$|^EdDSA$/,
          problem(
            'must be an asymmetric JWS algorithm',
            'Use RS256, ES256, PS256 or EdDSA; shared-secret (HS*) tokens cannot be checked with a JWKS.',
          ),
        ),
    )
    .optional(),
  accessRestrictions: restrictions,
  subjects: z
    .array(
      z
        .string()
        .regex(
          /^\S+$/,
          problem(
            'must be a non-empty subject without whitespace',
            'Write the `sub` claim exactly as the issuer puts it in the token.',
          ),
        ),
    )
    .min(1, problem('must not be empty', 'List at least one subject, or leave subjects out.'))
    .optional(),
}) satisfies z.ZodType<JwtMachineClientOptions>;

const staticTokenMachineClientSchema = z.strictObject({
  subject: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9:._-]*$/i,
      problem('must be a simple name', 'Use letters, digits and ".", "_", "-", ":" (e.g. "ci-bot").'),
    ),
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
export abstract class MachineClient {
  /** A client whose JWTs, from a trusted issuer, pass the gateway and are verified again by Backstage. */
  public static jwt(options: JwtMachineClientOptions): MachineClient {
    return new JwtMachineClient(options);
  }

  /**
   * GitHub Actions OIDC tokens of one repository, for the given refs and/or environments
   * (admitted by their `sub`: `repo:<repository>:ref:<ref>` or `repo:<repository>:environment:<env>`).
   */
  public static githubActions(options: GitHubActionsMachineClientOptions): MachineClient {
    const issuerUrl = options.issuerUrl ?? 'https://token.actions.githubusercontent.com';
    return new JwtMachineClient(
      {
        issuerUrl,
        jwksUrl: `${issuerUrl}/.well-known/jwks`,
        audience: options.audience,
        subjectPrefix: options.subjectPrefix ?? 'github',
        ...someSubjects([
          ...(options.refs ?? []).map((ref) => `repo:${options.repository}:ref:${ref}`),
          ...(options.environments ?? []).map((env) => `repo:${options.repository}:environment:${env}`),
        ]),
        ...(options.accessRestrictions ? { accessRestrictions: options.accessRestrictions } : {}),
      },
      'github-actions',
    );
  }

  /** GitLab CI ID tokens of one project, for the given branches or tags (`sub`: `project_path:<p>:ref_type:<t>:ref:<r>`). */
  public static gitlabCi(options: GitLabCiMachineClientOptions): MachineClient {
    const issuerUrl = options.gitlabUrl ?? 'https://gitlab.com';
    return new JwtMachineClient(
      {
        issuerUrl,
        jwksUrl: `${issuerUrl}/oauth/discovery/keys`,
        audience: options.audience,
        subjectPrefix: options.subjectPrefix ?? 'gitlab',
        ...someSubjects(
          (options.refs ?? []).map(
            (ref) => `project_path:${options.projectPath}:ref_type:${ref.type}:ref:${ref.name}`,
          ),
        ),
        ...(options.accessRestrictions ? { accessRestrictions: options.accessRestrictions } : {}),
      },
      'gitlab-ci',
    );
  }

  /**
   * Projected, audience-bound tokens of one Kubernetes ServiceAccount, from the cluster's
   * service-account issuer (`sub`: `system:serviceaccount:<namespace>:<name>`).
   */
  public static kubernetesServiceAccount(
    options: KubernetesServiceAccountMachineClientOptions,
  ): MachineClient {
    return new JwtMachineClient(
      {
        issuerUrl: options.issuerUrl,
        jwksUrl: options.jwksUrl ?? `${options.issuerUrl.replace(/\/$/, '')}/openid/v1/jwks`,
        audience: options.audience,
        subjectPrefix: options.subjectPrefix ?? 'k8s',
        subjects: [`system:serviceaccount:${options.namespace}:${options.serviceAccount}`],
        ...(options.accessRestrictions ? { accessRestrictions: options.accessRestrictions } : {}),
      },
      'kubernetes-service-account',
    );
  }

  /** Any OIDC workload identity (GCP, Azure), admitted by issuer, audience and exact subjects. */
  public static oidc(options: OidcMachineClientOptions): MachineClient {
    return new JwtMachineClient({ ...options }, 'oidc');
  }

  /**
   * DANGEROUS fallback: a long-lived shared secret that only Backstage checks, which never
   * expires, is not bound to a workload and must be rotated by hand. Prefer workload
   * identity (`githubActions`, `gitlabCi`, `kubernetesServiceAccount`, `oidc`). Only for
   * in-cluster callers admitted by the Backstage NetworkPolicy (`allowedPeers`).
   */
  public static dangerousStaticToken(options: StaticTokenMachineClientOptions): MachineClient {
    return new StaticTokenMachineClient(options);
  }

  /**
   * A client with a shared token that only Backstage checks: for in-cluster callers.
   * @deprecated Use {@link MachineClient.dangerousStaticToken}, which says what it is.
   */
  public static staticToken(options: StaticTokenMachineClientOptions): MachineClient {
    return new StaticTokenMachineClient(options);
  }

  /** True for any MachineClient, even one from another copy of this library. */
  public static isMachineClient(value: unknown): value is MachineClient {
    return isBranded(value, BRAND);
  }

  /** How the client proves who it is: `jwt` or `static` (a shared token). */
  public abstract readonly kind: 'jwt' | 'static';
  /** Which factory made it: `jwt`, `github-actions`, `gitlab-ci`, `kubernetes-service-account`, `oidc` or `static`. */
  public abstract readonly preset:
    'jwt' | 'github-actions' | 'gitlab-ci' | 'kubernetes-service-account' | 'oidc' | 'static';
  /**
   * The options given to the factory.
   * @deprecated Keep the options you pass to `MachineClient.jwt` or `.staticToken` where
   * you need them; this property will be removed in the next minor version.
   */
  public abstract readonly options: JwtMachineClientOptions | StaticTokenMachineClientOptions;

  protected constructor() {
    brand(this, BRAND);
  }

  /** @internal The options of a `jwt` client; undefined for other kinds. */
  public get jwtOptions(): JwtMachineClientOptions | undefined {
    return undefined;
  }

  /** @internal The options of a `static` client; undefined for other kinds. */
  public get staticTokenOptions(): StaticTokenMachineClientOptions | undefined {
    return undefined;
  }

  /**
   * @internal
   * Adds the problems of the factory's options to the check of the props that hold the
   * client, under `path`, so they are reported in the same error.
   */
  public addOptionIssues(_ctx: z.core.$RefinementCtx, _path: readonly PropertyKey[]): void {}
}

/** `subjects` when there are any: an empty list is the preset's own refusal, not the schema's. */
function someSubjects(subjects: string[]): { subjects?: string[] } {
  return subjects.length > 0 ? { subjects } : {};
}

class JwtMachineClient extends MachineClient {
  public readonly kind = 'jwt';

  constructor(
    public readonly options: JwtMachineClientOptions,
    public readonly preset:
      'jwt' | 'github-actions' | 'gitlab-ci' | 'kubernetes-service-account' | 'oidc' = 'jwt',
  ) {
    super();
  }

  public override get jwtOptions(): JwtMachineClientOptions {
    return this.options;
  }

  public override addOptionIssues(ctx: z.core.$RefinementCtx, path: readonly PropertyKey[]): void {
    nestedIssues(ctx, path, jwtMachineClientSchema, this.options);
    // A preset with nothing to admit would let no token in (or, worse, reach the gateway
    // without a subject rule): say so where it was made.
    if (this.preset !== 'jwt' && (this.options.subjects?.length ?? 0) === 0) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'subjects'],
        message: problem(
          'admits no subject',
          this.preset === 'github-actions'
            ? 'Give refs (e.g. ["refs/heads/main"]) or environments.'
            : 'Give at least one ref or subject.',
        ),
        params: { nestedValue: { value: this.options.subjects } },
      });
    }
  }
}

class StaticTokenMachineClient extends MachineClient {
  public readonly kind = 'static';
  public readonly preset = 'static';

  constructor(public readonly options: StaticTokenMachineClientOptions) {
    super();
  }

  public override get staticTokenOptions(): StaticTokenMachineClientOptions {
    return this.options;
  }

  public override addOptionIssues(ctx: z.core.$RefinementCtx, path: readonly PropertyKey[]): void {
    nestedIssues(ctx, path, staticTokenMachineClientSchema, this.options);
  }
}

/** @internal The options of the `jwt` clients among `clients`, in order. */
export function jwtClientOptions(clients: readonly MachineClient[]): JwtMachineClientOptions[] {
  return clients.flatMap((client) => (client.jwtOptions ? [client.jwtOptions] : []));
}

/** @internal The options of the `static` clients among `clients`, in order. */
export function staticTokenClientOptions(
  clients: readonly MachineClient[],
): StaticTokenMachineClientOptions[] {
  return clients.flatMap((client) => (client.staticTokenOptions ? [client.staticTokenOptions] : []));
}

/** @internal The zod schema for a list of machine clients. */
export function machineClientsSchema() {
  return z.array(
    valueObjectSchema(
      MachineClient.isMachineClient,
      'a MachineClient',
      'Use MachineClient.jwt({...}) or MachineClient.staticToken({...}).',
    ),
  );
}

/**
 * @internal
 * Adds the problems of each client's options to a props check, under
 * `machineClients[<index>]`, and those of clients of one issuer that grant different access.
 */
export function machineClientIssues(
  clients: readonly MachineClient[] | undefined,
  ctx: z.core.$RefinementCtx,
): void {
  const firstOfIssuer = new Map<string, { index: number; restrictions: string }>();
  clients?.forEach((client, index) => {
    if (!MachineClient.isMachineClient(client)) {
      return;
    }
    client.addOptionIssues(ctx, ['machineClients', index]);
    // Backstage tells a token's client by issuer and audience alone: the first externalAccess
    // entry that verifies the token wins, whatever its subject (backend-defaults'
    // ExternalAuthTokenHandler and jwks handler), and the machine entry's subject list is
    // one for all clients. The caller picks the audience it asks its issuer for (GitHub
    // Actions, GitLab id_tokens, a pod's projected token), so one client's subjects could
    // take another's access by asking for its audience. Clients of one issuer must grant
    // the same.
    const options = client.jwtOptions;
    if (options === undefined) {
      return;
    }
    const restrictions = restrictionsKey(options.accessRestrictions);
    const first = firstOfIssuer.get(options.issuerUrl);
    if (first === undefined) {
      firstOfIssuer.set(options.issuerUrl, { index, restrictions });
    } else if (first.restrictions !== restrictions) {
      ctx.addIssue({
        code: 'custom',
        path: ['machineClients', index, 'accessRestrictions'],
        message: problem(
          `differ from those of machineClients[${first.index}], a client of the same issuer ${options.issuerUrl}: Backstage tells the clients of one issuer apart by the audience alone, which the caller picks, so the subjects of either could get the access of the other`,
          'Give the clients of one issuer the same accessRestrictions (a client of its own issuer can have others).',
        ),
        params: { nestedValue: { value: options.accessRestrictions } },
      });
    }
  });
}

/** What a client's restrictions grant, as one comparable string (order does not matter). */
function restrictionsKey(restrictions: readonly AccessRestriction[] | undefined): string {
  if (restrictions === undefined) {
    return 'unrestricted';
  }
  const entries = restrictions.map((r) => JSON.stringify([r.plugin, [...(r.permissions ?? [])].sort()]));
  return JSON.stringify([...new Set(entries)].sort());
}
