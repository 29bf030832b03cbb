import { Token } from 'cdktf';
import { Construct } from 'constructs';
import * as z from 'zod';

import { DEFAULT_IMAGES, OAUTH2_PROXY_VERSION } from '../core/defaults';
import { parseDuration } from '../core/duration';
import { contentHash } from '../core/hash';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { selectorLabels, standardLabels } from '../core/labels';
import {
  metricsPodAnnotations,
  MetricsScraping,
  metricsScrapingSchema,
  workloadServiceMonitor,
} from '../core/metrics-scraping';
import { INGRESS_NGINX_CONTROLLER, PeerSelector } from '../core/network';
import { ContainerResources } from '../core/resources';
import {
  cidr,
  goDuration,
  hostName,
  kubernetesName,
  pinnedImage,
  portNumber,
  valueObjectSchema,
} from '../core/schemas';
import { TrustedCaBundle, trustedCaBundleSchema, trustedCaWiring } from '../core/trusted-ca';
import { nestedIssues, problem, validateProps } from '../core/validation';
import {
  reloaderWiring,
  workloadDisruptionBudget,
  workloadMetadata,
  workloadNetworkPolicy,
  workloadService,
} from '../core/workload';
import { workloadOptionsShape } from '../core/workload-options';
import { escapeTerraformTemplate, toYaml } from '../core/yaml';
import { BoundSecret, SecretRef, secretRefSchema, secretRevisions } from '../secrets/secret-ref';
import {
  DEFAULT_COOKIE_EXPIRE,
  DEFAULT_COOKIE_REFRESH,
  gatewayNames,
  OAUTH2_PROXY_METRICS_PATH,
  OAUTH2_PROXY_METRICS_PORT,
  OAUTH2_PROXY_PORT,
  oauth2ProxyAlphaConfig,
  oauth2ProxyArgs,
  oauth2ProxyEnv,
  oauth2ProxyFiles,
} from './gateway-config';
import { identityHeaderNames } from './header-contract';
import { jwtClientOptions, MachineClient, machineClientIssues, machineClientsSchema } from './machine-client';
import { MachineGateway } from './machine-gateway';
import {
  OAUTH2_PROXY_TRUSTED_CA_DIR,
  oauth2ProxyContainerCommon,
  oauth2ProxyPodSpec,
} from './oauth2-proxy-container';
import { OidcIssuer, oidcIssuerSchema } from './oidc-issuer';
import { redisSessionStoreSchema, SessionStore } from './session-store';

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
   * Public host of the machine entry, e.g. `api.backstage.example.com`. With it the JWT
   * machine clients no longer pass the people's oauth2-proxy: a second one (`<name>-machines`)
   * admits only their tokens, by issuer, audience and exact subject (`subjects`, which the
   * presets derive), with no e-mail or group rule and no sign-in redirect (401/403). People's
   * sign-in is unchanged. Every JWT client then needs `subjects`.
   * @default - none: JWT clients pass the people's oauth2-proxy and must meet its access policy
   */
  readonly machineHost?: string;
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
   * CA certificates oauth2-proxy trusts besides the image's public roots (`SSL_CERT_DIR`),
   * in both Deployments (the people's and the machine entry): an IdP with a company CA, or
   * the cluster's CA when an API server is a machine client's issuer (`{ configMapName:
   * 'kube-root-ca.crt', key: 'ca.crt' }`).
   * @default - the image's roots only
   */
  readonly trustedCa?: TrustedCaBundle;
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
   * Let a scraper read oauth2-proxy's Prometheus metrics (`oauth2_proxy_requests_total`,
   * `oauth2_proxy_response_duration_seconds`, ...), which it serves on their own port
   * (44180, `/metrics`), never on the one the ingress reaches: the Service gets a `metrics`
   * port, the NetworkPolicy admits `scraper` on it alone, and the pods carry the
   * `prometheus.io/*` annotations. The machine entry (`machineHost`) is scraped alike.
   * @default - the metrics port admits nobody
   */
  readonly metrics?: MetricsScraping;
  /**
   * With `upstream`: send `Strict-Transport-Security` on the responses oauth2-proxy
   * proxies (the signed-in requests), for data planes that do not send it themselves.
   * @default - none (the ingress controller sends HSTS)
   */
  readonly hsts?: GatewayHstsOptions;
}

