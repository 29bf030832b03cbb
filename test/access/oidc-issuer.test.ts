import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { OidcGateway, OidcIssuer } from '../../lib';
import { errorOf, resourceAt, synth, variableSecret } from '../helpers';

/** The alpha config's provider block of a gateway using `issuer`. */
function providerFor(
  issuer: OidcIssuer,
  access: { emailDomains?: string[]; groups?: string[] } = { emailDomains: ['example.com'] },
) {
  const json = synth(
    (stack) =>
      new OidcGateway(stack, 'gw', {
        namespace: 'backstage',
        host: 'backstage.example.com',
        issuer,
        clientId: 'client-123',
        clientSecret: variableSecret(stack, 'oidc_client_secret'),
        cookieSecret: variableSecret(stack, 'cookie_secret'),
        access,
      }),
  );
  return parse(resourceAt(json, 'kubernetes_config_map_v1', 'gw/Config').data['alpha-config.yaml'])
    .providers[0];
}

/** The error lines when a gateway binds `issuer` (issuer options are checked there). */
function issuerErrors(issuer: unknown): string[] {
  return errorOf(() =>
    synth(
      (stack) =>
        new OidcGateway(stack, 'gw', {
          namespace: 'backstage',
          host: 'backstage.example.com',
          issuer: issuer as OidcIssuer,
          clientId: 'client-123',
          clientSecret: variableSecret(stack, 'oidc_client_secret'),
          cookieSecret: variableSecret(stack, 'cookie_secret'),
          access: { emailDomains: ['example.com'] },
        }),
    ),
  ).split('\n');
}

const HTTPS_FIX = 'Identity and key material must come over TLS: use the https:// address of the endpoint.';

