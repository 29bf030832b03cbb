// Debian's nginx as a plain router, the way a Gateway API data plane routes the synthesized
// Gateway and HTTPRoutes (gateway.networking.k8s.io/v1): one server per listener of the
// Gateway (its port, protocol, hostname and certificate; listeners of several hostnames on
// one port are one server each, told apart by SNI and Host), and in it the rules of the
// HTTPRoutes attached to that listener (parentRefs sectionName), each match a location with
// the Gateway API's semantics: `PathPrefix /x` matches `/x` and `/x/…` but not `/xy`, an
// `Exact` match only the path itself, and the most specific match wins (nginx's exact and
// longest-prefix locations rank them the same way). A rule forwards to its backendRef
// Service (setting the response headers of its ResponseHeaderModifier), or answers with its
// RequestRedirect. Nothing else: no auth, no request-header filtering; client headers pass
// as they are, as through a Gateway with no request filters; the
// data plane adds Host and X-Forwarded-For/-Proto, as Envoy-based ones do. Any field of the
// objects this file does not model (another filter, header or query matches, weights, TLS
// passthrough, ...) fails the test instead of being ignored.
//
// The header limits follow Envoy's defaults (Envoy Gateway, Istio, Cilium): request and
// response headers of up to 60 KiB (nginx: one 64k buffer per header line, 64k proxy
// buffers). Implementations differ there (an nginx-based data plane may keep nginx's 4 x 8k
// client header buffers); the README says to use Redis sessions where users are in many
// groups. Loopback-only differences, all here: listen on 127.0.0.1:<free ports> instead of
// the listener ports (clients map the host's 80/443 onto them); Services → 127.0.0.1:<port>;
// the certificate Secret → the test CA's files; file paths → the run directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { NginxPlan, RunningNginx } from './nginx';
import { runNginx } from './nginx';
import type { ServerCert } from './pki';
import { Json, resolve } from './portal';
import { freePort } from './processes';

export interface GatewayApiObjects {
  readonly gateways: readonly Json[];
  readonly routes: readonly Json[];
}

/** The synthesized Gateways and HTTPRoutes (kubernetes_manifest), Terraform references resolved. */
export function gatewayApiObjectsOf(json: Json): GatewayApiObjects {
  const manifests = (Object.values(json.resource?.kubernetes_manifest ?? {}) as Json[])
    .map(
      (r) =>
        JSON.parse(JSON.stringify(r.manifest), (_key, value) =>
          typeof value === 'string' ? resolve(json, value) : value,
        ) as Json,
    )
    .filter((m) => String(m.apiVersion).startsWith('gateway.networking.k8s.io/'));
  return {
    gateways: manifests.filter((m) => m.kind === 'Gateway'),
    routes: manifests.filter((m) => m.kind === 'HTTPRoute'),
  };
}

export interface GatewayApiDeriveOptions {
  readonly dir: string;
  /** "<service>:<port>" → "127.0.0.1:<port>" */
  readonly upstreams: ReadonlyMap<string, string>;
  /** TLS Secret name → certificate files */
  readonly tlsSecrets: ReadonlyMap<string, ServerCert>;
  readonly httpsPort: number;
  readonly httpPort: number;
}

const only = (what: string, object: Json, allowed: readonly string[]) => {
  const extra = Object.keys(object ?? {}).filter((k) => !allowed.includes(k));
  if (extra.length)
    throw new Error(`${what}: ${extra.join(', ')} not modelled by test/e2e/signin/harness/gateway-api.ts`);
};

/**
 * A ResponseHeaderModifier's `set` as nginx does it: the backend's header of that name
 * hidden, and the value added to every response whatever its status (`always`), the
 * backend's 401s included, as the filter applies to whatever the backend answers. Only
 * `set` is modelled; a value nginx would interpolate or unquote fails the test.
 */
