// What oauth2-proxy is told, as pure functions of the gateway's validated props and the
// names it resolved: the alpha config, the command-line flags, the environment and the
// files it mounts. No construct and no resource here, so each rule can be tested on its
// own; OidcGateway only wires the results into Kubernetes objects.
import type {
  DeploymentV1SpecTemplateSpecContainerEnv,
  DeploymentV1SpecTemplateSpecContainerVolumeMount,
  DeploymentV1SpecTemplateSpecVolume,
} from '@cdktf/provider-kubernetes/lib/deployment-v1';

import type { BoundSecret } from '../secrets/secret-ref';
import { oauth2ProxyInjectRequestHeaders, oauth2ProxyInjectResponseHeaders } from './header-contract';
import { jwtClientOptions, type JwtMachineClientOptions, type MachineClient } from './machine-client';
import type { GatewayHstsOptions, OidcGatewayProps } from './oidc-gateway';
import type { OidcIssuerSettings } from './oidc-issuer';
import type { SessionStore } from './session-store';

/** @internal oauth2-proxy's HTTP port (the Service port). */
export const OAUTH2_PROXY_PORT = 4180;
/** @internal Its metrics port. */
export const OAUTH2_PROXY_METRICS_PORT = 44180;
/** @internal Where it serves them (its metrics server answers every path with them). */
export const OAUTH2_PROXY_METRICS_PATH = '/metrics';
const CONFIG_DIR = '/etc/oauth2-proxy';
const CLIENT_SECRET_DIR = '/etc/oauth2-proxy/client-secret';
const REDIS_CA_DIR = '/etc/oauth2-proxy/redis-ca';
const REDIS_CA_FILE = 'ca.crt';
/** @internal `cookie.refresh` when none is given. */
export const DEFAULT_COOKIE_REFRESH = '30m';
/** @internal `cookie.expire` when none is given. */
export const DEFAULT_COOKIE_EXPIRE = '12h';

/** @internal Names and URLs of one gateway, derived from its props alone. */
export interface GatewayNames {
  /** Name of the Deployment and Service. */
  readonly name: string;
  readonly cookieName: string;
  /** `https://<host>/oauth2/callback`. */
  readonly redirectUrl: string;
  /** In-cluster URL of `/oauth2/auth`. */
  readonly authUrl: string;
  /** Where nginx sends browsers without a session. */
  readonly signInUrl: string;
}

/** @internal */
export function gatewayNames(
  props: Pick<OidcGatewayProps, 'name' | 'namespace' | 'host' | 'cookie'>,
): GatewayNames {
  const name = props.name ?? 'oauth2-proxy';
  return {
    name,
    cookieName: props.cookie?.name ?? '_oauth2_proxy',
    redirectUrl: `https://${props.host}/oauth2/callback`,
    authUrl: `http://${name}.${props.namespace}.svc.cluster.local:${OAUTH2_PROXY_PORT}/oauth2/auth`,
    signInUrl: `https://${props.host}/oauth2/start?rd=$escaped_request_uri`,
  };
}

/** A Secret key, as far as the pod spec needs it. */
type SecretKey = Pick<BoundSecret, 'secretName' | 'key'>;

/** @internal The Secrets the gateway reads, bound in its namespace. */
export interface GatewaySecrets {
  readonly clientSecret: SecretKey;
  readonly cookieSecret: SecretKey;
  readonly redisPassword?: SecretKey;
  readonly redisCa?: SecretKey;
}

/** @internal Everything the oauth2-proxy configuration depends on. */
export interface GatewayConfigInput {
  /** The validated props. */
  readonly props: OidcGatewayProps;
  readonly names: GatewayNames;
  /** The props' session store, or the cookie store when none is given. */
  readonly sessionStore: SessionStore;
  readonly secrets: GatewaySecrets;
}

/** @internal The options of the JWT machine clients: oauth2-proxy lets their tokens through. */
export function jwtMachineClients(clients: readonly MachineClient[] | undefined): JwtMachineClientOptions[] {
  return jwtClientOptions(clients ?? []);
}

