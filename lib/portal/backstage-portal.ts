import { dependable, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import * as z from 'zod';

import { MachineClient, machineClientsSchema } from '../access/machine-client';
import {
  type AccessPolicy,
  clientIdSchema,
  type GatewayHstsOptions,
  OidcGateway,
  type OidcGatewayProps,
} from '../access/oidc-gateway';
import { oidcIssuerSchema } from '../access/oidc-issuer';
import {
  Backstage,
  BACKSTAGE_PORT,
  type BackstageProps,
  DEFAULT_BACKSTAGE_NAME,
} from '../backstage/backstage';
import { backstageDatabaseSchema } from '../backstage/database';
import { Team } from '../catalog/team';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { snakeCase } from '../core/names';
import {
  F5_NGINX_INGRESS_CONTROLLER,
  INGRESS_NGINX_CONTROLLER,
  PeerSelector,
  peerSelectorSchema,
} from '../core/network';
import { requireProviders } from '../core/providers';
import { cidr, createdNamespace, hostName, pinnedImage, workloadNamespace } from '../core/schemas';
import { TrustedCaBundle, trustedCaBundleSchema } from '../core/trusted-ca';
import { fail, nestedIssues, problem, validateProps } from '../core/validation';
import { envoyGatewayOptionsSchema, envoyGatewayPlacementIssues } from '../ingress/envoy-gateway-policies';
import { F5NginxIngress, type F5NginxIngressProps } from '../ingress/f5-nginx-ingress';
import {
  GatewayApiIngress,
  type GatewayApiIngressProps,
  machineListenerIssues,
  machineOnlyIssues,
} from '../ingress/gateway-api-ingress';
import { CreatedGatewayOptions, GatewayRef, gatewayRefSchema } from '../ingress/gateway-ref';
import type { IngressCommonProps } from '../ingress/ingress-props';
import { apiPathsSchema, tlsSourceSchema } from '../ingress/ingress-schemas';
import { NginxIngress, type NginxIngressProps } from '../ingress/nginx-ingress';
import { secretRefSchema } from '../secrets/secret-ref';
import { BoundTls, TlsBindingContext, TlsSource } from '../tls/tls-source';

/**
 * Who may sign in, as {@link AccessPolicy}; `groups` may also name {@link Team}s, of which
 * the gateway compares `idpGroup`. The same Teams bound to RBAC roles make one declaration
 * of both: the groups let in at the gateway and the groups roles are granted to.
 */
export interface PortalAccessPolicy extends Omit<AccessPolicy, 'groups'> {
  /**
   * IdP groups (or Teams) allowed to sign in (any of them).
   * @default - no group rule
   */
  readonly groups?: readonly (string | Team)[];
}

/** The gateway's access policy: each Team as the group the IdP puts into the token. */
function gatewayAccess(access: PortalAccessPolicy): AccessPolicy {
  // Anything but a list is left to the gateway's own check, which reports it.
  return Array.isArray(access.groups)
    ? { ...access, groups: access.groups.map((g) => (Team.isTeam(g) ? g.idpGroup : g)) }
    : (access as AccessPolicy);
}

/**
 * Backstage settings beyond the portal-wide ones: the props of {@link Backstage} that the
 * portal leaves to you (it sets the namespace, host, image, database, sign-in, machine
 * clients and ingress controller itself, and never renames Backstage's objects).
 */
export type PortalBackstageOptions = Pick<
  BackstageProps,
  | 'replicas'
  | 'autoscaling'
  | 'resources'
  | 'appConfig'
  | 'env'
  | 'secretEnv'
  | 'baseConfigFiles'
  | 'mountServiceAccountToken'
  | 'rollout'
  | 'allowedPeers'
  | 'metrics'
>;

/**
 * Gateway settings beyond the portal-wide ones: the props of {@link OidcGateway} that the
 * portal leaves to you, and the F5 flavour's API routes.
 */
export interface PortalGatewayOptions extends Pick<
  OidcGatewayProps,
  'cookie' | 'sessionStore' | 'image' | 'replicas' | 'metrics'
> {
  /**
   * With `ingressFlavour: 'f5-nginx'`: path regexes oauth2-proxy answers with 401 instead of
   * a sign-in redirect (`--api-route`, matched against path and query). Prefer
   * `ingress.apiPaths` (prefixes, as in the ingress-nginx flavour); give one or the other.
   * @default - the regexes of `ingress.apiPaths` (`["^/api([/?]|$)"]`)
   */
  readonly apiPaths?: readonly string[];
}

/**
 * Ingress settings of the `ingress-nginx` flavour beyond the portal-wide ones: the props of
 * {@link NginxIngress}, less those the portal sets itself.
 */
export type PortalIngressOptions = Omit<
  NginxIngressProps,
  'namespace' | 'host' | 'backend' | 'gateway' | 'tls' | 'name'
>;

/**
 * Ingress settings of the `f5-nginx` flavour beyond the portal-wide ones: the props of
 * {@link F5NginxIngress}, less those the portal sets itself, and the API paths.
 */
export interface F5PortalIngressOptions extends Omit<
  F5NginxIngressProps,
  'namespace' | 'host' | 'backend' | 'gateway' | 'tls' | 'name' | 'apiPaths'
> {
  /**
   * Path prefixes of the API (as in the ingress-nginx flavour): a request there without a
   * valid session gets 401 instead of a redirect to the IdP (XHR calls cannot follow it).
   * On this controller oauth2-proxy, in the request path, decides it: each prefix becomes
   * one of its `--api-route` regexes (`"/api"` → `"^/api([/?]|$)"`: `/api`, `/api/…` and
   * `/api?…`, not `/apix`).
   * @default ["/api"]
   */
  readonly apiPaths?: readonly string[];
}

/**
 * Ingress settings of the `gateway-api` flavour: the Gateway the portal's HTTPRoutes attach
 * to, and what oauth2-proxy, in the request path, does there.
 */
export interface GatewayApiPortalIngressOptions extends Pick<GatewayApiIngressProps, 'envoyGateway'> {
  /**
   * The Gateway: `GatewayRef.create({ gatewayClassName })` renders one in the portal's
   * namespace (listeners `http` and `https` for the host, the certificate from `tls`), or
   * `GatewayRef.existing({ name, namespace, httpsListener })` attaches to a shared one.
   */
  readonly gateway: GatewayRef;
  /**
   * Path prefixes of the API: a request there without a valid session gets 401 instead of a
   * redirect to the IdP. oauth2-proxy decides it, as on F5: each prefix becomes one of its
   * `--api-route` regexes (`"/api"` → `"^/api([/?]|$)"`).
   * @default ["/api"]
   */
  readonly apiPaths?: readonly string[];
  /**
   * HSTS, sent by oauth2-proxy on the responses it proxies (response header filters are not
   * portable across Gateway API implementations).
   * @default - max-age one year, includeSubDomains
   */
  readonly hsts?: GatewayHstsOptions;
  /**
   * Networks (CIDRs) the Gateway's proxies connect from when they run outside the cluster (a
   * cloud load balancer: see `CloudProfile.gatewayApi(...).dataPlaneSourceRanges` and its
   * notes); oauth2-proxy's NetworkPolicy admits them besides `ingressController`.
   * @default - none
   */
  readonly dataPlaneSourceRanges?: readonly string[];
  /**
   * With a `machineHost`: its route sets the `WWW-Authenticate` challenge on the machine
   * host's responses (a `ResponseHeaderModifier` filter, Extended support): see
   * `GatewayApiIngressProps.machineChallenge` for the implementations that take it.
   * @default false
   */
  readonly machineChallenge?: boolean;
}

/**
 * The switch of an existing ingress-nginx portal to the Gateway API: the portal keeps
 * serving through its ingress-nginx Ingresses (with an auth-only oauth2-proxy of their
 * own) while the Gateway takes over, so both front doors work until DNS points at the
 * Gateway. Remove it afterwards: the next apply deletes the Ingresses and that proxy, and
 * the Gateway takes over the certificate. Nothing of Backstage or its database changes.
 */
export interface IngressNginxMigration {
  /**
   * The portal's ingress-nginx settings (as `ingress` had them).
   * @default - NginxIngress's defaults
   */
  readonly ingress?: PortalIngressOptions;
  /**
   * The ingress-nginx controller pods.
   * @default - ingress-nginx in namespace `ingress-nginx`
   */
  readonly ingressController?: PeerSelector;
}

/** `/api` → `^/api([/?]|$)`: what a Kubernetes `Prefix` path matches, as an oauth2-proxy route on the request URI. */
function apiRouteOf(prefix: string): string {
  // apiPathsSchema lets only [A-Za-z0-9._~/-] through; "." is the one regex metacharacter.
  const escaped = prefix.replace(/[.*+?^$()|[\]{}\\]/g, '\\$&');
  return `^${escaped}([/?]|$)`;
}

/**
 * What every portal takes, whichever NGINX controller serves it: the parts' own props
 * where the portal passes them on unchanged (the gateway's IdP settings, Backstage's
 * image, database, sign-in, org source and RBAC, the ingress's certificate), and the
 * portal-wide settings.
 */
export interface BackstagePortalCommonProps
  extends
    Pick<OidcGatewayProps, 'host' | 'issuer' | 'clientId' | 'clientSecret' | 'cookieSecret'>,
    Pick<BackstageProps, 'image' | 'database' | 'signIn' | 'org' | 'rbac' | 'mcpActions'>,
    Pick<IngressCommonProps, 'tls'> {
  /** Who may sign in; `groups` may name {@link Team}s, which RBAC roles can be bound to as well. */
  readonly access: PortalAccessPolicy;
  /**
   * Namespace for everything of this portal.
   * @default "backstage"
   */
  readonly namespace?: string;
  /**
   * Create the namespace (labelled to enforce the "restricted" Pod Security Standard).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Machines calling Backstage with tokens: the gateway lets the JWT ones through by their
   * issuer and audience, and Backstage accepts them all (`backend.auth.externalAccess`).
   * @default - none
   */
  readonly machineClients?: readonly MachineClient[];
  /**
   * Host of the machine entry (see `OidcGatewayProps.machineHost`): machines call Backstage
   * there, admitted by their own policy (issuer, audience, subject), never the people's.
   * On every flavour: auth-only behind ingress-nginx, in the request path on the Gateway API
   * and F5. The TLS certificate must cover it too: an issuer's certificate does (the
   * Ingresses or the Gateway's listeners name both hosts); a `TlsSource.fromSecret` one needs
   * both names.
   * @default - none: JWT machine clients pass the people's entry and its access policy
   */
  readonly machineHost?: string;
  /**
   * CA certificates oauth2-proxy and Backstage trust besides their images' public roots (see
   * `OidcGatewayProps.trustedCa`, `BackstageProps.trustedCa`): the cluster's CA when the API
   * server is a machine client's issuer (`{ configMapName: 'kube-root-ca.crt', key: 'ca.crt' }`,
   * in every namespace), a company CA of the IdP or an LDAPS directory. Both read it at start:
   * a changed bundle takes effect with the next rollout.
   * @default - the images' roots only
   */
  readonly trustedCa?: TrustedCaBundle;
  /**
   * Which NGINX controller serves the portal. `ingress-nginx`: the community controller,
   * auth through `auth-url`. `f5-nginx`: the F5 NGINX Ingress Controller (5.4.0 or later);
   * its external auth cannot pass the identity headers on, so oauth2-proxy runs in the request
   * path, in front of Backstage, and Backstage admits it as a peer. Use Redis sessions there
   * when users are in many groups (see {@link F5NginxPortalProps}).
   * @default "ingress-nginx"
   */
  readonly ingressFlavour?: 'ingress-nginx' | 'f5-nginx' | 'gateway-api';
  /**
   * The ingress controller pods (the only peers of Backstage and oauth2-proxy). With
   * `gateway-api`: the Gateway's data plane pods, the only peers of oauth2-proxy (Backstage
   * admits oauth2-proxy alone).
   * @default - ingress-nginx in namespace `ingress-nginx`, the F5 controller in `nginx-ingress`,
   * or a rendered Gateway's data plane as GEP-1762 labels it
   */
  readonly ingressController?: PeerSelector;
  /**
   * Backstage's own settings (replicas, autoscaling, resources, app-config, env, ...).
   * @default - see {@link PortalBackstageOptions}
   */
  readonly backstage?: PortalBackstageOptions;
  /**
   * oauth2-proxy's own settings (cookie, session store, image, replicas).
   * @default - see {@link PortalGatewayOptions}
   */
  readonly gateway?: PortalGatewayOptions;
}

/** A portal on the community ingress-nginx controller: auth through `auth-url`. */
export interface IngressNginxPortalProps extends BackstagePortalCommonProps {
  /** Which NGINX controller serves the portal. @default "ingress-nginx" */
  readonly ingressFlavour?: 'ingress-nginx';
  /**
   * The ingress-nginx Ingresses' own settings (API paths, rate limits, CORS, buffers, ...).
   * @default - see {@link PortalIngressOptions}
   */
  readonly ingress?: PortalIngressOptions;
}

/**
 * A portal on the F5 NGINX Ingress Controller, 5.4.0 or later (Policies on Ingress
 * resources and `nginx.org/ssl-redirect` arrived in 5.4.0). Its external auth cannot pass
 * the identity headers on, so oauth2-proxy runs in the request path, in front of
 * Backstage, and does the whole authentication (sign-in redirect, 401 on the API paths,
 * machine tokens, identity headers); Backstage admits it as a peer. No `externalAuth`
 * Policy is used.
 *
 * With cookie sessions, users in many groups get 400 "Request Header Or Cookie Too Large":
 * the controller keeps nginx's default client header buffers (4 × 8k, no setting for them)
 * and their session cookie is larger (an Entra ID user in 200 groups: ~25 KB). Use
 * `gateway.sessionStore: SessionStore.redis(...)` on this controller when users are in
 * many groups; synth warns with cookie sessions.
 */
export interface F5NginxPortalProps extends BackstagePortalCommonProps {
  readonly ingressFlavour: 'f5-nginx';
  /**
   * The F5 Ingresses' own settings (API paths, rate limit, HSTS, buffers, ...).
   * @default - see {@link F5PortalIngressOptions}
   */
  readonly ingress?: F5PortalIngressOptions;
}

/**
 * A portal on the Gateway API (gateway.networking.k8s.io/v1, standard channel), for any
 * conformant implementation: HTTPRoutes on a Gateway send every path of the host to
 * oauth2-proxy, which sits in the request path (as on F5) and does the whole
 * authentication (sign-in redirect, 401 on the API paths, machine tokens, identity headers,
 * HSTS); Backstage admits oauth2-proxy alone, oauth2-proxy admits the Gateway's data plane.
 * The HTTP listener only redirects to HTTPS (and answers cert-manager's HTTP-01
 * challenges). Needs the Gateway API CRDs in the cluster at plan time, and cert-manager
 * with `CertManager({ gatewayApi: true })` for certificates from the `tls` prop.
 */
export interface GatewayApiPortalProps extends Omit<BackstagePortalCommonProps, 'tls' | 'ingressFlavour'> {
  readonly ingressFlavour: 'gateway-api';
  /**
   * Where the certificate of the rendered Gateway's HTTPS listener comes from. Required with
   * `GatewayRef.create` (and during `migrateFromIngressNginx`); an existing Gateway's listener
   * carries its owner's certificate, so leave it out there.
   * @default - none
   */
  readonly tls?: TlsSource;
  /** The Gateway and what oauth2-proxy does on it. */
  readonly ingress: GatewayApiPortalIngressOptions;
  /**
   * Keep serving through ingress-nginx during the switch (see {@link IngressNginxMigration}).
   * @default - no ingress-nginx objects
   */
  readonly migrateFromIngressNginx?: IngressNginxMigration;
}

/**
 * The props of a portal. `ingressFlavour` picks the controller, and with it the ingress
 * settings that apply: each flavour's `ingress` type lists only what that flavour reads.
 */
export type BackstagePortalProps = IngressNginxPortalProps | F5NginxPortalProps | GatewayApiPortalProps;

const gatewayApiIngressSchema = z.strictObject({
  gateway: gatewayRefSchema,
  apiPaths: z.array(z.string()).optional(),
  hsts: z.record(z.string(), z.unknown()).optional(),
  dataPlaneSourceRanges: z
    .array(cidr)
    .min(
      1,
      problem('must list at least one network', 'Leave it out when the data plane runs in the cluster.'),
    )
    .optional(),
  machineChallenge: z.boolean().optional(),
  envoyGateway: envoyGatewayOptionsSchema.optional(),
}) satisfies z.ZodType<GatewayApiPortalIngressOptions>;

const portalSchema = z
  .strictObject({
    host: hostName,
    image: pinnedImage,
    database: backstageDatabaseSchema,
    issuer: oidcIssuerSchema,
    clientId: clientIdSchema,
    clientSecret: secretRefSchema(),
    cookieSecret: secretRefSchema(),
    access: z.record(z.string(), z.unknown()),
    // Required but in the gateway-api flavour (checked below, with the same message).
    tls: tlsSourceSchema.optional(),
    namespace: workloadNamespace.optional(),
    createNamespace: z.boolean().optional(),
    signIn: z.record(z.string(), z.unknown()).optional(),
    machineClients: machineClientsSchema().optional(),
    machineHost: z.string().optional(),
    trustedCa: trustedCaBundleSchema.optional(),
    ingressFlavour: z
      .enum(['ingress-nginx', 'f5-nginx', 'gateway-api'], {
        error: problem(
          'must be "ingress-nginx", "f5-nginx" or "gateway-api"',
          'Pick the NGINX controller of the cluster, or the Gateway API.',
        ),
      })
      .optional(),
    ingressController: peerSelectorSchema.optional(),
    backstage: z.record(z.string(), z.unknown()).optional(),
    gateway: z.record(z.string(), z.unknown()).optional(),
    ingress: z.record(z.string(), z.unknown()).optional(),
    org: z.unknown().optional(),
    rbac: z.unknown().optional(),
    mcpActions: z.unknown().optional(),
    migrateFromIngressNginx: z
      .strictObject({
        ingress: z.record(z.string(), z.unknown()).optional(),
        ingressController: peerSelectorSchema.optional(),
      })
      .optional(),
  })
  .superRefine((props, ctx) => {
    if (props.createNamespace !== false && props.namespace !== undefined) {
      nestedIssues(ctx, ['namespace'], createdNamespace, props.namespace);
    }
    const gatewayApi = props.ingressFlavour === 'gateway-api';
    if (!gatewayApi && props.tls === undefined) {
      nestedIssues(ctx, ['tls'], tlsSourceSchema, props.tls);
    }
    if (gatewayApi) {
      nestedIssues(ctx, ['ingress'], gatewayApiIngressSchema, props.ingress);
      const gateway = props.ingress?.gateway;
      if (GatewayRef.isGatewayRef(gateway)) {
        machineListenerIssues(ctx, gateway, props.machineHost !== undefined, ['ingress', 'gateway']);
        if (props.ingress?.envoyGateway) {
          envoyGatewayPlacementIssues(ctx, gateway, props.ingress.envoyGateway, ['ingress', 'envoyGateway']);
        }
      }
      machineOnlyIssues(
        ctx,
        'machineChallenge',
        props.ingress?.machineChallenge,
        props.machineHost !== undefined,
        ['ingress'],
      );
      if (
        GatewayRef.isGatewayRef(gateway) &&
        gateway.kind === 'existing' &&
        props.ingressController === undefined &&
        props.ingress?.dataPlaneSourceRanges === undefined
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['ingressController'],
          message: problem(
            'is required with an existing Gateway: oauth2-proxy admits only its data plane',
            "Name the pods of the Gateway's data plane (e.g. Envoy Gateway's in envoy-gateway-system), or give ingress.dataPlaneSourceRanges for a load balancer outside the cluster.",
          ),
        });
      }
      if (props.migrateFromIngressNginx !== undefined && props.tls === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['tls'],
          message: problem(
            'is required during migrateFromIngressNginx: the ingress-nginx Ingresses keep serving the certificate',
            'Keep the tls the portal had on ingress-nginx.',
          ),
        });
      }
    } else if (props.migrateFromIngressNginx !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['migrateFromIngressNginx'],
        message: problem(
          'only applies with ingressFlavour "gateway-api"',
          'Set ingressFlavour: "gateway-api" to switch, or leave migrateFromIngressNginx out.',
        ),
      });
    }
    // F5 and Gateway API: the API prefixes become the gateway's routes, so the portal checks them itself.
    const apiPaths = props.ingressFlavour === 'f5-nginx' || gatewayApi ? props.ingress?.apiPaths : undefined;
    if (apiPaths !== undefined) {
      nestedIssues(ctx, ['ingress', 'apiPaths'], apiPathsSchema, apiPaths);
      if (props.gateway?.apiPaths !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['gateway', 'apiPaths'],
          message: problem(
            `contradicts ingress.apiPaths: both set the API paths of the ${gatewayApi ? 'gateway-api' : 'F5'} flavour`,
            'Keep ingress.apiPaths (prefixes such as "/api") and remove gateway.apiPaths.',
          ),
        });
      }
    }
  });

