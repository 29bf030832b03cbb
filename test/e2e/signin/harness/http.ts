// A small HTTP client for the node-side scenarios: it reaches the portal's public host on
// the loopback nginx (address 127.0.0.1, SNI and Host the public name, as DNS would send
// it), keeps cookies per host like a browser, and can walk the whole OIDC sign-in.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';

export interface Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly url: string;
  /** Raw Set-Cookie headers of this response. */
  readonly setCookies: string[];
  header(name: string): string | undefined;
  json<T = any>(): T;
}

export interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly attributes: Readonly<Record<string, string | true>>;
}

export function parseSetCookie(raw: string): Cookie {
  const [pair, ...attrs] = raw.split(';');
  const eq = pair!.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const a of attrs) {
    const i = a.indexOf('=');
    const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    if (key) attributes[key] = i < 0 ? true : a.slice(i + 1).trim();
  }
  return { name: pair!.slice(0, eq).trim(), value: pair!.slice(eq + 1).trim(), attributes };
}

export interface Endpoints {
  /** Public host of the portal. */
  readonly host: string;
  readonly httpsPort: number;
  readonly httpPort: number;
  readonly caFile: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Send the jar's cookies (default true). */
  readonly cookies?: boolean;
}

export class HttpClient {
  /** host → cookie name → value */
  public readonly jar = new Map<string, Map<string, string>>();
  private readonly ca: Buffer;
  private readonly agent: Agent;

  constructor(
    public readonly endpoints: Endpoints,
    opts: { keepAlive?: boolean } = {},
  ) {
    this.ca = readFileSync(endpoints.caFile);
    this.agent = new Agent({ ca: this.ca, keepAlive: opts.keepAlive ?? false, maxSockets: 64 });
  }

  close(): void {
    this.agent.destroy();
  }

  cookies(host = this.endpoints.host): Map<string, string> {
    let m = this.jar.get(host);
    if (!m) this.jar.set(host, (m = new Map()));
    return m;
  }

  cookieHeader(host = this.endpoints.host): string {
    return [...this.cookies(host)].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  request(url: string, opts: RequestOptions = {}): Promise<Response> {
    const u = new URL(url);
    const isPortal = u.hostname === this.endpoints.host;
    const https = u.protocol === 'https:';
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.cookies !== false && !Object.keys(headers).some((h) => h.toLowerCase() === 'cookie')) {
      const cookie = this.cookieHeader(u.hostname);
      if (cookie) headers.cookie = cookie;
    }
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    // The public name resolves to the loopback nginx; the port is the public one (443/80).
    const port = isPortal
      ? https
        ? this.endpoints.httpsPort
        : this.endpoints.httpPort
      : Number(u.port || (https ? 443 : 80));
    headers.host = isPortal ? u.hostname : u.host;
    return new Promise((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(
        {
          host: '127.0.0.1',
          port,
          method: opts.method ?? 'GET',
          // Browsers take far more than Node's 16 KiB of response headers (a split session
          // is several Set-Cookie headers of ~4 KiB each).
          maxHeaderSize: 256 * 1024,
          path: `${u.pathname}${u.search}`,
          headers,
          ...(https ? { servername: isPortal ? u.hostname : undefined, ca: this.ca, agent: this.agent } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const setCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
            for (const raw of setCookies) {
              const c = parseSetCookie(raw);
              const expired =
                c.attributes['max-age'] !== undefined
                  ? Number(c.attributes['max-age']) <= 0
                  : typeof c.attributes.expires === 'string' && Date.parse(c.attributes.expires) < Date.now();
              if (expired || c.value === '') this.cookies(u.hostname).delete(c.name);
              else this.cookies(u.hostname).set(c.name, c.value);
            }
            const body = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body,
              url,
              setCookies,
              header: (name: string) => {
                const v = res.headers[name.toLowerCase()];
                return Array.isArray(v) ? v.join(', ') : v;
              },
              json: () => JSON.parse(body),
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }

  /** Follows redirects (up to `max`), returning every response on the way. */
  async follow(
    url: string,
    opts: RequestOptions & { onPage?: (res: Response) => Promise<Response | undefined>; max?: number } = {},
  ): Promise<Response[]> {
    const chain: Response[] = [];
    let res = await this.request(url, opts);
    for (let i = 0; i < (opts.max ?? 20); i++) {
      chain.push(res);
      const location = res.header('location');
      if (res.status >= 300 && res.status < 400 && location) {
        res = await this.request(new URL(location, res.url).toString(), {
          headers: { accept: opts.headers?.accept ?? 'text/html' },
        });
        continue;
      }
      const next = opts.onPage ? await opts.onPage(res) : undefined;
      if (!next) return chain;
      res = next;
    }
    throw new Error(
      `too many redirects from ${url}: ${chain.map((r) => `${r.status} ${r.url}`).join(' → ')}`,
    );
  }

  /**
   * The whole browser sign-in, without a browser: portal → oauth2-proxy → IdP login form
   * → callback → portal. Returns the chain of responses.
   */
  async signIn(email: string, password: string, startPath = '/'): Promise<Response[]> {
    return this.follow(`https://${this.endpoints.host}${startPath}`, {
      headers: { accept: 'text/html' },
      onPage: async (page) => {
        const form = /<form method="post" action="([^"]+)"/.exec(page.body);
        if (page.status !== 200 || !form || !page.url.includes('/interaction/')) return undefined;
        const action = new URL(
          form[1]!.replace(/&#(\d+);/g, (_m, c) => String.fromCharCode(Number(c))),
          page.url,
        ).toString();
        return this.request(action, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
          body: new URLSearchParams({ email, password }).toString(),
        });
      },
    });
  }
}
