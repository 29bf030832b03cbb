// The README's block of optional environment fields (```yaml environment-fields) is real
// input: laid over the dev environment it passes the schema and synthesizes, and it shows
// every optional field the schema has.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Testing, type TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { environmentJsonSchema, environmentStacks, loadEnvironmentFile, parseEnvironment, parseSharedAccessPolicy } from '../../lib';
import { readmeBlocks } from '../packaging/readme-blocks';

const examples = resolve(__dirname, '../../examples/multi-cloud');
type Json = Record<string, any>;

describe('the README on environment files', () => {
  const [block, ...more] = readmeBlocks('environment-fields');
  const fields = parse(block!.text) as Json;

  it('has one block of optional fields', () => {
    expect(more).toEqual([]);
    expect(block!.language).toBe('yaml');
  });

  it('shows every optional field of the schema', () => {
    const schema = environmentJsonSchema() as { properties: Json; required: string[] };
    const optional = Object.keys(schema.properties).filter((key) => !schema.required.includes(key));
    expect(Object.keys(fields).sort()).toEqual([...optional, 'database'].sort());
  });

  it('is valid over the dev environment and synthesizes what it says', () => {
    const dev = loadEnvironmentFile(join(examples, 'environments/dev.yaml'));
    const environment = parseEnvironment({ ...dev, ...fields }, 'README.md');
    const access = parseSharedAccessPolicy(parse(readFileSync(join(examples, 'access-policy.yaml'), 'utf8')));
    const { portal } = environmentStacks(Testing.app(), environment, access);
    const resources = (stack: TerraformStack, type: string): Json[] => Object.values(JSON.parse(Testing.synth(stack)).resource[type] ?? {});
    const [hpa] = resources(portal, 'kubernetes_horizontal_pod_autoscaler_v2');
    expect(hpa!.spec).toMatchObject({ min_replicas: 2, max_replicas: 6, metric: [{ resource: { target: { average_utilization: 70 } } }] });
    const ingresses = resources(portal, 'kubernetes_ingress_v1');
    expect(ingresses.map((i) => i.metadata.annotations['nginx.ingress.kubernetes.io/limit-rps'])).toEqual(ingresses.map(() => '20'));
    const backstage = resources(portal, 'kubernetes_deployment_v1').find((d) => d.metadata.name === 'backstage')!;
    const env = backstage.spec.template.spec.container[0].env as Json[];
    expect(env.find((e) => e.name === 'POSTGRES_CA_CERT')).toEqual({ name: 'POSTGRES_CA_CERT', value_from: { secret_key_ref: { name: 'rds-ca', key: 'ca.pem' } } });
  });
});
