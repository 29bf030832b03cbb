import { describe, expect, it } from 'vitest';

import { ExternalSecret, type ExternalSecretProps } from '../../lib';
import { expectProblems, resourceAt, synth } from '../helpers';

const props: ExternalSecretProps = {
  namespace: 'backstage',
  name: 'github-token',
  store: { name: 'vault', kind: 'ClusterSecretStore' },
  refreshInterval: '1h',
  data: [{ secretKey: 'token', remoteKey: 'platform/github', property: 'token' }],
};

const synthWith = (overrides: Partial<Record<keyof ExternalSecretProps, unknown>>) => () =>
  synth((stack) => new ExternalSecret(stack, 'es', { ...props, ...overrides } as ExternalSecretProps));

describe('ExternalSecret used directly', () => {
  it('renders the ExternalSecret it is given', () => {
    const manifest = resourceAt(
      synth((stack) => new ExternalSecret(stack, 'es', props)),
      'kubernetes_manifest',
      'es/Resource',
    ).manifest;
    expect(manifest.spec.refreshInterval).toBe('1h');
    expect(manifest.spec.data).toEqual([
      { secretKey: 'token', remoteRef: { key: 'platform/github', property: 'token' } },
    ]);
  });

  it('refuses no data, a duplicate key, and the refresh interval the SecretRef path refuses', () => {
    expectProblems(synthWith({ data: [] }), [
      { where: 'test/es', path: 'data', says: ['must list at least one key', 'got []'] },
    ]);
    expectProblems(synthWith({ data: [props.data[0], { secretKey: 'token', remoteKey: 'other' }] }), [
      { where: 'test/es', path: 'data[1].secretKey', says: ['is listed twice', 'got "token"'] },
    ]);
    expectProblems(synthWith({ refreshInterval: '1 hour' }), [
      { where: 'test/es', path: 'refreshInterval', says: ['must be a duration', 'got "1 hour"'] },
    ]);
  });

  it('refuses a bad store and names', () => {
    expectProblems(synthWith({ store: { name: 'vault', kind: 'clusterSecretStore' }, name: 'GitHub' }), [
      { where: 'test/es', path: 'name', says: ['must be a valid Kubernetes object name', 'got "GitHub"'] },
      {
        where: 'test/es',
        path: 'store.kind',
        says: ['must be "SecretStore" or "ClusterSecretStore"', 'got "clusterSecretStore"'],
      },
    ]);
  });
});
