// The sign-in resolver options the library renders into the app-config, checked against
// Backstage's own resolver factories (the published packages this suite runs): every
// resolver exists and every option is one its optionsJsonSchema declares (each schema has
// additionalProperties false, so Backstage refuses any other key at start). It lives here,
// not in the unit suite (test/backstage/app-config.test.ts), because those packages are this
// suite's dependencies (test/e2e/signin/package.json). No program is started.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { SIGN_IN_RESOLVERS } from '../../../lib';
import { resourceAt, synthBackstage } from '../../helpers';

/** The app-config Backstage reads: the ConfigMap's YAML after Terraform has rendered `$${` to `${`. */
function appConfigWithEveryResolver(): any {
  const json = synthBackstage({
    signIn: { resolvers: [...SIGN_IN_RESOLVERS], dangerouslyAllowSignInWithoutUserInCatalog: true },
  });
  const raw: string = resourceAt(json, 'kubernetes_config_map_v1', 'bs/AppConfig').data[
    'app-config.portal.yaml'
  ];
  return parse(raw.replaceAll('$${', '${').replaceAll('%%{', '%{'));
}

describe('Backstage app-config against Backstage', () => {
  it("sets only resolver options that Backstage's own resolvers declare (their optionsJsonSchema)", async () => {
    // The real resolver factories of the Backstage packages the sign-in suite runs.
    const { commonSignInResolvers } = await import('@backstage/plugin-auth-node');
    const { oauth2ProxySignInResolvers } =
      await import('@backstage/plugin-auth-backend-module-oauth2-proxy-provider');
    const factories: Record<string, { optionsJsonSchema?: any }> = {
      ...commonSignInResolvers,
      ...oauth2ProxySignInResolvers,
    };
    const declared = (resolver: string): string[] =>
      Object.keys(
        (factories[resolver]?.optionsJsonSchema?.anyOf ?? []).find((s: any) => s.type === 'object')
          ?.properties ?? {},
      );
    const config = appConfigWithEveryResolver();
    const entries: Array<Record<string, unknown>> = config.auth.providers.oauth2Proxy.signIn.resolvers;
    expect(entries.map((e) => e.resolver)).toEqual([...SIGN_IN_RESOLVERS]);
    for (const { resolver, ...options } of entries) {
      expect(Object.keys(factories), `Backstage has no resolver ${String(resolver)}`).toContain(resolver);
      // additionalProperties is false in each schema: a key it does not declare is refused.
      expect(declared(String(resolver))).toEqual(expect.arrayContaining(Object.keys(options)));
      expect(Object.keys(options)).toEqual(['dangerouslyAllowSignInWithoutUserInCatalog']);
    }
  });
});
