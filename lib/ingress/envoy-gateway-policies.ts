import { Construct } from 'constructs';
import * as z from 'zod';

import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { problem } from '../core/validation';
import { envoyAccessLogFormat, EnvoyAccessLogOptions, envoyAccessLogOptionsSchema } from './envoy-access-log';
import { type CreatedGatewayOptions, GATEWAY_API_GROUP, type GatewayRef } from './gateway-ref';
import { allowSourceRangesSchema } from './ingress-schemas';

// What standard Gateway API cannot say, in Envoy Gateway's own policies
// (gateway.envoyproxy.io/v1alpha1, read in Envoy Gateway v1.9.1's api/v1alpha1 and its CRDs):
//
// 1. BackendTrafficPolicy and SecurityPolicy attach to the portal's HTTPRoutes (targetRefs),
//    so they cover what the routes carry (the portal, its sign-in under /oauth2, the machine
//    host) and nothing else: the HTTP listener's redirect route and cert-manager's HTTP-01
//    routes stay open to the ACME server, as on F5.
// 2. The local rate limit with a `Distinct` source CIDR gives every client address its own
//    token bucket (`limit.requests` tokens, refilled every `limit.unit`) in each Envoy
//    replica; 429 beyond it. IPv4 and IPv6 need a rule each (one CIDR per selector).
// 3. The client address is the TCP peer's by default. Envoy Gateway's Service keeps it
//    (externalTrafficPolicy Local is its default); behind an L7 proxy or CDN it is that
//    proxy's, unless a ClientTrafficPolicy trusts X-Forwarded-For hops.
// 4. Access logs are settings of the Envoy fleet (EnvoyProxy), which a Gateway names through
//    spec.infrastructure.parametersRef. Without a mergeType an EnvoyProxy attached to a
//    Gateway replaces the GatewayClass's whole EnvoyProxy (its Service annotations, replicas,
//    ...); StrategicMerge adds the access log and keeps the rest.
// 5. A `compressor` entry needs its settings object (`gzip: {}`) as well as its type:
//    without it Envoy Gateway accepts the policy and silently configures no compression
//    (internal/gatewayapi/backendtrafficpolicy.go, buildCompression).
// 6. kubernetes_manifest plans against what the API server returns: the one field the CRDs
//    default under what is rendered here (sourceCIDR.invert) is written out, so a second plan
//    shows no change.

const ENVOY_GATEWAY_API_VERSION = 'gateway.envoyproxy.io/v1alpha1';
/** The API group of Envoy Gateway's objects, for a Gateway's `infrastructure.parametersRef`. */
const ENVOY_GATEWAY_GROUP = 'gateway.envoyproxy.io';

/** A per-client-address request rate (Envoy Gateway's local rate limit). */
export interface EnvoyRateLimit {
  /** Requests each client address may make per `unit`; the bucket holds as many, so this is also the burst. */
  readonly requests: number;
  /**
   * The refill period of each client's bucket.
   * @default "Second"
   */
  readonly unit?: 'Second' | 'Minute' | 'Hour';
}

/**
 * Envoy Gateway's own policies for the Gateway API front door: what ingress-nginx's flavour
 * sets (a per-client rate limit, a client allow-list, gzip, JSON access logs) and standard
 * Gateway API cannot express. Use them only where Envoy Gateway runs the GatewayClass: on
 * another implementation nothing reads these objects, and their CRDs must be installed for
 * the stack to plan at all.
 */
export interface EnvoyGatewayOptions {
  /**
   * Each client address gets its own bucket of `requests` per `unit` on the portal's routes
   * (a BackendTrafficPolicy local rate limit, per Envoy replica); 429 beyond it. A Backstage
   * page load makes tens of requests at once: leave room for it.
   * @default - no limit
   */
  readonly rateLimit?: EnvoyRateLimit;
  /**
   * Only these client networks reach the portal's routes, its sign-in included (a
   * SecurityPolicy that denies every other address with 403). The ACME challenge and the
   * HTTP redirect stay reachable.
   * @default - any address
   */
  readonly allowSourceRanges?: readonly string[];
  /**
   * gzip the responses of the portal's routes for clients that accept it (the
   * BackendTrafficPolicy's compressor).
   * @default true
   */
  readonly gzip?: boolean;
  /**
   * One JSON object per request on the Envoy pods' stdout, for ELK or Datadog: an EnvoyProxy
   * merged (StrategicMerge) over the GatewayClass's, named by the Gateway's
   * `infrastructure.parametersRef`. Only for a Gateway the portal renders.
   * @default - true for a Gateway the portal renders; an existing Gateway's logs are its owner's
   */
  readonly accessLog?: boolean | EnvoyAccessLogOptions;
  /**
   * How many proxies in front of Envoy (an L7 load balancer, a CDN) append to
   * `X-Forwarded-For`: the client address (for the rate limit, the allow-list and the log)
   * is taken that many hops from the right (a ClientTrafficPolicy on the Gateway). Only for
   * a Gateway the portal renders.
   * @default - the TCP peer's address (right for an L4 load balancer that keeps it)
   */
  readonly trustedProxyHops?: number;
}

