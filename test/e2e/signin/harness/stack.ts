// The whole front door on loopback: test CA, IdP, machine-token issuers, Redis, Backstage,
// and one or more front doors (oauth2-proxy + nginx), each configured from a synthesized
// BackstagePortal. The primary front door is the library's default (ingress-nginx, cookie
// sessions); `frontDoor()` adds others (the F5 flavour, Redis sessions) in front of the same
// Backstage and IdP, each from its own synthesis of the same portal.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'yaml';

import { OAUTH2_PROXY_VERSION } from '../../../../lib';
import {
  localFiles,
  planBackstage,
  RunningBackstage,
  startBackstage,
  writeConfigMapVolume,
} from './backstage';
import { BrowserHandle, launchBrowser } from './browser';
import { startF5Nginx } from './f5-nginx';
import { startGatewayApiNginx } from './gateway-api';
import { HttpClient } from './http';
import { RunningIdp, startIdp, USERS } from './idp';
import { MachineIssuer, startMachineIssuer } from './machine-issuer';
import {
  configMapIndex,
  controllerConfigOf,
  ingressesOf,
  IngressSpec,
  RunningNginx,
  startNginx,
} from './nginx';
import { Oauth2ProxyPlan, planOauth2Proxy, RunningOauth2Proxy, startOauth2Proxy } from './oauth2-proxy';
import { createTestPki, ServerCert, TestPki } from './pki';
import {
  addClusterConfigMap,
  configMapData,
  Json,
  MACHINE_HOST,
  one,
  PORTAL_HOST,
  PortalOptions,
  resolve,
  resourceAt,
  SECRETS,
  services,
  synthesizePortal,
  TRUSTED_CAS,
} from './portal';
import { waitFor } from './processes';
import { RunningRedis, startRedis } from './redis';

export interface StackOptions {
  /** NginxIngress authCacheDuration; off by default, as in the library. */
  readonly authCacheDuration?: string;
  /** Keep the run directory (logs, configs) after stop. */
  readonly keepRunDir?: boolean;
}

/** Which front door: the ingress flavour and the session store of the synthesized portal. */
export interface FrontDoorSpec {
  readonly flavour: 'ingress-nginx' | 'f5-nginx' | 'gateway-api';
  /** cookie (the default), redis (redis://, password) or rediss (TLS, password, the server's private CA). */
  readonly sessionStore: 'cookie' | 'redis' | 'rediss';
}

/** oauth2-proxy and nginx of one synthesized portal, in front of the shared Backstage. */
export interface FrontDoor {
  readonly name: string;
  readonly spec: FrontDoorSpec;
  readonly json: Json;
  readonly ingresses: IngressSpec[];
  readonly oauth2Proxy: RunningOauth2Proxy;
  readonly nginx: RunningNginx;
  /** `https://<host>` */
  readonly portal: string;
  /** The session cookie name and settings this gateway runs with. */
  readonly cookie: { name: string; secret: string; sameSite: string };
  client(opts?: { keepAlive?: boolean }): HttpClient;
  /** Chromium mapped onto this front door's nginx (launched on first use, closed with it). */
  browser(): Promise<BrowserHandle>;
  /** The machine entry (with `machineHost`): its oauth2-proxy and the nginx of its host. */
  readonly machines?: MachineDoor;
  stop(): Promise<void>;
}

/**
 * The machine host of a front door. ingress-nginx serves both hosts from one nginx, one
 * server block each; here each host gets an nginx of its own from its own Ingresses (the
 * derivation handles one host), which changes nothing a request to either host sees; so
 * does the F5 flavour (the machine host's master and minion). On the Gateway API flavour
 * the router serves both hosts, as the Gateway's listeners say.
 */
export interface MachineDoor {
  readonly host: string;
  readonly oauth2Proxy: RunningOauth2Proxy;
  readonly nginx: RunningNginx;
  /** A client of the machine host (no cookies are ever set there). */
  client(): HttpClient;
}

