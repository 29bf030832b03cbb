import { Construct } from 'constructs';
import * as z from 'zod';

import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { standardLabels } from '../core/labels';
import { PeerSelector } from '../core/network';
import { kubernetesName } from '../core/schemas';
import { nestedIssues, problem, validateProps } from '../core/validation';
import { BoundTls, TlsSource } from '../tls/tls-source';
import {
  EnvoyGatewayOptions,
  envoyGatewayOptionsSchema,
  envoyGatewayPlacementIssues,
  envoyProxyParametersRef,
  EnvoyTrafficPolicies,
  renderEnvoyProxy,
  renderEnvoyTrafficPolicies,
} from './envoy-gateway-policies';
import type { F5IdentityUpstream } from './f5-nginx-ingress';
import {
  CreatedGatewayOptions,
  ExistingGatewayOptions,
  GATEWAY_API_GROUP,
  GATEWAY_LISTENERS,
  GatewayRef,
  gatewayRefSchema,
} from './gateway-ref';
import {
  frontDoorShape,
  inPathAuthProxyPlacementIssues,
  inPathAuthProxySchema,
  tlsSourceSchema,
} from './ingress-schemas';
import { MACHINE_CHALLENGE_HEADER, machineChallenge } from './machine-challenge';
import {
  type InPathMachineEntry,
  inPathMachineEntrySchema,
  machineEntryHostIssues,
} from './machine-entry-route';

// The same access intent as NginxIngress, on the Gateway API (gateway.networking.k8s.io/v1,
// standard channel). Facts that shape this file:
//
// 1. The portable part of the API is small: path matches, backendRefs and RequestRedirect
//    are Core; header modifiers are Core or Extended and some implementations do not
//    support them (the AWS Load Balancer Controller's ALB gateway supports neither
//    modifier, and an unsupported filter may make the route not Accepted). External auth
//    is an implementation's extension (NGINX Gateway Fabric's has no sign-in redirect). So
//    oauth2-proxy sits in the request path, as in the F5 flavour, and does the whole
//    authentication: the IdP redirect, 401 on its --api-route regexes, machine tokens, the
//    identity headers on requests to Backstage (client copies stripped and replaced), and
//    HSTS on what it proxies. The routes only carry every path of the host to it.
// 2. TLS is forced by attachment: the portal's route attaches to the HTTPS listener only
//    (parentRefs sectionName), and the HTTP listener carries a RequestRedirect route alone.
// 3. cert-manager's HTTP-01 solver (gatewayHTTPRoute) creates an HTTPRoute with an Exact
//    match on /.well-known/acme-challenge/<token>; Gateway API ranks an Exact path match
//    above a PathPrefix one across the routes of a listener, so the challenge is answered
//    on the HTTP listener before the redirect, and outside oauth2-proxy.
// 4. cert-manager's gateway-shim (v1.19, enableGatewayAPI) issues a Certificate for every
//    HTTPS/TLS listener with a hostname and certificateRefs to a Secret of the Gateway's own
//    namespace, from the Gateway's cert-manager.io/cluster-issuer (or /issuer) annotation.
// 5. kubernetes_manifest plans against what the API server returns, defaults included:
//    every field the CRD would default (groups, kinds, weights, the match, the redirect
//    code, tls.mode) is written out, so a second plan shows no change.

const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';

/** Where a gateway in the request path sends signed-in requests, and what it adds to them. */
export type GatewayApiIdentityUpstream = F5IdentityUpstream;

/** What GatewayApiIngress needs from the auth gateway (oauth2-proxy in the request path). */
export interface GatewayApiAuthProxy {
  /** Service every path of the host is routed to (oauth2-proxy; it serves `/oauth2/*` itself). */
  readonly serviceName: string;
  /** Namespace of that Service: the routes' own (a backendRef to another namespace needs a ReferenceGrant). */
  readonly namespace: string;
  /** Its port. */
  readonly port: number;
  /**
   * Where it proxies signed-in requests, and the identity headers it sets on them. Required:
   * the routes only carry traffic to it, it does the authentication.
   * @default - none (an auth-only gateway: refused)
   */
  readonly identityUpstream?: GatewayApiIdentityUpstream;
}