function responseHeaderLines(routeName: string, modifier: Json | undefined): string[] {
  if (modifier === undefined) return [];
  only(`HTTPRoute ${routeName} responseHeaderModifier`, modifier, ['set']);
  return (modifier.set as Json[]).flatMap((header) => {
    only(`HTTPRoute ${routeName} responseHeaderModifier.set`, header, ['name', 'value']);
    const { name, value } = header as { name: string; value: string };
    if (!/^[A-Za-z0-9-]+$/.test(name) || /['$\\]/.test(value))
      throw new Error(`HTTPRoute ${routeName}: header ${name}: ${value} is not modelled`);
    return [`proxy_hide_header ${name};`, `add_header ${name} '${value}' always;`];
  });
}

/** The nginx config a data plane would run for the Gateway and the routes attached to it. */
export function deriveGatewayApiNginxConfig(
  objects: GatewayApiObjects,
  o: GatewayApiDeriveOptions,
): NginxPlan {
  if (objects.gateways.length !== 1) throw new Error(`expected one Gateway, got ${objects.gateways.length}`);
  const gateway = objects.gateways[0]!;
  only(`Gateway ${gateway.metadata.name}`, gateway.spec, ['gatewayClassName', 'listeners']);
  const namespace = String(gateway.metadata.namespace);
  const upstreams = new Map<string, string>();
  let host: string | undefined;
  const servers: string[] = [];

  for (const listener of gateway.spec.listeners as Json[]) {
    only(`listener ${listener.name}`, listener, [
      'name',
      'protocol',
      'port',
      'hostname',
      'tls',
      'allowedRoutes',
    ]);
    if (listener.allowedRoutes?.namespaces?.from !== 'Same')
      throw new Error(`listener ${listener.name}: allowedRoutes other than from: Same not modelled`);
    // The first listener's hostname is the portal's; a machine host has listeners of its own.
    if (!listener.hostname)
      throw new Error(`listener ${listener.name}: a listener without hostname is not modelled`);
    host ??= listener.hostname;
    const lines: string[] = [];
    if (listener.protocol === 'HTTPS') {
      only(`listener ${listener.name} tls`, listener.tls, ['mode', 'certificateRefs']);
      if (listener.tls.mode !== 'Terminate')
        throw new Error(`listener ${listener.name}: TLS mode ${listener.tls.mode} not modelled`);
      const refs = listener.tls.certificateRefs as Json[];
      if (refs.length !== 1 || refs[0]!.kind !== 'Secret' || refs[0]!.group !== '')
        throw new Error(`listener ${listener.name}: one Secret certificateRef is modelled`);
      const certificate = o.tlsSecrets.get(String(refs[0]!.name));
      if (!certificate) throw new Error(`no test certificate for TLS Secret ${refs[0]!.name}`);
      lines.push(
        `listen 127.0.0.1:${o.httpsPort} ssl;`,
        `ssl_certificate ${certificate.cert};`,
        `ssl_certificate_key ${certificate.key};`,
        'ssl_protocols TLSv1.2 TLSv1.3;',
      );
    } else if (listener.protocol === 'HTTP') {
      if (listener.tls)
        throw new Error(`listener ${listener.name}: TLS on an HTTP listener (the CRD refuses it)`);
      lines.push(`listen 127.0.0.1:${o.httpPort};`);
    } else {
      throw new Error(`listener ${listener.name}: protocol ${listener.protocol} not modelled`);
    }
    lines.push(`server_name ${listener.hostname};`);

    const attached = objects.routes.filter((r) =>
      (r.spec.parentRefs as Json[]).some(
        (p) =>
          p.kind === 'Gateway' &&
          p.name === gateway.metadata.name &&
          (p.namespace ?? r.metadata.namespace) === namespace &&
          p.sectionName === listener.name,
      ),
    );
    const locations = new Map<string, string[]>();
    for (const route of attached) {
      only(`HTTPRoute ${route.metadata.name}`, route.spec, ['parentRefs', 'hostnames', 'rules']);
      if (route.metadata.namespace !== namespace)
        throw new Error(
          `HTTPRoute ${route.metadata.name}: another namespace than the Gateway's (allowedRoutes Same)`,
        );
      if (!(route.spec.hostnames as string[]).includes(listener.hostname)) continue;
      for (const rule of route.spec.rules as Json[]) {
        only(`HTTPRoute ${route.metadata.name} rule`, rule, ['matches', 'filters', 'backendRefs']);
        const filters = (rule.filters ?? []) as Json[];
        const backends = (rule.backendRefs ?? []) as Json[];
        const redirects = filters.filter((f) => f.type === 'RequestRedirect');
        const responseHeaders = filters.filter((f) => f.type === 'ResponseHeaderModifier');
        if (
          redirects.length + responseHeaders.length !== filters.length ||
          redirects.length > 1 ||
          responseHeaders.length > 1 ||
          (redirects.length === 1 && (backends.length > 0 || responseHeaders.length > 0))
        )
          throw new Error(
            `HTTPRoute ${route.metadata.name}: filters other than one RequestRedirect (alone) or one ResponseHeaderModifier are not modelled`,
          );
        let body: string[];
        if (redirects.length) {
          const redirect = redirects[0]!.requestRedirect as Json;
          only(`HTTPRoute ${route.metadata.name} requestRedirect`, redirect, [
            'scheme',
            'statusCode',
            'hostname',
            'port',
          ]);
          // No port: the scheme's well-known one, left out of the Location.
          const port = redirect.port ? `:${redirect.port}` : '';
          body = [
            `return ${redirect.statusCode ?? 302} ${redirect.scheme ?? '$scheme'}://${redirect.hostname ?? '$host'}${port}$request_uri;`,
          ];
        } else {
          if (backends.length !== 1)
            throw new Error(
              `HTTPRoute ${route.metadata.name}: one backendRef per rule is modelled, got ${backends.length}`,
            );
          const backend = backends[0]!;
          only(`HTTPRoute ${route.metadata.name} backendRef`, backend, [
            'group',
            'kind',
            'name',
            'port',
            'weight',
          ]);
          if (backend.kind !== 'Service' || backend.group !== '')
            throw new Error(`backendRef ${backend.name}: only Services are modelled`);
          const local = o.upstreams.get(`${backend.name}:${backend.port}`);
          if (!local)
            throw new Error(`backendRef ${backend.name}:${backend.port} is not a Service of the stack`);
          const upstream = `gw_${String(backend.name).replace(/[^A-Za-z0-9]/g, '_')}_${backend.port}`;
          upstreams.set(upstream, `  upstream ${upstream} {\n    server ${local};\n  }`);
          body = [
            ...responseHeaderLines(route.metadata.name, responseHeaders[0]?.responseHeaderModifier),
            'proxy_http_version 1.1;',
            'proxy_set_header Host $host;',
            'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
            'proxy_set_header X-Forwarded-Proto $scheme;',
            'proxy_buffer_size 64k;',
            'proxy_buffers 8 64k;',
            'proxy_busy_buffers_size 128k;',
            `proxy_pass http://${upstream};`,
          ];
        }
        for (const match of (rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]) as Json[]) {
          only(`HTTPRoute ${route.metadata.name} match`, match, ['path']);
          const { type, value } = match.path as { type: string; value: string };
          // Gateway API PathPrefix is element-wise; nginx prefixes are not: "/x" as "= /x" and "/x/".
          const paths =
            type === 'Exact'
              ? [`= ${value}`]
              : type === 'PathPrefix'
                ? value === '/'
                  ? ['/']
                  : [`= ${value.replace(/\/$/, '')}`, `${value.replace(/\/$/, '')}/`]
                : undefined;
          if (!paths) throw new Error(`HTTPRoute ${route.metadata.name}: path match ${type} not modelled`);
          for (const path of paths) {
            if (locations.has(path))
              throw new Error(
                `two rules match ${path} on listener ${listener.name} (precedence by route age not modelled)`,
              );
            locations.set(path, body);
          }
        }
      }
    }
    if (locations.size === 0) throw new Error(`listener ${listener.name}: no route attached`);
    for (const [path, body] of locations) lines.push(`location ${path} {`, ...body.map((l) => `  ${l}`), '}');
    servers.push(['server {', ...lines.map((l) => `  ${l}`), '}'].map((l) => `  ${l}`).join('\n'));
  }

  const dir = o.dir;
  const config = `# Derived from the synthesized Gateway and HTTPRoutes by test/e2e/signin/harness/gateway-api.ts:
# a plain router, as a Gateway API data plane routes them (no auth, no request-header filters).
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy_temp;
  fastcgi_temp_path ${dir}/fastcgi_temp;
  uwsgi_temp_path ${dir}/uwsgi_temp;
  scgi_temp_path ${dir}/scgi_temp;
  server_tokens off;
  large_client_header_buffers 4 64k;
  client_max_body_size 0;
  underscores_in_headers on;
${[...upstreams.values()].join('\n')}
${servers.join('\n')}
}
`;
  return { config, httpsPort: o.httpsPort, httpPort: o.httpPort, host: host! };
}

/** nginx routing the synthesized Gateway and HTTPRoutes (fails if nginx refuses the config). */
export async function startGatewayApiNginx(
  json: Json,
  o: Omit<GatewayApiDeriveOptions, 'httpsPort' | 'httpPort'>,
): Promise<RunningNginx> {
  mkdirSync(o.dir, { recursive: true, mode: 0o755 });
  const plan = deriveGatewayApiNginxConfig(gatewayApiObjectsOf(json), {
    ...o,
    httpsPort: await freePort(),
    httpPort: await freePort(),
  });
  writeFileSync(join(o.dir, 'nginx.conf'), plan.config);
  return runNginx(plan, o.dir);
}
