// Sign-in end to end, with the real programs configured only from what the library
// synthesizes: oauth2-proxy (built from its Go module), Debian's nginx (config derived
// from the Ingress annotations), an OpenID provider (npm oidc-provider) and a Backstage
// backend from Backstage's npm packages, all on 127.0.0.1. Run: npm run test:signin.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, BrowserHandle } from './harness/browser';
import { HttpClient, parseSetCookie } from './harness/http';
import { USERS, TestUser, ENTRA_MAX_GROUPS } from './harness/idp';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oauth2ProxyBinary } from './harness/stack';
import { planOauth2Proxy } from './harness/oauth2-proxy';
import { MACHINE_AUDIENCE, synthesizePortal } from './harness/portal';
import { Stack, startStack } from './harness/stack';

/**
 * A scenario that fails today because of a known library bug or gap (see the comment at
 * each use). It is expected to fail, so CI stays green and the test turns red the day
 * the library is fixed. SIGNIN_SHOW_KNOWN_BUGS=1 runs them as plain tests to see why.
 */
const knownBug = process.env.SIGNIN_SHOW_KNOWN_BUGS ? it : it.fails;

let stack: Stack;
let browser: BrowserHandle;
let portal: string;

beforeAll(async () => {
  stack = await startStack();
  portal = `https://${stack.host}`;
  browser = await launchBrowser({ host: stack.host, httpsPort: stack.nginx.plan.httpsPort, httpPort: stack.nginx.plan.httpPort, caFile: stack.pki.caFile });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** oauth2-proxy's value of a flag, read from the synthesized args it runs with. */
function flag(name: string): string | undefined {
  return stack.oauth2Proxy.plan.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** Browser sign-in: open a portal page, land on the IdP, sign in, come back. */
async function browserSignIn(context: BrowserContext, user: TestUser, path = '/catalog'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${portal}${path}`);
  expect(new URL(page.url()).origin, 'an anonymous visitor is sent to the IdP').toBe(stack.idp.issuer);
  await page.fill('#email', user.email);
  await page.fill('#password', user.password);
  await page.click('#submit');
  return page;
}

async function identityOnPage(page: Page): Promise<string> {
  await page.waitForFunction(() => (globalThis as any).document.getElementById('identity')?.textContent !== '…');
  return (await page.textContent('#identity')) ?? '';
}

/** What Backstage says about the caller (the call ProxiedSignInPage makes). */
async function whoAmI(client: HttpClient, headers: Record<string, string> = {}) {
  const res = await client.request(`${portal}/api/auth/oauth2Proxy/refresh`, { headers: { 'x-requested-with': 'XMLHttpRequest', ...headers } });
  return { res, ref: res.status === 200 ? (res.json().backstageIdentity.identity.userEntityRef as string) : undefined };
}

async function signedInClient(user: TestUser): Promise<HttpClient> {
  const client = stack.client();
  const chain = await client.signIn(user.email, user.password);
  const last = chain[chain.length - 1]!;
  expect(last.status, `${user.email} signs in: ${chain.map((r) => `${r.status} ${r.url}`).join(' → ')}`).toBe(200);
  return client;
}

/** The session cookie parts oauth2-proxy set (one cookie, or `<name>_0`, `<name>_1`, … when split). */
function sessionParts(cookies: Map<string, string>): Array<[string, string]> {
  const name = stack.cookie.name;
  if (cookies.has(name)) return [[name, cookies.get(name)!]];
  const parts: Array<[string, string]> = [];
  for (let i = 0; cookies.has(`${name}_${i}`); i++) parts.push([`${name}_${i}`, cookies.get(`${name}_${i}`)!]);
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
  const newSig = createHmac('sha256', stack.cookie.secret).update(stack.cookie.name).update(value!).update(when).digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
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
  for (const [, n, unit] of d.matchAll(/(\d+)(h|m|s)/g)) total += Number(n) * ({ h: 3600, m: 60, s: 1 } as Record<string, number>)[unit!]!;
  return total;
}

describe('browser sign-in (Chromium)', () => {
  it('an anonymous visitor goes to the IdP, signs in with PKCE, and is back on the portal as the catalog user', async () => {
    const before = stack.idp.authorizationRequests.length;
    const context = await browser.browser.newContext();
    try {
      const page = await browserSignIn(context, USERS.alice);
      await page.waitForURL(`${portal}/catalog`);
      expect(await identityOnPage(page)).toBe('user:default/alice');

      // The authorization request oauth2-proxy sent the browser with.
      const auth = stack.idp.authorizationRequests.slice(before).at(-1)!;
      expect(auth.get('code_challenge_method')).toBe('S256');
      expect(auth.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(auth.get('nonce')).toBeTruthy();
      expect(auth.get('redirect_uri')).toBe(`${portal}/oauth2/callback`);
      expect(auth.get('client_id')).toBe(stack.oauth2Proxy.plan.alphaConfig.providers[0].clientID);

      // /api/auth/oauth2Proxy/refresh names the entity and its group ownership.
      const body: any = await page.evaluate(async () => (await fetch('/api/auth/oauth2Proxy/refresh', { headers: { 'X-Requested-With': 'XMLHttpRequest' } })).json());
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

  it('session cookies carry Secure, HttpOnly and the configured SameSite', async () => {
    const context = await browser.browser.newContext();
    try {
      const page = await browserSignIn(context, USERS.alice);
      await page.waitForURL(`${portal}/catalog`);
      const session = (await context.cookies(portal)).filter((c) => c.name === stack.cookie.name || c.name.startsWith(`${stack.cookie.name}_`));
      expect(session.length).toBeGreaterThan(0);
      const sameSite = stack.cookie.sameSite.charAt(0).toUpperCase() + stack.cookie.sameSite.slice(1);
      expect(sameSite).toBe('Lax'); // the library's default, read from --cookie-samesite
      for (const c of session) {
        expect(c, c.name).toMatchObject({ secure: true, httpOnly: true, sameSite: sameSite, domain: stack.host, path: '/' });
        // --cookie-expire bounds the cookie's lifetime.
        expect(c.expires - Date.now() / 1000).toBeLessThanOrEqual(durationSeconds(flag('cookie-expire')!) + 5);
      }
    } finally {
      await context.close();
    }
    // The raw Set-Cookie headers, CSRF cookie included.
    const client = stack.client();
    const chain = await client.signIn(USERS.alice.email, USERS.alice.password);
    const setCookies = chain.filter((r) => r.url.startsWith(portal)).flatMap((r) => r.setCookies.map(parseSetCookie)).filter((c) => c.value !== '');
    const names = setCookies.map((c) => c.name);
    expect(names.some((n) => n.startsWith(stack.cookie.name) && n.endsWith('_csrf'))).toBe(true);
    expect(names.some((n) => n === stack.cookie.name || n.startsWith(`${stack.cookie.name}_0`))).toBe(true);
    for (const c of setCookies) {
      expect(c.attributes.secure, `${c.name} Secure`).toBe(true);
      expect(c.attributes.httponly, `${c.name} HttpOnly`).toBe(true);
      const expected = c.name.includes('_csrf') ? flag('cookie-csrf-samesite') : flag('cookie-samesite');
      expect(String(c.attributes.samesite).toLowerCase(), `${c.name} SameSite`).toBe(expected);
    }
  });

  it.each([
    ['outside the allowed e-mail domains', USERS.mallory],
    ['outside the allowed groups', USERS.bob],
  ])('a user %s signs in at the IdP but is refused by the gateway', async (_why, user) => {
    const loginsBefore = stack.idp.logins.length;
    const context = await browser.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${portal}/catalog`);
      await page.fill('#email', user.email);
      await page.fill('#password', user.password);
      const [callback] = await Promise.all([page.waitForResponse((r) => r.url().startsWith(`${portal}/oauth2/callback`)), page.click('#submit')]);
      expect(stack.idp.logins.slice(loginsBefore)).toContain(user.email); // the IdP said yes
      expect(callback.status()).toBe(403); // the gateway says no
      const cookies = await context.cookies(portal);
      expect(cookies.filter((c) => c.name === stack.cookie.name || /_\d+$/.test(c.name) && c.name.startsWith(stack.cookie.name))).toEqual([]);
      const refresh = await page.evaluate(async () => (await fetch('/api/auth/oauth2Proxy/refresh', { redirect: 'manual' })).status);
      expect(refresh).not.toBe(200);
    } finally {
      await context.close();
    }
  });

  it('sign-out ends the portal session; the next visit goes back through the IdP', async () => {
    const context = await browser.browser.newContext();
    try {
      const page = await browserSignIn(context, USERS.alice);
      await page.waitForURL(`${portal}/catalog`);
      expect(await identityOnPage(page)).toBe('user:default/alice');
      // The sign-out link, followed by the browser itself (not its redirect to "/", which
      // would start a new sign-in right away).
      const out = await page.evaluate(async () => (await fetch('/oauth2/sign_out', { redirect: 'manual' })).type);
      expect(out).toBe('opaqueredirect');
      const left = (await context.cookies(portal)).filter((c) => c.name === stack.cookie.name || /_\d+$/.test(c.name));
      expect(left).toEqual([]);
      const status = await page.evaluate(async () => (await fetch('/api/auth/oauth2Proxy/refresh', { redirect: 'manual' })).status);
      expect(status).not.toBe(200);
      // The IdP's own session is not ended by the portal (oauth2-proxy only clears its
      // cookie): the next visit goes through the IdP, which signs Alice in again (SSO).
      const before = stack.idp.authorizationRequests.length;
      await page.goto(`${portal}/catalog`);
      expect(stack.idp.authorizationRequests.length).toBeGreaterThan(before);
    } finally {
      await context.close();
    }
  });

  it('with cookie sessions, a copy of the cookie taken before sign-out still works (documented: use SessionStore.redis to end sessions server-side)', async () => {
    const alice = await signedInClient(USERS.alice);
    const copied = alice.cookieHeader();
    const out = await alice.request(`${portal}/oauth2/sign_out`);
    expect(out.status).toBe(302);
    expect(sessionParts(alice.cookies())).toEqual([]);
    expect((await whoAmI(alice)).ref).toBeUndefined();
    expect((await whoAmI(alice, { cookie: copied })).ref).toBe('user:default/alice');
  });

  it('a session cookie as large as an Entra ID one (200 groups in the ID token) works through nginx', async () => {
    expect(USERS.erin.groups).toHaveLength(ENTRA_MAX_GROUPS);
    const context = await browser.browser.newContext();
    try {
      const page = await browserSignIn(context, USERS.erin);
      await page.waitForURL(`${portal}/catalog`);
      expect(await identityOnPage(page)).toBe('user:default/erin');
      const parts = (await context.cookies(portal)).filter((c) => /^_oauth2_proxy(_\d+)?$/.test(c.name.replace(stack.cookie.name, '_oauth2_proxy')));
      const size = parts.reduce((n, c) => n + c.name.length + c.value.length + 2, 0);
      console.log(`[large session] ${parts.length} cookies, ${size} bytes of Cookie header`);
      expect(parts.length).toBeGreaterThan(1); // split by oauth2-proxy
      expect(size).toBeGreaterThan(8 * 1024);
      // Every part counts: spoil the last one and the session is refused (no auth cache here).
      const last = parts.reduce((a, b) => (a.name > b.name ? a : b));
      await context.addCookies([{ ...last, value: 'x' }]);
      const status = await page.evaluate(async () => (await fetch('/api/auth/oauth2Proxy/refresh', { redirect: 'manual' })).status);
      expect(status).not.toBe(200);
    } finally {
      await context.close();
    }
  });
});

