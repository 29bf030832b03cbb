// Gateway API objects found in the stack (gateway.networking.k8s.io Gateways and HTTPRoutes,
// rendered as kubernetes_manifest), read for the Guardrails checks: which listeners a route
// attaches to, whether its rules forward requests or only redirect, and whether the
// responses carry HSTS, set by a ResponseHeaderModifier filter or by the backend itself
// (oauth2-proxy in the request path, whose alpha config injects the header).

import { parse as parseYaml } from 'yaml';

import { InspectedResource, isObj, many, Obj, one, StackModel, stringMap, strings } from './stack-model';

const GROUP = 'gateway.networking.k8s.io';

export interface GatewayListener {
  readonly name: string;
  readonly protocol: string;
  readonly hostname?: string;
  /** A TLS listener that terminates with a certificate. */
  readonly terminatesTls: boolean;
}

export interface InspectedGateway {
  readonly resource: InspectedResource;
  readonly name: string;
  readonly namespace: string;
  readonly annotations: Record<string, string>;
  readonly listeners: readonly GatewayListener[];
}

export interface RouteParent {
  readonly name: string;
  readonly namespace: string;
  readonly sectionName?: string;
}

export interface RouteRule {
  /** The rule sends requests to backends (it does not only redirect). */
  readonly forwards: boolean;
  readonly filters: readonly Obj[];
  readonly backends: ReadonlyArray<{
    readonly name: string;
    readonly namespace: string;
    readonly filters: readonly Obj[];
  }>;
}

export interface InspectedRoute {
  readonly resource: InspectedResource;
  readonly name: string;
  readonly namespace: string;
  readonly hostnames: readonly string[];
  readonly parents: readonly RouteParent[];
  readonly rules: readonly RouteRule[];
}

function manifestsOf(model: StackModel, kind: string): Array<{ resource: InspectedResource; manifest: Obj }> {
  return model.resources
    .filter((r) => r.type === 'kubernetes_manifest')
    .map((resource) => ({ resource, manifest: one(resource.attributes.manifest) }))
    .filter(
      ({ manifest }) =>
        manifest.kind === kind &&
        typeof manifest.apiVersion === 'string' &&
        manifest.apiVersion.startsWith(`${GROUP}/`),
    );
}

/** The Gateways of the stack. */
export function gatewaysOf(model: StackModel): InspectedGateway[] {
  return manifestsOf(model, 'Gateway').map(({ resource, manifest }) => {
    const metadata = one(manifest.metadata);
    return {
      resource,
      name: model.resolveName(metadata.name),
      namespace: model.namespaceOf(metadata),
      annotations: stringMap(metadata.annotations),
      listeners: many(one(manifest.spec).listeners).map((l) => {
        const tls = one(l.tls);
        const protocol = typeof l.protocol === 'string' ? l.protocol : '';
        const terminates =
          (protocol === 'HTTPS' || protocol === 'TLS') &&
          (tls.mode ?? 'Terminate') === 'Terminate' &&
          (many(tls.certificateRefs).length > 0 || Object.keys(one(tls.options)).length > 0);
        return {
          name: String(l.name ?? ''),
          protocol,
          ...(typeof l.hostname === 'string' ? { hostname: l.hostname } : {}),
          terminatesTls: terminates,
        };
      }),
    };
  });
}

/** The HTTPRoutes of the stack. */
export function httpRoutesOf(model: StackModel): InspectedRoute[] {
  return manifestsOf(model, 'HTTPRoute').map(({ resource, manifest }) => {
    const metadata = one(manifest.metadata);
    const namespace = model.namespaceOf(metadata);
    const spec = one(manifest.spec);
    return {
      resource,
      name: model.resolveName(metadata.name),
      namespace,
      hostnames: strings(spec.hostnames),
      parents: many(spec.parentRefs)
        .filter((p) => (p.kind ?? 'Gateway') === 'Gateway' && (p.group ?? GROUP) === GROUP)
        .map((p) => ({
          name: model.resolveName(p.name),
          namespace: p.namespace === undefined ? namespace : model.resolveName(p.namespace),
          ...(typeof p.sectionName === 'string' ? { sectionName: p.sectionName } : {}),
        })),
      rules: many(spec.rules).map((rule) => {
        const backends = many(rule.backendRefs).map((b) => ({
          name: model.resolveName(b.name),
          namespace: b.namespace === undefined ? namespace : model.resolveName(b.namespace),
          filters: many(b.filters),
        }));
        return { forwards: backends.length > 0, filters: many(rule.filters), backends };
      }),
    };
  });
}

