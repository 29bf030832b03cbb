import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  environmentJsonSchema,
  loadEnvironmentFile,
  parseEnvironment,
  parseSharedAccessPolicy,
} from '../../lib';
import { errorOf } from '../helpers';

const examples = resolve(__dirname, '../../examples/multi-cloud');
const dev = () => loadEnvironmentFile(join(examples, 'environments/dev.yaml'));

describe('environments as data', () => {
  it('reads the example environments from YAML', () => {
    expect(dev()).toMatchObject({ name: 'dev', cloud: { provider: 'generic' }, backend: { type: 'local' } });
    expect(loadEnvironmentFile(join(examples, 'environments/staging.yaml')).cloud).toEqual({
      provider: 'gke',
      project: 'example-portal-staging',
    });
    expect(loadEnvironmentFile(join(examples, 'environments/prod.yaml')).backend).toEqual({
      type: 's3',
      bucket: 'example-portal-tfstate',
      region: 'eu-west-1',
      dynamodbTable: 'terraform-locks',
    });
  });

  describe('files that are not one valid YAML document', () => {
    const file = (name: string, text: string) => {
      const path = join(mkdtempSync(join(tmpdir(), 'env-')), name);
      writeFileSync(path, text);
      return path;
    };
    const devText = readFileSync(join(examples, 'environments/dev.yaml'), 'utf8');

    it('names the file and the line of a syntax error', () => {
      const path = file('broken.yaml', 'name: dev\nproduction: false\ncloud: { provider: generic\n');
      const message = errorOf(() => loadEnvironmentFile(path));
      expect(message).toMatch(
        new RegExp(
          `^\\[${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+\\] .+\\. Fix the YAML there \\(indent with spaces, not tabs; quote values with ": " or "#" in them\\)\\.$`,
          'm',
        ),
      );
    });

    it('names the file and the line of a tab used for indentation', () => {
      const path = file('tabs.yaml', 'name: dev\ncloud:\n\tprovider: generic\n');
      expect(errorOf(() => loadEnvironmentFile(path))).toContain(`[${path}:3:`);
    });

    it('refuses several documents in one file', () => {
      const path = file('two.yaml', `${devText}\n---\n${devText}`);
      expect(errorOf(() => loadEnvironmentFile(path))).toBe(
        `[${path}] must hold one environment, got 2 YAML documents. Put one environment in each file (no "---" separators).`,
      );
    });
  });

  it('reports every problem of an environment in one error, naming the file', () => {
    const message = errorOf(() =>
      parseEnvironment(
        {
          ...dev(),
          host: 'Backstage',
          cloud: { provider: 'eks', region: 'Ireland', workloadIdentity: 'kiam' },
          replica: 2,
        },
        'environments/dev.yaml',
      ),
    );
    expect(message.split('\n')).toEqual([
      '[environments/dev.yaml] cloud.region: must be a region such as "eu-west-1" or "europe-west1", got "Ireland". Use the cloud\'s region code.',
      '[environments/dev.yaml] cloud.workloadIdentity: must be "irsa" or "pod-identity", got "kiam". Pick how the operators get their IAM roles on EKS.',
      '[environments/dev.yaml] host: must be a fully qualified DNS name, got "Backstage". Use lower-case letters, digits, "-" and ".", with at least two labels and no scheme, port or path (e.g. "backstage.example.com").',
      '[environments/dev.yaml] replica: is not a known property, got 2. Check the spelling against the documented props.',
    ]);
  });

  it('refuses the old autoscaling key targetCpuUtilizationPercent, naming the new one and the file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'env-')), 'old-key.yaml');
    const devText = readFileSync(join(examples, 'environments/dev.yaml'), 'utf8');
    writeFileSync(
      path,
      `${devText}autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilizationPercent: 60 }\n`,
    );
    expect(errorOf(() => loadEnvironmentFile(path)).split('\n')).toEqual([
      `[${path}] autoscaling.targetCpuUtilizationPercent: was renamed to targetCPUUtilizationPercentage, got 60. Rename the key to targetCPUUtilizationPercentage (Kubernetes' spelling); the value stays the same.`,
    ]);
    writeFileSync(
      path,
      `${devText}autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 60 }\n`,
    );
    expect(loadEnvironmentFile(path).autoscaling).toEqual({
      minReplicas: 2,
      maxReplicas: 4,
      targetCPUUtilizationPercentage: 60,
    });
  });

  it('refuses a secret written as a value, without echoing it', () => {
    const message = errorOf(() =>
      parseEnvironment({
        ...dev(),
        secrets: { clientSecret: 'hunter2-hunter2', cookieSecret: { variable: 'c' } },
      }),
    );
    expect(message).toBe(
      '[environment] secrets.clientSecret: must be {variable}, {secret: {name, key}} or {externalSecret: {remoteKey}}, got a plain value (hidden). Secrets are referenced, never written: name a sensitive variable, a Secret key or a key in the secret manager.',
    );
    expect(message).not.toContain('hunter2');
  });

  it('checks the shared access policy', () => {
    expect(
      parseSharedAccessPolicy({
        issuer: { type: 'oidc', issuerUrl: 'https://idp.example.com' },
        clientId: 'c',
        groups: ['g'],
      }).clientId,
    ).toBe('c');
    expect(
      errorOf(() =>
        parseSharedAccessPolicy({
          issuer: { type: 'oidc', issuerUrl: 'http://idp.example.com' },
          clientId: 'c',
        }),
      ),
    ).toBe(
      '[access policy] issuer.issuerUrl: must be an https:// URL, got "http://idp.example.com". Identity and key material must come over TLS: use the https:// address of the endpoint.',
    );
  });

  it('exports a JSON Schema for editors, and the committed copy is current (npm run schema)', () => {
    const schema = environmentJsonSchema();
    expect(schema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['name', 'cloud', 'backend', 'host', 'image', 'secrets']),
    });
    const committed = JSON.parse(readFileSync(join(examples, 'environment.schema.json'), 'utf8'));
    expect(committed).toEqual(schema);
  });
});
