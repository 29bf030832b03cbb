import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type {
  DeploymentV1SpecTemplateSpecContainerEnv,
  DeploymentV1SpecTemplateSpecContainerVolumeMount,
  DeploymentV1SpecTemplateSpecVolume,
} from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Aspects, TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { BackstagePortal, Guardrails, MachineAgent, MachineAgentProps, SecretRef } from '../../lib';
import {
  type ExpectedProblem,
  expectProblems,
  portalProps,
  resourceAt,
  resourcesOf,
  synth,
  variableSecret,
} from '../helpers';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';

const baseProps: MachineAgentProps = {
  namespace: 'agents',
  name: 'catalog-agent',
  audience: 'backstage-agents',
  machineHost: 'api.backstage.example.com',
  issuerUrl: ISSUER,
};

function agentJson(
  props: Partial<MachineAgentProps> | ((stack: TerraformStack) => Partial<MachineAgentProps>),
) {
  return synth(
    (stack) =>
      new MachineAgent(stack, 'agent', {
        ...baseProps,
        ...(typeof props === 'function' ? props(stack) : props),
      }),
  );
}

function expectAgentProblems(props: Record<string, unknown>, expected: readonly ExpectedProblem[]) {
  return expectProblems(
    () => agentJson(props as Partial<MachineAgentProps>),
    expected.map((e) => ({ where: 'test/agent', ...e })),
  );
}

const IMAGE = 'registry.example.com/platform/catalog-agent:2.0.1';

