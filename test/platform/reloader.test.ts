import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';

import { ChartSource, Reloader, type ReloaderProps } from '../../lib';
import { chartFixture, expectProblems } from '../helpers';
import { refusedBy, releaseAttributes, synthPlatform, valuesOf } from './platform-helpers';

const synthReloader = (props: (stack: TerraformStack) => ReloaderProps = () => ({})) =>
  synthPlatform((stack) => new Reloader(stack, 'reloader', props(stack)));
const refused = (props: Record<string, unknown>) =>
  refusedBy((stack) => new Reloader(stack, 'reloader', props as any));

describe('Reloader', () => {
  it('installs reloader 2.2.11 from the stakater repository into reloader', () => {
    expect(releaseAttributes(synthReloader(), 'reloader')).toEqual({
      name: 'reloader',
      namespace: 'reloader',
      create_namespace: false,
      depends_on: [expect.stringMatching(/^kubernetes_namespace_v1\.\w+_Namespace_[0-9A-F]{8}$/)],
      repository: 'https://stakater.github.io/stakater-charts',
      chart: 'reloader',
      version: '2.2.11',
      wait: true,
      atomic: true,
      cleanup_on_fail: true,
      timeout: 600,
      max_history: 10,
    });
  });

  it('watches every namespace, restarts through a pod-template annotation and logs JSON', () => {
    expect(valuesOf(synthReloader(), 'reloader')).toEqual({
      reloader: {
        watchGlobally: true,
        reloadStrategy: 'annotations',
        logFormat: 'json',
        enableHA: false,
        deployment: {
          replicas: 1,
          resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '100m', memory: '256Mi' } },
        },
        podDisruptionBudget: { enabled: false },
      },
    });
  });

  it('elects a leader and keeps one pod up with two replicas', () => {
    const values = valuesOf(
      synthReloader(() => ({
        replicas: 2,
        reloadStrategy: 'env-vars',
        serviceAccountAnnotations: { team: 'platform' },
      })),
      'reloader',
    );
    expect(values.reloader).toMatchObject({
      enableHA: true,
      reloadStrategy: 'env-vars',
      deployment: { replicas: 2 },
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
      serviceAccount: { annotations: { team: 'platform' } },
    });
  });

  it('installs a local fixture chart (tests against a fake cluster turn waiting off)', () => {
    expect(
      releaseAttributes(
        synthReloader(() => ({
          chart: ChartSource.localPath(chartFixture('fixtures/reloader')),
          wait: false,
        })),
        'reloader',
      ),
    ).toEqual({
      name: 'reloader',
      namespace: 'reloader',
      create_namespace: false,
      depends_on: [expect.stringMatching(/^kubernetes_namespace_v1\.\w+_Namespace_[0-9A-F]{8}$/)],
      chart: chartFixture('fixtures/reloader'),
      wait: false,
      atomic: false,
      cleanup_on_fail: true,
      timeout: 600,
      max_history: 10,
    });
  });

  it('refuses an unknown reload strategy and bad resources', () => {
    expectProblems(refused({ reloadStrategy: 'rollout', resources: { requests: { cpu: 'one' } } }), [
      {
        where: 'test/reloader',
        path: 'resources.requests.cpu',
        says: ['must be a Kubernetes quantity', 'got "one"'],
      },
      {
        where: 'test/reloader',
        path: 'reloadStrategy',
        says: ['must be "annotations" or "env-vars"', 'got "rollout"'],
      },
    ]);
  });
});
