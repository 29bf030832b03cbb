import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';

import { Backstage, BackstageDatabase, BackstageProps, PropsValidationError, SecretRef } from '../../lib';
import {
  type ExpectedProblem,
  expectProblems,
  problemsOf,
  resourceAt,
  resourcesOf,
  synth,
  variableSecret,
} from '../helpers';

const IMAGE = 'registry.example.com/platform/backstage:1.4.2';

/** Minimal valid Backstage props (in-cluster-free: an existing Secret holds the DB password). */
function props(overrides: Partial<BackstageProps> = {}): BackstageProps {
  return {
    namespace: 'backstage',
    host: 'backstage.example.com',
    image: IMAGE,
    database: BackstageDatabase.external({
      host: 'db.example.com',
      user: 'backstage',
      password: SecretRef.fromSecret('backstage-db', 'password'),
    }),
    ...overrides,
  };
}

function synthBackstage(
  overrides: Partial<BackstageProps> | ((stack: TerraformStack) => Partial<BackstageProps>) = {},
) {
  return synth(
    (stack) =>
      new Backstage(stack, 'bs', props(typeof overrides === 'function' ? overrides(stack) : overrides)),
  );
}

const deploymentOf = (json: ReturnType<typeof synth>) =>
  resourceAt(json, 'kubernetes_deployment_v1', 'bs/Deployment');
const containerOf = (json: ReturnType<typeof synth>) => deploymentOf(json).spec.template.spec.container[0];
const envOf = (json: ReturnType<typeof synth>): any[] => containerOf(json).env;

/** Asserts the validation problems the constructor refuses `overrides` with. */
function backstageProblems(
  overrides: Partial<BackstageProps> | ((stack: TerraformStack) => Partial<BackstageProps>),
  expected: readonly ExpectedProblem[],
) {
  return expectProblems(() => synthBackstage(overrides), expected);
}

/** The problems as "path: message" pairs, for tests that look for some of several problems. */
const problemLines = (overrides: Partial<BackstageProps>) =>
  problemsOf(() => synthBackstage(overrides)).map((p) => ({ path: p.path, message: p.message }));

