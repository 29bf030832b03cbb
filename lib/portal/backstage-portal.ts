import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import * as z from 'zod';
import { AccessPolicy, CookieOptions, OidcGateway } from '../access/oidc-gateway';
import { MachineClient, machineClientsSchema } from '../access/machine-client';
import { OidcIssuer } from '../access/oidc-issuer';
import { SessionStore } from '../access/session-store';
import { SignInOptions } from '../backstage/app-config';
import { BACKSTAGE_PORT, Backstage, BackstageAutoscaling, DEFAULT_BACKSTAGE_NAME } from '../backstage/backstage';
import { BackstageDatabase } from '../backstage/database';
import { F5_NGINX_INGRESS_CONTROLLER, INGRESS_NGINX_CONTROLLER, PeerSelector, peerSelectorSchema } from '../core/network';
import { snakeCase } from '../core/names';
import { ContainerResources } from '../core/resources';
import { createdNamespace, hostName, pinnedImage, workloadNamespace } from '../core/schemas';
import { fail, nestedIssues, problem, validateProps } from '../core/validation';
import { F5NginxIngress, type F5NginxIngressProps } from '../ingress/f5-nginx-ingress';
import { apiPathsSchema } from '../ingress/ingress-schemas';
import { NginxIngress, type NginxIngressProps } from '../ingress/nginx-ingress';
import { SecretRef, secretRefSchema } from '../secrets/secret-ref';
import { TlsSource } from '../tls/tls-source';
import { OrgSource } from '../catalog/org-source';
import { Team } from '../catalog/team';
import { RbacOptions } from '../rbac/rbac-policy';

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

/** Backstage settings beyond the portal-wide ones. */
export interface PortalBackstageOptions {
  /** @default 2 */
  readonly replicas?: number;
  /** @default - fixed replica count */
  readonly autoscaling?: BackstageAutoscaling;
  /** @default - requests 250m/512Mi, limits 2 CPU/2Gi */
  readonly resources?: ContainerResources;
  /** Your app-config, merged over the generated one. @default - none */
  readonly appConfig?: Readonly<Record<string, unknown>>;
  /** Plain environment variables. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** Environment variables from secrets. @default - none */
  readonly secretEnv?: Readonly<Record<string, SecretRef>>;
  /** @default ["app-config.yaml", "app-config.production.yaml"] */
  readonly baseConfigFiles?: readonly string[];
  /** @default false */
  readonly mountServiceAccountToken?: boolean;
  /** @default "rolling" */
  readonly rollout?: 'rolling' | 'recreate';
  /** @default - none */
  readonly allowedPeers?: readonly PeerSelector[];
}

