import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import * as z from 'zod';
import { type AccessPolicy, OidcGateway, clientIdSchema, type OidcGatewayProps } from '../access/oidc-gateway';
import { MachineClient, machineClientsSchema } from '../access/machine-client';
import { oidcIssuerSchema } from '../access/oidc-issuer';
import { BACKSTAGE_PORT, Backstage, DEFAULT_BACKSTAGE_NAME, type BackstageProps } from '../backstage/backstage';
import { backstageDatabaseSchema } from '../backstage/database';
import { F5_NGINX_INGRESS_CONTROLLER, INGRESS_NGINX_CONTROLLER, PeerSelector, peerSelectorSchema } from '../core/network';
import { snakeCase } from '../core/names';
import { requireProviders } from '../core/providers';
import { createdNamespace, hostName, pinnedImage, workloadNamespace } from '../core/schemas';
import { fail, nestedIssues, problem, validateProps } from '../core/validation';
import { F5NginxIngress, type F5NginxIngressProps } from '../ingress/f5-nginx-ingress';
import type { IngressCommonProps } from '../ingress/ingress-props';
import { apiPathsSchema, tlsSourceSchema } from '../ingress/ingress-schemas';
import { NginxIngress, type NginxIngressProps } from '../ingress/nginx-ingress';
import { secretRefSchema } from '../secrets/secret-ref';
import { Team } from '../catalog/team';

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
  return Array.isArray(access.groups) ? { ...access, groups: access.groups.map((g) => (Team.isTeam(g) ? g.idpGroup : g)) } : (access as AccessPolicy);
}

/**
 * Backstage settings beyond the portal-wide ones: the props of {@link Backstage} that the
 * portal leaves to you (it sets the namespace, host, image, database, sign-in, machine
 * clients and ingress controller itself, and never renames Backstage's objects).
 */
export type PortalBackstageOptions = Pick<
  BackstageProps,
  'replicas' | 'autoscaling' | 'resources' | 'appConfig' | 'env' | 'secretEnv' | 'baseConfigFiles' | 'mountServiceAccountToken' | 'rollout' | 'allowedPeers'
>;

/**
 * Gateway settings beyond the portal-wide ones: the props of {@link OidcGateway} that the
 * portal leaves to you, and the F5 flavour's API routes.
 */
export interface PortalGatewayOptions extends Pick<OidcGatewayProps, 'cookie' | 'sessionStore' | 'image' | 'replicas'> {
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
export type PortalIngressOptions = Omit<NginxIngressProps, 'namespace' | 'host' | 'backend' | 'gateway' | 'tls' | 'name'>;

/**
 * Ingress settings of the `f5-nginx` flavour beyond the portal-wide ones: the props of
 * {@link F5NginxIngress}, less those the portal sets itself, and the API paths.
 */
export interface F5PortalIngressOptions extends Omit<F5NginxIngressProps, 'namespace' | 'host' | 'backend' | 'gateway' | 'tls' | 'name' | 'apiPaths'> {
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
  extends Pick<OidcGatewayProps, 'host' | 'issuer' | 'clientId' | 'clientSecret' | 'cookieSecret'>,
    Pick<BackstageProps, 'image' | 'database' | 'signIn' | 'org' | 'rbac'>,
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
   * ingress-nginx only for now. The TLS certificate must cover it too.
   * @default - none: JWT machine clients pass the people's entry and its access policy
   */
  readonly machineHost?: string;
  /**
   * Which NGINX controller serves the portal. `ingress-nginx`: the community controller,
   * auth through `auth-url`. `f5-nginx`: the F5 NGINX Ingress Controller (5.4.0 or later);
   * its external auth cannot pass the identity headers on, so oauth2-proxy runs in the request
   * path, in front of Backstage, and Backstage admits it as a peer. Use Redis sessions there
   * when users are in many groups (see {@link F5NginxPortalProps}).
   * @default "ingress-nginx"
   */
  readonly ingressFlavour?: 'ingress-nginx' | 'f5-nginx';
  /**
   * The ingress controller pods (the only peers of Backstage and oauth2-proxy).
   * @default - ingress-nginx in namespace `ingress-nginx`, or the F5 controller in `nginx-ingress`
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
 * The props of a portal. `ingressFlavour` picks the controller, and with it the ingress
 * settings that apply: each flavour's `ingress` type lists only what that flavour reads.
 */
export type BackstagePortalProps = IngressNginxPortalProps | F5NginxPortalProps;

const portalSchema = z.strictObject({
  host: hostName,
  image: pinnedImage,
  database: backstageDatabaseSchema,
  issuer: oidcIssuerSchema,
  clientId: clientIdSchema,
  clientSecret: secretRefSchema(),
  cookieSecret: secretRefSchema(),
  access: z.record(z.string(), z.unknown()),
  tls: tlsSourceSchema,
  namespace: workloadNamespace.optional(),
  createNamespace: z.boolean().optional(),
  signIn: z.record(z.string(), z.unknown()).optional(),
  machineClients: machineClientsSchema().optional(),
  machineHost: z.string().optional(),
  ingressFlavour: z.enum(['ingress-nginx', 'f5-nginx'], { error: problem('must be "ingress-nginx" or "f5-nginx"', 'Pick the NGINX controller of the cluster.') }).optional(),
  ingressController: peerSelectorSchema.optional(),
  backstage: z.record(z.string(), z.unknown()).optional(),
  gateway: z.record(z.string(), z.unknown()).optional(),
  ingress: z.record(z.string(), z.unknown()).optional(),
  org: z.unknown().optional(),
  rbac: z.unknown().optional(),
}).superRefine((props, ctx) => {
  if (props.machineHost !== undefined && props.ingressFlavour === 'f5-nginx') {
    ctx.addIssue({
      code: 'custom',
      path: ['machineHost'],
      message: problem('is not supported with the f5-nginx flavour yet', 'Use ingressFlavour "ingress-nginx" for a machine entry, or leave machineHost out.'),
    });
  }
  if (props.createNamespace !== false && props.namespace !== undefined) {
    nestedIssues(ctx, ['namespace'], createdNamespace, props.namespace);
  }
  // F5: the API prefixes become the gateway's routes, so the portal checks them itself.
  const apiPaths = props.ingressFlavour === 'f5-nginx' ? props.ingress?.apiPaths : undefined;
  if (apiPaths !== undefined) {
    nestedIssues(ctx, ['ingress', 'apiPaths'], apiPathsSchema, apiPaths);
    if (props.gateway?.apiPaths !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['gateway', 'apiPaths'],
        message: problem('contradicts ingress.apiPaths: both set the API paths of the F5 flavour', 'Keep ingress.apiPaths (prefixes such as "/api") and remove gateway.apiPaths.'),
      });
    }
  }
});