/** @internal The schema of {@link EnvoyGatewayOptions}. */
export const envoyGatewayOptionsSchema = z.strictObject({
  rateLimit: z
    .strictObject({
      requests: z
        .number()
        .int(problem('must be a whole number', 'Give the requests per unit as a whole number.'))
        .min(1, problem('must be at least 1', 'Give 1 or more requests per unit, or leave rateLimit out.')),
      unit: z
        .enum(['Second', 'Minute', 'Hour'], {
          error: problem(
            'must be "Second", "Minute" or "Hour"',
            "Pick the refill period of each client's bucket.",
          ),
        })
        .optional(),
    })
    .optional(),
  allowSourceRanges: allowSourceRangesSchema.optional(),
  gzip: z.boolean().optional(),
  accessLog: z.union([z.boolean(), envoyAccessLogOptionsSchema]).optional(),
  trustedProxyHops: z
    .number()
    .int(problem('must be a whole number', 'Count the proxies in front of Envoy.'))
    .min(1, problem('must be at least 1', 'Leave it out when no proxy sits in front of Envoy.'))
    .max(
      10,
      problem(
        'must be at most 10',
        'Count only the proxies of your own that append to X-Forwarded-For in front of Envoy.',
      ),
    )
    .optional(),
});

/** Envoy Gateway settings of the Gateway's Envoy fleet, and what to do instead on an existing Gateway. */
const ENVOY_FLEET_SETTINGS = {
  accessLog: "Leave accessLog out, and ask the Gateway's owner for the access log of its EnvoyProxy.",
  trustedProxyHops:
    "Leave trustedProxyHops out, and ask the Gateway's owner for a ClientTrafficPolicy on their Gateway.",
} as const;

/**
 * @internal Envoy Gateway settings of the Envoy fleet (the access log, the trusted hops) on an
 * existing Gateway, which is its owner's, or the access log's EnvoyProxy where the rendered
 * Gateway already names other parameters: refused at `path` + the setting.
 */
export function envoyGatewayPlacementIssues(
  ctx: z.core.$RefinementCtx,
  gateway: GatewayRef,
  options: EnvoyGatewayOptions,
  path: readonly (string | number)[],
): void {
  if (gateway.kind === 'existing') {
    for (const [setting, fix] of Object.entries(ENVOY_FLEET_SETTINGS)) {
      const given = options[setting as keyof typeof ENVOY_FLEET_SETTINGS];
      if (given !== undefined && given !== false) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, setting],
          message: problem(
            "is the existing Gateway owner's business: the Envoy fleet that serves it is theirs",
            fix,
          ),
        });
      }
    }
    return;
  }
  const parametersRef = (gateway.options as CreatedGatewayOptions).infrastructure?.parametersRef;
  if (parametersRef !== undefined && options.accessLog !== false) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'accessLog'],
      message: problem(
        `needs the Gateway's infrastructure.parametersRef for its EnvoyProxy, which names ${parametersRef.kind} "${parametersRef.name}"`,
        "Set accessLog: false and put the access log in your own EnvoyProxy, or leave the Gateway's parametersRef out.",
      ),
    });
  }
}