/**
 * @internal The OAuth client id, as the gateway and the portal take it: it goes into
 * oauth2-proxy's config verbatim, so a pasted space or line break must not.
 */
export const clientIdSchema = z
  .string()
  .min(1, problem('must not be empty', 'Copy the client id from the IdP app registration.'))
  // `*`: an empty id is the rule above's, not this one's too.
  .regex(
    /^[\x21-\x7e]*$/,
    problem(
      'must not contain spaces, line breaks or control characters',
      'Copy the client id again from the IdP app registration, without surrounding whitespace.',
    ),
  );

const accessSchema = z
  .strictObject({
    emailDomains: z
      .array(
        z
          .string()
          .regex(
            /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+)$/,
            problem(
              'must be a domain name such as "example.com"',
              'Write the part after "@" in lower case; use allowAnyAuthenticatedUser instead of "*".',
            ),
          ),
      )
      .optional(),
    groups: z
      .array(
        z
          .string()
          .min(
            1,
            problem('must not be empty', 'Give the group name or id as the IdP puts it in the groups claim.'),
          )
          // oauth2-proxy compares group names exactly: " admins" never matches "admins".
          .regex(
            /^(\S(.*\S)?)?$/,
            problem(
              'must not start or end with whitespace',
              'Give the group name or id exactly as the IdP puts it in the groups claim.',
            ),
          ),
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
        message: problem(
          'must not contain "*"',
          'Use allowAnyAuthenticatedUser: true to say explicitly that any account may sign in.',
        ),
      });
    }
    if (rules > 0 && access.allowAnyAuthenticatedUser === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowAnyAuthenticatedUser'],
        message: problem(
          'contradicts the emailDomains/groups rules',
          'Remove allowAnyAuthenticatedUser or the rules.',
        ),
      });
    }
  }) satisfies z.ZodType<AccessPolicy>;

const cookieSchema = z.strictObject({
  // nginx reads cookies as $cookie_<name>: a "-" would end the variable name.
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9_]{1,64}$/,
      problem(
        'must be a cookie name of letters, digits and "_"',
        'nginx reads cookies as $cookie_<name>, so "-" and other characters cannot be used.',
      ),
    )
    .optional(),
  domain: z
    .string()
    .regex(
      /^\.?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/,
      problem(
        'must be a domain such as ".example.com"',
        'Use the parent domain of the host, optionally with a leading dot.',
      ),
    )
    .optional(),
  sameSite: z
    .enum(['lax', 'strict', 'none'], {
      error: problem('must be "lax", "strict" or "none"', 'Keep "lax" unless you know why not.'),
    })
    .optional(),
  refresh: goDuration.optional(),
  expire: goDuration.optional(),
}) satisfies z.ZodType<CookieOptions>;

