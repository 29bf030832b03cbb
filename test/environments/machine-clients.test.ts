// Machine clients as data: the access policy's CI jobs and agents, and an environment's own,
// become the portal's machineClients, admitted on the environment's machineHost.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import {
  type EnvironmentData,
  environmentStacks,
  loadEnvironmentFile,
  parseEnvironment,
  parseSharedAccessPolicy,
  SharedAccessPolicy,
} from '../../lib';
import { expectProblems } from '../helpers';

const examples = resolve(__dirname, '../../examples/multi-cloud');
const policy = parse(readFileSync(join(examples, 'access-policy.yaml'), 'utf8')) as SharedAccessPolicy;
const dev = () => loadEnvironmentFile(join(examples, 'environments/dev.yaml'));
type Json = Record<string, any>;

const CI = {
  type: 'github-actions',
  audience: 'backstage-ci',
  repository: 'acme/service',
  refs: ['refs/heads/main'],
  accessRestrictions: [{ plugin: 'catalog' }],
} as const;
const AGENT = {
  type: 'kubernetes-service-account',
  issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
  audience: 'backstage-agents',
  namespace: 'agents',
  serviceAccount: 'catalog-agent',
} as const;

function portalOf(env: EnvironmentData, access: SharedAccessPolicy) {
  const { portal } = environmentStacks(Testing.app(), env, access);
  return JSON.parse(Testing.synth(portal)) as Json;
}
/** The one resource of a type with that logical id (before its hash). */
const resourceNamed = (json: Json, type: string, id: string): Json => {
  const found = Object.entries(json.resource[type] ?? {}).filter(([key]) =>
    new RegExp(`^${id}_[0-9A-F]{8}$`).test(key),
  );
  expect(found.map(([key]) => key)).toHaveLength(1);
  return found[0]![1] as Json;
};
const alphaOf = (json: Json, suffix: string) =>
  parse(resourceNamed(json, 'kubernetes_config_map_v1', suffix).data['alpha-config.yaml']);