describe('identity headers come from the gateway only', () => {
  it('a client without a session sending X-Forwarded-* and X-OAUTH2-PROXY-ID-TOKEN never reaches Backstage', async () => {
    const client = stack.client();
    const { res, ref } = await whoAmI(client, {
      'x-forwarded-user': USERS.alice.sub,
      'x-forwarded-email': USERS.alice.email,
      'x-forwarded-preferred-username': 'alice',
      'x-oauth2-proxy-id-token': 'Bearer forged',
    });
    expect(ref).toBeUndefined();
    expect([302, 401]).toContain(res.status);
  });

  it("a signed-in user sending another user's identity headers (even her real ID token) stays himself", async () => {
    const alice = await signedInClient(USERS.alice);
    const aliceToken = (await alice.request(`${portal}/api/auth/oauth2Proxy/refresh`)).json().providerInfo.accessToken as string;
    expect(aliceToken.split('.')).toHaveLength(3);
    const dave = await signedInClient(USERS.dave);
    const { ref } = await whoAmI(dave, {
      'X-Forwarded-User': USERS.alice.sub,
      'X-Forwarded-Email': USERS.alice.email,
      'X-Forwarded-Preferred-Username': USERS.alice.preferredUsername,
      'X-OAUTH2-PROXY-ID-TOKEN': `Bearer ${aliceToken}`,
    });
    expect(ref).toBe('user:default/dave');
  });
});

