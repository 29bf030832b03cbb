// Debian's nginx, configured the way the F5 NGINX Ingress Controller (nginx/kubernetes-ingress)
// 5.5.4 — the version of the vendored nginx-ingress chart 2.6.4 — configures NGINX OSS for the
// synthesized objects: mergeable Ingresses (a master with host and TLS, minions with the
// paths) and the `k8s.nginx.org/v1` Policies they name in `nginx.org/policies`. There is no
// F5 controller binary here, so this file DERIVES the config the way the controller does,
// step by step after its source at tag v5.5.4 (commit f92a24e4):
//   internal/configs/annotations.go      parseAnnotations, minionDenylist, minionInheritanceList
//   internal/configs/config_params.go    NewDefaultConfigParams (the defaults below)
//   internal/configs/policy.go           addExternalAuthConfig (/_external_auth<authURI>, upstream name)
//   internal/configs/ingress.go          generateNginxCfgForMergeableIngresses, createLocation,
//                                        resolveExternalAuth, generateIngressExternalAuth(OAuth2)Location
//   internal/configs/version1/nginx.ingress.tmpl, nginx.tmpl   what each field renders to
// The config is built from the objects' fields (a changed annotation changes what runs), and
// an `nginx.org/*` annotation or Policy kind this file does not model fails the test instead
// of being ignored (so does anything the controller would ignore with a warning). It models
// the controller's behaviour faithfully, known upstream bugs included (the README of this
// folder names those that shaped the library): a config the controller would render and nginx
// would refuse is refused here too.
//
// Loopback-only differences from a cluster, all here: the Services' endpoints (what the
// controller reads from EndpointSlices) → 127.0.0.1:<port>; `listen 80` / `listen 443 ssl`
// → 127.0.0.1:<free ports> (clients map the public host and its ports onto them); the TLS
// Secret → the test CA's certificate files; `$server_port` in X-Forwarded-Port → the public
// 443; file paths (pid, logs, temp) → the run directory; no IPv6 listeners, no status,
// default or 502/418 servers, no njs (nothing the portal's host uses).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { DeriveOptions, IngressSpec, NginxPlan, runNginx, RunningNginx } from './nginx';
import { Json, resolve } from './portal';
import { freePort } from './processes';

export const F5_CONTROLLER_VERSION = '5.5.4';

/** NewDefaultConfigParams (OSS) of 5.5.4, as far as the portal's objects use them. */
const DEFAULTS = {
  serverTokens: 'on',
  proxyConnectTimeout: '60s',
  proxyReadTimeout: '60s',
  proxySendTimeout: '60s',
  clientMaxBodySize: '1m',
  sslRedirect: true,
  redirectToHttps: false,
  httpRedirectCode: 301,
  proxyBuffering: true,
  hsts: false,
  hstsMaxAge: 2592000,
  hstsIncludeSubdomains: false,
  hstsBehindProxy: false,
  sslPorts: [443],
  maxFails: 1,
  maxConns: 0,
  failTimeout: '10s',
  upstreamZoneSize: '256k',
  lbMethod: 'random two least_conn',
  /** ConfigMap `http2` (off unless the controller's ConfigMap turns it on). */
  http2: false,
  /** ConfigMap `keepalive` (0: no upstream keepalive, no `Connection ""`). */
  keepalive: 0,
  workerConnections: 1024,
} as const;

