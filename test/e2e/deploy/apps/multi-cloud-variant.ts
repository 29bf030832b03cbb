// The multi-cloud example's dev environment with some props changed, for the deploy
// suite's change tests: the same stacks, ids and state as examples/multi-cloud, built from
// the same files, with the changes named in E2E_VARIANT (comma-separated, applied in
// order) on top. Only the dev environment is synthesized.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { App } from 'cdktf';
import { parse } from 'yaml';

import {
  type EnvironmentData,
  environmentStacks,
  ExternalSecret,
  KubernetesResource,
  loadEnvironmentFile,
  parseSharedAccessPolicy,
  SecretStore,
  SecretStoreProvider,
} from '../../../../lib';

const example = join(__dirname, '../../../../examples/multi-cloud');

/** One change of each kind a user makes between two deploys. */
const changes: Record<string, (env: EnvironmentData) => EnvironmentData> = {
  // An Ingress annotation (the allow-list).
  annotation: (env) => ({ ...env, allowSourceRanges: [...(env.allowSourceRanges ?? []), '192.168.0.0/16'] }),
  // Backstage replicas.
  replicas: (env) => ({ ...env, replicas: 2 }),
  // A chart value: a key of the ingress-nginx controller ConfigMap.
  chartValue: (env) => ({
    ...env,
    ingressController: { ...env.ingressController, config: { 'keep-alive': '30' } },
  }),
  // Backstage autoscaling (an HPA; the replica count left to it).
  autoscaling: (env) => ({ ...env, autoscaling: { minReplicas: 2, maxReplicas: 4 } }),
  // An app-config value.
  appConfig: (env) => ({ ...env, appConfig: { app: { title: 'Backstage (dev, changed)' } } }),
  // Prometheus scraping: oauth2-proxy's metrics port and Backstage's exporter's opened to the
  // monitoring namespace's Prometheus, found through ServiceMonitors (the suite installs their
  // CRD first, as a platform team's Prometheus Operator would have).
  metrics: (env) => ({
    ...env,
    metrics: {
      scraper: { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      // 20s: shorter than cert-manager's (30s) and External Secrets' (25s) scrape timeouts, longer
      // than Prometheus' 10s that ingress-nginx's chart leaves in place.
      serviceMonitor: { labels: { release: 'e2e-prometheus' }, interval: '20s' },
      backstage: { port: 9464 },
    },
  }),
  // The database password from a secret manager (Vault) through External Secrets: adds the
  // operator to the platform and a ClusterSecretStore and an ExternalSecret to the portal.
  externalSecrets: (env) => ({
    ...env,
    cloud: { provider: 'generic', vault: { server: 'https://vault.example.com', role: 'backstage' } },
    database:
      env.database.type === 'in-cluster'
        ? {
            ...env.database,
            password: { externalSecret: { remoteKey: 'backstage/dev/database', property: 'password' } },
          }
        : env.database,
  }),
  // The database password from a namespace of the cluster (the kubernetes provider), for the
  // real External Secrets controller: the store, its reader's access and an ExternalSecret
  // re-read every 5s.
  namespaceSecrets: (env) => ({
    ...env,
    cloud: {
      provider: 'generic',
      kubernetesSecrets: { remoteNamespace: 'platform-secrets', secretNames: ['backstage-database'] },
    },
    database:
      env.database.type === 'in-cluster'
        ? {
            ...env.database,
            password: {
              externalSecret: {
                remoteKey: 'backstage-database',
                property: 'password',
                refreshInterval: '5s',
              },
            },
          }
        : env.database,
  }),
  // The switch to the Gateway API, step 1: the Gateway and its routes beside the ingress-nginx
  // Ingresses (the allow-list goes: standard Gateway API routes cannot express it).
  gatewayApiSideBySide: (env) => ({
    ...withoutAllowList(env),
    ingressFlavour: 'gateway-api',
    gatewayApi: { gatewayClassName: E2E_GATEWAY_CLASS, keepIngressNginx: true },
  }),
  // Step 2: ingress-nginx removed.
  gatewayApi: (env) => ({
    ...withoutAllowList(env),
    ingressFlavour: 'gateway-api',
    gatewayApi: { gatewayClassName: E2E_GATEWAY_CLASS },
  }),
  // Step 3, on Envoy Gateway: its policies, and the allow-list again (a SecurityPolicy carries it).
  gatewayApiEnvoy: (env) => ({
    ...env,
    ingressFlavour: 'gateway-api',
    gatewayApi: {
      gatewayClassName: E2E_GATEWAY_CLASS,
      envoyGateway: { rateLimit: { requests: 300, unit: 'Minute' }, trustedProxyHops: 1 },
    },
  }),
};

/** The namespace of the team with a SecretStore of its own (namespaceSecrets). */
const E2E_TEAM_NAMESPACE = 'e2e-team';

/** The GatewayClass the deploy suite creates (nothing reconciles it: the cluster runs no pod for real). */
const E2E_GATEWAY_CLASS = 'e2e-gateway';

function withoutAllowList(env: EnvironmentData): EnvironmentData {
  const { allowSourceRanges: _notWithGatewayApi, ...rest } = env;
  return rest;
}

let env = loadEnvironmentFile(join(example, 'environments/dev.yaml'));
const names = (process.env.E2E_VARIANT ?? '').split(',').filter(Boolean);
for (const name of names) {
  const change = changes[name];
  if (!change)
    throw new Error(`unknown E2E_VARIANT change "${name}" (known: ${Object.keys(changes).join(', ')})`);
  env = change(env);
}
const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? join(process.cwd(), 'cdktf.out') });
const stacks = environmentStacks(
  app,
  env,
  parseSharedAccessPolicy(
    parse(readFileSync(join(example, 'access-policy.yaml'), 'utf8')),
    'access-policy.yaml',
  ),
);
if (names.includes('namespaceSecrets')) {
  // Beside the environment's ClusterSecretStore: another team's namespace, created by this
  // stack, with a SecretStore of its own reading the same namespace as a ServiceAccount of that
  // team, and an ExternalSecret that uses it. The namespace's reference orders them after it
  // on the first apply.
  const team = new KubernetesResource(stacks.portal, 'TeamNamespace', 'kubernetes_namespace_v1', {
    metadata: { name: E2E_TEAM_NAMESPACE },
  });
  const store = new SecretStore(stacks.portal, 'TeamStore', {
    namespace: team.metadataName,
    name: 'platform-secrets',
    provider: SecretStoreProvider.kubernetes({
      remoteNamespace: 'platform-secrets',
      serviceAccount: { name: 'team-secrets-reader', namespace: team.metadataName },
      secretNames: ['backstage-database'],
    }),
  });
  new ExternalSecret(stacks.portal, 'TeamSecret', {
    namespace: team.metadataName,
    name: 'team-database',
    store: store.reference,
    refreshInterval: '5s',
    data: [{ secretKey: 'password', remoteKey: 'backstage-database', property: 'password' }],
  });
}
app.synth();