describe('API paths without a valid session', () => {
  it('a page without a session is redirected to sign-in (control)', async () => {
    const res = await stack.client().request(`${portal}/catalog?x=1&y=2`);
    expect(res.status).toBe(302);
    const location = new URL(res.header('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${portal}/oauth2/start`);
    expect(location.searchParams.get('rd')).toBe('/catalog?x=1&y=2');
  });

  it('a session older than --cookie-expire is refused (and a fresh signature of the same session is not)', async () => {
    const alice = await signedInClient(USERS.alice);
    const fresh = await alice.request(`${portal}/api/auth/oauth2Proxy/refresh`, { headers: { cookie: resignedSession(alice.cookies(), 0) } });
    expect(fresh.status).toBe(200);
    const expire = durationSeconds(flag('cookie-expire')!);
    const old = await alice.request(`${portal}/api/auth/oauth2Proxy/refresh`, { headers: { cookie: resignedSession(alice.cookies(), expire + 60) } });
    expect(old.status).not.toBe(200);
  });

  // oauth2-proxy's /oauth2/auth answers 401 whatever the path; the library gives the API
  // prefixes their own Ingress without auth-signin, so nginx passes that 401 on.
  it('a missing or expired session on /api/* gets 401, not a redirect', async () => {
    const anonymous = await stack.client().request(`${portal}/api/catalog/entities`, { headers: { accept: 'application/json', 'x-requested-with': 'XMLHttpRequest' } });
    const alice = await signedInClient(USERS.alice);
    const expired = await alice.request(`${portal}/api/catalog/entities`, {
      headers: { accept: 'application/json', cookie: resignedSession(alice.cookies(), durationSeconds(flag('cookie-expire')!) + 60) },
    });
    expect({ anonymous: anonymous.status, expired: expired.status }).toEqual({ anonymous: 401, expired: 401 });
  });
});

describe('machine clients', () => {
  const catalogUsers = `/api/catalog/entities?filter=kind=user`;
  // Claims that also satisfy the portal's access policy (e-mail domain and group).
  const policyClaims = { email: 'ci-bot@example.com', groups: ['portal-users'] };

  async function call(token: string, base = portal, client = stack.client()) {
    return client.request(`${base}${catalogUsers}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  }

  // KNOWN LIMITATION (documented in the README): oauth2-proxy applies --email-domain and
  // allowedGroups to bearer-token sessions too (the e-mail falls back to `sub`), so a
  // machine token passes the gateway only with claims that meet the access policy (next
  // scenario). A token without them is refused at the gateway.
  knownBug('a token from the trusted issuer reaches the catalog API', async () => {
    const token = await stack.trustedIssuer.token({ sub: 'ci-bot', aud: MACHINE_AUDIENCE });
    const res = await call(token);
    expect(res.status).toBe(200);
  });

  it('a token from the trusted issuer that also meets the access policy passes the gateway and Backstage checks it', async () => {
    const token = await stack.trustedIssuer.token({ sub: 'ci-bot', aud: MACHINE_AUDIENCE, ...policyClaims });
    const res = await call(token);
    expect(res.status, res.body.slice(0, 300)).toBe(200);
    const names = (res.json() as Array<{ metadata: { name: string } }>).map((e) => e.metadata.name).sort();
    expect(names).toEqual(['alice', 'bob', 'dave', 'erin']);
  });

  it('a token from an untrusted issuer does not get through', async () => {
    const token = await stack.rogueIssuer.token({ sub: 'ci-bot', aud: MACHINE_AUDIENCE, ...policyClaims });
    const res = await call(token);
    expect(res.status).not.toBe(200);
    expect(res.body).not.toContain('"kind":"User"');
  });

  it('a token with a bad signature does not get through, and Backstage refuses it on its own too', async () => {
    const forged = await stack.trustedIssuer.forgedToken({ sub: 'ci-bot', aud: MACHINE_AUDIENCE, ...policyClaims });
    expect((await call(forged)).status).not.toBe(200);
    // Straight to Backstage (as from inside the cluster): its externalAccess jwks check.
    const direct = await fetch(`http://127.0.0.1:${stack.backstage.port}${catalogUsers}`, { headers: { authorization: `Bearer ${forged}` } });
    expect(direct.status).toBe(401);
    const genuine = await stack.trustedIssuer.token({ sub: 'ci-bot', aud: MACHINE_AUDIENCE });
    const directGenuine = await fetch(`http://127.0.0.1:${stack.backstage.port}${catalogUsers}`, { headers: { authorization: `Bearer ${genuine}` } });
    expect(directGenuine.status).toBe(200);
  });

  it('an expired token or one for another audience does not get through', async () => {
    const expired = await stack.trustedIssuer.token({ sub: 'ci-bot', aud: MACHINE_AUDIENCE, ...policyClaims }, { expiresIn: '-5m' });
    expect((await call(expired)).status).not.toBe(200);
    const otherAudience = await stack.trustedIssuer.token({ sub: 'ci-bot', aud: 'something-else', ...policyClaims });
    expect((await call(otherAudience)).status).not.toBe(200);
  });
});

describe('transport', () => {
  it('plain HTTP is redirected to HTTPS, and HTTPS answers carry HSTS', async () => {
    const client = stack.client();
    const plain = await client.request(`http://${stack.host}/catalog?a=1`);
    expect(plain.status).toBe(308);
    expect(plain.header('location')).toBe(`${portal}/catalog?a=1`);
    const alice = await signedInClient(USERS.alice);
    const page = await alice.request(`${portal}/catalog`);
    expect(page.status).toBe(200);
    expect(page.header('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('the derived nginx config follows the annotations: with a 4k proxy buffer the Entra-sized session breaks', async () => {
    const small = await stack.nginxFor({ proxyBufferSize: '4k' });
    const other = await launchBrowser({ host: stack.host, httpsPort: small.nginx.plan.httpsPort, httpPort: small.nginx.plan.httpPort, caFile: stack.pki.caFile });
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
      await Promise.all([page.waitForResponse((r) => r.url().startsWith(portal) && r.status() >= 500), page.click('#submit')]);
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

  // Over HTTP/1.1 the whole session travels in one Cookie header line (~25 KB here),
  // larger than the ingress-nginx default large-client-header-buffers (4 8k), where nginx
  // would answer 400. The library's IngressNginxController sizes them for the session
  // store; nginx here runs with the controller config it synthesizes.
  it('an HTTP/1.1 client with the Entra-sized session fits the header buffers IngressNginxController sets', async () => {
    const erin = await signedInClient(USERS.erin);
    console.log(`[large session] HTTP/1.1 Cookie header: ${erin.cookieHeader().length} bytes`);
    const { res, ref } = await whoAmI(erin);
    expect(res.status, res.body.slice(0, 200)).toBe(200);
    expect(ref).toBe('user:default/erin');
  });
});

describe('auth caching (ingress authCacheDuration)', () => {
  // An Entra-sized session is split into more cookies than any fixed list names (7 here):
  // a request sharing some parts of a cached session but not the rest must not be
  // answered from the cache as that user. The key is the whole Cookie header.
  it('the auth cache key covers every part of a split session', async () => {
    const cached = await stack.nginxFor({ authCacheDuration: '1m' });
    const other = await launchBrowser({ host: stack.host, httpsPort: cached.nginx.plan.httpsPort, httpPort: cached.nginx.plan.httpPort, caFile: stack.pki.caFile });
    try {
      const context = await other.browser.newContext();
      const page = await browserSignIn(context, USERS.erin);
      await page.waitForURL(`${portal}/catalog`);
      expect(await identityOnPage(page)).toBe('user:default/erin'); // now cached
      const parts = (await context.cookies(portal)).filter((c) => new RegExp(`^${stack.cookie.name}_\\d+$`).test(c.name));
      expect(parts.length).toBeGreaterThan(4);
      // Spoil every part the key does not name.
      await context.addCookies(parts.filter((c) => Number(c.name.split('_').pop()) > 3).map((c) => ({ ...c, value: 'x' })));
      const status = await page.evaluate(async () => (await fetch('/api/auth/oauth2Proxy/refresh', { redirect: 'manual' })).status);
      expect(status).not.toBe(200);
    } finally {
      await other.close();
      await cached.nginx.stop();
    }
  });

  it('caches per credential: fewer auth calls, and never one user answered with another\'s identity', async () => {
    const cached = await stack.nginxFor({ authCacheDuration: '1m' });
    try {
      const main = cached.ingresses.find((i) => i.annotations['nginx.ingress.kubernetes.io/auth-url'])!;
      expect(main.annotations['nginx.ingress.kubernetes.io/auth-cache-key']).toBeTruthy();
      const authCalls = () => (readFileSync(stack.oauth2Proxy.proc.logFile, 'utf8').match(/GET - "\/oauth2\/auth"|"GET \/oauth2\/auth/g) ?? []).length;
      const alice = cached.client();
      await alice.signIn(USERS.alice.email, USERS.alice.password);
      const dave = cached.client();
      await dave.signIn(USERS.dave.email, USERS.dave.password);
      const before = authCalls();
      for (let i = 0; i < 5; i++) expect((await whoAmI(alice)).ref).toBe('user:default/alice');
      expect(authCalls() - before).toBeLessThanOrEqual(1);
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

// Every gateway config the library renders for a flavour, run through the real program's own
// check: oauth2-proxy --config-test parses the exact args and alpha config, runs OIDC
// discovery against the loopback IdP and builds the machine issuers' verifiers.
describe('oauth2-proxy --config-test of the synthesized gateway configs', () => {
  it.each([
    ['ingress-nginx (auth-url mode), cookie sessions, machine clients', 'ingress-nginx'],
    ['f5-nginx (oauth2-proxy in the request path), cookie sessions, machine clients', 'f5-nginx'],
  ] as const)('%s', async (_, ingressFlavour) => {
    const json = synthesizePortal({
      issuerUrl: stack.idp.issuer,
      machineIssuerUrl: stack.trustedIssuer.issuer,
      backstageAudienceIssuerUrl: stack.exampleIssuer.issuer,
      ingressFlavour,
    });
    const plan = await planOauth2Proxy(json, mkdtempSync(join(tmpdir(), 'config-test-')), stack.secrets, stack.pki.caFile);
    const result = spawnSync(oauth2ProxyBinary(), [...plan.args, '--config-test'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...plan.env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('configuration is valid');
  });
});

