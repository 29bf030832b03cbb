// Machines and AI agents through the front door, every part real and from one synthesis
// of a BackstagePortal with `machineHost`, two machine clients and `mcpActions`:
// - the agent's token comes from a TokenRequest to a real kube-apiserver (the deploy
//   suite's test cluster, test/e2e/cluster), for its ServiceAccount and audience, as the
//   kubelet asks for a projected token; the API server publishes the issuer's discovery and
//   JWKS to anyone, as EKS, GKE and AKS do;
// - the CI job's token comes from a local issuer built with jose, shaped like GitHub
//   Actions' (claims repository, ref, workflow; no e-mail);
// - on the ingress-nginx flavour, requests go to nginx as derived from the machine host's
//   Ingress, which asks the machine entry's oauth2-proxy (auth-url) and proxies to the
//   portal's own Backstage; on the Gateway API flavour, to the router of harness/gateway-api.ts
//   as derived from the Gateway's machine listeners and the machine route, which carries every
//   path to the machine entry's oauth2-proxy, in the request path, proxying to Backstage; on
//   the F5 flavour, to nginx as derived (harness/f5-nginx.ts) from the machine host's master
//   and minion, which send every path to that machine entry in the request path;
// - Backstage runs with the RBAC-free permission default, its externalAccess JWKS check and
//   the MCP actions backend (@backstage/plugin-mcp-actions-backend 0.2.4, tools from the
//   catalog's actions). Each flavour gets a Backstage of its own, from its own synthesis.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MCP_ACTIONS_BACKEND_PACKAGE, MCP_ACTIONS_PATH, MCP_ACTIONS_PLUGIN_ID } from '../../../lib';
import { Cluster, startCluster } from '../deploy/harness/cluster';
import { Response } from './harness/http';
import { USERS } from './harness/idp';
import { configMapIndex, controllerConfigOf, deriveNginxConfig, ingressesOf } from './harness/nginx';
import {
  AGENT_AUDIENCE,
  Json,
  MACHINE_AUDIENCE,
  MACHINE_HOST,
  one,
  PORTAL_HOST,
  resourceAt,
  SECRETS,
  services,
} from './harness/portal';
import { waitFor } from './harness/processes';
import { FrontDoor, MachineDoor, Stack, startStack } from './harness/stack';

const AGENT = { namespace: 'agents', serviceAccount: 'catalog-agent' };
const CI = {
  sub: 'repo:acme/service:ref:refs/heads/main',
  aud: MACHINE_AUDIENCE,
  repository: 'acme/service',
  ref: 'refs/heads/main',
  workflow: 'catalog-sync',
};

let cluster: Cluster;
let stack: Stack;
let door: FrontDoor & { machines: MachineDoor };

/** A TokenRequest for a ServiceAccount: the real API server signs it. */
async function serviceAccountToken(namespace: string, name: string, audience: string): Promise<string> {
  const out = await cluster.kubectl([
    'create',
    'token',
    name,
    '-n',
    namespace,
    `--audience=${audience}`,
    '--duration=10m',
  ]);
  return out.trim();
}

