import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import type { DeploymentV1SpecTemplateSpecContainer } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Aspects, TerraformResource, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';

import {
  BackstageDatabase,
  BackstagePortal,
  ClusterSecretStore,
  F5NginxIngress,
  GatewayRef,
  GUARDRAIL_CHECKS,
  Guardrails,
  type GuardrailsProps,
  type GuardrailsReport,
  ISO27001_CONTROLS,
  MachineClient,
  SecretStoreProvider,
  SOC2_CRITERIA,
  TlsSource,
} from '../../lib';
import { kubernetesResource } from '../../lib/core/kubernetes-resource';
import { errorOf, expectProblems, portalProps, variableSecret } from '../helpers';
import { expectLines } from '../lines';

const reportRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrails-'));
afterAll(() => fs.rmSync(reportRoot, { recursive: true, force: true }));
let reportCounter = 0;

interface Run {
  readonly guardrails: Guardrails;
  readonly stack: TerraformStack;
  readonly reportDir: string;
  /** The violation lines (without cdktf's stack prefix); empty when synth passed. */
  readonly violations: string[];
}

/** Builds a stack with Guardrails, synthesizes it with validations, and collects the violations. */
function run(build: (stack: TerraformStack) => void, props: Partial<GuardrailsProps> = {}): Run {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new KubernetesProvider(stack, 'k8s', {});
  new HelmProvider(stack, 'helm', {});
  build(stack);
  const reportDir = path.join(reportRoot, `r${reportCounter++}`);
  const guardrails = new Guardrails({ environment: 'production', reportDir, ...props });
  Aspects.of(stack).add(guardrails);
  let violations: string[] = [];
  try {
    Testing.synth(stack, true);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    expect(message).toMatch(/^Validation failed with the following errors:/);
    violations = message
      .split('\n')
      .filter((line) => line.startsWith('  [test] '))
      .map((line) => line.slice('  [test] '.length));
  }
  return { guardrails, stack, reportDir, violations };
}

function readReport(r: Run): GuardrailsReport {
  return JSON.parse(
    fs.readFileSync(path.join(r.reportDir, 'guardrails-test.json'), 'utf8'),
  ) as GuardrailsReport;
}

/** A database outside the cluster (what the production checks want), its password a variable. */
const externalDatabase = (stack: TerraformStack) =>
  BackstageDatabase.external({
    host: 'db.example.com',
    user: 'backstage',
    password: variableSecret(stack, 'database_password'),
  });

const RESTRICTED = {
  runAsNonRoot: true,
  runAsUser: '1000',
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

type Container = DeploymentV1SpecTemplateSpecContainer;

/** A compliant container; override what a test is about. */
function container(overrides: Partial<Container> = {}): Container {
  return {
    name: 'app',
    image: 'registry.example.com/team/app:1.2.3',
    resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    securityContext: RESTRICTED,
    ...overrides,
  };
}

/** A compliant Deployment with PDB (2 replicas); `containers` and `replicas` change it. */
function workload(
  scope: Construct,
  id: string,
  options: {
    containers?: Container[];
    replicas?: string;
    labels?: Record<string, string>;
    pdb?: boolean;
  } = {},
) {
  const labels = options.labels ?? { 'app.kubernetes.io/name': id };
  const deployment = kubernetesResource(scope, id, 'kubernetes_deployment_v1', {
    metadata: { name: id, namespace: 'apps' },
    spec: {
      replicas: options.replicas ?? '2',
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { container: options.containers ?? [container()] } },
    },
  });
  if (options.pdb ?? true) {
    kubernetesResource(scope, `${id}-pdb`, 'kubernetes_pod_disruption_budget_v1', {
      metadata: { name: id, namespace: 'apps' },
      spec: { maxUnavailable: '1', selector: { matchLabels: labels } },
    });
  }
  return deployment;
}

/** A hand-made resource of any type, written the way generated provider classes write it. */
function rawResource(
  scope: Construct,
  id: string,
  type: string,
  attributes: Record<string, unknown>,
): TerraformResource {
  const resource = new TerraformResource(scope, id, {
    terraformResourceType: type,
    terraformGeneratorMetadata: { providerName: type.startsWith('helm') ? 'helm' : 'kubernetes' },
  });
  for (const [key, value] of Object.entries(attributes)) {
    resource.addOverride(key, value);
  }
  return resource;
}

function helmRelease(
  scope: Construct,
  id: string,
  chart: string,
  values: string,
  set: Array<{ name: string; value: string }> = [],
) {
  return rawResource(scope, id, 'helm_release', {
    name: id,
    chart,
    repository: 'https://charts.example.com',
    version: '1.0.0',
    namespace: 'ingress',
    values: [values],
    ...(set.length > 0 ? { set } : {}),
  });
}

/** A self-signed ClusterIssuer named "selfsigned", as TlsSource.selfSigned() renders one. */
class ClusterIssuerFixture {
  constructor(stack: TerraformStack) {
    kubernetesResource(stack, 'issuer', 'kubernetes_manifest', {
      manifest: {
        apiVersion: 'cert-manager.io/v1',
        kind: 'ClusterIssuer',
        metadata: { name: 'selfsigned' },
        spec: { selfSigned: {} },
      },
    });
  }
}

const COMPLIANT_INGRESS_NGINX_VALUES = [
  'controller:',
  '  config:',
  '    hsts: "true"',
  '    log-format-escape-json: "true"',
  '    allow-snippet-annotations: "false"',
].join('\n');

