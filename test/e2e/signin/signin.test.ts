// Sign-in end to end, with the real programs configured only from what the library
// synthesizes: oauth2-proxy (built from its Go module), Debian's nginx (config derived
// from the Ingress annotations as ingress-nginx renders them, from the mergeable
// Ingresses and Policies as the F5 NGINX Ingress Controller renders them, or from the
// Gateway and HTTPRoutes as a Gateway API data plane routes them), Debian's
// redis-server (the Redis session store), an OpenID provider (npm oidc-provider) and a
// Backstage backend from Backstage's npm packages, all on 127.0.0.1. Run: npm run test:signin.
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { OrgSource, RbacCondition, RbacRole, Team } from '../../../lib';
import { BrowserHandle, launchBrowser } from './harness/browser';
import { deriveF5NginxConfig, f5PoliciesOf, F5Policy } from './harness/f5-nginx';
import { deriveGatewayApiNginxConfig, GatewayApiObjects, gatewayApiObjectsOf } from './harness/gateway-api';
import { HttpClient, parseSetCookie } from './harness/http';
import { ENTRA_MAX_GROUPS, TestUser, USERS } from './harness/idp';
import { ingressesOf, IngressSpec } from './harness/nginx';
import { planOauth2Proxy } from './harness/oauth2-proxy';
import {
  configMapData,
  MACHINE_AUDIENCE,
  one,
  PORTAL_HOST,
  PortalOptions,
  resolve,
  resourceAt,
  SECRETS,
  synthesizePortal,
} from './harness/portal';
import { waitFor } from './harness/processes';
import {
  configTest,
  FrontDoor,
  frontDoorName,
  FrontDoorSpec,
  Stack,
  startStack,
  TeamsPortal,
} from './harness/stack';

/**
 * The front doors every key scenario runs through: both flavours, both session stores,
 * each running its synthesized objects exactly as synthesized.
 */
const FRONT_DOORS: readonly FrontDoorSpec[] = [
  { flavour: 'ingress-nginx', sessionStore: 'cookie' },
  { flavour: 'f5-nginx', sessionStore: 'cookie' },
  { flavour: 'ingress-nginx', sessionStore: 'redis' },
  { flavour: 'f5-nginx', sessionStore: 'rediss' },
  { flavour: 'gateway-api', sessionStore: 'cookie' },
  { flavour: 'gateway-api', sessionStore: 'redis' },
];

let stack: Stack;
/** The primary front door (ingress-nginx, cookie sessions) and its browser. */
let primary: FrontDoor;
let browser: BrowserHandle;
let portal: string;

beforeAll(async () => {
  stack = await startStack();
  primary = stack.primary;
  portal = primary.portal;
  // The other front doors (and their browsers) start side by side while the first scenarios run.
  for (const spec of FRONT_DOORS)
    void stack
      .frontDoor(spec)
      .then((door) => door.browser())
      .catch(() => undefined);
  browser = await primary.browser();
});

afterAll(async () => {
  await stack?.stop();
});

/** oauth2-proxy's value of a flag, read from the synthesized args it runs with. */
function flag(name: string, door: FrontDoor = primary): string | undefined {
  return door.oauth2Proxy.plan.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** Browser sign-in: open a portal page, land on the IdP, sign in, come back. */
async function browserSignIn(
  context: BrowserContext,
  user: TestUser,
  path = '/catalog',
  door: FrontDoor = primary,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${door.portal}${path}`);
  expect(new URL(page.url()).origin, 'an anonymous visitor is sent to the IdP').toBe(stack.idp.issuer);
  await page.fill('#email', user.email);
  await page.fill('#password', user.password);
  await page.click('#submit');
  return page;
}

async function identityOnPage(page: Page): Promise<string> {
  await page.waitForFunction(
    () => (globalThis as any).document.getElementById('identity')?.textContent !== '…',
  );
  return (await page.textContent('#identity')) ?? '';
}

/** What Backstage says about the caller (the call ProxiedSignInPage makes). */
async function whoAmI(client: HttpClient, headers: Record<string, string> = {}, door: FrontDoor = primary) {
  const res = await client.request(`${door.portal}/api/auth/oauth2Proxy/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest', ...headers },
  });
  return {
    res,
    ref: res.status === 200 ? (res.json().backstageIdentity.identity.userEntityRef as string) : undefined,
  };
}

async function signedInClient(user: TestUser, door: FrontDoor = primary): Promise<HttpClient> {
  const client = door.client();
  const chain = await client.signIn(user.email, user.password);
  const last = chain[chain.length - 1]!;
  expect(last.status, `${user.email} signs in: ${chain.map((r) => `${r.status} ${r.url}`).join(' → ')}`).toBe(
    200,
  );
  return client;
}

/** The session cookie parts oauth2-proxy set (one cookie, or `<name>_0`, `<name>_1`, … when split). */
function sessionParts(cookies: Map<string, string>, door: FrontDoor = primary): Array<[string, string]> {
  const name = door.cookie.name;
  if (cookies.has(name)) return [[name, cookies.get(name)!]];
  const parts: Array<[string, string]> = [];
  for (let i = 0; cookies.has(`${name}_${i}`); i++)
    parts.push([`${name}_${i}`, cookies.get(`${name}_${i}`)!]);
  return parts;
}

/**
 * The same session re-signed as if it had been issued `ageSeconds` ago (oauth2-proxy signs
 * "value|timestamp" with HMAC-SHA256 keyed by the cookie secret and checks the age
 * against --cookie-expire). With ageSeconds = 0 it must still be accepted.
 */
