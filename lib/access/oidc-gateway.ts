import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import * as z from 'zod';
import { contentHash } from '../core/hash';
import { selectorLabels, standardLabels } from '../core/labels';
import { INGRESS_NGINX_CONTROLLER, PeerSelector, peerSelectorSchema } from '../core/network';
import { reloaderWiring, resourcesWithDefaults, spreadAcrossNodes, workloadDisruptionBudget, workloadMetadata, workloadNetworkPolicy, workloadService } from '../core/workload';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';
import { parseDuration } from '../core/duration';
import { ContainerResources } from '../core/resources';
import { cidr, goDuration, hostName, kubernetesName, pinnedImage, positiveInt, resources, workloadNamespace } from '../core/schemas';
import { nestedIssues, problem, validateProps } from '../core/validation';
import { escapeTerraformTemplate, toYaml } from '../core/yaml';
import { BoundSecret, SecretRef, secretRefSchema, secretRevisions } from '../secrets/secret-ref';
import { DEFAULT_IMAGES, OAUTH2_PROXY_VERSION } from '../core/defaults';
import { identityHeaderNames, oauth2ProxyInjectRequestHeaders, oauth2ProxyInjectResponseHeaders } from './header-contract';
import { JwtMachineClientOptions, MachineClient, machineClientsSchema } from './machine-client';
import { OidcIssuer } from './oidc-issuer';
import { SessionStore, redisSessionStoreSchema } from './session-store';

export { OAUTH2_PROXY_VERSION };

/** Who may sign in. At least one rule, or an explicit `allowAnyAuthenticatedUser`. */
export interface AccessPolicy {
  /**
   * E-mail domains allowed to sign in, e.g. `["example.com"]`.
   * @default - no domain rule (then `groups` or `allowAnyAuthenticatedUser` is required)
   */
  readonly emailDomains?: readonly string[];
  /**
   * IdP groups allowed to sign in (any of them). With `emailDomains` too, both must match.
   * @default - no group rule
   */
  readonly groups?: readonly string[];
  /**
   * Let anyone with an account at the issuer in. With a public issuer such as Google that
   * is anyone on the internet; it must be asked for explicitly.
   * @default false
   */
  readonly allowAnyAuthenticatedUser?: boolean;
}

/** Session cookie settings. */
export interface CookieOptions {
  /**
   * Cookie name.
   * @default "_oauth2_proxy"
   */
  readonly name?: string;
  /**
   * Cookie domain; must cover the portal host.
   * @default - the portal host only (host-only cookie)
   */
  readonly domain?: string;
  /**
   * SameSite attribute of the session cookie.
   * @default "lax"
   */
  readonly sameSite?: 'lax' | 'strict' | 'none';
  /**
   * Refresh the session (and tokens) after this long; keep it shorter than the IdP's
   * access-token lifetime.
   * @default "30m"
   */
  readonly refresh?: string;
  /**
   * Session lifetime; at most the IdP's refresh-token lifetime.
   * @default "12h"
   */
  readonly expire?: string;
}

/**
 * HTTP Strict Transport Security sent by oauth2-proxy itself, for front doors whose data
 * plane has no portable way to send it (Gateway API: a `ResponseHeaderModifier` is
 * Extended support, and some implementations lack it).
 */
export interface GatewayHstsOptions {
  /**
   * `max-age` in seconds.
   * @default 31536000 (one year)
   */
  readonly maxAgeSeconds?: number;
  /**
   * Add `includeSubDomains`.
   * @default true
   */
  readonly includeSubdomains?: boolean;
  /**
   * Add `preload` (agreeing to be put on browsers' preload lists; the listing itself takes a submission).
   * @default false
   */
  readonly preload?: boolean;
}