describe('MachineAgent', () => {
  it('renders the ServiceAccount without an automounted API token', () => {
    const sa = resourceAt(agentJson({}), 'kubernetes_service_account_v1', 'agent/ServiceAccount');
    expect(sa.metadata).toEqual({
      name: 'catalog-agent',
      namespace: 'agents',
      labels: {
        'app.kubernetes.io/name': 'machine-agent',
        'app.kubernetes.io/instance': 'catalog-agent',
        'app.kubernetes.io/component': 'agent',
        'app.kubernetes.io/part-of': 'backstage-portal',
        'app.kubernetes.io/managed-by': 'cdktf-backstage',
      },
    });
    expect(sa.automount_service_account_token).toBe(false);
  });

  it('without an image renders no Deployment and exposes the pieces for your own, in the provider shapes', () => {
    let agent!: MachineAgent;
    const json = synth((stack) => {
      agent = new MachineAgent(stack, 'agent', baseProps);
    });
    expect(resourcesOf(json, 'kubernetes_deployment_v1')).toEqual({});
    expect(agent.deployment).toBeUndefined();
    // Typed as the provider's own blocks: these assignments are checked by `npm run typecheck`.
    const volume: DeploymentV1SpecTemplateSpecVolume = agent.volume;
    const mount: DeploymentV1SpecTemplateSpecContainerVolumeMount = agent.volumeMount;
    const env: DeploymentV1SpecTemplateSpecContainerEnv[] = agent.env;
    expect(volume).toEqual({
      name: 'backstage-token',
      projected: [
        {
          sources: [
            { serviceAccountToken: { audience: 'backstage-agents', expirationSeconds: 600, path: 'token' } },
          ],
        },
      ],
    });
    expect(mount).toEqual({
      name: 'backstage-token',
      mountPath: '/var/run/secrets/backstage',
      readOnly: true,
    });
    expect(agent.tokenPath).toBe('/var/run/secrets/backstage/token');
    expect(agent.serviceAccountName).toBe('catalog-agent');
    expect(env).toEqual([
      { name: 'BACKSTAGE_JWT_FILE', value: '/var/run/secrets/backstage/token' },
      { name: 'BACKSTAGE_URL', value: 'https://api.backstage.example.com' },
      { name: 'BACKSTAGE_MCP_URL', value: 'https://api.backstage.example.com/api/mcp-actions/v1' },
    ]);
  });

  it('with an image runs it under the ServiceAccount with the projected token mounted read-only and the URLs in its env', () => {
    const json = agentJson({ image: IMAGE, command: ['/agent'], args: ['--once=false'] });
    const deployment = resourceAt(json, 'kubernetes_deployment_v1', 'agent/Deployment');
    expect(deployment.metadata).toMatchObject({ name: 'catalog-agent', namespace: 'agents' });
    expect(deployment.spec.replicas).toBe('1');
    expect(deployment.spec.selector).toEqual({
      match_labels: {
        'app.kubernetes.io/name': 'machine-agent',
        'app.kubernetes.io/instance': 'catalog-agent',
      },
    });
    const spec = deployment.spec.template.spec;
    expect(spec.service_account_name).toMatch(
      /^\$\{kubernetes_service_account_v1\.agent_ServiceAccount_[0-9A-F]{8}\.metadata\[0\]\.name\}$/,
    );
    expect(spec.automount_service_account_token).toBe(false);
    expect(spec.enable_service_links).toBe(false);
    expect(spec.security_context).toEqual({
      run_as_non_root: true,
      run_as_user: '65532',
      run_as_group: '65532',
      fs_group: '65532',
      seccomp_profile: { type: 'RuntimeDefault' },
    });
    expect(spec.volume).toEqual([
      {
        name: 'backstage-token',
        projected: [
          {
            sources: [
              {
                service_account_token: {
                  audience: 'backstage-agents',
                  expiration_seconds: 600,
                  path: 'token',
                },
              },
            ],
          },
        ],
      },
      { name: 'tmp', empty_dir: { size_limit: '256Mi' } },
    ]);
    expect(spec.container).toHaveLength(1);
    const container = spec.container[0];
    expect(container.name).toBe('agent');
    expect(container.image).toBe(IMAGE);
    expect(container.command).toEqual(['/agent']);
    expect(container.args).toEqual(['--once=false']);
    expect(container.volume_mount).toEqual([
      { name: 'backstage-token', mount_path: '/var/run/secrets/backstage', read_only: true },
      { name: 'tmp', mount_path: '/tmp' },
    ]);
    expect(container.env).toEqual([
      { name: 'BACKSTAGE_JWT_FILE', value: '/var/run/secrets/backstage/token' },
      { name: 'BACKSTAGE_URL', value: 'https://api.backstage.example.com' },
      { name: 'BACKSTAGE_MCP_URL', value: 'https://api.backstage.example.com/api/mcp-actions/v1' },
    ]);
    expect(container.security_context).toEqual({
      run_as_non_root: true,
      run_as_user: '65532',
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccomp_profile: { type: 'RuntimeDefault' },
    });
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
  });

  it('takes the lifetime, mount path, uid, replicas and resources it is given', () => {
    const json = agentJson({
      image: IMAGE,
      expirationSeconds: 3600,
      tokenMountPath: '/run/agent',
      runAsUser: 1000,
      replicas: 2,
      resources: { limits: { memory: '1Gi' } },
    });
    const deployment = resourceAt(json, 'kubernetes_deployment_v1', 'agent/Deployment');
    expect(deployment.spec.replicas).toBe('2');
    const spec = deployment.spec.template.spec;
    expect(spec.volume[0].projected[0].sources[0].service_account_token).toEqual({
      audience: 'backstage-agents',
      expiration_seconds: 3600,
      path: 'token',
    });
    expect(spec.container[0].volume_mount[0]).toEqual({
      name: 'backstage-token',
      mount_path: '/run/agent',
      read_only: true,
    });
    expect(spec.container[0].env[0]).toEqual({ name: 'BACKSTAGE_JWT_FILE', value: '/run/agent/token' });
    expect(spec.security_context.run_as_user).toBe('1000');
    expect(spec.container[0].security_context.run_as_user).toBe('1000');
    expect(spec.container[0].resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
  });

  it('passes plain env values as values and SecretRefs as secretKeyRefs, never their content', () => {
    const json = agentJson((stack) => ({
      image: IMAGE,
      env: {
        LOG_LEVEL: 'debug',
        OPENAI_API_KEY: SecretRef.fromSecret('agent-llm', 'api-key'),
        GITHUB_TOKEN: variableSecret(stack, 'agent_github_token'),
      },
    }));
    const deployment = resourceAt(json, 'kubernetes_deployment_v1', 'agent/Deployment');
    expect(deployment.spec.template.spec.container[0].env.slice(3)).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'OPENAI_API_KEY', value_from: { secret_key_ref: { name: 'agent-llm', key: 'api-key' } } },
      {
        name: 'GITHUB_TOKEN',
        value_from: { secret_key_ref: { name: 'agent-github-token', key: 'value' } },
      },
    ]);
    // The existing Secret restarts the pods through Reloader; the variable's Secret through its checksum.
    expect(deployment.metadata.annotations).toEqual({ 'secret.reloader.stakater.com/reload': 'agent-llm' });
    expect(deployment.spec.template.metadata.annotations['checksum/secrets']).toMatch(/^\$\{sha256\(/);
    const secret = resourceAt(json, 'kubernetes_secret_v1', 'agent/Secret-agent-github-token');
    expect(secret.metadata.namespace).toBe('agents');
    expect(secret.data.value).toMatch(/^\$\{var\.agent_github_token\}$/);
  });

  it("passes the library's Guardrails checks for every environment (its token path is no secret)", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'agents');
    new KubernetesProvider(stack, 'k8s', {});
    new MachineAgent(stack, 'agent', {
      ...baseProps,
      image: IMAGE,
      env: { LLM_API_KEY: SecretRef.fromSecret('agent-llm', 'api-key') },
    });
    const guardrails = new Guardrails({
      environment: 'non-production',
      reportDir: mkdtempSync(join(tmpdir(), 'agent-guardrails-')),
    });
    Aspects.of(stack).add(guardrails);
    Testing.synth(stack, true);
    const report = guardrails.reports.get('agents')!;
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.checks.find((c) => c.id === 'no-plain-secret-env')?.status).toBe('pass');
    expect(report.passed).toBe(true);
  });

  it('makes the matching machine client, which the portal admits on its machine host', () => {
    let agent!: MachineAgent;
    const json = synth((stack) => {
      agent = new MachineAgent(stack, 'agent', {
        ...baseProps,
        subjectPrefix: 'agents',
        accessRestrictions: [{ plugin: 'catalog', permissions: ['catalog.entity.read'] }],
      });
      new BackstagePortal(stack, 'portal', {
        ...portalProps(stack),
        machineHost: 'api.backstage.example.com',
        machineClients: [agent.machineClient()],
      });
    });
    const client = agent.machineClient();
    expect(agent.machineClient()).toBe(client);
    expect(client.preset).toBe('kubernetes-service-account');
    expect(client.jwtOptions).toEqual({
      issuerUrl: ISSUER,
      jwksUrl: `${ISSUER}/openid/v1/jwks`,
      audience: 'backstage-agents',
      subjectPrefix: 'agents',
      subjects: ['system:serviceaccount:agents:catalog-agent'],
      accessRestrictions: [{ plugin: 'catalog', permissions: ['catalog.entity.read'] }],
    });
    const alpha = parse(
      resourceAt(json, 'kubernetes_config_map_v1', 'portal/Gateway/Machines/Config').data[
        'alpha-config.yaml'
      ],
    );
    expect(alpha.providers[0]).toMatchObject({
      clientID: 'backstage-agents',
      allowedGroups: ['system:serviceaccount:agents:catalog-agent'],
      oidcConfig: { issuerURL: ISSUER, jwksURL: `${ISSUER}/openid/v1/jwks` },
    });
  });

  it('uses the JWKS URL it is given', () => {
    let agent!: MachineAgent;
    synth((stack) => {
      agent = new MachineAgent(stack, 'agent', { ...baseProps, jwksUrl: 'https://oidc.example.com/keys' });
    });
    expect(agent.machineClient().jwtOptions).toMatchObject({
      jwksUrl: 'https://oidc.example.com/keys',
      subjectPrefix: 'k8s',
    });
  });

  it('refuses machineClient() without an issuer, saying where to find it', () => {
    expectProblems(
      () =>
        synth((stack) => {
          const { issuerUrl: _none, ...props } = baseProps;
          new MachineAgent(stack, 'agent', props).machineClient();
        }),
      [
        {
          where: 'test/agent',
          path: 'issuerUrl',
          says: ['is required to make the machine client, got nothing', '--service-account-issuer'],
        },
      ],
    );
  });

  describe('refuses', () => {
    it('a namespace or name that is not a DNS-1123 label, and a system namespace', () => {
      expectAgentProblems({ namespace: 'Agents', name: 'catalog_agent' }, [
        { path: 'namespace', says: 'must be a valid Kubernetes name (RFC 1123 label), got "Agents"' },
        { path: 'name', says: 'must be a valid Kubernetes name (RFC 1123 label), got "catalog_agent"' },
      ]);
      expectAgentProblems({ namespace: 'kube-system' }, [
        { path: 'namespace', says: 'is a Kubernetes system namespace, got "kube-system"' },
      ]);
    });

    it('the audience "backstage", an empty one, and the issuer as audience', () => {
      expectAgentProblems({ audience: 'backstage' }, [
        { path: 'audience', says: ['must not be "backstage", got "backstage"', 'reserves that audience'] },
      ]);
      expectAgentProblems({ audience: '' }, [{ path: 'audience', says: 'must not be empty, got ""' }]);
      expectAgentProblems({ audience: `${ISSUER}/` }, [
        { path: 'audience', says: ['must not be the issuer', "the API server's own audience"] },
      ]);
    });

    it('a token lifetime under 10 minutes, over 2^32 seconds, or with a fraction', () => {
      expectAgentProblems({ expirationSeconds: 599 }, [
        {
          path: 'expirationSeconds',
          says: ['must be at least 600 (10 minutes), got 599', 'refuses a shorter'],
        },
      ]);
      expectAgentProblems({ expirationSeconds: 2 ** 32 + 1 }, [
        { path: 'expirationSeconds', says: 'must be at most 4294967296 (2^32 seconds), got 4294967297' },
      ]);
      expectAgentProblems({ expirationSeconds: 600.5 }, [
        { path: 'expirationSeconds', says: 'must be a whole number of seconds, got 600.5' },
      ]);
    });

    it('accepts the bounds themselves', () => {
      for (const expirationSeconds of [600, 2 ** 32]) {
        const json = agentJson({ image: IMAGE, expirationSeconds });
        const spec = resourceAt(json, 'kubernetes_deployment_v1', 'agent/Deployment').spec.template.spec;
        expect(spec.volume[0].projected[0].sources[0].service_account_token.expiration_seconds).toBe(
          expirationSeconds,
        );
      }
    });

    it('an image that is not fully qualified, or not pinned', () => {
      expectAgentProblems({ image: 'platform/catalog-agent:2.0.1' }, [
        {
          path: 'image',
          says: [
            'must be fully qualified with its registry host, got "platform/catalog-agent:2.0.1"',
            'Start the reference with the registry host',
          ],
        },
      ]);
      expectAgentProblems({ image: 'catalog-agent@sha256:' + 'a'.repeat(64) }, [
        { path: 'image', says: 'must be fully qualified with its registry host' },
      ]);
      expectAgentProblems({ image: 'registry.example.com/platform/catalog-agent:latest' }, [
        { path: 'image', says: 'must be pinned to a version tag or a digest, not "latest" or untagged' },
      ]);
      // A registry on a port, or a local one, is qualified.
      for (const image of ['registry.internal:5000/agent:1.0.0', 'localhost/agent:1.0.0']) {
        expect(() => agentJson({ image })).not.toThrow();
      }
    });

    it('a plain env value under a secret name, a name it sets itself and a bad name, hiding the values', () => {
      const problems = expectAgentProblems(
        {
          image: IMAGE,
          env: {
            AGENT_API_KEY: 'sk-live-123456',
            BACKSTAGE_URL: 'https://elsewhere.example.com',
            '1BAD': 'x',
          },
        },
        [
          {
            path: 'env.AGENT_API_KEY',
            says: ['names a secret but is a plain value, got a plain value (hidden)'],
          },
          { path: 'env.BACKSTAGE_URL', says: 'is set by MachineAgent' },
          { path: 'env.1BAD', says: 'must be an environment variable name' },
        ],
      );
      expect(problems.map((p) => p.message).join('\n')).not.toContain('sk-live-123456');
    });

    it('an env value that is neither a string nor a SecretRef', () => {
      expectAgentProblems({ image: IMAGE, env: { RETRIES: 3 } }, [
        { path: 'env.RETRIES', says: 'must be a plain string or a SecretRef, got a plain value (hidden)' },
      ]);
    });

    it('container settings without an image (they would silently do nothing)', () => {
      expectAgentProblems({ command: ['/agent'], replicas: 2 }, [
        { path: 'command', says: 'needs an image: without one no Deployment is rendered' },
        { path: 'replicas', says: 'needs an image' },
      ]);
    });

    it('a machine host that is not a DNS name, an http issuer, a bad mount path and a bad subject prefix', () => {
      expectAgentProblems(
        {
          machineHost: 'https://api.backstage.example.com',
          issuerUrl: 'http://kubernetes.default.svc',
          tokenMountPath: 'var/run/token/',
          subjectPrefix: 'K8S',
        },
        [
          { path: 'machineHost', says: 'must be a fully qualified DNS name' },
          { path: 'issuerUrl', says: 'must be an https:// URL, got "http://kubernetes.default.svc"' },
          { path: 'subjectPrefix', says: 'must be lower-case letters, digits and "-", got "K8S"' },
          { path: 'tokenMountPath', says: 'must be an absolute directory path, got "var/run/token/"' },
        ],
      );
    });
  });
});
