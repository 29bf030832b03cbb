// Debian's nginx, configured the way the ingress-nginx controller configures itself for the
// synthesized Ingress objects. The config is DERIVED from the Ingresses' rules and
// annotations (mirroring the controller's nginx.tmpl for each annotation), so a changed
// annotation changes what runs here. An ingress-nginx annotation this file does not know
// fails the test instead of being ignored.
//
// Loopback-only differences from a cluster, all here: Services → 127.0.0.1:<port>;
// listen on 127.0.0.1:<free ports> instead of 80/443 (clients map the public host and its
// ports onto these: Chromium with --host-resolver-rules, node clients by address + SNI);
// the TLS Secret → the test CA's certificate files; X-Forwarded-Port is the public 443.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse as parseYaml } from 'yaml';

import { INGRESS_NGINX_PREFIX } from '../../../../lib';
import type { ServerCert } from './pki';
import { configMapData, Json, list, one, resolve } from './portal';
import { freePort, Started, startProcess, waitFor } from './processes';

export interface IngressPath {
  readonly path: string;
  readonly pathType: string;
  readonly service: string;
  readonly port: number;
}

export interface IngressSpec {
  readonly name: string;
  readonly namespace: string;
  readonly className: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly rules: ReadonlyArray<{ host: string; paths: IngressPath[] }>;
  readonly tls: ReadonlyArray<{ hosts: string[]; secretName: string }>;
}

/** The synthesized Ingress objects, references resolved. */
export function ingressesOf(json: Json): IngressSpec[] {
  return (Object.values(json.resource?.kubernetes_ingress_v1 ?? {}) as Json[]).map((ing) => {
    const meta = one(ing.metadata);
    const spec = one(ing.spec);
    return {
      name: String(resolve(json, meta.name)),
      namespace: String(resolve(json, meta.namespace ?? 'default')),
      className: String(spec.ingress_class_name),
      annotations: Object.fromEntries(
        Object.entries(meta.annotations ?? {}).map(([k, v]) => [k, String(resolve(json, v))]),
      ),
      rules: list(spec.rule).map((rule: any) => ({
        host: String(rule.host),
        // A rule without http (an F5 master Ingress) has no paths.
        paths: list(one(rule.http)?.path).map((p: any) => {
          const svc = one(one(p.backend).service);
          return {
            path: String(p.path),
            pathType: String(p.path_type),
            service: String(resolve(json, svc.name)),
            port: Number(one(svc.port).number),
          };
        }),
      })),
      tls: list(spec.tls).map((t: any) => ({
        hosts: list(t.hosts).map(String),
        secretName: String(resolve(json, t.secret_name)),
      })),
    };
  });
}

/**
 * Settings of the ingress-nginx controller itself (its ConfigMap defaults, v1.x), which
 * apply to every Ingress. Not annotations: the library does not render a controller yet.
 */
export const CONTROLLER_DEFAULTS = {
  /** large-client-header-buffers */
  largeClientHeaderBuffers: '4 8k',
  /** client-header-buffer-size */
  clientHeaderBufferSize: '1k',
  /** use-http2 */
  http2: true,
  /** hsts, hsts-max-age, hsts-include-subdomains */
  hsts: 'max-age=31536000; includeSubDomains',
  /** ssl-protocols */
  sslProtocols: 'TLSv1.2 TLSv1.3',
  /** http-redirect-code */
  httpRedirectCode: 308,
  /** upstream-keepalive-connections */
  upstreamKeepalive: 320,
  /** proxy-buffering */
  proxyBuffering: 'off',
  /** limit-req-status-code / limit-conn-status-code */
  limitStatusCode: 503,
  /** the auth cache zone of nginx.tmpl */
  authCacheZone: 'keys_zone=auth_cache:10m max_size=128m inactive=30m use_temp_path=off',
} as const;

const HANDLED = new Set([
  'auth-url',
  'auth-signin',
  'auth-response-headers',
  'auth-cache-key',
  'auth-cache-duration',
  'proxy-buffer-size',
  'proxy-buffers-number',
  'ssl-redirect',
  'force-ssl-redirect',
  'whitelist-source-range',
  'limit-rps',
  'limit-burst-multiplier',
  'limit-connections',
  'proxy-body-size',
  'proxy-connect-timeout',
  'proxy-read-timeout',
  'proxy-send-timeout',
  'backend-protocol',
  'custom-headers',
]);