/** Access rules that no one signing in at this issuer can ever meet. */
function accessContradictions(
  issuer: OidcIssuer,
  access: AccessPolicy | undefined,
  ctx: z.core.$RefinementCtx,
): void {
  if (access === undefined || typeof access !== 'object') {
    return;
  }
  if (issuer.preset === 'google' && (access.groups?.length ?? 0) > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['access', 'groups'],
      message: problem(
        'can never match with Google: its ID tokens carry no groups claim',
        "Restrict by emailDomains (and the issuer's hostedDomain) instead, or sign people in through an IdP that puts groups in the ID token (Okta, Entra ID, Keycloak).",
      ),
    });
  }
  const hostedDomain =
    issuer.preset === 'google' ? (issuer.options as { hostedDomain?: string }).hostedDomain : undefined;
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
function machineClientsAgainstAccess(
  clients: readonly MachineClient[],
  access: AccessPolicy | undefined,
  ctx: z.core.$RefinementCtx,
): void {
  if (access === undefined || typeof access !== 'object' || access.allowAnyAuthenticatedUser === true) {
    return;
  }
  const issue = (index: number, field: 'emailDomain' | 'groups', what: string, fix: string, value: unknown) =>
    ctx.addIssue({
      code: 'custom',
      path: ['machineClients', index, field],
      message: problem(`${what}: the gateway checks machine tokens against them too`, fix),
      params: { nestedValue: { value } },
    });
  clients.forEach((client, index) => {
    const options = MachineClient.isMachineClient(client) ? client.jwtOptions : undefined;
    if (options === undefined) {
      return;
    }
    if (
      access.emailDomains?.length &&
      (options.emailDomain === undefined || !access.emailDomains.includes(options.emailDomain))
    ) {
      issue(
        index,
        'emailDomain',
        `must be one of access.emailDomains (${access.emailDomains.join(', ')})`,
        'If the tokens carry an e-mail claim, set emailDomain to its domain and list that domain in access.emailDomains. Tokens without one (GitHub Actions, GitLab CI, Kubernetes service accounts) cannot pass a gateway that restricts e-mail domains.',
        options.emailDomain,
      );
    }
    if (access.groups?.length && !(options.groups ?? []).some((g) => access.groups!.includes(g))) {
      issue(
        index,
        'groups',
        `must include one of access.groups (${access.groups.join(', ')})`,
        'List the groups the tokens carry in the groups claim; tokens without one of the allowed groups cannot pass the gateway.',
        options.groups,
      );
    }
  });
}

/** The machine entry admits clients by subject, so each needs some; and it needs a client. */
function machineEntryIssues(
  machineHost: string,
  host: unknown,
  clients: readonly MachineClient[],
  ctx: z.core.$RefinementCtx,
): void {
  if (machineHost === host) {
    ctx.addIssue({
      code: 'custom',
      path: ['machineHost'],
      message: problem(
        'must differ from host',
        'The front door sends the machine host to the machine entry as a whole (ingress-nginx picks the auth endpoint by host and path): give machines a host of their own, e.g. "api.<host>".',
      ),
    });
  }
  const jwt = clients.filter((c) => MachineClient.isMachineClient(c) && c.jwtOptions !== undefined);
  if (jwt.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['machineHost'],
      message: problem(
        'has no JWT machine client to admit',
        'Add a client to machineClients (MachineClient.githubActions, .gitlabCi, .kubernetesServiceAccount, .oidc), or leave machineHost out.',
      ),
    });
  }
  clients.forEach((client, index) => {
    const options = MachineClient.isMachineClient(client) ? client.jwtOptions : undefined;
    if (options !== undefined && (options.subjects?.length ?? 0) === 0 && client.preset === 'jwt') {
      ctx.addIssue({
        code: 'custom',
        path: ['machineClients', index, 'subjects'],
        message: problem(
          'is required with machineHost',
          'The machine entry admits tokens by their exact `sub`: list them, or use a preset (MachineClient.githubActions, .kubernetesServiceAccount...) that derives them; issuer and audience alone would admit every token the issuer signs for that audience.',
        ),
        params: { nestedValue: { value: options.subjects } },
      });
    }
  });
}

