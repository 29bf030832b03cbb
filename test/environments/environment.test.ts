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
import { expectProblems, problemsOf } from '../helpers';

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
      const problems = problemsOf(() => loadEnvironmentFile(path));
      expect(problems.length).toBeGreaterThan(0);
      for (const problem of problems) {
        // The parser's own wording is not ours to pin; the file, the line and the fix are.
        expect(problem.where).toMatch(
          new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+$`),
        );
        expect(problem.path).toBe('');
        expect(problem.message).toContain('Fix the YAML there (indent with spaces, not tabs');
      }
    });

    it('names the file and the line of a tab used for indentation', () => {
      const path = file('tabs.yaml', 'name: dev\ncloud:\n\tprovider: generic\n');
      expect(problemsOf(() => loadEnvironmentFile(path)).map((p) => p.where)).toContainEqual(
        expect.stringMatching(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:`)),
      );
    });

    it('refuses several documents in one file', () => {
      const path = file('two.yaml', `${devText}\n---\n${devText}`);
      expectProblems(
        () => loadEnvironmentFile(path),
        [
          {
            where: path,
            path: '',
            says: ['must hold one environment', 'got 2 YAML documents', 'no "---" separators'],
          },
        ],
      );
    });
  });

  it('reports every problem of an environment in one error, naming the file', () => {
    const where = 'environments/dev.yaml';
    expectProblems(
      () =>
        parseEnvironment(
          {
            ...dev(),
            host: 'Backstage',
            cloud: { provider: 'eks', region: 'Ireland', workloadIdentity: 'kiam' },
            replica: 2,
          },
          'environments/dev.yaml',
        ),
      [
        {
          where,
          path: 'cloud.region',
          says: ['must be a region such as "eu-west-1" or "europe-west1"', 'got "Ireland"'],
        },
        { where, path: 'cloud.workloadIdentity', says: ['must be "irsa" or "pod-identity"', 'got "kiam"'] },
        { where, path: 'host', says: ['must be a fully qualified DNS name', 'got "Backstage"'] },
        { where, path: 'replica', says: ['is not a known property', 'got 2'] },
      ],
    );
  });

  it('refuses the old autoscaling key targetCpuUtilizationPercent, naming the new one and the file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'env-')), 'old-key.yaml');
    const devText = readFileSync(join(examples, 'environments/dev.yaml'), 'utf8');
    writeFileSync(
      path,
      `${devText}autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilizationPercent: 60 }\n`,
    );
    expectProblems(
      () => loadEnvironmentFile(path),
      [
        {
          where: path,
          path: 'autoscaling.targetCpuUtilizationPercent',
          says: [
            'was renamed to targetCPUUtilizationPercentage',
            'got 60',
            'Rename the key to targetCPUUtilizationPercentage',
          ],
        },
      ],
    );
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
    const [problem] = expectProblems(
      () =>
        parseEnvironment({
          ...dev(),
          secrets: { clientSecret: 'hunter2-hunter2', cookieSecret: { variable: 'c' } },
        }),
      [
        {
          where: 'environment',
          path: 'secrets.clientSecret',
          says: [
            'must be {variable}, {secret: {name, key}} or {externalSecret: {remoteKey}}',
            'got a plain value (hidden)',
            'Secrets are referenced, never written',
          ],
        },
      ],
    );
    expect(problem!.message).not.toContain('hunter2');
  });

  it('checks the shared access policy', () => {
    expect(
      parseSharedAccessPolicy({
        issuer: { type: 'oidc', issuerUrl: 'https://idp.example.com' },
        clientId: 'c',
        groups: ['g'],
      }).clientId,
    ).toBe('c');
    expectProblems(
      () =>
        parseSharedAccessPolicy({
          issuer: { type: 'oidc', issuerUrl: 'http://idp.example.com' },
          clientId: 'c',
        }),
      [
        {
          where: 'access policy',
          path: 'issuer.issuerUrl',
          says: ['must be an https:// URL', 'got "http://idp.example.com"'],
        },
      ],
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
