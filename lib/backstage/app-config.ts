import { AccessRestriction, jwtClientOptions, MachineClient } from '../access/machine-client';
import { isPlainObject } from '../core/objects';

/** The sign-in resolvers Backstage offers for the oauth2Proxy provider. */
export type SignInResolver =
  | 'emailMatchingUserEntityProfileEmail'
  | 'emailLocalPartMatchingUserEntityName'
  | 'forwardedUserMatchingUserEntityName'
  | 'forwardedPreferredUsernameMatchingUserEntityName';

export const SIGN_IN_RESOLVERS = [
  'emailMatchingUserEntityProfileEmail',
  'emailLocalPartMatchingUserEntityName',
  'forwardedUserMatchingUserEntityName',
  'forwardedPreferredUsernameMatchingUserEntityName',
] as const satisfies readonly SignInResolver[];

/** How signed-in people become catalog users. */
export interface SignInOptions {
  /**
   * Resolvers tried in order until one finds the User entity. The default matches the
   * e-mail from the IdP against `spec.profile.email`, which works whatever the IdP uses
   * as subject (Okta and Entra ID put opaque ids in `sub`).
   * @default ["emailMatchingUserEntityProfileEmail"]
   */
  readonly resolvers?: readonly SignInResolver[];
  /**
   * Let people without a User entity sign in. Every resolver above takes the flag
   * (Backstage's e-mail resolvers as much as the forwarded-header ones), so it is set on
   * each. They get an identity the catalog knows nothing about: no group ownership, no
   * permissions by group.
   * @default false
   */
  readonly dangerouslyAllowSignInWithoutUserInCatalog?: boolean;
}

/** A machine client's static token as an environment variable of the Backstage pod. */
export interface StaticTokenEnv {
  readonly subject: string;
  readonly envName: string;
  readonly accessRestrictions?: readonly AccessRestriction[];
}

export interface GeneratedAppConfigInput {
  readonly host: string;
  readonly port: number;
  readonly database: Record<string, unknown>;
  readonly signIn: SignInOptions;
  readonly machineClients: readonly MachineClient[];
  readonly staticTokens: readonly StaticTokenEnv[];
}

function restrictionsConfig(restrictions: readonly AccessRestriction[] | undefined) {
  if (!restrictions?.length) {
    return {};
  }
  return {
    accessRestrictions: restrictions.map((r) => ({
      plugin: r.plugin,
      ...(r.permissions?.length ? { permission: [...r.permissions] } : {}),
    })),
  };
}

/**
 * The app-config this library owns. Every URL derives from the one host, so the
 * frontend, backend and CORS origin cannot disagree.
 */
export function generatedAppConfig(input: GeneratedAppConfigInput): Record<string, unknown> {
  const origin = `https://${input.host}`;
  const externalAccess = [
    ...jwtClientOptions(input.machineClients).map((o) => ({
      type: 'jwks',
      options: {
        url: o.jwksUrl,
        issuer: o.issuerUrl,
        audience: o.audience,
        algorithm: [...(o.algorithms ?? ['RS256'])],
        ...(o.subjectPrefix ? { subjectPrefix: o.subjectPrefix } : {}),
      },
      // Backstage reads accessRestrictions from the entry, beside options: inside
      // options they would be ignored and the client left unrestricted.
      ...restrictionsConfig(o.accessRestrictions),
    })),
    ...input.staticTokens.map((t) => ({
      type: 'static',
      options: { token: `\${${t.envName}}`, subject: t.subject },
      ...restrictionsConfig(t.accessRestrictions),
    })),
  ];
  const resolverOptions = input.signIn.dangerouslyAllowSignInWithoutUserInCatalog
    ? { dangerouslyAllowSignInWithoutUserInCatalog: true }
    : {};
  return {
    app: { baseUrl: origin },
    backend: {
      baseUrl: origin,
      listen: { port: input.port },
      cors: {
        origin,
        methods: ['GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'DELETE'],
        credentials: true,
      },
      database: input.database,
      ...(externalAccess.length > 0 ? { auth: { externalAccess } } : {}),
    },
    auth: {
      environment: 'production',
      providers: {
        oauth2Proxy: {
          signIn: {
            resolvers: (input.signIn.resolvers ?? ['emailMatchingUserEntityProfileEmail']).map(
              (resolver) => ({
                resolver,
                ...resolverOptions,
              }),
            ),
          },
        },
      },
    },
  };
}

/** Backstage's own merge rule: objects merge key by key, anything else is replaced. */
export function mergeAppConfig(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeAppConfig(current, value) : value;
  }
  return out;
}