const api = (path: string, token?: string, init: { method?: string; body?: unknown } = {}) =>
  door.machines.client().request(`https://${MACHINE_HOST}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined
        ? { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
        : { accept: 'application/json' }),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });

/** The JSON-RPC answer of an MCP streamable-HTTP POST (plain JSON or one SSE message). */
function mcpResult(res: Response): any {
  const type = res.header('content-type') ?? '';
  const text = type.includes('text/event-stream')
    ? res.body
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('')
    : res.body;
  return JSON.parse(text);
}

const mcp = (token: string | undefined, id: number, method: string, params: Record<string, unknown> = {}) =>
  api(MCP_ACTIONS_PATH, token, { method: 'POST', body: { jsonrpc: '2.0', id, method, params } });

type Flavour = 'ingress-nginx' | 'gateway-api' | 'f5-nginx';
let flavour: Flavour;

/**
 * The machine host's challenge, the scheme and the host as realm: ingress-nginx's from
 * NginxIngress machineChallenge (on by default), the Gateway API's from the machine route's
 * ResponseHeaderModifier (machineChallenge, on in harness/portal.ts). None on F5: the
 * controller has no response-header annotation without snippets (README).
 */
function expectChallenge(res: Response, kind: string): void {
  expect(res.header('www-authenticate'), kind).toBe(
    flavour === 'f5-nginx' ? undefined : `Bearer realm="${MACHINE_HOST}"`,
  );
}

/**
 * 401 from the gateway, not a sign-in: no redirect, and neither oauth2-proxy's sign-in page
 * nor the IdP's. On ingress-nginx the body is nginx's own short "401 Authorization Required"
 * page, as ingress-nginx answers a denied auth subrequest; on the Gateway API and F5 the
 * machine entry, in the request path, answers itself (its API route covers every path,
 * --force-json-errors) with oauth2-proxy's empty JSON object. The challenge comes with it.
 */
function expectRefusedByGateway(res: Response, kind: string, status = 401): void {
  expect(res.status, `${kind}: ${res.body.slice(0, 200)}`).toBe(status);
  expect(res.header('location'), kind).toBeUndefined();
  expect(res.body, kind).not.toMatch(/sign in|oauth2\/start|<form/i);
  expectChallenge(res, kind);
  if (flavour === 'ingress-nginx') {
    expect(res.body, kind).toContain('401 Authorization Required');
  } else {
    // oauth2-proxy's own JSON error (an empty object): the request never reached Backstage,
    // whose errors carry an `error` object.
    expect(res.header('content-type'), kind).toBe('application/json');
    expect(res.body, kind).toBe('{}');
  }
}

/** The ingress-nginx flavour's synthesis (its scenario runs first). */
let ingressNginxJson: Json | undefined;
/** The running Backstage of the flavour's portal (its loopback port). */
let backstagePort: number;
/** Its environment, as the harness started it from the synthesized Deployment. */
let backstageEnv: Record<string, string>;

let agentAccountsCreated = false;
/** The agent's ServiceAccount as MachineAgent renders it, and another team's of the same name. */
async function createAgentAccounts(json: Json): Promise<void> {
  // The deploy suite applies it with the engines; here kubectl creates the same object.
  const sa = resourceAt(json, 'kubernetes_service_account_v1', 'Agent/ServiceAccount');
  const meta = one(sa.metadata);
  expect([meta.namespace, meta.name, sa.automount_service_account_token]).toEqual([
    AGENT.namespace,
    AGENT.serviceAccount,
    false,
  ]);
  if (agentAccountsCreated) return;
  agentAccountsCreated = true;
  for (const ns of [AGENT.namespace, 'other-team']) await cluster.kubectl(['create', 'namespace', ns]);
  await cluster.kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: meta.name, namespace: meta.namespace },
      automountServiceAccountToken: sa.automount_service_account_token,
    }),
  );
  await cluster.kubectl(['-n', 'other-team', 'create', 'serviceaccount', AGENT.serviceAccount]);
}

beforeAll(async () => {
  cluster = await startCluster({ contexts: ['testbed'], nodes: 1 });
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
  await cluster?.shutdown();
});

/** The machine portal of a flavour, its Backstage's catalog read. */
async function startFlavour(which: Flavour): Promise<void> {
  flavour = which;
  const portal = await stack.startMachinePortal(
    {
      githubIssuerUrl: stack.trustedIssuer.issuer,
      kubernetes: { issuerUrl: cluster.apiUrl, ...AGENT },
    },
    cluster.caFile,
    which,
  );
  door = portal.door;
  if (which === 'ingress-nginx') ingressNginxJson = door.json;
  backstagePort = portal.backstage.port;
  backstageEnv = portal.backstage.plan.env;
  await createAgentAccounts(door.json);
  // The catalog has read its files once the agent finds a user in it.
  const token = await serviceAccountToken(AGENT.namespace, AGENT.serviceAccount, AGENT_AUDIENCE);
  await waitFor(
    'the catalog to hold the test users',
    async () => (await api('/api/catalog/entities/by-name/user/default/alice', token)).status === 200,
    portal.backstage.proc,
    90_000,
  );
}

describe.each<Flavour>(['ingress-nginx', 'gateway-api', 'f5-nginx'])(
  'machines and AI agents through the machine host, %s flavour (real API server tokens, nginx, oauth2-proxy, Backstage)',
  (which) => {
    beforeAll(() => startFlavour(which));

    it("the API server's CA reaches the machine entry and Backstage only as the portal's trustedCa bundle", () => {
      const apiCa = readFileSync(cluster.caFile, 'utf8').trim();
      const entry = door.machines.oauth2Proxy.plan.env;
      // The harness's own trust (SSL_CERT_FILE) is the test CA alone...
      expect(readFileSync(entry.SSL_CERT_FILE!, 'utf8')).not.toContain(apiCa);
      // ...and the synthesized SSL_CERT_DIR and NODE_EXTRA_CA_CERTS, mapped from the pods' mount
      // paths, hold the bundle's file (the ConfigMap's key as ca.pem).
      expect(readFileSync(join(entry.SSL_CERT_DIR!, 'ca.pem'), 'utf8')).toContain(apiCa);
      expect(backstageEnv.NODE_EXTRA_CA_CERTS!.endsWith('/ca.pem')).toBe(true);
      expect(readFileSync(backstageEnv.NODE_EXTRA_CA_CERTS!, 'utf8')).toContain(apiCa);
    });

    it("the API server's token is what the portal's client admits: issuer, audience, the agent's subject, no e-mail", async () => {
      const claims = decodeJwt(
        await serviceAccountToken(AGENT.namespace, AGENT.serviceAccount, AGENT_AUDIENCE),
      );
      expect(claims.iss).toBe(cluster.apiUrl);
      expect(claims.aud).toEqual([AGENT_AUDIENCE]);
      expect(claims.sub).toBe(`system:serviceaccount:${AGENT.namespace}:${AGENT.serviceAccount}`);
      expect(claims.email).toBeUndefined();
      // ...and the machine entry admits exactly that subject.
      const alpha = door.machines.oauth2Proxy.plan.alphaConfig as any;
      expect(alpha.providers[0].allowedGroups).toContain(claims.sub);
    });

    it('the in-cluster agent lists catalog entities with its service-account token', async () => {
      const token = await serviceAccountToken(AGENT.namespace, AGENT.serviceAccount, AGENT_AUDIENCE);
      const res = await api('/api/catalog/entities?filter=kind=user', token);
      expect(res.status, res.body.slice(0, 300)).toBe(200);
      const names = (res.json() as Array<{ metadata: { name: string } }>).map((e) => e.metadata.name).sort();
      expect(names).toEqual(expect.arrayContaining(['alice', 'dave']));
    });

    it("the library's MCP names are the real plugin's: the package the image must add, its plugin id", () => {
      // The package the stand-in backend adds (harness/backstage-backend.cjs) is the one the
      // Backstage construct names in backendFeatures, and its plugin id is what accessRestrictions
      // name; MCP_ACTIONS_PATH is where it answered in the test below.
      const manifest = JSON.parse(
        readFileSync(
          createRequire(__filename).resolve(`${MCP_ACTIONS_BACKEND_PACKAGE}/package.json`),
          'utf8',
        ),
      ) as { backstage: { pluginId: string } };
      expect(manifest.backstage.pluginId).toBe(MCP_ACTIONS_PLUGIN_ID);
      expect(MCP_ACTIONS_PATH).toBe(`/api/${MCP_ACTIONS_PLUGIN_ID}/v1`);
    });

    it('the agent lists the MCP tools (the catalog’s read-only actions only) and calls one', async () => {
      const token = await serviceAccountToken(AGENT.namespace, AGENT.serviceAccount, AGENT_AUDIENCE);
      const listed = await mcp(token, 1, 'tools/list');
      expect(listed.status, listed.body.slice(0, 300)).toBe(200);
      const tools = (mcpResult(listed).result.tools as Array<{ name: string }>).map((t) => t.name).sort();
      expect(tools).toContain('catalog.get-catalog-entity');
      expect(tools).toContain('catalog.query-catalog-entities');
      // mcpActions' default `actions: 'read-only'`: the destructive ones are not offered.
      expect(tools).not.toContain('catalog.register-entity');
      expect(tools).not.toContain('catalog.unregister-entity');

      const called = await mcp(token, 2, 'tools/call', {
        name: 'catalog.get-catalog-entity',
        arguments: { kind: 'User', name: 'alice' },
      });
      expect(called.status, called.body.slice(0, 300)).toBe(200);
      const result = mcpResult(called).result;
      expect(result.isError ?? false, JSON.stringify(result).slice(0, 300)).toBe(false);
      expect(JSON.stringify(result.content)).toContain(USERS.alice.email);

      // A tool the filter leaves out cannot be called either.
      const destructive = await mcp(token, 3, 'tools/call', {
        name: 'catalog.unregister-entity',
        arguments: { locationId: 'x' },
      });
      const answer = mcpResult(destructive);
      expect(JSON.stringify(answer)).toMatch(/not found/i);
    });

    it('a GitHub-Actions-shaped CI token without an e-mail lists the catalog, over HSTS, with the challenge', async () => {
      const res = await api('/api/catalog/entities?filter=kind=user', await stack.trustedIssuer.token(CI));
      expect(res.status, res.body.slice(0, 300)).toBe(200);
      // The front door's Strict-Transport-Security (the controller's, or on the Gateway API the
      // machine entry's own, one year), beside Backstage's helmet one (180 days).
      const hsts = String(res.headers['strict-transport-security'] ?? '').split(/,\s*(?=max-age)/);
      expect(hsts, JSON.stringify(res.headers)).toContainEqual(expect.stringMatching(/^max-age=31536000\b/));
      // The challenge is on every answer of the machine host (RFC 9110 11.6.1), this one too.
      expectChallenge(res, "the CI job's admitted read");
    });

    it('an admitted machine cannot pass as a person: the identity headers it sends never reach Backstage', async () => {
      const forged = {
        'x-requested-with': 'XMLHttpRequest',
        'x-forwarded-user': 'alice',
        'x-forwarded-email': USERS.alice.email,
        'x-forwarded-preferred-username': 'alice',
      };
      // Control: straight to Backstage, the same headers sign in as alice.
      const direct = await fetch(`http://127.0.0.1:${backstagePort}/api/auth/oauth2Proxy/refresh`, {
        headers: forged,
      });
      expect(direct.status).toBe(200);
      const identity = ((await direct.json()) as any).backstageIdentity.identity.userEntityRef;
      expect(identity).toBe('user:default/alice');
      // Through the machine host, with a token the machine entry admits: the request reaches
      // Backstage without the forged headers, so its oauth2Proxy provider has no e-mail to
      // sign anyone in with (Backstage answers that with a 500 of its own).
      const res = await door.machines
        .client()
        .request(`https://${MACHINE_HOST}/api/auth/oauth2Proxy/refresh`, {
          headers: { ...forged, authorization: `Bearer ${await stack.trustedIssuer.token(CI)}` },
        });
      expect(res.json().error.message, res.body.slice(0, 300)).toBe(
        'Login failed, user profile does not contain an email',
      );
      expect(res.status).toBe(500);
      expect(res.body).not.toContain('alice');
    });

    it('Backstage enforces the client’s plugins: the CI client (catalog only) passes the gateway but gets 403 from the MCP server', async () => {
      const res = await mcp(await stack.trustedIssuer.token(CI), 1, 'tools/list');
      expect(res.status, res.body.slice(0, 300)).toBe(403);
      // Backstage's own refusal (its JSON error), not nginx's or oauth2-proxy's.
      expect(res.json().error.name, res.body.slice(0, 300)).toBe('NotAllowedError');
    });

    it('refuses with 401 at the gateway, never the login page: another audience, another namespace, expired, untrusted issuer, another repository, no token', async () => {
      const cases: Record<string, string | undefined> = {
        'a service-account token for another audience': await serviceAccountToken(
          AGENT.namespace,
          AGENT.serviceAccount,
          'some-other-service',
        ),
        "another namespace's service account of the same name": await serviceAccountToken(
          'other-team',
          AGENT.serviceAccount,
          AGENT_AUDIENCE,
        ),
        'an expired CI token': await stack.trustedIssuer.token(CI, { expiresIn: '-5m' }),
        'a token from an untrusted issuer': await stack.rogueIssuer.token(CI),
        'a CI token of another repository': await stack.trustedIssuer.token({
          ...CI,
          sub: 'repo:evil/fork:ref:refs/heads/main',
          repository: 'evil/fork',
        }),
        'no token at all': undefined,
      };
      // In the request path (Gateway API, F5) the machine entry answers itself: a verified
      // token whose subject it does not admit fails its authorization (403), as RFC 6750 has
      // it; the auth endpoint ingress-nginx asks answers 401 to both.
      const forbidden =
        which !== 'ingress-nginx'
          ? ["another namespace's service account of the same name", 'a CI token of another repository']
          : [];
      for (const [kind, token] of Object.entries(cases)) {
        const status = forbidden.includes(kind) ? 403 : 401;
        expectRefusedByGateway(await api('/api/catalog/entities', token), `catalog, ${kind}`, status);
        expectRefusedByGateway(await mcp(token, 1, 'tools/list'), `MCP, ${kind}`, status);
      }
      // Without Accept: application/json too, still JSON and never a page.
      expectRefusedByGateway(
        await door.machines.client().request(`https://${MACHINE_HOST}/catalog`),
        'a page path without a token',
      );
    });

    it("people's sign-in works beside it, and a person's session cookie opens nothing on the machine host", async () => {
      const alice = door.client();
      const chain = await alice.signIn(USERS.alice.email, USERS.alice.password, '/catalog');
      const last = chain.at(-1)!;
      expect(last.status, chain.map((r) => `${r.status} ${r.url}`).join(' → ')).toBe(200);
      expect(last.url).toBe(`https://${PORTAL_HOST}/catalog`);
      // The challenge is the machine host's: the people's API answers 401 without one.
      const anonymous = await door.client().request(`https://${PORTAL_HOST}/api/catalog/entities`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.header('www-authenticate')).toBeUndefined();
      const cookie = alice.cookieHeader(PORTAL_HOST);
      expect(cookie).not.toBe('');
      const res = await door.machines
        .client()
        .request(`https://${MACHINE_HOST}/api/catalog/entities`, { headers: { cookie } });
      expectRefusedByGateway(res, "a person's cookie on the machine host");
    });
  },
);