describe('OidcIssuer', () => {
  describe('okta', () => {
    it('uses the org authorization server by default and asks for groups', () => {
      const provider = providerFor(OidcIssuer.okta({ domain: 'example.okta.com' }));
      expect(provider).toMatchObject({
        provider: 'oidc',
        name: 'Okta',
        scope: 'openid email profile groups',
        oidcConfig: { issuerURL: 'https://example.okta.com', emailClaim: 'email', groupsClaim: 'groups' },
      });
    });

    it('uses a custom authorization server when given', () => {
      const provider = providerFor(
        OidcIssuer.okta({ domain: 'example.okta.com', authorizationServerId: 'default' }),
      );
      expect(provider.oidcConfig.issuerURL).toBe('https://example.okta.com/oauth2/default');
    });

    it('refuses a domain with a scheme', () => {
      expect(issuerErrors(OidcIssuer.okta({ domain: 'https://example.okta.com' }))).toEqual([
        '[test/gw] issuer.domain: must be a fully qualified DNS name, got "https://example.okta.com". Use lower-case letters, digits, "-" and ".", with at least two labels and no scheme, port or path (e.g. "backstage.example.com").',
      ]);
    });

    it('reports a misspelled option', () => {
      expect(
        issuerErrors(OidcIssuer.okta({ domain: 'example.okta.com', authServerId: 'default' } as any)),
      ).toEqual([
        '[test/gw] issuer.authServerId: is not a known property, got "default". Check the spelling against the documented options.',
      ]);
    });
  });

  describe('google', () => {
    it('uses accounts.google.com and limits sign-in to the hosted domain with the hd parameter', () => {
      const provider = providerFor(OidcIssuer.google({ hostedDomain: 'example.com' }));
      expect(provider).toMatchObject({
        provider: 'oidc',
        name: 'Google',
        scope: 'openid email profile',
        oidcConfig: { issuerURL: 'https://accounts.google.com' },
        loginURLParameters: [{ name: 'hd', default: ['example.com'] }],
      });
    });

    it('sends no hd parameter without a hosted domain', () => {
      expect(providerFor(OidcIssuer.google())).not.toHaveProperty('loginURLParameters');
    });
  });

  describe('entraId', () => {
    it('uses the v2.0 issuer of the tenant and the entra-id provider', () => {
      const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
      const provider = providerFor(OidcIssuer.entraId({ tenantId }));
      expect(provider).toMatchObject({
        provider: 'entra-id',
        name: 'Microsoft Entra ID',
        oidcConfig: { issuerURL: `https://login.microsoftonline.com/${tenantId}/v2.0` },
      });
    });

    it('refuses a tenant that is not a GUID', () => {
      expect(issuerErrors(OidcIssuer.entraId({ tenantId: 'common' }))).toEqual([
        '[test/gw] issuer.tenantId: must be the directory (tenant) id, a GUID, got "common". Copy the "Directory (tenant) ID" from the app registration; names like "common" allow any tenant.',
      ]);
    });
  });

  describe('keycloak', () => {
    it('uses the realm URL (trailing slash trimmed) and the keycloak-oidc provider', () => {
      const provider = providerFor(
        OidcIssuer.keycloak({ url: 'https://sso.example.com/', realm: 'platform' }),
      );
      expect(provider).toMatchObject({
        provider: 'keycloak-oidc',
        name: 'Keycloak',
        oidcConfig: { issuerURL: 'https://sso.example.com/realms/platform' },
      });
    });

    it('refuses a URL that is not https', () => {
      expect(issuerErrors(OidcIssuer.keycloak({ url: 'http://sso.example.com', realm: 'platform' }))).toEqual(
        [`[test/gw] issuer.url: must be an https:// URL, got "http://sso.example.com". ${HTTPS_FIX}`],
      );
    });
  });

  describe('generic', () => {
    it('uses the issuer URL, e-mail claim and display name as given', () => {
      const provider = providerFor(
        OidcIssuer.generic({
          issuerUrl: 'https://idp.example.com/',
          emailClaim: 'upn',
          displayName: 'Corporate SSO',
          groupsClaim: 'roles',
          scopes: ['openid', 'email', 'roles'],
        }),
        { groups: ['admins'] },
      );
      expect(provider).toMatchObject({
        provider: 'oidc',
        name: 'Corporate SSO',
        scope: 'openid email roles',
        allowedGroups: ['admins'],
        oidcConfig: { issuerURL: 'https://idp.example.com', emailClaim: 'upn', groupsClaim: 'roles' },
      });
    });

    it('refuses an issuer URL that is not https', () => {
      expect(issuerErrors(OidcIssuer.generic({ issuerUrl: 'http://idp.example.com' }))).toEqual([
        `[test/gw] issuer.issuerUrl: must be an https:// URL, got "http://idp.example.com". ${HTTPS_FIX}`,
      ]);
    });

    it('refuses a scope with spaces in it', () => {
      expect(
        issuerErrors(
          OidcIssuer.generic({ issuerUrl: 'https://idp.example.com', scopes: ['openid', 'email profile'] }),
        ),
      ).toEqual([
        '[test/gw] issuer.scopes[1]: must be a scope without spaces, got "email profile". Give each scope as its own array item.',
      ]);
    });
  });

  it('is recognised by brand, and a look-alike object is refused by the gateway', () => {
    expect(OidcIssuer.isOidcIssuer(OidcIssuer.google())).toBe(true);
    expect(OidcIssuer.isOidcIssuer({ preset: 'okta' })).toBe(false);
    expect(issuerErrors({ preset: 'okta' })).toEqual([
      '[test/gw] issuer: must be an OidcIssuer, got {"preset":"okta"}. Use OidcIssuer.okta(), .google(), .entraId(), .keycloak() or .generic().',
    ]);
  });

  describe('issuer URLs', () => {
    it('refuses credentials in the URL without echoing them', () => {
      const [line] = issuerErrors(OidcIssuer.generic({ issuerUrl: 'https://admin:hunter2@idp.example.com' }));
      expect(line).toBe(
        '[test/gw] issuer.issuerUrl: must not contain credentials, got a plain value (hidden). Remove the user name and password: an issuer URL is public, and the client secret goes in clientSecret.',
      );
    });

    it('refuses a query or fragment', () => {
      expect(issuerErrors(OidcIssuer.generic({ issuerUrl: 'https://idp.example.com/?tenant=a' }))).toEqual([
        '[test/gw] issuer.issuerUrl: must not have a query or fragment, got "https://idp.example.com/?tenant=a". Give the issuer exactly as the "issuer" field of its discovery document, e.g. "https://idp.example.com/realms/staff".',
      ]);
    });

    it('refuses the discovery document in place of the issuer', () => {
      expect(
        issuerErrors(
          OidcIssuer.generic({ issuerUrl: 'https://idp.example.com/.well-known/openid-configuration' }),
        ),
      ).toEqual([
        '[test/gw] issuer.issuerUrl: is the discovery document, not the issuer, got "https://idp.example.com/.well-known/openid-configuration". Drop "/.well-known/openid-configuration": the issuer is the URL before it.',
      ]);
    });

    it('refuses a Keycloak URL that already names the realm', () => {
      expect(
        issuerErrors(OidcIssuer.keycloak({ url: 'https://sso.example.com/realms/staff', realm: 'staff' })),
      ).toEqual([
        '[test/gw] issuer.url: must be the Keycloak base URL, without "/realms/<realm>", got "https://sso.example.com/realms/staff". Give the realm in "realm" only, e.g. url "https://sso.example.com", realm "staff".',
      ]);
    });

    it('refuses scopes without openid', () => {
      expect(
        issuerErrors(OidcIssuer.okta({ domain: 'example.okta.com', scopes: ['email', 'profile'] })),
      ).toEqual([
        '[test/gw] issuer.scopes: must include "openid", got ["email","profile"]. Without it the IdP issues no ID token and oauth2-proxy cannot sign anyone in: add "openid" to the list.',
      ]);
    });
  });
});
