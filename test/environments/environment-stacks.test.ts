import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { App, TerraformStack, Testing } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import {
  DEFAULT_CHARTS,
  EnvironmentData,
  environmentStacks,
  loadEnvironmentFile,
  parseSharedAccessPolicy,
} from '../../lib';
import { expectProblems, problemsOf } from '../helpers';

const root = resolve(__dirname, '../..');
const examples = join(root, 'examples/multi-cloud');
const access = parseSharedAccessPolicy(parse(readFileSync(join(examples, 'access-policy.yaml'), 'utf8')));
const env = (name: string) => loadEnvironmentFile(join(examples, `environments/${name}.yaml`));
type Json = Record<string, any>;

describe('the multi-cloud example', () => {
  let out: string;
  const stack = (name: string): Json =>
    JSON.parse(readFileSync(join(out, 'stacks', name, 'cdk.tf.json'), 'utf8'));
  const manifests = (json: Json) =>
    Object.values(json.resource.kubernetes_manifest ?? {}).map((r: any) => r.manifest);
  const releases = (json: Json) => Object.values(json.resource.helm_release ?? {}) as Json[];

  beforeAll(() => {
    // The example app itself, as `cdktf synth` runs it: no cluster, no cloud credentials.
    out = mkdtempSync(join(tmpdir(), 'multi-cloud-'));
    execFileSync(
      process.execPath,
      ['--require', join(root, 'node_modules/tsx/dist/cjs/index.cjs'), join(examples, 'main.ts')],
      {
        env: { ...process.env, CDKTF_OUTDIR: out },
        stdio: 'pipe',
      },
    );
  });

  it('makes a platform and a portal stack per environment, the portal deployed after its platform', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(
      Object.fromEntries(Object.entries(manifest.stacks).map(([n, s]: [string, any]) => [n, s.dependencies])),
    ).toEqual({
      'dev-platform': [],
      'dev-portal': ['dev-platform'],
      'staging-platform': [],
      'staging-portal': ['staging-platform'],
      'prod-platform': [],
      'prod-portal': ['prod-platform'],
    });
  });

  it("keeps each stack in its environment's backend", () => {
    expect(stack('dev-portal').terraform.backend).toEqual({
      local: { path: 'terraform-state/dev-portal.tfstate' },
    });
    expect(stack('staging-platform').terraform.backend).toEqual({
      gcs: { bucket: 'example-portal-tfstate-staging', prefix: 'backstage/staging-platform' },
    });
    expect(stack('prod-portal').terraform.backend).toEqual({
      s3: {
        bucket: 'example-portal-tfstate',
        key: 'backstage/prod-portal.tfstate',
        region: 'eu-west-1',
        dynamodb_table: 'terraform-locks',
        encrypt: true,
      },
    });
  });

  it("installs the operators in the platform stack, with the cloud's load balancer and workload identity", () => {
    const prod = releases(stack('prod-platform'));
    expect(prod.map((r) => r.chart).sort()).toEqual([
      'cert-manager',
      'external-secrets',
      'ingress-nginx',
      'reloader',
    ]);
    const nginx = parse(prod.find((r) => r.chart === 'ingress-nginx')!.values[0]);
    expect(nginx.controller.service.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    });
    const certManager = prod.find((r) => r.chart === 'cert-manager')!;
    expect(JSON.stringify(certManager)).toContain('arn:aws:iam::123456789012:role/portal-cert-manager');
    // dev reads no cloud secret manager: no External Secrets Operator there.
    expect(
      releases(stack('dev-platform'))
        .map((r) => r.chart)
        .sort(),
    ).toEqual(['cert-manager', 'ingress-nginx', 'reloader']);
  });

  it('puts custom resources in the portal stack: the cloud secret store and the external secrets read from it', () => {
    const prod = manifests(stack('prod-portal'));
    const store = prod.find((m) => m.kind === 'ClusterSecretStore');
    expect(store.spec.provider).toEqual({ aws: { region: 'eu-west-1', service: 'SecretsManager' } });
    expect(store.spec.conditions).toEqual([{ namespaces: ['backstage'] }]);
    const external = prod.filter((m) => m.kind === 'ExternalSecret');
    expect(external.map((m) => m.spec.data[0].remoteRef)).toEqual([
      { key: 'prod/backstage/db', property: 'password' },
      { key: 'prod/backstage/oidc', property: 'clientSecret' },
      { key: 'prod/backstage/oidc', property: 'cookieSecret' },
    ]);
    expect(new Set(external.map((m) => m.spec.secretStoreRef.name))).toEqual(new Set([store.metadata.name]));
    expect(stack('prod-platform').resource.kubernetes_manifest).toBeUndefined();
  });

  it('admits only the installed controller to the portal', () => {
    const policies = Object.values(stack('prod-portal').resource.kubernetes_network_policy_v1) as Json[];
    for (const policy of policies) {
      expect(policy.spec.ingress[0].from[0].pod_selector.match_labels).toMatchObject({
        'app.kubernetes.io/name': 'ingress-nginx',
      });
    }
  });

  it('writes a guardrails report next to each stack', () => {
    const report = JSON.parse(
      readFileSync(join(out, 'stacks/prod-portal/guardrails-prod-portal.json'), 'utf8'),
    );
    expect(report).toMatchObject({ stack: 'prod-portal' });
    expect(existsSync(join(out, 'stacks/dev-platform/guardrails-dev-platform.md'))).toBe(true);
  });
});

