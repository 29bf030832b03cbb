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

/** Full annotation keys this library manages (extra annotations may not override them). */
export const MANAGED_INGRESS_NGINX_KEYS: ReadonlySet<string> = new Set(
  Object.values(KEYS).map((k) => `${INGRESS_NGINX_PREFIX}/${k}`),
);

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
  const short = fullKey.slice(INGRESS_NGINX_PREFIX.length + 1);
  const entry = (Object.entries(KEYS) as Array<[keyof IngressNginxSettings, string]>).find(([, v]) => v === short);
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
  return /-snippets?$/.test(key);
}