describe('machine clients in environment data', () => {
  it("admits the policy's clients and the environment's own on the environment's machine host", () => {
    const json = portalOf(
      { ...dev(), machineHost: 'api.backstage.dev.example.com', machineClients: [AGENT] },
      { ...policy, machineClients: [CI] },
    );
    // The machine entry admits exactly both clients' subjects, each from its issuer.
    const alpha = alphaOf(json, 'portal_Gateway_Machines_Config');
    expect(alpha.providers[0].allowedGroups).toEqual([
      'repo:acme/service:ref:refs/heads/main',
      'system:serviceaccount:agents:catalog-agent',
    ]);
    const args: string[] = resourceNamed(
      json,
      'kubernetes_deployment_v1',
      'portal_Gateway_Machines_Deployment',
    ).spec.template.spec.container[0].args;
    expect(args).toContain(`--extra-jwt-issuers=${AGENT.issuerUrl}=backstage-agents`);
    const ingress = resourceNamed(json, 'kubernetes_ingress_v1', 'portal_Ingress_MachineIngress');
    expect(ingress.spec.rule[0].host).toBe('api.backstage.dev.example.com');
    // Backstage checks both clients' tokens again, with their restrictions.
    const appConfig = Object.values(json.resource.kubernetes_config_map_v1 as Record<string, Json>)
      .flatMap((cm) => Object.values(cm.data as Record<string, string>))
      .find((d) => d.includes('externalAccess'))!;
    const access = parse(appConfig.replace(/\$\$\{/g, '${')).backend.auth.externalAccess;
    expect(
      access.map((a: Json) => [a.options.issuer, a.options.subjectPrefix, a.accessRestrictions]),
    ).toEqual([
      ['https://token.actions.githubusercontent.com', 'github', [{ plugin: 'catalog' }]],
      [AGENT.issuerUrl, 'k8s', undefined],
    ]);
  });

  it('on the gateway-api flavour the machine host gets its route and listeners', () => {
    const json = portalOf(
      {
        ...dev(),
        ingressFlavour: 'gateway-api',
        gatewayApi: { gatewayClassName: 'eg' },
        allowSourceRanges: undefined,
        machineHost: 'api.backstage.dev.example.com',
      },
      { ...policy, machineClients: [CI] },
    );
    const route = resourceNamed(json, 'kubernetes_manifest', 'portal_GatewayApi_MachineRoute').manifest;
    expect(route.spec.hostnames).toEqual(['api.backstage.dev.example.com']);
    expect(alphaOf(json, 'portal_Gateway_Machines_Config').upstreamConfig.upstreams[0].id).toBe('portal');
    // No challenge unless the environment says its implementation takes the filter.
    expect(route.spec.rules[0].filters).toBeUndefined();
  });

  it('on the gateway-api flavour gatewayApi.machineChallenge sets the challenge on the machine route', () => {
    const json = portalOf(
      {
        ...dev(),
        ingressFlavour: 'gateway-api',
        gatewayApi: { gatewayClassName: 'eg', machineChallenge: true },
        allowSourceRanges: undefined,
        machineHost: 'api.backstage.dev.example.com',
      },
      { ...policy, machineClients: [CI] },
    );
    const route = resourceNamed(json, 'kubernetes_manifest', 'portal_GatewayApi_MachineRoute').manifest;
    expect(route.spec.rules[0].filters).toEqual([
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          set: [{ name: 'WWW-Authenticate', value: 'Bearer realm="api.backstage.dev.example.com"' }],
        },
      },
    ]);
  });

  describe('refusals', () => {
    it('a client of no known preset, and a field a preset does not take, naming the file and the field', () => {
      expectProblems(
        () => parseSharedAccessPolicy({ ...policy, machineClients: [{ type: 'static-token' }] }),
        [
          {
            where: 'access policy',
            path: 'machineClients[0].type',
            says: [
              'must have type "github-actions", "gitlab-ci", "kubernetes-service-account" or "oidc"',
              'workload identity',
            ],
          },
        ],
      );
      expectProblems(
        () =>
          parseEnvironment(
            { ...dev(), machineClients: [{ ...AGENT, repository: 'acme/service' }] },
            'dev.yaml',
          ),
        [
          {
            where: 'dev.yaml',
            path: 'machineClients[0].repository',
            says: ['is not a known property', 'got "acme/service"'],
          },
        ],
      );
      expectProblems(
        () => parseEnvironment({ ...dev(), machineHost: 'https://api.example.com' }, 'dev.yaml'),
        [{ where: 'dev.yaml', path: 'machineHost', says: 'must be a fully qualified DNS name' }],
      );
      expectProblems(
        () =>
          parseEnvironment(
            {
              ...dev(),
              ingressFlavour: 'gateway-api',
              gatewayApi: { gatewayClassName: 'eg', machineChallenge: true },
              allowSourceRanges: undefined,
            },
            'dev.yaml',
          ),
        [
          {
            where: 'dev.yaml',
            path: 'gatewayApi.machineChallenge',
            says: ['has no machine host to challenge for', 'Give the portal a machineHost'],
          },
        ],
      );
    });

    it("what a value means is the preset's and the portal's to check, with their messages", () => {
      // The audience Backstage reserves for its own tokens, refused by the preset.
      expect(() =>
        portalOf(
          { ...dev(), machineHost: 'api.backstage.dev.example.com' },
          { ...policy, machineClients: [{ ...CI, audience: 'backstage' }] },
        ),
      ).toThrow(/machineClients\[0\]\.audience: .*"backstage"/);
      // A machine host without a client to admit, refused by the gateway.
      expect(() => portalOf({ ...dev(), machineHost: 'api.backstage.dev.example.com' }, policy)).toThrow(
        /machineHost: has no JWT machine client to admit/,
      );
    });

    it("an environment's client of the policy's issuer with other restrictions, refused after the policy's clients", () => {
      // The portal's list is the policy's clients, then the environment's: [1] is the environment's.
      expectProblems(
        () =>
          portalOf(
            {
              ...dev(),
              machineHost: 'api.backstage.dev.example.com',
              machineClients: [
                { ...CI, audience: 'backstage-deploy', accessRestrictions: [{ plugin: 'scaffolder' }] },
              ],
            },
            { ...policy, machineClients: [CI] },
          ),
        [
          {
            where: 'dev-portal/portal/Gateway',
            path: 'machineClients[1].accessRestrictions',
            says: [
              'differ from those of machineClients[0], a client of the same issuer https://token.actions.githubusercontent.com',
              'got [{"plugin":"scaffolder"}]',
            ],
          },
        ],
      );
    });
  });
});