const gatewaySchema = z
  .strictObject({
    ...workloadOptionsShape,
    issuer: oidcIssuerSchema,
    clientId: clientIdSchema,
    clientSecret: secretRefSchema(),
    cookieSecret: secretRefSchema(),
    access: accessSchema,
    cookie: cookieSchema.optional(),
    sessionStore: valueObjectSchema(
      SessionStore.isSessionStore,
      'a SessionStore',
      'Use SessionStore.cookie() or SessionStore.redis({...}).',
    ).optional(),
    machineClients: machineClientsSchema().optional(),
    machineHost: hostName.optional(),
    upstream: z.strictObject({ serviceName: kubernetesName, port: portNumber }).optional(),
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
    image: pinnedImage.optional(),
    trustedCa: trustedCaBundleSchema.optional(),
    metrics: metricsScrapingSchema.optional(),
    dataPlaneSourceRanges: z
      .array(cidr)
      .min(
        1,
        problem('must list at least one network', 'Leave it out to admit the ingress controller pods only.'),
      )
      .optional(),
    hsts: z
      .strictObject({
        maxAgeSeconds: z
          .number()
          .int(problem('must be whole seconds', 'Remove the fraction.'))
          .min(
            86400,
            problem(
              'must be at least one day (86400)',
              'Browsers forget a short HSTS policy between visits; use 31536000 (one year).',
            ),
          )
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
          message: problem(
            `does not cover the host "${props.host}"`,
            `Use the host itself or one of its parent domains (e.g. ".${props.host.split('.').slice(1).join('.')}").`,
          ),
        });
      }
    }
    const refresh = parseDuration(props.cookie?.refresh ?? DEFAULT_COOKIE_REFRESH);
    const expire = parseDuration(props.cookie?.expire ?? DEFAULT_COOKIE_EXPIRE);
    if (refresh !== undefined && expire !== undefined && refresh > 0 && refresh >= expire) {
      ctx.addIssue({
        code: 'custom',
        path: ['cookie', 'refresh'],
        message: problem(
          `must be shorter than cookie.expire (${props.cookie?.expire ?? DEFAULT_COOKIE_EXPIRE})`,
          'A session must be refreshed before it expires: lower refresh or raise expire.',
        ),
        // Report the refresh in effect, which may be the default.
        params: { nestedValue: { value: props.cookie?.refresh ?? DEFAULT_COOKIE_REFRESH } },
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
    machineClientIssues(props.machineClients, ctx);
    if (props.issuer && OidcIssuer.isOidcIssuer(props.issuer)) {
      nestedIssues(ctx, ['issuer'], props.issuer.schema, props.issuer.options);
      accessContradictions(props.issuer, props.access, ctx);
    }
    if (props.machineHost === undefined) {
      machineClientsAgainstAccess(props.machineClients ?? [], props.access, ctx);
    } else {
      machineEntryIssues(props.machineHost, props.host, props.machineClients ?? [], ctx);
    }
  }) satisfies z.ZodType<OidcGatewayProps>;

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
  public readonly port = OAUTH2_PROXY_PORT;
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
  public readonly identityUpstream?: {
    readonly serviceName: string;
    readonly port: number;
    readonly requestHeaders: readonly string[];
  };
  /** Labels selecting the oauth2-proxy pods (to admit them to Backstage in reverse-proxy mode). */
  public readonly podSelector: Readonly<Record<string, string>>;
  public readonly deployment: KubernetesResource;
  public readonly service: KubernetesResource;
  public readonly configMap: KubernetesResource;
  public readonly networkPolicy: KubernetesResource;
  public readonly podDisruptionBudget: KubernetesResource;
  /** The machine entry, with `machineHost`. */
  public readonly machineGateway?: MachineGateway;
  /** The Prometheus Operator ServiceMonitor, with `metrics.serviceMonitor`. */
  public readonly serviceMonitor?: KubernetesResource;

  constructor(scope: Construct, id: string, props: OidcGatewayProps) {
    super(scope, id);
    validateProps(this, gatewaySchema, props);

    const names = gatewayNames(props);
    const { name } = names;
    this.serviceName = name;
    this.namespace = props.namespace;
    this.sessionStore = props.sessionStore ?? SessionStore.cookie();
    this.cookieName = names.cookieName;
    this.redirectUrl = names.redirectUrl;
    this.authUrl = names.authUrl;
    this.signInUrl = names.signInUrl;

    const labels = standardLabels('oauth2-proxy', name, 'gateway');
    const selector = selectorLabels('oauth2-proxy', name);
    this.podSelector = selector;
    if (props.upstream) {
      this.identityUpstream = { ...props.upstream, requestHeaders: identityHeaderNames() };
    }

    props.cookieSecret.expectCookieSecret();
    const bind = (ref: SecretRef, prop: string) =>
      ref.bind({ scope: this, namespace: props.namespace, prop });
    const secrets = {
      clientSecret: bind(props.clientSecret, 'clientSecret'),
      cookieSecret: bind(props.cookieSecret, 'cookieSecret'),
      redisPassword:
        this.sessionStore.redis?.password && bind(this.sessionStore.redis.password, 'sessionStore.password'),
      redisCa: this.sessionStore.redis?.ca && bind(this.sessionStore.redis.ca, 'sessionStore.ca'),
    };
    const bound: BoundSecret[] = [
      secrets.clientSecret,
      secrets.cookieSecret,
      ...(secrets.redisPassword ? [secrets.redisPassword] : []),
      ...(secrets.redisCa ? [secrets.redisCa] : []),
    ];

    const input = { props, names, sessionStore: this.sessionStore, secrets };
    this.alphaConfig = toYaml(oauth2ProxyAlphaConfig(input));
    const args = oauth2ProxyArgs(input);
    this.args = args;

    this.configMap = kubernetesResource(this, 'Config', 'kubernetes_config_map_v1', {
      metadata: { name: `${name}-config`, namespace: props.namespace, labels },
      data: { 'alpha-config.yaml': escapeTerraformTemplate(this.alphaConfig) },
    });
    const files = oauth2ProxyFiles(this.configMap.metadataName, secrets);
    const trust = trustedCaWiring(props.trustedCa, OAUTH2_PROXY_TRUSTED_CA_DIR, 'SSL_CERT_DIR');

    const revisions = secretRevisions(bound);
    const reloader = reloaderWiring(bound, trust.configMaps);
    const workload = { scope: this, name, namespace: props.namespace, labels, selector };
    const metrics = props.metrics && {
      scraping: props.metrics,
      endpoint: { port: OAUTH2_PROXY_METRICS_PORT, path: OAUTH2_PROXY_METRICS_PATH },
    };
    const podAnnotations: Record<string, string> = {
      'checksum/config': contentHash(this.alphaConfig + args.join('\n')),
      ...(revisions ? { 'checksum/secrets': revisions } : {}),
      ...(metrics ? metricsPodAnnotations(metrics.endpoint) : {}),
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
          spec: oauth2ProxyPodSpec(
            selector,
            {
              image: props.image ?? DEFAULT_IMAGES.oauth2Proxy,
              args,
              env: [...oauth2ProxyEnv(secrets), ...trust.env],
              ...oauth2ProxyContainerCommon(OAUTH2_PROXY_PORT, OAUTH2_PROXY_METRICS_PORT, props.resources),
              volumeMount: [...files.volumeMounts, ...trust.volumeMounts],
            },
            [...files.volumes, ...trust.volumes],
          ),
        },
      },
      dependsOn: bound.flatMap((b) => b.dependsOn),
      ...(reloader.ignoreChanges.length > 0 ? { lifecycle: { ignoreChanges: reloader.ignoreChanges } } : {}),
    });

    this.service = workloadService(workload, OAUTH2_PROXY_PORT, metrics);
    this.podDisruptionBudget = workloadDisruptionBudget(workload);
    // Networks alone (a load balancer outside the cluster) replace the default controller peer.
    const peers = props.ingressController
      ? [props.ingressController]
      : props.dataPlaneSourceRanges
        ? []
        : [INGRESS_NGINX_CONTROLLER];
    const sourceRanges = props.dataPlaneSourceRanges ?? [];
    this.networkPolicy = workloadNetworkPolicy(workload, peers, OAUTH2_PROXY_PORT, sourceRanges, metrics);
    this.serviceMonitor = workloadServiceMonitor(workload, metrics);

    if (props.machineHost !== undefined) {
      this.machineGateway = new MachineGateway(this, 'Machines', {
        gatewayName: name,
        namespace: props.namespace,
        host: props.machineHost,
        peopleCookieName: names.cookieName,
        clients: jwtClientOptions(props.machineClients ?? []),
        cookieSecret: secrets.cookieSecret,
        image: props.image ?? DEFAULT_IMAGES.oauth2Proxy,
        replicas,
        resources: props.resources,
        peers,
        dataPlaneSourceRanges: sourceRanges,
        ...(props.trustedCa ? { trustedCa: props.trustedCa } : {}),
        ...(props.metrics ? { metrics: props.metrics } : {}),
        // In the request path like the people's gateway: it proxies to the same Backstage.
        ...(props.upstream
          ? { upstream: { ...props.upstream, namespace: props.namespace, hsts: props.hsts } }
          : {}),
      });
    }
  }
}
