// The whole front door on loopback: test CA, IdP, machine-token issuers, oauth2-proxy,
// Backstage and nginx, each configured from one synthesized BackstagePortal.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { OAUTH2_PROXY_VERSION } from '../../../../lib';
import { planBackstage, RunningBackstage, startBackstage } from './backstage';
import { HttpClient } from './http';
import { RunningIdp, startIdp, USERS } from './idp';
import { MachineIssuer, startMachineIssuer } from './machine-issuer';
import { IngressSpec, controllerConfigOf, ingressesOf, RunningNginx, startNginx } from './nginx';
import { planOauth2Proxy, RunningOauth2Proxy, startOauth2Proxy } from './oauth2-proxy';
import { configMapData, Json, one, PORTAL_HOST, PortalOptions, resolve, resourceAt, SECRETS, services, synthesizePortal } from './portal';
import { createTestPki, TestPki } from './pki';
import { waitFor } from './processes';

export interface StackOptions {
  /** NginxIngress authCacheDuration; off by default, as in the library. */
  readonly authCacheDuration?: string;
  /** Keep the run directory (logs, configs) after stop. */
  readonly keepRunDir?: boolean;
}

export interface Stack {
  readonly runDir: string;
  readonly host: string;
  readonly json: Json;
  readonly ingresses: IngressSpec[];
  readonly pki: TestPki;
  readonly idp: RunningIdp;
  readonly trustedIssuer: MachineIssuer;
  readonly rogueIssuer: MachineIssuer;
  /** Trusted too, configured with the audience "backstage" as in the README example. */
  readonly exampleIssuer: MachineIssuer;
  readonly oauth2Proxy: RunningOauth2Proxy;
  readonly backstage: RunningBackstage;
  readonly nginx: RunningNginx;
  /** Secret values by Secret name and key (as the cluster would hold them). */
  readonly secrets: Record<string, Record<string, string>>;
  /** The session cookie name and settings the gateway runs with. */
  readonly cookie: { name: string; secret: string; sameSite: string };
  client(opts?: { keepAlive?: boolean }): HttpClient;
  /**
   * Another nginx in front of the same oauth2-proxy and Backstage, derived from the
   * Ingresses of the same portal synthesized with other ingress settings.
   */
  nginxFor(overrides: Pick<PortalOptions, 'authCacheDuration' | 'proxyBufferSize'>): Promise<{ nginx: RunningNginx; ingresses: IngressSpec[]; client(): HttpClient }>;
  stop(): Promise<void>;
}

