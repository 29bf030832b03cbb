// The portal environments written with this library, as a user's compiled cdktf app.
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { BackstageDatabase, BackstagePortal, OidcIssuer, SecretRef, TlsSource } from 'cdktf-backstage';

import { benchArgs, environments, reportPeakRss } from './environments';

const { outdir, count } = benchArgs();
const app = new App({ outdir });
for (const env of environments(count)) {
  const stack = new TerraformStack(app, env.name);
  new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config', configContext: env.name });
  const secret = (name: string) =>
    SecretRef.fromVariable(new TerraformVariable(stack, name, { type: 'string', sensitive: true }));
  new BackstagePortal(stack, 'portal', {
    host: env.host,
    image: 'registry.example.com/platform/backstage:1.4.2',
    database: BackstageDatabase.inCluster({ password: secret('database_password') }),
    issuer: OidcIssuer.okta({ domain: 'example.okta.com' }),
    clientId: '0oa1b2c3d4e5f6g7h8i9',
    clientSecret: secret('oidc_client_secret'),
    cookieSecret: secret('oauth2_proxy_cookie_secret'),
    access: { emailDomains: ['example.com'] },
    tls: TlsSource.acme({ email: 'platform@example.com' }),
  });
}
app.synth();
reportPeakRss();