/**
 * A TLS source bound in another scope than the construct asking: the Gateway API flavour
 * binds the portal's certificate objects (a created ClusterIssuer, a DNS token Secret)
 * under `<portal>/Ingress`, where the ingress-nginx flavour has them, so that switching an
 * existing portal updates its ClusterIssuer in place instead of deleting and creating one of
 * the same name (which the provider refuses: "resource already exists").
 */
class BoundInScope extends TlsSource {
  constructor(
    private readonly source: TlsSource,
    private readonly scope: Construct,
  ) {
    super();
  }

  public override get isSelfSigned(): boolean {
    return this.source.isSelfSigned;
  }

  public bind(context: TlsBindingContext): BoundTls {
    return this.source.bind({ ...context, scope: this.scope });
  }
}

/** The F5 ingress options less `apiPaths`, which went to the gateway. */
function withoutApiPaths(
  options: F5PortalIngressOptions | undefined,
): Omit<F5PortalIngressOptions, 'apiPaths'> {
  const { apiPaths: _apiPaths, ...rest } = options ?? {};
  return rest;
}

/**
 * The whole front door of one environment: namespace, Backstage, the oauth2-proxy
 * gateway, the nginx ingress (or the Gateway API's Gateway and HTTPRoutes) and its
 * certificate, and two outputs: the portal URL and the redirect URI to register at the
 * identity provider.
 */
