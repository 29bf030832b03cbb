// The Gateway API flavour in the deploy bed: the standard-channel CRDs of Gateway API v1.5.1
// from the vendored release tree (checked against SHA256SUMS), installed into the cluster;
// then the multi-cloud dev environment, deployed on ingress-nginx by the steps before,
// switched to the Gateway API for real: first side by side (the ingress-nginx Ingresses keep
// serving), then with ingress-nginx removed. Each step's plan is checked (what it adds,
// changes and destroys; nothing of Backstage or its database replaced or destroyed) and
// applied, every Gateway API object is read back as the real CRD schemas, CEL rules
// included, accepted it, and a negative control shows those rules are enforced. Last, the
// environment goes back to the example as written and the CRDs are removed again.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';

import {
  BackstageDatabase,
  BackstagePortal,
  GatewayRef,
  MachineClient,
  OidcIssuer,
  SecretRef,
  TlsSource,
} from '../../../lib';
import type { Cluster } from './harness/cluster';
import type { CdktfProject, ResourceChange } from './harness/project';
import { vendorDir } from './harness/project';
import { condition, established, eventually } from './harness/readback';
import { readStack, resolveNames, resourcesOf } from './harness/synthesized';

/** What the steps use of the scenario they run in. */
export interface GatewayApiContext {
  readonly cluster: () => Cluster;
  /** The multi-cloud example as written (dev on ingress-nginx). */
  readonly multi: () => CdktfProject;
  /** The same app with E2E_VARIANT changes. */
  readonly variant: () => CdktfProject;
  readonly expectSuccess: (result: { code: number; output: string }, what: string) => void;
  readonly noChanges: (project: CdktfProject, stack: string) => Promise<void>;
  readonly record: (project: CdktfProject, stack: string, step: string, seconds: number) => void;
}

const CRD_ARCHIVE = 'crds/gateway-api-v1.5.1.tgz';
const GATEWAY_CLASS = 'e2e-gateway';

/** Resources of Backstage and its in-cluster database (`portal/Backstage/Postgres/...`): a switch of front door must leave them alone. */
const BACKSTAGE_OR_DATABASE = /\.portal_Backstage_/;

/**
 * The Gateway API objects of a portal with a machine host, synthesized here (the example's
 * environments declare no machine clients): on a Gateway it renders, or on an existing one
 * whose machine host has a listener of its own. Names resolved as Terraform resolves them.
 */
function machineHostManifests(gateway: GatewayRef, machineChallenge?: boolean): any[] {
  const stack = new TerraformStack(Testing.app(), 'machines');
  new KubernetesProvider(stack, 'kubernetes', {});
  new BackstagePortal(stack, 'portal', {
    host: 'backstage.dev.example.com',
    namespace: 'backstage',
    image: 'registry.example.com/platform/backstage:1.4.2',
    database: BackstageDatabase.sqliteInMemory(),
    backstage: { replicas: 1 },
    issuer: OidcIssuer.okta({ domain: 'example.okta.com' }),
    clientId: 'client-123',
    clientSecret: SecretRef.fromSecret('oidc-client', 'client-secret'),
    cookieSecret: SecretRef.fromSecret('oauth2-proxy-cookie', 'cookie-secret'),
    access: { emailDomains: ['example.com'] },
    ingressFlavour: 'gateway-api',
    ingress: { gateway, ...(machineChallenge !== undefined ? { machineChallenge } : {}) },
    ...(gateway.kind === 'create'
      ? { tls: TlsSource.fromIssuer('letsencrypt-staging') }
      : {
          ingressController: {
            namespaceLabels: { 'kubernetes.io/metadata.name': 'gateways' },
            podLabels: { app: 'data-plane' },
          },
        }),
    machineHost: 'api.backstage.dev.example.com',
    machineClients: [
      MachineClient.githubActions({
        audience: 'backstage-ci',
        repository: 'acme/service',
        refs: ['refs/heads/main'],
      }),
    ],
  });
  const json = JSON.parse(Testing.synth(stack));
  return Object.values(resolveNames(json, resourcesOf(json, 'kubernetes_manifest')))
    .map((r: any) => r.manifest)
    .filter((m) => String(m.apiVersion).startsWith('gateway.networking.k8s.io/'));
}