// The machine host's challenge needs the controller's allow-list of response headers: read
// from the ingress-nginx flavour's synthesis, derived with and without it.
describe('the ingress-nginx machine host and its controller', () => {
  it('a controller that does not allow the header denies the machine host (503), as ingress-nginx does: why IngressNginxController allows it', () => {
    const json = ingressNginxJson!;
    const config = controllerConfigOf(json)!;
    expect(config['global-allowed-response-headers']).toBe('WWW-Authenticate');
    // The derivation follows nginx.tmpl and the customheaders parser of ingress-nginx v1.15.1.
    const machineIngresses = ingressesOf(json).filter((i) => i.rules.some((r) => r.host === MACHINE_HOST));
    const derive = (controllerConfig: Record<string, string>) =>
      deriveNginxConfig(machineIngresses, {
        dir: '/nonexistent',
        // Only the text is compared: every Service of the stack maps to a dead address.
        upstreams: new Map(services(json).map((svc) => [`${svc.name}:${svc.port}`, '127.0.0.1:1'] as const)),
        tlsSecrets: new Map([[SECRETS.tls, { cert: '/nonexistent.crt', key: '/nonexistent.key' }]]),
        httpsPort: 1,
        httpPort: 2,
        controllerConfig,
        configMaps: configMapIndex(json),
      }).config;
    expect(derive(config)).toContain(
      'more_set_headers "WWW-Authenticate: Bearer realm=\\"api.backstage.example.com\\"";',
    );
    const { ['global-allowed-response-headers']: _allowed, ...without } = config;
    const denied = derive(without);
    expect(denied).toContain('# Location denied. Reason: header WWW-Authenticate is not allowed');
    expect(denied).toContain('return 503;');
    expect(denied).not.toContain('more_set_headers');
  });
});
