// A token issuer for machine clients (a CI system's OIDC issuer): OpenID discovery and a
// JWKS over TLS, and signed JWTs. One instance is trusted by the portal, another is not.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, SignJWT } from 'jose';

import type { ServerCert } from './pki';

export interface MachineIssuer {
  readonly issuer: string;
  /** A token signed by this issuer's published key. */
  token(
    claims: { sub: string; aud: string; [claim: string]: unknown },
    opts?: { expiresIn?: string; issuer?: string },
  ): Promise<string>;
  /** A token that claims this issuer but is signed by a key it never published. */
  forgedToken(claims: { sub: string; aud: string; [claim: string]: unknown }): Promise<string>;
  stop(): Promise<void>;
}

export async function startMachineIssuer(tls: ServerCert, kid: string): Promise<MachineIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const forger = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const server = createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (path === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer,
          jwks_uri: `${issuer}/jwks`,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          response_types_supported: ['id_token'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
    } else if (path === '/jwks' || path === '/.well-known/jwks') {
      // (/.well-known/jwks: where GitHub Actions' issuer publishes its keys.)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  const sign = (
    key: Parameters<SignJWT['sign']>[0],
    claims: Record<string, unknown>,
    iss: string,
    expiresIn: string,
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(iss)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(key);
  return {
    issuer,
    token: (claims, opts) => sign(privateKey, claims, opts?.issuer ?? issuer, opts?.expiresIn ?? '10m'),
    forgedToken: (claims) => sign(forger.privateKey, claims, issuer, '10m'),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