export class BackstagePortal extends Construct {
  public readonly namespace?: KubernetesResource;
  public readonly backstage: Backstage;
  public readonly gateway: OidcGateway;
  public readonly ingress: NginxIngress | F5NginxIngress | GatewayApiIngress;
  /** During `migrateFromIngressNginx`: the ingress-nginx Ingresses that keep serving the portal. */
  public readonly legacyIngress?: NginxIngress;
  /** During `migrateFromIngressNginx`: the auth-only oauth2-proxy of those Ingresses. */
  public readonly legacyGateway?: OidcGateway;
  /** `https://<host>` */
  public readonly url: string;
  /** `https://<host>/oauth2/callback`, to register at the IdP. */
  public readonly redirectUri: string;
  /** The public host. */
  public readonly host: string;
  /** The namespace everything runs in. */
  public readonly namespaceName: string;
  public readonly urlOutput: TerraformOutput;
  public readonly redirectUriOutput: TerraformOutput;

  constructor(scope: Construct, id: string, props: BackstagePortalProps) {
    super(scope, id);
    validateProps(this, portalSchema, props);
    // Every part renders Kubernetes objects: without a KubernetesProvider in the stack the
    // synth fails naming the portal and the class to add, not cdktf's generic provider list.
    requireProviders(this, 'BackstagePortal');
    this.host = props.host;
    this.namespaceName = props.namespace ?? 'backstage';
    // Two portals of one stack on the same host or in the same namespace would render the
    // same objects (Ingress rules, Deployments, Secrets): the API server or the controller
    // refuses the second at apply time, or one silently takes over the other's traffic.
    for (const other of TerraformStack.of(this).node.findAll()) {
      if (other === this || !(other instanceof BackstagePortal)) {
        continue;
      }
      const shared = [
        ['host', other.host, this.host],
        ['namespace', other.namespaceName, this.namespaceName],
      ] as const;
      for (const [prop, theirs, mine] of shared) {
        if (theirs === mine) {
          fail(
            this,
            prop,
            `is already the ${prop} of the portal ${other.node.path}`,
            mine,
            `Give each portal its own ${prop}.`,
          );
        }
      }
    }

    const namespaceName = this.namespaceName;
    let namespace = namespaceName;
    if (props.createNamespace ?? true) {
      this.namespace = kubernetesResource(this, 'Namespace', 'kubernetes_namespace_v1', {
        metadata: {
          name: namespaceName,
          labels: {
            'app.kubernetes.io/managed-by': 'cdktf-backstage',
            // Every pod we render meets the "restricted" standard; enforcing it means a
            // weaker pod added later is refused by the API server.
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/enforce-version': 'latest',
          },
        },
      });
      // Referencing the resource (not the plain name) orders every object after it.
      namespace = this.namespace.metadataName;
    }

    const f5 = props.ingressFlavour === 'f5-nginx';
    const gatewayApi = props.ingressFlavour === 'gateway-api' ? props : undefined;
    const migration = gatewayApi?.migrateFromIngressNginx;
    const gatewayRef = gatewayApi?.ingress.gateway;
    // Gateway API: the data plane of a rendered Gateway, as GEP-1762 labels it.
    const gatewayDataPlane: PeerSelector | undefined =
      gatewayRef?.kind === 'create'
        ? {
            namespaceLabels: { 'kubernetes.io/metadata.name': namespaceName },
            podLabels: {
              'gateway.networking.k8s.io/gateway-name':
                (gatewayRef.options as CreatedGatewayOptions).name ?? 'backstage',
            },
          }
        : undefined;
    const ingressController =
      props.ingressController ??
      (f5 ? F5_NGINX_INGRESS_CONTROLLER : gatewayApi ? gatewayDataPlane : INGRESS_NGINX_CONTROLLER);
    // Backstage's Service, known before the construct exists (the gateway, created first,
    // proxies to it in the F5 and Gateway API flavours): the portal never renames it.
    const backstageService = { serviceName: DEFAULT_BACKSTAGE_NAME, port: BACKSTAGE_PORT };
    const oidc = {
      namespace,
      host: props.host,
      issuer: props.issuer,
      clientId: props.clientId,
      clientSecret: props.clientSecret,
      cookieSecret: props.cookieSecret,
      access: gatewayAccess(props.access),
      machineClients: props.machineClients,
      ...(props.trustedCa ? { trustedCa: props.trustedCa } : {}),
    };

    this.gateway = new OidcGateway(this, 'Gateway', {
      ...oidc,
      ingressController,
      ...(props.machineHost !== undefined ? { machineHost: props.machineHost } : {}),
      // On F5 and the Gateway API, oauth2-proxy answers 401 on the API paths itself (apiRouteOf).
      ...(f5 || gatewayApi
        ? { upstream: backstageService, apiPaths: (props.ingress?.apiPaths ?? ['/api']).map(apiRouteOf) }
        : {}),
      // No portable response-header filter on the Gateway API: oauth2-proxy sends HSTS.
      ...(gatewayApi
        ? {
            hsts: gatewayApi.ingress.hsts ?? {},
            ...(gatewayApi.ingress.dataPlaneSourceRanges
              ? { dataPlaneSourceRanges: gatewayApi.ingress.dataPlaneSourceRanges }
              : {}),
          }
        : {}),
      ...(props.gateway ?? {}),
    });
    const podsPeer = (podLabels: Readonly<Record<string, string>>): PeerSelector => ({
      namespaceLabels: { 'kubernetes.io/metadata.name': namespaceName },
      podLabels,
    });
    const gatewayPeer = podsPeer(this.gateway.podSelector);
    // In the request path the machine entry calls Backstage too.
    const machines = this.gateway.machineGateway;
    const machinePeers = machines?.inRequestPath ? [podsPeer(machines.podSelector)] : [];

    if (migration) {
      // The switch: the Ingresses keep their auth-url mode, with an auth-only proxy of their
      // own (created first by the plan), while "Gateway" moves into the request path.
      const { apiPaths: _inPathOnly, ...gatewayOptions } = props.gateway ?? {};
      // With a machine host, the Ingresses keep an auth-only machine entry of their own too,
      // so machines get in through either path while DNS moves.
      this.legacyGateway = new OidcGateway(this, 'IngressNginxGateway', {
        ...oidc,
        ...(props.machineHost !== undefined ? { machineHost: props.machineHost } : {}),
        ...gatewayOptions,
        name: 'oauth2-proxy-ingress-nginx',
        ingressController: migration.ingressController ?? INGRESS_NGINX_CONTROLLER,
      });
    }

    const userPeers = props.backstage?.allowedPeers ?? [];
    this.backstage = new Backstage(this, 'Backstage', {
      namespace,
      host: props.host,
      image: props.image,
      database: props.database,
      signIn: props.signIn,
      machineClients: props.machineClients,
      // Gateway API: oauth2-proxy is the only one calling Backstage (and, during the switch,
      // the ingress-nginx controller, which proxies signed-in requests itself).
      ingressController: gatewayApi
        ? migration
          ? (migration.ingressController ?? INGRESS_NGINX_CONTROLLER)
          : gatewayPeer
        : ingressController,
      ...(props.org ? { org: props.org } : {}),
      ...(props.rbac ? { rbac: props.rbac } : {}),
      ...(props.mcpActions ? { mcpActions: props.mcpActions } : {}),
      ...(props.trustedCa ? { trustedCa: props.trustedCa } : {}),
      ...(props.backstage ?? {}),
      // With oauth2-proxy in the request path, it is the one calling Backstage.
      ...(f5 || migration
        ? { allowedPeers: [gatewayPeer, ...machinePeers, ...userPeers] }
        : machinePeers.length > 0
          ? { allowedPeers: [...machinePeers, ...userPeers] }
          : {}),
    });

    const ingressCommon = {
      namespace,
      host: props.host,
      backend: { serviceName: this.backstage.serviceName, port: this.backstage.port },
    };
    // Gateway API and F5: the machine entry is in the request path, the ingress routes its host to it.
    const machineEntry = machines?.inRequestPath
      ? {
          machineEntry: {
            host: machines.host,
            serviceName: machines.serviceName,
            port: machines.port,
            inRequestPath: machines.inRequestPath,
          },
        }
      : {};
    if (props.ingressFlavour === 'gateway-api') {
      let tls = props.tls;
      if (migration && this.legacyGateway) {
        this.legacyIngress = new NginxIngress(this, 'Ingress', {
          ...ingressCommon,
          tls: props.tls!,
          gateway: this.legacyGateway,
          ...(migration.ingress ?? {}),
        });
        // The Ingresses' Certificate keeps writing the Secret; the Gateway serves it as it is
        // and asks cert-manager for it once the Ingresses are gone.
        tls =
          props.ingress.gateway.kind === 'create'
            ? TlsSource.fromSecret(this.legacyIngress.tlsSecretName)
            : undefined;
        // Apply order of the switch, so the ingress-nginx path keeps working throughout: the
        // Ingresses point at their own proxy once it runs, and the request-path gateway
        // changes only after that, and after Backstage admits it.
        const after = (resources: readonly KubernetesResource[], first: readonly KubernetesResource[]) => {
          for (const resource of resources) {
            resource.dependsOn = [...(resource.dependsOn ?? []), ...first.map(dependable)];
          }
        };
        const ingresses = [
          this.legacyIngress.ingress,
          this.legacyIngress.apiIngress,
          this.legacyIngress.signInIngress,
        ];
        after(ingresses, [
          this.legacyGateway.deployment,
          this.legacyGateway.service,
          this.legacyGateway.networkPolicy,
        ]);
        after(
          [this.gateway.deployment, this.gateway.configMap, this.gateway.networkPolicy],
          [...ingresses, this.backstage.networkPolicy],
        );
      } else if (tls && props.ingress.gateway.kind === 'create') {
        tls = new BoundInScope(tls, new Construct(this, 'Ingress'));
      }
      this.ingress = new GatewayApiIngress(this, 'GatewayApi', {
        ...ingressCommon,
        authProxy: {
          serviceName: this.gateway.serviceName,
          namespace: namespaceName,
          port: this.gateway.port,
          identityUpstream: this.gateway.identityUpstream,
        },
        gateway: props.ingress.gateway,
        ...(tls ? { tls } : {}),
        ...machineEntry,
        ...(props.ingress.machineChallenge !== undefined
          ? { machineChallenge: props.ingress.machineChallenge }
          : {}),
        ...(props.ingress.envoyGateway ? { envoyGateway: props.ingress.envoyGateway } : {}),
      });
    } else if (props.ingressFlavour === 'f5-nginx') {
      this.ingress = new F5NginxIngress(this, 'Ingress', {
        ...ingressCommon,
        tls: props.tls,
        gateway: {
          serviceName: this.gateway.serviceName,
          namespace: namespaceName,
          port: this.gateway.port,
          sessionStore: this.gateway.sessionStore,
          identityUpstream: this.gateway.identityUpstream,
        },
        ...withoutApiPaths(props.ingress),
        ...machineEntry,
      });
    } else {
      this.ingress = new NginxIngress(this, 'Ingress', {
        ...ingressCommon,
        tls: props.tls,
        gateway: this.gateway,
        ...(props.ingress ?? {}),
      });
    }

    this.url = this.ingress.url;
    this.redirectUri = this.gateway.redirectUrl;
    // Output names the README documents (`<id>_url`, `<id>_oidc_redirect_uri`), rather
    // than ones derived from the construct path.
    const prefix = snakeCase(id);
    const output = (outputId: string, name: string, value: string, description: string) => {
      const out = new TerraformOutput(this, outputId, { value, description });
      out.overrideLogicalId(`${prefix}_${name}`);
      return out;
    };
    this.urlOutput = output('Url', 'url', this.url, 'URL of the Backstage portal');
    this.redirectUriOutput = output(
      'RedirectUri',
      'oidc_redirect_uri',
      this.redirectUri,
      'Redirect URI to register at the identity provider',
    );
  }
}
