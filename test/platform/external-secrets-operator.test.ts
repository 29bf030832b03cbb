import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';

import { ChartSource, ExternalSecretsOperator, type ExternalSecretsOperatorProps } from '../../lib';
import { expectProblems } from '../helpers';
import { refusedBy, releaseAttributes, synthPlatform, valuesOf } from './platform-helpers';

const synthOperator = (props: (stack: TerraformStack) => ExternalSecretsOperatorProps = () => ({})) =>
  synthPlatform((stack) => new ExternalSecretsOperator(stack, 'eso', props(stack)));
const refused = (props: Record<string, unknown>) =>
  refusedBy((stack) => new ExternalSecretsOperator(stack, 'eso', props as any));

describe('ExternalSecretsOperator', () => {
  it('installs external-secrets 2.9.0 from its Helm repository into external-secrets', () => {
    expect(releaseAttributes(synthOperator(), 'eso')).toEqual({
      name: 'external-secrets',
      namespace: 'external-secrets',
      create_namespace: false,
      depends_on: [expect.stringMatching(/^kubernetes_namespace_v1\.\w+_Namespace_[0-9A-F]{8}$/)],
      repository: 'https://charts.external-secrets.io',
      chart: 'external-secrets',
      version: '2.9.0',
      wait: true,
      atomic: true,
      cleanup_on_fail: true,
      timeout: 600,
      max_history: 10,
    });
  });

  it('installs the CRDs and runs a leader-elected controller and its webhook twice, with disruption budgets', () => {
    expect(valuesOf(synthOperator(), 'eso')).toEqual({
      installCRDs: true,
      replicaCount: 2,
      leaderElect: true,
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      webhook: { replicaCount: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } },
      serviceMonitor: { enabled: false },
    });
  });

  it('runs one replica without leader election or disruption budgets when asked', () => {
    const values = valuesOf(
      synthOperator(() => ({ replicas: 1 })),
      'eso',
    );
    expect(values).toMatchObject({
      replicaCount: 1,
      leaderElect: false,
      podDisruptionBudget: { enabled: false },
      webhook: { replicaCount: 1, podDisruptionBudget: { enabled: false } },
    });
  });

  it('carries workload identity for the secret store: ServiceAccount annotations and pod labels', () => {
    const values = valuesOf(
      synthOperator(() => ({
        serviceAccountAnnotations: {
          'iam.gke.io/gcp-service-account': 'eso@project.iam.gserviceaccount.com',
        },
        podLabels: { team: 'platform' },
        serviceMonitor: true,
      })),
      'eso',
    );
    expect(values.serviceAccount).toEqual({
      annotations: { 'iam.gke.io/gcp-service-account': 'eso@project.iam.gserviceaccount.com' },
    });
    expect(values.podLabels).toEqual({ team: 'platform' });
    expect(values.serviceMonitor).toEqual({ enabled: true });
  });

  it('installs from a mirror into another namespace without creating it', () => {
    expect(
      releaseAttributes(
        synthOperator(() => ({
          namespace: 'secrets',
          createNamespace: false,
          chart: ChartSource.repository(
            'https://charts.mirror.example.com/eso',
            'external-secrets',
            '2.14.0',
          ),
        })),
        'eso',
      ),
    ).toMatchObject({
      namespace: 'secrets',
      create_namespace: false,
      repository: 'https://charts.mirror.example.com/eso',
      chart: 'external-secrets',
      version: '2.14.0',
    });
  });

  it('refuses a fractional replica count, a bad label key and an unknown prop', () => {
    expectProblems(refused({ replicas: 1.5, podLabels: { 'Team Name': 'x' }, installCRDs: false }), [
      { where: 'test/eso', path: 'replicas', says: ['replicas must be a whole number', 'got 1.5'] },
      {
        where: 'test/eso',
        path: 'podLabels.Team Name',
        says: ['is not a valid label key', 'got "Team Name"'],
      },
      { where: 'test/eso', path: 'installCRDs', says: ['is not a known property', 'got false'] },
    ]);
  });
});
