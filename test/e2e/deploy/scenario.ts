// `cdktf deploy` of the example stacks onto a real Kubernetes API server with the real
// providers and the real charts, under one engine, against a fresh cluster of its own. The
// steps run in order and build on each other: deploy, read back, plan again, change,
// break, destroy. Each engine's test file (opentofu.test.ts, terraform.test.ts) runs this
// scenario; vitest runs the two files side by side.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chartMirrorSteps } from './chart-mirrors';
import { namespaceSecretSteps } from './external-secrets';
import { gatewayApiSteps } from './gateway-api';
import { type Cluster, startCluster } from './harness/cluster';
import type { Engine } from './harness/engines';
import { CdktfProject, type ResourceChange, vendorDir } from './harness/project';
import { condition, decodeSecret, established, eventually, helmReleases, tail } from './harness/readback';
import { cookieSecret, sentinel, tfVars } from './harness/secrets';
import { readStack, releaseValues, resolveNames, resourcesOf } from './harness/synthesized';
import { machineAgentSteps } from './machine-agent';

/** Addresses and actions of a plan's changes, sorted, for exact comparison. */
const summary = (changes: readonly ResourceChange[]) =>
  changes.map((c) => `${c.actions.join('+')} ${c.address}`).sort();

/** The whole scenario under one engine. */
export function deployScenario(engine: Engine): void {
  describe(`cdktf deploy under ${engine.name} ${engine.version}`, () => {
    /** The time of each step per stack, for npm run bench:deploy (E2E_TIMINGS_DIR/<engine>.json). */
    const timings: Array<{
      engine: string;
      stack: string;
      step: string;
      seconds: number;
      resources?: number;
    }> = [];
    const timingsDir = process.env.E2E_TIMINGS_DIR;
    let cluster: Cluster;
    let work: string;
    let multi: CdktfProject;
    let variant: CdktfProject;
    let portal: CdktfProject;
    let agents: CdktfProject;
    // Secrets of the multi-cloud dev environment and of the root example, random per run.
    const devSecrets = {
      dev_oidc_client_secret: sentinel(),
      dev_cookie_secret: cookieSecret(),
      dev_database_password: sentinel(),
    };
    const portalSecrets = {
      oidc_client_secret: sentinel(),
      oauth2_proxy_cookie_secret: cookieSecret(),
      database_password: sentinel(),
    };
    const rotated = sentinel();

    const record = (project: CdktfProject, stack: string, step: string, seconds: number) => {
      const resources = Object.values(readStack(project.stackDir(stack)).resource).reduce(
        (n, byName) => n + Object.keys(byName).length,
        0,
      );
      timings.push({ engine: `${engine.name} ${engine.version}`, stack, step, seconds, resources });
    };
    const expectSuccess = (result: { code: number; output: string }, what: string) => {
      expect(result.code, `${what} failed:\n${tail(result.output)}`).toBe(0);
    };
    const noChanges = async (project: CdktfProject, stack: string) => {
      const plan = await project.plan(stack);
      record(project, stack, 'no-change plan', plan.seconds);
      expect(summary(plan.changes), `${stack} should plan no changes`).toEqual([]);
    };

    beforeAll(async () => {
      cluster = await startCluster({ contexts: ['dev', 'prod', 'dev-on-prem'] });
      work = mkdtempSync(join(tmpdir(), `cdktf-backstage-deploy-${engine.name}-`));
      // HOME of every cdktf run: the examples read ~/.kube/config.
      const home = join(work, 'home');
      mkdirSync(join(home, '.kube'), { recursive: true });
      copyFileSync(cluster.kubeconfig, join(home, '.kube/config'));
      multi = new CdktfProject({
        dir: join(work, 'multi-cloud'),
        app: 'examples/multi-cloud/main.ts',
        engine,
        home,
        env: tfVars(devSecrets),
      });
      variant = new CdktfProject({
        dir: join(work, 'multi-cloud-variant'),
        app: 'test/e2e/deploy/apps/multi-cloud-variant.ts',
        outdir: multi.outdir,
        engine,
        home,
        env: tfVars(devSecrets),
      });
      portal = new CdktfProject({
        dir: join(work, 'portal'),
        app: 'examples/portal/main.ts',
        engine,
        home,
        env: tfVars(portalSecrets),
      });
      agents = new CdktfProject({
        dir: join(work, 'agents'),
        app: 'test/e2e/deploy/apps/machine-agent.ts',
        engine,
        home,
        env: { E2E_AGENT_ISSUER: cluster.serviceAccountIssuer },
      });
    });

    afterAll(async () => {
      await cluster?.shutdown();
      if (timingsDir)
        writeFileSync(join(timingsDir, `${engine.name}.json`), JSON.stringify(timings, null, 2));
      // The cluster's etcd and the projects' provider copies take a few hundred MB a run;
      // E2E_KEEP=1 keeps them for a look after a failure.
      if (process.env.E2E_KEEP !== '1') {
        for (const dir of [work, cluster?.stateDir]) if (dir) rmSync(dir, { recursive: true, force: true });
      }
    });

    describe('multi-cloud example, dev environment', () => {
      it('deploys dev-platform, then dev-portal, with the charts from the vendored packages', async () => {
        // A plan first (timed for npm run bench:deploy), then cdktf deploy plans and applies.
        await multi.synth();
        record(multi, 'dev-platform', 'plan', (await multi.plan('dev-platform')).seconds);
        const platform = await multi.deploy(['dev-platform']);
        expectSuccess(platform, 'cdktf deploy dev-platform');
        record(multi, 'dev-platform', 'deploy', platform.seconds);
        const chartPaths = Object.values(
          resourcesOf(readStack(multi.stackDir('dev-platform')), 'helm_release'),
        ).map((r) => r.chart);
        expect(chartPaths.every((p: string) => p.startsWith(join(vendorDir, 'charts')))).toBe(true);
        // The platform is up: deploy the portal on its own, as after a change to the portal only.
        record(multi, 'dev-portal', 'plan', (await multi.plan('dev-portal')).seconds);
        const portalRun = await multi.deploy(['dev-portal'], { platformDeployed: true });
        expectSuccess(portalRun, 'cdktf deploy dev-portal');
        record(multi, 'dev-portal', 'deploy', portalRun.seconds);
      });

      it("has every Helm release deployed, and cert-manager's CRDs established", async () => {
        const synthesized = Object.values(
          resourcesOf(readStack(multi.stackDir('dev-platform')), 'helm_release'),
        ).map((r) => `${r.namespace}/${r.name}`);
        const deployed = (await helmReleases(cluster))
          .filter((r) => r.status === 'deployed')
          .map((r) => `${r.namespace}/${r.name}`);
        expect(deployed.sort()).toEqual(synthesized.sort());
        const crds = await cluster.getJson<{ items: any[] }>(['crd']);
        const certManager = crds.items.filter((c) => c.spec.group.endsWith('cert-manager.io'));
        expect(certManager.map((c) => c.metadata.name).sort()).toEqual([
          'certificaterequests.cert-manager.io',
          'certificates.cert-manager.io',
          'challenges.acme.cert-manager.io',
          'clusterissuers.cert-manager.io',
          'issuers.cert-manager.io',
          'orders.acme.cert-manager.io',
        ]);
        expect(certManager.every(established)).toBe(true);
      });

      it('gives the ingress-nginx controller the ConfigMap keys the library set', async () => {
        const stack = readStack(multi.stackDir('dev-platform'));
        const release = Object.values(resourcesOf(stack, 'helm_release')).find(
          (r) => r.name === 'ingress-nginx',
        );
        const wanted = releaseValues(release).controller.config as Record<string, string>;
        const cm = await cluster.getJson(['configmap', '-n', release.namespace, 'ingress-nginx-controller']);
        for (const [key, value] of Object.entries(wanted)) {
          expect(cm.data[key], `controller ConfigMap key ${key}`).toBe(value);
        }
        expect(cm.data).toMatchObject({
          'allow-snippet-annotations': 'false',
          'annotations-risk-level': 'High',
          hsts: 'true',
          'use-gzip': 'true',
          'log-format-escape-json': 'true',
          'ssl-protocols': 'TLSv1.2 TLSv1.3',
        });
        expect(cm.data['log-format-upstream']).toContain('"request_id":"$req_id"');
      });

      it('holds each Ingress with the synthesized annotations, class and TLS', async () => {
        const stack = readStack(multi.stackDir('dev-portal'));
        const wanted = Object.values(resolveNames(stack, resourcesOf(stack, 'kubernetes_ingress_v1')));
        expect(wanted).toHaveLength(3);
        for (const ingress of wanted) {
          const { name, namespace } = ingress.metadata;
          const live = await cluster.getJson(['ingress', '-n', namespace, name]);
          expect(live.metadata.annotations, `annotations of ${name}`).toEqual(ingress.metadata.annotations);
          expect(live.spec.ingressClassName).toBe('nginx');
          expect(live.spec.tls).toEqual([
            { hosts: ['backstage.dev.example.com'], secretName: ingress.spec.tls[0].secret_name },
          ]);
          expect(live.metadata.annotations['nginx.ingress.kubernetes.io/whitelist-source-range']).toBe(
            '10.0.0.0/8',
          );
          expect(live.metadata.annotations['nginx.ingress.kubernetes.io/force-ssl-redirect']).toBe('true');
        }
        const main = await cluster.getJson(['ingress', '-n', 'backstage', wanted[0].metadata.name]);
        expect(main.metadata.annotations['nginx.ingress.kubernetes.io/auth-url']).toMatch(
          /^http:\/\/.+\/oauth2\/auth$/,
        );
      });

      it('runs every Deployment Available with its replicas, probes and security contexts', async () => {
        const deployments = await eventually(
          'Deployments Available',
          () => cluster.getJson<{ items: any[] }>(['deployments', '-A']),
          (list) =>
            list.items.length > 0 &&
            list.items.every(
              (d) => condition(d, 'Available') === 'True' && d.status.readyReplicas === d.spec.replicas,
            ),
        );
        const byName = Object.fromEntries(
          deployments.items.map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, d]),
        );
        expect(Object.keys(byName).sort()).toEqual([
          'backstage/backstage',
          'backstage/oauth2-proxy',
          'cert-manager/cert-manager',
          'cert-manager/cert-manager-cainjector',
          'cert-manager/cert-manager-webhook',
          'ingress-nginx/ingress-nginx-controller',
          'reloader/reloader-reloader',
        ]);
        const backstage = byName['backstage/backstage'];
        expect(backstage.spec.replicas).toBe(1);
        expect(backstage.spec.strategy).toEqual({
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
        });
        const container = backstage.spec.template.spec.containers[0];
        expect(container.readinessProbe.httpGet.path).toBe('/.backstage/health/v1/readiness');
        expect(container.livenessProbe.httpGet.path).toBe('/.backstage/health/v1/liveness');
        expect(container.securityContext).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(backstage.spec.template.spec.automountServiceAccountToken).toBe(false);
        const gateway = byName['backstage/oauth2-proxy'];
        expect(gateway.spec.replicas).toBe(1);
        expect(gateway.spec.template.spec.containers[0].securityContext).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
        });
        // Pod Security admission ("restricted", enforced on the namespace) let every pod in.
        const ns = await cluster.getJson(['namespace', 'backstage']);
        expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
        const pods = await cluster.getJson<{ items: any[] }>(['pods', '-n', 'backstage']);
        expect(pods.items.map((p) => p.status.phase).sort()).toEqual(['Running', 'Running', 'Running']);
      });

      it('holds the Services, NetworkPolicies and PodDisruptionBudgets', async () => {
        const stack = readStack(multi.stackDir('dev-portal'));
        for (const [type, kind] of [
          ['kubernetes_service_v1', 'service'],
          ['kubernetes_network_policy_v1', 'networkpolicy'],
          ['kubernetes_pod_disruption_budget_v1', 'poddisruptionbudget'],
        ] as const) {
          for (const resource of Object.values(resolveNames(stack, resourcesOf(stack, type)))) {
            const live = await cluster.getJson([
              kind,
              '-n',
              resource.metadata.namespace,
              resource.metadata.name,
            ]);
            expect(live.metadata.name).toBe(resource.metadata.name);
          }
        }
        const policy = await cluster.getJson(['networkpolicy', '-n', 'backstage', 'backstage']);
        expect(policy.spec.policyTypes).toContain('Ingress');
        expect(JSON.stringify(policy.spec.ingress)).toContain(
          '"kubernetes.io/metadata.name":"ingress-nginx"',
        );
        const pdb = await cluster.getJson(['poddisruptionbudget', '-n', 'backstage', 'backstage']);
        expect(pdb.spec.maxUnavailable).toBe(1);
        const service = await cluster.getJson(['service', '-n', 'ingress-nginx', 'ingress-nginx-controller']);
        expect(service.spec.type).toBe('LoadBalancer');
      });

      it("holds the shared access policy's org and RBAC files, mounted into Backstage", async () => {
        const stack = readStack(multi.stackDir('dev-portal'));
        const configMaps = Object.values(resolveNames(stack, resourcesOf(stack, 'kubernetes_config_map_v1')));
        const synthesized = (suffix: string) =>
          configMaps.find((c) => String(c.metadata.name).endsWith(suffix))!;
        for (const suffix of ['-org', '-rbac-policy']) {
          const wanted = synthesized(suffix);
          const live = await cluster.getJson(['configmap', '-n', 'backstage', wanted.metadata.name]);
          expect(live.data, `ConfigMap ${wanted.metadata.name}`).toEqual(wanted.data);
        }
        const org = await cluster.getJson([
          'configmap',
          '-n',
          'backstage',
          synthesized('-org').metadata.name,
        ]);
        expect(org.data['org.yaml']).toContain('parent: engineering');
        const rbac = await cluster.getJson([
          'configmap',
          '-n',
          'backstage',
          synthesized('-rbac-policy').metadata.name,
        ]);
        expect(rbac.data['rbac-policy.csv']).toContain(
          'g, group:default/engineering, role:default/engineers',
        );
        const backstage = await cluster.getJson(['deployment', '-n', 'backstage', 'backstage']);
        const mounts = backstage.spec.template.spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
        expect(mounts).toEqual(expect.arrayContaining(['/etc/backstage-org', '/etc/backstage-rbac']));
      });

      it('makes Secrets from the TF_VAR_* variables, holding the values passed, and prints none of them', async () => {
        const stack = readStack(multi.stackDir('dev-portal'));
        const held: string[] = [];
        for (const resource of Object.values(
          resolveNames(stack, resourcesOf(stack, 'kubernetes_secret_v1')),
        )) {
          const live = await cluster.getJson([
            'secret',
            '-n',
            resource.metadata.namespace,
            resource.metadata.name,
          ]);
          held.push(...Object.values(decodeSecret(live)));
        }
        expect(held.sort()).toEqual(Object.values(devSecrets).sort());
        const transcript = multi.transcript.join('\n');
        for (const value of Object.values(devSecrets)) {
          expect(transcript.includes(value), 'a secret value appears in the CLI output').toBe(false);
        }
      });

      it("has the ClusterIssuer accepted by cert-manager's CRD schema", async () => {
        const issuers = await cluster.getJson<{ items: any[] }>(['clusterissuers.cert-manager.io']);
        expect(issuers.items.map((i) => i.metadata.name)).toEqual(['letsencrypt-staging']);
        expect(issuers.items[0].spec.acme).toMatchObject({
          server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
          email: 'platform@example.com',
          solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }],
        });
      });

      it('plans no changes right after the apply, for both stacks', async () => {
        await noChanges(multi, 'dev-platform');
        await noChanges(multi, 'dev-portal');
      });
    });

    // An agent beside dev's portal, in a namespace of its own, applied, read back and removed.
    machineAgentSteps({
      cluster: () => cluster,
      agents: () => agents,
      expectSuccess,
      noChanges,
      record,
    });

    // Operators' charts from a Helm repository and an OCI registry that want a login.
    chartMirrorSteps({
      cluster: () => cluster,
      project: (name, app, env) =>
        new CdktfProject({ dir: join(work, name), app, engine, home: join(work, 'home'), env }),
      expectSuccess,
      noChanges,
      home: () => join(work, 'home'),
    });

    describe('one change of each kind, planned as an in-place update that replaces nothing', () => {
      const P = 'dev-portal';
      const backstageDeployment = 'kubernetes_deployment_v1.portal_Backstage_Deployment_663AF5F9';
      const annotationOf = async (name: string, key: string) =>
        (await cluster.getJson(['deployment', '-n', 'backstage', name])).spec.template.metadata.annotations?.[
          key
        ] as string | undefined;
      /** Synthesizes the variant, plans `stack`, checks the plan is exactly `expected`, deploys. */
      const change = async (
        variantChanges: string,
        stack: string,
        expected: unknown[],
        label = variantChanges.split(',').pop()!,
      ) => {
        variant.setEnv('E2E_VARIANT', variantChanges);
        await variant.synth();
        const plan = await variant.plan(stack);
        record(variant, stack, `plan (${label})`, plan.seconds);
        expect(summary(plan.changes)).toEqual([...expected].sort());
        const applied = await variant.deploy([stack], { platformDeployed: true });
        expectSuccess(applied, `deploy of ${stack} with ${variantChanges}`);
        record(variant, stack, `apply (${label})`, applied.seconds);
      };

      it('an Ingress annotation: the allow-list of each Ingress', async () => {
        await change('annotation', P, [
          'update kubernetes_ingress_v1.portal_Ingress_1CB7A51A',
          'update kubernetes_ingress_v1.portal_Ingress_ApiIngress_7AD96B69',
          'update kubernetes_ingress_v1.portal_Ingress_SignInIngress_5D478764',
        ]);
        const live = await cluster.getJson(['ingress', '-n', 'backstage', 'backstage']);
        expect(live.metadata.annotations['nginx.ingress.kubernetes.io/whitelist-source-range']).toBe(
          '10.0.0.0/8,192.168.0.0/16',
        );
      });

      it('Backstage replicas: the Deployment only, and both pods come up', async () => {
        await change('annotation,replicas', P, [`update ${backstageDeployment}`]);
        await eventually(
          'two Backstage pods Ready',
          () => cluster.getJson(['deployment', '-n', 'backstage', 'backstage']),
          (d) => d.spec.replicas === 2 && d.status.readyReplicas === 2,
        );
      });

      it('a chart value: the ingress-nginx release, upgraded in place, and the key in the controller ConfigMap', async () => {
        await change('annotation,replicas,chartValue', 'dev-platform', [
          'update helm_release.IngressNginx_Release_68C4D404',
        ]);
        const cm = await cluster.getJson(['configmap', '-n', 'ingress-nginx', 'ingress-nginx-controller']);
        expect(cm.data['keep-alive']).toBe('30');
        const releases = (await helmReleases(cluster)).filter((r) => r.name === 'ingress-nginx');
        expect(releases.map((r) => [r.version, r.status])).toEqual([
          [1, 'superseded'],
          [2, 'deployed'],
        ]);
      });

      it('an app-config value: the ConfigMap and the Deployment, whose checksum/config changes so the pods roll', async () => {
        const before = await annotationOf('backstage', 'checksum/config');
        await change('annotation,replicas,chartValue,appConfig', P, [
          'update kubernetes_config_map_v1.portal_Backstage_AppConfig_6C010746',
          `update ${backstageDeployment}`,
        ]);
        const after = await annotationOf('backstage', 'checksum/config');
        expect(after).toMatch(/^[0-9a-f]{16,}$/);
        expect(after).not.toBe(before);
        const config = await cluster.getJson(['configmap', '-n', 'backstage', 'backstage-app-config']);
        expect(config.data['app-config.portal.yaml']).toContain('title: Backstage (dev, changed)');
      });

      it('a rotated secret variable: the Secret and the gateway Deployment, whose checksum/secrets changes', async () => {
        const before = await annotationOf('oauth2-proxy', 'checksum/secrets');
        variant.setEnv('TF_VAR_dev_oidc_client_secret', rotated);
        await change(
          'annotation,replicas,chartValue,appConfig',
          P,
          [
            'update kubernetes_deployment_v1.portal_Gateway_Deployment_7BB61A20',
            'update kubernetes_secret_v1.portal_Gateway_Secret-dev-oidc-client-secret_1B21B6F1',
          ],
          'rotated secret',
        );
        expect(await annotationOf('oauth2-proxy', 'checksum/secrets')).not.toBe(before);
        const secret = await cluster.getJson(['secret', '-n', 'backstage', 'dev-oidc-client-secret']);
        expect(decodeSecret(secret)).toEqual({ value: rotated });
        expect(variant.transcript.join('\n').includes(rotated)).toBe(false);
        multi.setEnv('TF_VAR_dev_oidc_client_secret', rotated);
      });

      it('Backstage autoscaling: the HorizontalPodAutoscaler is created, and the replica count is left to it', async () => {
        await change('annotation,replicas,chartValue,appConfig,autoscaling', P, [
          expect.stringMatching(
            /^create kubernetes_horizontal_pod_autoscaler_v2\.portal_Backstage_Autoscaler_[0-9A-F]{8}$/,
          ),
        ]);
        const hpa = await cluster.getJson([
          'horizontalpodautoscaler.autoscaling',
          '-n',
          'backstage',
          'backstage',
        ]);
        expect(hpa.apiVersion).toBe('autoscaling/v2');
        expect(hpa.spec).toMatchObject({
          minReplicas: 2,
          maxReplicas: 4,
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'backstage' },
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } },
            },
          ],
        });
        await noChanges(variant, P);
      });

      it("metrics scraping: the Services and NetworkPolicies gain the metrics ports in place, and the ServiceMonitors are accepted by the operator's CRD", async () => {
        const crds = process.env.PROMETHEUS_OPERATOR_CRDS;
        if (!crds)
          throw new Error(
            'PROMETHEUS_OPERATOR_CRDS is not set: source the env.sh that build-tools.sh writes',
          );
        // As a platform team's Prometheus Operator would have installed it (server-side: it is
        // larger than client-side apply's last-applied annotation allows).
        await cluster.kubectl([
          'apply',
          '--server-side',
          '-f',
          join(crds, 'monitoring.coreos.com_servicemonitors.yaml'),
        ]);
        await eventually(
          'the ServiceMonitor CRD established',
          () => cluster.getJson(['crd', 'servicemonitors.monitoring.coreos.com']),
          established,
        );
        await change('annotation,replicas,chartValue,appConfig,autoscaling,metrics', P, [
          `update ${backstageDeployment}`,
          'update kubernetes_deployment_v1.portal_Gateway_Deployment_7BB61A20',
          'update kubernetes_service_v1.portal_Backstage_Service_6C4460A4',
          'update kubernetes_service_v1.portal_Gateway_Service_2683326B',
          'update kubernetes_network_policy_v1.portal_Backstage_NetworkPolicy_DBE1B08D',
          'update kubernetes_network_policy_v1.portal_Gateway_NetworkPolicy_F71C0D87',
          'create kubernetes_manifest.portal_Backstage_ServiceMonitor_72AF3920',
          'create kubernetes_manifest.portal_Gateway_ServiceMonitor_EA21D677',
        ]);
        const scraper = {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
        };
        const monitors = await cluster.getJson<{ items: any[] }>([
          'servicemonitors.monitoring.coreos.com',
          '-n',
          'backstage',
        ]);
        expect(monitors.items.map((m) => m.metadata.name).sort()).toEqual(['backstage', 'oauth2-proxy']);
        for (const [name, port] of [
          ['backstage', 9464],
          ['oauth2-proxy', 44180],
        ] as const) {
          const monitor = monitors.items.find((m) => m.metadata.name === name);
          expect(monitor.metadata.labels.release, name).toBe('e2e-prometheus');
          expect(monitor.spec.endpoints, name).toEqual([
            { port: 'metrics', path: '/metrics', scheme: 'http', interval: '20s' },
          ]);
          // Its selector picks its own workload's Service, and that Service alone.
          const selector = Object.entries(monitor.spec.selector.matchLabels as Record<string, string>)
            .map(([k, v]) => `${k}=${v}`)
            .join(',');
          const services = await cluster.getJson<{ items: any[] }>([
            'service',
            '-n',
            'backstage',
            '-l',
            selector,
          ]);
          expect(
            services.items.map((svc) => svc.metadata.name),
            name,
          ).toEqual([name]);
          expect(
            services.items[0].spec.ports.find((p: any) => p.name === 'metrics'),
            name,
          ).toEqual({
            name: 'metrics',
            port,
            targetPort: 'metrics',
            protocol: 'TCP',
          });
          // The scraper is admitted on the metrics port alone; the traffic port keeps its one peer.
          const policy = await cluster.getJson(['networkpolicy', '-n', 'backstage', name]);
          expect(policy.spec.ingress, name).toHaveLength(2);
          expect(policy.spec.ingress[1], name).toEqual({
            from: [scraper],
            ports: [{ port, protocol: 'TCP' }],
          });
          expect(JSON.stringify(policy.spec.ingress[0].from), name).not.toContain('monitoring');
          const template = (await cluster.getJson(['deployment', '-n', 'backstage', name])).spec.template;
          expect(template.metadata.annotations, name).toMatchObject({
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(port),
            'prometheus.io/path': '/metrics',
          });
          expect(template.spec.containers[0].ports, name).toContainEqual({
            name: 'metrics',
            containerPort: port,
            protocol: 'TCP',
          });
        }
        await noChanges(variant, P);
      });

      it("metrics scraping, platform: the operators' charts render their ServiceMonitors with the environment's labels, interval and a timeout within it", async () => {
        await change('annotation,replicas,chartValue,appConfig,autoscaling,metrics', 'dev-platform', [
          'update helm_release.CertManager_Release_9AF6ABF4',
          'update helm_release.IngressNginx_Release_68C4D404',
        ]);
        // [namespace, the scrape timeout its chart writes]: cert-manager's 30s default is cut to the
        // interval; ingress-nginx's chart writes none (Prometheus' 10s is within it).
        for (const [namespace, timeout] of [
          ['ingress-nginx', undefined],
          ['cert-manager', '20s'],
        ] as const) {
          const monitors = await cluster.getJson<{ items: any[] }>([
            'servicemonitors.monitoring.coreos.com',
            '-n',
            namespace,
          ]);
          expect(monitors.items, namespace).toHaveLength(1);
          const [monitor] = monitors.items;
          expect(monitor.metadata.labels.release, namespace).toBe('e2e-prometheus');
          expect(
            monitor.spec.endpoints.map((e: any) => [e.interval, e.scrapeTimeout]),
            namespace,
          ).toEqual([['20s', timeout]]);
        }
        await noChanges(variant, 'dev-platform');
      });

      it('refuses a cookie secret oauth2-proxy would crash on, at plan time, without printing it', async () => {
        const bad = `${sentinel(4)}+/x`;
        variant.setEnv('TF_VAR_dev_cookie_secret', bad);
        const result = await variant.tryPlan(P);
        variant.setEnv('TF_VAR_dev_cookie_secret', devSecrets.dev_cookie_secret);
        expect(result.code).not.toBe(0);
        expect(result.output.replace(/\s+/g, ' ')).toContain(
          'The oauth2-proxy cookie secret in variable dev_cookie_secret must be 16, 24 or 32 bytes',
        );
        expect(result.output.includes(bad)).toBe(false);
      });
    });

    describe('faults', () => {
      it('brings back an object deleted by hand at the next apply', async () => {
        await cluster.kubectl(['delete', 'service', '-n', 'backstage', 'backstage']);
        await cluster.kubectl(['delete', 'networkpolicy', '-n', 'backstage', 'backstage']);
        const plan = await variant.plan('dev-portal');
        expect(summary(plan.changes)).toEqual([
          'create kubernetes_network_policy_v1.portal_Backstage_NetworkPolicy_DBE1B08D',
          'create kubernetes_service_v1.portal_Backstage_Service_6C4460A4',
        ]);
        expectSuccess(await variant.deploy(['dev-portal'], { platformDeployed: true }), 're-apply');
        await cluster.getJson(['service', '-n', 'backstage', 'backstage']);
        await cluster.getJson(['networkpolicy', '-n', 'backstage', 'backstage']);
      });

      it('reports a chart hook that fails, and recovers on the next apply', async () => {
        // The chart's pre-upgrade hook (the admission-secret Job) is refused by a quota.
        await cluster.kubectl([
          'create',
          'quota',
          'no-jobs',
          '-n',
          'ingress-nginx',
          '--hard=count/jobs.batch=0',
        ]);
        try {
          // Only the chart value goes (the ConfigMap key). Not metrics: an upgrade that also drops a
          // manifest (the charts' ServiceMonitors) and fails in a pre-upgrade hook cannot be rolled
          // back by Helm (helm/helm#13437: "no ServiceMonitor with the name ... found").
          variant.setEnv('E2E_VARIANT', 'annotation,replicas,appConfig,autoscaling,metrics');
          await variant.synth();
          const failed = await variant.deploy(['dev-platform']);
          expect(failed.code).not.toBe(0);
          const message = failed.output.replace(/\s+/g, ' ');
          expect(message).toContain('pre-upgrade hooks failed');
          expect(message).toContain(
            'jobs.batch "ingress-nginx-admission-create" is forbidden: exceeded quota: no-jobs',
          );
          expect(message).toContain('has been rolled back due to atomic being set');
        } finally {
          // Whatever happened above, the tests after this one need Jobs again.
          await cluster.kubectl(['delete', 'quota', 'no-jobs', '-n', 'ingress-nginx']);
        }
        const recovered = await variant.deploy(['dev-platform']);
        expectSuccess(recovered, 're-apply after the hook failure');
        const cm = await cluster.getJson(['configmap', '-n', 'ingress-nginx', 'ingress-nginx-controller']);
        expect(cm.data).not.toHaveProperty('keep-alive');
        const latest = (await helmReleases(cluster)).filter((r) => r.name === 'ingress-nginx').pop()!;
        expect(latest.status).toBe('deployed');
        await noChanges(variant, 'dev-platform');
      });

      it('converges after the API server is killed in the middle of an apply and restarted', async () => {
        // Back to the example as written: the portal stack's changes are undone in one apply.
        let killed: Promise<void> | undefined;
        const run = multi.deploy(['dev-portal'], {
          platformDeployed: true,
          onOutput: (text) => {
            if (!killed && /Modifying\.\.\./.test(text)) {
              killed = (async () => {
                await cluster.stop('kube-apiserver');
                await new Promise((r) => setTimeout(r, 5000));
                await cluster.start('kube-apiserver');
              })();
            }
          },
        });
        const interrupted = await run;
        expect(killed, 'the apply never reached a modification').toBeDefined();
        await killed;
        const again = await multi.deploy(['dev-portal'], { platformDeployed: true });
        expectSuccess(
          again,
          `re-apply after the API server restart (the interrupted one exited ${interrupted.code})`,
        );
        await noChanges(multi, 'dev-portal');
        // Nothing lost or duplicated: exactly the synthesized objects, once each.
        const stack = readStack(multi.stackDir('dev-portal'));
        for (const [type, kind] of [
          ['kubernetes_deployment_v1', 'deployments'],
          ['kubernetes_ingress_v1', 'ingresses'],
          ['kubernetes_secret_v1', 'secrets'],
          ['kubernetes_config_map_v1', 'configmaps'],
        ] as const) {
          const live = await cluster.getJson<{ items: any[] }>([
            kind,
            '-n',
            'backstage',
            '-l',
            'app.kubernetes.io/managed-by',
          ]);
          const wanted = Object.values(resolveNames(stack, resourcesOf(stack, type))).map(
            (r) => r.metadata.name,
          );
          expect(
            live.items
              .map((i) => i.metadata.name)
              .filter((n) => wanted.includes(n))
              .sort(),
            kind,
          ).toEqual(wanted.sort());
        }
        const pods = await eventually(
          'Backstage back to one Ready pod',
          () => cluster.getJson(['deployment', '-n', 'backstage', 'backstage']),
          (d) => d.spec.replicas === 1 && d.status.readyReplicas === 1 && d.status.replicas === 1,
        );
        expect(pods.spec.replicas).toBe(1);
      });
    });

    describe('secrets from a secret manager', () => {
      it('installs External Secrets; its ClusterSecretStore and ExternalSecret are accepted by the real CRD schemas', async () => {
        // With metrics still on, so the External Secrets chart renders its ServiceMonitors too.
        variant.setEnv('E2E_VARIANT', 'externalSecrets,metrics');
        await variant.synth();
        expectSuccess(await variant.deploy(['dev-platform']), 'deploy of dev-platform with External Secrets');
        // Its three (controller, webhook, cert controller), its 25s timeout cut to the 20s interval.
        const esoMonitors = await cluster.getJson<{ items: any[] }>([
          'servicemonitors.monitoring.coreos.com',
          '-n',
          'external-secrets',
        ]);
        expect(
          esoMonitors.items
            .map((m) => [
              m.metadata.name,
              m.metadata.labels.release,
              m.spec.endpoints.map((e: any) => [e.interval, e.scrapeTimeout]),
            ])
            .sort(),
        ).toEqual([
          ['external-secrets-cert-controller-metrics', 'e2e-prometheus', [['20s', '20s']]],
          ['external-secrets-metrics', 'e2e-prometheus', [['20s', '20s']]],
          ['external-secrets-webhook-metrics', 'e2e-prometheus', [['20s', '20s']]],
        ]);
        expectSuccess(
          await variant.deploy(['dev-portal'], { platformDeployed: true }),
          'deploy of dev-portal with an ExternalSecret',
        );
        const releases = (await helmReleases(cluster))
          .filter((r) => r.status === 'deployed')
          .map((r) => `${r.namespace}/${r.name}`);
        expect(releases).toContain('external-secrets/external-secrets');
        const stores = await cluster.getJson<{ items: any[] }>(['clustersecretstores.external-secrets.io']);
        expect(stores.items.map((s) => [s.apiVersion, s.spec.provider.vault.server])).toEqual([
          ['external-secrets.io/v1', 'https://vault.example.com'],
        ]);
        const externals = await cluster.getJson<{ items: any[] }>([
          'externalsecrets.external-secrets.io',
          '-n',
          'backstage',
        ]);
        expect(externals.items).toHaveLength(1);
        expect(externals.items[0]).toMatchObject({
          apiVersion: 'external-secrets.io/v1',
          spec: {
            secretStoreRef: { kind: 'ClusterSecretStore', name: stores.items[0].metadata.name },
            data: [{ remoteRef: { key: 'backstage/dev/database', property: 'password' } }],
          },
        });
        // The schema is enforced for real: the same object with a refresh policy it does not list is refused.
        const bad = {
          ...externals.items[0],
          metadata: { name: 'e2e-bad', namespace: 'backstage' },
          spec: { ...externals.items[0].spec, refreshPolicy: 'Sometimes' },
        };
        await expect(
          cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(bad)),
        ).rejects.toThrow(/spec\.refreshPolicy: Unsupported value: "Sometimes"/);
        await noChanges(variant, 'dev-portal');
      });

      // The same operator, now with its controller running for real, reading a namespace.
      namespaceSecretSteps({ cluster: () => cluster, variant: () => variant, expectSuccess, noChanges });

      it('goes back to variables: the portal first, then the platform, which uninstalls External Secrets', async () => {
        expectSuccess(
          await multi.deploy(['dev-portal'], { platformDeployed: true }),
          'deploy of dev-portal back to variables',
        );
        expectSuccess(
          await multi.deploy(['dev-platform']),
          'deploy of dev-platform without External Secrets',
        );
        expect((await helmReleases(cluster)).map((r) => r.name)).not.toContain('external-secrets');
        await eventually(
          'namespace external-secrets gone',
          () => cluster.getJson<{ items: any[] }>(['namespaces']),
          (l) => !l.items.some((n) => n.metadata.name === 'external-secrets'),
        );
        await noChanges(multi, 'dev-platform');
        await noChanges(multi, 'dev-portal');
      });
    });

    // dev switched to the Gateway API and back (gateway-api.ts): the platform and the portal
    // are the example as written again when the root example's steps begin.
    gatewayApiSteps({
      cluster: () => cluster,
      multi: () => multi,
      variant: () => variant,
      expectSuccess,
      noChanges,
      record,
    });

    describe('the root example, then destroy', () => {
      it('destroys dev-portal: its namespace and ClusterIssuer go, the platform stays', async () => {
        const result = await multi.destroy(['dev-portal']);
        expectSuccess(result, 'cdktf destroy dev-portal');
        record(multi, 'dev-portal', 'destroy', result.seconds);
        await eventually(
          'namespace backstage gone',
          () => cluster.getJson<{ items: any[] }>(['namespaces']),
          (l) => !l.items.some((n) => n.metadata.name === 'backstage'),
        );
        expect((await cluster.getJson<{ items: any[] }>(['clusterissuers.cert-manager.io'])).items).toEqual(
          [],
        );
      });

      it("deploys the root example's portal-dev on that platform, reads it back and plans no changes", async () => {
        await portal.synth();
        record(portal, 'portal-dev', 'plan', (await portal.plan('portal-dev')).seconds);
        const result = await portal.deploy(['portal-dev']);
        expectSuccess(result, 'cdktf deploy portal-dev');
        record(portal, 'portal-dev', 'deploy', result.seconds);
        const stack = readStack(portal.stackDir('portal-dev'));
        for (const ingress of Object.values(
          resolveNames(stack, resourcesOf(stack, 'kubernetes_ingress_v1')),
        )) {
          const live = await cluster.getJson([
            'ingress',
            '-n',
            ingress.metadata.namespace,
            ingress.metadata.name,
          ]);
          expect(live.metadata.annotations).toEqual(ingress.metadata.annotations);
          expect(live.metadata.annotations['nginx.ingress.kubernetes.io/whitelist-source-range']).toBe(
            '203.0.113.0/24',
          );
        }
        const held: string[] = [];
        for (const secret of Object.values(resolveNames(stack, resourcesOf(stack, 'kubernetes_secret_v1')))) {
          held.push(
            ...Object.values(
              decodeSecret(
                await cluster.getJson(['secret', '-n', secret.metadata.namespace, secret.metadata.name]),
              ),
            ),
          );
        }
        expect(held.sort()).toEqual(Object.values(portalSecrets).sort());
        await eventually(
          'portal-dev Deployments Available',
          () => cluster.getJson<{ items: any[] }>(['deployments', '-n', 'backstage']),
          (l) => l.items.length === 2 && l.items.every((d) => condition(d, 'Available') === 'True'),
        );
        const postgres = await cluster.getJson(['statefulset', '-n', 'backstage', 'backstage-postgres']);
        expect(postgres.status.readyReplicas).toBe(1);
        expect(
          (await cluster.getJson(['pvc', '-n', 'backstage'])).items[0].spec.resources.requests.storage,
        ).toBe('5Gi');
        await noChanges(portal, 'portal-dev');
        expect(portal.transcript.join('\n')).not.toMatch(new RegExp(Object.values(portalSecrets).join('|')));
      });

      it('destroys portal-dev', async () => {
        const result = await portal.destroy(['portal-dev']);
        expectSuccess(result, 'cdktf destroy portal-dev');
        record(portal, 'portal-dev', 'destroy', result.seconds);
        await eventually(
          'namespace backstage gone',
          () => cluster.getJson<{ items: any[] }>(['namespaces']),
          (l) => !l.items.some((n) => n.metadata.name === 'backstage'),
        );
      });

      it('destroys dev-platform and leaves none of our objects: no releases, namespaces, cluster-scoped objects or custom resources', async () => {
        const result = await multi.destroy(['dev-platform']);
        expectSuccess(result, 'cdktf destroy dev-platform');
        record(multi, 'dev-platform', 'destroy', result.seconds);
        expect(await helmReleases(cluster)).toEqual([]);
        const ours = ['backstage', 'ingress-nginx', 'cert-manager', 'reloader'];
        await eventually(
          'our namespaces gone',
          () => cluster.getJson<{ items: any[] }>(['namespaces']),
          (l) => !l.items.some((n) => ours.includes(n.metadata.name)),
        );
        // The ServiceMonitor CRD is the platform team's (the suite installed it as their Prometheus
        // Operator would): it stays, and none of our ServiceMonitors is left in it.
        const crds = await cluster.getJson<{ items: any[] }>(['crd']);
        expect(crds.items.map((c) => c.metadata.name)).toEqual(['servicemonitors.monitoring.coreos.com']);
        expect(
          (await cluster.getJson<{ items: any[] }>(['servicemonitors.monitoring.coreos.com', '-A'])).items,
        ).toEqual([]);
        for (const kind of [
          'clusterroles',
          'clusterrolebindings',
          'ingressclasses',
          'validatingwebhookconfigurations',
          'mutatingwebhookconfigurations',
        ]) {
          const left = (await cluster.getJson<{ items: any[] }>([kind])).items
            .map((i) => i.metadata)
            .filter((m) =>
              /ingress-nginx|cert-manager|reloader|backstage|oauth2-proxy/.test(
                `${m.name} ${JSON.stringify(m.labels ?? {})}`,
              ),
            );
          expect(
            left.map((m) => m.name),
            kind,
          ).toEqual([]);
        }
        // The only volumes were the in-cluster databases'; they go with their claims.
        await eventually(
          'volumes released and deleted',
          () => cluster.getJson<{ items: any[] }>(['persistentvolumes']),
          (l) => l.items.length === 0,
        );
      });
    });
  });
}