/** @internal The alpha config's one provider: the portal's IdP. */
export function oauth2ProxyProvider(
  settings: OidcIssuerSettings,
  clientId: string,
  clientSecretKey: string,
  allowedGroups: readonly string[] | undefined,
): Record<string, unknown> {
  return {
    id: 'portal-idp',
    provider: settings.providerType,
    name: settings.displayName,
    clientID: clientId,
    // Read from a mounted Secret: the secret is never in the config or the JSON.
    clientSecretFile: `${CLIENT_SECRET_DIR}/${clientSecretKey}`,
    scope: settings.scope,
    code_challenge_method: 'S256',
    ...(allowedGroups?.length ? { allowedGroups: [...allowedGroups] } : {}),
    oidcConfig: {
      issuerURL: settings.issuerUrl,
      emailClaim: settings.emailClaim,
      groupsClaim: settings.groupsClaim,
      audienceClaims: ['aud'],
      insecureSkipNonce: false,
    },
    ...settings.extra,
  };
}

/**
 * @internal The part of an alpha config that puts oauth2-proxy in the request path: it
 * proxies to the upstream Service and replaces whatever the client sent under the identity
 * header names with `requestHeaders` (the people's gateway: the contract's values; the
 * machine entry: none), so no client can forge them through either.
 */
export function inRequestPathAlphaConfig(
  upstream: { readonly serviceName: string; readonly port: number },
  namespace: string,
  hsts: GatewayHstsOptions | undefined,
  requestHeaders: ReadonlyArray<Record<string, unknown>> = oauth2ProxyInjectRequestHeaders(),
): Record<string, unknown> {
  return {
    upstreamConfig: {
      upstreams: [
        {
          id: 'portal',
          path: '/',
          uri: `http://${upstream.serviceName}.${namespace}.svc.cluster.local:${upstream.port}`,
        },
      ],
    },
    injectRequestHeaders: [...requestHeaders],
    // oauth2-proxy adds these to the responses it proxies for signed-in requests. A static
    // value is a secretSource (the nested form of v7.14+, as claimSource is), whose `value`
    // v7.15 takes as the literal bytes (its decode hook), not base64.
    ...(hsts
      ? {
          injectResponseHeaders: [
            {
              name: 'Strict-Transport-Security',
              values: [{ secretSource: { value: hstsHeaderValue(hsts) } }],
            },
          ],
        }
      : {}),
  };
}

/** @internal oauth2-proxy's alpha config (`--alpha-config`), as an object to write as YAML. */
export function oauth2ProxyAlphaConfig(input: GatewayConfigInput): Record<string, unknown> {
  const { props } = input;
  return {
    server: { bindAddress: `0.0.0.0:${OAUTH2_PROXY_PORT}` },
    metricsServer: { bindAddress: `0.0.0.0:${OAUTH2_PROXY_METRICS_PORT}` },
    ...(props.upstream
      ? inRequestPathAlphaConfig(props.upstream, props.namespace, props.hsts)
      : {
          // Auth-only: nginx proxies to Backstage itself; a static 202 answers anything else.
          upstreamConfig: { upstreams: [{ id: 'auth-only', path: '/', static: true, staticCode: 202 }] },
          injectResponseHeaders: oauth2ProxyInjectResponseHeaders(),
        }),
    providers: [
      oauth2ProxyProvider(
        props.issuer.settings,
        props.clientId,
        input.secrets.clientSecret.key,
        props.access.groups,
      ),
    ],
  };
}