describe('Backstage', () => {
  describe('Deployment', () => {
    it('runs the given image with the image config files and the generated one', () => {
      const container = containerOf(synthBackstage());
      expect(container.name).toBe('backstage');
      expect(container.image).toBe(IMAGE);
      expect(container.args).toEqual([
        'node',
        'packages/backend',
        '--config',
        'app-config.yaml',
        '--config',
        'app-config.production.yaml',
        '--config',
        '/etc/backstage/app-config.portal.yaml',
      ]);
      expect(container.port).toEqual([{ name: 'http', container_port: 7007, protocol: 'TCP' }]);
    });

    it('loads custom base config files before the generated one', () => {
      const container = containerOf(
        synthBackstage({ baseConfigFiles: ['app-config.yaml', 'app-config.k8s.yaml'] }),
      );
      expect(container.args).toEqual([
        'node',
        'packages/backend',
        '--config',
        'app-config.yaml',
        '--config',
        'app-config.k8s.yaml',
        '--config',
        '/etc/backstage/app-config.portal.yaml',
      ]);
    });

    it('mounts the app-config ConfigMap read-only at /etc/backstage', () => {
      const json = synthBackstage();
      const configMap = resourceAt(json, 'kubernetes_config_map_v1', 'bs/AppConfig');
      expect(configMap.metadata.name).toBe('backstage-app-config');
      expect(Object.keys(configMap.data)).toEqual(['app-config.portal.yaml']);
      const spec = deploymentOf(json).spec.template.spec;
      expect(spec.volume).toContainEqual({
        name: 'app-config',
        config_map: { name: expect.stringContaining('kubernetes_config_map_v1.') },
      });
      expect(spec.container[0].volume_mount).toContainEqual({
        name: 'app-config',
        mount_path: '/etc/backstage',
        read_only: true,
      });
    });

    it('runs 2 replicas by default and the given count otherwise', () => {
      expect(deploymentOf(synthBackstage()).spec.replicas).toBe('2');
      expect(deploymentOf(synthBackstage({ replicas: 3 })).spec.replicas).toBe('3');
    });

    it('rolls one pod at a time (maxSurge 0) so two new pods never migrate the database at once', () => {
      expect(deploymentOf(synthBackstage()).spec.strategy).toEqual({
        type: 'RollingUpdate',
        rolling_update: { max_surge: '0', max_unavailable: '1' },
      });
    });

    it('recreates all pods when rollout is "recreate"', () => {
      expect(deploymentOf(synthBackstage({ rollout: 'recreate' })).spec.strategy).toEqual({
        type: 'Recreate',
      });
    });

    it('probes the Backstage health endpoints on the http port', () => {
      const container = containerOf(synthBackstage());
      expect(container.readiness_probe.http_get).toEqual({
        path: '/.backstage/health/v1/readiness',
        port: 'http',
      });
      expect(container.liveness_probe.http_get).toEqual({
        path: '/.backstage/health/v1/liveness',
        port: 'http',
      });
      expect(container.startup_probe.http_get).toEqual({
        path: '/.backstage/health/v1/liveness',
        port: 'http',
      });
      // Migrations at start can take minutes: the startup probe allows 30 x 10 s.
      expect(container.startup_probe.failure_threshold * container.startup_probe.period_seconds).toBe(300);
    });

    it('runs as the non-root node user (uid 1000) with a read-only root filesystem and no capabilities', () => {
      const spec = deploymentOf(synthBackstage()).spec.template.spec;
      expect(spec.security_context).toEqual({
        run_as_non_root: true,
        run_as_user: '1000',
        run_as_group: '1000',
        fs_group: '1000',
        seccomp_profile: { type: 'RuntimeDefault' },
      });
      expect(spec.container[0].security_context).toEqual({
        run_as_non_root: true,
        run_as_user: '1000',
        allow_privilege_escalation: false,
        read_only_root_filesystem: true,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccomp_profile: { type: 'RuntimeDefault' },
      });
    });

    it('gives the read-only container a writable /tmp on an emptyDir', () => {
      const spec = deploymentOf(synthBackstage()).spec.template.spec;
      expect(spec.volume).toContainEqual({ name: 'tmp', empty_dir: { size_limit: '1Gi' } });
      expect(spec.container[0].volume_mount).toContainEqual({ name: 'tmp', mount_path: '/tmp' });
    });

    it('mounts no service-account token by default, on the pod and on the ServiceAccount', () => {
      const json = synthBackstage();
      expect(deploymentOf(json).spec.template.spec.automount_service_account_token).toBe(false);
      const sa = resourceAt(json, 'kubernetes_service_account_v1', 'bs/ServiceAccount');
      expect(sa.automount_service_account_token).toBe(false);
      expect(sa.metadata.name).toBe('backstage');
      expect(deploymentOf(json).spec.template.spec.service_account_name).toContain(
        'kubernetes_service_account_v1.',
      );
    });

    it('mounts the token when a plugin needs the Kubernetes API', () => {
      const json = synthBackstage({ mountServiceAccountToken: true });
      expect(deploymentOf(json).spec.template.spec.automount_service_account_token).toBe(true);
      expect(
        resourceAt(json, 'kubernetes_service_account_v1', 'bs/ServiceAccount')
          .automount_service_account_token,
      ).toBe(true);
    });

    it("raises Node's maximum header size for large ID-token headers", () => {
      expect(envOf(synthBackstage())).toContainEqual({
        name: 'NODE_OPTIONS',
        value: '--max-http-header-size=65536',
      });
      expect(envOf(synthBackstage({ maxHeaderSize: 131072 }))).toContainEqual({
        name: 'NODE_OPTIONS',
        value: '--max-http-header-size=131072',
      });
    });

    it('passes plain env as values and secretEnv only as secretKeyRefs', () => {
      const env = envOf(
        synthBackstage({
          env: { LOG_LEVEL: 'info' },
          secretEnv: { GITHUB_TOKEN: SecretRef.fromSecret('github-app', 'token') },
        }),
      );
      expect(env).toContainEqual({ name: 'LOG_LEVEL', value: 'info' });
      const github = env.find((e) => e.name === 'GITHUB_TOKEN');
      expect(github).toEqual({
        name: 'GITHUB_TOKEN',
        value_from: { secret_key_ref: { name: 'github-app', key: 'token' } },
      });
      expect(github).not.toHaveProperty('value');
    });
  });

  describe('Service, PodDisruptionBudget and autoscaling', () => {
    it('exposes port 7007 on a ClusterIP Service selecting the Backstage pods', () => {
      const json = synthBackstage();
      const service = resourceAt(json, 'kubernetes_service_v1', 'bs/Service');
      expect(service.metadata).toMatchObject({ name: 'backstage', namespace: 'backstage' });
      expect(service.spec.type).toBe('ClusterIP');
      expect(service.spec.port).toEqual([{ name: 'http', port: 7007, target_port: 'http', protocol: 'TCP' }]);
      expect(service.spec.selector).toEqual(deploymentOf(json).spec.selector.match_labels);
    });

    it('allows one pod to be disrupted at a time', () => {
      const pdb = resourceAt(synthBackstage(), 'kubernetes_pod_disruption_budget_v1', 'bs/Pdb');
      expect(pdb.spec.max_unavailable).toBe('1');
      expect(pdb.spec.selector.match_labels).toEqual({
        'app.kubernetes.io/name': 'backstage',
        'app.kubernetes.io/instance': 'backstage',
      });
    });

    it('creates no autoscaler and manages replicas itself without autoscaling', () => {
      const json = synthBackstage();
      expect(resourcesOf(json, 'kubernetes_horizontal_pod_autoscaler_v2')).toEqual({});
      // Only Reloader's stamp is ignored (the database password is an existing Secret).
      expect(deploymentOf(json).lifecycle.ignore_changes).not.toContain('spec[0].replicas');
    });

    it('scales on CPU with an HPA v2 and leaves the replica count to it', () => {
      const json = synthBackstage({
        autoscaling: { minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 60 },
      });
      const hpa = resourceAt(json, 'kubernetes_horizontal_pod_autoscaler_v2', 'bs/Autoscaler');
      expect(hpa.spec.min_replicas).toBe(2);
      expect(hpa.spec.max_replicas).toBe(6);
      expect(hpa.spec.scale_target_ref).toEqual({
        api_version: 'apps/v1',
        kind: 'Deployment',
        name: 'backstage',
      });
      expect(hpa.spec.metric).toEqual([
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', average_utilization: 60 } },
        },
      ]);
      const deployment = deploymentOf(json);
      expect(deployment.spec.replicas).toBe('2');
      expect(deployment.lifecycle).toEqual({
        ignore_changes: [
          'spec[0].replicas',
          'spec[0].template[0].metadata[0].annotations["reloader.stakater.com/last-reloaded-from"]',
        ],
      });
    });

    it('targets 75 % CPU by default', () => {
      const hpa = resourceAt(
        synthBackstage({ autoscaling: { minReplicas: 2, maxReplicas: 4 } }),
        'kubernetes_horizontal_pod_autoscaler_v2',
        'bs/Autoscaler',
      );
      expect(hpa.spec.metric[0].resource.target).toEqual({ type: 'Utilization', average_utilization: 75 });
    });
  });

  describe('NetworkPolicy', () => {
    it('admits only the ingress-nginx controller, on port 7007', () => {
      const policy = resourceAt(synthBackstage(), 'kubernetes_network_policy_v1', 'bs/NetworkPolicy');
      expect(policy.spec.pod_selector.match_labels).toEqual({
        'app.kubernetes.io/name': 'backstage',
        'app.kubernetes.io/instance': 'backstage',
      });
      expect(policy.spec.policy_types).toEqual(['Ingress']);
      expect(policy.spec.ingress).toEqual([
        {
          from: [
            {
              namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
              pod_selector: {
                match_labels: {
                  'app.kubernetes.io/name': 'ingress-nginx',
                  'app.kubernetes.io/component': 'controller',
                },
              },
            },
          ],
          ports: [{ port: '7007', protocol: 'TCP' }],
        },
      ]);
    });

    it('admits a custom ingress controller and the allowed peers, nothing else', () => {
      const policy = resourceAt(
        synthBackstage({
          ingressController: {
            namespaceLabels: { 'kubernetes.io/metadata.name': 'nginx' },
            podLabels: { app: 'nginx-ingress' },
          },
          allowedPeers: [{ namespaceLabels: { 'kubernetes.io/metadata.name': 'ci' } }],
        }),
        'kubernetes_network_policy_v1',
        'bs/NetworkPolicy',
      );
      expect(policy.spec.ingress).toHaveLength(1);
      expect(policy.spec.ingress[0].from).toEqual([
        {
          namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'nginx' } },
          pod_selector: { match_labels: { app: 'nginx-ingress' } },
        },
        { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'ci' } } },
      ]);
      expect(policy.spec.ingress[0].ports).toEqual([{ port: '7007', protocol: 'TCP' }]);
    });
  });

  describe('restarts on change', () => {
    const checksumOf = (json: ReturnType<typeof synth>) =>
      deploymentOf(json).spec.template.metadata.annotations['checksum/config'];

    it('annotates the pods with a checksum of the app-config that is stable across synths', () => {
      const first = checksumOf(synthBackstage());
      expect(first).toMatch(/^[a-f0-9]{64}$/);
      expect(checksumOf(synthBackstage())).toBe(first);
    });

    it('changes the checksum when the app-config changes', () => {
      const before = checksumOf(synthBackstage({ appConfig: { app: { title: 'Portal' } } }));
      const after = checksumOf(synthBackstage({ appConfig: { app: { title: 'Developer Portal' } } }));
      const otherHost = checksumOf(
        synthBackstage({ host: 'portal.example.com', appConfig: { app: { title: 'Portal' } } }),
      );
      expect(after).not.toBe(before);
      expect(otherHost).not.toBe(before);
    });

    it('rolls the pods when a Terraform-managed secret changes, through a salted hash of its value', () => {
      const json = synthBackstage((stack) => ({
        secretEnv: { GITHUB_TOKEN: variableSecret(stack, 'github_token') },
      }));
      const [secretId] = Object.keys(resourcesOf(json, 'kubernetes_secret_v1'));
      const annotation = deploymentOf(json).spec.template.metadata.annotations['checksum/secrets'];
      expect(annotation).toBe(
        `\${sha256(join(",", [sha256(join(":", [kubernetes_secret_v1.${secretId}.metadata[0].uid, var.github_token]))]))}`,
      );
      expect(deploymentOf(json).depends_on).toContain(`kubernetes_secret_v1.${secretId}`);
    });

    it('adds no secrets checksum when no secret is managed by this stack', () => {
      const annotations = deploymentOf(synthBackstage()).spec.template.metadata.annotations;
      expect(annotations).not.toHaveProperty('checksum/secrets');
    });

    it('asks Reloader to restart the pods when an existing or external secret changes', () => {
      const json = synthBackstage((stack) => ({
        secretEnv: {
          GITHUB_TOKEN: SecretRef.fromExternalSecret({
            store: { name: 'aws', kind: 'ClusterSecretStore' },
            remoteKey: 'prod/github',
          }),
          SENTRY_TOKEN: variableSecret(stack, 'sentry_token'),
        },
      }));
      // The database password is the existing Secret "backstage-db"; the variable is managed here.
      expect(deploymentOf(json).metadata.annotations).toEqual({
        'secret.reloader.stakater.com/reload': 'backstage-db,prod-github',
      });
      // Reloader's restart stamp on the pod template is left to Reloader, or the next apply
      // would remove it and roll the pods a second time.
      expect(deploymentOf(json).lifecycle).toEqual({
        ignore_changes: [
          'spec[0].template[0].metadata[0].annotations["reloader.stakater.com/last-reloaded-from"]',
        ],
      });
    });

    it('adds no Reloader annotation when every secret is managed by this stack', () => {
      const json = synthBackstage((stack) => ({
        database: BackstageDatabase.external({
          host: 'db.example.com',
          user: 'backstage',
          password: variableSecret(stack, 'db_password'),
        }),
      }));
      expect(deploymentOf(json).metadata.annotations).toBeUndefined();
      expect(deploymentOf(json)).not.toHaveProperty('lifecycle');
    });
  });

  describe('validation', () => {
    it('refuses the "latest" tag', () => {
      backstageProblems({ image: 'registry.example.com/backstage:latest' }, [
        {
          where: 'test/bs',
          path: 'image',
          says: [
            'must be pinned to a version tag or a digest, not "latest" or untagged',
            'got "registry.example.com/backstage:latest"',
          ],
        },
      ]);
    });

    it('refuses an untagged image, even from a registry with a port', () => {
      backstageProblems({ image: 'localhost:5000/backstage' }, [
        {
          where: 'test/bs',
          path: 'image',
          says: [
            'must be pinned to a version tag or a digest, not "latest" or untagged',
            'got "localhost:5000/backstage"',
          ],
        },
      ]);
    });

    it('accepts an image pinned by digest or by tag behind a registry port', () => {
      const digest = `registry.example.com/backstage@sha256:${'a1'.repeat(32)}`;
      expect(containerOf(synthBackstage({ image: digest })).image).toBe(digest);
      expect(containerOf(synthBackstage({ image: 'localhost:5000/backstage:1.2.0' })).image).toBe(
        'localhost:5000/backstage:1.2.0',
      );
    });

    it('refuses a host that is not a DNS name', () => {
      backstageProblems({ host: 'https://Backstage.example.com/' }, [
        {
          where: 'test/bs',
          path: 'host',
          says: ['must be a fully qualified DNS name', 'got "https://Backstage.example.com/"'],
        },
      ]);
    });

    it('refuses invalid namespace and name', () => {
      backstageProblems({ namespace: 'Team_A', name: 'backstage-' }, [
        {
          where: 'test/bs',
          path: 'namespace',
          says: ['must be a valid Kubernetes name (RFC 1123 label)', 'got "Team_A"'],
        },
        {
          where: 'test/bs',
          path: 'name',
          says: ['must be a valid Kubernetes name (RFC 1123 label)', 'got "backstage-"'],
        },
      ]);
    });

    it('refuses more than one replica with an in-memory SQLite database', () => {
      backstageProblems({ database: BackstageDatabase.sqliteInMemory(), replicas: 3 }, [
        {
          where: 'test/bs',
          path: 'replicas',
          says: ['must be 1 with an in-memory SQLite database (every pod would have its own data)', 'got 3'],
        },
      ]);
    });

    it('refuses the default of 2 replicas with an in-memory SQLite database', () => {
      const [problem] = problemsOf(() => synthBackstage({ database: BackstageDatabase.sqliteInMemory() }));
      expect(problem).toMatchObject({ where: 'test/bs', path: 'replicas' });
      expect(problem!.message).toContain('must be 1 with an in-memory SQLite database');
    });

    it('refuses autoscaling with an in-memory SQLite database', () => {
      backstageProblems(
        {
          database: BackstageDatabase.sqliteInMemory(),
          autoscaling: { minReplicas: 1, maxReplicas: 3 },
        },
        [
          {
            where: 'test/bs',
            path: 'autoscaling',
            says: [
              'must be 1 with an in-memory SQLite database (every pod would have its own data)',
              'got {"minReplicas":1,"maxReplicas":3}',
            ],
          },
        ],
      );
    });

    it('accepts one replica with an in-memory SQLite database', () => {
      const json = synthBackstage({ database: BackstageDatabase.sqliteInMemory(), replicas: 1 });
      expect(deploymentOf(json).spec.replicas).toBe('1');
    });

    it('refuses autoscaling with maxReplicas below minReplicas', () => {
      backstageProblems({ autoscaling: { minReplicas: 4, maxReplicas: 2 } }, [
        {
          where: 'test/bs',
          path: 'autoscaling',
          says: ['maxReplicas must not be below minReplicas', 'got {"minReplicas":4,"maxReplicas":2}'],
        },
      ]);
    });

    it('refuses the old name targetCpuUtilizationPercent with the new one in the message', () => {
      // JavaScript and YAML callers get no compile error; the message names Kubernetes' spelling.
      const old = {
        minReplicas: 2,
        maxReplicas: 6,
        targetCpuUtilizationPercent: 60,
      } as unknown as BackstageProps['autoscaling'];
      backstageProblems({ autoscaling: old }, [
        {
          where: 'test/bs',
          path: 'autoscaling.targetCpuUtilizationPercent',
          says: ['was renamed to targetCPUUtilizationPercentage', 'got 60'],
        },
      ]);
    });

    it('refuses a CPU target outside 10..100', () => {
      backstageProblems(
        { autoscaling: { minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 5 } },
        [
          {
            where: 'test/bs',
            path: 'autoscaling.targetCPUUtilizationPercentage',
            says: ['must be at least 10', 'got 5'],
          },
        ],
      );
    });

    it('refuses replicas outside the autoscaling bounds (the autoscaler would override them)', () => {
      backstageProblems({ replicas: 8, autoscaling: { minReplicas: 2, maxReplicas: 6 } }, [
        {
          where: 'test/bs',
          path: 'replicas',
          says: ["must lie within autoscaling's 2..6", 'got 8', 'leave replicas out'],
        },
      ]);
    });

    it('refuses a plain env var named like a secret without echoing its value', () => {
      const [problem] = backstageProblems({ env: { GITHUB_TOKEN: 'ghp_plainTextValue123' } }, [
        {
          where: 'test/bs',
          path: 'env.GITHUB_TOKEN',
          says: [
            'names a secret but is a plain value',
            'got a plain value (hidden)',
            'Move it to secretEnv: { GITHUB_TOKEN: SecretRef.fromSecret(...) }',
          ],
        },
      ]);
      expect(problem!.message).not.toContain('ghp_plainTextValue123');
    });

    it('refuses a plain string in secretEnv with a pointer to SecretRef, without echoing it', () => {
      const [problem] = backstageProblems(
        { secretEnv: { GITHUB_TOKEN: 'ghp_plainTextValue123' as unknown as SecretRef } },
        [
          {
            where: 'test/bs',
            path: 'secretEnv.GITHUB_TOKEN',
            says: [
              'must be a SecretRef, not a plain value: a literal would be written into the synthesized Terraform JSON',
              'got a plain value (hidden)',
              'Use SecretRef.fromSecret(name, key)',
            ],
          },
        ],
      );
      expect(problem!.message).not.toContain('ghp_plainTextValue123');
    });

    it('refuses env names the construct sets itself', () => {
      backstageProblems(
        {
          env: { NODE_OPTIONS: '--inspect' },
          secretEnv: { POSTGRES_CA_CERT: SecretRef.fromSecret('ca', 'ca.crt') },
        },
        [
          {
            where: 'test/bs',
            path: 'env.NODE_OPTIONS',
            says: ['is set by the Backstage construct', 'got a plain value (hidden)'],
          },
          {
            where: 'test/bs',
            path: 'secretEnv.POSTGRES_CA_CERT',
            says: ['is set by the Backstage construct', 'got a SecretRef'],
          },
        ],
      );
    });

    it('refuses static-token env names the construct sets itself', () => {
      backstageProblems({ secretEnv: { BACKSTAGE_STATIC_TOKEN_CI: SecretRef.fromSecret('ci', 'token') } }, [
        {
          where: 'test/bs',
          path: 'secretEnv.BACKSTAGE_STATIC_TOKEN_CI',
          says: ['is set by the Backstage construct', 'got a SecretRef'],
        },
      ]);
    });

    it('never echoes a plain value given under a reserved secret name (POSTGRES_PASSWORD)', () => {
      const problems = problemLines({ env: { POSTGRES_PASSWORD: 'hunter2-db-password' } });
      expect(problems).toContainEqual({
        path: 'env.POSTGRES_PASSWORD',
        message: expect.stringContaining('names a secret but is a plain value, got a plain value (hidden)'),
      });
      expect(problems).toContainEqual({
        path: 'env.POSTGRES_PASSWORD',
        message: expect.stringContaining('is set by the Backstage construct'),
      });
      expect(problems.map((p) => p.message).join('\n')).not.toContain('hunter2-db-password');
    });

    it('refuses an invalid env var name with its own message, never echoing the value', () => {
      const problems = problemLines({ env: { 'DB-PASSWORD': 'hunter2-db-password' } });
      expect(problems).toContainEqual({
        path: 'env.DB-PASSWORD',
        message: expect.stringMatching(
          /must be an environment variable name, got .*Use letters, digits and "_"/,
        ),
      });
      expect(problems.map((p) => p.message).join('\n')).not.toContain('hunter2-db-password');
    });

    it('refuses an unknown sign-in resolver', () => {
      backstageProblems({ signIn: { resolvers: ['usernameMatchingUserEntityName' as never] } }, [
        {
          where: 'test/bs',
          path: 'signIn.resolvers[0]',
          says: ['must be a resolver of the oauth2Proxy provider', 'got "usernameMatchingUserEntityName"'],
        },
      ]);
    });

    it("refuses lowering the maximum header size below Node's default", () => {
      backstageProblems({ maxHeaderSize: 8192 }, [
        { where: 'test/bs', path: 'maxHeaderSize', says: ['must be at least 16384', 'got 8192'] },
      ]);
    });

    it('reports every problem of the construct in one error, one line each', () => {
      let error: unknown;
      try {
        synthBackstage({
          image: 'backstage:latest',
          host: 'localhost',
          database: BackstageDatabase.sqliteInMemory(),
          replicas: 2,
          env: { API_KEY: 'k-123456' },
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PropsValidationError);
      const problems = (error as PropsValidationError).problems;
      expect(problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual([
        '[test/bs] host',
        '[test/bs] image',
        '[test/bs] env.API_KEY',
        '[test/bs] replicas',
      ]);
      expect((error as Error).message).toBe(problems.join('\n'));
      for (const line of problems) {
        expect(line).toMatch(/^\[test\/bs\] [\w.[\]]+: .+, got .+\. .+$/);
      }
      expect((error as Error).message).not.toContain('k-123456');
    });
  });
});