export interface OidcGatewayProps {
  /** Namespace to run oauth2-proxy in. */
  readonly namespace: string;
  /** Public host of the portal, e.g. `backstage.example.com`. */
  readonly host: string;
  /** The identity provider. */
  readonly issuer: OidcIssuer;
  /** OAuth client id registered at the IdP (not a secret). */
  readonly clientId: string;
  /** OAuth client secret. */
  readonly clientSecret: SecretRef;
  /** Cookie encryption key: 16, 24 or 32 bytes (raw or URL-safe base64). */
  readonly cookieSecret: SecretRef;
  /** Who may sign in. */
  readonly access: AccessPolicy;
  /**
   * Session cookie settings.
   * @default - `_oauth2_proxy`, host-only, SameSite=Lax, refresh 30m, expire 12h
   */
  readonly cookie?: CookieOptions;
  /**
   * Where sessions live.
   * @default SessionStore.cookie()
   */
  readonly sessionStore?: SessionStore;
  /**
   * Machine clients; the JWT ones are let through by their issuer and audience.
   * @default - none
   */
  readonly machineClients?: readonly MachineClient[];
  /**
   * Run in the request path: oauth2-proxy proxies signed-in requests to this Service and
   * sets the identity headers on them itself (needed by controllers whose external auth
   * cannot pass response headers on, such as the F5 NGINX Ingress Controller). API paths
   * (`apiPaths`) then get 401 instead of a sign-in redirect from oauth2-proxy itself.
   * @default - auth-only: the ingress asks `/oauth2/auth` and proxies to Backstage itself
   */
  readonly upstream?: { readonly serviceName: string; readonly port: number };
  /**
   * With `upstream`: path regexes answered with 401 instead of a sign-in redirect.
   * @default ["^/api/"]
   */
  readonly apiPaths?: readonly string[];
  /**
   * Name of the Deployment and Service.
   * @default "oauth2-proxy"
   */
  readonly name?: string;
  /**
   * oauth2-proxy image, pinned (a mirror's copy, for example).
   * @default `quay.io/oauth2-proxy/oauth2-proxy:${OAUTH2_PROXY_VERSION}` (DEFAULT_IMAGES.oauth2Proxy)
   */
  readonly image?: string;
  /**
   * Replicas (a PodDisruptionBudget keeps one up during drains).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Container resources.
   * @default - requests 50m/64Mi, limits 500m/128Mi
   */
  readonly resources?: ContainerResources;
  /**
   * Pods allowed to reach oauth2-proxy (the ingress controller).
   * @default - the ingress-nginx controller in namespace `ingress-nginx`, unless only `dataPlaneSourceRanges` are given
   */
  readonly ingressController?: PeerSelector;
  /**
   * Networks (CIDRs) allowed to reach oauth2-proxy: the proxies of a data plane outside the
   * cluster (a cloud load balancer), which no pod selector names. Given without
   * `ingressController`, only these networks are admitted.
   * @default - none
   */
  readonly dataPlaneSourceRanges?: readonly string[];
  /**
   * With `upstream`: send `Strict-Transport-Security` on the responses oauth2-proxy
   * proxies (the signed-in requests), for data planes that do not send it themselves.
   * @default - none (the ingress controller sends HSTS)
   */
  readonly hsts?: GatewayHstsOptions;
}

/** The `Strict-Transport-Security` value of the options. */
export function hstsHeaderValue(options: GatewayHstsOptions): string {
  return [`max-age=${options.maxAgeSeconds ?? 31536000}`, ...(options.includeSubdomains ?? true ? ['includeSubDomains'] : []), ...(options.preload ? ['preload'] : [])].join('; ');
}

const accessSchema = z
  .strictObject({
    emailDomains: z
      .array(
        z.string().regex(
          /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+)$/,
          problem('must be a domain name such as "example.com"', 'Write the part after "@" in lower case; use allowAnyAuthenticatedUser instead of "*".'),
        ),
      )
      .optional(),
    groups: z
      .array(
        z
          .string()
          .min(1, problem('must not be empty', 'Give the group name or id as the IdP puts it in the groups claim.'))
          // oauth2-proxy compares group names exactly: " admins" never matches "admins".
          .regex(/^(\S(.*\S)?)?$/, problem('must not start or end with whitespace', 'Give the group name or id exactly as the IdP puts it in the groups claim.')),
      )
      .optional(),
    allowAnyAuthenticatedUser: z.boolean().optional(),
  })
  .superRefine((access, ctx) => {
    const rules = (access.emailDomains?.length ?? 0) + (access.groups?.length ?? 0);
    if (rules === 0 && access.allowAnyAuthenticatedUser !== true) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: problem(
          'needs at least one access rule',
          'Set emailDomains or groups; to let anyone with an account at the issuer in, set allowAnyAuthenticatedUser: true explicitly.',
        ),
      });
    }
    if (access.emailDomains?.includes('*')) {
      ctx.addIssue({
        code: 'custom',
        path: ['emailDomains'],
        message: problem('must not contain "*"', 'Use allowAnyAuthenticatedUser: true to say explicitly that any account may sign in.'),
      });
    }
    if (rules > 0 && access.allowAnyAuthenticatedUser === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowAnyAuthenticatedUser'],
        message: problem('contradicts the emailDomains/groups rules', 'Remove allowAnyAuthenticatedUser or the rules.'),
      });
    }
  }) satisfies z.ZodType<AccessPolicy>;