/** Gateway settings beyond the portal-wide ones. */
export interface PortalGatewayOptions {
  /** @default - `_oauth2_proxy`, host-only, SameSite=Lax, refresh 30m, expire 12h */
  readonly cookie?: CookieOptions;
  /** @default SessionStore.cookie() */
  readonly sessionStore?: SessionStore;
  /**
   * With `ingressFlavour: 'f5-nginx'`: path regexes oauth2-proxy answers with 401 instead of
   * a sign-in redirect (`--api-route`, matched against path and query). Prefer
   * `ingress.apiPaths` (prefixes, as in the ingress-nginx flavour); give one or the other.
   * @default - the regexes of `ingress.apiPaths` (`["^/api([/?]|$)"]`)
   */
  readonly apiPaths?: readonly string[];
  /** @default the pinned oauth2-proxy image */
  readonly image?: string;
  /** @default 2 */
  readonly replicas?: number;
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

/** What every portal takes, whichever NGINX controller serves it. */
export interface BackstagePortalCommonProps {
  /** Public host of the portal, e.g. `backstage.example.com`. */
  readonly host: string;
  /** Your Backstage image, pinned by tag or digest. */
  readonly image: string;
  /** Where Backstage keeps its data. */
  readonly database: BackstageDatabase;
  /** The identity provider people sign in with. */
  readonly issuer: OidcIssuer;
  /** OAuth client id registered at the IdP. */
  readonly clientId: string;
  /** OAuth client secret. */
  readonly clientSecret: SecretRef;
  /** oauth2-proxy cookie encryption key (16, 24 or 32 bytes). */
  readonly cookieSecret: SecretRef;
  /** Who may sign in. */
  readonly access: PortalAccessPolicy;
  /** Where the certificate comes from. */
  readonly tls: TlsSource;
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
   * How signed-in people map to catalog users.
   * @default - e-mail matched against User entities' spec.profile.email
   */
  readonly signIn?: SignInOptions;
  /**
   * Machines calling Backstage with tokens.
   * @default - none
   */
  readonly machineClients?: readonly MachineClient[];
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
  /** @default - see {@link PortalBackstageOptions} */
  readonly backstage?: PortalBackstageOptions;
  /** @default - see {@link PortalGatewayOptions} */
  readonly gateway?: PortalGatewayOptions;
  /**
   * Where the catalog's Users and Groups come from (see the `org` prop of `Backstage`).
   * @default - none: the image's own catalog config provides the users
   */
  readonly org?: OrgSource;
  /**
   * RBAC roles, admins and superusers (see the `rbac` prop of `Backstage`).
   * @default - no permission config from the library
   */
  readonly rbac?: RbacOptions;
}

/** A portal on the community ingress-nginx controller: auth through `auth-url`. */
export interface IngressNginxPortalProps extends BackstagePortalCommonProps {
  /** Which NGINX controller serves the portal. @default "ingress-nginx" */
  readonly ingressFlavour?: 'ingress-nginx';
  /** @default - see {@link PortalIngressOptions} */
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
  /** @default - see {@link F5PortalIngressOptions} */
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
  database: z.custom<BackstageDatabase>((v) => BackstageDatabase.isBackstageDatabase(v), problem('must be a BackstageDatabase', 'Use BackstageDatabase.external({...}), .inCluster({...}) or .sqliteInMemory().')),
  issuer: z.custom<OidcIssuer>((v) => OidcIssuer.isOidcIssuer(v), problem('must be an OidcIssuer', 'Use OidcIssuer.okta(), .google(), .entraId(), .keycloak() or .generic().')),
  clientId: z
    .string()
    .min(1, problem('must not be empty', 'Copy the client id from the IdP app registration.'))
    .regex(/^[\x21-\x7e]+$/, problem('must not contain spaces, line breaks or control characters', 'Copy the client id again from the IdP app registration, without surrounding whitespace.')),
  clientSecret: secretRefSchema(),
  cookieSecret: secretRefSchema(),
  access: z.record(z.string(), z.unknown()),
  tls: z.custom<TlsSource>((v) => TlsSource.isTlsSource(v), problem('must be a TlsSource', 'Use TlsSource.acme({...}), .fromIssuer(name), .fromSecret(name), .privateCa(secret) or .selfSigned().')),
  namespace: workloadNamespace.optional(),
  createNamespace: z.boolean().optional(),
  signIn: z.record(z.string(), z.unknown()).optional(),
  machineClients: machineClientsSchema().optional(),
  ingressFlavour: z.enum(['ingress-nginx', 'f5-nginx'], { error: problem('must be "ingress-nginx" or "f5-nginx"', 'Pick the NGINX controller of the cluster.') }).optional(),
  ingressController: peerSelectorSchema.optional(),
  backstage: z.record(z.string(), z.unknown()).optional(),
  gateway: z.record(z.string(), z.unknown()).optional(),
  ingress: z.record(z.string(), z.unknown()).optional(),
  org: z.unknown().optional(),
  rbac: z.unknown().optional(),
}).superRefine((props, ctx) => {
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
    const prefix = snakeCase(id);
    this.urlOutput = new TerraformOutput(this, 'Url', {
      value: this.url,
      description: 'URL of the Backstage portal',
    });
    this.urlOutput.overrideLogicalId(`${prefix}_url`);
    this.redirectUriOutput = new TerraformOutput(this, 'RedirectUri', {
      value: this.redirectUri,
      description: 'Redirect URI to register at the identity provider',
    });
    this.redirectUriOutput.overrideLogicalId(`${prefix}_oidc_redirect_uri`);
  }
}