describe('Guardrails', () => {
  describe('a compliant portal', () => {
    it('passes in production and writes a passing report', () => {
      const r = run((stack) => {
        new BackstagePortal(stack, 'portal', {
          ...portalProps(stack),
          database: externalDatabase(stack),
          backstage: { replicas: 2 },
        });
        helmRelease(stack, 'controller', 'ingress-nginx', COMPLIANT_INGRESS_NGINX_VALUES);
        new ClusterSecretStore(stack, 'store', {
          provider: SecretStoreProvider.vault({ server: 'https://vault.example.com', role: 'backstage' }),
          namespaces: ['backstage'],
        });
      });
      expect(r.violations).toEqual([]);
      const report = readReport(r);
      expect(report.passed).toBe(true);
      expect(report.summary).toEqual({
        checks: 14,
        passed: 14,
        failed: 0,
        notApplicable: 0,
        violations: 0,
        waived: 0,
      });
      expect(report.checks.every((c) => c.status === 'pass')).toBe(true);
    });

    it('passes with the F5 flavour in front of it too', () => {
      const r = run((stack) => {
        new F5NginxIngress(stack, 'ingress', {
          namespace: 'backstage',
          host: 'backstage.example.com',
          backend: { serviceName: 'backstage', port: 7007 },
          gateway: {
            serviceName: 'oauth2-proxy',
            namespace: 'backstage',
            port: 4180,
            sessionStore: { proxyBufferSize: '32k' },
            identityUpstream: {
              serviceName: 'backstage',
              port: 7007,
              requestHeaders: [
                'X-Forwarded-User',
                'X-Forwarded-Email',
                'X-Forwarded-Preferred-Username',
                'X-OAUTH2-PROXY-ID-TOKEN',
              ],
            },
          },
          tls: TlsSource.fromSecret('portal-tls'),
        });
        helmRelease(
          stack,
          'controller',
          'oci://charts.example.com/nginx/charts/nginx-ingress',
          'controller:\n  config:\n    entries:\n      log-format-escaping: json\n',
        );
      });
      expect(r.violations).toEqual([]);
      expect(readReport(r).checks.find((c) => c.id === 'hsts-enabled')?.status).toBe('pass');
    });

    const machineHost = {
      machineHost: 'api.backstage.example.com',
      machineClients: [
        MachineClient.githubActions({
          audience: 'backstage-ci',
          repository: 'acme/service',
          refs: ['refs/heads/main'],
        }),
      ],
    };
    it.each([
      ['', {}],
      // The machine route is HTTPS-only too, and the machine entry in the request path sends HSTS.
      [', and with a machine host', machineHost],
    ])(
      'passes with the Gateway API flavour%s: HTTPS-only routes, HSTS from oauth2-proxy, trusted certificates',
      (_, more) => {
        const r = run((stack) => {
          new BackstagePortal(stack, 'portal', {
            ...portalProps(stack),
            database: externalDatabase(stack),
            backstage: { replicas: 2 },
            ingressFlavour: 'gateway-api',
            ingress: { gateway: GatewayRef.create({ gatewayClassName: 'nginx' }) },
            ...more,
          });
        });
        expect(r.violations).toEqual([]);
        const status = Object.fromEntries(readReport(r).checks.map((c) => [c.id, c.status]));
        expect(status).toMatchObject({
          'tls-on-every-host': 'pass',
          'hsts-enabled': 'pass',
          'trusted-certificates': 'pass',
          'backstage-network-policy': 'pass',
        });
      },
    );

    it('skips the production checks outside production', () => {
      const r = run((stack) => new BackstagePortal(stack, 'portal', portalProps(stack)), {
        environment: 'non-production',
      });
      expect(r.violations).toEqual([]);
      const report = readReport(r);
      expect(report.environment).toBe('non-production');
      expect(report.checks.filter((c) => c.status === 'not-applicable').map((c) => c.id)).toEqual([
        'trusted-certificates',
        'hsts-enabled',
        'no-plain-chart-secrets',
        'scoped-secret-stores',
        'production-replicas',
        'production-pdb',
        'json-access-logs',
      ]);
    });
  });

  describe('violations, each with its construct path', () => {
    it('a host without TLS', () => {
      const r = run((stack) =>
        kubernetesResource(stack, 'web', 'kubernetes_ingress_v1', {
          metadata: { name: 'web', namespace: 'apps' },
          spec: {
            tls: [{ hosts: ['a.example.com'], secretName: 'a-tls' }],
            rule: [{ host: 'a.example.com' }, { host: 'b.example.com' }],
          },
        }),
      );
      expectLines(r.violations, [
        { where: 'test/web', subject: 'tls-on-every-host', says: 'host "b.example.com" has no TLS' },
      ]);
    });

    it('accepts wildcard certificates for one label only', () => {
      const r = run((stack) =>
        kubernetesResource(stack, 'web', 'kubernetes_ingress_v1', {
          metadata: { name: 'web', namespace: 'apps' },
          spec: {
            tls: [{ hosts: ['*.example.com'] }],
            rule: [{ host: 'a.example.com' }, { host: 'x.a.example.com' }],
          },
        }),
      );
      expectLines(r.violations, [
        { where: 'test/web', subject: 'tls-on-every-host', says: 'host "x.a.example.com" has no TLS' },
      ]);
    });

    describe('Gateway API objects', () => {
      const gateway = (stack: TerraformStack, annotations: Record<string, string> = {}) =>
        kubernetesResource(stack, 'gw', 'kubernetes_manifest', {
          manifest: {
            apiVersion: 'gateway.networking.k8s.io/v1',
            kind: 'Gateway',
            metadata: { name: 'gw', namespace: 'apps', annotations },
            spec: {
              gatewayClassName: 'nginx',
              listeners: [
                { name: 'http', protocol: 'HTTP', port: 80 },
                {
                  name: 'https',
                  protocol: 'HTTPS',
                  port: 443,
                  tls: { certificateRefs: [{ name: 'gw-tls' }] },
                },
              ],
            },
          },
        });
      const route = (
        stack: TerraformStack,
        id: string,
        parentRefs: Array<Record<string, unknown>>,
        rule: Record<string, unknown>,
      ) =>
        kubernetesResource(stack, id, 'kubernetes_manifest', {
          manifest: {
            apiVersion: 'gateway.networking.k8s.io/v1',
            kind: 'HTTPRoute',
            metadata: { name: id, namespace: 'apps' },
            spec: { parentRefs, hostnames: ['a.example.com'], rules: [rule] },
          },
        });
      const hsts = {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: { set: [{ name: 'Strict-Transport-Security', value: 'max-age=31536000' }] },
      };
      const forward = (filters: unknown[] = [hsts]) => ({
        filters,
        backendRefs: [{ name: 'web', port: 80 }],
      });

      it('a route that forwards on a plain-HTTP listener, or on every listener of its Gateway', () => {
        const r = run((stack) => {
          gateway(stack);
          route(stack, 'on-http', [{ name: 'gw', sectionName: 'http' }], forward());
          route(stack, 'everywhere', [{ name: 'gw' }], forward());
          route(stack, 'outside', [{ name: 'shared', namespace: 'gateway-system' }], forward());
          // Redirects and HTTPS-only routes are fine.
          route(stack, 'redirect', [{ name: 'gw', sectionName: 'http' }], {
            filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }],
          });
          route(stack, 'good', [{ name: 'gw', sectionName: 'https' }], forward());
          route(
            stack,
            'good-outside',
            [{ name: 'shared', namespace: 'gateway-system', sectionName: 'portal-https' }],
            forward(),
          );
        });
        const fix =
          'Attach it to the HTTPS listener only (parentRefs[].sectionName) and answer plain HTTP with a RequestRedirect to https (GatewayApiIngress does).';
        expect(r.violations).toEqual([
          `[test/on-http] tls-on-every-host: HTTPRoute "on-http" forwards requests that arrive without TLS: it attaches to listener "http" (HTTP) of Gateway "gw". ${fix}`,
          `[test/everywhere] tls-on-every-host: HTTPRoute "everywhere" forwards requests that arrive without TLS: it attaches to listener "http" (HTTP) of Gateway "gw". ${fix}`,
          '[test/outside] tls-on-every-host: HTTPRoute "outside" attaches to every listener of Gateway "gateway-system/shared", which is not in this stack, plain-HTTP ones too. Name its HTTPS listener in parentRefs[].sectionName (GatewayRef.existing\'s httpsListener).',
        ]);
      });

      it('a route answering HTTPS without HSTS, or with max-age 0', () => {
        const r = run((stack) => {
          gateway(stack);
          route(stack, 'no-hsts', [{ name: 'gw', sectionName: 'https' }], forward([]));
          route(
            stack,
            'zero',
            [{ name: 'gw', sectionName: 'https' }],
            forward([
              {
                type: 'ResponseHeaderModifier',
                responseHeaderModifier: { add: [{ name: 'strict-transport-security', value: 'max-age=0' }] },
              },
            ]),
          );
        });
        const fix =
          'Give the oauth2-proxy in the request path hsts (BackstagePortal does on the gateway-api flavour), or set the header with a ResponseHeaderModifier where your implementation supports it.';
        expect(r.violations).toEqual([
          `[test/no-hsts] hsts-enabled: HTTPRoute "no-hsts" answers HTTPS without HSTS: neither a ResponseHeaderModifier on the rule nor its backend sets Strict-Transport-Security. ${fix}`,
          `[test/zero] hsts-enabled: HTTPRoute "zero" answers HTTPS without HSTS: its Strict-Transport-Security has max-age 0 or none. ${fix}`,
        ]);
      });

      it('a Gateway whose certificate comes from a self-signed issuer, in production', () => {
        const r = run((stack) => {
          new ClusterIssuerFixture(stack);
          gateway(stack, { 'cert-manager.io/cluster-issuer': 'selfsigned' });
        });
        expect(r.violations).toEqual([
          '[test/gw] trusted-certificates: the certificate of its listeners comes from ClusterIssuer "selfsigned", self-signed: browsers do not trust it. In production use TlsSource.acme({ email }) (Let\'s Encrypt production), TlsSource.acmeDns01({ email, solver }), a private CA your clients trust, or an existing certificate.',
        ]);
      });

      it("the portal's oauth2-proxy without hsts is found (its alpha config is read)", () => {
        const r = run((stack) => {
          const portal = new BackstagePortal(stack, 'portal', {
            ...portalProps(stack),
            database: externalDatabase(stack),
            backstage: { replicas: 2 },
            ingressFlavour: 'gateway-api',
            ingress: { gateway: GatewayRef.create({ gatewayClassName: 'nginx' }) },
          });
          // An escape hatch that drops oauth2-proxy's response headers from its alpha config.
          const data = portal.gateway.configMap.toTerraform() as any;
          const key = Object.keys(data.resource.kubernetes_config_map_v1)[0]!;
          const yaml = String(data.resource.kubernetes_config_map_v1[key].data['alpha-config.yaml']).replace(
            /injectResponseHeaders:[\s\S]*?(?=\n[a-z])/,
            '',
          );
          expect(yaml).not.toContain('Strict-Transport-Security');
          portal.gateway.configMap.addOverride('data', { 'alpha-config.yaml': yaml });
        });
        expect(r.violations).toEqual([
          expect.stringMatching(
            /^\[test\/portal\/GatewayApi\/Route\] hsts-enabled: HTTPRoute "backstage" answers HTTPS without HSTS: neither/,
          ),
        ]);
      });
    });

    it('an F5 minion without a master holding TLS for its host', () => {
      const r = run((stack) =>
        kubernetesResource(stack, 'minion', 'kubernetes_ingress_v1', {
          metadata: {
            name: 'minion',
            namespace: 'apps',
            annotations: { 'nginx.org/mergeable-ingress-type': 'minion' },
          },
          spec: { rule: [{ host: 'a.example.com' }] },
        }),
      );
      expectLines(r.violations, [
        {
          where: 'test/minion',
          subject: 'tls-on-every-host',
          says: 'host "a.example.com" of this F5 minion has no master Ingress with TLS for it',
        },
      ]);
    });

    it('snippet annotations, controllers that allow them, and F5 authSnippets', () => {
      const r = run((stack) => {
        kubernetesResource(stack, 'web', 'kubernetes_ingress_v1', {
          metadata: {
            name: 'web',
            namespace: 'apps',
            annotations: {
              'nginx.ingress.kubernetes.io/configuration-snippet': 'more_set_headers "X: y";',
              'nginx.org/server-snippets': 'x',
            },
          },
          spec: { tls: [{ hosts: ['a.example.com'] }], rule: [{ host: 'a.example.com' }] },
        });
        kubernetesResource(stack, 'policy', 'kubernetes_manifest', {
          manifest: {
            apiVersion: 'k8s.nginx.org/v1',
            kind: 'Policy',
            metadata: { name: 'p', namespace: 'apps' },
            spec: {
              externalAuth: { authURI: '/auth', authServiceName: 'a', authSnippets: 'proxy_set_header A b;' },
            },
          },
        });
        helmRelease(stack, 'nginx', 'ingress-nginx', COMPLIANT_INGRESS_NGINX_VALUES, [
          { name: 'controller.config.allow-snippet-annotations', value: 'true' },
        ]);
        helmRelease(
          stack,
          'f5',
          'nginx-ingress',
          'controller:\n  enableSnippets: true\n  config:\n    entries:\n      hsts: "true"\n      log-format-escaping: json\n',
        );
      });
      expectLines(r.violations, [
        {
          where: 'test/web',
          subject: 'no-snippet-annotations',
          says: 'annotation "nginx.ingress.kubernetes.io/configuration-snippet" injects raw nginx configuration',
        },
        {
          where: 'test/web',
          subject: 'no-snippet-annotations',
          says: 'annotation "nginx.org/server-snippets" injects raw nginx configuration',
        },
        {
          where: 'test/policy',
          subject: 'no-snippet-annotations',
          says: 'spec.externalAuth.authSnippets injects raw nginx configuration',
        },
        {
          where: 'test/nginx',
          subject: 'no-snippet-annotations',
          says: 'the controller allows snippet annotations',
        },
        { where: 'test/f5', subject: 'no-snippet-annotations', says: 'controller.enableSnippets is true' },
      ]);
    });

    it('a plain secret value in an env var, without repeating the value', () => {
      const r = run((stack) =>
        workload(stack, 'api', {
          containers: [
            container({
              env: [
                { name: 'DATABASE_PASSWORD', value: 'hunter2-sentinel' },
                { name: 'GITHUB_TOKEN', valueFrom: { secretKeyRef: { name: 'gh', key: 'token' } } },
                { name: 'API_KEY', value: '${var.api_key}' },
                { name: 'LOG_LEVEL', value: 'info' },
              ],
            }),
          ],
        }),
      );
      expectLines(r.violations, [
        {
          where: 'test/api',
          subject: 'no-plain-secret-env',
          says: 'container "app" sets DATABASE_PASSWORD to a literal value',
        },
      ]);
      expect(r.violations.join('\n')).not.toContain('hunter2-sentinel');
      expect(fs.readFileSync(path.join(r.reportDir, 'guardrails-test.json'), 'utf8')).not.toContain(
        'hunter2-sentinel',
      );
      expect(fs.readFileSync(path.join(r.reportDir, 'guardrails-test.md'), 'utf8')).not.toContain(
        'hunter2-sentinel',
      );
    });

    it('a literal chart mirror password or set_sensitive value in a helm_release, without repeating it', () => {
      const r = run((stack) => {
        kubernetesResource(stack, 'mirrored', 'helm_release', {
          name: 'mirrored',
          chart: 'reloader',
          repository: 'https://charts.example.com',
          repositoryUsername: 'ci-robot',
          repositoryPassword: 'hunter2-sentinel',
          setSensitive: [
            { name: 'token', value: 'hunter3-sentinel' },
            { name: 'fromVariable', value: '${var.token}' },
          ],
        });
        kubernetesResource(stack, 'referenced', 'helm_release', {
          name: 'referenced',
          chart: 'reloader',
          repository: 'https://charts.example.com',
          repositoryUsername: 'ci-robot',
          repositoryPassword: '${var.chart_password}',
        });
      });
      expectLines(r.violations, [
        {
          where: 'test/mirrored',
          subject: 'no-plain-chart-secrets',
          says: 'helm_release "mirrored" has a literal repository_password',
        },
        {
          where: 'test/mirrored',
          subject: 'no-plain-chart-secrets',
          says: 'helm_release "mirrored" sets the sensitive value "token" to a literal',
        },
      ]);
      for (const file of ['guardrails-test.json', 'guardrails-test.md']) {
        const text = fs.readFileSync(path.join(r.reportDir, file), 'utf8');
        expect(text).not.toContain('hunter2-sentinel');
        expect(text).not.toContain('hunter3-sentinel');
      }
      expect(r.violations.join('\n')).not.toMatch(/hunter[23]-sentinel/);
    });

    it('a ClusterSecretStore that serves every namespace: no conditions, or a condition that names none', () => {
      const vault = SecretStoreProvider.vault({ server: 'https://vault.example.com', role: 'backstage' });
      const r = run((stack) => {
        new ClusterSecretStore(stack, 'open', { provider: vault, name: 'open' });
        new ClusterSecretStore(stack, 'scoped', {
          provider: vault,
          name: 'scoped',
          namespaces: ['backstage'],
        });
        // ESO admits a namespace that any condition matches: an empty one beside a scoped one opens it.
        kubernetesResource(stack, 'widened', 'kubernetes_manifest', {
          manifest: {
            apiVersion: 'external-secrets.io/v1',
            kind: 'ClusterSecretStore',
            metadata: { name: 'widened' },
            spec: { provider: vault.render(), conditions: [{ namespaces: ['backstage'] }, {}] },
          },
        });
        kubernetesResource(stack, 'labelled', 'kubernetes_manifest', {
          manifest: {
            apiVersion: 'external-secrets.io/v1',
            kind: 'ClusterSecretStore',
            metadata: { name: 'labelled' },
            spec: {
              provider: vault.render(),
              conditions: [{ namespaceSelector: { matchLabels: { 'secrets.example.com/portal': 'true' } } }],
            },
          },
        });
      });
      expectLines(r.violations, [
        {
          where: 'test/open/Resource',
          subject: 'scoped-secret-stores',
          says: 'ClusterSecretStore "open" serves every namespace. List the namespaces that may use it',
        },
        {
          where: 'test/widened',
          subject: 'scoped-secret-stores',
          says: 'ClusterSecretStore "widened" serves every namespace',
        },
      ]);
    });

    it('containers without limits', () => {
      const r = run((stack) =>
        workload(stack, 'api', {
          containers: [
            container({ resources: { requests: { cpu: '100m' } } }),
            container({ name: 'sidecar', resources: { limits: { cpu: '100m' } } }),
          ],
        }),
      );
      expectLines(r.violations, [
        {
          where: 'test/api',
          subject: 'container-limits',
          says: 'container "app" has no cpu or memory limit',
        },
        { where: 'test/api', subject: 'container-limits', says: 'container "sidecar" has no memory limit' },
      ]);
    });

    it('containers running as root, by user 0 or without run_as_non_root', () => {
      const r = run((stack) =>
        workload(stack, 'api', {
          containers: [
            container({ securityContext: { runAsUser: '0' } }),
            container({ name: 'maybe-root', securityContext: { readOnlyRootFilesystem: true } }),
          ],
        }),
      );
      expectLines(r.violations, [
        { where: 'test/api', subject: 'non-root-containers', says: 'container "app" runs as user 0 (root)' },
        {
          where: 'test/api',
          subject: 'non-root-containers',
          says: 'container "maybe-root" may run as root (run_as_non_root is not true)',
        },
      ]);
    });

    it('takes run_as_non_root from the pod security context', () => {
      const r = run((stack) =>
        kubernetesResource(stack, 'api', 'kubernetes_deployment_v1', {
          metadata: { name: 'api', namespace: 'apps' },
          spec: {
            replicas: '2',
            selector: { matchLabels: { app: 'api' } },
            template: {
              metadata: { labels: { app: 'api' } },
              spec: {
                securityContext: { runAsNonRoot: true, runAsUser: '1000' },
                container: [container({ securityContext: undefined })],
              },
            },
          },
        }),
      );
      expectLines(r.violations, [
        {
          where: 'test/api',
          subject: 'production-pdb',
          says: 'no PodDisruptionBudget selects the pods of Deployment "api"',
        },
      ]);
    });

    it('no NetworkPolicy selecting the Backstage pods, or one that admits every source', () => {
      const r = run((stack) => {
        workload(stack, 'backstage', {
          labels: { 'app.kubernetes.io/name': 'backstage', 'app.kubernetes.io/instance': 'backstage' },
        });
        workload(stack, 'portal', {
          containers: [container({ image: 'registry.example.com/platform/backstage:1.4.2' })],
          labels: { app: 'portal' },
        });
        // Selects the first, but lets anyone in.
        kubernetesResource(stack, 'open', 'kubernetes_network_policy_v1', {
          metadata: { name: 'open', namespace: 'apps' },
          spec: {
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backstage' } },
            policyTypes: ['Ingress'],
            ingress: [{ ports: [{ port: '7007' }] }],
          },
        });
        // Selects the second, but in another namespace.
        kubernetesResource(stack, 'elsewhere', 'kubernetes_network_policy_v1', {
          metadata: { name: 'elsewhere', namespace: 'other' },
          spec: {
            podSelector: { matchLabels: { app: 'portal' } },
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nginx' } } }] }],
          },
        });
      });
      const what =
        'no NetworkPolicy in namespace "apps" selects these Backstage pods and restricts who may reach them';
      const fix = 'admits only the ingress controller';
      expectLines(r.violations, [
        { where: 'test/backstage', subject: 'backstage-network-policy', says: [what, fix] },
        { where: 'test/portal', subject: 'backstage-network-policy', says: [what, fix] },
      ]);
    });

    it('accepts a NetworkPolicy selecting the Backstage pods by expression', () => {
      const r = run((stack) => {
        workload(stack, 'backstage', { labels: { 'app.kubernetes.io/name': 'backstage', tier: 'web' } });
        kubernetesResource(stack, 'np', 'kubernetes_network_policy_v1', {
          metadata: { name: 'np', namespace: 'apps' },
          spec: {
            podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [
                  { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
                ],
              },
            ],
          },
        });
      });
      expect(r.violations).toEqual([]);
    });

    it('unpinned images', () => {
      const r = run((stack) =>
        workload(stack, 'api', {
          containers: [
            container({ image: 'nginx' }),
            container({ name: 'b', image: 'registry.example.com:5000/team/app:latest' }),
            container({ name: 'c', image: `registry.example.com/team/app@sha256:${'a'.repeat(64)}` }),
            container({ name: 'd', image: 'registry.example.com:5000/team/app' }),
          ],
        }),
      );
      expectLines(r.violations, [
        {
          where: 'test/api',
          subject: 'pinned-images',
          says: 'container "app" runs "nginx", which is not pinned',
        },
        {
          where: 'test/api',
          subject: 'pinned-images',
          says: 'container "b" runs "registry.example.com:5000/team/app:latest", which is not pinned',
        },
        {
          where: 'test/api',
          subject: 'pinned-images',
          says: 'container "d" runs "registry.example.com:5000/team/app", which is not pinned',
        },
      ]);
    });

    it('HSTS turned off in an ingress-nginx or F5 controller config, and F5 Ingresses without HSTS', () => {
      const r = run((stack) => {
        helmRelease(
          stack,
          'nginx',
          'ingress-nginx',
          'controller:\n  config:\n    hsts: "false"\n    log-format-escape-json: "true"\n',
        );
        helmRelease(
          stack,
          'f5',
          'nginx-ingress',
          'controller:\n  config:\n    entries:\n      log-format-escaping: json\n',
          [{ name: 'controller.config.entries.hsts', value: 'false' }],
        );
        kubernetesResource(stack, 'f5web', 'kubernetes_ingress_v1', {
          metadata: {
            name: 'f5web',
            namespace: 'apps',
            annotations: { 'nginx.org/client-max-body-size': '4m' },
          },
          spec: { tls: [{ hosts: ['a.example.com'] }], rule: [{ host: 'a.example.com' }] },
        });
      });
      expectLines(r.violations, [
        {
          where: 'test/nginx',
          subject: 'hsts-enabled',
          says: 'controller.config.hsts is "false": browsers are not told to insist on HTTPS',
        },
        {
          where: 'test/f5',
          subject: 'hsts-enabled',
          says: 'controller.config.entries.hsts is "false": browsers are not told to insist on HTTPS',
        },
        {
          where: 'test/f5web',
          subject: 'hsts-enabled',
          says: 'HSTS is off for this F5 Ingress (nginx.org/hsts is not set and off by default)',
        },
      ]);
    });

    it('one replica in production, unless an autoscaler keeps two', () => {
      const r = run((stack) => {
        workload(stack, 'single', { replicas: '1' });
        workload(stack, 'scaled', { replicas: '1' });
        rawResource(stack, 'hpa', 'kubernetes_horizontal_pod_autoscaler_v2', {
          metadata: [{ name: 'scaled', namespace: 'apps' }],
          spec: [
            {
              min_replicas: 2,
              max_replicas: 5,
              scale_target_ref: [{ api_version: 'apps/v1', kind: 'Deployment', name: 'scaled' }],
            },
          ],
        });
      });
      expectLines(r.violations, [
        {
          where: 'test/single',
          subject: 'production-replicas',
          says: 'Deployment "single" runs 1 replica in production',
        },
      ]);
    });

    it('no PodDisruptionBudget in production', () => {
      const r = run((stack) => workload(stack, 'api', { pdb: false }));
      expectLines(r.violations, [
        {
          where: 'test/api',
          subject: 'production-pdb',
          says: 'no PodDisruptionBudget selects the pods of Deployment "api"',
        },
      ]);
    });

    it('non-JSON access logs', () => {
      const r = run((stack) => {
        helmRelease(
          stack,
          'nginx',
          'ingress-nginx',
          'controller:\n  config:\n    log-format-upstream: "$remote_addr $request"\n',
        );
        helmRelease(
          stack,
          'f5',
          'nginx-ingress',
          'controller:\n  config:\n    entries:\n      hsts: "true"\n      log-format-escaping: default\n',
        );
      });
      expectLines(r.violations, [
        {
          where: 'test/nginx',
          subject: 'json-access-logs',
          says: 'controller.config has no log-format-escape-json: "true"',
        },
        {
          where: 'test/f5',
          subject: 'json-access-logs',
          says: 'controller.config.entries has no log-format-escaping: "json"',
        },
      ]);
    });

    it('reports every violation of a stack at once, in check order', () => {
      const r = run((stack) => {
        workload(stack, 'api', {
          replicas: '1',
          pdb: false,
          containers: [
            container({ image: 'app:latest', resources: {}, securityContext: { runAsUser: '0' } }),
          ],
        });
        kubernetesResource(stack, 'web', 'kubernetes_ingress_v1', {
          metadata: { name: 'web', namespace: 'apps' },
          spec: { rule: [{ host: 'a.example.com' }] },
        });
      });
      expect(r.violations.map((line) => line.slice(0, line.indexOf(':')))).toEqual([
        '[test/web] tls-on-every-host',
        '[test/api] container-limits',
        '[test/api] non-root-containers',
        '[test/api] pinned-images',
        '[test/api] production-replicas',
        '[test/api] production-pdb',
      ]);
    });

    it('judges resources made with the provider classes the same way', () => {
      const r = run((stack) => {
        new DeploymentV1(stack, 'generated', {
          metadata: { name: 'generated', namespace: 'apps' },
          spec: {
            replicas: '3',
            selector: { matchLabels: { app: 'generated' } },
            template: {
              metadata: { labels: { app: 'generated' } },
              spec: {
                container: [{ name: 'app', image: 'busybox', env: [{ name: 'ADMIN_PASSWORD', value: 'x' }] }],
              },
            },
          },
        });
      });
      expect(r.violations.map((line) => line.slice(0, line.indexOf(':')))).toEqual([
        '[test/generated] no-plain-secret-env',
        '[test/generated] container-limits',
        '[test/generated] non-root-containers',
        '[test/generated] pinned-images',
        '[test/generated] production-pdb',
      ]);
    });

    it('sees escape-hatch overrides, as Terraform will', () => {
      const r = run((stack) => {
        const deployment = workload(stack, 'api');
        deployment.addOverride(
          'spec.template.spec.container.0.image',
          'registry.example.com/team/app:latest',
        );
      });
      expectLines(r.violations, [
        {
          where: 'test/api',
          subject: 'pinned-images',
          says: 'container "app" runs "registry.example.com/team/app:latest", which is not pinned',
        },
      ]);
    });
  });

  describe('certificates and the in-cluster database in production', () => {
    it('refuses a self-signed or ACME-staging certificate in production, not elsewhere', () => {
      for (const [tls, why] of [
        [TlsSource.selfSigned(), 'ClusterIssuer "selfsigned", self-signed'],
        [
          TlsSource.acme({ email: 'platform@example.com', server: 'staging' }),
          'ClusterIssuer "letsencrypt-staging", from the ACME staging directory https://acme-staging-v02.api.letsencrypt.org/directory',
        ],
      ] as const) {
        const build = (stack: TerraformStack) =>
          new BackstagePortal(stack, 'portal', { ...portalProps(stack), tls });
        const trusted = run(build).violations.filter((v) => v.includes('trusted-certificates'));
        // Only the main Ingress carries the cert-manager annotation (the others share its secret).
        expectLines(trusted, [
          {
            where: 'test/portal/Ingress/Ingress',
            subject: 'trusted-certificates',
            says: `its certificate comes from ${why}: browsers do not trust it`,
          },
        ]);
        expect(run(build, { environment: 'non-production' }).violations).toEqual([]);
      }
    });

    it('tells how to handle the single in-cluster Postgres in production: a managed database, or an explicit exemption', () => {
      const build = (stack: TerraformStack) =>
        new BackstagePortal(stack, 'portal', {
          ...portalProps(stack),
          database: BackstageDatabase.inCluster({ password: variableSecret(stack, 'db_password') }),
          backstage: { replicas: 2 },
        });
      const path = 'test/portal/Backstage/Postgres/StatefulSet';
      // The advice is what this test is about: a managed database, or the exact exemption to write.
      const advice = (check: string) => [
        'cannot be made redundant by adding replicas',
        'BackstageDatabase.external',
        `exemptions: [{ check: '${check}', path: '${path}', reason: '<who accepted it and why>' }]`,
      ];
      expectLines(run(build).violations, [
        {
          where: path,
          subject: 'production-replicas',
          says: [
            'StatefulSet "backstage-postgres" runs 1 replica in production',
            ...advice('production-replicas'),
          ],
        },
        {
          where: path,
          subject: 'production-pdb',
          says: [
            'no PodDisruptionBudget selects the pods of StatefulSet "backstage-postgres"',
            ...advice('production-pdb'),
          ],
        },
      ]);
      const reason = 'Single Postgres accepted for the pilot by the platform team (PLAT-7).';
      expect(
        run(build, {
          exemptions: [
            { check: 'production-replicas', path, reason },
            { check: 'production-pdb', path, reason },
          ],
        }).violations,
      ).toEqual([]);
    });
  });

  describe('exemptions', () => {
    it('waives a finding under a construct path, records the reason, and passes', () => {
      const reason =
        'Single-instance PostgreSQL accepted by the platform team until the managed database lands (PLAT-123).';
      const r = run(
        (stack) => {
          const scope = new Construct(stack, 'db');
          workload(scope, 'postgres', { replicas: '1' });
        },
        { exemptions: [{ check: 'production-replicas', path: 'test/db', reason }] },
      );
      expect(r.violations).toEqual([]);
      const report = readReport(r);
      expect(report.passed).toBe(true);
      expect(report.summary.waived).toBe(1);
      expect(report.checks.find((c) => c.id === 'production-replicas')?.findings).toEqual([
        {
          check: 'production-replicas',
          path: 'test/db/postgres',
          resourceType: 'kubernetes_deployment_v1',
          message:
            'Deployment "postgres" runs 1 replica in production. Run 2 or more (or an autoscaler with min_replicas >= 2), or exempt it with a reason.',
          waived: reason,
        },
      ]);
      expect(fs.readFileSync(path.join(r.reportDir, 'guardrails-test.md'), 'utf8')).toContain(
        `*Waived: ${reason}*`,
      );
    });

    it('does not waive a path that only shares a prefix', () => {
      const r = run(
        (stack) => {
          workload(new Construct(stack, 'db'), 'postgres', { replicas: '1' });
          workload(new Construct(stack, 'db2'), 'postgres', { replicas: '1' });
        },
        {
          exemptions: [
            { check: 'production-replicas', path: 'test/db', reason: 'accepted for the database (PLAT-123)' },
          ],
        },
      );
      expect(r.violations.map((line) => line.slice(0, line.indexOf(':')))).toEqual([
        '[test/db2/postgres] production-replicas',
      ]);
    });
  });

  describe('the report', () => {
    it('is written as JSON and Markdown with the control mapping of every check', () => {
      const r = run((stack) => workload(stack, 'api', { pdb: false }));
      const report = readReport(r);
      expect(report).toMatchObject({ version: 1, stack: 'test', environment: 'production', passed: false });
      expect(report.summary).toEqual({
        checks: 14,
        passed: 6,
        failed: 1,
        notApplicable: 7,
        violations: 1,
        waived: 0,
      });
      const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
      expect(byId['production-pdb']).toMatchObject({ status: 'fail', soc2: ['A1.2'], iso27001: ['A.8.14'] });
      expect(byId['tls-on-every-host']).toMatchObject({
        status: 'not-applicable',
        soc2: ['CC6.7'],
        iso27001: ['A.8.24', 'A.5.14'],
      });
      expect(byId['backstage-network-policy']).toMatchObject({
        soc2: ['CC6.1', 'CC6.6'],
        iso27001: ['A.8.20', 'A.8.22'],
      });
      expect(byId['pinned-images']).toMatchObject({
        status: 'pass',
        soc2: ['CC8.1'],
        iso27001: ['A.8.32', 'A.8.19'],
      });
      expect(byId['json-access-logs']).toMatchObject({ soc2: ['CC7.2'], iso27001: ['A.8.15', 'A.8.16'] });
      expect(byId['no-snippet-annotations']).toMatchObject({
        soc2: ['CC7.1', 'CC8.1'],
        iso27001: ['A.8.8', 'A.8.9'],
      });
      expect(report.controls.soc2['CC6.6']).toBe(SOC2_CRITERIA['CC6.6']);
      expect(report.controls.iso27001['A.8.20']).toBe('Networks security');
      // Every mapped control has a title, and every titled control is used.
      const soc2 = new Set(GUARDRAIL_CHECKS.flatMap((c) => c.soc2));
      const iso = new Set(GUARDRAIL_CHECKS.flatMap((c) => c.iso27001));
      expect(Object.keys(report.controls.soc2).sort()).toEqual([...soc2].sort());
      expect(Object.keys(report.controls.iso27001).sort()).toEqual([...iso].sort());
      expect(Object.keys(SOC2_CRITERIA).sort()).toEqual([...soc2].sort());
      expect(Object.keys(ISO27001_CONTROLS).sort()).toEqual([...iso].sort());

      const markdown = fs.readFileSync(path.join(r.reportDir, 'guardrails-test.md'), 'utf8');
      expect(markdown).toContain('# Guardrails report: stack `test` (production)');
      expect(markdown).toContain('Result: **FAIL**. 1 violation(s) in 1 of 14 checks.');
      expect(markdown).toContain(
        '| Check | Applies to | Status | SOC 2 | ISO 27001:2022 Annex A | Violations |',
      );
      expect(markdown).toContain(
        '| PodDisruptionBudget (`production-pdb`) | production | **FAIL** | A1.2 | A.8.14 | 1 |',
      );
      expect(markdown).toContain(
        '| NetworkPolicy in front of Backstage (`backstage-network-policy`) | all | n/a | CC6.1, CC6.6 | A.8.20, A.8.22 | 0 |',
      );
      expect(markdown).toContain(
        '- `test/api` (kubernetes_deployment_v1): no PodDisruptionBudget selects the pods of Deployment "api".',
      );
      expect(markdown).toContain(
        '| ISO 27001:2022 | A.8.14 | Redundancy of information processing facilities | `production-replicas`, `production-pdb` |',
      );
    });

    it('is kept on the aspect and written next to cdk.tf.json by default', () => {
      const app = Testing.app();
      const stack = new TerraformStack(app, 'portal-prod');
      new KubernetesProvider(stack, 'k8s', {});
      workload(stack, 'api');
      const guardrails = new Guardrails({ environment: 'production' });
      Aspects.of(stack).add(guardrails);
      app.synth();
      expect(guardrails.reports.get('portal-prod')?.passed).toBe(true);
      const dir = path.join(app.outdir, 'stacks', 'portal-prod');
      expect(fs.existsSync(path.join(dir, 'cdk.tf.json'))).toBe(true);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'guardrails-portal-prod.json'), 'utf8')).passed).toBe(
        true,
      );
      expect(fs.existsSync(path.join(dir, 'guardrails-portal-prod.md'))).toBe(true);
    });

    it('is written even when synth fails, so the failure can be read', () => {
      const r = run((stack) => workload(stack, 'api', { pdb: false }));
      expect(r.violations).toHaveLength(1);
      expect(fs.existsSync(path.join(r.reportDir, 'guardrails-test.md'))).toBe(true);
    });
  });

  describe('validation', () => {
    it('refuses an unknown environment, bad exemptions and an empty report directory', () => {
      expectProblems(
        () =>
          new Guardrails({
            environment: 'prod' as never,
            reportDir: ' ',
            exemptions: [{ check: 'no-latest' as never, path: '', reason: 'because' }],
          }),
        [
          {
            where: 'Guardrails',
            path: 'environment',
            says: ['must be "production" or "non-production"', 'got "prod"'],
          },
          { where: 'Guardrails', path: 'reportDir', says: ['must be a directory path', 'got " "'] },
          // The fix lists every check id, so the user can pick the one meant.
          {
            where: 'Guardrails',
            path: 'exemptions[0].check',
            says: [
              'is not a Guardrails check',
              'got "no-latest"',
              `Use one of ${GUARDRAIL_CHECKS.map((c) => c.id).join(', ')}.`,
            ],
          },
          { where: 'Guardrails', path: 'exemptions[0].path', says: ['must be a construct path', 'got ""'] },
          {
            where: 'Guardrails',
            path: 'exemptions[0].reason',
            says: ['must say why the finding is accepted', 'got "because"'],
          },
        ],
      );
    });
  });
});

describe('Guardrails added below the stack', () => {
  it('still checks the whole stack', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new KubernetesProvider(stack, 'k8s', {});
    const team = new Construct(stack, 'team');
    workload(stack, 'outside', { pdb: false });
    workload(team, 'inside');
    Aspects.of(team).add(
      new Guardrails({ environment: 'production', reportDir: path.join(reportRoot, 'below') }),
    );
    expect(errorOf(() => Testing.synth(stack, true))).toContain(
      '[test/outside] production-pdb: no PodDisruptionBudget selects the pods of Deployment "outside".',
    );
  });
});