const cookieSchema = z.strictObject({
  // nginx reads cookies as $cookie_<name>: a "-" would end the variable name.
  name: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, problem('must be a cookie name of letters, digits and "_"', 'nginx reads cookies as $cookie_<name>, so "-" and other characters cannot be used.')).optional(),
  domain: z.string().regex(/^\.?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, problem('must be a domain such as ".example.com"', 'Use the parent domain of the host, optionally with a leading dot.')).optional(),
  sameSite: z.enum(['lax', 'strict', 'none'], { error: problem('must be "lax", "strict" or "none"', 'Keep "lax" unless you know why not.') }).optional(),
  refresh: goDuration.optional(),
  expire: goDuration.optional(),
}) satisfies z.ZodType<CookieOptions>;

/** Access rules that no one signing in at this issuer can ever meet. */
function accessContradictions(issuer: OidcIssuer, access: AccessPolicy | undefined, ctx: z.core.$RefinementCtx): void {
  if (access === undefined || typeof access !== 'object') {
    return;
  }
  if (issuer.preset === 'google' && (access.groups?.length ?? 0) > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['access', 'groups'],
      message: problem(
        'can never match with Google: its ID tokens carry no groups claim',
        'Restrict by emailDomains (and the issuer\'s hostedDomain) instead, or sign people in through an IdP that puts groups in the ID token (Okta, Entra ID, Keycloak).',
      ),
    });
  }
  const hostedDomain = issuer.preset === 'google' ? (issuer.options as { hostedDomain?: string }).hostedDomain : undefined;
  const domains = access.emailDomains;
  if (hostedDomain !== undefined && domains?.length && !domains.includes(hostedDomain)) {
    ctx.addIssue({
      code: 'custom',
      path: ['access', 'emailDomains'],
      message: problem(
        `leaves out the issuer's hostedDomain "${hostedDomain}"`,
        `Google lets only "${hostedDomain}" accounts sign in, so the gateway would refuse all of them: add "${hostedDomain}" to emailDomains, or change hostedDomain.`,
      ),
    });
  }
}

/**
 * oauth2-proxy applies the people's rules (e-mail domains, groups) to bearer-token
 * sessions too, so a JWT machine client passes the gateway only if its tokens meet them.
 */
function machineClientsAgainstAccess(clients: readonly MachineClient[], access: AccessPolicy | undefined, ctx: z.core.$RefinementCtx): void {
  if (access === undefined || typeof access !== 'object' || access.allowAnyAuthenticatedUser === true) {
    return;
  }
  clients.forEach((client, index) => {
    if (!MachineClient.isMachineClient(client) || client.kind !== 'jwt') {
      return;
    }
    const options = client.options as JwtMachineClientOptions;
    if (access.emailDomains?.length && (options.emailDomain === undefined || !access.emailDomains.includes(options.emailDomain))) {
      ctx.addIssue({
        code: 'custom',
        path: ['machineClients', index, 'emailDomain'],
        message: problem(
          `must be one of access.emailDomains (${access.emailDomains.join(', ')}): the gateway checks machine tokens against them too`,
          'If the tokens carry an e-mail claim, set emailDomain to its domain and list that domain in access.emailDomains. Tokens without one (GitHub Actions, GitLab CI, Kubernetes service accounts) cannot pass a gateway that restricts e-mail domains.',
        ),
        params: { nestedValue: { value: options.emailDomain } },
      });
    }
    if (access.groups?.length && !(options.groups ?? []).some((g) => access.groups!.includes(g))) {
      ctx.addIssue({
        code: 'custom',
        path: ['machineClients', index, 'groups'],
        message: problem(
          `must include one of access.groups (${access.groups.join(', ')}): the gateway checks machine tokens against them too`,
          'List the groups the tokens carry in the groups claim; tokens without one of the allowed groups cannot pass the gateway.',
        ),
        params: { nestedValue: { value: options.groups } },
      });
    }
  });
}

