import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import * as z from 'zod';

import { ingressAuthResponseHeaders } from '../access/header-contract';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { goDuration, kubernetesName } from '../core/schemas';
import { problem, validateProps } from '../core/validation';
import {
  IngressNginxSettings,
  isManagedIngressNginxKey,
  renderIngressNginxAnnotations,
  setThroughForAnnotation,
} from './annotations';
import { type IngressCommonProps, resolveIngressCommon } from './ingress-props';
import {
  allowSourceRangesSchema,
  apiPathsSchema,
  extraAnnotationsSchema,
  frontDoorShape,
  proxyBodySizeSchema,
  proxyBufferSizeSchema,
  proxyTimeoutsSchema,
  rateLimitSchema,
  tlsSourceSchema,
} from './ingress-schemas';
import { MACHINE_CHALLENGE_HEADER, machineChallenge } from './machine-challenge';

/** What the ingress needs from the auth gateway (an {@link OidcGateway} provides it). */
export interface IngressAuthGateway {
  /** In-cluster auth endpoint (`auth-url`). */
  readonly authUrl: string;
  /** Sign-in URL for unauthenticated browsers (`auth-signin`). */
  readonly signInUrl: string;
  /** Service serving `/oauth2/*`. */
  readonly serviceName: string;
  /** Its port. */
  readonly port: number;
  /** Session store, which decides the proxy buffer size needed. */
  readonly sessionStore: { readonly proxyBufferSize: string };
  /**
   * The machine entry (`OidcGateway` `machineHost`): its host gets an Ingress of its own.
   * @default - none
   */
  readonly machineGateway?: { readonly host: string; readonly authUrl: string };
}

/** Request rate limits per client IP. */
export interface RateLimit {
  /** Requests per second per client IP. */
  readonly requestsPerSecond: number;
  /**
   * Burst allowed, as a multiple of the rate.
   * @default 5
   */
  readonly burstMultiplier?: number;
  /**
   * Concurrent connections per client IP.
   * @default - no connection limit
   */
  readonly connections?: number;
}

/** CORS for browser calls from other origins; the portal's own origin is always allowed. */
export interface CorsOptions {
  /**
   * Other origins allowed, e.g. `["https://docs.example.com"]`.
   * @default - only the portal's origin
   */
  readonly extraOrigins?: readonly string[];
}

export interface NginxIngressProps extends IngressCommonProps {
  /** The auth gateway. */
  readonly gateway: IngressAuthGateway;
  /**
   * Path prefixes of the API. A request there without a valid session gets 401 instead of
   * a redirect to the IdP: XHR calls cannot follow a sign-in redirect, and the frontend
   * reacts to 401. (oauth2-proxy's own `--api-route` does nothing in auth-url mode: its
   * auth endpoint always answers 401 and nginx's `auth-signin` turns that into the redirect,
   * so these paths get an Ingress without `auth-signin`.)
   * @default ["/api"]
   */
  readonly apiPaths?: readonly string[];
  /**
   * Cache successful auth answers per session cookie (and bearer token) for this long.
   * Fewer calls to oauth2-proxy; a signed-out session stays valid for up to this long.
   * @default - no caching
   */
  readonly authCacheDuration?: string;
  /**
   * Per-IP rate limits.
   * @default - none
   */
  readonly rateLimit?: RateLimit;
  /**
   * Enable CORS, limited to the portal's origin and `extraOrigins`.
   * @default - CORS off (same-origin only)
   */
  readonly cors?: CorsOptions;
  /**
   * With a machine entry: the machine host answers with a `WWW-Authenticate` challenge
   * (`Bearer`, the machine host as `realm`), from a ConfigMap of response headers and the
   * `custom-headers` annotation, so API and MCP clients learn the scheme from a 401. The
   * controller must list the header in `global-allowed-response-headers`, or it denies the
   * machine host's location (503): {@link IngressNginxController} does. Set false for a
   * controller that does not allow it.
   * @default true
   */
  readonly machineChallenge?: boolean;
}

