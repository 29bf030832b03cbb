// The OpenID Connect provider of the test: the npm `oidc-provider` package (a certified
// implementation) over TLS on loopback, with a login form, test users and groups.
// PKCE is required (oidc-provider only implements S256), ID tokens carry the profile,
// e-mail and groups claims (as Entra ID and Okta put groups in the ID token), and
// refresh tokens are issued, so oauth2-proxy's session cookie is as full as in real life.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair } from 'jose';

import type { ServerCert } from './pki';

export interface TestUser {
  /** Opaque subject, as Okta and Entra ID issue them. */
  readonly sub: string;
  readonly email: string;
  readonly password: string;
  readonly name: string;
  readonly preferredUsername: string;
  readonly groups: readonly string[];
}

/** Entra ID puts up to 200 group object ids (GUIDs) in a token before it switches to an overage claim. */
export const ENTRA_MAX_GROUPS = 200;
const manyGroups = ['portal-users', ...Array.from({ length: ENTRA_MAX_GROUPS - 1 }, () => randomUUID())];

export const USERS = {
  /** In the allowed domain and group; a User entity in the catalog. */
  alice: {
    sub: '00u1alice7f3a',
    email: 'alice@example.com',
    password: 'alice-pw',
    name: 'Alice',
    preferredUsername: 'alice',
    groups: ['portal-users'],
  },
  /** Also allowed; used to try to pass as alice. */
  dave: {
    sub: '00u1dave8c2b',
    email: 'dave@example.com',
    password: 'dave-pw',
    name: 'Dave',
    preferredUsername: 'dave',
    groups: ['portal-users'],
  },
  /** In the allowed domain but not in the allowed group. */
  bob: {
    sub: '00u1bob5d1e',
    email: 'bob@example.com',
    password: 'bob-pw',
    name: 'Bob',
    preferredUsername: 'bob',
    groups: ['other-team'],
  },
  /** In the allowed group but outside the allowed e-mail domains. */
  mallory: {
    sub: '00u1mallory9a0f',
    email: 'mallory@evil.test',
    password: 'mallory-pw',
    name: 'Mallory',
    preferredUsername: 'mallory',
    groups: ['portal-users'],
  },
  /** Allowed, and a member of as many groups as Entra ID puts in a token: a large ID token. */
  erin: {
    sub: '00u1erin4b7c',
    email: 'erin@example.com',
    password: 'erin-pw',
    name: 'Erin',
    preferredUsername: 'erin',
    groups: manyGroups,
  },
  // The RBAC scenarios' people (their portal's static org has them as Users of these Teams).
  /** In the admin team. */
  ada: {
    sub: '00u1ada3e9d1',
    email: 'ada@example.com',
    password: 'ada-pw',
    name: 'Ada',
    preferredUsername: 'ada',
    groups: ['platform-admins'],
  },
  /** In the readers team. */
  rita: {
    sub: '00u1rita6a4c',
    email: 'rita@example.com',
    password: 'rita-pw',
    name: 'Rita',
    preferredUsername: 'rita',
    groups: ['readers'],
  },
  /** In team-a, which owns a component (and team-b another). */
  olga: {
    sub: '00u1olga2f8b',
    email: 'olga@example.com',
    password: 'olga-pw',
    name: 'Olga',
    preferredUsername: 'olga',
    groups: ['team-a'],
  },
  /** In the newcomers team, which no role is bound to at first. */
  nora: {
    sub: '00u1nora7b5e',
    email: 'nora@example.com',
    password: 'nora-pw',
    name: 'Nora',
    preferredUsername: 'nora',
    groups: ['newcomers'],
  },
} satisfies Record<string, TestUser>;

/** The client registration at the IdP, made once the issuer URL is known. */
export interface ClientRegistration {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
}

export interface IdpOptions {
  readonly tls: ServerCert;
  /** Called with the issuer URL (its port is only known once listening). */
  readonly register: (issuer: string) => Promise<ClientRegistration>;
}

export interface RunningIdp {
  readonly issuer: string;
  readonly port: number;
  /** Completed sign-ins, by e-mail (to count round trips to the IdP). */
  readonly logins: string[];
  /** Authorization requests seen (query parameters), to check PKCE and nonce. */
  readonly authorizationRequests: URLSearchParams[];
  stop(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid: string, error?: string): string {
  return `<!doctype html><html><head><title>Test IdP sign-in</title></head><body>
<h1>Sign in to the test IdP</h1>${error ? `<p id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>E-mail <input id="email" name="email" type="email" autocomplete="username"></label>
<label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
<button id="submit" type="submit">Sign in</button>
</form></body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startIdp(o: IdpOptions): Promise<RunningIdp> {
  const { Provider } = await import('oidc-provider');
  const server: Server = createServer({ cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `https://127.0.0.1:${port}`;
  const bySub = new Map<string, TestUser>(Object.values(USERS).map((u) => [u.sub, u]));
  const byEmail = new Map<string, TestUser>(Object.values(USERS).map((u) => [u.email, u]));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  const client = await o.register(issuer);
  const logins: string[] = [];
  const authorizationRequests: URLSearchParams[] = [];

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [...client.redirectUris],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey as any] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    // Claims in the ID token even though an access token is issued too (Entra ID, Okta).
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, sub: string) => {
      const user = bySub.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: user.email,
          email_verified: true,
          name: user.name,
          preferred_username: user.preferredUsername,
          groups: [...user.groups],
        }),
      };
    },
    // Refresh tokens for every session, as the big IdPs issue them to web apps.
    issueRefreshToken: async (_ctx: unknown, client: any) => client.grantTypeAllowed('refresh_token'),
    // First-party client: consent is implied, no consent screen.
    loadExistingGrant: async (ctx: any) => {
      const grantId =
        ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile groups offline_access');
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: false } },
    ttl: {
      Interaction: 600,
      Session: 86400,
      Grant: 86400,
      AccessToken: 3600,
      IdToken: 3600,
      RefreshToken: 86400,
    },
    interactions: { url: (_ctx: unknown, interaction: any) => `/interaction/${interaction.uid}` },
    renderError: async (ctx: any, out: any) => {
      ctx.type = 'text/plain';
      ctx.body = `IdP error: ${JSON.stringify(out)}`;
    },
  } as any);
  provider.on('server_error', (_ctx: unknown, error: Error) => console.error('[idp] server_error', error));

  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      const m = /^\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
      try {
        if (url.pathname === '/auth') {
          authorizationRequests.push(url.searchParams);
        }
        if (m && req.method === 'GET' && !m[2]) {
          const details = await provider.interactionDetails(req, res);
          if (details.prompt.name !== 'login') throw new Error(`unexpected prompt ${details.prompt.name}`);
          res
            .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
            .end(loginPage(details.uid));
          return;
        }
        if (m && req.method === 'POST' && m[2]) {
          const details = await provider.interactionDetails(req, res);
          const form = await readForm(req);
          const user = byEmail.get(String(form.get('email') ?? '').toLowerCase());
          if (!user || user.password !== form.get('password')) {
            res
              .writeHead(401, { 'content-type': 'text/html; charset=utf-8' })
              .end(loginPage(details.uid, 'Wrong e-mail or password.'));
            return;
          }
          logins.push(user.email);
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: user.sub } },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        callback(req, res);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`IdP harness error: ${String(error)}`);
      }
    })();
  });

  return {
    issuer,
    port,
    logins,
    authorizationRequests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