const gatewaySchema = z
  .strictObject({
    namespace: workloadNamespace,
    host: hostName,
    issuer: z.custom<OidcIssuer>((v) => OidcIssuer.isOidcIssuer(v), problem('must be an OidcIssuer', 'Use OidcIssuer.okta(), .google(), .entraId(), .keycloak() or .generic().')),
    clientId: z.string().min(1, problem('must not be empty', 'Copy the client (application) id from the IdP app registration.')),
    clientSecret: secretRefSchema(),
    cookieSecret: secretRefSchema(),
    access: accessSchema,
    cookie: cookieSchema.optional(),
    sessionStore: z.custom<SessionStore>((v) => SessionStore.isSessionStore(v), problem('must be a SessionStore', 'Use SessionStore.cookie() or SessionStore.redis({...}).')).optional(),
    machineClients: machineClientsSchema().optional(),
    upstream: z.strictObject({ serviceName: kubernetesName, port: z.number().int().min(1).max(65535) }).optional(),
    apiPaths: z
      .array(
        z.string().refine(
          (p) => {
            try {
              new RegExp(p);
              return p.startsWith('^/');
            } catch {
              return false;
            }
          },
          problem('must be a regular expression anchored at the path start', 'Write it like "^/api/".'),
        ),
      )
      .optional(),
    name: kubernetesName.optional(),
    image: pinnedImage.optional(),
    replicas: positiveInt('replicas').optional(),
    resources: resources.optional(),
    ingressController: peerSelectorSchema.optional(),
    dataPlaneSourceRanges: z.array(cidr).min(1, problem('must list at least one network', 'Leave it out to admit the ingress controller pods only.')).optional(),
    hsts: z
      .strictObject({
        maxAgeSeconds: z
          .number()
          .int(problem('must be whole seconds', 'Remove the fraction.'))
          .min(86400, problem('must be at least one day (86400)', 'Browsers forget a short HSTS policy between visits; use 31536000 (one year).'))
          .optional(),
        includeSubdomains: z.boolean().optional(),
        preload: z.boolean().optional(),
      })
      .optional(),
  })
  .superRefine((props, ctx) => {
    const domain = props.cookie?.domain;
    if (domain !== undefined && typeof props.host === 'string' && !Token.isUnresolved(props.host)) {
      const bare = domain.replace(/^\./, '');
      if (props.host !== bare && !props.host.endsWith(`.${bare}`)) {
        ctx.addIssue({
          code: 'custom',
          path: ['cookie', 'domain'],
          message: problem(`does not cover the host "${props.host}"`, `Use the host itself or one of its parent domains (e.g. ".${props.host.split('.').slice(1).join('.')}").`),
        });
      }
    }
    const refresh = parseDuration(props.cookie?.refresh ?? '30m');
    const expire = parseDuration(props.cookie?.expire ?? '12h');
    if (refresh !== undefined && expire !== undefined && refresh > 0 && refresh >= expire) {
      ctx.addIssue({
        code: 'custom',
        path: ['cookie', 'refresh'],
        message: problem(`must be shorter than cookie.expire (${props.cookie?.expire ?? '12h'})`, 'A session must be refreshed before it expires: lower refresh or raise expire.'),
        // Report the refresh in effect, which may be the default.
        params: { nestedValue: { value: props.cookie?.refresh ?? '30m' } },
      });
    }
    if (props.hsts !== undefined && props.upstream === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['hsts'],
        message: problem(
          'only works when oauth2-proxy is in the request path (upstream)',
          'In auth-url mode the ingress controller answers the browser and sends HSTS (IngressNginxController hsts): leave it out here.',
        ),
      });
    }
    if (props.apiPaths !== undefined && props.upstream === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['apiPaths'],
        message: problem(
          'only works when oauth2-proxy is in the request path (upstream)',
          'In auth-url mode its auth endpoint always answers 401 and the ingress decides: use NginxIngress apiPaths instead.',
        ),
      });
    }
    if (props.sessionStore?.kind === 'redis') {
      nestedIssues(ctx, ['sessionStore'], redisSessionStoreSchema, props.sessionStore.redis);
    }
    props.machineClients?.forEach((client, index) => nestedIssues(ctx, ['machineClients', index], client.schema, client.options));
    if (props.issuer && OidcIssuer.isOidcIssuer(props.issuer)) {
      nestedIssues(ctx, ['issuer'], props.issuer.schema, props.issuer.options);
      accessContradictions(props.issuer, props.access, ctx);
    }
    machineClientsAgainstAccess(props.machineClients ?? [], props.access, ctx);
  }) satisfies z.ZodType<OidcGatewayProps>;