export function frontDoorName(spec: FrontDoorSpec): string {
  const store = {
    cookie: 'cookie sessions',
    redis: 'Redis sessions',
    rediss: 'Redis sessions over TLS (private CA)',
  }[spec.sessionStore];
  return `${spec.flavour}, ${store}`;
}

export interface Stack {
  readonly runDir: string;
  readonly host: string;
  readonly json: Json;
  readonly ingresses: IngressSpec[];
  readonly pki: TestPki;
  /** The private CA of the Redis server's TLS certificate: only SessionStore.redis({ ca }) gives it to oauth2-proxy. */
  readonly redisPki: TestPki;
  readonly idp: RunningIdp;
  readonly trustedIssuer: MachineIssuer;
  readonly rogueIssuer: MachineIssuer;
  /** Trusted too, configured with the audience "backstage" as in the README example. */
  readonly exampleIssuer: MachineIssuer;
  readonly oauth2Proxy: RunningOauth2Proxy;
  readonly backstage: RunningBackstage;
  readonly nginx: RunningNginx;
  /** The Redis the Redis session stores use (plain and TLS port, password). */
  readonly redis: RunningRedis;
  /** The primary front door (ingress-nginx, cookie sessions): oauth2Proxy, nginx, cookie above. */
  readonly primary: FrontDoor;
  /** Secret values by Secret name and key (as the cluster would hold them). */
  readonly secrets: Record<string, Record<string, string>>;
  /** The session cookie name and settings the gateway runs with. */
  readonly cookie: { name: string; secret: string; sameSite: string };
  client(opts?: { keepAlive?: boolean }): HttpClient;
  /**
   * Another nginx in front of the same oauth2-proxy and Backstage, derived from the
   * Ingresses of the same portal synthesized with other ingress settings.
   */
  nginxFor(
    overrides: Pick<PortalOptions, 'authCacheDuration' | 'proxyBufferSize'>,
  ): Promise<{ nginx: RunningNginx; ingresses: IngressSpec[]; client(): HttpClient }>;
  /** The portal options of a front door (what its synthesis is given). */
  portalOptions(spec: FrontDoorSpec): PortalOptions;
  /** A front door of that kind, started once and shared by every caller. */
  frontDoor(spec: FrontDoorSpec): Promise<FrontDoor>;
  /** A new front door of that kind (fails as its programs do: e.g. nginx refusing its config). */
  startFrontDoor(spec: FrontDoorSpec): Promise<FrontDoor>;
  /**
   * A portal of its own with teams and RBAC (`PortalOptions.teams`): its own Backstage, run
   * from its synthesis, behind an ingress-nginx front door with cookie sessions.
   */
  startTeamsPortal(teams: NonNullable<PortalOptions['teams']>): Promise<TeamsPortal>;
  /**
   * A portal of its own with a machine entry for agents and CI (`PortalOptions.machineAgents`)
   * and Backstage's MCP actions backend: its own Backstage, behind a front door of the
   * flavour (default ingress-nginx; cookie sessions for people) and the machine host. `extraCaFile` is trusted by
   * oauth2-proxy and Backstage besides the test CA (the API server's, for its JWKS).
   */
  startMachinePortal(
    machineAgents: NonNullable<PortalOptions['machineAgents']>,
    extraCaFile: string,
    flavour?: FrontDoorSpec['flavour'],
  ): Promise<{ door: FrontDoor & { machines: MachineDoor }; backstage: RunningBackstage }>;
  stop(): Promise<void>;
}