const MERGEABLE = 'nginx.org/mergeable-ingress-type';
/** annotations.go minionDenylist: the controller drops these from minions (with an error log). */
const MINION_DENYLIST = new Set([
  'nginx.org/proxy-hide-headers',
  'nginx.org/proxy-pass-headers',
  'nginx.org/redirect-to-https',
  'ingress.kubernetes.io/ssl-redirect',
  'nginx.org/ssl-redirect',
  'nginx.org/http-redirect-code',
  'nginx.org/hsts',
  'nginx.org/hsts-max-age',
  'nginx.org/hsts-include-subdomains',
  'nginx.org/server-tokens',
  'nginx.org/listen-ports',
  'nginx.org/listen-ports-ssl',
  'nginx.org/server-snippets',
  'nginx.org/ssl-ciphers',
  'nginx.org/ssl-prefer-server-ciphers',
  'nginx.org/app-root',
]);
/** annotations.go minionInheritanceList (the part that is modelled): copied from the master when a minion lacks them. */
const MINION_INHERITS = new Set([
  'nginx.org/proxy-connect-timeout',
  'nginx.org/proxy-read-timeout',
  'nginx.org/proxy-send-timeout',
  'nginx.org/client-max-body-size',
  'nginx.org/proxy-buffering',
  'nginx.org/proxy-buffers',
  'nginx.org/proxy-buffer-size',
]);
/** The annotations this model renders; any other nginx.org/* or nginx.com/* fails the test. */
const MASTER_HANDLED = new Set([
  MERGEABLE,
  'nginx.org/ssl-redirect',
  'nginx.org/redirect-to-https',
  'nginx.org/hsts',
  'nginx.org/hsts-max-age',
  'nginx.org/hsts-include-subdomains',
  'nginx.org/hsts-behind-proxy',
  'nginx.org/server-tokens',
  'nginx.org/policies',
]);
const MINION_HANDLED = new Set([
  MERGEABLE,
  'nginx.org/policies',
  'nginx.org/proxy-set-headers',
  ...MINION_INHERITS,
]);

export interface F5Policy {
  readonly namespace: string;
  readonly name: string;
  readonly spec: Json;
}

/** The synthesized `k8s.nginx.org/v1` Policies (kubernetes_manifest), references resolved. */
export function f5PoliciesOf(json: Json): F5Policy[] {
  return (Object.values(json.resource?.kubernetes_manifest ?? {}) as Json[])
    .map((r) => r.manifest as Json)
    .filter((m) => m?.apiVersion === 'k8s.nginx.org/v1' && m.kind === 'Policy')
    .map((m) => ({
      namespace: String(resolve(json, m.metadata.namespace)),
      name: String(m.metadata.name),
      spec: m.spec as Json,
    }));
}

/** What the F5 model needs: ingress-nginx's options, less its modules and ConfigMap (F5 has neither here). */
export type F5DeriveOptions = Omit<DeriveOptions, 'modulesDir' | 'controllerConfig'>;

interface Location {
  path: string;
  lines: string[];
}

/** parseAnnotations' ParseTime: "5s" stays "5s", "5" becomes "5s". */
function parseTime(value: string, what: string): string {
  const m = /^(\d+y)?(\d+M)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s?)?(\d+ms)?$/.exec(value.trim());
  if (!value.trim() || !m)
    throw new Error(`${what}: invalid time ${JSON.stringify(value)} (the controller would ignore it)`);
  return m
    .slice(1)
    .map((part, i) => (i === 6 && part && !part.endsWith('s') ? `${part}s` : (part ?? '')))
    .join('');
}

function bool(value: string | undefined, what: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (!['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False'].includes(value))
    throw new Error(`${what}: not a boolean: ${JSON.stringify(value)}`);
  return ['true', '1', 't', 'TRUE', 'True'].includes(value);
}

/** version1.ParseProxySetHeaders: "Name: value" (trimmed), "Name" alone → $http_name. */
function parseProxySetHeaders(annotation: string): Array<{ name: string; value: string }> {
  const headers: Array<{ name: string; value: string }> = [];
  for (const raw of annotation.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const colon = entry.indexOf(':');
    const name = (colon < 0 ? entry : entry.slice(0, colon)).trim();
    if (!name) continue;
    const value =
      colon < 0 ? `$http_${name.toLowerCase().replace(/-/g, '_')}` : entry.slice(colon + 1).trim();
    if (value.includes('$') && colon >= 0)
      throw new Error(
        `nginx.org/proxy-set-headers: the controller's validation refuses "$" in ${JSON.stringify(entry)}`,
      );
    headers.push({ name, value });
  }
  return headers;
}