/** Name, namespace and labels of an Envoy Gateway object the portal renders. */
export interface EnvoyObjectMeta {
  /** The portal's `name` (the allow-list is `<name>-allow-list`). */
  readonly name: string;
  /** The portal's namespace: the routes', and the Gateway's when the portal renders it. */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Where the policies go, and what they attach to. */
export interface EnvoyPolicyTargets extends EnvoyObjectMeta {
  /** The portal's HTTPRoutes: its host's, and the machine host's. */
  readonly routeNames: readonly string[];
  /** The Gateway, when the portal renders it (the trusted hops are set on it). */
  readonly renderedGateway?: string;
  /** What the policies need to exist first: a policy whose target is missing is not Accepted. */
  readonly dependsOn: readonly KubernetesResource[];
}

/** The route and Gateway policies rendered for {@link EnvoyGatewayOptions}. */
export interface EnvoyTrafficPolicies {
  /** The rate limit and gzip of the portal's routes. */
  readonly backendTraffic?: KubernetesResource;
  /** The client allow-list of the portal's routes. */
  readonly security?: KubernetesResource;
  /** X-Forwarded-For trust on the rendered Gateway. */
  readonly clientTraffic?: KubernetesResource;
}

/** An Envoy Gateway object of `kind` in the portal's namespace. */
function envoyGatewayObject(
  scope: Construct,
  id: string,
  kind: string,
  meta: EnvoyObjectMeta,
  spec: Record<string, unknown>,
  dependsOn: readonly KubernetesResource[] = [],
): KubernetesResource {
  return kubernetesResource(scope, id, 'kubernetes_manifest', {
    manifest: {
      apiVersion: ENVOY_GATEWAY_API_VERSION,
      kind,
      metadata: { name: meta.name, namespace: meta.namespace, labels: { ...meta.labels } },
      spec,
    },
    dependsOn: [...dependsOn],
  });
}

/**
 * The EnvoyProxy of a Gateway the portal renders, when the options keep the access log on
 * (the default); the Gateway names it in `infrastructure.parametersRef` and is created after it.
 */
export function renderEnvoyProxy(
  scope: Construct,
  options: EnvoyGatewayOptions,
  meta: EnvoyObjectMeta,
): KubernetesResource | undefined {
  const accessLog = options.accessLog ?? true;
  if (accessLog === false) {
    return undefined;
  }
  return envoyGatewayObject(scope, 'EnvoyProxy', 'EnvoyProxy', meta, {
    mergeType: 'StrategicMerge',
    telemetry: {
      accessLog: {
        settings: [
          {
            format: { type: 'JSON', json: envoyAccessLogFormat(accessLog === true ? {} : accessLog) },
            sinks: [{ type: 'File', file: { path: '/dev/stdout' } }],
          },
        ],
      },
    },
  });
}

/** The `infrastructure.parametersRef` a rendered Gateway carries for its EnvoyProxy. */
export function envoyProxyParametersRef(name: string) {
  return { group: ENVOY_GATEWAY_GROUP, kind: 'EnvoyProxy', name };
}

/** The route policies (and the Gateway's client-IP detection) the options ask for, under `scope`. */
export function renderEnvoyTrafficPolicies(
  scope: Construct,
  options: EnvoyGatewayOptions,
  targets: EnvoyPolicyTargets,
): EnvoyTrafficPolicies {
  const routeRefs = targets.routeNames.map((name) => ({ group: GATEWAY_API_GROUP, kind: 'HTTPRoute', name }));
  const gzip = options.gzip ?? true;
  const rate = options.rateLimit;
  const perClient = (network: string, limit: EnvoyRateLimit) => ({
    clientSelectors: [{ sourceCIDR: { type: 'Distinct', value: network, invert: false } }],
    limit: { requests: limit.requests, unit: limit.unit ?? 'Second' },
  });
  const backendTraffic =
    gzip || rate
      ? envoyGatewayObject(
          scope,
          'EnvoyBackendTrafficPolicy',
          'BackendTrafficPolicy',
          targets,
          {
            targetRefs: routeRefs,
            ...(rate
              ? { rateLimit: { local: { rules: [perClient('0.0.0.0/0', rate), perClient('::/0', rate)] } } }
              : {}),
            // The settings object must be there, even empty: a compressor without it is dropped.
            ...(gzip ? { compressor: [{ type: 'Gzip', gzip: {} }] } : {}),
          },
          targets.dependsOn,
        )
      : undefined;

  const security = options.allowSourceRanges
    ? envoyGatewayObject(
        scope,
        'EnvoySecurityPolicy',
        'SecurityPolicy',
        { ...targets, name: `${targets.name}-allow-list` },
        {
          targetRefs: routeRefs,
          authorization: {
            defaultAction: 'Deny',
            rules: [
              {
                name: 'allowed-networks',
                action: 'Allow',
                principal: { clientCIDRs: [...options.allowSourceRanges] },
              },
            ],
          },
        },
        targets.dependsOn,
      )
    : undefined;

  const gateway = targets.renderedGateway;
  const clientTraffic =
    gateway !== undefined && options.trustedProxyHops !== undefined
      ? envoyGatewayObject(
          scope,
          'EnvoyClientTrafficPolicy',
          'ClientTrafficPolicy',
          targets,
          {
            targetRefs: [{ group: GATEWAY_API_GROUP, kind: 'Gateway', name: gateway }],
            clientIPDetection: { xForwardedFor: { numTrustedHops: options.trustedProxyHops } },
          },
          targets.dependsOn,
        )
      : undefined;

  return { backendTraffic, security, clientTraffic };
}
