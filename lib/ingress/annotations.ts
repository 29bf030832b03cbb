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

/** The prop to use instead of overriding a managed annotation, for error messages. */
export function propForAnnotation(fullKey: string): string | undefined {
  const short = fullKey.slice(INGRESS_NGINX_PREFIX.length + 1);
  const entry = Object.entries(KEYS).find(([, v]) => v === short);
  return entry?.[0];
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