const ingressSchema = z.strictObject({
  ...frontDoorShape,
  gateway: z.custom<IngressAuthGateway>(
    (v) => typeof v === 'object' && v !== null && 'authUrl' in v,
    problem('must be an auth gateway', 'Pass the OidcGateway of the portal.'),
  ),
  tls: tlsSourceSchema,
  machineChallenge: z.boolean().optional(),
  ingressClassName: kubernetesName.optional(),
  name: kubernetesName.optional(),
  apiPaths: apiPathsSchema.optional(),
  authCacheDuration: goDuration.optional(),
  proxyBufferSize: proxyBufferSizeSchema.optional(),
  allowSourceRanges: allowSourceRangesSchema.optional(),
  rateLimit: rateLimitSchema.optional(),
  cors: z
    .strictObject({
      extraOrigins: z
        .array(
          z
            .string()
            .regex(
              /^https:\/\/[a-z0-9.-]+(:[0-9]+)?$/,
              problem('must be an https origin without a path', 'Write it like "https://docs.example.com".'),
            ),
        )
        .optional(),
    })
    .optional(),
  proxyBodySize: proxyBodySizeSchema.optional(),
  timeouts: proxyTimeoutsSchema.optional(),
  extraAnnotations: extraAnnotationsSchema('NginxIngress', (key) => {
    if (isManagedIngressNginxKey(key)) {
      return problem('is managed by NginxIngress', `Set it through ${setThroughForAnnotation(key)}.`);
    }
    if (key.startsWith('cert-manager.io/')) {
      return problem(
        'is managed by the tls prop',
        'Choose the issuer with TlsSource.acme(), .fromIssuer() or .privateCa(); only the main Ingress may ask cert-manager for the certificate.',
      );
    }
    return undefined;
  }).optional(),
}) satisfies z.ZodType<NginxIngressProps>;

/**
 * The portal's front door on the ingress-nginx controller: an Ingress for `/` that sends
 * every request through the gateway's auth endpoint first and forwards the identity
 * headers of the contract, and an Ingress for `/oauth2` (sign-in, callback, sign-out)
 * without auth. Both force HTTPS and share one certificate.
 */
export class NginxIngress extends Construct {
  /** The authenticated Ingress (`/`). */
  public readonly ingress: KubernetesResource;
  /** The unauthenticated sign-in Ingress (`/oauth2`). */
  public readonly signInIngress: KubernetesResource;
  /** The API Ingress: authenticated, but 401 instead of a sign-in redirect. */
  public readonly apiIngress: KubernetesResource;
  /** The annotations of the API Ingress. */
  public readonly apiAnnotations: Readonly<Record<string, string>>;
  /** The annotations of the authenticated Ingress. */
  public readonly annotations: Readonly<Record<string, string>>;
  /** The annotations of the sign-in Ingress. */
  public readonly signInAnnotations: Readonly<Record<string, string>>;
  /** The portal URL. */
  public readonly url: string;
  /**
   * The machine host's Ingress (with a machine entry): every path through the machine
   * entry's auth endpoint, 401/403 and never a sign-in redirect. It names the portal's TLS
   * Secret, so that certificate must cover the machine host too (a SAN or a wildcard).
   */
  public readonly machineIngress?: KubernetesResource;
  /** The annotations of the machine host's Ingress. */
  public readonly machineAnnotations?: Readonly<Record<string, string>>;
  /** The machine host's response headers (its `WWW-Authenticate` challenge), with `machineChallenge`. */
  public readonly machineResponseHeaders?: KubernetesResource;
  /** The TLS Secret of the host (what the certificate is written to). */
  public readonly tlsSecretName: string;

