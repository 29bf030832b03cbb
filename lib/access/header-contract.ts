// The identity header contract: the ONE place that says which headers carry the
// signed-in user from oauth2-proxy, through the ingress, to Backstage.
//
// Why it is not trivial: in auth-url mode nginx asks oauth2-proxy's /oauth2/auth and
// copies the headers named in `auth-response-headers` from that answer onto the request
// to Backstage, unchanged. oauth2-proxy's built-in auth answers use X-Auth-Request-*
// names, but Backstage's oauth2Proxy provider reads x-forwarded-user, x-forwarded-email,
// x-forwarded-preferred-username and X-OAUTH2-PROXY-ID-TOKEN ("Bearer <jwt>"). So we make
// oauth2-proxy answer with exactly the names Backstage reads (alpha config
// `injectResponseHeaders`), and tell nginx to copy exactly those. Because nginx sets
// these headers on the upstream request (empty when the answer lacks them), a client
// can never smuggle its own value through.
//
// The Authorization header is deliberately NOT part of the contract: Backstage checks
// any bearer token it receives and rejects oauth2-proxy's ("Illegal token").

/** One identity header and where oauth2-proxy takes its value from. */
export interface IdentityHeader {
  /** Header name exactly as oauth2-proxy emits it and nginx copies it. */
  readonly name: string;
  /** oauth2-proxy session claim that fills it. */
  readonly claim: 'user' | 'email' | 'preferred_username' | 'id_token';
  /** Prefix oauth2-proxy puts before the claim value. */
  readonly prefix?: string;
  /** Why Backstage needs it. */
  readonly purpose: string;
}

export const IDENTITY_HEADERS: readonly IdentityHeader[] = Object.freeze([
  { name: 'X-Forwarded-User', claim: 'user', purpose: 'forwardedUserMatchingUserEntityName resolver' },
  { name: 'X-Forwarded-Email', claim: 'email', purpose: 'profile e-mail and the e-mail resolvers' },
  {
    name: 'X-Forwarded-Preferred-Username',
    claim: 'preferred_username',
    purpose: 'display name and forwardedPreferredUsernameMatchingUserEntityName resolver',
  },
  {
    name: 'X-OAUTH2-PROXY-ID-TOKEN',
    claim: 'id_token',
    prefix: 'Bearer ',
    purpose: 'full profile (ID token claims)',
  },
]);

/** Header names in contract order. */
export function identityHeaderNames(): string[] {
  return IDENTITY_HEADERS.map((h) => h.name);
}

/** oauth2-proxy alpha config `injectResponseHeaders` (the v7.14+ nested `claimSource` form). */
export function oauth2ProxyInjectResponseHeaders(): Array<Record<string, unknown>> {
  return IDENTITY_HEADERS.map((h) => ({
    name: h.name,
    values: [{ claimSource: { claim: h.claim, ...(h.prefix ? { prefix: h.prefix } : {}) } }],
  }));
}

/**
 * oauth2-proxy alpha config `injectRequestHeaders`, for a gateway in the request path (the
 * F5 flavour): the same headers, set on the request to Backstage. Client values of these
 * headers are replaced, never passed on (`preserveRequestValue` stays false).
 */
export function oauth2ProxyInjectRequestHeaders(): Array<Record<string, unknown>> {
  return oauth2ProxyInjectResponseHeaders();
}

/**
 * `injectRequestHeaders` that strip the contract's headers and set none (a header with no
 * values: oauth2-proxy removes the client's copy and adds nothing), for the machine entry in
 * the request path. Machines are not people: Backstage gets no identity headers from it, as
 * from the auth-only machine entry on ingress-nginx, only the bearer token, which it checks
 * itself. Otherwise a machine's `sub` would arrive as X-Forwarded-User, which the
 * forwardedUserMatchingUserEntityName resolver would sign in as the User of that name.
 */
export function oauth2ProxyStrippedRequestHeaders(): Array<Record<string, unknown>> {
  return IDENTITY_HEADERS.map((h) => ({ name: h.name, values: [] }));
}

/** The `nginx.ingress.kubernetes.io/auth-response-headers` value. */
export function ingressAuthResponseHeaders(): string {
  return identityHeaderNames().join(',');
}