export interface GatewayApiIngressProps {
  /** Namespace of the routes (and of a rendered Gateway): the portal's. */
  readonly namespace: string;
  /** Public host. */
  readonly host: string;
  /** The Service behind the portal (Backstage). */
  readonly backend: { readonly serviceName: string; readonly port: number };
  /** oauth2-proxy in the request path, in front of the backend. */
  readonly authProxy: GatewayApiAuthProxy;
  /** The Gateway the routes attach to: rendered here ({@link GatewayRef.create}) or existing ({@link GatewayRef.existing}). */
  readonly gateway: GatewayRef;
  /**
   * Where the certificate of the rendered Gateway's HTTPS listener comes from. Required with
   * {@link GatewayRef.create}; an existing Gateway's listener has its owner's certificate,
   * so it is refused there. An ACME issuer created for it answers HTTP-01 on the Gateway's
   * `http` listener (cert-manager's `gatewayHTTPRoute` solver).
   * @default - none
   */
  readonly tls?: TlsSource;
  /**
   * Name of the objects: the Gateway `<name>`, the route `<name>` and the redirect route `<name>-https-redirect`.
   * @default "backstage"
   */
  readonly name?: string;
  /**
   * The machine entry (`OidcGateway` `machineHost`, in the request path): the route
   * `<name>-machines` sends every path of the machine host to it. A rendered Gateway gets
   * listeners `http-machines` and `https-machines` for that host, with the portal's
   * certificate Secret (gateway-shim asks for one certificate with both hosts); on an
   * existing Gateway the route attaches to `machineHttpsListener`.
   * @default - none
   */
  readonly machineEntry?: InPathMachineEntry;
  /**
   * With a machine entry: the route `<name>-machines` sets a `WWW-Authenticate` challenge
   * (`Bearer`, the machine host as `realm`) on every response of the machine host, its
   * 401s included, with a `ResponseHeaderModifier` filter, so API and MCP clients learn the
   * scheme. That filter has Extended support: turn it on only where the implementation
   * supports it (Envoy Gateway, Application Gateway for Containers, ...; not the AWS Load
   * Balancer Controller's ALB or VPC Lattice), since an implementation without it may leave
   * the route not Accepted, and the machine host without a route.
   * @default false
   */
  readonly machineChallenge?: boolean;
  /**
   * Where Envoy Gateway runs the GatewayClass: its own policies for what standard Gateway
   * API cannot say (a per-client rate limit, a client allow-list, gzip, a JSON access log,
   * trusted X-Forwarded-For hops), attached to the portal's routes and, for a Gateway the
   * portal renders, to that Gateway. Envoy Gateway's CRDs must be in the cluster when the
   * stack is planned.
   * @default - none: only standard Gateway API objects
   */
  readonly envoyGateway?: EnvoyGatewayOptions;
}

const authProxySchema = inPathAuthProxySchema<GatewayApiAuthProxy>({
  shapeFix: 'Pass the oauth2-proxy gateway of the portal (an OidcGateway with upstream).',
  notInPath: 'must sit in the request path: the routes only carry traffic to it',
  notInPathFix:
    'Standard Gateway API has no portable external-auth filter: run oauth2-proxy as a reverse proxy in front of the backend that sets the identity headers itself (OidcGateway upstream), or use NginxIngress.',
});

const gatewayApiSchema = z
  .strictObject({
    ...frontDoorShape,
    authProxy: authProxySchema,
    gateway: gatewayRefSchema,
    tls: tlsSourceSchema.optional(),
    name: kubernetesName.optional(),
    machineEntry: inPathMachineEntrySchema.optional(),
    machineChallenge: z.boolean().optional(),
    envoyGateway: envoyGatewayOptionsSchema.optional(),
  })
  .superRefine((props, ctx) => {
    machineEntryHostIssues(ctx, props.host, props.machineEntry);
    machineOnlyIssues(ctx, 'machineChallenge', props.machineChallenge, props.machineEntry !== undefined, []);
    const gateway = props.gateway;
    if (GatewayRef.isGatewayRef(gateway)) {
      nestedIssues(ctx, ['gateway'], gateway.schema, gateway.options);
      if (gateway.kind === 'create' && props.tls === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['tls'],
          message: problem(
            'is required when the portal renders its Gateway',
            "Say where the HTTPS listener's certificate comes from: TlsSource.acme({ email }), .fromIssuer(name), .fromSecret(name) or .privateCa(secret).",
          ),
        });
      }
      machineListenerIssues(ctx, gateway, props.machineEntry !== undefined, ['gateway']);
      if (props.envoyGateway) {
        envoyGatewayPlacementIssues(ctx, gateway, props.envoyGateway, ['envoyGateway']);
      }
      if (gateway.kind === 'existing' && props.tls !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['tls'],
          message: problem(
            `is the existing Gateway's business: its listener "${(gateway.options as ExistingGatewayOptions).httpsListener}" terminates TLS with its owner's certificate`,
            "Leave tls out, and have the Gateway's owner add a certificate for the host to that listener (e.g. with cert-manager's annotation on their Gateway).",
          ),
        });
      }
    }
    inPathAuthProxyPlacementIssues(ctx, props, props.authProxy, {
      prop: 'authProxy',
      owner: "the routes'",
      namespaceFix:
        "A route reaches another namespace's Service only with a ReferenceGrant: run the gateway in the portal's namespace.",
    });
  }) satisfies z.ZodType<GatewayApiIngressProps>;