function resignedSession(cookies: Map<string, string>, ageSeconds: number): string {
  const parts = sessionParts(cookies);
  const joined = parts.map(([, v]) => v).join('');
  const [value, ts, sig] = joined.split('|');
  expect(sig).toBeDefined();
  const when = String(Math.floor(Date.now() / 1000) - ageSeconds);
  expect(when.length).toBe(ts!.length);
  const newSig = createHmac('sha256', primary.cookie.secret)
    .update(primary.cookie.name)
    .update(value!)
    .update(when)
    .digest('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
  const resigned = `${value}|${when}|${newSig}`;
  expect(resigned.length).toBe(joined.length);
  let offset = 0;
  return parts
    .map(([name, v]) => {
      const piece = resigned.slice(offset, offset + v.length);
      offset += v.length;
      return `${name}=${piece}`;
    })
    .join('; ');
}

function durationSeconds(d: string): number {
  let total = 0;
  for (const [, n, unit] of d.matchAll(/(\d+)(h|m|s)/g))
    total += Number(n) * ({ h: 3600, m: 60, s: 1 } as Record<string, number>)[unit!]!;
  return total;
}

const catalogUsers = `/api/catalog/entities?filter=kind=user`;
// Claims that also satisfy the portal's access policy (e-mail domain and group).
const policyClaims = { email: 'ci-bot@example.com', groups: ['portal-users'] };

async function machineCall(token: string, door: FrontDoor = primary) {
  return door.client().request(`${door.portal}${catalogUsers}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
}

// The scenarios users depend on, through every front door: each flavour with each session
// store, all in front of the same Backstage and IdP.
describe.each(FRONT_DOORS.map((spec) => [frontDoorName(spec), spec] as const))(
  'front door: %s',
  (_name, spec) => {
    let door: FrontDoor;
    beforeAll(async () => {
      door = await stack.frontDoor(spec);
    });
    const redis = spec.sessionStore !== 'cookie';

    it('an anonymous visitor goes to the IdP, signs in with PKCE, and lands on the page asked for as the catalog user', async () => {
      const before = stack.idp.authorizationRequests.length;
      const context = await (await door.browser()).browser.newContext();
      try {
        const page = await browserSignIn(context, USERS.alice, '/catalog?kind=component', door);
        await page.waitForURL(`${door.portal}/catalog?kind=component`);
        expect(await identityOnPage(page)).toBe('user:default/alice');

        // The authorization request oauth2-proxy sent the browser with.
        const auth = stack.idp.authorizationRequests.slice(before).at(-1)!;
        expect(auth.get('code_challenge_method')).toBe('S256');
        expect(auth.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(auth.get('nonce')).toBeTruthy();
        expect(auth.get('redirect_uri')).toBe(`${door.portal}/oauth2/callback`);
        expect(auth.get('client_id')).toBe(door.oauth2Proxy.plan.alphaConfig.providers[0].clientID);

        // /api/auth/oauth2Proxy/refresh names the entity and its group ownership.
        const body: any = await page.evaluate(async () =>
          (
            await fetch('/api/auth/oauth2Proxy/refresh', {
              headers: { 'X-Requested-With': 'XMLHttpRequest' },
            })
          ).json(),
        );
        expect(body.backstageIdentity.identity).toMatchObject({
          type: 'user',
          userEntityRef: 'user:default/alice',
          ownershipEntityRefs: expect.arrayContaining(['user:default/alice', 'group:default/portal-users']),
        });
        expect(body.profile.email).toBe(USERS.alice.email);
      } finally {
        await context.close();
      }
    });

    it.each([
      ['outside the allowed e-mail domains', USERS.mallory],
      ['outside the allowed groups', USERS.bob],
    ])('a user %s signs in at the IdP but gets 403 from the gateway, and no session', async (_why, user) => {
      const loginsBefore = stack.idp.logins.length;
      const client = door.client();
      const chain = await client.signIn(user.email, user.password, '/catalog');
      expect(stack.idp.logins.slice(loginsBefore)).toContain(user.email); // the IdP said yes
      const last = chain.at(-1)!;
      expect(`${last.status} ${new URL(last.url).pathname}`).toBe('403 /oauth2/callback'); // the gateway says no
      expect(sessionParts(client.cookies(), door)).toEqual([]);
      expect((await whoAmI(client, {}, door)).ref).toBeUndefined();
    });

    it('a client without a session sending X-Forwarded-* and X-OAUTH2-PROXY-ID-TOKEN never reaches Backstage', async () => {
      const { res, ref } = await whoAmI(
        door.client(),
        {
          'x-forwarded-user': USERS.alice.sub,
          'x-forwarded-email': USERS.alice.email,
          'x-forwarded-preferred-username': 'alice',
          'x-oauth2-proxy-id-token': 'Bearer forged',
        },
        door,
      );
      expect(ref).toBeUndefined();
      expect([302, 401]).toContain(res.status);
    });

    it("a signed-in user sending another user's identity headers (even her real ID token) stays himself", async () => {
      const alice = await signedInClient(USERS.alice, door);
      const aliceToken = (await alice.request(`${door.portal}/api/auth/oauth2Proxy/refresh`)).json()
        .providerInfo.accessToken as string;
      expect(aliceToken.split('.')).toHaveLength(3);
      const dave = await signedInClient(USERS.dave, door);
      const { ref } = await whoAmI(
        dave,
        {
          'X-Forwarded-User': USERS.alice.sub,
          'X-Forwarded-Email': USERS.alice.email,
          'X-Forwarded-Preferred-Username': USERS.alice.preferredUsername,
          'X-OAUTH2-PROXY-ID-TOKEN': `Bearer ${aliceToken}`,
        },
        door,
      );
      expect(ref).toBe('user:default/dave');
    });

    it('a missing session on /api/* gets 401, not a redirect', async () => {
      const res = await door.client().request(`${door.portal}/api/catalog/entities`, {
        headers: { accept: 'application/json', 'x-requested-with': 'XMLHttpRequest' },
      });
      expect(res.status).toBe(401);
    });

    it('a token from the trusted issuer that also meets the access policy passes the gateway and Backstage checks it', async () => {
      const token = await stack.trustedIssuer.token({
        sub: 'ci-bot',
        aud: MACHINE_AUDIENCE,
        ...policyClaims,
      });
      const res = await machineCall(token, door);
      expect(res.status, res.body.slice(0, 300)).toBe(200);
      const names = (res.json() as Array<{ metadata: { name: string } }>).map((e) => e.metadata.name).sort();
      expect(names).toEqual(['alice', 'bob', 'dave', 'erin']);
    });

    it('a token from an untrusted issuer, with a bad signature, expired or for another audience does not get through', async () => {
      const tokens = {
        untrusted: await stack.rogueIssuer.token({ sub: 'ci-bot', aud: MACHINE_AUDIENCE, ...policyClaims }),
        forged: await stack.trustedIssuer.forgedToken({
          sub: 'ci-bot',
          aud: MACHINE_AUDIENCE,
          ...policyClaims,
        }),
        expired: await stack.trustedIssuer.token(
          { sub: 'ci-bot', aud: MACHINE_AUDIENCE, ...policyClaims },
          { expiresIn: '-5m' },
        ),
        otherAudience: await stack.trustedIssuer.token({
          sub: 'ci-bot',
          aud: 'something-else',
          ...policyClaims,
        }),
      };
      for (const [kind, token] of Object.entries(tokens)) {
        const res = await machineCall(token, door);
        expect(res.status, kind).not.toBe(200);
        expect(res.body, kind).not.toContain('"kind":"User"');
      }
    });

    // The people's host keeps the people's policy for bearer tokens too: oauth2-proxy applies
    // --email-domain and allowedGroups to them (the e-mail falls back to `sub`), so a genuine
    // token without an allowed e-mail and group is refused there: 401 from its auth endpoint
    // (ingress-nginx passes it on for /api), 403 in the request path. Machines without an
    // e-mail get in on the machine host instead (machineHost; machine-agents.test.ts).
    it("on the people's host, a genuine machine token without an allowed e-mail and group is refused: the people's policy holds", async () => {
      const log = () => readFileSync(door.oauth2Proxy.proc.logFile, 'utf8');
      const refusals = () =>
        (log().match(/Invalid authorization via session \(invalid email\)/g) ?? []).length;
      const before = refusals();
      const token = await stack.trustedIssuer.token({ sub: 'ci-bot', aud: MACHINE_AUDIENCE });
      const res = await machineCall(token, door);
      expect(res.status, res.body.slice(0, 200)).toBe(spec.flavour === 'ingress-nginx' ? 401 : 403);
      expect(res.body).not.toContain('"kind":"User"');
      // Refused for its e-mail (the subject "ci-bot"), not for its signature or audience.
      await waitFor('oauth2-proxy to log the refusal', async () => refusals() > before, undefined, 10_000);
    });

    it('sign-out ends the portal session; the next visit goes back through the IdP', async () => {
      const context = await (await door.browser()).browser.newContext();
      try {
        const page = await browserSignIn(context, USERS.alice, '/catalog', door);
        await page.waitForURL(`${door.portal}/catalog`);
        expect(await identityOnPage(page)).toBe('user:default/alice');
        // The sign-out link, followed by the browser itself (not its redirect to "/", which
        // would start a new sign-in right away).
        const out = await page.evaluate(
          async () => (await fetch('/oauth2/sign_out', { redirect: 'manual' })).type,
        );
        expect(out).toBe('opaqueredirect');
        const left = (await context.cookies(door.portal)).filter(
          (c) => c.name === door.cookie.name || /_\d+$/.test(c.name),
        );
        expect(left).toEqual([]);
        const status = await page.evaluate(
          async () => (await fetch('/api/auth/oauth2Proxy/refresh', { redirect: 'manual' })).status,
        );
        expect(status).not.toBe(200);
        // The IdP's own session is not ended by the portal (oauth2-proxy only clears its
        // session): the next visit goes through the IdP, which signs Alice in again (SSO).
        const before = stack.idp.authorizationRequests.length;
        await page.goto(`${door.portal}/catalog`);
        expect(stack.idp.authorizationRequests.length).toBeGreaterThan(before);
      } finally {
        await context.close();
      }
    });

    if (!redis)
      it('with cookie sessions, a copy of the cookie taken before sign-out still works (documented: use SessionStore.redis to end sessions server-side)', async () => {
        const alice = await signedInClient(USERS.alice, door);
        const copied = alice.cookieHeader();
        const out = await alice.request(`${door.portal}/oauth2/sign_out`);
        expect(out.status).toBe(302);
        expect(sessionParts(alice.cookies(), door)).toEqual([]);
        expect((await whoAmI(alice, {}, door)).ref).toBeUndefined();
        expect((await whoAmI(alice, { cookie: copied }, door)).ref).toBe('user:default/alice');
      });

    if (redis)
      it('with Redis sessions, sign-out ends the session server-side: a copy of the cookie taken before no longer works', async () => {
        const pattern = `${door.cookie.name}-*`;
        const before = await stack.redis.keys(pattern);
        const alice = await signedInClient(USERS.alice, door);
        // The cookie is a ticket; the session itself is a new key in Redis.
        const created = (await stack.redis.keys(pattern)).filter((k) => !before.includes(k));
        expect(created).toHaveLength(1);
        const copied = alice.cookieHeader();
        expect((await whoAmI(alice, { cookie: copied }, door)).ref).toBe('user:default/alice');
        const out = await alice.request(`${door.portal}/oauth2/sign_out`);
        expect(out.status).toBe(302);
        expect(await stack.redis.keys(pattern)).not.toContain(created[0]);
        const replay = await whoAmI(alice, { cookie: copied }, door);
        expect(replay.ref).toBeUndefined();
        expect(replay.res.status).toBe(401);
      });

    it('plain HTTP is redirected permanently to the same URL on HTTPS, and HTTPS answers carry HSTS', async () => {
      const plain = await door.client().request(`http://${door.nginx.plan.host}/catalog?a=1`);
      expect([301, 308]).toContain(plain.status);
      // ingress-nginx sends https://<host>/…, the F5 controller https://<host>:443/…: the same URL.
      expect(new URL(plain.header('location')!).href).toBe(`${door.portal}/catalog?a=1`);
      const alice = await signedInClient(USERS.alice, door);
      const page = await alice.request(`${door.portal}/catalog`);
      expect(page.status).toBe(200);
      expect(page.header('strict-transport-security')).toMatch(/max-age=\d{7,}/);
    });

    // Over HTTP/1.1 the whole session travels in one Cookie header line. With cookie sessions an
    // Entra-sized one (200 groups in the ID token) is ~25 KB: ingress-nginx's library-installed
    // controller sizes its header buffers for it, and a Gateway data plane with Envoy's limits
    // (60 KiB, harness/gateway-api.ts) takes it; with Redis the cookie is a small ticket.
    if (spec.flavour !== 'f5-nginx' || redis)
      it('an HTTP/1.1 client with an Entra-sized session (200 groups) is signed in', async () => {
        expect(USERS.erin.groups).toHaveLength(ENTRA_MAX_GROUPS);
        const erin = await signedInClient(USERS.erin, door);
        const cookieBytes = erin.cookieHeader().length;
        console.log(`[large session] ${door.name}: HTTP/1.1 Cookie header ${cookieBytes} bytes`);
        if (redis) expect(cookieBytes).toBeLessThan(512);
        else expect(cookieBytes).toBeGreaterThan(16 * 1024);
        const { res, ref } = await whoAmI(erin, {}, door);
        expect(res.status, res.body.slice(0, 200)).toBe(200);
        expect(ref).toBe('user:default/erin');
      });

    // KNOWN LIMIT of the F5 flavour with cookie sessions (in the README of this folder): the
    // F5 controller keeps nginx's default large_client_header_buffers (4 8k; it has no
    // ConfigMap key for them) and serves HTTP/1.1 only unless its ConfigMap sets http2, and the
    // library installs no F5 controller to size them. The ~25 KB Cookie header of an
    // Entra-sized session is refused with 400. SessionStore.redis avoids it (scenario above).
    if (spec.flavour === 'f5-nginx' && !redis)
      it('an HTTP/1.1 client with an Entra-sized cookie session gets 400 from the F5 controller (use SessionStore.redis)', async () => {
        const erin = door.client();
        const chain = await erin.signIn(USERS.erin.email, USERS.erin.password, '/catalog');
        // The sign-in itself succeeds: the callback sets the ~25 KB session and sends her back.
        const callback = chain.find((r) => new URL(r.url).pathname === '/oauth2/callback');
        expect(`${callback?.status} ${callback?.header('location')}`).toBe('302 /catalog');
        expect(erin.cookieHeader().length).toBeGreaterThan(16 * 1024);
        // Then nginx refuses the request carrying it, before oauth2-proxy or Backstage see it.
        const last = chain.at(-1)!;
        expect(`${last.status} ${last.url}`).toBe(`400 ${door.portal}/catalog`);
        expect(last.body).toMatch(/<title>400 Request Header Or Cookie Too Large<\/title>/);
      });
  },
);

