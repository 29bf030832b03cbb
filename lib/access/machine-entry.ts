// The machine entry: a second oauth2-proxy, beside the people's, that admits only JWTs of
// the declared machine clients, on a host of its own (`OidcGateway` `machineHost`).
//
// Why a second process and a second host: oauth2-proxy applies one e-mail-domain and one
// allowed-groups rule to every session of a process, bearer ones included, so a process
// that admits e-mail-less machine tokens (`--email-domain=*`) cannot also hold people to
// their domain. And ingress-nginx picks the auth-url per Ingress (host + path), not per
// request header, unless a configuration snippet does it, which this library refuses: so
// machines get their own host, whose Ingress asks this process and never redirects to a
// sign-in page (no auth-signin). The F5 controller routes per host the same way.
//
// Per-client rule: oauth2-proxy can check one claim against a list (`allowedGroups` on
// `groupsClaim`). The machine entry uses `sub` as that claim, with the exact subjects of
// every client: each preset derives them from its claims (repository + ref/environment,
// project + ref, namespace + service account). Issuer and audience are checked by the
// verifier of each client (`--extra-jwt-issuers=<issuer>=<audience>`).
import { inRequestPathAlphaConfig } from './gateway-config';
import { oauth2ProxyStrippedRequestHeaders } from './header-contract';
import type { JwtMachineClientOptions } from './machine-client';
import type { GatewayHstsOptions } from './oidc-gateway';

/** @internal oauth2-proxy's HTTP port in the machine entry (as the people's). */
export const MACHINE_ENTRY_PORT = 4180;
/** @internal Its metrics port. */
export const MACHINE_ENTRY_METRICS_PORT = 44180;
const CONFIG_DIR = '/etc/oauth2-proxy';
/**
 * oauth2-proxy insists on a client secret file for its provider, though the machine entry
 * never redeems a code (it has no sign-in route anyone reaches: its Ingress sends only
 * auth subrequests). A constant placeholder, not a secret.
 */
export const MACHINE_ENTRY_UNUSED_SECRET_KEY = 'unused-client-secret';

/** @internal Names of the machine entry. */
export interface MachineEntryNames {
  readonly name: string;
  /** In-cluster URL of its `/oauth2/auth`. */
  readonly authUrl: string;
  /** Its own cookie name: a people's session cookie, sent along, is never read by it. */
  readonly cookieName: string;
}

/** @internal */
export function machineEntryNames(
  gatewayName: string,
  namespace: string,
  peopleCookieName: string,
): MachineEntryNames {
  const name = `${gatewayName}-machines`;
  return {
    name,
    authUrl: `http://${name}.${namespace}.svc.cluster.local:${MACHINE_ENTRY_PORT}/oauth2/auth`,
    cookieName: `${peopleCookieName}_machines`,
  };
}

/**
 * @internal Where the machine entry sends admitted requests when it sits in the request
 * path (the F5 and Gateway API flavours route the machine host to it): Backstage, and the
 * HSTS it adds to what it proxies.
 */
export interface MachineEntryUpstream {
  readonly serviceName: string;
  readonly port: number;
  readonly namespace: string;
  readonly hsts?: GatewayHstsOptions;
}

/** @internal Every client's subjects, in order, each once. */
export function machineEntrySubjects(clients: readonly JwtMachineClientOptions[]): string[] {
  return [...new Set(clients.flatMap((c) => c.subjects ?? []))];
}

/** @internal The machine entry's alpha config. */
export function machineEntryAlphaConfig(
  clients: readonly JwtMachineClientOptions[],
  upstream?: MachineEntryUpstream,
): Record<string, unknown> {
  const first = clients[0]!;
  return {
    server: { bindAddress: `0.0.0.0:${MACHINE_ENTRY_PORT}` },
    metricsServer: { bindAddress: `0.0.0.0:${MACHINE_ENTRY_METRICS_PORT}` },
    // Either way the bearer token reaches Backstage as the caller sent it (oauth2-proxy
    // strips only the injected header names), so Backstage checks it again (externalAccess).
    ...(upstream
      ? inRequestPathAlphaConfig(
          upstream,
          upstream.namespace,
          upstream.hsts,
          oauth2ProxyStrippedRequestHeaders(),
        )
      : // Auth-only: nginx proxies to Backstage itself.
        { upstreamConfig: { upstreams: [{ id: 'auth-only', path: '/', static: true, staticCode: 202 }] } }),
    providers: [
      {
        // The first client is the provider (oauth2-proxy needs one); its verifier is built
        // from the JWKS directly, so the entry starts without the issuer answering
        // discovery. The other clients are extra JWT issuers.
        id: 'machines',
        provider: 'oidc',
        name: 'machines',
        clientID: first.audience,
        clientSecretFile: `${CONFIG_DIR}/${MACHINE_ENTRY_UNUSED_SECRET_KEY}`,
        allowedGroups: machineEntrySubjects(clients),
        loginURL: `${first.issuerUrl}/unused-authorize`,
        redeemURL: `${first.issuerUrl}/unused-token`,
        oidcConfig: {
          issuerURL: first.issuerUrl,
          skipDiscovery: true,
          jwksURL: first.jwksUrl,
          emailClaim: 'email',
          userIDClaim: 'sub',
          // The one claim oauth2-proxy compares with a list: the subject.
          groupsClaim: 'sub',
          audienceClaims: ['aud'],
          insecureSkipNonce: false,
        },
      },
    ],
  };
}

/** @internal The machine entry's flags. */
export function machineEntryArgs(
  clients: readonly JwtMachineClientOptions[],
  names: MachineEntryNames,
  host: string,
  inRequestPath = false,
): string[] {
  return [
    `--alpha-config=${CONFIG_DIR}/alpha-config.yaml`,
    '--reverse-proxy=true',
    `--redirect-url=https://${host}/oauth2/callback`,
    // Machine tokens carry no e-mail; the subject rule (allowedGroups on sub) decides.
    '--email-domain=*',
    `--cookie-name=${names.cookieName}`,
    '--cookie-secure=true',
    '--cookie-httponly=true',
    '--session-store-type=cookie',
    '--skip-jwt-bearer-tokens=true',
    ...clients.slice(1).map((c) => `--extra-jwt-issuers=${c.issuerUrl}=${c.audience}`),
    // In the request path every path is an API route: a request without an acceptable token
    // gets 401, never a redirect to a sign-in that no machine can follow; and every error is
    // JSON (an empty object), not oauth2-proxy's HTML page, whose 403 (a verified token of a
    // subject not admitted) offers a "Sign in" button.
    ...(inRequestPath ? ['--api-route=^/', '--force-json-errors=true'] : []),
    '--skip-provider-button=true',
    '--silence-ping-logging=true',
  ];
}
