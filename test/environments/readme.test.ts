// The README's block of optional environment fields (```yaml environment-fields) is real
// input: laid over the dev environment it passes the schema and synthesizes, and it shows
// every optional field the schema has.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { type TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import {
  environmentJsonSchema,
  environmentStacks,
  loadEnvironmentFile,
  parseEnvironment,
  parseSharedAccessPolicy,
} from '../../lib';
import { readmeBlocks } from '../readme-blocks';

const examples = resolve(__dirname, '../../examples/multi-cloud');
type Json = Record<string, any>;

describe('the README on environment files', () => {
  const [block, ...more] = readmeBlocks('environment-fields');
  const fields = parse(block!.text) as Json;
  // The Gateway API front door's fields, in a block of their own: they replace some of the
  // ingress-nginx ones, which are refused with it.
  const [gatewayBlock, ...moreGateway] = readmeBlocks('environment-fields-gateway-api');
  const gatewayFields = parse(gatewayBlock!.text) as Json;

  it("has one block of optional fields, and one of the Gateway API front door's", () => {
    expect(more).toEqual([]);
    expect(block!.language).toBe('yaml');
    expect(moreGateway).toEqual([]);
    expect(gatewayBlock!.language).toBe('yaml');
  });

  it('shows every optional field of the schema', () => {
    const schema = environmentJsonSchema() as { properties: Json; required: string[] };
    const optional = Object.keys(schema.properties).filter((key) => !schema.required.includes(key));
    expect([...new Set([...Object.keys(fields), ...Object.keys(gatewayFields)])].sort()).toEqual(
      [...optional, 'database'].sort(),
    );
  });

  const dev = () => loadEnvironmentFile(join(examples, 'environments/dev.yaml'));
  const access = () =>
    parseSharedAccessPolicy(parse(readFileSync(join(examples, 'access-policy.yaml'), 'utf8')));
  const resources = (stack: TerraformStack, type: string): Json[] =>
    Object.values(JSON.parse(Testing.synth(stack)).resource[type] ?? {});
  /** The subjects the portal's machine entry admits (its alpha config's allowed "groups"). */
  const machineSubjects = (stack: TerraformStack): string[] => {
    const config = resources(stack, 'kubernetes_config_map_v1').find(
      (c) => c.metadata.name === 'oauth2-proxy-machines-config',
    )!;
    return parse(config.data['alpha-config.yaml']).providers[0].allowedGroups;
  };

  it('is valid over the dev environment and synthesizes what it says', () => {
    const environment = parseEnvironment({ ...dev(), ...fields }, 'README.md');
    const { portal } = environmentStacks(Testing.app(), environment, access());
    const [hpa] = resources(portal, 'kubernetes_horizontal_pod_autoscaler_v2');
    expect(hpa!.spec).toMatchObject({
      min_replicas: 2,
      max_replicas: 6,
      metric: [{ resource: { target: { average_utilization: 70 } } }],
    });
    const ingresses = resources(portal, 'kubernetes_ingress_v1');
    expect(ingresses.map((i) => i.metadata.annotations['nginx.ingress.kubernetes.io/limit-rps'])).toEqual(
      ingresses.map(() => '20'),
    );
    const backstage = resources(portal, 'kubernetes_deployment_v1').find(
      (d) => d.metadata.name === 'backstage',
    )!;
    const env = backstage.spec.template.spec.container[0].env as Json[];
    expect(env.find((e) => e.name === 'POSTGRES_CA_CERT')).toEqual({
      name: 'POSTGRES_CA_CERT',
      value_from: { secret_key_ref: { name: 'rds-ca', key: 'ca.pem' } },
    });
    // The machine host, its Ingress, and the environment's agent among the admitted subjects.
    expect(ingresses.find((i) => i.metadata.name === 'backstage-machines')!.spec.rule[0].host).toBe(
      'api.backstage.dev.example.com',
    );
    expect(machineSubjects(portal)).toEqual(['system:serviceaccount:agents:catalog-agent']);
    // trustedCa: the cluster's CA bundle for Backstage and the machine entry.
    expect(env.find((e) => e.name === 'NODE_EXTRA_CA_CERTS')!.value).toBe('/etc/backstage-trusted-ca/ca.pem');
    const entry = resources(portal, 'kubernetes_deployment_v1').find(
      (d) => d.metadata.name === 'oauth2-proxy-machines',
    )!;
    expect(entry.spec.template.spec.volume).toContainEqual({
      name: 'trusted-ca',
      config_map: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.pem' }] },
    });
  });

  it("the machine clients block is a valid part of the shared access policy, admitted beside the environment's own", () => {
    const [machinesBlock, ...moreMachines] = readmeBlocks('access-policy-machines');
    expect(moreMachines).toEqual([]);
    const policy = parseSharedAccessPolicy(
      { ...access(), ...(parse(machinesBlock!.text) as Json) },
      'README.md',
    );
    const environment = parseEnvironment({ ...dev(), ...fields }, 'README.md');
    const { portal } = environmentStacks(Testing.app(), environment, policy);
    expect(machineSubjects(portal)).toEqual([
      'repo:acme/service:ref:refs/heads/main',
      'project_path:acme/platform:ref_type:branch:ref:main',
      'system:serviceaccount:agents:catalog-agent',
    ]);
  });

  it('the Gateway API block is valid over the dev environment (without its allowSourceRanges, with the machine host of the fields block) and synthesizes what it says', () => {
    const { allowSourceRanges: _refusedWithGatewayApi, ...rest } = dev();
    const machines = { machineHost: fields.machineHost, machineClients: fields.machineClients };
    const environment = parseEnvironment({ ...rest, ...machines, ...gatewayFields }, 'README.md');
    const { portal } = environmentStacks(Testing.app(), environment, access());
    const gateway = resources(portal, 'kubernetes_manifest')
      .map((r) => r.manifest)
      .find((m) => m.kind === 'Gateway');
    expect(gateway.spec.gatewayClassName).toBe('nginx');
    expect(gateway.metadata.annotations['example.com/team']).toBe('platform');
    const proxy = resources(portal, 'kubernetes_network_policy_v1').find(
      (p) => p.metadata.name === 'oauth2-proxy',
    )!;
    expect(proxy.spec.ingress[0].from).toEqual([
      {
        namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'nginx-gateway' } },
        pod_selector: { match_labels: { 'app.kubernetes.io/name': 'nginx' } },
      },
      { ip_block: { cidr: '10.1.0.0/16' } },
    ]);
    // keepIngressNginx: the Ingresses are still there, the machine host's too.
    expect(
      resources(portal, 'kubernetes_ingress_v1')
        .map((i) => i.metadata.name)
        .sort(),
    ).toEqual(['backstage', 'backstage-api', 'backstage-machines', 'backstage-oauth2']);
    // machineChallenge: the machine route sets the challenge.
    const machineRoute = resources(portal, 'kubernetes_manifest')
      .map((r) => r.manifest)
      .find((m) => m.metadata.name === 'backstage-machines');
    expect(machineRoute.spec.rules[0].filters).toEqual([
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          set: [{ name: 'WWW-Authenticate', value: `Bearer realm="${fields.machineHost}"` }],
        },
      },
    ]);
  });

  it("the Envoy Gateway block is valid over the dev environment (its allow-list kept) and synthesizes Envoy Gateway's policies", () => {
    const [envoyBlock, ...moreEnvoy] = readmeBlocks('environment-fields-envoy-gateway');
    expect(moreEnvoy).toEqual([]);
    const environment = parseEnvironment({ ...dev(), ...(parse(envoyBlock!.text) as Json) }, 'README.md');
    const { portal } = environmentStacks(Testing.app(), environment, access());
    const manifests = resources(portal, 'kubernetes_manifest').map((r) => r.manifest);
    const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
    expect(byKind('Gateway').map((g) => g.spec.gatewayClassName)).toEqual(['eg']);
    expect(byKind('SecurityPolicy').map((p) => p.spec.authorization.rules[0].principal.clientCIDRs)).toEqual([
      dev().allowSourceRanges,
    ]);
    const [traffic] = byKind('BackendTrafficPolicy');
    expect(traffic.spec.rateLimit.local.rules[0].limit).toEqual({ requests: 600, unit: 'Minute' });
    expect(traffic.spec.compressor).toEqual([{ type: 'Gzip', gzip: {} }]);
    expect(byKind('EnvoyProxy')[0].spec.telemetry.accessLog.settings[0].format.json.trace_id).toBe(
      '%REQ(TRACEPARENT)%',
    );
    expect(byKind('ClientTrafficPolicy')[0].spec.clientIPDetection).toEqual({
      xForwardedFor: { numTrustedHops: 1 },
    });
  });

  it('the teams block is a valid part of the shared access policy and synthesizes what it says', () => {
    const [teamsBlock, ...moreTeams] = readmeBlocks('access-policy-teams');
    expect(moreTeams).toEqual([]);
    const policy = parseSharedAccessPolicy(
      { ...access(), ...(parse(teamsBlock!.text) as Json) },
      'README.md',
    );
    const { portal } = environmentStacks(Testing.app(), dev(), policy);
    const configMaps = resources(portal, 'kubernetes_config_map_v1');
    const org = configMaps.find((c) => String(c.metadata.name).endsWith('-org'))!.data['org.yaml'] as string;
    expect(org).toContain('name: olga');
    expect(org).toContain('parent: engineering');
    const rbac = configMaps.find((c) => String(c.metadata.name).endsWith('-rbac-policy'))!.data;
    expect(rbac['rbac-policy.csv']).toContain('g, group:default/payments, role:default/owners');
    expect(rbac['rbac-conditional-policies.yaml']).toContain('IS_ENTITY_KIND');
    const appConfig = configMaps.find((c) => String(c.metadata.name).endsWith('-app-config'))!.data[
      'app-config.portal.yaml'
    ] as string;
    expect(parse(appConfig).permission.rbac.maxDepth).toBe(1);
  });

  it("the teams block's commented org examples are valid orgs and synthesize their providers", () => {
    const [teamsBlock] = readmeBlocks('access-policy-teams');
    // Each example starts at a "# { type:" comment and runs to the line whose braces close it.
    const examples: string[] = [];
    let open: string[] | undefined;
    for (const line of teamsBlock!.text.split('\n')) {
      const comment = /#\s*(.*)$/.exec(line)?.[1] ?? '';
      if (open === undefined && comment.startsWith('{ type:')) open = [];
      if (open === undefined) continue;
      open.push(comment);
      const text = open.join('\n');
      if ((text.match(/\{/g) ?? []).length === (text.match(/\}/g) ?? []).length) {
        examples.push(text);
        open = undefined;
      }
    }
    const orgs = examples.map((text) => parse(text) as Json);
    expect(orgs.map((org) => org.type)).toEqual(['okta', 'ldap']);
    const { org: _static, ...teamsPolicy } = parse(teamsBlock!.text) as Json;
    const providers = orgs.map((org) => {
      const policy = parseSharedAccessPolicy({ ...access(), ...teamsPolicy, org }, 'README.md');
      const { portal } = environmentStacks(Testing.app(), dev(), policy);
      const appConfig = resources(portal, 'kubernetes_config_map_v1').find((c) =>
        String(c.metadata.name).endsWith('-app-config'),
      )!.data['app-config.portal.yaml'] as string;
      return Object.keys(parse(appConfig).catalog.providers);
    });
    expect(providers).toEqual([['okta'], ['ldapOrg']]);
  });
});