  constructor(scope: Construct, id: string, props: NginxIngressProps) {
    super(scope, id);
    validateProps(this, ingressSchema, props);

    const {
      name,
      ingressClassName,
      url: origin,
      labels,
      tls,
      proxyBufferSize,
      proxyBodySize,
      timeouts,
    } = resolveIngressCommon(this, props, props.gateway.sessionStore);
    this.url = origin;
    this.tlsSecretName = tls.secretName;

    // Settings both Ingresses share: HTTPS only, buffers for the session cookie, the
    // client allow-list and rate limits (the sign-in path is attacked too).
    const common: IngressNginxSettings = {
      sslRedirect: true,
      forceSslRedirect: true,
      proxyBufferSize,
      proxyBuffersNumber: 8,
      whitelistSourceRange: props.allowSourceRanges,
      limitRps: props.rateLimit?.requestsPerSecond,
      limitBurstMultiplier: props.rateLimit ? (props.rateLimit.burstMultiplier ?? 5) : undefined,
      limitConnections: props.rateLimit?.connections,
    };

    const authenticated: IngressNginxSettings = {
      ...common,
      authUrl: props.gateway.authUrl,
      authSignin: props.gateway.signInUrl,
      authResponseHeaders: ingressAuthResponseHeaders(),
      ...(props.authCacheDuration
        ? {
            // The key must identify the credential completely: the whole Cookie header (a
            // large session is split into any number of cookies) and the bearer token. An
            // incomplete key would let one caller's cached "yes", identity headers
            // included, answer for another whose credential differs only in the rest.
            authCacheKey: '$http_cookie$http_authorization',
            authCacheDuration: `200 202 ${props.authCacheDuration}`,
          }
        : {}),
      ...(props.cors
        ? {
            enableCors: true,
            corsAllowOrigin: [origin, ...(props.cors.extraOrigins ?? [])],
            corsAllowCredentials: true,
            corsAllowMethods: ['GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
            corsAllowHeaders: ['Authorization', 'Content-Type', 'X-Requested-With'],
          }
        : {}),
      proxyBodySize,
      proxyConnectTimeout: timeouts.connectSeconds,
      proxyReadTimeout: timeouts.readSeconds,
      proxySendTimeout: timeouts.sendSeconds,
    };

    this.annotations = {
      ...renderIngressNginxAnnotations(authenticated),
      // cert-manager's ingress-shim issues the certificate from this Ingress only: two
      // Ingresses asking for the same secret would fight over one Certificate.
      ...tls.annotations,
      ...(props.extraAnnotations ?? {}),
    };
    this.signInAnnotations = {
      ...renderIngressNginxAnnotations(common),
      ...(props.extraAnnotations ?? {}),
    };
    // The API answers 401 itself: everything of the authenticated Ingress but auth-signin.
    this.apiAnnotations = {
      ...renderIngressNginxAnnotations({ ...authenticated, authSignin: undefined }),
      ...(props.extraAnnotations ?? {}),
    };

    // The three Ingresses differ only in name, annotations and paths: one host, one
    // certificate, one class.
    const ingress = (
      id: string,
      ingressName: string,
      annotations: Readonly<Record<string, string>>,
      paths: readonly string[],
      service: { serviceName: string; port: number },
      dependsOn: ITerraformDependable[] = [],
      host: string = props.host,
      tlsHosts: readonly string[] = [host],
    ) =>
      kubernetesResource(this, id, 'kubernetes_ingress_v1', {
        metadata: { name: ingressName, namespace: props.namespace, labels, annotations: { ...annotations } },
        spec: {
          ingressClassName,
          tls: [{ hosts: [...tlsHosts], secretName: tls.secretName }],
          rule: [
            {
              host,
              http: {
                path: paths.map((path) => ({
                  path,
                  pathType: 'Prefix',
                  backend: { service: { name: service.serviceName, port: { number: service.port } } },
                })),
              },
            },
          ],
        },
        dependsOn,
      });

    // The Ingress that asks cert-manager for the certificate names the machine host too, so
    // that one certificate (ingress-shim: the TLS hosts of the annotated Ingress) covers both.
    const machineHost = props.gateway.machineGateway?.host;
    this.ingress = ingress(
      'Ingress',
      name,
      this.annotations,
      ['/'],
      props.backend,
      [...tls.dependsOn],
      props.host,
      machineHost !== undefined ? [props.host, machineHost] : [props.host],
    );
    this.signInIngress = ingress(
      'SignInIngress',
      `${name}-oauth2`,
      this.signInAnnotations,
      ['/oauth2'],
      props.gateway,
    );
    this.apiIngress = ingress(
      'ApiIngress',
      `${name}-api`,
      this.apiAnnotations,
      props.apiPaths ?? ['/api'],
      props.backend,
    );

    const machines = props.gateway.machineGateway;
    if (machines !== undefined) {
      // No auth-signin: a caller without a valid token gets the entry's 401 (or 403 for an
      // invalid JWT), never a page. The identity headers of the contract are still set from
      // the auth answer (empty here), so a machine cannot send forged ones to Backstage.
      const headersName = `${name}-machines-headers`;
      if (props.machineChallenge ?? true) {
        this.machineResponseHeaders = kubernetesResource(
          this,
          'MachineResponseHeaders',
          'kubernetes_config_map_v1',
          {
            metadata: { name: headersName, namespace: props.namespace, labels },
            data: { [MACHINE_CHALLENGE_HEADER]: machineChallenge(machines.host) },
          },
        );
      }
      this.machineAnnotations = {
        ...renderIngressNginxAnnotations({
          ...authenticated,
          authUrl: machines.authUrl,
          authSignin: undefined,
          enableCors: undefined,
          corsAllowOrigin: undefined,
          corsAllowCredentials: undefined,
          corsAllowMethods: undefined,
          corsAllowHeaders: undefined,
        }),
        // The ConfigMap's namespace/name: the controller reads it when it renders the location.
        ...(this.machineResponseHeaders
          ? { 'nginx.ingress.kubernetes.io/custom-headers': `${props.namespace}/${headersName}` }
          : {}),
        ...(props.extraAnnotations ?? {}),
      };
      this.machineIngress = ingress(
        'MachineIngress',
        `${name}-machines`,
        this.machineAnnotations,
        ['/'],
        props.backend,
        // The controller denies a location whose header ConfigMap it cannot find yet.
        this.machineResponseHeaders ? [this.machineResponseHeaders] : [],
        machines.host,
      );
    }
  }
}