// Settings that only mean something with a machine host, and what is wrong without one.
const MACHINE_ONLY = {
  machineHttpsListener: [
    'has no machine entry to route',
    'Give the portal a machineHost (its machine entry gets a route there), or leave machineHttpsListener out.',
  ],
  machineChallenge: [
    'has no machine host to challenge for',
    'Give the portal a machineHost (its route gets the challenge), or leave machineChallenge out.',
  ],
} as const;

/**
 * @internal A machine-host setting given (neither undefined nor false) without a machine
 * entry: refused at `path` + the setting, by GatewayApiIngress, the portal and environment data.
 */
export function machineOnlyIssues(
  ctx: z.core.$RefinementCtx,
  setting: keyof typeof MACHINE_ONLY,
  given: unknown,
  hasMachineEntry: boolean,
  path: readonly (string | number)[],
): void {
  if (given === undefined || given === false || hasMachineEntry) {
    return;
  }
  const [says, fix] = MACHINE_ONLY[setting];
  ctx.addIssue({ code: 'custom', path: [...path, setting], message: problem(says, fix) });
}

/** @internal An existing Gateway's `machineHttpsListener` without a machine entry (see {@link machineOnlyIssues}). */
export function machineListenerIssues(
  ctx: z.core.$RefinementCtx,
  gateway: GatewayRef,
  hasMachineEntry: boolean,
  path: readonly (string | number)[],
): void {
  const options = gateway.kind === 'existing' ? (gateway.options as ExistingGatewayOptions) : undefined;
  machineOnlyIssues(ctx, 'machineHttpsListener', options?.machineHttpsListener, hasMachineEntry, path);
}

/** A parentRef to one listener of a Gateway, with the fields the CRD would default written out. */
function parentRef(name: string, namespace: string, sectionName: string) {
  return { group: GATEWAY_API_GROUP, kind: 'Gateway', name, namespace, sectionName };
}
type ParentRef = ReturnType<typeof parentRef>;

/**
 * The portal's front door on the Gateway API (gateway.networking.k8s.io/v1, standard
 * channel), for any conformant implementation (NGINX Gateway Fabric, Envoy Gateway, Istio,
 * Cilium, the cloud gateways): an HTTPRoute on the Gateway's HTTPS listener sending every
 * path of the host to oauth2-proxy, which sits in the request path and does the
 * authentication (the redirect to the IdP, 401 on its API routes, machine tokens, the
 * identity headers, HSTS); an HTTPRoute on the HTTP listener redirecting to HTTPS (where
 * cert-manager's HTTP-01 route, an Exact match, still wins); and, with
 * {@link GatewayRef.create}, the Gateway itself with both listeners for the host and the
 * certificate through cert-manager's gateway-shim.
 */