// `authorization` covers proxy and integration headers ("Authorization: Bearer ...").
const SECRET_KEY = /(password|passwd|secret|token|api[-_]?key|private[-_]?key|credentials?|authorization)$/i;
const SUBSTITUTION = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
// An Authorization header may put its scheme before the substitution: "Bearer ${TOKEN}".
const AUTHORIZATION_SUBSTITUTION = /^(?:(?:Bearer|Basic|Token|Bot)\s+)?\$\{[A-Za-z_][A-Za-z0-9_]*\}$/i;

/**
 * Paths (as key lists) of app-config values that look like literal secrets: a key named
 * like a secret (or an Authorization header) with a string that is not a `${ENV_VAR}`
 * substitution.
 */
export function findLiteralSecrets(
  config: unknown,
  path: ReadonlyArray<string | number> = [],
): Array<Array<string | number>> {
  if (Array.isArray(config)) {
    return config.flatMap((item, i) => findLiteralSecrets(item, [...path, i]));
  }
  if (!isPlainObject(config)) {
    return [];
  }
  return Object.entries(config).flatMap(([key, value]) => {
    const here = [...path, key];
    const substitution = /authorization$/i.test(key) ? AUTHORIZATION_SUBSTITUTION : SUBSTITUTION;
    if (typeof value === 'string' && SECRET_KEY.test(key) && !substitution.test(value.trim())) {
      return [here];
    }
    return findLiteralSecrets(value, here);
  });
}

/**
 * Settings the library derives and wires together (from the host, the database, the
 * machine clients and the header contract). A user value there would silently break what
 * the gateway, the ingress or the database binding set up, so it is refused instead.
 */
export const DERIVED_APP_CONFIG_PATHS: ReadonlyArray<{
  readonly path: readonly string[];
  readonly fix: string;
}> = [
  { path: ['app', 'baseUrl'], fix: 'It is https://<host>: change the host prop instead.' },
  { path: ['backend', 'baseUrl'], fix: 'It is https://<host>: change the host prop instead.' },
  {
    path: ['backend', 'listen'],
    fix: 'The Service, probes and NetworkPolicy expect port 7007: leave it out.',
  },
  {
    path: ['backend', 'cors', 'origin'],
    fix: 'It is the portal origin https://<host>: change the host prop instead.',
  },
  {
    path: ['backend', 'database'],
    fix: 'Set the database prop (BackstageDatabase.external / .inCluster / .sqliteInMemory) instead.',
  },
  {
    path: ['backend', 'auth', 'externalAccess'],
    fix: 'Declare machine clients with machineClients (MachineClient.jwt / .staticToken) instead.',
  },
  {
    path: ['auth', 'providers', 'oauth2Proxy'],
    fix: 'Use the signIn prop for the resolvers; the gateway sets the headers this provider reads.',
  },
];

/** The derived paths (see DERIVED_APP_CONFIG_PATHS) that a user app-config sets. */
export function findDerivedOverrides(
  config: unknown,
): Array<{ readonly path: readonly string[]; readonly fix: string }> {
  return DERIVED_APP_CONFIG_PATHS.filter(({ path }) => {
    let current: unknown = config;
    for (const key of path) {
      if (!isPlainObject(current) || !(key in current)) {
        return false;
      }
      current = current[key];
    }
    return true;
  });
}

// Kept here too for the imports that name it from this module (it lives in lib/core now).
export { SECRET_ENV_NAME } from '../core/env-names';