const PORT = 4180;
const METRICS_PORT = 44180;
const CONFIG_DIR = '/etc/oauth2-proxy';
const CLIENT_SECRET_DIR = '/etc/oauth2-proxy/client-secret';
const REDIS_CA_DIR = '/etc/oauth2-proxy/redis-ca';
const REDIS_CA_FILE = 'ca.crt';

/**
 * oauth2-proxy as the OIDC gateway of one portal: a Deployment in auth-only mode for
 * ingress-nginx's `auth-url`, a Service, a ConfigMap with the alpha config, a
 * PodDisruptionBudget and a NetworkPolicy that admits only the ingress controller.
 */
export class OidcGateway extends Construct {
  /** Name of the Service (and Deployment). */
  public readonly serviceName: string;
  /** Namespace it runs in. */
  public readonly namespace: string;
  /** Service port. */
  public readonly port = PORT;
  /** In-cluster URL of the auth endpoint for ingress-nginx `auth-url`. */
  public readonly authUrl: string;
  /** Where nginx sends unauthenticated browsers (`auth-signin`). */
  public readonly signInUrl: string;
  /** The redirect URI to register at the identity provider. */
  public readonly redirectUrl: string;
  /** Session cookie name. */
  public readonly cookieName: string;
  /** The session store in use. */
  public readonly sessionStore: SessionStore;
  /** The container arguments oauth2-proxy runs with. */
  public readonly args: readonly string[];
  /** The alpha config (YAML) oauth2-proxy runs with. */
  public readonly alphaConfig: string;
  /**
   * Set in reverse-proxy mode (`upstream`): where oauth2-proxy sends signed-in requests and
   * the identity headers it sets on them (for ingress flavours that need it, e.g. F5).
   */
  public readonly identityUpstream?: { readonly serviceName: string; readonly port: number; readonly requestHeaders: readonly string[] };
  /** Labels selecting the oauth2-proxy pods (to admit them to Backstage in reverse-proxy mode). */
  public readonly podSelector: Readonly<Record<string, string>>;
  public readonly deployment: KubernetesResource;
  public readonly service: KubernetesResource;
  public readonly configMap: KubernetesResource;
  public readonly networkPolicy: KubernetesResource;
  public readonly podDisruptionBudget: KubernetesResource;

