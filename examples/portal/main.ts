// One cdktf app, one TerraformStack per environment, the same front door in both.
// Synthesizes with no cluster and no credentials: secrets arrive as TF_VAR_* at deploy.
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';

import {
  BackstageDatabase,
  BackstagePortal,
  MachineClient,
  OidcIssuer,
  SecretRef,
  SessionStore,
  TlsSource,
} from '../../lib';

interface EnvironmentSettings {
  /** kubeconfig context of the environment's cluster. */
  readonly kubeContext: string;
  readonly host: string;
  readonly production: boolean;
}

class PortalStack extends TerraformStack {
  constructor(scope: Construct, id: string, env: EnvironmentSettings) {
    super(scope, id);
    new KubernetesProvider(this, 'kubernetes', {
      configPath: '~/.kube/config',
      configContext: env.kubeContext,
    });

    // Secrets: sensitive variables, filled from TF_VAR_oidc_client_secret etc. at deploy time.
    const secret = (name: string) =>
      SecretRef.fromVariable(new TerraformVariable(this, name, { type: 'string', sensitive: true }));

    new BackstagePortal(this, 'portal', {
      host: env.host,
      image: 'registry.example.com/platform/backstage:1.4.2',
      issuer: OidcIssuer.okta({ domain: 'example.okta.com', authorizationServerId: 'default' }),
      clientId: '0oa1b2c3d4e5f6g7h8i9',
      clientSecret: secret('oidc_client_secret'),
      cookieSecret: secret('oauth2_proxy_cookie_secret'),
      access: { emailDomains: ['example.com'], groups: env.production ? ['backstage-users'] : undefined },
      tls: env.production
        ? TlsSource.acme({ email: 'platform@example.com' })
        : TlsSource.acme({ email: 'platform@example.com', server: 'staging' }),
      database: env.production
        ? BackstageDatabase.external({
            host: 'backstage.db.example.com',
            user: 'backstage',
            password: secret('database_password'),
          })
        : BackstageDatabase.inCluster({ password: secret('database_password'), storageSize: '5Gi' }),
      machineClients: [
        MachineClient.jwt({
          issuerUrl: 'https://ci.example.com',
          audience: 'backstage-machines',
          jwksUrl: 'https://ci.example.com/.well-known/jwks',
          subjectPrefix: 'ci',
          // The gateway holds machine tokens to the people's rules too.
          emailDomain: 'example.com',
          groups: env.production ? ['backstage-users'] : undefined,
          accessRestrictions: [{ plugin: 'catalog' }],
        }),
      ],
      backstage: env.production ? { autoscaling: { minReplicas: 2, maxReplicas: 6 } } : { replicas: 1 },
      gateway: env.production
        ? {
            sessionStore: SessionStore.redis({
              url: 'rediss://sessions.cache.example.com:6379',
              password: secret('redis_password'),
            }),
          }
        : { replicas: 1 },
      ingress: env.production
        ? { rateLimit: { requestsPerSecond: 20 }, authCacheDuration: '1m' }
        : { allowSourceRanges: ['203.0.113.0/24'] },
    });
  }
}

const app = new App();
new PortalStack(app, 'portal-dev', {
  kubeContext: 'dev',
  host: 'backstage.dev.example.com',
  production: false,
});
new PortalStack(app, 'portal-prod', { kubeContext: 'prod', host: 'backstage.example.com', production: true });
app.synth();