export class GatewayApiIngress extends Construct {
  /** The Gateway, when the portal renders it. */
  public readonly gateway?: KubernetesResource;
  /** The route on the HTTPS listener: every path of the host to oauth2-proxy. */
  public readonly route: KubernetesResource;
  /** With a machine entry: the route of the machine host, every path to the machine entry. */
  public readonly machineRoute?: KubernetesResource;
  /** The route on the HTTP listener that redirects to HTTPS (none on an existing Gateway without `httpListener`). */
  public readonly redirectRoute?: KubernetesResource;
  /** With `envoyGateway`: the Envoy Gateway policies of the routes and the rendered Gateway. */
  public readonly envoyPolicies?: EnvoyTrafficPolicies;
  /** With `envoyGateway` and a rendered Gateway: its EnvoyProxy (the JSON access log), unless `accessLog` is false. */
  public readonly envoyProxy?: KubernetesResource;
  /** The Gateway the routes attach to. */
  public readonly gatewayName: string;
  /** Its namespace. */
  public readonly gatewayNamespace: string;
  /**
   * The data plane of a rendered Gateway, as GEP-1762 labels it (`gateway.networking.k8s.io/gateway-name`,
   * in the Gateway's namespace), for in-cluster implementations that deploy one per Gateway
   * (NGINX Gateway Fabric 2.x, Istio). Not set for an existing Gateway.
   */
  public readonly dataPlane?: PeerSelector;
  /** The portal URL. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: GatewayApiIngressProps) {
    super(scope, id);
    validateProps(this, gatewayApiSchema, props);

    const name = props.name ?? 'backstage';
    const labels = standardLabels('backstage', name, 'ingress');
    this.url = `https://${props.host}`;
    const proxy = props.authProxy;

    const machines = props.machineEntry;
    let https: ParentRef;
    let http: ParentRef | undefined;
    let machinesHttps: ParentRef | undefined;
    let machinesHttp: ParentRef | undefined;
    const dependsOn: KubernetesResource[] = [];
    if (props.gateway.kind === 'create') {
      const options = props.gateway.options as CreatedGatewayOptions;
      this.gatewayName = options.name ?? name;
      this.gatewayNamespace = props.namespace;
      const ref = (sectionName: string) => parentRef(this.gatewayName, props.namespace, sectionName);
      https = ref(GATEWAY_LISTENERS.https);
      http = ref(GATEWAY_LISTENERS.http);
      machinesHttps = machines ? ref(GATEWAY_LISTENERS.machinesHttps) : undefined;
      machinesHttp = machines ? ref(GATEWAY_LISTENERS.machinesHttp) : undefined;
      const tls: BoundTls = props.tls!.bind({
        scope: this,
        host: props.host,
        ingressClassName: options.gatewayClassName,
        // With a machine host the challenge of each host is served on its own HTTP listener:
        // no sectionName, so cert-manager's route attaches to the listener of its hostname.
        http01Gateway: {
          name: this.gatewayName,
          namespace: props.namespace,
          ...(machines ? {} : { sectionName: GATEWAY_LISTENERS.http }),
        },
      });
      this.dataPlane = {
        namespaceLabels: { 'kubernetes.io/metadata.name': props.namespace },
        podLabels: { 'gateway.networking.k8s.io/gateway-name': this.gatewayName },
      };
      // Only the portal's HTTPRoutes, and cert-manager's (in the same namespace), attach.
      const allowedRoutes = {
        namespaces: { from: 'Same' },
        kinds: [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute' }],
      };
      const listener = (listenerName: string, hostname: string, secure: boolean) => ({
        name: listenerName,
        protocol: secure ? 'HTTPS' : 'HTTP',
        port: secure ? 443 : 80,
        hostname,
        // gateway-shim wants a Secret of the Gateway's own namespace (no cross-namespace
        // refs); for listeners sharing one Secret it asks for one certificate with all
        // their hostnames (cert-manager 1.19, certificate-shim buildCertificates).
        ...(secure
          ? {
              tls: {
                mode: 'Terminate',
                certificateRefs: [{ group: '', kind: 'Secret', name: tls.secretName }],
              },
            }
          : {}),
        allowedRoutes,
      });
      const annotations = { ...(options.annotations ?? {}), ...tls.annotations };
      // The Gateway names its EnvoyProxy, so Envoy Gateway finds it when it first sees the Gateway.
      this.envoyProxy = props.envoyGateway
        ? renderEnvoyProxy(this, props.envoyGateway, { name, namespace: props.namespace, labels })
        : undefined;
      const infrastructure = {
        ...(options.infrastructure ?? {}),
        ...(this.envoyProxy ? { parametersRef: envoyProxyParametersRef(name) } : {}),
      };
      this.gateway = kubernetesResource(this, 'Gateway', 'kubernetes_manifest', {
        manifest: {
          apiVersion: GATEWAY_API_VERSION,
          kind: 'Gateway',
          metadata: {
            name: this.gatewayName,
            namespace: props.namespace,
            labels,
            ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
          },
          spec: {
            gatewayClassName: options.gatewayClassName,
            ...(Object.keys(infrastructure).length > 0 ? { infrastructure } : {}),
            listeners: [
              listener(GATEWAY_LISTENERS.http, props.host, false),
              listener(GATEWAY_LISTENERS.https, props.host, true),
              ...(machines
                ? [
                    listener(GATEWAY_LISTENERS.machinesHttp, machines.host, false),
                    listener(GATEWAY_LISTENERS.machinesHttps, machines.host, true),
                  ]
                : []),
            ],
          },
        },
        dependsOn: [...tls.dependsOn, ...(this.envoyProxy ? [this.envoyProxy] : [])],
      });
      dependsOn.push(this.gateway);
    } else {
      const options = props.gateway.options as ExistingGatewayOptions;
      this.gatewayName = options.name;
      this.gatewayNamespace = options.namespace;
      https = parentRef(options.name, options.namespace, options.httpsListener);
      http = options.httpListener
        ? parentRef(options.name, options.namespace, options.httpListener)
        : undefined;
      machinesHttps = machines
        ? parentRef(options.name, options.namespace, options.machineHttpsListener ?? options.httpsListener)
        : undefined;
    }

    const route = (
      routeId: string,
      routeName: string,
      parentRefs: readonly ParentRef[],
      hostnames: readonly string[],
      rule: Record<string, unknown>,
    ) =>
      kubernetesResource(this, routeId, 'kubernetes_manifest', {
        manifest: {
          apiVersion: GATEWAY_API_VERSION,
          kind: 'HTTPRoute',
          metadata: { name: routeName, namespace: props.namespace, labels },
          spec: { parentRefs: [...parentRefs], hostnames: [...hostnames], rules: [rule] },
        },
        dependsOn: [...dependsOn],
      });
    const everyPath = [{ path: { type: 'PathPrefix', value: '/' } }];
    const toService = (service: { readonly serviceName: string; readonly port: number }) => ({
      matches: everyPath,
      backendRefs: [{ group: '', kind: 'Service', name: service.serviceName, port: service.port, weight: 1 }],
    });

    // One rule: oauth2-proxy decides per path (its /oauth2 endpoints, 401 on the API routes,
    // sign-in elsewhere) and proxies signed-in requests to Backstage.
    this.route = route('Route', name, [https], [props.host], toService(proxy));
    if (machines && machinesHttps) {
      // Every path of the machine host to the machine entry, which answers 401 without an
      // admitted token and proxies the rest to Backstage, the bearer token included.
      // oauth2-proxy sends no challenge with its 401 (and its injectResponseHeaders apply to
      // authenticated responses only), so the route sets it. `set`, not `add`: one challenge,
      // whatever the backend sends.
      const challenge = props.machineChallenge
        ? {
            filters: [
              {
                type: 'ResponseHeaderModifier',
                responseHeaderModifier: {
                  set: [{ name: MACHINE_CHALLENGE_HEADER, value: machineChallenge(machines.host) }],
                },
              },
            ],
          }
        : {};
      this.machineRoute = route('MachineRoute', `${name}-machines`, [machinesHttps], [machines.host], {
        ...toService(machines),
        ...challenge,
      });
    }
    if (http) {
      // No port: a redirect to the https scheme goes to its well-known port (443).
      this.redirectRoute = route(
        'RedirectRoute',
        `${name}-https-redirect`,
        machinesHttp ? [http, machinesHttp] : [http],
        machinesHttp && machines ? [props.host, machines.host] : [props.host],
        {
          matches: everyPath,
          filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
        },
      );
    }
    if (props.envoyGateway) {
      this.envoyPolicies = renderEnvoyTrafficPolicies(this, props.envoyGateway, {
        namespace: props.namespace,
        name,
        labels,
        routeNames: this.machineRoute ? [name, `${name}-machines`] : [name],
        renderedGateway: this.gateway ? this.gatewayName : undefined,
        dependsOn: [this.route, ...(this.machineRoute ? [this.machineRoute] : [])],
      });
    }
  }
}