/** @internal oauth2-proxy's command-line flags (the legacy flag set `--alpha-config` still reads). */
export function oauth2ProxyArgs(input: GatewayConfigInput): string[] {
  const { props, names, sessionStore } = input;
  const cookie = props.cookie ?? {};
  const sameSite = cookie.sameSite ?? 'lax';
  // oauth2-proxy needs an e-mail rule; "*" leaves the decision to the group rule (or to nobody).
  const emailDomains =
    props.access.allowAnyAuthenticatedUser || !props.access.emailDomains?.length
      ? ['*']
      : props.access.emailDomains;
  // With a machine entry, machine tokens go there; the people's entry admits none.
  const jwtClients = props.machineHost === undefined ? jwtMachineClients(props.machineClients) : [];
  return [
    `--alpha-config=${CONFIG_DIR}/alpha-config.yaml`,
    '--reverse-proxy=true',
    `--redirect-url=${names.redirectUrl}`,
    `--whitelist-domain=${props.host}`,
    ...emailDomains.map((d) => `--email-domain=${d}`),
    `--cookie-name=${names.cookieName}`,
    '--cookie-secure=true',
    '--cookie-httponly=true',
    `--cookie-samesite=${sameSite}`,
    // The CSRF cookie must survive the cross-site redirect back from the IdP.
    `--cookie-csrf-samesite=${sameSite === 'none' ? 'none' : 'lax'}`,
    '--cookie-csrf-per-request=true',
    '--cookie-csrf-expire=15m',
    ...(cookie.domain ? [`--cookie-domain=${cookie.domain}`] : []),
    `--cookie-refresh=${cookie.refresh ?? DEFAULT_COOKIE_REFRESH}`,
    `--cookie-expire=${cookie.expire ?? DEFAULT_COOKIE_EXPIRE}`,
    `--session-store-type=${sessionStore.kind}`,
    ...(sessionStore.redis ? [`--redis-connection-url=${sessionStore.redis.url}`] : []),
    // Added to the image's trusted CAs for the rediss:// connection (both flag sets have it).
    ...(input.secrets.redisCa ? [`--redis-ca-path=${REDIS_CA_DIR}/${REDIS_CA_FILE}`] : []),
    ...(jwtClients.length > 0
      ? [
          '--skip-jwt-bearer-tokens=true',
          ...jwtClients.map((c) => `--extra-jwt-issuers=${c.issuerUrl}=${c.audience}`),
        ]
      : []),
    // In the request path, injectRequestHeaders replace whatever the client sent under
    // those names. (The legacy --skip-auth-strip-headers flag does not exist in the flag
    // set that --alpha-config selects: oauth2-proxy v7.14+ exits on it.)
    ...(props.upstream ? (props.apiPaths ?? ['^/api/']).map((p) => `--api-route=${p}`) : []),
    '--skip-provider-button=true',
    '--silence-ping-logging=true',
  ];
}

/** @internal The environment: the secrets oauth2-proxy reads from variables rather than files. */
export function oauth2ProxyEnv(secrets: GatewaySecrets): DeploymentV1SpecTemplateSpecContainerEnv[] {
  const fromSecret = (name: string, secret: SecretKey): DeploymentV1SpecTemplateSpecContainerEnv => ({
    name,
    valueFrom: { secretKeyRef: { name: secret.secretName, key: secret.key } },
  });
  return [
    fromSecret('OAUTH2_PROXY_COOKIE_SECRET', secrets.cookieSecret),
    ...(secrets.redisPassword ? [fromSecret('OAUTH2_PROXY_REDIS_PASSWORD', secrets.redisPassword)] : []),
  ];
}

/** @internal The volumes of the pod and where the container mounts them. */
export interface GatewayFiles {
  readonly volumeMounts: DeploymentV1SpecTemplateSpecContainerVolumeMount[];
  readonly volumes: DeploymentV1SpecTemplateSpecVolume[];
}

/** @internal The alpha config, the client secret and the Redis CA, as files; never an env var or an arg. */
export function oauth2ProxyFiles(configMapName: string, secrets: GatewaySecrets): GatewayFiles {
  const { clientSecret, redisCa } = secrets;
  return {
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'client-secret', mountPath: CLIENT_SECRET_DIR, readOnly: true },
      ...(redisCa ? [{ name: 'redis-ca', mountPath: REDIS_CA_DIR, readOnly: true }] : []),
    ],
    volumes: [
      { name: 'config', configMap: { name: configMapName } },
      {
        name: 'client-secret',
        secret: {
          secretName: clientSecret.secretName,
          items: [{ key: clientSecret.key, path: clientSecret.key }],
        },
      },
      ...(redisCa
        ? [
            {
              name: 'redis-ca',
              secret: { secretName: redisCa.secretName, items: [{ key: redisCa.key, path: REDIS_CA_FILE }] },
            },
          ]
        : []),
    ],
  };
}

/** The `Strict-Transport-Security` value of the options. */
export function hstsHeaderValue(options: GatewayHstsOptions): string {
  return [
    `max-age=${options.maxAgeSeconds ?? 31536000}`,
    ...((options.includeSubdomains ?? true) ? ['includeSubDomains'] : []),
    ...(options.preload ? ['preload'] : []),
  ].join('; ');
}