/** The listeners of an in-stack Gateway a route's parentRef attaches to, or undefined for a Gateway outside the stack. */
export function listenersOf(
  gateways: readonly InspectedGateway[],
  parent: RouteParent,
): readonly GatewayListener[] | undefined {
  const gateway = gateways.find((g) => g.name === parent.name && g.namespace === parent.namespace);
  if (!gateway) {
    return undefined;
  }
  return parent.sectionName === undefined
    ? gateway.listeners
    : gateway.listeners.filter((l) => l.name === parent.sectionName);
}

/** The `max-age` of a Strict-Transport-Security value (undefined when it has none). */
export function hstsMaxAge(value: string): number | undefined {
  const match = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** The Strict-Transport-Security a ResponseHeaderModifier among the filters sets (undefined: none). */
export function hstsOfFilters(filters: readonly Obj[]): string | undefined {
  for (const filter of filters) {
    if (filter.type !== 'ResponseHeaderModifier') {
      continue;
    }
    const modifier = one(filter.responseHeaderModifier);
    for (const header of [...many(modifier.set), ...many(modifier.add)]) {
      if (
        typeof header.name === 'string' &&
        header.name.toLowerCase() === 'strict-transport-security' &&
        typeof header.value === 'string'
      ) {
        return header.value;
      }
    }
  }
  return undefined;
}

/**
 * The Strict-Transport-Security that the pods behind a Service send themselves: an
 * oauth2-proxy (its `--alpha-config` file read from the ConfigMap mounted at that path)
 * whose `injectResponseHeaders` sets it. Undefined when no such pod is found.
 */
export function hstsOfBackend(
  model: StackModel,
  service: { readonly name: string; readonly namespace: string },
): string | undefined {
  const svc = model.resources.find(
    (r) =>
      (r.type === 'kubernetes_service_v1' || r.type === 'kubernetes_service') &&
      model.resolveName(metadataName(r)) === service.name &&
      model.namespaceOf(one(r.attributes.metadata)) === service.namespace,
  );
  if (!svc) {
    return undefined;
  }
  const selector = stringMap(one(svc.attributes.spec).selector);
  if (Object.keys(selector).length === 0) {
    return undefined;
  }
  const values = model.workloads
    .filter(
      (w) =>
        model.resolveName(w.namespace) === service.namespace &&
        Object.entries(selector).every(([k, v]) => w.podLabels[k] === v),
    )
    .flatMap((w) => w.containers.map((c) => alphaConfigHsts(model, w.podSpec, c, service.namespace)));
  // Every pod behind the Service must send it.
  return values.length > 0 && values.every((v) => v !== undefined && v === values[0]) ? values[0] : undefined;
}

function metadataName(resource: InspectedResource): unknown {
  return one(resource.attributes.metadata).name;
}

function alphaConfigHsts(
  model: StackModel,
  podSpec: Obj,
  container: Obj,
  namespace: string,
): string | undefined {
  const flag = strings(container.args).find((a) => a.startsWith('--alpha-config='));
  if (!flag) {
    return undefined;
  }
  const file = flag.slice('--alpha-config='.length);
  const dir = file.slice(0, file.lastIndexOf('/'));
  const key = file.slice(file.lastIndexOf('/') + 1);
  const mount = many(container.volume_mount).find((m) => m.mount_path === dir);
  const volume = many(podSpec.volume).find((v) => v.name === mount?.name);
  const configMapName = model.resolveName(one(volume?.config_map).name);
  const configMap = model.resources.find(
    (r) =>
      (r.type === 'kubernetes_config_map_v1' || r.type === 'kubernetes_config_map') &&
      model.resolveName(metadataName(r)) === configMapName &&
      model.namespaceOf(one(r.attributes.metadata)) === namespace,
  );
  const text = configMap ? stringMap(configMap.attributes.data)[key] : undefined;
  if (text === undefined) {
    return undefined;
  }
  let alpha: unknown;
  try {
    // Terraform turns the escaped $${ back into ${ before the ConfigMap is written.
    alpha = parseYaml(text.replace(/\$\$\{/g, '${'));
  } catch {
    return undefined;
  }
  const headers = isObj(alpha) ? many(alpha.injectResponseHeaders) : [];
  const hsts = headers.find(
    (h) => typeof h.name === 'string' && h.name.toLowerCase() === 'strict-transport-security',
  );
  // A static value is a secretSource (v7.14+ nested form).
  const value = hsts ? one(one(many(hsts.values)[0]).secretSource).value : undefined;
  return typeof value === 'string' ? value : undefined;
}