/** oauth2-proxy of the version the library renders config for, from the tools cache. */
export function oauth2ProxyBinary(): string {
  const fromEnv = process.env.OAUTH2_PROXY;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const cache = process.env.CDKTF_BACKSTAGE_TOOLS ?? join(homedir(), '.cache', 'cdktf-backstage', 'tools');
  const built = join(cache, `oauth2-proxy-${OAUTH2_PROXY_VERSION}`, 'bin', 'oauth2-proxy');
  if (existsSync(built)) return built;
  throw new Error(`oauth2-proxy ${OAUTH2_PROXY_VERSION} is not built: run bash test/e2e/signin/setup.sh`);
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const runDir = mkdtempSync(join(tmpdir(), 'signin-e2e-'));
  // nginx workers (user nobody) must reach their temp and cache directories.
  chmodSync(runDir, 0o755);
  const dirs = ['pki', 'oauth2-proxy', 'backstage', 'nginx', 'logs'].map((d) => {
    mkdirSync(join(runDir, d), { recursive: true, mode: 0o755 });
    return join(runDir, d);
  });
  const [pkiDir, o2pDir, bsDir, nginxDir, logDir] = dirs as [string, string, string, string, string];
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (!o.keepRunDir && !process.env.SIGNIN_KEEP_RUN_DIR) rmSync(runDir, { recursive: true, force: true });
  };
  try {
    const pki = createTestPki(pkiDir);
    const portalCert = pki.issue('portal', [PORTAL_HOST]);
    const loopbackCert = pki.issue('loopback', ['localhost'], ['127.0.0.1']);
    const secrets: Record<string, Record<string, string>> = {
      [SECRETS.clientSecret.name]: { [SECRETS.clientSecret.key]: randomBytes(24).toString('base64url') },
      // 32 bytes, URL-safe base64 without padding: what the README tells operators to make.
      [SECRETS.cookieSecret.name]: { [SECRETS.cookieSecret.key]: randomBytes(32).toString('base64url') },
    };

    const trustedIssuer = await startMachineIssuer(loopbackCert, 'ci-1');
    stops.push(() => trustedIssuer.stop());
    const rogueIssuer = await startMachineIssuer(loopbackCert, 'rogue-1');
    stops.push(() => rogueIssuer.stop());
    const exampleIssuer = await startMachineIssuer(loopbackCert, 'example-1');
    stops.push(() => exampleIssuer.stop());
    const issuers = { machineIssuerUrl: trustedIssuer.issuer, backstageAudienceIssuerUrl: exampleIssuer.issuer };

    let json: Json = {};
    const idp = await startIdp({
      tls: loopbackCert,
      // Synthesize once the IdP's URL is known, and register what the synthesized stack
      // says: its client id (alpha config) and its redirect URI output.
      register: async (issuer) => {
        json = synthesizePortal({ issuerUrl: issuer, ...issuers, authCacheDuration: o.authCacheDuration });
        const alpha = parse(configMapData(json, resolve(json, one(resourceAt(json, 'kubernetes_config_map_v1', 'Gateway/Config').metadata).name))['alpha-config.yaml']!);
        const redirect = Object.entries(json.output ?? {}).find(([k]) => k.endsWith('_oidc_redirect_uri'))?.[1] as Json | undefined;
        if (!redirect) throw new Error('the stack has no *_oidc_redirect_uri output');
        return {
          clientId: alpha.providers[0].clientID,
          clientSecret: secrets[SECRETS.clientSecret.name]![SECRETS.clientSecret.key]!,
          redirectUris: [String(redirect.value)],
        };
      },
    });
    stops.push(() => idp.stop());

    const o2pPlan = await planOauth2Proxy(json, o2pDir, secrets, pki.caFile);
    const oauth2Proxy = await startOauth2Proxy(oauth2ProxyBinary(), o2pPlan, join(logDir, 'oauth2-proxy.log'));
    stops.push(() => oauth2Proxy.stop());

    const bsPlan = await planBackstage(json, bsDir, secrets, pki.caFile);
    const backstage = await startBackstage(bsPlan, join(logDir, 'backstage.log'));
    stops.push(() => backstage.stop());

    // Services of the stack → loopback addresses of the processes behind them.
    const local = new Map<string, number>([
      ['backstage', backstage.port],
      ['oauth2-proxy', oauth2Proxy.port],
    ]);
    const upstreams = new Map<string, string>();
    for (const svc of services(json)) {
      const port = local.get(svc.name);
      if (port !== undefined) upstreams.set(`${svc.name}:${svc.port}`, `127.0.0.1:${port}`);
    }
    const ingresses = ingressesOf(json);
    const nginx = await startNginx(ingresses, { dir: nginxDir, upstreams, tlsSecrets: new Map([[SECRETS.tls, portalCert]]), controllerConfig: controllerConfigOf(json) });
    stops.push(() => nginx.stop());

    // The catalog has ingested the users once the sign-in resolver finds them.
    await waitFor(
      'the catalog to hold the test users',
      async () => {
        for (const user of [USERS.alice, USERS.dave, USERS.erin]) {
          const res = await fetch(`http://127.0.0.1:${backstage.port}/api/auth/oauth2Proxy/refresh`, { headers: { 'x-forwarded-email': user.email, 'x-forwarded-user': user.sub } });
          if (!res.ok) return false;
        }
        return true;
      },
      backstage.proc,
      90_000,
    );

    const args = o2pPlan.args;
    const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    const cookie = {
      name: arg('cookie-name') ?? '_oauth2_proxy',
      secret: o2pPlan.env.OAUTH2_PROXY_COOKIE_SECRET!,
      sameSite: arg('cookie-samesite') ?? '',
    };
    const endpoints = { host: nginx.plan.host, httpsPort: nginx.plan.httpsPort, httpPort: nginx.plan.httpPort, caFile: pki.caFile };
    return {
      runDir,
      host: nginx.plan.host,
      json,
      ingresses,
      pki,
      idp,
      trustedIssuer,
      rogueIssuer,
      exampleIssuer,
      oauth2Proxy,
      backstage,
      nginx,
      secrets,
      cookie,
      client: (opts) => new HttpClient(endpoints, opts),
      nginxFor: async (overrides) => {
        const other = synthesizePortal({ issuerUrl: idp.issuer, ...issuers, authCacheDuration: o.authCacheDuration, ...overrides });
        const otherIngresses = ingressesOf(other);
        const dir = mkdtempSync(join(runDir, 'nginx-'));
        chmodSync(dir, 0o755);
        const extra = await startNginx(otherIngresses, { dir, upstreams, tlsSecrets: new Map([[SECRETS.tls, portalCert]]), controllerConfig: controllerConfigOf(other) });
        stops.push(() => extra.stop());
        return {
          nginx: extra,
          ingresses: otherIngresses,
          client: () => new HttpClient({ ...endpoints, httpsPort: extra.plan.httpsPort, httpPort: extra.plan.httpPort }),
        };
      },
      stop: stopAll,
    };
  } catch (error) {
    const keep = process.env.SIGNIN_KEEP_RUN_DIR;
    await stopAll();
    throw new Error(`${String(error instanceof Error ? error.stack : error)}${keep ? `\n(run directory kept: ${runDir})` : ''}`);
  }
}
