// The same portal environments written the way a user would without this library: the
// provider package barrel import and every resource by hand. Same resources, same
// settings, same validation of nothing.
import * as k8s from '@cdktf/provider-kubernetes';
import { App, Fn, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';

import { benchArgs, environments, reportPeakRss } from './environments';

const { outdir, count } = benchArgs();
const app = new App({ outdir });

const labels = (name: string, component: string) => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/instance': name,
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/part-of': 'backstage-portal',
  'app.kubernetes.io/managed-by': 'hand-written',
});
const restrictedPod = (uid: string) => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  fsGroup: uid,
  seccompProfile: { type: 'RuntimeDefault' },
});
const restrictedContainer = (uid: string) => ({
  runAsNonRoot: true,
  runAsUser: uid,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});
const fromIngressController = [
  {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  },
];

for (const env of environments(count)) {
  const stack = new TerraformStack(app, env.name);
  new k8s.provider.KubernetesProvider(stack, 'kubernetes', {
    configPath: '~/.kube/config',
    configContext: env.name,
  });
  const variable = (name: string) => new TerraformVariable(stack, name, { type: 'string', sensitive: true });
  const dbPassword = variable('database_password');
  const clientSecret = variable('oidc_client_secret');
  const cookieSecret = variable('oauth2_proxy_cookie_secret');
  cookieSecret.addValidation({
    condition: `\${contains([16, 24, 32], length(var.oauth2_proxy_cookie_secret))}`,
    errorMessage: 'cookie secret must be 16, 24 or 32 bytes',
  });

  const ns = new k8s.namespaceV1.NamespaceV1(stack, 'namespace', {
    metadata: { name: 'backstage', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
  });
  const namespace = ns.metadata.name;
  const secret = (id: string, name: string, v: TerraformVariable) =>
    new k8s.secretV1.SecretV1(stack, id, {
      metadata: { name, namespace },
      type: 'Opaque',
      data: { value: v.stringValue },
    });
  const dbSecret = secret('db-secret', 'database-password', dbPassword);
  const clientSecretK8s = secret('client-secret', 'oidc-client-secret', clientSecret);
  const cookieSecretK8s = secret('cookie-secret', 'cookie-secret', cookieSecret);

  const issuer = new k8s.manifest.Manifest(stack, 'issuer', {
    manifest: {
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: 'letsencrypt-production' },
      spec: {
        acme: {
          server: 'https://acme-v02.api.letsencrypt.org/directory',
          email: 'platform@example.com',
          privateKeySecretRef: { name: 'letsencrypt-production-account-key' },
          solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }],
        },
      },
    },
  });

  // PostgreSQL
  new k8s.serviceV1.ServiceV1(stack, 'postgres-svc', {
    metadata: { name: 'backstage-postgres', namespace, labels: labels('postgres', 'database') },
    spec: {
      clusterIp: 'None',
      selector: { 'app.kubernetes.io/name': 'postgres' },
      port: [{ name: 'postgres', port: 5432, targetPort: 'postgres' }],
    },
  });
  new k8s.statefulSetV1.StatefulSetV1(stack, 'postgres', {
    metadata: { name: 'backstage-postgres', namespace, labels: labels('postgres', 'database') },
    spec: {
      serviceName: 'backstage-postgres',
      replicas: '1',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } },
      template: {
        metadata: { labels: labels('postgres', 'database') },
        spec: {
          automountServiceAccountToken: false,
          securityContext: restrictedPod('999'),
          container: [
            {
              name: 'postgres',
              image: 'docker.io/library/postgres:17.9',
              port: [{ name: 'postgres', containerPort: 5432 }],
              env: [
                { name: 'POSTGRES_USER', value: 'backstage' },
                {
                  name: 'POSTGRES_PASSWORD',
                  valueFrom: { secretKeyRef: { name: 'database-password', key: 'value' } },
                },
                { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
              ],
              readinessProbe: { exec: { command: ['pg_isready', '-U', 'backstage'] } },
              livenessProbe: { exec: { command: ['pg_isready', '-U', 'backstage'] } },
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
              securityContext: restrictedContainer('999'),
              volumeMount: [
                { name: 'data', mountPath: '/var/lib/postgresql/data' },
                { name: 'run', mountPath: '/var/run/postgresql' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volume: [
            { name: 'run', emptyDir: { medium: 'Memory' } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
      volumeClaimTemplate: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
        },
      ],
    },
    dependsOn: [dbSecret],
  });
  new k8s.networkPolicyV1.NetworkPolicyV1(stack, 'postgres-np', {
    metadata: { name: 'backstage-postgres', namespace },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backstage' } } }],
          ports: [{ port: '5432', protocol: 'TCP' }],
        },
      ],
    },
  });

  // oauth2-proxy
  const alphaConfig = `server:\n  bindAddress: 0.0.0.0:4180\nupstreamConfig:\n  upstreams:\n    - id: auth-only\n      path: /\n      static: true\n      staticCode: 202\ninjectResponseHeaders:\n  - name: X-Forwarded-User\n    values:\n      - claimSource:\n          claim: user\n  - name: X-Forwarded-Email\n    values:\n      - claimSource:\n          claim: email\nproviders:\n  - id: idp\n    provider: oidc\n    clientID: 0oa1b2c3d4e5f6g7h8i9\n    clientSecretFile: /etc/oauth2-proxy/client-secret/value\n    code_challenge_method: S256\n    oidcConfig:\n      issuerURL: https://example.okta.com\n`;
  const gatewayConfig = new k8s.configMapV1.ConfigMapV1(stack, 'gateway-config', {
    metadata: { name: 'oauth2-proxy-config', namespace, labels: labels('oauth2-proxy', 'gateway') },
    data: { 'alpha-config.yaml': alphaConfig },
  });
  new k8s.deploymentV1.DeploymentV1(stack, 'gateway', {
    metadata: { name: 'oauth2-proxy', namespace, labels: labels('oauth2-proxy', 'gateway') },
    spec: {
      replicas: '2',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'oauth2-proxy' } },
      template: {
        metadata: {
          labels: labels('oauth2-proxy', 'gateway'),
          annotations: {
            'checksum/config': Fn.sha256(alphaConfig),
            'checksum/secrets': Fn.sha256(
              Fn.join(',', [
                clientSecretK8s.metadata.resourceVersion,
                cookieSecretK8s.metadata.resourceVersion,
              ]),
            ),
          },
        },
        spec: {
          automountServiceAccountToken: false,
          securityContext: restrictedPod('65532'),
          container: [
            {
              name: 'oauth2-proxy',
              image: 'quay.io/oauth2-proxy/oauth2-proxy:v7.15.6',
              args: [
                '--alpha-config=/etc/oauth2-proxy/alpha-config.yaml',
                '--reverse-proxy=true',
                `--redirect-url=https://${env.host}/oauth2/callback`,
                '--email-domain=example.com',
                '--cookie-secure=true',
                '--cookie-samesite=lax',
                '--api-route=^/api/',
              ],
              env: [
                {
                  name: 'OAUTH2_PROXY_COOKIE_SECRET',
                  valueFrom: { secretKeyRef: { name: 'cookie-secret', key: 'value' } },
                },
              ],
              port: [{ name: 'http', containerPort: 4180 }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
              livenessProbe: { httpGet: { path: '/ping', port: 'http' } },
              resources: {
                requests: { cpu: '50m', memory: '64Mi' },
                limits: { cpu: '500m', memory: '128Mi' },
              },
              securityContext: restrictedContainer('65532'),
              volumeMount: [
                { name: 'config', mountPath: '/etc/oauth2-proxy', readOnly: true },
                { name: 'client-secret', mountPath: '/etc/oauth2-proxy/client-secret', readOnly: true },
              ],
            },
          ],
          volume: [
            { name: 'config', configMap: { name: gatewayConfig.metadata.name } },
            { name: 'client-secret', secret: { secretName: 'oidc-client-secret' } },
          ],
        },
      },
    },
    dependsOn: [clientSecretK8s, cookieSecretK8s],
  });
  new k8s.serviceV1.ServiceV1(stack, 'gateway-svc', {
    metadata: { name: 'oauth2-proxy', namespace },
    spec: {
      selector: { 'app.kubernetes.io/name': 'oauth2-proxy' },
      port: [{ name: 'http', port: 4180, targetPort: 'http' }],
    },
  });
  new k8s.podDisruptionBudgetV1.PodDisruptionBudgetV1(stack, 'gateway-pdb', {
    metadata: { name: 'oauth2-proxy', namespace },
    spec: { maxUnavailable: '1', selector: { matchLabels: { 'app.kubernetes.io/name': 'oauth2-proxy' } } },
  });
  new k8s.networkPolicyV1.NetworkPolicyV1(stack, 'gateway-np', {
    metadata: { name: 'oauth2-proxy', namespace },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'oauth2-proxy' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: fromIngressController, ports: [{ port: '4180', protocol: 'TCP' }] }],
    },
  });

  // Backstage
  const appConfig = `app:\n  baseUrl: https://${env.host}\nbackend:\n  baseUrl: https://${env.host}\n  listen:\n    port: 7007\n  cors:\n    origin: https://${env.host}\n  database:\n    client: pg\n    connection:\n      host: backstage-postgres\n      user: backstage\n      password: $\${POSTGRES_PASSWORD}\nauth:\n  providers:\n    oauth2Proxy:\n      signIn:\n        resolvers:\n          - resolver: emailMatchingUserEntityProfileEmail\n`;
  const backstageConfig = new k8s.configMapV1.ConfigMapV1(stack, 'backstage-config', {
    metadata: { name: 'backstage-app-config', namespace, labels: labels('backstage', 'portal') },
    data: { 'app-config.portal.yaml': appConfig },
  });
  const sa = new k8s.serviceAccountV1.ServiceAccountV1(stack, 'backstage-sa', {
    metadata: { name: 'backstage', namespace },
    automountServiceAccountToken: false,
  });
  new k8s.deploymentV1.DeploymentV1(stack, 'backstage', {
    metadata: { name: 'backstage', namespace, labels: labels('backstage', 'portal') },
    spec: {
      replicas: '2',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'backstage' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '0', maxUnavailable: '1' } },
      template: {
        metadata: {
          labels: labels('backstage', 'portal'),
          annotations: {
            'checksum/config': Fn.sha256(appConfig),
            'checksum/secrets': Fn.sha256(dbSecret.metadata.resourceVersion),
          },
        },
        spec: {
          serviceAccountName: sa.metadata.name,
          automountServiceAccountToken: false,
          securityContext: restrictedPod('1000'),
          container: [
            {
              name: 'backstage',
              image: 'registry.example.com/platform/backstage:1.4.2',
              args: [
                'node',
                'packages/backend',
                '--config',
                'app-config.yaml',
                '--config',
                'app-config.production.yaml',
                '--config',
                '/etc/backstage/app-config.portal.yaml',
              ],
              port: [{ name: 'http', containerPort: 7007 }],
              env: [
                { name: 'NODE_OPTIONS', value: '--max-http-header-size=65536' },
                {
                  name: 'POSTGRES_PASSWORD',
                  valueFrom: { secretKeyRef: { name: 'database-password', key: 'value' } },
                },
              ],
              startupProbe: {
                httpGet: { path: '/.backstage/health/v1/liveness', port: 'http' },
                failureThreshold: 30,
              },
              readinessProbe: { httpGet: { path: '/.backstage/health/v1/readiness', port: 'http' } },
              livenessProbe: { httpGet: { path: '/.backstage/health/v1/liveness', port: 'http' } },
              resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } },
              securityContext: restrictedContainer('1000'),
              volumeMount: [
                { name: 'app-config', mountPath: '/etc/backstage', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volume: [
            { name: 'app-config', configMap: { name: backstageConfig.metadata.name } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
    dependsOn: [dbSecret],
  });
  new k8s.serviceV1.ServiceV1(stack, 'backstage-svc', {
    metadata: { name: 'backstage', namespace },
    spec: {
      selector: { 'app.kubernetes.io/name': 'backstage' },
      port: [{ name: 'http', port: 7007, targetPort: 'http' }],
    },
  });
  new k8s.podDisruptionBudgetV1.PodDisruptionBudgetV1(stack, 'backstage-pdb', {
    metadata: { name: 'backstage', namespace },
    spec: { maxUnavailable: '1', selector: { matchLabels: { 'app.kubernetes.io/name': 'backstage' } } },
  });
  new k8s.networkPolicyV1.NetworkPolicyV1(stack, 'backstage-np', {
    metadata: { name: 'backstage', namespace },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backstage' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: fromIngressController, ports: [{ port: '7007', protocol: 'TCP' }] }],
    },
  });

  // Ingress
  const nginx = 'nginx.ingress.kubernetes.io';
  const common = {
    [`${nginx}/ssl-redirect`]: 'true',
    [`${nginx}/force-ssl-redirect`]: 'true',
    [`${nginx}/proxy-buffer-size`]: '32k',
  };
  const tls = [{ hosts: [env.host], secretName: `${env.host.replace(/\./g, '-')}-tls` }];
  new k8s.ingressV1.IngressV1(stack, 'ingress', {
    metadata: {
      name: 'backstage',
      namespace,
      annotations: {
        ...common,
        'cert-manager.io/cluster-issuer': 'letsencrypt-production',
        [`${nginx}/auth-url`]: 'http://oauth2-proxy.backstage.svc.cluster.local:4180/oauth2/auth',
        [`${nginx}/auth-signin`]: `https://${env.host}/oauth2/start?rd=$escaped_request_uri`,
        [`${nginx}/auth-response-headers`]:
          'X-Forwarded-User,X-Forwarded-Email,X-Forwarded-Preferred-Username,X-OAUTH2-PROXY-ID-TOKEN',
      },
    },
    spec: {
      ingressClassName: 'nginx',
      tls,
      rule: [
        {
          host: env.host,
          http: {
            path: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'backstage', port: { number: 7007 } } },
              },
            ],
          },
        },
      ],
    },
    dependsOn: [issuer],
  });
  new k8s.ingressV1.IngressV1(stack, 'ingress-oauth2', {
    metadata: { name: 'backstage-oauth2', namespace, annotations: common },
    spec: {
      ingressClassName: 'nginx',
      tls,
      rule: [
        {
          host: env.host,
          http: {
            path: [
              {
                path: '/oauth2',
                pathType: 'Prefix',
                backend: { service: { name: 'oauth2-proxy', port: { number: 4180 } } },
              },
            ],
          },
        },
      ],
    },
  });
  new TerraformOutput(stack, 'portal_url', { value: `https://${env.host}` });
  new TerraformOutput(stack, 'portal_oidc_redirect_uri', { value: `https://${env.host}/oauth2/callback` });
}
app.synth();
reportPeakRss();