/** The F5 ingress options less `apiPaths`, which went to the gateway. */
function withoutApiPaths(options: F5PortalIngressOptions | undefined): Omit<F5PortalIngressOptions, 'apiPaths'> {
  const { apiPaths: _apiPaths, ...rest } = options ?? {};
  return rest;
}

/**
 * The whole front door of one environment: namespace, Backstage, the oauth2-proxy
 * gateway, the nginx ingress and its certificate, and two outputs: the portal URL and
 * the redirect URI to register at the identity provider.
 */
export class BackstagePortal extends Construct {
  public readonly namespace?: KubernetesResource;
  public readonly backstage: Backstage;
  public readonly gateway: OidcGateway;
  public readonly ingress: NginxIngress | F5NginxIngress;
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
      if (other.host === this.host) {
        fail(this, 'host', `is already the host of the portal ${other.node.path}`, props.host, 'Give each portal its own host.');
      }
      if (other.namespaceName === this.namespaceName) {
        fail(this, 'namespace', `is already the namespace of the portal ${other.node.path}`, this.namespaceName, 'Give each portal its own namespace.');
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
    const ingressController = props.ingressController ?? (f5 ? F5_NGINX_INGRESS_CONTROLLER : INGRESS_NGINX_CONTROLLER);
    // Backstage's Service, known before the construct exists (the gateway, created first,
    // proxies to it in the F5 flavour): the portal never renames it.
    const backstageService = { serviceName: DEFAULT_BACKSTAGE_NAME, port: BACKSTAGE_PORT };

    this.gateway = new OidcGateway(this, 'Gateway', {
      namespace,
      host: props.host,
      issuer: props.issuer,
      clientId: props.clientId,
      clientSecret: props.clientSecret,
      cookieSecret: props.cookieSecret,
      access: gatewayAccess(props.access),
      machineClients: props.machineClients,
      ...(props.machineHost !== undefined ? { machineHost: props.machineHost } : {}),
      ingressController,
      // On F5, oauth2-proxy answers 401 on the API paths itself (apiRouteOf).
      ...(f5 ? { upstream: backstageService, apiPaths: (props.ingress?.apiPaths ?? ['/api']).map(apiRouteOf) } : {}),
      ...(props.gateway ?? {}),
    });

    this.backstage = new Backstage(this, 'Backstage', {
      namespace,
      host: props.host,
      image: props.image,
      database: props.database,
      signIn: props.signIn,
      machineClients: props.machineClients,
      ingressController,
      ...(props.org ? { org: props.org } : {}),
      ...(props.rbac ? { rbac: props.rbac } : {}),
      ...(props.backstage ?? {}),
      // With oauth2-proxy in the request path, it is the one calling Backstage.
      ...(f5
        ? { allowedPeers: [{ namespaceLabels: { 'kubernetes.io/metadata.name': namespaceName }, podLabels: this.gateway.podSelector }, ...(props.backstage?.allowedPeers ?? [])] }
        : {}),
    });

    const ingressCommon = {
      namespace,
      host: props.host,
      backend: { serviceName: this.backstage.serviceName, port: this.backstage.port },
      tls: props.tls,
    };
    this.ingress = props.ingressFlavour === 'f5-nginx'
      ? new F5NginxIngress(this, 'Ingress', {
          ...ingressCommon,
          gateway: {
            serviceName: this.gateway.serviceName,
            namespace: namespaceName,
            port: this.gateway.port,
            sessionStore: this.gateway.sessionStore,
            identityUpstream: this.gateway.identityUpstream,
          },
          ...withoutApiPaths(props.ingress),
        })
      : new NginxIngress(this, 'Ingress', { ...ingressCommon, gateway: this.gateway, ...(props.ingress ?? {}) });

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
    this.redirectUriOutput = output('RedirectUri', 'oidc_redirect_uri', this.redirectUri, 'Redirect URI to register at the identity provider');
  }
}