/** Go's %q for the ASCII header values here. */
const q = (s: string) => JSON.stringify(s);

/** The nginx.conf the controller would run for the mergeable Ingresses of one host. */
export function deriveF5NginxConfig(
  ingresses: readonly IngressSpec[],
  policies: readonly F5Policy[],
  o: F5DeriveOptions,
): NginxPlan {
  const className = o.ingressClassName ?? 'nginx';
  const mine = ingresses.filter((i) => i.className === className);
  const masters = mine.filter((i) => i.annotations[MERGEABLE] === 'master');
  const minions = mine.filter((i) => i.annotations[MERGEABLE] === 'minion');
  const plain = mine.filter((i) => !i.annotations[MERGEABLE]);
  if (plain.length)
    throw new Error(`Ingresses without ${MERGEABLE} not modelled: ${plain.map((i) => i.name).join(', ')}`);
  if (masters.length !== 1) throw new Error(`expected one master Ingress, got ${masters.length}`);
  const master = masters[0]!;
  if (master.rules.length !== 1 || master.rules[0]!.paths.length)
    throw new Error(
      `master ${master.name}: a master has exactly one host and no paths (the controller rejects it otherwise)`,
    );
  const host = master.rules[0]!.host;

  const checkKeys = (ing: IngressSpec, handled: ReadonlySet<string>) => {
    for (const key of Object.keys(ing.annotations)) {
      if (!/^(nginx\.org|nginx\.com|f5\.com)\//.test(key) && key !== 'ingress.kubernetes.io/ssl-redirect')
        continue;
      if (!handled.has(key))
        throw new Error(
          `Ingress ${ing.name}: annotation ${key} is not modelled by test/e2e/signin/harness/f5-nginx.ts; add it there (as the F5 controller ${F5_CONTROLLER_VERSION} renders it)`,
        );
    }
  };
  checkKeys(master, MASTER_HANDLED);
  const policyOf = (ing: IngressSpec, ref: string): F5Policy => {
    const [ns, name] = ref.includes('/') ? ref.split('/') : [ing.namespace, ref];
    const found = policies.find((p) => p.namespace === ns && p.name === name);
    if (!found)
      throw new Error(
        `Ingress ${ing.name}: policy ${ns}/${name} does not exist (the controller would answer 500)`,
      );
    return found;
  };
  const policiesOfIngress = (ing: IngressSpec) =>
    (ing.annotations['nginx.org/policies'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((ref) => policyOf(ing, ref));

  // --- The master: the server block -------------------------------------------------
  const ma = master.annotations;
  if (policiesOfIngress(master).length)
    throw new Error(`master ${master.name}: policies on the master are not modelled`);
  const serverTokens =
    ma['nginx.org/server-tokens'] === undefined
      ? DEFAULTS.serverTokens
      : bool(ma['nginx.org/server-tokens'], 'nginx.org/server-tokens', true)
        ? 'on'
        : 'off';
  const sslRedirect = bool(ma['nginx.org/ssl-redirect'], 'nginx.org/ssl-redirect', DEFAULTS.sslRedirect);
  const redirectToHttps = bool(
    ma['nginx.org/redirect-to-https'],
    'nginx.org/redirect-to-https',
    DEFAULTS.redirectToHttps,
  );
  const hsts = bool(ma['nginx.org/hsts'], 'nginx.org/hsts', DEFAULTS.hsts);
  const hstsMaxAge =
    ma['nginx.org/hsts-max-age'] !== undefined ? Number(ma['nginx.org/hsts-max-age']) : DEFAULTS.hstsMaxAge;
  const hstsIncludeSubdomains = bool(
    ma['nginx.org/hsts-include-subdomains'],
    'nginx.org/hsts-include-subdomains',
    DEFAULTS.hstsIncludeSubdomains,
  );
  const hstsBehindProxy = bool(
    ma['nginx.org/hsts-behind-proxy'],
    'nginx.org/hsts-behind-proxy',
    DEFAULTS.hstsBehindProxy,
  );
  const tls = master.tls.find((t) => t.hosts.includes(host));
  if (!tls) throw new Error(`master ${master.name}: no TLS section covers ${host}`);
  const certificate = o.tlsSecrets.get(tls.secretName);
  if (!certificate) throw new Error(`no test certificate for TLS Secret ${tls.secretName}`);

  // --- The minions: their locations, in order ---------------------------------------
  const upstreams = new Map<string, string[]>();
  const locations: Location[] = [];
  const endpoint = (service: string, port: number) => {
    const local = o.upstreams.get(`${service}:${port}`);
    if (!local) throw new Error(`backend ${service}:${port} is not a Service of the stack`);
    return local;
  };
  // The part of the location template after the auth/allow directives (non-gRPC branch).
  const proxyLines = (l: {
    connect: string;
    read: string;
    send: string;
    clientMaxBodySize: string;
    passRequestHeaders?: string;
    passRequestBody?: string;
    setHeaders: Array<{ name: string; value: string }>;
    buffering: boolean;
    buffers?: string;
    bufferSize?: string;
    nextUpstream?: string;
    nextUpstreamTimeout?: string;
    proxyPass: string;
  }) => [
    'proxy_http_version 1.1;',
    ...(DEFAULTS.keepalive ? ['proxy_set_header Connection "";'] : []),
    `proxy_connect_timeout ${l.connect};`,
    `proxy_read_timeout ${l.read};`,
    `proxy_send_timeout ${l.send};`,
    `client_max_body_size ${l.clientMaxBodySize};`,
    ...(l.passRequestHeaders ? [`proxy_pass_request_headers ${l.passRequestHeaders};`] : []),
    ...(l.passRequestBody ? [`proxy_pass_request_body ${l.passRequestBody};`] : []),
    ...l.setHeaders.map((h) => `proxy_set_header ${h.name} ${q(h.value)};`),
    'proxy_set_header Host $host;',
    'proxy_set_header X-Real-IP $remote_addr;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_set_header X-Forwarded-Host $host;',
    // $server_port: 443 in the cluster (loopback rewrite).
    'proxy_set_header X-Forwarded-Port 443;',
    `proxy_set_header X-Forwarded-Proto ${redirectToHttps ? 'https' : '$scheme'};`,
    `proxy_buffering ${l.buffering ? 'on' : 'off'};`,
    ...(l.buffers ? [`proxy_buffers ${l.buffers};`] : []),
    ...(l.bufferSize ? [`proxy_buffer_size ${l.bufferSize};`] : []),
    ...(l.nextUpstream ? [`proxy_next_upstream ${l.nextUpstream};`] : []),
    ...(l.nextUpstreamTimeout ? [`proxy_next_upstream_timeout ${l.nextUpstreamTimeout};`] : []),
    `proxy_pass ${l.proxyPass};`,
  ];

  for (const original of minions) {
    if (original.tls.length)
      throw new Error(
        `minion ${original.name}: the controller ignores TLS on a minion (it belongs on the master)`,
      );
    // filterMinionAnnotations, then mergeMasterAnnotationsIntoMinion.
    const annotations: Record<string, string> = { ...original.annotations };
    for (const key of Object.keys(annotations)) {
      if (MINION_DENYLIST.has(key))
        throw new Error(
          `minion ${original.name}: the controller drops ${key} from minions (annotations.go minionDenylist)`,
        );
    }
    for (const [key, value] of Object.entries(ma))
      if (MINION_INHERITS.has(key) && annotations[key] === undefined) annotations[key] = value;
    const minion: IngressSpec = { ...original, annotations };
    checkKeys(minion, MINION_HANDLED);
    const a = minion.annotations;
    const cfg = {
      connect: a['nginx.org/proxy-connect-timeout']
        ? parseTime(a['nginx.org/proxy-connect-timeout'], 'nginx.org/proxy-connect-timeout')
        : DEFAULTS.proxyConnectTimeout,
      read: a['nginx.org/proxy-read-timeout']
        ? parseTime(a['nginx.org/proxy-read-timeout'], 'nginx.org/proxy-read-timeout')
        : DEFAULTS.proxyReadTimeout,
      send: a['nginx.org/proxy-send-timeout']
        ? parseTime(a['nginx.org/proxy-send-timeout'], 'nginx.org/proxy-send-timeout')
        : DEFAULTS.proxySendTimeout,
      clientMaxBodySize: a['nginx.org/client-max-body-size'] ?? DEFAULTS.clientMaxBodySize,
      buffering: bool(a['nginx.org/proxy-buffering'], 'nginx.org/proxy-buffering', DEFAULTS.proxyBuffering),
      buffers: a['nginx.org/proxy-buffers'],
      bufferSize: a['nginx.org/proxy-buffer-size'],
      // Master and minion proxy-set-headers merged, the minion's first (MergeProxySetHeaders).
      setHeaders: [
        ...parseProxySetHeaders(a['nginx.org/proxy-set-headers'] ?? ''),
        ...parseProxySetHeaders(ma['nginx.org/proxy-set-headers'] ?? '').filter(
          (h) =>
            !parseProxySetHeaders(a['nginx.org/proxy-set-headers'] ?? '').some(
              (m) => m.name.toLowerCase() === h.name.toLowerCase(),
            ),
        ),
      ],
    };

    // policy.go: one externalAuth per context (a second is ignored with a warning).
    let externalAuth:
      | {
          upstream: string;
          internalPath: string;
          authUri: string;
          signinUrl?: string;
          signinBasePath?: string;
          endpoint: string;
          service: string;
        }
      | undefined;
    for (const policy of policiesOfIngress(minion)) {
      const kinds = Object.keys(policy.spec).filter((k) => k !== 'ingressClassName');
      if (kinds.length !== 1)
        throw new Error(`policy ${policy.name}: exactly one policy kind expected, got ${kinds.join(', ')}`);
      if (policy.spec.ingressClassName && policy.spec.ingressClassName !== className)
        throw new Error(
          `policy ${policy.name}: ingressClassName ${policy.spec.ingressClassName} is another controller's`,
        );
      if (policy.spec.externalAuth) {
        const ea = policy.spec.externalAuth as Json;
        if (externalAuth)
          throw new Error(
            `minion ${minion.name}: a second externalAuth Policy (${policy.name}) is ignored by the controller (policy.go)`,
          );
        if (ea.sslEnabled || ea.authSnippets)
          throw new Error(`policy ${policy.name}: sslEnabled/authSnippets not modelled`);
        // "<namespace>/<service>" or "<service>"; the harness maps Services by name and port.
        const svcName = String(ea.authServiceName).split('/').pop()!;
        const port = (ea.authServicePorts as number[] | undefined)?.[0] ?? 80;
        externalAuth = {
          upstream: `ing_${minion.namespace}_${minion.name}_exauth_${policy.namespace}_${policy.name}`,
          internalPath: `/_external_auth${ea.authURI}`,
          authUri: String(ea.authURI),
          ...(ea.authSigninURI
            ? {
                signinUrl: String(ea.authSigninURI),
                signinBasePath: String(ea.authSigninRedirectBasePath ?? '/oauth2'),
              }
            : {}),
          endpoint: endpoint(svcName, port),
          service: svcName,
        };
      } else {
        throw new Error(
          `policy ${policy.name}: kind ${kinds[0]} is not modelled by test/e2e/signin/harness/f5-nginx.ts`,
        );
      }
    }

    const minionHeader = [
      `# location for minion ${minion.namespace}/${minion.name}`,
      `set $resource_name ${q(minion.name)};`,
      `set $resource_namespace ${q(minion.namespace)};`,
    ];
    for (const rule of minion.rules) {
      if (rule.host !== host)
        throw new Error(`minion ${minion.name}: host ${rule.host} is not its master's ${host}`);
      for (const p of rule.paths) {
        if (p.pathType !== 'Prefix' && p.pathType !== 'Exact')
          throw new Error(`pathType ${p.pathType} not modelled`);
        const upstreamName = `${minion.namespace}-${minion.name}-${host}-${p.service}-${p.port}`;
        if (!upstreams.has(upstreamName)) {
          upstreams.set(upstreamName, [
            `upstream ${upstreamName} {`,
            `\tzone ${upstreamName} ${DEFAULTS.upstreamZoneSize};`,
            `\t${DEFAULTS.lbMethod};`,
            `\tserver ${endpoint(p.service, p.port)} max_fails=${DEFAULTS.maxFails} fail_timeout=${DEFAULTS.failTimeout} max_conns=${DEFAULTS.maxConns};`,
            '}',
          ]);
        }
        if (externalAuth) {
          // resolveExternalAuth, once per path: the subrequest location and, with a sign-in
          // URI, the sign-in base path location (auth_request off) to the auth service.
          const ea = externalAuth;
          upstreams.set(ea.upstream, [
            `upstream ${ea.upstream} {`,
            `\tzone ${ea.upstream} 256k;`,
            `\tserver ${ea.endpoint} max_fails=1 fail_timeout=10s max_conns=0;`,
            '}',
          ]);
          locations.push({
            path: ea.internalPath,
            lines: [
              `set $service ${q(ea.service)};`,
              'internal;',
              ...minionHeader,
              ...proxyLines({
                connect: cfg.connect,
                read: cfg.read,
                send: cfg.send,
                clientMaxBodySize: '0',
                passRequestBody: 'off',
                setHeaders: [
                  { name: 'Content-Length', value: '0' },
                  { name: 'X-Scheme', value: '$scheme' },
                ],
                buffering: false,
                nextUpstream: 'error timeout',
                nextUpstreamTimeout: '0s',
                proxyPass: `http://${ea.upstream}${ea.authUri}`,
              }),
            ],
          });
          if (ea.signinUrl) {
            locations.push({
              path: ea.signinBasePath!,
              lines: [
                `set $service ${q(ea.service)};`,
                ...minionHeader,
                'auth_request off;',
                ...proxyLines({
                  connect: cfg.connect,
                  read: cfg.read,
                  send: cfg.send,
                  clientMaxBodySize: '0',
                  passRequestHeaders: 'on',
                  setHeaders: [
                    { name: 'X-Auth-Request-Redirect', value: '$request_uri' },
                    { name: 'X-Scheme', value: '$scheme' },
                  ],
                  buffering: false,
                  nextUpstream: 'error timeout',
                  nextUpstreamTimeout: '0s',
                  proxyPass: `http://${ea.upstream}`,
                }),
              ],
            });
          }
        }
        locations.push({
          path: p.pathType === 'Exact' ? `= ${p.path}` : p.path,
          lines: [
            `set $service ${q(p.service)};`,
            ...minionHeader,
            ...(externalAuth
              ? [
                  `auth_request ${externalAuth.internalPath};`,
                  // 5.5.4 renders the sign-in redirect without "=" (nginx/kubernetes-ingress#10504,
                  // fixed after 5.5.4 by #10594): the client gets the 401 with the sign-in page's body.
                  ...(externalAuth.signinUrl
                    ? ['proxy_intercept_errors on;', `error_page 401 ${q(externalAuth.signinUrl)};`]
                    : []),
                ]
              : []),
            ...proxyLines({ ...cfg, proxyPass: `http://${upstreamName}` }),
          ],
        });
      }
    }
  }

  const dir = o.dir;
  const hstsLines = hsts
    ? [
        'set $hsts_header_val "";',
        'proxy_hide_header Strict-Transport-Security;',
        hstsBehindProxy ? "if ($http_x_forwarded_proto = 'https') {" : 'if ($https = on) {',
        `\tset $hsts_header_val "max-age=${hstsMaxAge}; ${hstsIncludeSubdomains ? 'includeSubDomains; ' : ''}preload";`,
        '}',
        'add_header Strict-Transport-Security "$hsts_header_val" always;',
      ]
    : [];
  const server = [
    'server {',
    `\tlisten 127.0.0.1:${o.httpPort};`,
    `\tlisten 127.0.0.1:${o.httpsPort} ssl;`,
    ...(DEFAULTS.http2 ? ['\thttp2 on;'] : []),
    `\tssl_certificate ${certificate.cert};`,
    `\tssl_certificate_key ${certificate.key};`,
    `\tserver_tokens ${serverTokens};`,
    `\tserver_name ${host};`,
    '\tset $resource_type "ingress";',
    `\tset $resource_name ${q(master.name)};`,
    `\tset $resource_namespace ${q(master.namespace)};`,
    '\tset $service "-";',
    ...hstsLines.map((l) => `\t${l}`),
    // The controller's own SSL port (443) in the redirect, as in the cluster.
    ...(sslRedirect
      ? [
          '\tif ($scheme = http) {',
          `\t\treturn ${DEFAULTS.httpRedirectCode} https://$host:${DEFAULTS.sslPorts[0]}$request_uri;`,
          '\t}',
        ]
      : []),
    ...(redirectToHttps
      ? [
          "\tif ($http_x_forwarded_proto = 'http') {",
          `\t\treturn ${DEFAULTS.httpRedirectCode} https://$host$request_uri;`,
          '\t}',
        ]
      : []),
    ...locations.flatMap((l) => [`\tlocation ${l.path} {`, ...l.lines.map((line) => `\t\t${line}`), '\t}']),
    '}',
  ];
  const config = `# Derived from the synthesized Ingresses and Policies by test/e2e/signin/harness/f5-nginx.ts,
# as the F5 NGINX Ingress Controller ${F5_CONTROLLER_VERSION} renders them (nginx.tmpl, nginx.ingress.tmpl)
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events { worker_connections ${DEFAULTS.workerConnections}; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  map_hash_max_size 2048;
  map_hash_bucket_size 256;
  log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"';
  access_log ${dir}/access.log main;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy_temp;
  fastcgi_temp_path ${dir}/fastcgi_temp;
  uwsgi_temp_path ${dir}/uwsgi_temp;
  scgi_temp_path ${dir}/scgi_temp;
  sendfile on;
  keepalive_timeout 75s;
  keepalive_requests 1000;
  server_names_hash_max_size 1024;
  server_names_hash_bucket_size 256;
  variables_hash_bucket_size 256;
  variables_hash_max_size 1024;
  map $request_uri $request_uri_no_args { "~^(?P<path>[^?]*)(\\?.*)?$" $path; }
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  map $http_host $resource_type { default ""; }
  map $http_host $resource_name { default ""; }
  map $http_host $resource_namespace { default ""; }
  map $http_host $service { default ""; }
  # configuration for ${master.namespace}/${master.name}
${[...upstreams.values()].map((u) => u.map((l) => `  ${l}`).join('\n')).join('\n')}
${server.map((l) => `  ${l}`).join('\n')}
}
`;
  return { config, httpsPort: o.httpsPort, httpPort: o.httpPort, host };
}

/** nginx with the F5 controller's config for the synthesized objects (fails if nginx refuses it). */
export async function startF5Nginx(
  json: Json,
  ingresses: readonly IngressSpec[],
  o: Omit<F5DeriveOptions, 'httpsPort' | 'httpPort'>,
): Promise<RunningNginx> {
  mkdirSync(o.dir, { recursive: true, mode: 0o755 });
  const plan = deriveF5NginxConfig(ingresses, f5PoliciesOf(json), {
    ...o,
    httpsPort: await freePort(),
    httpPort: await freePort(),
  });
  writeFileSync(join(o.dir, 'nginx.conf'), plan.config);
  return runNginx(plan, o.dir);
}
