import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { OidcGateway, OidcIssuer } from '../../lib';
import { type ExpectedProblem, expectProblems, resourceAt, synth, variableSecret } from '../helpers';

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

/** Asserts the problems when a gateway binds `issuer` (issuer options are checked there). */
function issuerProblems(issuer: unknown, expected: readonly ExpectedProblem[]) {
  return expectProblems(
    () =>
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
    expected,
  );
}

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
      issuerProblems(OidcIssuer.okta({ domain: 'https://example.okta.com' }), [
        {
          where: 'test/gw',
          path: 'issuer.domain',
          says: ['must be a fully qualified DNS name', 'got "https://example.okta.com"'],
        },
      ]);
    });

    it('reports a misspelled option', () => {
      issuerProblems(OidcIssuer.okta({ domain: 'example.okta.com', authServerId: 'default' } as any), [
        { where: 'test/gw', path: 'issuer.authServerId', says: ['is not a known property', 'got "default"'] },
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
      issuerProblems(OidcIssuer.entraId({ tenantId: 'common' }), [
        {
          where: 'test/gw',
          path: 'issuer.tenantId',
          says: ['must be the directory (tenant) id, a GUID', 'got "common"'],
        },
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
      issuerProblems(OidcIssuer.keycloak({ url: 'http://sso.example.com', realm: 'platform' }), [
        {
          where: 'test/gw',
          path: 'issuer.url',
          says: ['must be an https:// URL', 'got "http://sso.example.com"'],
        },
      ]);
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
      issuerProblems(OidcIssuer.generic({ issuerUrl: 'http://idp.example.com' }), [
        {
          where: 'test/gw',
          path: 'issuer.issuerUrl',
          says: ['must be an https:// URL', 'got "http://idp.example.com"'],
        },
      ]);
    });

    it('refuses a scope with spaces in it', () => {
      issuerProblems(
        OidcIssuer.generic({ issuerUrl: 'https://idp.example.com', scopes: ['openid', 'email profile'] }),
        [
          {
            where: 'test/gw',
            path: 'issuer.scopes[1]',
            says: ['must be a scope without spaces', 'got "email profile"'],
          },
        ],
      );
    });
  });

  it('is recognised by brand, and a look-alike object is refused by the gateway', () => {
    expect(OidcIssuer.isOidcIssuer(OidcIssuer.google())).toBe(true);
    expect(OidcIssuer.isOidcIssuer({ preset: 'okta' })).toBe(false);
    issuerProblems({ preset: 'okta' }, [
      { where: 'test/gw', path: 'issuer', says: ['must be an OidcIssuer', 'got {"preset":"okta"}'] },
    ]);
  });

  describe('issuer URLs', () => {
    it('refuses credentials in the URL without echoing them', () => {
      const [problem] = issuerProblems(
        OidcIssuer.generic({ issuerUrl: 'https://admin:hunter2@idp.example.com' }),
        [
          {
            where: 'test/gw',
            path: 'issuer.issuerUrl',
            says: [
              'must not contain credentials',
              'got a plain value (hidden)',
              'Remove the user name and password',
            ],
          },
        ],
      );
      expect(problem!.message).not.toContain('hunter2');
    });

    it('refuses a query or fragment', () => {
      issuerProblems(OidcIssuer.generic({ issuerUrl: 'https://idp.example.com/?tenant=a' }), [
        {
          where: 'test/gw',
          path: 'issuer.issuerUrl',
          says: ['must not have a query or fragment', 'got "https://idp.example.com/?tenant=a"'],
        },
      ]);
    });

    it('refuses the discovery document in place of the issuer', () => {
      issuerProblems(
        OidcIssuer.generic({ issuerUrl: 'https://idp.example.com/.well-known/openid-configuration' }),
        [
          {
            where: 'test/gw',
            path: 'issuer.issuerUrl',
            says: [
              'is the discovery document, not the issuer',
              'got "https://idp.example.com/.well-known/openid-configuration"',
              'Drop "/.well-known/openid-configuration"',
            ],
          },
        ],
      );
    });

    it('refuses a Keycloak URL that already names the realm', () => {
      issuerProblems(OidcIssuer.keycloak({ url: 'https://sso.example.com/realms/staff', realm: 'staff' }), [
        {
          where: 'test/gw',
          path: 'issuer.url',
          says: [
            'must be the Keycloak base URL, without "/realms/<realm>"',
            'got "https://sso.example.com/realms/staff"',
            'Give the realm in "realm" only',
          ],
        },
      ]);
    });

    it('refuses scopes without openid', () => {
      issuerProblems(OidcIssuer.okta({ domain: 'example.okta.com', scopes: ['email', 'profile'] }), [
        {
          where: 'test/gw',
          path: 'issuer.scopes',
          says: ['must include "openid"', 'got ["email","profile"]', 'add "openid" to the list'],
        },
      ]);
    });
  });
});
