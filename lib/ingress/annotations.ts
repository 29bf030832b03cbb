// Typed ingress-nginx annotations. Every key this library sets goes through here, so the
// set of "managed" keys (which extra annotations may not override) is known in one place.

export const INGRESS_NGINX_PREFIX = 'nginx.ingress.kubernetes.io';

/** The ingress-nginx annotations the library renders, by their short name. */
export interface IngressNginxSettings {
  readonly authUrl?: string;
  readonly authSignin?: string;
  readonly authResponseHeaders?: string;
  readonly authCacheKey?: string;
  readonly authCacheDuration?: string;
  readonly proxyBufferSize?: string;
  readonly proxyBuffersNumber?: number;
  readonly sslRedirect?: boolean;
  readonly forceSslRedirect?: boolean;
  readonly whitelistSourceRange?: readonly string[];
  readonly limitRps?: number;
  readonly limitBurstMultiplier?: number;
  readonly limitConnections?: number;
  readonly enableCors?: boolean;
  readonly corsAllowOrigin?: readonly string[];
  readonly corsAllowCredentials?: boolean;
  readonly corsAllowMethods?: readonly string[];
  readonly corsAllowHeaders?: readonly string[];
  readonly proxyBodySize?: string;
  readonly proxyConnectTimeout?: number;
  readonly proxyReadTimeout?: number;
  readonly proxySendTimeout?: number;
  readonly backendProtocol?: 'HTTP' | 'HTTPS';
}

const KEYS: Record<keyof IngressNginxSettings, string> = {
  authUrl: 'auth-url',
  authSignin: 'auth-signin',
  authResponseHeaders: 'auth-response-headers',
  authCacheKey: 'auth-cache-key',
  authCacheDuration: 'auth-cache-duration',
  proxyBufferSize: 'proxy-buffer-size',
  proxyBuffersNumber: 'proxy-buffers-number',
  sslRedirect: 'ssl-redirect',
  forceSslRedirect: 'force-ssl-redirect',
  whitelistSourceRange: 'whitelist-source-range',
  limitRps: 'limit-rps',
  limitBurstMultiplier: 'limit-burst-multiplier',
  limitConnections: 'limit-connections',
  enableCors: 'enable-cors',
  corsAllowOrigin: 'cors-allow-origin',
  corsAllowCredentials: 'cors-allow-credentials',
  corsAllowMethods: 'cors-allow-methods',
  corsAllowHeaders: 'cors-allow-headers',
  proxyBodySize: 'proxy-body-size',
  proxyConnectTimeout: 'proxy-connect-timeout',
  proxyReadTimeout: 'proxy-read-timeout',
  proxySendTimeout: 'proxy-send-timeout',
  backendProtocol: 'backend-protocol',
};

/**
 * Other names ingress-nginx reads for a managed annotation. It reads `allowlist-source-range`
 * before its older alias `whitelist-source-range`, so an extra annotation under the new name
 * would silently replace the managed allow-list.
 */
const ALIASES: Partial<Record<keyof IngressNginxSettings, readonly string[]>> = {
  whitelistSourceRange: ['allowlist-source-range'],
};

/**
 * Full annotation keys this library manages, aliases included (extra annotations may not
 * override them). Lower case: compare with `key.toLowerCase()`.
 */
export const MANAGED_INGRESS_NGINX_KEYS: ReadonlySet<string> = new Set(
  (Object.entries(KEYS) as Array<[keyof IngressNginxSettings, string]>).flatMap(([prop, k]) =>
    [k, ...(ALIASES[prop] ?? [])].map((name) => `${INGRESS_NGINX_PREFIX}/${name}`),
  ),
);

/** True when the key, or a name ingress-nginx reads in its place, is managed by the library. */
export function isManagedIngressNginxKey(key: string): boolean {
  return MANAGED_INGRESS_NGINX_KEYS.has(key.trim().toLowerCase());
}

// Where a user sets each managed annotation instead, in NginxIngress terms.
const SET_THROUGH: Record<keyof IngressNginxSettings, string> = {
  authUrl: 'the gateway prop (auth is wired from the OidcGateway)',
  authSignin: 'the gateway prop (auth is wired from the OidcGateway)',
  authResponseHeaders: 'the header contract (it must match what oauth2-proxy emits and Backstage reads)',
  authCacheKey: 'the "authCacheDuration" prop (the key is derived from the session cookie)',
  authCacheDuration: 'the "authCacheDuration" prop',
  proxyBufferSize: 'the "proxyBufferSize" prop',
  proxyBuffersNumber: 'the "proxyBufferSize" prop',
  sslRedirect: 'nothing: HTTPS is always forced',
  forceSslRedirect: 'nothing: HTTPS is always forced',
  whitelistSourceRange: 'the "allowSourceRanges" prop',
  limitRps: 'the "rateLimit.requestsPerSecond" prop',
  limitBurstMultiplier: 'the "rateLimit.burstMultiplier" prop',
  limitConnections: 'the "rateLimit.connections" prop',
  enableCors: 'the "cors" prop',
  corsAllowOrigin: 'the "cors.extraOrigins" prop',
  corsAllowCredentials: 'the "cors" prop',
  corsAllowMethods: 'the "cors" prop',
  corsAllowHeaders: 'the "cors" prop',
  proxyBodySize: 'the "proxyBodySize" prop',
  proxyConnectTimeout: 'the "timeouts.connectSeconds" prop',
  proxyReadTimeout: 'the "timeouts.readSeconds" prop',
  proxySendTimeout: 'the "timeouts.sendSeconds" prop',
  backendProtocol: 'the "backend" prop',
};

/** How to set a managed annotation instead of overriding it, for error messages. */
export function setThroughForAnnotation(fullKey: string): string {
  const short = fullKey
    .trim()
    .toLowerCase()
    .slice(INGRESS_NGINX_PREFIX.length + 1);
  const entry = (Object.entries(KEYS) as Array<[keyof IngressNginxSettings, string]>).find(
    ([prop, v]) => v === short || (ALIASES[prop] ?? []).includes(short),
  );
  return entry ? SET_THROUGH[entry[0]] : 'its typed prop';
}

/** Renders settings as annotations: strings, lists comma-joined, booleans "true"/"false". */
export function renderIngressNginxAnnotations(settings: IngressNginxSettings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [prop, key] of Object.entries(KEYS) as Array<[keyof IngressNginxSettings, string]>) {
    const value = settings[prop];
    if (value === undefined) {
      continue;
    }
    out[`${INGRESS_NGINX_PREFIX}/${key}`] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return out;
}

/**
 * Snippet annotations (`*-snippet`, and F5's `*-snippets`) inject raw nginx config. They
 * are off by default since the 2025 IngressNightmare CVEs; allowing them is the risk.
 */
export function isSnippetAnnotation(key: string): boolean {
  // Case and surrounding space ignored: a look-alike key is refused as well.
  return /-snippets?$/i.test(key.trim());
}

// An annotation key is a qualified name: an optional DNS-subdomain prefix and "/", then a
// name of at most 63 characters (alphanumerics, "-", "_", "."; alphanumeric at both ends).
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** True when Kubernetes accepts `key` as an annotation key. */
export function isValidAnnotationKey(key: string): boolean {
  const slash = key.indexOf('/');
  return QUALIFIED_NAME.test(key) && (slash < 0 || slash <= 253);
}