/** The plan as counts and as `<action> <address>` lines, hashes dropped for reading. */
function planSummary(stack: string, changes: readonly ResourceChange[]) {
  const kind = (c: ResourceChange) =>
    c.actions.includes('delete') && c.actions.includes('create')
      ? 'replace'
      : c.actions.includes('delete')
        ? 'destroy'
        : c.actions.includes('create')
          ? 'add'
          : 'change';
  const count = (k: string) => changes.filter((c) => kind(c) === k).length;
  const lines = changes.map((c) => `${kind(c)} ${c.address.replace(/_[0-9A-F]{8}$/, '')}`).sort();
  return {
    text: `${stack}: ${count('add')} to add, ${count('change')} to change, ${count('destroy')} to destroy, ${count('replace')} to replace`,
    lines,
    count,
  };
}

export function gatewayApiSteps(ctx: GatewayApiContext): void {
  describe('the Gateway API flavour: switching dev from ingress-nginx', () => {
    let crdDir: string;
    const migration: string[] = [];

    /** Plans the variant's stack, prints and checks the summary, and returns the changes. */
    const planStep = async (step: string, stack: string) => {
      const plan = await ctx.variant().plan(stack);
      ctx.record(ctx.variant(), stack, `plan (${step})`, plan.seconds);
      const summary = planSummary(stack, plan.changes);
      migration.push(`${step}: ${summary.text}`, ...summary.lines.map((l) => `  ${l}`));
      console.log(`[migration] ${step}: ${summary.text}\n${summary.lines.map((l) => `  ${l}`).join('\n')}`);
      // Nothing is ever replaced, and nothing of Backstage or its database destroyed or replaced.
      expect(summary.count('replace'), `${step}: replaced\n${summary.lines.join('\n')}`).toBe(0);
      const touched = plan.changes.filter(
        (c) =>
          BACKSTAGE_OR_DATABASE.test(c.address) && !(c.actions.length === 1 && c.actions[0] === 'update'),
      );
      expect(
        touched.map((c) => `${c.actions.join('+')} ${c.address}`),
        `${step}: Backstage or its database destroyed`,
      ).toEqual([]);
      return summary.lines;
    };

    it('installs the standard-channel Gateway API v1.5.1 CRDs from the vendored tree, checked against SHA256SUMS', async () => {
      const archive = join(vendorDir, CRD_ARCHIVE);
      const sums = readFileSync(join(vendorDir, 'SHA256SUMS'), 'utf8');
      const listed = sums
        .split('\n')
        .find((l) => l.trim().endsWith(`  ${CRD_ARCHIVE}`))
        ?.split(/\s+/)[0];
      expect(listed, `${CRD_ARCHIVE} in SHA256SUMS`).toMatch(/^[0-9a-f]{64}$/);
      expect(createHash('sha256').update(readFileSync(archive)).digest('hex')).toBe(listed);
      crdDir = mkdtempSync(join(tmpdir(), 'gateway-api-crds-'));
      execFileSync('tar', ['-xzf', archive, '-C', crdDir]);
      const files = readdirSync(join(crdDir, 'standard')).sort();
      expect(files).toContain('gateway.networking.k8s.io_httproutes.yaml');
      // Server-side: the CRDs are larger than client-side apply's last-applied annotation allows.
      await ctx.cluster().kubectl(['apply', '--server-side', '-f', join(crdDir, 'standard')]);
      const crds = await eventually(
        'the Gateway API CRDs established',
        () => ctx.cluster().getJson<{ items: any[] }>(['crd']),
        (l) =>
          l.items.filter((c) => c.spec.group === 'gateway.networking.k8s.io').every(established) &&
          l.items.some((c) => c.metadata.name === 'httproutes.gateway.networking.k8s.io'),
      );
      const ours = crds.items.filter((c) => c.spec.group === 'gateway.networking.k8s.io');
      expect(ours.map((c) => c.metadata.name).sort()).toEqual([
        'backendtlspolicies.gateway.networking.k8s.io',
        'gatewayclasses.gateway.networking.k8s.io',
        'gateways.gateway.networking.k8s.io',
        'grpcroutes.gateway.networking.k8s.io',
        'httproutes.gateway.networking.k8s.io',
        'listenersets.gateway.networking.k8s.io',
        'referencegrants.gateway.networking.k8s.io',
        'tlsroutes.gateway.networking.k8s.io',
      ]);
      expect(
        ours.every((c) => c.metadata.annotations['gateway.networking.k8s.io/channel'] === 'standard'),
      ).toBe(true);
      // A GatewayClass for the environment's Gateway; no controller reconciles it here.
      await ctx.cluster().kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'GatewayClass',
          metadata: { name: GATEWAY_CLASS },
          spec: { controllerName: 'example.com/e2e-gateway' },
        }),
      );
    });

    it('step 1, side by side: cert-manager gets Gateway API support in place, and the portal adds the Gateway, its routes and an auth-only proxy for the Ingresses, replacing nothing', async () => {
      const variant = ctx.variant();
      variant.setEnv('E2E_VARIANT', 'gatewayApiSideBySide');
      await variant.synth();
      expect(await planStep('step 1 (side by side)', 'dev-platform')).toEqual([
        'change helm_release.CertManager_Release',
      ]);
      expect(await planStep('step 1 (side by side)', 'dev-portal')).toEqual([
        'add kubernetes_config_map_v1.portal_IngressNginxGateway_Config',
        'add kubernetes_deployment_v1.portal_IngressNginxGateway_Deployment',
        'add kubernetes_manifest.portal_GatewayApi_Gateway',
        'add kubernetes_manifest.portal_GatewayApi_RedirectRoute',
        'add kubernetes_manifest.portal_GatewayApi_Route',
        'add kubernetes_network_policy_v1.portal_IngressNginxGateway_NetworkPolicy',
        'add kubernetes_pod_disruption_budget_v1.portal_IngressNginxGateway_Pdb',
        'add kubernetes_service_v1.portal_IngressNginxGateway_Service',
        'change kubernetes_config_map_v1.portal_Gateway_Config',
        'change kubernetes_deployment_v1.portal_Gateway_Deployment',
        'change kubernetes_ingress_v1.portal_Ingress',
        'change kubernetes_ingress_v1.portal_Ingress_ApiIngress',
        'change kubernetes_ingress_v1.portal_Ingress_SignInIngress',
        'change kubernetes_network_policy_v1.portal_Backstage_NetworkPolicy',
        'change kubernetes_network_policy_v1.portal_Gateway_NetworkPolicy',
      ]);
      const platform = await variant.deploy(['dev-platform']);
      ctx.expectSuccess(platform, 'deploy of dev-platform with Gateway API support');
      const portal = await variant.deploy(['dev-portal'], { platformDeployed: true });
      ctx.expectSuccess(portal, 'deploy of dev-portal, side by side');
      ctx.record(variant, 'dev-portal', 'apply (gateway-api side by side)', portal.seconds);
    });

    it('holds the Gateway and the HTTPRoutes as the real CRD schemas (CEL rules included) accepted them, beside the Ingresses', async () => {
      const cluster = ctx.cluster();
      const stack = readStack(ctx.variant().stackDir('dev-portal'));
      const wanted = Object.values(resolveNames(stack, resourcesOf(stack, 'kubernetes_manifest'))).map(
        (r: any) => r.manifest,
      );
      const gateway = wanted.find((m) => m.kind === 'Gateway');
      const live = await cluster.getJson([
        'gateways.gateway.networking.k8s.io',
        '-n',
        'backstage',
        gateway.metadata.name,
      ]);
      expect(live.spec).toEqual(gateway.spec);
      expect(live.metadata.labels).toEqual(gateway.metadata.labels);
      expect(live.metadata.annotations ?? {}).toEqual({});
      for (const route of wanted.filter((m) => m.kind === 'HTTPRoute')) {
        const held = await cluster.getJson([
          'httproutes.gateway.networking.k8s.io',
          '-n',
          'backstage',
          route.metadata.name,
        ]);
        expect(held.spec, route.metadata.name).toEqual(route.spec);
      }
      // Both front doors: the Ingresses through their own auth-only proxy, the Gateway through
      // oauth2-proxy in the request path; Backstage admits the controller and that proxy.
      const ingress = await cluster.getJson(['ingress', '-n', 'backstage', 'backstage']);
      expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/auth-url']).toBe(
        'http://oauth2-proxy-ingress-nginx.backstage.svc.cluster.local:4180/oauth2/auth',
      );
      const deployments = await eventually(
        'both proxies Available',
        () => cluster.getJson<{ items: any[] }>(['deployments', '-n', 'backstage']),
        (l) =>
          ['backstage', 'oauth2-proxy', 'oauth2-proxy-ingress-nginx'].every((n) =>
            l.items.some((d) => d.metadata.name === n && condition(d, 'Available') === 'True'),
          ),
      );
      const proxy = deployments.items.find((d) => d.metadata.name === 'oauth2-proxy');
      expect(proxy.spec.template.spec.containers[0].args).toContain('--api-route=^/api([/?]|$)');
      const policy = await cluster.getJson(['networkpolicy', '-n', 'backstage', 'backstage']);
      expect(JSON.stringify(policy.spec.ingress)).toContain('"app.kubernetes.io/name":"oauth2-proxy"');
      expect(JSON.stringify(policy.spec.ingress)).toContain('"kubernetes.io/metadata.name":"ingress-nginx"');
    });

    it('the CEL rules are enforced for real: a route that redirects and forwards in one rule, and TLS on a plain-HTTP listener, are refused', async () => {
      const cluster = ctx.cluster();
      const route = await cluster.getJson([
        'httproutes.gateway.networking.k8s.io',
        '-n',
        'backstage',
        'backstage',
      ]);
      const bad = {
        apiVersion: route.apiVersion,
        kind: 'HTTPRoute',
        metadata: { name: 'e2e-cel-control', namespace: 'backstage' },
        spec: {
          ...route.spec,
          rules: [
            {
              ...route.spec.rules[0],
              filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }],
            },
          ],
        },
      };
      await expect(
        cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(bad)),
      ).rejects.toThrow(/RequestRedirect filter must not be used together with backendRefs/);
      // The same route without the filter is accepted (the control of the control).
      await cluster.kubectl(
        ['apply', '--dry-run=server', '-f', '-'],
        JSON.stringify({ ...bad, spec: route.spec }),
      );
      const gateway = await cluster.getJson([
        'gateways.gateway.networking.k8s.io',
        '-n',
        'backstage',
        'backstage',
      ]);
      const tlsOnHttp = {
        apiVersion: gateway.apiVersion,
        kind: 'Gateway',
        metadata: { name: 'e2e-cel-control', namespace: 'backstage' },
        spec: {
          ...gateway.spec,
          listeners: gateway.spec.listeners.map((l: any) =>
            l.protocol === 'HTTP'
              ? { ...l, tls: gateway.spec.listeners.find((h: any) => h.protocol === 'HTTPS').tls }
              : l,
          ),
        },
      };
      await expect(
        cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(tlsOnHttp)),
      ).rejects.toThrow(/tls must not be specified for protocols \['HTTP', 'TCP', 'UDP'\]/);
    });

    it('with a machine host: the Gateway with its machine listeners and the three HTTPRoutes, and the machine route to an existing Gateway with the response-header filter of machineChallenge, pass the real CRD schemas, CEL rules included, which keep the filter as sent (server-side dry run)', async () => {
      const cluster = ctx.cluster();
      const created = machineHostManifests(
        GatewayRef.create({ gatewayClassName: GATEWAY_CLASS, name: 'e2e-machines' }),
      );
      expect(created.map((m) => `${m.kind} ${m.metadata.name}`).sort()).toEqual([
        'Gateway e2e-machines',
        'HTTPRoute backstage',
        'HTTPRoute backstage-https-redirect',
        'HTTPRoute backstage-machines',
      ]);
      expect(created.find((m) => m.kind === 'Gateway').spec.listeners.map((l: any) => l.name)).toEqual([
        'http',
        'https',
        'http-machines',
        'https-machines',
      ]);
      const existing = machineHostManifests(
        GatewayRef.existing({
          name: 'shared',
          namespace: 'gateways',
          httpsListener: 'https',
          machineHttpsListener: 'https-api',
        }),
        true,
      ).filter((m) => m.metadata.name === 'backstage-machines');
      expect(existing.map((m) => m.spec.parentRefs[0].sectionName)).toEqual(['https-api']);
      // machineChallenge: the ResponseHeaderModifier filter, which the API server must keep as
      // sent (a field the schema does not know would be pruned without an error).
      const challenge = [
        {
          type: 'ResponseHeaderModifier',
          responseHeaderModifier: {
            set: [{ name: 'WWW-Authenticate', value: 'Bearer realm="api.backstage.dev.example.com"' }],
          },
        },
      ];
      expect(existing[0].spec.rules[0].filters).toEqual(challenge);
      const held = JSON.parse(
        await cluster.kubectl(
          ['apply', '--dry-run=server', '-o', 'json', '-f', '-'],
          JSON.stringify(existing[0]),
        ),
      );
      expect(held.spec.rules[0].filters).toEqual(challenge);
      for (const manifest of [...created, ...existing]) {
        const answer = await cluster.kubectl(
          ['apply', '--dry-run=server', '-f', '-'],
          JSON.stringify(manifest),
        );
        expect(answer, `${manifest.kind} ${manifest.metadata.name}`).toMatch(/\(server dry run\)/);
      }
    });

    it('plans no changes right after step 1, for both stacks', async () => {
      await ctx.noChanges(ctx.variant(), 'dev-platform');
      await ctx.noChanges(ctx.variant(), 'dev-portal');
    });

    it('step 2, ingress-nginx removed: the Ingresses and their proxy go, the Gateway takes over the certificate, replacing nothing', async () => {
      const variant = ctx.variant();
      variant.setEnv('E2E_VARIANT', 'gatewayApi');
      await variant.synth();
      expect(await planStep('step 2 (ingress-nginx removed)', 'dev-portal')).toEqual([
        'change kubernetes_manifest.portal_GatewayApi_Gateway',
        'change kubernetes_manifest.portal_Ingress_ClusterIssuer-letsencrypt-staging',
        'change kubernetes_network_policy_v1.portal_Backstage_NetworkPolicy',
        'destroy kubernetes_config_map_v1.portal_IngressNginxGateway_Config',
        'destroy kubernetes_deployment_v1.portal_IngressNginxGateway_Deployment',
        'destroy kubernetes_ingress_v1.portal_Ingress',
        'destroy kubernetes_ingress_v1.portal_Ingress_ApiIngress',
        'destroy kubernetes_ingress_v1.portal_Ingress_SignInIngress',
        'destroy kubernetes_network_policy_v1.portal_IngressNginxGateway_NetworkPolicy',
        'destroy kubernetes_pod_disruption_budget_v1.portal_IngressNginxGateway_Pdb',
        'destroy kubernetes_service_v1.portal_IngressNginxGateway_Service',
      ]);
      const portal = await variant.deploy(['dev-portal'], { platformDeployed: true });
      ctx.expectSuccess(portal, 'deploy of dev-portal without ingress-nginx');
      expect(await planStep('step 2 (ingress-nginx removed)', 'dev-platform')).toEqual([
        'destroy helm_release.IngressNginx_Release',
        'destroy kubernetes_ingress_v1.IngressNginx_IdentityLogIngress',
        'destroy kubernetes_namespace_v1.IngressNginx_Namespace',
      ]);
      ctx.expectSuccess(
        await variant.deploy(['dev-platform']),
        'deploy of dev-platform without ingress-nginx',
      );
      console.log(`[migration] summary\n${migration.join('\n')}`);
    });

    it('after the switch: the Gateway asks cert-manager for its certificate, the issuer answers HTTP-01 through it, and nothing of ingress-nginx is left', async () => {
      const cluster = ctx.cluster();
      const gateway = await cluster.getJson([
        'gateways.gateway.networking.k8s.io',
        '-n',
        'backstage',
        'backstage',
      ]);
      expect(gateway.metadata.annotations).toEqual({
        'cert-manager.io/cluster-issuer': 'letsencrypt-staging',
      });
      const issuer = await cluster.getJson(['clusterissuers.cert-manager.io', 'letsencrypt-staging']);
      expect(issuer.spec.acme.solvers).toEqual([
        {
          http01: {
            gatewayHTTPRoute: {
              parentRefs: [
                {
                  group: 'gateway.networking.k8s.io',
                  kind: 'Gateway',
                  name: 'backstage',
                  namespace: 'backstage',
                  sectionName: 'http',
                },
              ],
            },
          },
        },
      ]);
      expect((await cluster.getJson<{ items: any[] }>(['ingress', '-A'])).items).toEqual([]);
      expect(
        (await cluster.getJson<{ items: any[] }>(['deployments', '-n', 'backstage'])).items
          .map((d) => d.metadata.name)
          .sort(),
      ).toEqual(['backstage', 'oauth2-proxy']);
      await eventually(
        'namespace ingress-nginx gone',
        () => cluster.getJson<{ items: any[] }>(['namespaces']),
        (l) => !l.items.some((n) => n.metadata.name === 'ingress-nginx'),
      );
      const policy = await cluster.getJson(['networkpolicy', '-n', 'backstage', 'backstage']);
      expect(policy.spec.ingress[0].from).toEqual([
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'backstage' } },
          podSelector: {
            matchLabels: {
              'app.kubernetes.io/name': 'oauth2-proxy',
              'app.kubernetes.io/instance': 'oauth2-proxy',
            },
          },
        },
      ]);
      const proxyPolicy = await cluster.getJson(['networkpolicy', '-n', 'backstage', 'oauth2-proxy']);
      expect(proxyPolicy.spec.ingress[0].from).toEqual([
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'backstage' } },
          podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'backstage' } },
        },
      ]);
      await ctx.noChanges(ctx.variant(), 'dev-platform');
      await ctx.noChanges(ctx.variant(), 'dev-portal');
    });

    it("on Envoy Gateway: its v1.9.1 CRDs installed from its module, the environment's envoyGateway adds the policies and the access log's EnvoyProxy and changes the Gateway in place, replacing nothing", async () => {
      const crds = process.env.ENVOY_GATEWAY_CRDS;
      if (!crds)
        throw new Error('ENVOY_GATEWAY_CRDS is not set: source the env.sh that build-tools.sh writes');
      const cluster = ctx.cluster();
      // As a platform team's Envoy Gateway install would have them (server-side: they are large).
      await cluster.kubectl(['apply', '--server-side', '-f', crds]);
      const installed = await eventually(
        "Envoy Gateway's CRDs established",
        () => cluster.getJson<{ items: any[] }>(['crd']),
        (l) => {
          const eg = l.items.filter((c) => c.spec.group === 'gateway.envoyproxy.io');
          return eg.length === 8 && eg.every(established);
        },
      );
      expect(
        installed.items
          .filter((c) => c.spec.group === 'gateway.envoyproxy.io')
          .map((c) => c.metadata.name)
          .sort(),
      ).toEqual([
        'backends.gateway.envoyproxy.io',
        'backendtrafficpolicies.gateway.envoyproxy.io',
        'clienttrafficpolicies.gateway.envoyproxy.io',
        'envoyextensionpolicies.gateway.envoyproxy.io',
        'envoypatchpolicies.gateway.envoyproxy.io',
        'envoyproxies.gateway.envoyproxy.io',
        'httproutefilters.gateway.envoyproxy.io',
        'securitypolicies.gateway.envoyproxy.io',
      ]);
      const variant = ctx.variant();
      variant.setEnv('E2E_VARIANT', 'gatewayApiEnvoy');
      await variant.synth();
      expect(await planStep('step 3 (Envoy Gateway policies)', 'dev-portal')).toEqual([
        'add kubernetes_manifest.portal_GatewayApi_EnvoyBackendTrafficPolicy',
        'add kubernetes_manifest.portal_GatewayApi_EnvoyClientTrafficPolicy',
        'add kubernetes_manifest.portal_GatewayApi_EnvoyProxy',
        'add kubernetes_manifest.portal_GatewayApi_EnvoySecurityPolicy',
        'change kubernetes_manifest.portal_GatewayApi_Gateway',
      ]);
      const portal = await variant.deploy(['dev-portal'], { platformDeployed: true });
      ctx.expectSuccess(portal, 'deploy of dev-portal with Envoy Gateway policies');
      ctx.record(variant, 'dev-portal', 'apply (Envoy Gateway policies)', portal.seconds);
    });

    it("holds Envoy Gateway's objects as its real CRD schemas (CEL rules included) accepted them, a second plan shows no change, and the rules are enforced", async () => {
      const cluster = ctx.cluster();
      const get = (kind: string, name: string) =>
        cluster.getJson([`${kind}.gateway.envoyproxy.io`, '-n', 'backstage', name]);
      const routes = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'backstage' }];
      const perClient = (value: string) => ({
        clientSelectors: [{ sourceCIDR: { type: 'Distinct', value, invert: false } }],
        limit: { requests: 300, unit: 'Minute' },
      });
      expect((await get('backendtrafficpolicies', 'backstage')).spec).toEqual({
        targetRefs: routes,
        rateLimit: { local: { rules: [perClient('0.0.0.0/0'), perClient('::/0')] } },
        compressor: [{ type: 'Gzip', gzip: {} }],
      });
      // The environment's allow-list, which standard Gateway API routes could not carry.
      expect((await get('securitypolicies', 'backstage-allow-list')).spec).toEqual({
        targetRefs: routes,
        authorization: {
          defaultAction: 'Deny',
          rules: [{ name: 'allowed-networks', action: 'Allow', principal: { clientCIDRs: ['10.0.0.0/8'] } }],
        },
      });
      expect((await get('clienttrafficpolicies', 'backstage')).spec).toEqual({
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'backstage' }],
        clientIPDetection: { xForwardedFor: { numTrustedHops: 1 } },
      });
      const proxy = await get('envoyproxies', 'backstage');
      expect(proxy.spec.mergeType).toBe('StrategicMerge');
      expect(proxy.spec.telemetry.accessLog.settings).toEqual([
        {
          format: {
            type: 'JSON',
            json: expect.objectContaining({ path: '%PATH(NQ:ORIG_OR_PATH)%', status: '%RESPONSE_CODE%' }),
          },
          sinks: [{ type: 'File', file: { path: '/dev/stdout' } }],
        },
      ]);
      const gateway = await cluster.getJson([
        'gateways.gateway.networking.k8s.io',
        '-n',
        'backstage',
        'backstage',
      ]);
      expect(gateway.spec.infrastructure).toEqual({
        parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'backstage' },
      });
      await ctx.noChanges(ctx.variant(), 'dev-portal');
      // The CEL rules are enforced for real (server-side dry runs of the objects as read back).
      const bad = (object: any, patch: (spec: any) => any) =>
        cluster.kubectl(
          ['apply', '--dry-run=server', '-f', '-'],
          JSON.stringify({
            apiVersion: object.apiVersion,
            kind: object.kind,
            metadata: { name: 'e2e-bad', namespace: 'backstage' },
            spec: patch(object.spec),
          }),
        );
      const client = await get('clienttrafficpolicies', 'backstage');
      await expect(
        bad(client, (spec) => ({
          ...spec,
          clientIPDetection: { xForwardedFor: { numTrustedHops: 1, trustedCIDRs: ['10.0.0.0/8'] } },
        })),
      ).rejects.toThrow(/only one of numTrustedHops or trustedCIDRs must be set/);
      await expect(
        bad(proxy, (spec) => ({
          ...spec,
          telemetry: {
            accessLog: { settings: [{ ...spec.telemetry.accessLog.settings[0], format: { type: 'JSON' } }] },
          },
        })),
      ).rejects.toThrow(/If AccessLogFormat type is JSON, json field needs to be set/);
    });

    it('goes back to the example as written (ingress-nginx), and removes the Gateway API and Envoy Gateway CRDs', async () => {
      const cluster = ctx.cluster();
      const multi = ctx.multi();
      ctx.expectSuccess(await multi.deploy(['dev-platform']), 'deploy of dev-platform back to ingress-nginx');
      ctx.expectSuccess(
        await multi.deploy(['dev-portal'], { platformDeployed: true }),
        'deploy of dev-portal back to ingress-nginx',
      );
      expect(
        (await cluster.getJson<{ items: any[] }>(['gateways.gateway.networking.k8s.io', '-A'])).items,
      ).toEqual([]);
      for (const kind of [
        'backendtrafficpolicies',
        'securitypolicies',
        'clienttrafficpolicies',
        'envoyproxies',
      ]) {
        expect(
          (await cluster.getJson<{ items: any[] }>([`${kind}.gateway.envoyproxy.io`, '-A'])).items,
          kind,
        ).toEqual([]);
      }
      await cluster.kubectl(['delete', 'gatewayclass.gateway.networking.k8s.io', GATEWAY_CLASS]);
      await cluster.kubectl(['delete', '-f', join(crdDir, 'standard')]);
      await cluster.kubectl(['delete', '-f', process.env.ENVOY_GATEWAY_CRDS!]);
      await eventually(
        'the Gateway API and Envoy Gateway CRDs gone',
        () => cluster.getJson<{ items: any[] }>(['crd']),
        (l) =>
          !l.items.some((c) => ['gateway.networking.k8s.io', 'gateway.envoyproxy.io'].includes(c.spec.group)),
      );
      await ctx.noChanges(multi, 'dev-platform');
      await ctx.noChanges(multi, 'dev-portal');
    });
  });
}