describe('browser sign-in details (ingress-nginx, cookie sessions)', () => {
  it('session cookies carry Secure, HttpOnly and the configured SameSite', async () => {
    const context = await browser.browser.newContext();
    try {
      const page = await browserSignIn(context, USERS.alice);
      await page.waitForURL(`${portal}/catalog`);
      const session = (await context.cookies(portal)).filter(
        (c) => c.name === primary.cookie.name || c.name.startsWith(`${primary.cookie.name}_`),
      );
      expect(session.length).toBeGreaterThan(0);
      const sameSite = primary.cookie.sameSite.charAt(0).toUpperCase() + primary.cookie.sameSite.slice(1);
      expect(sameSite).toBe('Lax'); // the library's default, read from --cookie-samesite
      for (const c of session) {
        expect(c, c.name).toMatchObject({
          secure: true,
          httpOnly: true,
          sameSite: sameSite,
          domain: stack.host,
          path: '/',
        });
        // --cookie-expire bounds the cookie's lifetime.
        expect(c.expires - Date.now() / 1000).toBeLessThanOrEqual(
          durationSeconds(flag('cookie-expire')!) + 5,
        );
      }
    } finally {
      await context.close();
    }
    // The raw Set-Cookie headers, CSRF cookie included.
    const client = stack.client();
    const chain = await client.signIn(USERS.alice.email, USERS.alice.password);
    const setCookies = chain
      .filter((r) => r.url.startsWith(portal))
      .flatMap((r) => r.setCookies.map(parseSetCookie))
      .filter((c) => c.value !== '');
    const names = setCookies.map((c) => c.name);
    expect(names.some((n) => n.startsWith(primary.cookie.name) && n.endsWith('_csrf'))).toBe(true);
    expect(names.some((n) => n === primary.cookie.name || n.startsWith(`${primary.cookie.name}_0`))).toBe(
      true,
    );
    for (const c of setCookies) {
      expect(c.attributes.secure, `${c.name} Secure`).toBe(true);
      expect(c.attributes.httponly, `${c.name} HttpOnly`).toBe(true);
      const expected = c.name.includes('_csrf') ? flag('cookie-csrf-samesite') : flag('cookie-samesite');
      expect(String(c.attributes.samesite).toLowerCase(), `${c.name} SameSite`).toBe(expected);
    }
  });

  it('a session cookie as large as an Entra ID one (200 groups in the ID token) works through nginx', async () => {
    const context = await browser.browser.newContext();
    try {
      const page = await browserSignIn(context, USERS.erin);
      await page.waitForURL(`${portal}/catalog`);
      expect(await identityOnPage(page)).toBe('user:default/erin');
      const parts = (await context.cookies(portal)).filter((c) =>
        /^_oauth2_proxy(_\d+)?$/.test(c.name.replace(primary.cookie.name, '_oauth2_proxy')),
      );
      const size = parts.reduce((n, c) => n + c.name.length + c.value.length + 2, 0);
      console.log(`[large session] ${parts.length} cookies, ${size} bytes of Cookie header`);
      expect(parts.length).toBeGreaterThan(1); // split by oauth2-proxy
      expect(size).toBeGreaterThan(8 * 1024);
      // Every part counts: spoil the last one and the session is refused (no auth cache here).
      const last = parts.reduce((a, b) => (a.name > b.name ? a : b));
      await context.addCookies([{ ...last, value: 'x' }]);
      const status = await page.evaluate(
        async () => (await fetch('/api/auth/oauth2Proxy/refresh', { redirect: 'manual' })).status,
      );
      expect(status).not.toBe(200);
    } finally {
      await context.close();
    }
  });
});