  constructor(scope: Construct, id: string, props: OidcGatewayProps) {
    super(scope, id);
    validateProps(this, gatewaySchema, props);

    const name = props.name ?? 'oauth2-proxy';
    const cookie = props.cookie ?? {};
    const settings = props.issuer.settings;
    this.serviceName = name;
    this.namespace = props.namespace;
    this.sessionStore = props.sessionStore ?? SessionStore.cookie();
    this.cookieName = cookie.name ?? '_oauth2_proxy';
    this.redirectUrl = `https://${props.host}/oauth2/callback`;
    this.authUrl = `http://${name}.${props.namespace}.svc.cluster.local:${PORT}/oauth2/auth`;
    this.signInUrl = `https://${props.host}/oauth2/start?rd=$escaped_request_uri`;

    const labels = standardLabels('oauth2-proxy', name, 'gateway');
    const selector = selectorLabels('oauth2-proxy', name);
    this.podSelector = selector;
    if (props.upstream) {
      this.identityUpstream = { ...props.upstream, requestHeaders: identityHeaderNames() };
    }

    props.cookieSecret.expectCookieSecret();
    const clientSecret = props.clientSecret.bind({ scope: this, namespace: props.namespace, prop: 'clientSecret' });
    const cookieSecret = props.cookieSecret.bind({ scope: this, namespace: props.namespace, prop: 'cookieSecret' });
    const redisPassword = this.sessionStore.redis?.password?.bind({ scope: this, namespace: props.namespace, prop: 'sessionStore.password' });
    const redisCa = this.sessionStore.redis?.ca?.bind({ scope: this, namespace: props.namespace, prop: 'sessionStore.ca' });
    const bound: BoundSecret[] = [clientSecret, cookieSecret, ...(redisPassword ? [redisPassword] : []), ...(redisCa ? [redisCa] : [])];

    const jwtClients = (props.machineClients ?? [])
      .filter((c) => c.kind === 'jwt')
      .map((c) => c.options as JwtMachineClientOptions);

    const provider: Record<string, unknown> = {
      id: 'portal-idp',
      provider: settings.providerType,
      name: settings.displayName,
      clientID: props.clientId,
      // Read from a mounted Secret: the secret is never in the config or the JSON.
      clientSecretFile: `${CLIENT_SECRET_DIR}/${clientSecret.key}`,
      scope: settings.scope,
      code_challenge_method: 'S256',
      ...(props.access.groups?.length ? { allowedGroups: [...props.access.groups] } : {}),
      oidcConfig: {
        issuerURL: settings.issuerUrl,
        emailClaim: settings.emailClaim,
        groupsClaim: settings.groupsClaim,
        audienceClaims: ['aud'],
        insecureSkipNonce: false,
      },
      ...settings.extra,
    };

    const alpha = {
      server: { bindAddress: `0.0.0.0:${PORT}` },
      metricsServer: { bindAddress: `0.0.0.0:${METRICS_PORT}` },
      ...(props.upstream
        ? {
            // In the request path: proxy to Backstage and set the identity headers on the
            // request, replacing whatever the client sent.
            upstreamConfig: {
              upstreams: [{ id: 'portal', path: '/', uri: `http://${props.upstream.serviceName}.${props.namespace}.svc.cluster.local:${props.upstream.port}` }],
            },
            injectRequestHeaders: oauth2ProxyInjectRequestHeaders(),
            // oauth2-proxy adds these to the responses it proxies for signed-in requests. A
            // static value is a secretSource (the nested form of v7.14+, as claimSource is),
            // whose `value` v7.15 takes as the literal bytes (its decode hook), not base64.
            ...(props.hsts ? { injectResponseHeaders: [{ name: 'Strict-Transport-Security', values: [{ secretSource: { value: hstsHeaderValue(props.hsts) } }] }] } : {}),
          }
        : {
            // Auth-only: nginx proxies to Backstage itself; a static 202 answers anything else.
            upstreamConfig: { upstreams: [{ id: 'auth-only', path: '/', static: true, staticCode: 202 }] },
            injectResponseHeaders: oauth2ProxyInjectResponseHeaders(),
          }),
      providers: [provider],
    };
    this.alphaConfig = toYaml(alpha);

    const sameSite = cookie.sameSite ?? 'lax';
    const emailDomains = props.access.allowAnyAuthenticatedUser || !props.access.emailDomains?.length ? ['*'] : props.access.emailDomains;
    const args = [
      `--alpha-config=${CONFIG_DIR}/alpha-config.yaml`,
      '--reverse-proxy=true',
      `--redirect-url=${this.redirectUrl}`,
      `--whitelist-domain=${props.host}`,
      ...emailDomains.map((d) => `--email-domain=${d}`),
      `--cookie-name=${this.cookieName}`,
      '--cookie-secure=true',
      '--cookie-httponly=true',
      `--cookie-samesite=${sameSite}`,
      // The CSRF cookie must survive the cross-site redirect back from the IdP.
      `--cookie-csrf-samesite=${sameSite === 'none' ? 'none' : 'lax'}`,
      '--cookie-csrf-per-request=true',
      '--cookie-csrf-expire=15m',
      ...(cookie.domain ? [`--cookie-domain=${cookie.domain}`] : []),
      `--cookie-refresh=${cookie.refresh ?? '30m'}`,
      `--cookie-expire=${cookie.expire ?? '12h'}`,
      `--session-store-type=${this.sessionStore.kind}`,
      ...(this.sessionStore.redis ? [`--redis-connection-url=${this.sessionStore.redis.url}`] : []),
      // Added to the image's trusted CAs for the rediss:// connection (both flag sets have it).
      ...(redisCa ? [`--redis-ca-path=${REDIS_CA_DIR}/${REDIS_CA_FILE}`] : []),
      ...(jwtClients.length > 0
        ? ['--skip-jwt-bearer-tokens=true', ...jwtClients.map((c) => `--extra-jwt-issuers=${c.issuerUrl}=${c.audience}`)]
        : []),
      // In the request path, injectRequestHeaders replace whatever the client sent under
      // those names. (The legacy --skip-auth-strip-headers flag does not exist in the flag
      // set that --alpha-config selects: oauth2-proxy v7.14+ exits on it.)
      ...(props.upstream ? (props.apiPaths ?? ['^/api/']).map((p) => `--api-route=${p}`) : []),
      '--skip-provider-button=true',
      '--silence-ping-logging=true',
    ];
    this.args = args;

    this.configMap = kubernetesResource(this, 'Config', 'kubernetes_config_map_v1', {
      metadata: { name: `${name}-config`, namespace: props.namespace, labels },
      data: { 'alpha-config.yaml': escapeTerraformTemplate(this.alphaConfig) },
    });

    const env = [
      { name: 'OAUTH2_PROXY_COOKIE_SECRET', valueFrom: { secretKeyRef: { name: cookieSecret.secretName, key: cookieSecret.key } } },
      ...(redisPassword
        ? [{ name: 'OAUTH2_PROXY_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: redisPassword.secretName, key: redisPassword.key } } }]
        : []),
    ];

    const revisions = secretRevisions(bound);
    const reloader = reloaderWiring(bound);
    const workload = { scope: this, name, namespace: props.namespace, labels, selector };
    const podAnnotations: Record<string, string> = {
      'checksum/config': contentHash(this.alphaConfig + args.join('\n')),
      ...(revisions ? { 'checksum/secrets': revisions } : {}),
    };
    const replicas = props.replicas ?? 2;

    this.deployment = kubernetesResource(this, 'Deployment', 'kubernetes_deployment_v1', {
      metadata: workloadMetadata(workload, reloader.annotations),
      spec: {
        replicas: String(replicas),
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: '0' } },
        template: {
          metadata: { labels, annotations: podAnnotations },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(65532),
            container: [
              {
                name: 'oauth2-proxy',
                image: props.image ?? DEFAULT_IMAGES.oauth2Proxy,
                args,
                env,
                port: [
                  { name: 'http', containerPort: PORT, protocol: 'TCP' },
                  { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
                ],
                readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 10, timeoutSeconds: 3 },
                livenessProbe: { httpGet: { path: '/ping', port: 'http' }, periodSeconds: 20, timeoutSeconds: 3 },
                resources: resourcesWithDefaults(props.resources, { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } }),
                securityContext: restrictedContainerSecurityContext(65532),
                volumeMount: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'client-secret', mountPath: CLIENT_SECRET_DIR, readOnly: true },
                  ...(redisCa ? [{ name: 'redis-ca', mountPath: REDIS_CA_DIR, readOnly: true }] : []),
                ],
              },
            ],
            volume: [
              { name: 'config', configMap: { name: this.configMap.metadataName } },
              {
                name: 'client-secret',
                secret: { secretName: clientSecret.secretName, items: [{ key: clientSecret.key, path: clientSecret.key }] },
              },
              ...(redisCa ? [{ name: 'redis-ca', secret: { secretName: redisCa.secretName, items: [{ key: redisCa.key, path: REDIS_CA_FILE }] } }] : []),
            ],
            topologySpreadConstraint: spreadAcrossNodes(selector),
          },
        },
      },
      dependsOn: bound.flatMap((b) => b.dependsOn),
      ...(reloader.ignoreChanges.length > 0 ? { lifecycle: { ignoreChanges: reloader.ignoreChanges } } : {}),
    });

    this.service = workloadService(workload, PORT);
    this.podDisruptionBudget = workloadDisruptionBudget(workload);
    // Networks alone (a load balancer outside the cluster) replace the default controller peer.
    const peers = props.ingressController ? [props.ingressController] : props.dataPlaneSourceRanges ? [] : [INGRESS_NGINX_CONTROLLER];
    this.networkPolicy = workloadNetworkPolicy(workload, peers, PORT, props.dataPlaneSourceRanges ?? []);
  }
}