/** A portal with teams and RBAC, and a way to roll a new synthesis of its ConfigMaps out. */
export interface TeamsPortal {
  readonly door: FrontDoor;
  readonly backstage: RunningBackstage;
  /**
   * Writes the ConfigMaps of another synthesis of the same portal into the running
   * Backstage's volumes, the way the kubelet updates them. Refuses a synthesis whose
   * Deployment differs (that would roll the pods instead).
   */
  applyConfigMaps(json: Json): void;
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

/** `oauth2-proxy <args> --config-test`, asynchronously: the IdP and issuers answer from this process. */
export function configTest(plan: Oauth2ProxyPlan): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      oauth2ProxyBinary(),
      [...plan.args, '--config-test'],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...plan.env },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({
          status: error ? Number((error as { code?: number }).code ?? 1) : 0,
          output: `${stdout}${stderr}`,
        }),
    );
  });
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const runDir = mkdtempSync(join(tmpdir(), 'signin-e2e-'));
  // nginx workers (user nobody) must reach their temp and cache directories.
  chmodSync(runDir, 0o755);
  const dirs = ['pki', 'backstage', 'redis', 'logs'].map((d) => {
    mkdirSync(join(runDir, d), { recursive: true, mode: 0o755 });
    return join(runDir, d);
  });
  const [pkiDir, bsDir, redisDir, logDir] = dirs as [string, string, string, string];
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (!o.keepRunDir && !process.env.SIGNIN_KEEP_RUN_DIR) rmSync(runDir, { recursive: true, force: true });
  };
  try {
    const pki = createTestPki(pkiDir);
    const portalCert = pki.issue('portal', [PORTAL_HOST]);
    const machineCert = pki.issue('machines', [MACHINE_HOST]);
    // What cert-manager's gateway-shim issues for a Gateway whose listeners of both hosts
    // share the portal's Secret: one certificate with both names.
    const bothHostsCert = pki.issue('portal-and-machines', [PORTAL_HOST, MACHINE_HOST]);
    const loopbackCert = pki.issue('loopback', ['localhost'], ['127.0.0.1']);
    // Redis's certificate comes from a CA of its own, which no program trusts by default
    // (oauth2-proxy's SSL_CERT_FILE holds the main test CA only): a rediss:// session store
    // works only with the CA the library mounts (SessionStore.redis({ ca })).
    mkdirSync(join(pkiDir, 'redis'), { recursive: true, mode: 0o755 });
    const redisPki = createTestPki(join(pkiDir, 'redis'), 'cdktf-backstage sign-in e2e private Redis CA');
    const redisCert = redisPki.issue('redis', ['localhost'], ['127.0.0.1']);
    const secrets: Record<string, Record<string, string>> = {
      [SECRETS.clientSecret.name]: { [SECRETS.clientSecret.key]: randomBytes(24).toString('base64url') },
      // 32 bytes, URL-safe base64 without padding: what the README tells operators to make.
      [SECRETS.cookieSecret.name]: { [SECRETS.cookieSecret.key]: randomBytes(32).toString('base64url') },
      [SECRETS.redisPassword.name]: { [SECRETS.redisPassword.key]: randomBytes(24).toString('base64url') },
      [SECRETS.redisCa.name]: { [SECRETS.redisCa.key]: readFileSync(redisPki.caFile, 'utf8') },
    };

    const redis = await startRedis({
      dir: redisDir,
      password: secrets[SECRETS.redisPassword.name]![SECRETS.redisPassword.key]!,
      tls: redisCert,
      caFile: redisPki.caFile,
      logFile: join(logDir, 'redis.log'),
    });
    stops.push(() => redis.stop());
    const trustedIssuer = await startMachineIssuer(loopbackCert, 'ci-1');
    stops.push(() => trustedIssuer.stop());
    const rogueIssuer = await startMachineIssuer(loopbackCert, 'rogue-1');
    stops.push(() => rogueIssuer.stop());
    const exampleIssuer = await startMachineIssuer(loopbackCert, 'example-1');
    stops.push(() => exampleIssuer.stop());
    const issuers = {
      machineIssuerUrl: trustedIssuer.issuer,
      backstageAudienceIssuerUrl: exampleIssuer.issuer,
    };

    let json: Json = {};
    let registeredRedirect = '';
    const idp = await startIdp({
      tls: loopbackCert,
      // Synthesize once the IdP's URL is known, and register what the synthesized stack
      // says: its client id (alpha config) and its redirect URI output.
      register: async (issuer) => {
        json = synthesizePortal({ issuerUrl: issuer, ...issuers, authCacheDuration: o.authCacheDuration });
        const alpha = parse(
          configMapData(
            json,
            resolve(json, one(resourceAt(json, 'kubernetes_config_map_v1', 'Gateway/Config').metadata).name),
          )['alpha-config.yaml']!,
        );
        registeredRedirect = redirectUriOf(json);
        return {
          clientId: alpha.providers[0].clientID,
          clientSecret: secrets[SECRETS.clientSecret.name]![SECRETS.clientSecret.key]!,
          redirectUris: [registeredRedirect],
        };
      },
    });
    stops.push(() => idp.stop());

    const bsPlan = await planBackstage(json, bsDir, secrets, pki.caFile);
    const backstage = await startBackstage(bsPlan, join(logDir, 'backstage.log'));
    const sharedBackstage = backstage;
    stops.push(() => backstage.stop());
    const backstageOf = (j: Json) =>
      JSON.stringify([
        resourceAt(j, 'kubernetes_deployment_v1', 'Backstage/Deployment').spec,
        configMapsOf(j, 'Backstage'),
      ]);
    const runningBackstage = backstageOf(json);

    // The catalog has ingested the users once the sign-in resolver finds them.
    const catalogReady = waitFor(
      'the catalog to hold the test users',
      async () => {
        for (const user of [USERS.alice, USERS.dave, USERS.erin]) {
          const res = await fetch(`http://127.0.0.1:${backstage.port}/api/auth/oauth2Proxy/refresh`, {
            headers: { 'x-forwarded-email': user.email, 'x-forwarded-user': user.sub },
          });
          if (!res.ok) return false;
        }
        return true;
      },
      backstage.proc,
      90_000,
    );

    const endpointsOf = (nginx: RunningNginx) => ({
      host: nginx.plan.host,
      httpsPort: nginx.plan.httpsPort,
      httpPort: nginx.plan.httpPort,
      caFile: pki.caFile,
    });
    const portalOptions = (spec: FrontDoorSpec): PortalOptions => ({
      issuerUrl: idp.issuer,
      ...issuers,
      ...(spec.flavour === 'ingress-nginx'
        ? { authCacheDuration: o.authCacheDuration }
        : { ingressFlavour: spec.flavour }),
      ...(spec.sessionStore === 'cookie'
        ? {}
        : { redisUrl: spec.sessionStore === 'redis' ? redis.url : redis.tlsUrl }),
    });
    let doors = 0;
    const startFrontDoor = async (
      spec: FrontDoorSpec,
      synthesized?: Json,
      own?: RunningBackstage,
      caFile: string = pki.caFile,
    ): Promise<FrontDoor> => {
      const name = frontDoorName(spec);
      const doorJson = synthesized ?? synthesizePortal(portalOptions(spec));
      const backstage = own ?? sharedBackstage;
      // One Backstage and one IdP client serve every front door: they must be the same.
      if (!own && backstageOf(doorJson) !== runningBackstage)
        throw new Error(
          `${name}: the portal renders another Backstage than the running one; start one for it`,
        );
      if (redirectUriOf(doorJson) !== registeredRedirect)
        throw new Error(`${name}: another redirect URI than the registered ${registeredRedirect}`);
      const n = ++doors;
      const dir = join(runDir, `door-${n}`);
      mkdirSync(join(dir, 'oauth2-proxy'), { recursive: true, mode: 0o755 });
      const door: Array<() => Promise<void>> = [];
      const stopDoor = async () => {
        for (const stop of door.splice(0).reverse()) await stop().catch(() => undefined);
      };
      stops.push(stopDoor);
      try {
        // In the request path (F5, Gateway API), oauth2-proxy proxies to Backstage's Service.
        const backstageService = new Map(
          services(doorJson)
            .filter((svc) => svc.name === 'backstage')
            .map((svc) => [`${svc.name}:${svc.port}`, `127.0.0.1:${backstage.port}`] as const),
        );
        const o2pPlan = await planOauth2Proxy(
          doorJson,
          join(dir, 'oauth2-proxy'),
          secrets,
          caFile,
          backstageService,
        );
        const oauth2Proxy = await startOauth2Proxy(
          oauth2ProxyBinary(),
          o2pPlan,
          join(logDir, `oauth2-proxy-${n}.log`),
        );
        door.push(() => oauth2Proxy.stop());
        // Services of the stack → loopback addresses of the processes behind them.
        const local = new Map<string, number>([
          ['backstage', backstage.port],
          ['oauth2-proxy', oauth2Proxy.port],
        ]);
        // The machine entry (machineHost): its own oauth2-proxy, as its Deployment says.
        const machineDeployment = resourceMaybe(
          doorJson,
          'kubernetes_deployment_v1',
          'Gateway/Machines/Deployment',
        );
        let machinesProxy: RunningOauth2Proxy | undefined;
        if (machineDeployment) {
          mkdirSync(join(dir, 'machines'), { recursive: true, mode: 0o755 });
          // In the request path (Gateway API, F5) it proxies to Backstage, as the people's does.
          const plan = await planOauth2Proxy(
            doorJson,
            join(dir, 'machines'),
            secrets,
            caFile,
            spec.flavour === 'ingress-nginx' ? undefined : backstageService,
            'Gateway/Machines/Deployment',
          );
          const started = await startOauth2Proxy(
            oauth2ProxyBinary(),
            plan,
            join(logDir, `oauth2-proxy-${n}-machines.log`),
          );
          machinesProxy = started;
          door.push(() => started.stop());
          local.set(String(one(machineDeployment.metadata).name), started.port);
        }
        const upstreams = new Map<string, string>();
        for (const svc of services(doorJson)) {
          const port = local.get(svc.name);
          if (port !== undefined) upstreams.set(`${svc.name}:${svc.port}`, `127.0.0.1:${port}`);
        }
        const allIngresses = ingressesOf(doorJson);
        const machineHostOf = (i: IngressSpec) => i.rules.some((r) => r.host === MACHINE_HOST);
        const ingresses = allIngresses.filter((i) => !machineHostOf(i));
        const tlsSecrets = new Map<string, ServerCert>([
          [SECRETS.tls, machinesProxy && spec.flavour === 'gateway-api' ? bothHostsCert : portalCert],
        ]);
        const nginx =
          spec.flavour === 'f5-nginx'
            ? await startF5Nginx(doorJson, ingresses, { dir: join(dir, 'nginx'), upstreams, tlsSecrets })
            : spec.flavour === 'gateway-api'
              ? await startGatewayApiNginx(doorJson, { dir: join(dir, 'nginx'), upstreams, tlsSecrets })
              : await startNginx(ingresses, {
                  dir: join(dir, 'nginx'),
                  upstreams,
                  tlsSecrets,
                  controllerConfig: controllerConfigOf(doorJson),
                  configMaps: configMapIndex(doorJson),
                });
        door.push(() => nginx.stop());
        let machines: MachineDoor | undefined;
        if (machinesProxy && spec.flavour === 'gateway-api') {
          // The router serves both hosts from the Gateway's listeners, one server each.
          machines = {
            host: MACHINE_HOST,
            oauth2Proxy: machinesProxy,
            nginx,
            client: () => new HttpClient({ ...endpointsOf(nginx), host: MACHINE_HOST }),
          };
        } else if (machinesProxy) {
          const machineOptions = {
            dir: join(dir, 'nginx-machines'),
            upstreams,
            // The portal's TLS Secret, as on the cluster; its certificate covers the machine host.
            tlsSecrets: new Map([[SECRETS.tls, machineCert]]),
          };
          const machineIngresses = allIngresses.filter(machineHostOf);
          // F5: the machine host's master and minion, derived as the controller would.
          const machineNginx =
            spec.flavour === 'f5-nginx'
              ? await startF5Nginx(doorJson, machineIngresses, machineOptions)
              : await startNginx(machineIngresses, {
                  ...machineOptions,
                  controllerConfig: controllerConfigOf(doorJson),
                  configMaps: configMapIndex(doorJson),
                });
          door.push(() => machineNginx.stop());
          machines = {
            host: MACHINE_HOST,
            oauth2Proxy: machinesProxy,
            nginx: machineNginx,
            client: () => new HttpClient(endpointsOf(machineNginx)),
          };
        }
        const arg = (flag: string) =>
          o2pPlan.args.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);
        let browser: Promise<BrowserHandle> | undefined;
        door.push(async () => void (await (await browser)?.close()));
        return {
          name,
          spec,
          json: doorJson,
          ingresses,
          oauth2Proxy,
          nginx,
          portal: `https://${nginx.plan.host}`,
          cookie: {
            name: arg('cookie-name') ?? '_oauth2_proxy',
            secret: o2pPlan.env.OAUTH2_PROXY_COOKIE_SECRET!,
            sameSite: arg('cookie-samesite') ?? '',
          },
          ...(machines ? { machines } : {}),
          client: (opts) => new HttpClient(endpointsOf(nginx), opts),
          browser: () =>
            (browser ??= launchBrowser({
              host: nginx.plan.host,
              httpsPort: nginx.plan.httpsPort,
              httpPort: nginx.plan.httpPort,
              caFile: pki.caFile,
            })),
          stop: stopDoor,
        };
      } catch (error) {
        await stopDoor();
        throw error;
      }
    };
    const primary = await startFrontDoor({ flavour: 'ingress-nginx', sessionStore: 'cookie' }, json);
    await catalogReady;

    const shared = new Map<string, Promise<FrontDoor>>();
    return {
      runDir,
      host: primary.nginx.plan.host,
      json,
      ingresses: primary.ingresses,
      pki,
      redisPki,
      idp,
      trustedIssuer,
      rogueIssuer,
      exampleIssuer,
      oauth2Proxy: primary.oauth2Proxy,
      backstage,
      nginx: primary.nginx,
      redis,
      primary,
      secrets,
      cookie: primary.cookie,
      client: primary.client,
      nginxFor: async (overrides) => {
        const other = synthesizePortal({
          issuerUrl: idp.issuer,
          ...issuers,
          authCacheDuration: o.authCacheDuration,
          ...overrides,
        });
        const otherIngresses = ingressesOf(other);
        const dir = mkdtempSync(join(runDir, 'nginx-'));
        chmodSync(dir, 0o755);
        const upstreams = new Map([
          ['backstage:7007', `127.0.0.1:${backstage.port}`],
          ['oauth2-proxy:4180', `127.0.0.1:${primary.oauth2Proxy.port}`],
        ]);
        const extra = await startNginx(otherIngresses, {
          dir,
          upstreams,
          tlsSecrets: new Map([[SECRETS.tls, portalCert]]),
          controllerConfig: controllerConfigOf(other),
        });
        stops.push(() => extra.stop());
        return { nginx: extra, ingresses: otherIngresses, client: () => new HttpClient(endpointsOf(extra)) };
      },
      portalOptions,
      frontDoor: (spec) => {
        const key = frontDoorName(spec);
        if (spec.flavour === 'ingress-nginx' && spec.sessionStore === 'cookie')
          return Promise.resolve(primary);
        let door = shared.get(key);
        if (!door) shared.set(key, (door = startFrontDoor(spec)));
        return door;
      },
      startFrontDoor: (spec) => startFrontDoor(spec),
      startTeamsPortal: async (teams) => {
        const spec: FrontDoorSpec = { flavour: 'ingress-nginx', sessionStore: 'cookie' };
        const teamsJson = synthesizePortal({ ...portalOptions(spec), teams });
        const dir = mkdtempSync(join(runDir, 'teams-backstage-'));
        chmodSync(dir, 0o755);
        const own = await startBackstage(
          await planBackstage(teamsJson, dir, secrets, pki.caFile),
          join(logDir, `${dir.split('/').pop()}.log`),
        );
        stops.push(() => own.stop());
        const door = await startFrontDoor(spec, teamsJson, own);
        const deploymentOf = (j: Json) =>
          JSON.stringify(resourceAt(j, 'kubernetes_deployment_v1', 'Backstage/Deployment'));
        return {
          door,
          backstage: own,
          applyConfigMaps: (next) => {
            if (deploymentOf(next) !== deploymentOf(teamsJson))
              throw new Error(
                'the new synthesis changes the Backstage Deployment: the pods would roll, not reload',
              );
            for (const v of own.plan.volumes)
              writeConfigMapVolume(v.local, localFiles(configMapData(next, v.configMap), own.plan.volumes));
          },
        };
      },
      startMachinePortal: async (machineAgents, extraCaFile, flavour = 'ingress-nginx') => {
        const spec: FrontDoorSpec = { flavour, sessionStore: 'cookie' };
        const machineJson = synthesizePortal({ ...portalOptions(spec), machineAgents });
        const dir = mkdtempSync(join(runDir, 'machines-backstage-'));
        chmodSync(dir, 0o755);
        // The API server's CA only as the cluster's CA bundle ConfigMap the portal's trustedCa
        // names (beside the test CA of the loopback issuers, which a cluster's would not need):
        // oauth2-proxy gets it from its synthesized SSL_CERT_DIR, Backstage from its
        // NODE_EXTRA_CA_CERTS. The harness's own trust stays the test CA alone.
        addClusterConfigMap(TRUSTED_CAS.configMapName, {
          [TRUSTED_CAS.key]: `${readFileSync(pki.caFile, 'utf8')}\n${readFileSync(extraCaFile, 'utf8')}`,
        });
        const own = await startBackstage(
          await planBackstage(machineJson, dir, secrets, pki.caFile),
          join(logDir, `${dir.split('/').pop()}.log`),
        );
        stops.push(() => own.stop());
        const door = await startFrontDoor(spec, machineJson, own, pki.caFile);
        if (!door.machines) throw new Error('the machine portal has no machine entry');
        return { door: door as FrontDoor & { machines: MachineDoor }, backstage: own };
      },
      stop: stopAll,
    };
  } catch (error) {
    const keep = process.env.SIGNIN_KEEP_RUN_DIR;
    await stopAll();
    throw new Error(
      `${String(error instanceof Error ? error.stack : error)}${keep ? `\n(run directory kept: ${runDir})` : ''}`,
      { cause: error },
    );
  }
}

/** The `*_oidc_redirect_uri` output of a synthesized stack. */
function redirectUriOf(json: Json): string {
  const redirect = Object.entries(json.output ?? {}).find(([k]) => k.endsWith('_oidc_redirect_uri'))?.[1] as
    Json | undefined;
  if (!redirect) throw new Error('the stack has no *_oidc_redirect_uri output');
  return String(redirect.value);
}

/** The data of the ConfigMaps under a construct path segment, in order. */
function configMapsOf(json: Json, segment: string): unknown[] {
  return (Object.values(json.resource?.kubernetes_config_map_v1 ?? {}) as Json[])
    .filter((cm) => String(cm['//']?.metadata?.path ?? '').includes(`/${segment}/`))
    .map((cm) => cm.data);
}

/** The one resource of a type at a construct path suffix, if the stack has it. */
function resourceMaybe(json: Json, type: string, suffix: string): Json | undefined {
  const found = (Object.values(json.resource?.[type] ?? {}) as Json[]).filter((r) =>
    String(r['//']?.metadata?.path ?? '').endsWith(`/${suffix}`),
  );
  return found.length === 1 ? found[0] : undefined;
}