describe('expired sessions and redirects (ingress-nginx, cookie sessions)', () => {
  it('a page without a session is redirected to sign-in (control)', async () => {
    const res = await stack.client().request(`${portal}/catalog?x=1&y=2`);
    expect(res.status).toBe(302);
    const location = new URL(res.header('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${portal}/oauth2/start`);
    expect(location.searchParams.get('rd')).toBe('/catalog?x=1&y=2');
  });

  it('a session older than --cookie-expire is refused (and a fresh signature of the same session is not)', async () => {
    const alice = await signedInClient(USERS.alice);
    const fresh = await alice.request(`${portal}/api/auth/oauth2Proxy/refresh`, {
      headers: { cookie: resignedSession(alice.cookies(), 0) },
    });
    expect(fresh.status).toBe(200);
    const expire = durationSeconds(flag('cookie-expire')!);
    const old = await alice.request(`${portal}/api/auth/oauth2Proxy/refresh`, {
      headers: { cookie: resignedSession(alice.cookies(), expire + 60) },
    });
    expect(old.status).not.toBe(200);
  });

  // oauth2-proxy's /oauth2/auth answers 401 whatever the path; the library gives the API
  // prefixes their own Ingress without auth-signin, so nginx passes that 401 on.
  it('an expired session on /api/* gets 401, not a redirect', async () => {
    const alice = await signedInClient(USERS.alice);
    const expired = await alice.request(`${portal}/api/catalog/entities`, {
      headers: {
        accept: 'application/json',
        cookie: resignedSession(alice.cookies(), durationSeconds(flag('cookie-expire')!) + 60),
      },
    });
    expect(expired.status).toBe(401);
  });
});

describe('Backstage checks machine tokens on its own', () => {
  it('a token with a bad signature straight to Backstage (as from inside the cluster) is refused by its externalAccess JWKS check', async () => {
    const forged = await stack.trustedIssuer.forgedToken({
      sub: 'ci-bot',
      aud: MACHINE_AUDIENCE,
      ...policyClaims,
    });
    const direct = await fetch(`http://127.0.0.1:${stack.backstage.port}${catalogUsers}`, {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(direct.status).toBe(401);
    const genuine = await stack.trustedIssuer.token({ sub: 'ci-bot', aud: MACHINE_AUDIENCE });
    const directGenuine = await fetch(`http://127.0.0.1:${stack.backstage.port}${catalogUsers}`, {
      headers: { authorization: `Bearer ${genuine}` },
    });
    expect(directGenuine.status).toBe(200);
  });
});

describe('transport (ingress-nginx)', () => {
  it('the derived nginx config follows the annotations: with a 4k proxy buffer the Entra-sized session breaks', async () => {
    const small = await stack.nginxFor({ proxyBufferSize: '4k' });
    const other = await launchBrowser({
      host: stack.host,
      httpsPort: small.nginx.plan.httpsPort,
      httpPort: small.nginx.plan.httpPort,
      caFile: stack.pki.caFile,
    });
    try {
      const main = small.ingresses.find((i) => i.annotations['nginx.ingress.kubernetes.io/auth-url'])!;
      expect(main.annotations['nginx.ingress.kubernetes.io/proxy-buffer-size']).toBe('4k');
      expect(readFileSync(`${small.nginx.dir}/nginx.conf`, 'utf8')).toContain('proxy_buffer_size 4k;');
      const context = await other.browser.newContext();
      const statuses: number[] = [];
      const page = await context.newPage();
      page.on('response', (r) => {
        if (r.url().startsWith(portal)) statuses.push(r.status());
      });
      await page.goto(`${portal}/catalog`);
      await page.fill('#email', USERS.erin.email);
      await page.fill('#password', USERS.erin.password);
      await Promise.all([
        page.waitForResponse((r) => r.url().startsWith(portal) && r.status() >= 500),
        page.click('#submit'),
      ]);
      // oauth2-proxy's answers (split Set-Cookie headers, the ~10 KB ID token header) no
      // longer fit nginx's buffer; the library's default (32k for cookie sessions) does,
      // as the Entra-sized browser sign-in above shows.
      expect(statuses.some((st) => st >= 500)).toBe(true);
      expect(readFileSync(`${small.nginx.dir}/error.log`, 'utf8')).toMatch(/upstream sent too big header/);
    } finally {
      await other.close();
      await small.nginx.stop();
    }
  });
});

describe('auth caching (ingress authCacheDuration)', () => {
  // An Entra-sized session is split into more cookies than any fixed list names (7 here):
  // a request sharing some parts of a cached session but not the rest must not be
  // answered from the cache as that user. The key is the whole Cookie header.
  it('the auth cache key covers every part of a split session', async () => {
    const cached = await stack.nginxFor({ authCacheDuration: '1m' });
    const other = await launchBrowser({
      host: stack.host,
      httpsPort: cached.nginx.plan.httpsPort,
      httpPort: cached.nginx.plan.httpPort,
      caFile: stack.pki.caFile,
    });
    try {
      const context = await other.browser.newContext();
      const page = await browserSignIn(context, USERS.erin);
      await page.waitForURL(`${portal}/catalog`);
      expect(await identityOnPage(page)).toBe('user:default/erin'); // now cached
      const parts = (await context.cookies(portal)).filter((c) =>
        new RegExp(`^${primary.cookie.name}_\\d+$`).test(c.name),
      );
      expect(parts.length).toBeGreaterThan(4);
      // Spoil every part the key does not name.
      await context.addCookies(
        parts.filter((c) => Number(c.name.split('_').pop()) > 3).map((c) => ({ ...c, value: 'x' })),
      );
      const status = await page.evaluate(
        async () => (await fetch('/api/auth/oauth2Proxy/refresh', { redirect: 'manual' })).status,
      );
      expect(status).not.toBe(200);
    } finally {
      await other.close();
      await cached.nginx.stop();
    }
  });

  it("caches per credential: fewer auth calls, and never one user answered with another's identity", async () => {
    const cached = await stack.nginxFor({ authCacheDuration: '1m' });
    try {
      const main = cached.ingresses.find((i) => i.annotations['nginx.ingress.kubernetes.io/auth-url'])!;
      expect(main.annotations['nginx.ingress.kubernetes.io/auth-cache-key']).toBeTruthy();
      const authCalls = () =>
        (
          readFileSync(primary.oauth2Proxy.proc.logFile, 'utf8').match(
            /GET - "\/oauth2\/auth"|"GET \/oauth2\/auth/g,
          ) ?? []
        ).length;
      // oauth2-proxy's log reaches its file through a pipe: count once it has stopped growing
      // (under load, lines of the sign-ins below could otherwise land after "before").
      const settledAuthCalls = async () => {
        for (let last = -1; ; await new Promise((r) => setTimeout(r, 300))) {
          const now = authCalls();
          if (now === last) return now;
          last = now;
        }
      };
      const alice = cached.client();
      await alice.signIn(USERS.alice.email, USERS.alice.password);
      const dave = cached.client();
      await dave.signIn(USERS.dave.email, USERS.dave.password);
      const before = await settledAuthCalls();
      for (let i = 0; i < 5; i++) expect((await whoAmI(alice)).ref).toBe('user:default/alice');
      expect((await settledAuthCalls()) - before).toBeLessThanOrEqual(1);
      for (let i = 0; i < 3; i++) expect((await whoAmI(dave)).ref).toBe('user:default/dave');
      // No credential: not answered from anyone's cached "yes".
      const anonymous = await cached.client().request(`${portal}/api/auth/oauth2Proxy/refresh`);
      expect(anonymous.status).not.toBe(200);
      // Alice's cookies plus someone else's Authorization header: a different key.
      const mixed = await whoAmI(alice, { authorization: 'Bearer not-a-jwt' });
      expect(mixed.ref).toBe('user:default/alice');
    } finally {
      await cached.nginx.stop();
    }
  });
});

// Every gateway config the library renders, run through the real program's own check:
// oauth2-proxy --config-test parses the exact args and alpha config (an unknown or legacy-only
// flag fails it), validates them, builds the machine issuers' verifiers and, with a Redis
// session store, connects to Redis and sets, reads and deletes a key. (It does not need the
// IdP to answer: v7.15.6 discovers the provider only when the proxy starts, which every live
// scenario above does for the configs it runs.)
describe('oauth2-proxy metrics (OidcGateway metrics), the primary front door', () => {
  /** Sums the samples of `oauth2_proxy_requests_total` with this status code (0 when there are none yet). */
  const requestsWith = (text: string, code: number) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`oauth2_proxy_requests_total{code="${code}"}`))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${primary.oauth2Proxy.plan.metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('the port the Service, the NetworkPolicy and the pod annotations open to the scraper is the one oauth2-proxy binds its metrics server to', () => {
    const json = primary.json;
    const deployment = resourceAt(json, 'kubernetes_deployment_v1', 'Gateway/Deployment');
    const template = one(one(deployment.spec).template);
    const container = one(one(template.spec).container);
    // The alpha config as synthesized (the harness rewrites the bind addresses of its copy).
    expect(container.args).toContain('--alpha-config=/etc/oauth2-proxy/alpha-config.yaml');
    const alpha = parseYaml(configMapData(json, 'oauth2-proxy-config')['alpha-config.yaml']!);
    const bound = Number(String(alpha.metricsServer.bindAddress).split(':').pop());
    expect(alpha.metricsServer.bindAddress).toBe(`0.0.0.0:${bound}`);
    expect(container.port).toContainEqual({ name: 'metrics', container_port: bound, protocol: 'TCP' });
    expect(one(template.metadata).annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(bound),
      'prometheus.io/path': '/metrics',
    });
    const service = resourceAt(json, 'kubernetes_service_v1', 'Gateway/Service');
    expect(one(service.spec).port).toContainEqual({
      name: 'metrics',
      port: bound,
      target_port: 'metrics',
      protocol: 'TCP',
    });
    const policy = resourceAt(json, 'kubernetes_network_policy_v1', 'Gateway/NetworkPolicy');
    const scraperRules = one(policy.spec).ingress.filter((rule: any) =>
      JSON.stringify(rule.from).includes('"monitoring"'),
    );
    expect(scraperRules.map((rule: any) => rule.ports)).toEqual([[{ port: String(bound), protocol: 'TCP' }]]);
    const monitor = resourceAt(json, 'kubernetes_manifest', 'Gateway/ServiceMonitor').manifest;
    expect(monitor.spec.endpoints).toEqual([
      { port: 'metrics', path: '/metrics', scheme: 'http', interval: '15s' },
    ]);
  });

  it('serves Prometheus metrics there that count the auth answers it gave; the port nginx reaches serves none', async () => {
    const before = requestsWith(await scrape(), 401);
    const client = primary.client();
    for (let i = 0; i < 3; i++) {
      // No session: nginx's auth subrequest gets oauth2-proxy's 401, and the browser a redirect.
      const res = await client.request(`${portal}/catalog`);
      expect(res.status).toBe(302);
    }
    const after = await scrape();
    expect(requestsWith(after, 401) - before).toBeGreaterThanOrEqual(3);
    expect(after).toContain('# TYPE oauth2_proxy_response_duration_seconds histogram');
    // Through nginx, /metrics is a portal path like any other: sign in first.
    const viaNginx = await client.request(`${portal}/metrics`);
    expect(viaNginx.status).toBe(302);
    expect(viaNginx.body).not.toContain('oauth2_proxy_requests_total');
    // Straight to the gateway's own port (what the ingress controller reaches): no metrics either.
    const direct = await fetch(`http://127.0.0.1:${primary.oauth2Proxy.port}/metrics`, {
      redirect: 'manual',
    });
    expect(direct.status).not.toBe(200);
    expect(await direct.text()).not.toContain('oauth2_proxy_requests_total');
  });
});

describe('oauth2-proxy --config-test of the synthesized gateway configs', () => {
  const stores = {
    cookie: 'cookie sessions',
    redis: 'Redis sessions (password)',
    rediss: 'Redis sessions over TLS (password, private CA)',
  } as const;
  const flavours = {
    'ingress-nginx': 'ingress-nginx (auth-url mode)',
    'f5-nginx': 'f5-nginx (oauth2-proxy in the request path)',
    'gateway-api': 'gateway-api (oauth2-proxy in the request path, HSTS on what it proxies)',
  } as const;
  const options = (
    ingressFlavour: keyof typeof flavours,
    store: keyof typeof stores,
    more: Partial<PortalOptions> = {},
  ): PortalOptions => ({
    issuerUrl: stack.idp.issuer,
    machineIssuerUrl: stack.trustedIssuer.issuer,
    backstageAudienceIssuerUrl: stack.exampleIssuer.issuer,
    ingressFlavour,
    ...(store === 'cookie' ? {} : { redisUrl: store === 'redis' ? stack.redis.url : stack.redis.tlsUrl }),
    ...more,
  });
  const plan = (o: PortalOptions, secrets = stack.secrets) =>
    planOauth2Proxy(
      synthesizePortal(o),
      mkdtempSync(join(tmpdir(), 'config-test-')),
      secrets,
      stack.pki.caFile,
    );

  it.each(
    (Object.keys(flavours) as Array<keyof typeof flavours>).flatMap((f) =>
      (Object.keys(stores) as Array<keyof typeof stores>).map(
        (s) => [`${flavours[f]}, ${stores[s]}, machine clients`, f, s] as const,
      ),
    ),
  )('%s', async (_, ingressFlavour, store) => {
    const p = await plan(options(ingressFlavour, store));
    expect(p.args).toContain(`--session-store-type=${store === 'cookie' ? 'cookie' : 'redis'}`);
    expect(p.args.some((a) => a.startsWith('--extra-jwt-issuers='))).toBe(true);
    const result = await configTest(p);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('configuration is valid');
  });

  it('the rediss:// check is real: without SessionStore.redis({ ca }) the private CA is not trusted and --config-test fails', async () => {
    const p = await plan(options('f5-nginx', 'rediss', { withoutRedisCa: true }));
    expect(p.args.filter((a) => a.startsWith('--redis-ca-path'))).toEqual([]);
    const result = await configTest(p);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(
      /unable to set a redis initialization key: tls: failed to verify certificate: x509: certificate signed by unknown authority/,
    );
    const withCa = await plan(options('f5-nginx', 'rediss'));
    expect(withCa.args.filter((a) => a.startsWith('--redis-ca-path'))).toHaveLength(1);
  });

  it('the Redis check is real: with a wrong Redis password --config-test fails', async () => {
    const wrong = {
      ...stack.secrets,
      [SECRETS.redisPassword.name]: { [SECRETS.redisPassword.key]: 'not-the-password' },
    };
    const result = await configTest(await plan(options('f5-nginx', 'rediss'), wrong));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/unable to set a redis initialization key: WRONGPASS/);
  });
});

// The F5 flavour exactly as synthesized, on the model of the F5 NGINX Ingress Controller 5.5.4
// (harness/f5-nginx.ts). The library once attached externalAuth Policies to an app and an API
// minion; as 5.5.4 renders them nginx refused the config (one /_external_auth/oauth2/auth
// location per minion: "duplicate location"), the sign-in Policy answered 401 instead of
// redirecting (nginx/kubernetes-ingress#10504, fixed after 5.5.4 by #10594), and the
// controller's own /oauth2 location had nginx's 4k buffers (an Entra-sized cookie session's
// callback got 502). Now oauth2-proxy, already in the request path, does the auth alone, and
// these scenarios check that each of those failures is gone.
describe('F5 NGINX Ingress Controller 5.5.4, the objects as synthesized', () => {
  let door: FrontDoor;
  beforeAll(async () => {
    door = await stack.frontDoor({ flavour: 'f5-nginx', sessionStore: 'cookie' });
  });
  const ingressesOfDoor = () => ingressesOf(door.json);
  const appMinion = () =>
    ingressesOfDoor().find((i) => i.annotations['nginx.org/mergeable-ingress-type'] === 'minion')!;

  it('a master and one minion sending / to oauth2-proxy, no Policy: nginx accepts the config the controller renders, with no auth subrequest', () => {
    const ingresses = ingressesOfDoor();
    expect(
      ingresses.map((i) => `${i.annotations['nginx.org/mergeable-ingress-type']} ${i.name}`).sort(),
    ).toEqual(['master backstage', 'minion backstage-app']);
    expect(appMinion().rules.flatMap((r) => r.paths.map((p) => `${p.path} ${p.service}:${p.port}`))).toEqual([
      '/ oauth2-proxy:4180',
    ]);
    expect(appMinion().annotations).not.toHaveProperty('nginx.org/policies');
    expect(f5PoliciesOf(door.json)).toEqual([]);
    // The derived config nginx runs (the front door started, so nginx took it).
    const conf = readFileSync(join(door.nginx.dir, 'nginx.conf'), 'utf8');
    expect(conf.match(/^\s*location [^{]+\{/gm)?.map((l) => l.trim())).toEqual(['location / {']);
    expect(conf).not.toMatch(/auth_request|error_page 401|_external_auth/);
    expect(conf).toContain('proxy_buffer_size 32k;');
  });

  it("an anonymous visitor gets oauth2-proxy's 302 to the IdP, not a 401", async () => {
    const res = await door
      .client()
      .request(`${door.portal}/catalog?kind=component`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(302);
    const location = new URL(res.header('location')!);
    expect(location.origin).toBe(stack.idp.issuer);
    expect(location.searchParams.get('redirect_uri')).toBe(`${door.portal}/oauth2/callback`);
  });

  it("the callback of an Entra-sized cookie session passes nginx with the minion's proxy buffers (no 502), entering at /oauth2/start", async () => {
    const errorLog = join(door.nginx.dir, 'error.log');
    const before = readFileSync(errorLog, 'utf8').length;
    const erin = door.client();
    const chain = await erin.signIn(USERS.erin.email, USERS.erin.password, '/oauth2/start?rd=%2Fcatalog');
    const callback = chain.find((r) => new URL(r.url).pathname === '/oauth2/callback')!;
    expect(`${callback.status} ${callback.header('location')}`).toBe('302 /catalog');
    // oauth2-proxy's answer: the session split into several Set-Cookie headers, over 16 KB.
    const session = callback.setCookies
      .map(parseSetCookie)
      .filter((c) => c.name.startsWith(door.cookie.name) && !c.name.endsWith('_csrf') && c.value !== '');
    expect(session.length).toBeGreaterThan(4);
    expect(session.reduce((n, c) => n + c.value.length, 0)).toBeGreaterThan(16 * 1024);
    expect(readFileSync(errorLog, 'utf8').slice(before)).not.toMatch(/upstream sent too big header/);
    // (The next request carries all of it in one Cookie header: 400, the limit asserted in
    // the front-door scenarios above.)
  });

  // The model fails on what the controller would drop or ignore, instead of rendering it.
  describe('the model refuses what the controller would drop', () => {
    const derive =
      (ingresses: readonly IngressSpec[], policies: readonly F5Policy[] = f5PoliciesOf(door.json)) =>
      () =>
        deriveF5NginxConfig(ingresses, policies, {
          dir: '/nonexistent',
          upstreams: new Map([['oauth2-proxy:4180', '127.0.0.1:9']]),
          tlsSecrets: new Map([[SECRETS.tls, { cert: 'cert.pem', key: 'key.pem' }]]),
          httpsPort: 9443,
          httpPort: 9080,
        });
    const withMinion = (change: (minion: IngressSpec) => IngressSpec) =>
      ingressesOfDoor().map((i) => (i.name === appMinion().name ? change(i) : i));

    it('as synthesized, it derives a config (control)', () => {
      expect(derive(ingressesOfDoor())().config).toContain('location / {');
    });

    it('a master-only annotation on the minion (minionDenylist)', () => {
      expect(
        derive(withMinion((m) => ({ ...m, annotations: { ...m.annotations, 'nginx.org/hsts': 'true' } }))),
      ).toThrow(
        'minion backstage-app: the controller drops nginx.org/hsts from minions (annotations.go minionDenylist)',
      );
    });

    it('TLS on the minion', () => {
      expect(
        derive(withMinion((m) => ({ ...m, tls: [{ hosts: [PORTAL_HOST], secretName: SECRETS.tls }] }))),
      ).toThrow('minion backstage-app: the controller ignores TLS on a minion (it belongs on the master)');
    });

    it('a second externalAuth Policy on one minion', () => {
      const namespace = appMinion().namespace;
      const externalAuth = (name: string): F5Policy => ({
        namespace,
        name,
        spec: {
          ingressClassName: 'nginx',
          externalAuth: {
            authURI: '/oauth2/auth',
            authServiceName: 'oauth2-proxy',
            authServicePorts: [4180],
          },
        },
      });
      const ingresses = withMinion((m) => ({
        ...m,
        annotations: { ...m.annotations, 'nginx.org/policies': 'one,two' },
      }));
      expect(derive(ingresses, [externalAuth('one'), externalAuth('two')])).toThrow(
        'minion backstage-app: a second externalAuth Policy (two) is ignored by the controller (policy.go)',
      );
    });
  });
});

// Teams and RBAC (issue 12), through the real front door: a portal whose users and groups
// come from the library's static org and whose roles are rendered for the real
// @backstage-community/plugin-rbac-backend, run by its own Backstage from its synthesis.
// People call the API as the frontend does: with the Backstage token the oauth2Proxy
// provider issues for their gateway session.
describe('teams and RBAC (static org, rbac-backend plugin)', () => {
  // One declaration: the Teams feed the gateway's allowed groups, the static org and the
  // role bindings alike.
  const admins = Team.of('platform-admins');
  const readers = Team.of('readers');
  const teamA = Team.of('team-a');
  const teamB = Team.of('team-b');
  const newcomers = Team.of('newcomers');
  // A team above team-a and team-b, and one above that: no one is in either directly. With
  // maxDepth 1 the role of the first reaches team-a and team-b, the role of the second does not.
  const engineering = Team.of('engineering');
  const company = Team.of('company');
  const org = OrgSource.staticOrg({
    teams: [admins, readers, teamA, teamB, newcomers, engineering, company],
    hierarchy: [
      { parent: company, children: [engineering] },
      { parent: engineering, children: [teamA, teamB] },
    ],
    users: [
      { name: 'ada', email: USERS.ada.email, memberOf: [admins] },
      { name: 'rita', email: USERS.rita.email, memberOf: [readers] },
      { name: 'olga', email: USERS.olga.email, memberOf: [teamA] },
      { name: 'nora', email: USERS.nora.email, memberOf: [newcomers] },
    ],
  });
  /** The teams portal's options; `readersRole` is who the readers role is bound to. */
  const teams = (readersRole: readonly Team[]) => ({
    org,
    access: { emailDomains: ['example.com'], groups: [admins, readers, teamA, teamB, newcomers] },
    catalogFiles: ['./catalog/rbac-components.yaml'],
    rbac: {
      admins: [admins],
      maxDepth: 1,
      roles: [
        RbacRole.of({
          name: 'catalog-admins',
          members: [admins],
          allow: [
            'catalog.entity.read',
            'catalog.location.read',
            'catalog.location.create',
            'catalog.location.delete',
            'catalog.entity.create',
            'catalog.entity.delete',
            'catalog.entity.refresh',
          ],
        }),
        RbacRole.of({
          name: 'readers',
          members: readersRole,
          allow: ['catalog.entity.read', 'catalog.location.read'],
        }),
        // Bound to the team above only: its members are in the teams below.
        RbacRole.of({
          name: 'location-registrars',
          members: [engineering],
          allow: ['catalog.location.create'],
        }),
        RbacRole.of({
          name: 'location-removers',
          members: [company],
          allow: ['catalog.location.delete'],
        }),
        // Owners may refresh (the catalog's update action) only what their team owns.
        RbacRole.of({
          name: 'owners',
          members: [teamA, teamB],
          allow: ['catalog.entity.read'],
          conditional: [
            { permissions: ['catalog.entity.refresh'], condition: RbacCondition.isEntityOwner() },
          ],
        }),
      ],
    },
  });

  let portalUnderTest: TeamsPortal;
  const tokens = new Map<string, string>();
  beforeAll(async () => {
    portalUnderTest = await stack.startTeamsPortal(teams([readers]));
    // The catalog has the static org's users (the resolver finds them) and the components.
    await waitFor(
      'the teams catalog to hold its users and components',
      async () => {
        const res = await fetch(
          `http://127.0.0.1:${portalUnderTest.backstage.port}/api/auth/oauth2Proxy/refresh`,
          { headers: { 'x-forwarded-email': USERS.ada.email, 'x-forwarded-user': USERS.ada.sub } },
        );
        if (!res.ok) return false;
        const token = ((await res.json()) as { backstageIdentity: { token: string } }).backstageIdentity
          .token;
        const components = await fetch(
          `http://127.0.0.1:${portalUnderTest.backstage.port}/api/catalog/entities?filter=kind=component`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        return components.ok && ((await components.json()) as unknown[]).length === 2;
      },
      portalUnderTest.backstage.proc,
      90_000,
    );
  });

  /** The Backstage token of a user signed in through the gateway, and an API call with it. */
  async function as(user: TestUser) {
    const client = await signedInClient(user, portalUnderTest.door);
    const { res, ref } = await whoAmI(client, {}, portalUnderTest.door);
    expect(res.status, res.body.slice(0, 200)).toBe(200);
    expect(ref).toBe(`user:default/${user.email.split('@')[0]}`);
    const token = res.json().backstageIdentity.token as string;
    tokens.set(user.email, token);
    const call = (path: string, init: { method?: string; body?: unknown } = {}) =>
      client.request(`${portalUnderTest.door.portal}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body ? { body: JSON.stringify(init.body) } : {}),
      });
    return { call, token };
  }
  // Backstage registers url locations only (a stored location is read later, by the
  // processing loop); a loopback URL that no reader is allowed to fetch keeps it offline.
  const registered = { type: 'url', target: 'https://127.0.0.1:9/platform/catalog-info.yaml' };
  /** The synthesized RBAC policy file of a portal's stack JSON. */
  const policyCsv = (json: Parameters<typeof resourceAt>[0]): string =>
    configMapData(
      json,
      resolve(json, one(resourceAt(json, 'kubernetes_config_map_v1', 'Backstage/RbacPolicy').metadata).name),
    )['rbac-policy.csv']!;
  const componentNames = (res: { json(): any }) =>
    (res.json() as Array<{ metadata: { name: string } }>).map((e) => e.metadata.name).sort();

  it('the gateway lets in exactly the declared teams, and the policy files are the synthesized ones', () => {
    const alpha = portalUnderTest.door.oauth2Proxy.plan.alphaConfig;
    expect(alpha.providers[0].allowedGroups).toEqual([
      'platform-admins',
      'readers',
      'team-a',
      'team-b',
      'newcomers',
    ]);
    const csv = policyCsv(portalUnderTest.door.json);
    expect(csv).toContain('g, group:default/readers, role:default/readers');
    expect(
      readFileSync(
        join(
          portalUnderTest.backstage.plan.volumes.find((v) => v.mountPath === '/etc/backstage-rbac')!.local,
          'rbac-policy.csv',
        ),
        'utf8',
      ),
    ).toBe(csv);
  });

  it('a member of the admin team registers and unregisters a catalog location, and may read the RBAC policies', async () => {
    const ada = await as(USERS.ada);
    const created = await ada.call('/api/catalog/locations', { method: 'POST', body: registered });
    expect(created.status, created.body.slice(0, 300)).toBe(201);
    const id = created.json().location.id as string;
    const removed = await ada.call(`/api/catalog/locations/${id}`, { method: 'DELETE' });
    expect(removed.status, removed.body.slice(0, 300)).toBe(204);
    expect((await ada.call(`/api/catalog/locations/${id}`)).status).toBe(404);
    expect(created.json().location.target).toBe(registered.target);
    // admin.users puts the team in the plugin's rbac_admin role.
    const roles = await ada.call('/api/permission/roles');
    expect(roles.status, roles.body.slice(0, 300)).toBe(200);
    expect((roles.json() as Array<{ name: string }>).map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'role:default/rbac_admin',
        'role:default/readers',
        'role:default/catalog-admins',
        'role:default/owners',
      ]),
    );
  });

  it('a member of the readers team reads the catalog but gets 403 on delete (and on registering a location)', async () => {
    const rita = await as(USERS.rita);
    const list = await rita.call('/api/catalog/entities?filter=kind=component');
    expect(list.status).toBe(200);
    expect(componentNames(list)).toEqual(['team-a-service', 'team-b-service']);
    const uid = (list.json() as Array<{ metadata: { uid: string } }>)[0]!.metadata.uid;
    const deleted = await rita.call(`/api/catalog/entities/by-uid/${uid}`, { method: 'DELETE' });
    expect(deleted.status, deleted.body.slice(0, 300)).toBe(403);
    expect((await rita.call('/api/catalog/locations', { method: 'POST', body: registered })).status).toBe(
      403,
    );
    expect((await rita.call('/api/permission/roles')).status).toBe(403);
  });

  it("an owner refreshes (edits) her own team's component but not another team's: the conditional policy", async () => {
    const olga = await as(USERS.olga);
    const own = await olga.call('/api/catalog/refresh', {
      method: 'POST',
      body: { entityRef: 'component:default/team-a-service' },
    });
    expect(own.status, own.body.slice(0, 300)).toBe(200);
    const other = await olga.call('/api/catalog/refresh', {
      method: 'POST',
      body: { entityRef: 'component:default/team-b-service' },
    });
    expect(other.status, other.body.slice(0, 300)).toBe(403);
  });

  it("a member of a team below engineering gets engineering's role (the Groups' spec.parent) but not that of the team above it (maxDepth 1); a member of another team gets neither", async () => {
    // Only engineering is bound to the role, and olga is in team-a alone: what it lets her do
    // reaches her through the hierarchy.
    const csv = policyCsv(portalUnderTest.door.json);
    expect(csv.split('\n').filter((line) => line.endsWith('role:default/location-registrars'))).toEqual([
      'g, group:default/engineering, role:default/location-registrars',
    ]);
    const olga = await as(USERS.olga);
    const target = { type: 'url', target: 'https://127.0.0.1:9/team-a/catalog-info.yaml' };
    // The plugin walks the catalog's childOf relations, stitched from spec.parent after the
    // Groups are ingested.
    let created: Awaited<ReturnType<typeof olga.call>> | undefined;
    await waitFor(
      'olga (team-a, under engineering) to register a catalog location',
      async () => {
        created = await olga.call('/api/catalog/locations', { method: 'POST', body: target });
        return created.status !== 403;
      },
      portalUnderTest.backstage.proc,
      30_000,
    );
    expect(created!.status, created!.body.slice(0, 300)).toBe(201);
    // Nora's team (newcomers) is under no team: 403, as for a reader.
    const nora = await as(USERS.nora);
    const refused = await nora.call('/api/catalog/locations', { method: 'POST', body: registered });
    expect(refused.status, refused.body.slice(0, 300)).toBe(403);
    // Removing is company's role, two levels above team-a: maxDepth 1 stops it. An admin
    // removes the location again.
    expect(csv).toContain('g, group:default/company, role:default/location-removers');
    const id = created!.json().location.id as string;
    expect((await olga.call(`/api/catalog/locations/${id}`, { method: 'DELETE' })).status).toBe(403);
    const ada = await as(USERS.ada);
    expect((await ada.call(`/api/catalog/locations/${id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('a user in no role gets the default policy: nothing (no entity to read, 403 on every change)', async () => {
    const nora = await as(USERS.nora);
    // RBAC's default: no permission without a role. A list is filtered to nothing (a denied
    // read is a filter for lists), a single entity is not found, a change is refused.
    const list = await nora.call('/api/catalog/entities?filter=kind=component');
    expect(list.status).toBe(200);
    expect(componentNames(list)).toEqual([]);
    expect((await nora.call('/api/catalog/entities/by-name/component/default/team-a-service')).status).toBe(
      404,
    );
    expect(
      (
        await nora.call('/api/catalog/refresh', {
          method: 'POST',
          body: { entityRef: 'component:default/team-a-service' },
        })
      ).status,
    ).toBe(403);
  });

  it('binding the readers role to another team in TypeScript and synthesizing again changes the outcome once the policy is reloaded', async () => {
    const nora = await as(USERS.nora);
    const before = await nora.call('/api/catalog/entities?filter=kind=component');
    expect(componentNames(before)).toEqual([]);
    // The one typed change: the readers role is bound to the newcomers team as well.
    const next = synthesizePortal({
      ...stack.portalOptions({ flavour: 'ingress-nginx', sessionStore: 'cookie' }),
      teams: teams([readers, newcomers]),
    });
    const csv = policyCsv(next);
    expect(csv).toContain('g, group:default/newcomers, role:default/readers');
    // The kubelet's update of the mounted ConfigMap (same Deployment: no pod restart).
    portalUnderTest.applyConfigMaps(next);
    const log = () => readFileSync(portalUnderTest.backstage.proc.logFile, 'utf8');
    await waitFor(
      'the RBAC plugin to reload the policy file',
      async () => /rbac-policy\.csv has changed/.test(log()),
      portalUnderTest.backstage.proc,
      30_000,
    );
    await waitFor(
      'nora to read the catalog as a reader',
      async () => {
        const res = await nora.call('/api/catalog/entities?filter=kind=component');
        return res.status === 200 && componentNames(res).length === 2;
      },
      portalUnderTest.backstage.proc,
      30_000,
    );
    // Still no more than a reader: deleting stays refused.
    const uid = (
      (await nora.call('/api/catalog/entities?filter=kind=component')).json() as Array<{
        metadata: { uid: string };
      }>
    )[0]!.metadata.uid;
    expect((await nora.call(`/api/catalog/entities/by-uid/${uid}`, { method: 'DELETE' })).status).toBe(403);
  });
});

// The Gateway API flavour exactly as synthesized, on nginx as a plain router
// (harness/gateway-api.ts): the Gateway's two listeners and the routes attached to each.
// No data plane filter is involved: oauth2-proxy, in the request path, authenticates every
// request, strips and sets the identity headers and sends HSTS; the routes only carry traffic.
describe('Gateway API, the objects as synthesized', () => {
  let door: FrontDoor;
  beforeAll(async () => {
    door = await stack.frontDoor({ flavour: 'gateway-api', sessionStore: 'cookie' });
  });

  it("the router runs the Gateway's two listeners: HTTP only redirects to HTTPS, HTTPS carries every path to oauth2-proxy", () => {
    const { gateways, routes } = gatewayApiObjectsOf(door.json);
    expect(
      gateways.map((g) =>
        g.spec.listeners.map((l: any) => `${l.name} ${l.protocol} ${l.port} ${l.hostname}`),
      ),
    ).toEqual([[`http HTTP 80 ${PORTAL_HOST}`, `https HTTPS 443 ${PORTAL_HOST}`]]);
    expect(
      routes
        .map((r) => `${r.metadata.name} → ${r.spec.parentRefs.map((p: any) => p.sectionName).join(',')}`)
        .sort(),
    ).toEqual(['backstage → https', 'backstage-https-redirect → http']);
    const conf = readFileSync(join(door.nginx.dir, 'nginx.conf'), 'utf8');
    expect(conf.match(/^\s*location [^{]+\{/gm)?.map((l) => l.trim())).toEqual([
      'location / {',
      'location / {',
    ]);
    expect(conf).toContain('return 301 https://$host$request_uri;');
    expect(conf).toMatch(/proxy_pass http:\/\/gw_oauth2_proxy_4180;/);
    expect(conf).not.toMatch(
      /auth_request|proxy_set_header X-Forwarded-(User|Email)|add_header Strict-Transport-Security/,
    );
  });

  it("an anonymous visitor gets oauth2-proxy's 302 to the IdP, and /api its 401", async () => {
    const res = await door
      .client()
      .request(`${door.portal}/catalog?kind=component`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(302);
    expect(new URL(res.header('location')!).origin).toBe(stack.idp.issuer);
    const api = await door
      .client()
      .request(`${door.portal}/api`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
  });

  it('HSTS comes from oauth2-proxy (its injectResponseHeaders) on what it proxies for a signed-in user', async () => {
    const alice = await signedInClient(USERS.alice, door);
    const page = await alice.request(`${door.portal}/catalog`);
    expect(page.status).toBe(200);
    const injected = door.oauth2Proxy.plan.alphaConfig.injectResponseHeaders.find(
      (h: any) => h.name === 'Strict-Transport-Security',
    ).values[0].secretSource.value;
    // Backstage sends its own (helmet's 180 days) after oauth2-proxy's; Node joins the two
    // fields with ", ". A browser processes only the first one (RFC 6797, section 8.1).
    const fields = page.header('strict-transport-security')!.split(/,\s*/);
    expect(fields[0]).toBe(injected);
    expect(fields.slice(1)).toEqual(['max-age=15552000; includeSubDomains']);
  });

  describe('the router refuses what a data plane would do differently from it', () => {
    const derive = (objects: GatewayApiObjects) => () =>
      deriveGatewayApiNginxConfig(objects, {
        dir: '/nonexistent',
        upstreams: new Map([['oauth2-proxy:4180', '127.0.0.1:9']]),
        tlsSecrets: new Map([[SECRETS.tls, { cert: 'cert.pem', key: 'key.pem' }]]),
        httpsPort: 9443,
        httpPort: 9080,
      });
    const objects = () => gatewayApiObjectsOf(door.json);
    const withRoute = (change: (rule: any) => any) => {
      const o = objects();
      return {
        ...o,
        routes: o.routes.map((r) =>
          r.metadata.name === 'backstage'
            ? { ...r, spec: { ...r.spec, rules: r.spec.rules.map(change) } }
            : r,
        ),
      };
    };

    it('as synthesized, it derives a config (control)', () => {
      expect(derive(objects())().config).toContain('location / {');
    });

    it('a filter it does not model (a header modifier)', () => {
      expect(
        derive(
          withRoute((rule) => ({
            ...rule,
            filters: [
              { type: 'RequestHeaderModifier', requestHeaderModifier: { remove: ['X-Forwarded-User'] } },
            ],
          })),
        ),
      ).toThrow(
        'HTTPRoute backstage: filters other than one RequestRedirect (alone) or one ResponseHeaderModifier are not modelled',
      );
    });

    it("a response-header filter's add or remove, or a value nginx would interpolate; its set is modelled", () => {
      const withHeaders = (responseHeaderModifier: Record<string, unknown>) =>
        derive(
          withRoute((rule) => ({
            ...rule,
            filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier }],
          })),
        );
      expect(withHeaders({ add: [{ name: 'X-A', value: 'a' }] })).toThrow(
        'HTTPRoute backstage responseHeaderModifier: add not modelled by test/e2e/signin/harness/gateway-api.ts',
      );
      expect(withHeaders({ remove: ['Server'] })).toThrow('responseHeaderModifier: remove not modelled');
      expect(withHeaders({ set: [{ name: 'X-A', value: '$host' }] })).toThrow(
        'HTTPRoute backstage: header X-A: $host is not modelled',
      );
      // set: the backend's header hidden, the value on every status (the backend's 401s too).
      expect(withHeaders({ set: [{ name: 'X-A', value: 'Bearer realm="a"' }] })().config).toContain(
        `proxy_hide_header X-A;\n      add_header X-A 'Bearer realm="a"' always;`,
      );
    });

    it('a header match', () => {
      expect(
        derive(
          withRoute((rule) => ({
            ...rule,
            matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x', value: 'y' }] }],
          })),
        ),
      ).toThrow('HTTPRoute backstage match: headers not modelled by test/e2e/signin/harness/gateway-api.ts');
    });
  });
});