export interface NginxPlan {
  readonly config: string;
  readonly httpsPort: number;
  readonly httpPort: number;
  readonly host: string;
}

export interface DeriveOptions {
  readonly dir: string;
  /** "<service>:<port>" → "127.0.0.1:<port>" */
  readonly upstreams: ReadonlyMap<string, string>;
  /** TLS Secret name → certificate files */
  readonly tlsSecrets: ReadonlyMap<string, ServerCert>;
  readonly httpsPort: number;
  readonly httpPort: number;
  /** ingress class this "controller" serves */
  readonly ingressClassName?: string;
  readonly modulesDir?: string;
  /** The controller ConfigMap the library's IngressNginxController renders (overrides defaults). */
  readonly controllerConfig?: Readonly<Record<string, string>>;
  /** The stack's ConfigMaps by "<namespace>/<name>" (what `custom-headers` names). */
  readonly configMaps?: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/** The ConfigMaps of a synthesized stack by "<namespace>/<name>", their data unescaped. */
export function configMapIndex(json: Json): Map<string, Record<string, string>> {
  const index = new Map<string, Record<string, string>>();
  for (const cm of Object.values(json.resource?.kubernetes_config_map_v1 ?? {}) as Json[]) {
    const meta = one(cm.metadata);
    const name = String(resolve(json, meta.name));
    index.set(`${String(resolve(json, meta.namespace ?? 'default'))}/${name}`, configMapData(json, name));
  }
  return index;
}

// internal/ingress/annotations/customheaders (v1.15.1): what the controller accepts.
const CUSTOM_HEADER_NAME = /^[a-zA-Z\d\-_]+$/;
const CUSTOM_HEADER_VALUE = /^[a-zA-Z\d_ :;.,\\/"'?!(){}[\]@<>=\-+*#$&\x60|~^%]+$/;

/**
 * The `custom-headers` annotation as the controller renders it: `more_set_headers` per
 * header of the named ConfigMap, or the location denied (503) when the ConfigMap is missing
 * or a header is invalid or not in `global-allowed-response-headers` (compared exactly).
 */
function customHeaderDirectives(
  ingress: IngressSpec,
  o: DeriveOptions,
): { denied?: string; directives: string[] } {
  const ref = ingress.annotations[`${INGRESS_NGINX_PREFIX}/custom-headers`];
  if (ref === undefined) return { directives: [] };
  const data = o.configMaps?.get(ref);
  if (!data) return { denied: `unable to find configMap "${ref}"`, directives: [] };
  const allowed = (o.controllerConfig?.['global-allowed-response-headers'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '' && CUSTOM_HEADER_NAME.test(h));
  const directives: string[] = [];
  for (const [header, value] of Object.entries(data)) {
    if (!CUSTOM_HEADER_NAME.test(header))
      return { denied: 'invalid header name in configmap', directives: [] };
    if (!CUSTOM_HEADER_VALUE.test(value))
      return { denied: 'invalid header value in configmap', directives: [] };
    if (!allowed.includes(header)) return { denied: `header ${header} is not allowed`, directives: [] };
    directives.push(`more_set_headers ${q(`${header}: ${value}`)};`);
  }
  return { directives };
}

/** The `controller.config` of the ingress-nginx helm_release in the synthesized JSON, if any. */
export function controllerConfigOf(json: Json): Record<string, string> | undefined {
  const release = (Object.values(json.resource?.helm_release ?? {}) as Json[]).find(
    (r) => r.chart === 'ingress-nginx',
  );
  if (!release) return undefined;
  // The values are one YAML document; JSON-compatible YAML is all it holds for these keys.
  const values = parseYaml(list(release.values)[0] as string) as {
    controller?: { config?: Record<string, string> };
  };
  return values.controller?.config;
}

/** An nginx double-quoted string (variables in it are still expanded). */
const q = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
const b64 = (s: string) => Buffer.from(s).toString('base64url');

function settingsOf(ingress: IngressSpec) {
  const get = (short: string): string | undefined => ingress.annotations[`${INGRESS_NGINX_PREFIX}/${short}`];
  for (const key of Object.keys(ingress.annotations)) {
    if (!key.startsWith(`${INGRESS_NGINX_PREFIX}/`)) continue; // e.g. cert-manager.io/*: not the controller's
    const short = key.slice(INGRESS_NGINX_PREFIX.length + 1);
    if (!HANDLED.has(short)) {
      throw new Error(
        `Ingress ${ingress.name}: annotation ${key} is not emulated by test/e2e/signin/harness/nginx.ts; add it there (as ingress-nginx renders it) so the sign-in test covers it`,
      );
    }
  }
  const bool = (short: string, dflt: boolean) => (get(short) === undefined ? dflt : get(short) === 'true');
  const protocol = get('backend-protocol') ?? 'HTTP';
  if (protocol !== 'HTTP') throw new Error(`backend-protocol ${protocol} not emulated`);
  return {
    authUrl: get('auth-url'),
    authSignin: get('auth-signin'),
    authResponseHeaders: (get('auth-response-headers') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    authCacheKey: get('auth-cache-key'),
    authCacheDuration: (get('auth-cache-duration') ?? '200 202 401 5m').split(',').map((d) => d.trim()),
    proxyBufferSize: get('proxy-buffer-size') ?? '4k',
    proxyBuffersNumber: Number(get('proxy-buffers-number') ?? 4),
    sslRedirect: bool('ssl-redirect', true) || bool('force-ssl-redirect', false),
    whitelist: (get('whitelist-source-range') ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
    limitRps: get('limit-rps') ? Number(get('limit-rps')) : undefined,
    limitBurstMultiplier: Number(get('limit-burst-multiplier') ?? 5),
    limitConnections: get('limit-connections') ? Number(get('limit-connections')) : undefined,
    proxyBodySize: get('proxy-body-size') ?? '1m',
    connectTimeout: Number(get('proxy-connect-timeout') ?? 5),
    readTimeout: Number(get('proxy-read-timeout') ?? 60),
    sendTimeout: Number(get('proxy-send-timeout') ?? 60),
  };
}

/** `http://<svc>.<ns>.svc.cluster.local:<port>/path` → the loopback address of that Service. */
function mapServiceUrl(raw: string, upstreams: ReadonlyMap<string, string>): { url: string; host: string } {
  const url = new URL(raw);
  const m = /^([a-z0-9-]+)(\.[a-z0-9-]+)?(\.svc(\.cluster\.local)?)?$/.exec(url.hostname);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const local = m ? upstreams.get(`${m[1]}:${port}`) : undefined;
  if (!local) throw new Error(`auth-url ${raw} does not name a Service of the stack`);
  return { url: `${url.protocol}//${local}${url.pathname}${url.search}`, host: url.hostname };
}

/** The nginx.conf for the Ingresses of one class. */
export function deriveNginxConfig(ingresses: readonly IngressSpec[], o: DeriveOptions): NginxPlan {
  const className = o.ingressClassName ?? 'nginx';
  const mine = ingresses.filter((i) => i.className === className);
  if (mine.length === 0) throw new Error(`no Ingress of class ${className}`);
  const hosts = [...new Set(mine.flatMap((i) => i.rules.map((r) => r.host)))];
  if (hosts.length !== 1) throw new Error(`expected one host, got ${hosts.join(', ')}`);
  const host = hosts[0]!;
  const modules = o.modulesDir ?? '/usr/lib/nginx/modules';
  const D = CONTROLLER_DEFAULTS;

  const httpLevel: string[] = [];
  const upstreamBlocks = new Map<string, string>();
  const httpsLocations: string[] = [];
  const httpLocations: string[] = [];
  let certificate: ServerCert | undefined;
  let cacheZone = false;

  const upstreamName = (service: string, port: number) => {
    const name = `upstream_${service}_${port}`.replace(/[^A-Za-z0-9_]/g, '_');
    const local = o.upstreams.get(`${service}:${port}`);
    if (!local) throw new Error(`Ingress backend ${service}:${port} is not a Service of the stack`);
    upstreamBlocks.set(
      name,
      `  upstream ${name} {\n    server ${local};\n    keepalive ${D.upstreamKeepalive};\n  }`,
    );
    return name;
  };

  for (const ingress of mine) {
    const s = settingsOf(ingress);
    for (const t of ingress.tls) {
      if (!t.hosts.includes(host)) continue;
      const cert = o.tlsSecrets.get(t.secretName);
      if (!cert) throw new Error(`no test certificate for TLS Secret ${t.secretName}`);
      certificate = cert;
    }
    for (const rule of ingress.rules) {
      for (const p of rule.paths) {
        if (p.pathType !== 'Prefix') throw new Error(`pathType ${p.pathType} not emulated`);
        const id = `${b64(p.path)}-${p.pathType}`;
        const upstream = upstreamName(p.service, p.port);
        const body: string[] = [];
        const auth: string[] = [];

        if (s.whitelist.length) body.push(...s.whitelist.map((c) => `allow ${c};`), 'deny all;');
        if (s.limitRps !== undefined) {
          const zone = `${ingress.name}_${id}_rps`.replace(/[^A-Za-z0-9_]/g, '_');
          httpLevel.push(`limit_req_zone $binary_remote_addr zone=${zone}:5m rate=${s.limitRps}r/s;`);
          body.push(
            `limit_req zone=${zone} burst=${s.limitRps * s.limitBurstMultiplier} nodelay;`,
            `limit_req_status ${D.limitStatusCode};`,
          );
        }
        if (s.limitConnections !== undefined) {
          const zone = `${ingress.name}_${id}_conn`.replace(/[^A-Za-z0-9_]/g, '_');
          httpLevel.push(`limit_conn_zone $binary_remote_addr zone=${zone}:5m;`);
          body.push(`limit_conn ${zone} ${s.limitConnections};`, `limit_conn_status ${D.limitStatusCode};`);
        }
        body.push(`client_max_body_size ${s.proxyBodySize};`);

        if (s.authUrl) {
          // nginx.tmpl: an internal location per protected path, asked by auth_request.
          const authPath = `/_external-auth-${id}`;
          const target = mapServiceUrl(s.authUrl, o.upstreams);
          const cache: string[] = [];
          if (s.authCacheKey) {
            cacheZone = true;
            cache.push(
              'proxy_cache auth_cache;',
              ...s.authCacheDuration.map((d) => `proxy_cache_valid ${d};`),
              // nginx.tmpl hashes '<host><authPath><auth-cache-key>' in the protected location
              // (Lua) and keys the auth cache on the hash; set_md5 (set-misc) does the same
              // here. An unhashed key as long as a split session would not fit nginx's cache
              // header ("cache key too large").
              'proxy_cache_key $auth_cache_key;',
            );
            body.push(`set_md5 $auth_cache_key ${q(`${host}${authPath}${s.authCacheKey}`)};`);
          }
          auth.push(
            `location = ${authPath} {`,
            '  internal;',
            ...cache.map((l) => `  ${l}`),
            '  proxy_pass_request_body off;',
            '  proxy_set_header Content-Length "";',
            '  proxy_set_header X-Forwarded-Proto "";',
            '  proxy_set_header X-Request-ID $request_id;',
            `  proxy_set_header Host ${target.host};`,
            '  proxy_set_header X-Original-URL $scheme://$http_host$request_uri;',
            '  proxy_set_header X-Original-Method $request_method;',
            '  proxy_set_header X-Sent-From "nginx-ingress-controller";',
            '  proxy_set_header X-Real-IP $remote_addr;',
            '  proxy_set_header X-Forwarded-For $remote_addr;',
            '  proxy_set_header X-Auth-Request-Redirect $request_uri;',
            `  proxy_buffering ${s.authCacheKey ? 'on' : 'off'};`,
            `  proxy_buffer_size ${s.proxyBufferSize};`,
            `  proxy_buffers ${s.proxyBuffersNumber} ${s.proxyBufferSize};`,
            '  proxy_request_buffering on;',
            '  proxy_ssl_server_name on;',
            '  proxy_pass_request_headers on;',
            `  client_max_body_size ${s.proxyBodySize};`,
            `  set $target ${target.url};`,
            '  proxy_pass $target;',
            '}',
          );
          body.push(
            `auth_request ${authPath};`,
            'auth_request_set $auth_cookie $upstream_http_set_cookie;',
            'add_header Set-Cookie $auth_cookie;',
          );
          // auth-response-headers: copied from the auth answer onto the upstream request;
          // proxy_set_header replaces (or, when empty, drops) whatever the client sent.
          s.authResponseHeaders.forEach((header, i) => {
            body.push(
              `auth_request_set $authHeader${i} $upstream_http_${header.toLowerCase().replace(/-/g, '_')};`,
            );
            body.push(`proxy_set_header '${header}' $authHeader${i};`);
          });
          if (s.authSignin) {
            const signinLocation = `@auth-signin-${id}`;
            // buildAuthSignURL: add rd=<original URL> unless the URL already has it.
            const signinUrl = /[?&]rd=/.test(s.authSignin)
              ? s.authSignin
              : `${s.authSignin}${s.authSignin.includes('?') ? '&' : '?'}rd=$pass_access_scheme://$http_host$escaped_request_uri`;
            body.push(
              'set_escape_uri $escaped_request_uri $request_uri;',
              `error_page 401 = ${signinLocation};`,
            );
            auth.push(
              `location ${signinLocation} {`,
              '  internal;',
              '  add_header Set-Cookie $auth_cookie;',
              `  return 302 ${signinUrl};`,
              '}',
            );
          }
        }

        const custom = customHeaderDirectives(ingress, o);
        body.push(...custom.directives);
        body.push(
          `add_header Strict-Transport-Security ${q(D.hsts)} always;`,
          'proxy_set_header Host $http_host;',
          'proxy_set_header X-Request-ID $request_id;',
          'proxy_set_header X-Real-IP $remote_addr;',
          'proxy_set_header X-Forwarded-For $remote_addr;',
          'proxy_set_header X-Forwarded-Host $http_host;',
          'proxy_set_header X-Forwarded-Port $pass_port;',
          'proxy_set_header X-Forwarded-Proto $pass_access_scheme;',
          'proxy_set_header X-Forwarded-Scheme $pass_access_scheme;',
          'proxy_set_header X-Scheme $pass_access_scheme;',
          'proxy_set_header X-Original-Forwarded-For $http_x_forwarded_for;',
          'proxy_set_header Proxy "";',
          'proxy_set_header Upgrade $http_upgrade;',
          'proxy_set_header Connection $connection_upgrade;',
          `proxy_connect_timeout ${s.connectTimeout}s;`,
          `proxy_send_timeout ${s.sendTimeout}s;`,
          `proxy_read_timeout ${s.readTimeout}s;`,
          `proxy_buffering ${D.proxyBuffering};`,
          `proxy_buffer_size ${s.proxyBufferSize};`,
          `proxy_buffers ${s.proxyBuffersNumber} ${s.proxyBufferSize};`,
          'proxy_request_buffering on;',
          'proxy_http_version 1.1;',
          `proxy_pass http://${upstream};`,
        );

        // nginx.tmpl: a denied location is its reason and the 503, nothing else.
        if (custom.denied !== undefined)
          body.splice(0, body.length, `# Location denied. Reason: ${custom.denied}`, 'return 503;');

        // ingress-nginx renders a Prefix path "/x" as "location = /x" and "location /x/".
        const selectors =
          p.path === '/' ? ['/'] : [`= ${p.path.replace(/\/+$/, '')}`, `${p.path.replace(/\/+$/, '')}/`];
        for (const sel of selectors) {
          httpsLocations.push(`location ${sel} {\n${body.map((l) => `  ${l}`).join('\n')}\n}`);
          httpLocations.push(
            s.sslRedirect
              ? `location ${sel} {\n  return ${D.httpRedirectCode} https://$host$request_uri;\n}`
              : `location ${sel} {\n  return 404 "plain-HTTP serving is not emulated";\n}`,
          );
        }
        httpsLocations.push(...(auth.length ? [auth.join('\n')] : []));
      }
    }
  }
  if (!certificate) throw new Error(`no TLS section covers ${host}`);
  const dir = o.dir;
  const indent = (blocks: string[], n: number) =>
    blocks
      .map((b) =>
        b
          .split('\n')
          .map((l) => ' '.repeat(n) + l)
          .join('\n'),
      )
      .join('\n');
  const config = `# Derived from the synthesized Ingress objects by test/e2e/signin/harness/nginx.ts
load_module ${modules}/ndk_http_module.so;
load_module ${modules}/ngx_http_set_misc_module.so;
load_module ${modules}/ngx_http_headers_more_filter_module.so;
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events { worker_connections 4096; }
http {
  log_format upstreaminfo '$remote_addr "$request" $status $body_bytes_sent $request_time [$proxy_upstream_name] $upstream_addr $upstream_status $upstream_response_time';
  access_log ${dir}/access.log upstreaminfo;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy_temp;
  fastcgi_temp_path ${dir}/fastcgi_temp;
  uwsgi_temp_path ${dir}/uwsgi_temp;
  scgi_temp_path ${dir}/scgi_temp;
  server_tokens off;
  keepalive_timeout 75s;
  keepalive_requests 1000;
  client_header_buffer_size ${D.clientHeaderBufferSize};
  large_client_header_buffers ${o.controllerConfig?.['large-client-header-buffers'] ?? D.largeClientHeaderBuffers};
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
${cacheZone ? `  proxy_cache_path ${dir}/nginx-cache-auth levels=1:2 ${D.authCacheZone};\n` : ''}${httpLevel.map((l) => `  ${l}`).join('\n')}
${[...upstreamBlocks.values()].join('\n')}
  server {
    listen 127.0.0.1:${o.httpPort};
    server_name ${host};
    set $proxy_upstream_name "-";
${indent(httpLocations, 4)}
  }
  server {
    listen 127.0.0.1:${o.httpsPort} ssl${D.http2 ? ' http2' : ''};
    server_name ${host};
    ssl_certificate ${certificate.cert};
    ssl_certificate_key ${certificate.key};
    ssl_protocols ${D.sslProtocols};
    set $proxy_upstream_name "-";
    set $pass_access_scheme $scheme;
    # The public port clients connect to (443 behind the cloud load balancer).
    set $pass_port 443;
${indent(httpsLocations, 4)}
  }
}
`;
  return { config, httpsPort: o.httpsPort, httpPort: o.httpPort, host };
}

export interface RunningNginx {
  readonly plan: NginxPlan;
  readonly proc: Started;
  readonly dir: string;
  stop(): Promise<void>;
}

export const NGINX = '/usr/sbin/nginx';

export async function startNginx(
  ingresses: readonly IngressSpec[],
  o: Omit<DeriveOptions, 'httpsPort' | 'httpPort'>,
): Promise<RunningNginx> {
  mkdirSync(o.dir, { recursive: true, mode: 0o755 });
  const plan = deriveNginxConfig(ingresses, {
    ...o,
    httpsPort: await freePort(),
    httpPort: await freePort(),
  });
  writeFileSync(join(o.dir, 'nginx.conf'), plan.config);
  return runNginx(plan, o.dir);
}

/** `nginx -t` of a config written to `<dir>/nginx.conf`: nginx's verdict and its messages. */
export function checkNginxConfig(dir: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(
      NGINX,
      ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
      (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}` }),
    );
  });
}

/** Runs nginx on `<dir>/nginx.conf` until it listens on the plan's HTTPS port. */
export async function runNginx(plan: NginxPlan, dir: string): Promise<RunningNginx> {
  const conf = join(dir, 'nginx.conf');
  const proc = startProcess(
    'nginx',
    NGINX,
    ['-p', dir, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
    {
      logFile: join(dir, 'nginx.out'),
    },
  );
  const net = await import('node:net');
  await waitFor(
    'nginx to listen',
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect(plan.httpsPort, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    proc,
    15_000,
  );
  return { plan, proc, dir, stop: () => proc.stop() };
}