describe('environmentStacks', () => {
  const synthEnv = (data: EnvironmentData) => {
    const app = Testing.app();
    return environmentStacks(app as App, data, access);
  };

  it('uses DNS-01 for an internal portal whose cloud has a DNS zone (HTTP-01 cannot reach it)', () => {
    const { portal } = synthEnv({ ...env('prod'), exposure: 'internal' });
    const issuer = JSON.parse(Testing.synth(portal)).resource.kubernetes_manifest;
    const spec = Object.values(issuer)
      .map((r: any) => r.manifest)
      .find((m: any) => m.kind === 'ClusterIssuer').spec;
    expect(spec.acme.solvers[0]).toHaveProperty('dns01.route53');
  });

  it('refuses secrets from a secret manager when the cloud profile has none', () => {
    const data: EnvironmentData = {
      ...env('dev'),
      cloud: { provider: 'aks' },
      secrets: {
        clientSecret: { externalSecret: { remoteKey: 'oidc' } },
        cookieSecret: { variable: 'cookie' },
      },
    };
    expectProblems(
      () => synthEnv(data),
      [
        {
          where: 'environment dev',
          path: 'secrets',
          says: ['come from a secret manager, but the aks cloud profile has none', 'aks: keyVaultUrl'],
        },
      ],
    );
  });

  const resources = (stack: TerraformStack, type: string): Json[] =>
    Object.values(JSON.parse(Testing.synth(stack)).resource[type] ?? {});

  describe('secrets from a namespace of the cluster (generic: kubernetesSecrets)', () => {
    const withNamespaceSecrets = (kubernetesSecrets: Json): EnvironmentData => {
      const dev = env('dev');
      return {
        ...dev,
        cloud: { provider: 'generic', kubernetesSecrets } as EnvironmentData['cloud'],
        database:
          dev.database.type === 'in-cluster'
            ? {
                ...dev.database,
                password: {
                  externalSecret: {
                    remoteKey: 'backstage-database',
                    property: 'password',
                    refreshInterval: '30s',
                  },
                },
              }
            : dev.database,
      };
    };

    it('reads them as a ServiceAccount of that namespace, which gets get on its Secrets, and rotates every refreshInterval', () => {
      const { platform, portal } = synthEnv(
        withNamespaceSecrets({ remoteNamespace: 'platform-secrets', secretNames: ['backstage-database'] }),
      );
      expect(resources(platform, 'helm_release').map((r) => r.name)).toContain('external-secrets');
      const manifests = resources(portal, 'kubernetes_manifest').map((r) => r.manifest);
      const store = manifests.find((m) => m.kind === 'ClusterSecretStore');
      expect(store.metadata.name).toBe('kubernetes-platform-secrets');
      // What the environment decides: the namespace, the reader's default name beside it, and
      // the portal's namespace as the only one served (the rest is SecretStoreProvider.kubernetes's).
      expect(store.spec.provider.kubernetes.remoteNamespace).toBe('platform-secrets');
      expect(store.spec.provider.kubernetes.auth).toEqual({
        serviceAccount: { name: 'external-secrets-reader', namespace: 'platform-secrets' },
      });
      expect(store.spec.conditions).toEqual([{ namespaces: ['backstage'] }]);
      const external = manifests.find((m) => m.kind === 'ExternalSecret');
      expect(external.spec).toMatchObject({
        refreshInterval: '30s',
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'kubernetes-platform-secrets' },
        data: [{ remoteRef: { key: 'backstage-database', property: 'password' } }],
      });
      expect(resources(portal, 'kubernetes_role_v1').map((r) => r.rule)).toEqual([
        [
          {
            api_groups: [''],
            resources: ['secrets'],
            verbs: ['get'],
            resource_names: ['backstage-database'],
          },
        ],
      ]);
      expect(resources(portal, 'kubernetes_service_account_v1').map((r) => r.metadata.name)).toContain(
        'external-secrets-reader',
      );
    });

    it('refuses kubernetesSecrets beside vault, and a bad namespace', () => {
      expectProblems(
        () =>
          synthEnv({
            ...env('dev'),
            cloud: {
              provider: 'generic',
              vault: { server: 'https://vault.example.com', role: 'backstage' },
              kubernetesSecrets: { remoteNamespace: 'platform-secrets' },
            },
          }),
        [
          {
            where: 'environment dev',
            path: 'cloud.kubernetesSecrets',
            says: ['cannot be set together with vault', 'keep vault or kubernetesSecrets'],
          },
        ],
      );
      expect(
        problemsOf(() => synthEnv(withNamespaceSecrets({ remoteNamespace: 'Platform Secrets' }))).map(
          (p) => p.path,
        ),
      ).toContain('cloud.kubernetesSecrets.remoteNamespace');
    });
  });

  it('gives an external database TLS settings and a private CA from the environment', () => {
    const data: EnvironmentData = {
      ...env('dev'),
      database: {
        type: 'external',
        host: 'backstage.cluster-abc.eu-west-1.rds.amazonaws.com',
        user: 'backstage',
        password: { variable: 'db_password' },
        tls: { mode: 'verify-full', ca: { secret: { name: 'rds-ca', key: 'ca.pem' } } },
      },
    };
    const { portal } = synthEnv(data);
    const [config] = resources(portal, 'kubernetes_config_map_v1').filter(
      (c) => c.metadata.name === 'backstage-app-config',
    );
    const appConfig = parse(
      Object.values(config!.data as Record<string, string>)[0]!.replace(/\$\$\{/g, '${'),
    );
    expect(appConfig.backend.database.connection.ssl).toEqual({
      rejectUnauthorized: true,
      ca: '${POSTGRES_CA_CERT}',
    });
    const [deployment] = resources(portal, 'kubernetes_deployment_v1').filter(
      (d) => d.metadata.name === 'backstage',
    );
    const containerEnv = deployment!.spec.template.spec.container[0].env as Json[];
    expect(containerEnv.find((e) => e.name === 'POSTGRES_CA_CERT')).toEqual({
      name: 'POSTGRES_CA_CERT',
      value_from: { secret_key_ref: { name: 'rds-ca', key: 'ca.pem' } },
    });
  });

  it("takes Backstage autoscaling and app-config, the rate limit, and the controller's replicas and ConfigMap keys, from the environment", () => {
    const { platform, portal } = synthEnv({
      ...env('dev'),
      autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 60 },
      rateLimit: { requestsPerSecond: 20, connections: 50 },
      appConfig: { app: { title: 'Dev portal' } },
      ingressController: { replicas: 3, config: { 'keep-alive': '30' } },
    });
    const [hpa] = resources(portal, 'kubernetes_horizontal_pod_autoscaler_v2');
    expect(hpa!.spec).toMatchObject({ min_replicas: 2, max_replicas: 4 });
    expect(hpa!.spec.metric[0].resource.target).toEqual({ type: 'Utilization', average_utilization: 60 });
    for (const ingress of resources(portal, 'kubernetes_ingress_v1')) {
      expect(ingress.metadata.annotations, ingress.metadata.name).toMatchObject({
        'nginx.ingress.kubernetes.io/limit-rps': '20',
        'nginx.ingress.kubernetes.io/limit-burst-multiplier': '5',
        'nginx.ingress.kubernetes.io/limit-connections': '50',
      });
    }
    const [config] = resources(portal, 'kubernetes_config_map_v1').filter(
      (c) => c.metadata.name === 'backstage-app-config',
    );
    expect(parse(Object.values(config!.data as Record<string, string>)[0]!).app.title).toBe('Dev portal');
    const nginx = resources(platform, 'helm_release').find((r) => r.name === 'ingress-nginx')!;
    const values = parse(nginx.values[0]);
    expect(values.controller.replicaCount).toBe(3);
    expect(values.controller.config['keep-alive']).toBe('30');
  });

  it("opens oauth2-proxy's metrics, and Backstage's exporter port, to the environment's scraper, with ServiceMonitors", () => {
    const { platform, portal } = synthEnv({
      ...env('dev'),
      machineHost: 'api.backstage.dev.example.com',
      machineClients: [
        {
          type: 'kubernetes-service-account',
          issuerUrl: 'https://kubernetes.default.svc.cluster.local',
          audience: 'backstage-agents',
          namespace: 'agents',
          serviceAccount: 'catalog-agent',
        },
      ],
      metrics: {
        scraper: { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
        serviceMonitor: { labels: { release: 'kube-prometheus-stack' }, interval: '30s' },
        backstage: { port: 9464 },
      },
    });
    const scraper = {
      namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      pod_selector: { match_labels: { 'app.kubernetes.io/name': 'prometheus' } },
    };
    const scraped = resources(portal, 'kubernetes_network_policy_v1')
      .map((policy) => [
        policy.metadata.name,
        policy.spec.ingress
          .filter((rule: any) => JSON.stringify(rule.from) === JSON.stringify([scraper]))
          .map((rule: any) => rule.ports.map((p: any) => p.port)),
      ])
      .sort();
    expect(scraped).toEqual([
      ['backstage', [['9464']]],
      // The database exports nothing and stays closed to the scraper.
      ['backstage-postgres', []],
      ['oauth2-proxy', [['44180']]],
      ['oauth2-proxy-machines', [['44180']]],
    ]);
    const monitors = Object.values(JSON.parse(Testing.synth(portal)).resource.kubernetes_manifest)
      .map((r: any) => r.manifest)
      .filter((m: any) => m.kind === 'ServiceMonitor');
    expect(
      monitors.map((m: any) => [m.metadata.name, m.metadata.labels.release, m.spec.endpoints]).sort(),
    ).toEqual([
      [
        'backstage',
        'kube-prometheus-stack',
        [{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s' }],
      ],
      [
        'oauth2-proxy',
        'kube-prometheus-stack',
        [{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s' }],
      ],
      [
        'oauth2-proxy-machines',
        'kube-prometheus-stack',
        [{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s' }],
      ],
    ]);
    // The platform stack's operator charts render theirs with the same labels and interval.
    const valuesOfRelease = (name: string) =>
      parse(resources(platform, 'helm_release').find((r) => r.name === name)!.values[0]);
    expect(valuesOfRelease('ingress-nginx').controller.metrics.serviceMonitor).toEqual({
      enabled: true,
      additionalLabels: { release: 'kube-prometheus-stack' },
      scrapeInterval: '30s',
    });
    expect(valuesOfRelease('cert-manager').prometheus.servicemonitor).toEqual({
      enabled: true,
      labels: { release: 'kube-prometheus-stack' },
      interval: '30s',
    });
  });

  it('refuses a metrics scraper without a namespace, naming the file', () => {
    expectProblems(
      () => synthEnv({ ...env('dev'), metrics: { scraper: {} } } as never),
      [{ path: 'metrics.scraper.namespace', says: 'is required' }],
    );
  });

  describe('a chart mirror for the platform stack', () => {
    const chartsOf = (platform: TerraformStack) =>
      Object.fromEntries(
        resources(platform, 'helm_release').map((r) => [
          r.name,
          Object.fromEntries(Object.entries(r).filter(([k]) => /^(repository.*|chart|version)$/.test(k))),
        ]),
      );

    it('installs every operator chart by its pinned name and version from a Helm repository, with the login, CA and client certificate', () => {
      const dir = mkdtempSync(join(tmpdir(), 'mirror-ca-'));
      const [ca, cert, key] = ['corp-ca.pem', 'client.crt', 'client.key'].map((name) => join(dir, name));
      writeFileSync(ca!, '-----BEGIN CERTIFICATE-----\n');
      writeFileSync(cert!, '-----BEGIN CERTIFICATE-----\n');
      writeFileSync(key!, '-----BEGIN PRIVATE KEY-----\n');
      const { platform } = synthEnv({
        ...env('dev'),
        chartMirror: {
          type: 'repository',
          url: 'https://charts.corp.example/helm',
          login: { username: 'ci-robot', password: { variable: 'chart_mirror_password' } },
          caFile: ca!,
          clientCertificate: { certFile: cert!, keyFile: key! },
        },
      });
      const login = {
        repository: 'https://charts.corp.example/helm',
        repository_username: 'ci-robot',
        repository_password: '${var.chart_mirror_password}',
        repository_ca_file: ca,
        repository_cert_file: cert,
        repository_key_file: key,
      };
      expect(chartsOf(platform)).toEqual({
        'ingress-nginx': { ...login, chart: 'ingress-nginx', version: DEFAULT_CHARTS.ingressNginx.version },
        'cert-manager': { ...login, chart: 'cert-manager', version: DEFAULT_CHARTS.certManager.version },
        reloader: { ...login, chart: 'reloader', version: DEFAULT_CHARTS.reloader.version },
      });
      expect(JSON.parse(Testing.synth(platform)).variable.chart_mirror_password).toEqual({
        description: 'chart mirror password of environment dev',
        sensitive: true,
        type: 'string',
      });
    });

    it('installs each chart from <url>/<chart> of an OCI registry, without a login where none is given', () => {
      const { platform } = synthEnv({
        ...env('dev'),
        chartMirror: { type: 'oci', url: 'oci://registry.corp.example/helm-mirror/' },
      });
      expect(chartsOf(platform)).toEqual({
        'ingress-nginx': {
          repository: 'oci://registry.corp.example/helm-mirror',
          chart: 'ingress-nginx',
          version: DEFAULT_CHARTS.ingressNginx.version,
        },
        'cert-manager': {
          repository: 'oci://registry.corp.example/helm-mirror',
          chart: 'cert-manager',
          version: DEFAULT_CHARTS.certManager.version,
        },
        reloader: {
          repository: 'oci://registry.corp.example/helm-mirror',
          chart: 'reloader',
          version: DEFAULT_CHARTS.reloader.version,
        },
      });
    });

    /** The dev environment with this mirror, synthesized. */
    const withMirror = (chartMirror: unknown) => synthEnv({ ...env('dev'), chartMirror } as EnvironmentData);

    it('refuses a password that is not a variable, a CA file or client certificate for OCI, and a URL the operators refuse', () => {
      expectProblems(
        () =>
          withMirror({
            type: 'repository',
            url: 'https://charts.corp.example/helm',
            login: {
              username: 'ci-robot',
              password: { secret: { name: 'mirror', key: 'password' } },
            },
          }),
        [
          {
            where: 'environment dev',
            path: 'chartMirror.login.password',
            says: ['must be {variable: <name>}', 'Helm reads it before anything is in the cluster'],
          },
        ],
      );
      const [plain] = expectProblems(
        () =>
          withMirror({
            type: 'repository',
            url: 'https://charts.corp.example/helm',
            login: { username: 'ci-robot', password: 'hunter2-sentinel' },
          }),
        [
          {
            where: 'environment dev',
            path: 'chartMirror.login.password',
            says: ['must be {variable: <name>}', 'got a plain value (hidden)'],
          },
        ],
      );
      expect(plain!.message).not.toContain('hunter2-sentinel');
      expectProblems(
        () =>
          withMirror({
            type: 'oci',
            url: 'oci://registry.corp.example/helm',
            caFile: '/etc/ssl/corp.pem',
          }),
        [{ where: 'environment dev', path: 'chartMirror.caFile', says: ['is not read for OCI registries'] }],
      );
      expectProblems(
        () =>
          withMirror({
            type: 'oci',
            url: 'oci://registry.corp.example/helm',
            clientCertificate: { certFile: '/etc/ssl/client.crt', keyFile: '/etc/ssl/client.key' },
          }),
        [
          {
            where: 'environment dev',
            path: 'chartMirror.clientCertificate',
            says: ['is not read for OCI registries', 'ignores repository_cert_file and repository_key_file'],
          },
        ],
      );
      expectProblems(
        () => withMirror({ type: 'repository', url: 'http://charts.corp.example' }),
        [
          {
            where: 'dev-platform/IngressNginx',
            path: 'chart.url',
            says: ['must be an https:// Helm repository URL'],
          },
        ],
      );
    });
  });

  it('refuses an unknown database TLS mode with the modes it takes', () => {
    const data = {
      ...env('dev'),
      database: {
        type: 'external',
        host: 'db',
        user: 'u',
        password: { variable: 'p' },
        tls: { mode: 'verify-ca' },
      },
    };
    expect(problemsOf(() => synthEnv(data as unknown as EnvironmentData))).toContainEqual(
      expect.objectContaining({
        path: 'database.tls.mode',
        message: expect.stringContaining(
          'must be "verify-full", "require" or "disable", got "verify-ca". Use "verify-full" and give the server\'s CA in "ca"',
        ),
      }),
    );
  });

  describe('ingressFlavour: gateway-api', () => {
    const { allowSourceRanges: _ingressNginxOnly, ...dev } = env('dev');
    const manifestsOf = (stack: TerraformStack) =>
      resources(stack, 'kubernetes_manifest').map((r) => r.manifest);

    it("renders a Gateway of the cloud's GatewayClass and admits the networks its proxies connect from; no ingress-nginx, cert-manager with Gateway API", () => {
      const { platform, portal } = synthEnv({ ...env('staging'), ingressFlavour: 'gateway-api' });
      expect(
        resources(platform, 'helm_release')
          .map((r) => r.name)
          .sort(),
      ).toEqual(['cert-manager', 'external-secrets', 'reloader']);
      const certManager = parse(
        resources(platform, 'helm_release').find((r) => r.name === 'cert-manager')!.values[0],
      );
      expect(certManager.config).toMatchObject({ enableGatewayAPI: true });
      const gateway = manifestsOf(portal).find((m) => m.kind === 'Gateway');
      expect(gateway.spec.gatewayClassName).toBe('gke-l7-global-external-managed');
      expect(
        manifestsOf(portal)
          .filter((m) => m.kind === 'HTTPRoute')
          .map((m) => m.metadata.name)
          .sort(),
      ).toEqual(['backstage', 'backstage-https-redirect']);
      expect(resources(portal, 'kubernetes_ingress_v1')).toEqual([]);
      const proxyPolicy = resources(portal, 'kubernetes_network_policy_v1').find(
        (p) => p.metadata.name === 'oauth2-proxy',
      )!;
      expect(proxyPolicy.spec.ingress[0].from.slice(1)).toEqual(
        ['35.191.0.0/16', '130.211.0.0/22', '2600:2d00:1:b029::/64', '2600:2d00:1:1::/64'].map((cidr) => ({
          ip_block: { cidr },
        })),
      );
    });

    it('takes the GatewayClass, annotations, networks and data plane from the environment (required on a generic cluster)', () => {
      const { portal } = synthEnv({
        ...dev,
        ingressFlavour: 'gateway-api',
        gatewayApi: {
          gatewayClassName: 'nginx',
          annotations: { 'example.com/team': 'platform' },
          dataPlaneSourceRanges: ['10.1.0.0/16'],
          dataPlane: { namespace: 'nginx-gateway', podLabels: { app: 'nginx' } },
        },
      });
      const gateway = manifestsOf(portal).find((m) => m.kind === 'Gateway');
      expect(gateway.spec.gatewayClassName).toBe('nginx');
      expect(gateway.metadata.annotations).toEqual({
        'example.com/team': 'platform',
        'cert-manager.io/cluster-issuer': 'letsencrypt-staging',
      });
      const proxyPolicy = resources(portal, 'kubernetes_network_policy_v1').find(
        (p) => p.metadata.name === 'oauth2-proxy',
      )!;
      expect(proxyPolicy.spec.ingress[0].from).toEqual([
        {
          namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'nginx-gateway' } },
          pod_selector: { match_labels: { app: 'nginx' } },
        },
        { ip_block: { cidr: '10.1.0.0/16' } },
      ]);
      expectProblems(
        () => synthEnv({ ...dev, ingressFlavour: 'gateway-api' }),
        [
          {
            where: 'environment dev',
            path: 'gatewayApi.gatewayClassName',
            says: ['is required: the generic cloud profile knows no internal GatewayClass', 'got nothing'],
          },
        ],
      );
    });

    it('keeps ingress-nginx serving beside the Gateway during the switch (keepIngressNginx)', () => {
      const { platform, portal } = synthEnv({
        ...dev,
        ingressFlavour: 'gateway-api',
        gatewayApi: { gatewayClassName: 'nginx', keepIngressNginx: true },
      });
      expect(
        resources(platform, 'helm_release')
          .map((r) => r.name)
          .sort(),
      ).toEqual(['cert-manager', 'ingress-nginx', 'reloader']);
      expect(
        resources(portal, 'kubernetes_ingress_v1')
          .map((i) => i.metadata.name)
          .sort(),
      ).toEqual(['backstage', 'backstage-api', 'backstage-oauth2']);
      expect(
        resources(portal, 'kubernetes_deployment_v1')
          .map((d) => d.metadata.name)
          .sort(),
      ).toEqual(['backstage', 'oauth2-proxy', 'oauth2-proxy-ingress-nginx']);
      expect(
        manifestsOf(portal)
          .map((m) => m.kind)
          .sort(),
      ).toEqual(['ClusterIssuer', 'Gateway', 'HTTPRoute', 'HTTPRoute']);
    });

    it("on Envoy Gateway (gatewayApi.envoyGateway): its policies, with the environment's allow-list, and the access log's EnvoyProxy", () => {
      const { portal } = synthEnv({
        ...env('dev'),
        ingressFlavour: 'gateway-api',
        gatewayApi: {
          gatewayClassName: 'eg',
          envoyGateway: { rateLimit: { requests: 300, unit: 'Minute' }, trustedProxyHops: 1 },
        },
      });
      const byKind = (kind: string) => manifestsOf(portal).filter((m) => m.kind === kind);
      expect(byKind('SecurityPolicy').map((m) => m.spec.authorization.rules[0].principal)).toEqual([
        { clientCIDRs: ['10.0.0.0/8'] },
      ]);
      expect(
        byKind('BackendTrafficPolicy').map((m) => m.spec.rateLimit.local.rules.map((r: any) => r.limit)),
      ).toEqual([
        [
          { requests: 300, unit: 'Minute' },
          { requests: 300, unit: 'Minute' },
        ],
      ]);
      expect(byKind('ClientTrafficPolicy').map((m) => m.spec.clientIPDetection)).toEqual([
        { xForwardedFor: { numTrustedHops: 1 } },
      ]);
      expect(byKind('EnvoyProxy').map((m) => m.metadata.name)).toEqual(['backstage']);
      expect(byKind('Gateway')[0].spec.infrastructure).toEqual({
        parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'backstage' },
      });
      // ingress-nginx's rate limit stays refused there: Envoy's is per unit, without burst or connections.
      expectProblems(
        () =>
          synthEnv({
            ...env('dev'),
            rateLimit: { requestsPerSecond: 5 },
            ingressFlavour: 'gateway-api',
            gatewayApi: { gatewayClassName: 'eg', envoyGateway: {} },
          }),
        [
          {
            where: 'environment dev',
            path: 'rateLimit',
            says: [
              "is not available with ingressFlavour gateway-api: it is ingress-nginx's per-IP limit",
              'Set gatewayApi.envoyGateway.rateLimit ({ requests, unit }',
            ],
          },
        ],
      );
      expectProblems(
        () =>
          synthEnv({
            ...env('dev'),
            ingressFlavour: 'gateway-api',
            // The allow-list is the environment's own (YAML is not type-checked).
            gatewayApi: {
              gatewayClassName: 'eg',
              envoyGateway: { allowSourceRanges: ['10.0.0.0/8'] } as never,
            },
          }),
        [
          {
            where: 'environment dev',
            path: 'gatewayApi.envoyGateway.allowSourceRanges',
            says: ['is not a known property'],
          },
        ],
      );
    });

    it('refuses what standard Gateway API cannot express, ingress-nginx settings without it, and gatewayApi elsewhere', () => {
      expectProblems(
        () =>
          synthEnv({
            ...env('dev'),
            rateLimit: { requestsPerSecond: 5 },
            ingressController: { replicas: 2 },
            ingressFlavour: 'gateway-api',
            gatewayApi: { gatewayClassName: 'nginx' },
          }),
        [
          {
            where: 'environment dev',
            path: 'allowSourceRanges',
            says: [
              'is not available with ingressFlavour gateway-api: standard Gateway API routes have no such setting, so it would not apply',
              'got ["10.0.0.0/8"]',
            ],
          },
          {
            where: 'environment dev',
            path: 'rateLimit',
            says: [
              'is not available with ingressFlavour gateway-api: standard Gateway API routes have no such setting, so it would not apply',
              'got {"requestsPerSecond":5}',
            ],
          },
          {
            where: 'environment dev',
            path: 'ingressController',
            says: [
              'configures the ingress-nginx controller, which ingressFlavour gateway-api does not install',
              'got {"replicas":2}',
              'set gatewayApi.keepIngressNginx: true',
            ],
          },
        ],
      );
      expectProblems(
        () => synthEnv({ ...env('dev'), gatewayApi: { gatewayClassName: 'nginx' } }),
        [
          {
            where: 'environment dev',
            path: 'gatewayApi',
            says: [
              'only applies with ingressFlavour: gateway-api',
              'got {"gatewayClassName":"nginx"}',
              'or remove gatewayApi',
            ],
          },
        ],
      );
    });
  });

  it('refuses two environments with the same name in one app', () => {
    const app = Testing.app();
    environmentStacks(app as App, env('dev'), access);
    expectProblems(
      () => environmentStacks(app as App, { ...env('dev'), host: 'other.example.com' }, access),
      [
        {
          where: 'environment dev',
          path: 'name',
          says: [
            'is the name of another environment of this app',
            'got "dev"',
            'Give each environment its own name',
          ],
        },
      ],
    );
  });
});
