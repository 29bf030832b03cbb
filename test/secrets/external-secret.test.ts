import { describe, expect, it } from 'vitest';
import { ExternalSecret, type ExternalSecretProps } from '../../lib';
import { errorOf, resourceAt, synth } from '../helpers';

const props: ExternalSecretProps = {
  namespace: 'backstage',
  name: 'github-token',
  store: { name: 'vault', kind: 'ClusterSecretStore' },
  refreshInterval: '1h',
  data: [{ secretKey: 'token', remoteKey: 'platform/github', property: 'token' }],
};

const errorsOf = (overrides: Partial<Record<keyof ExternalSecretProps, unknown>>) =>
  errorOf(() => synth((stack) => new ExternalSecret(stack, 'es', { ...props, ...overrides } as ExternalSecretProps))).split('\n');

describe('ExternalSecret used directly', () => {
  it('renders the ExternalSecret it is given', () => {
    const manifest = resourceAt(synth((stack) => new ExternalSecret(stack, 'es', props)), 'kubernetes_manifest', 'es/Resource').manifest;
    expect(manifest.spec.refreshInterval).toBe('1h');
    expect(manifest.spec.data).toEqual([{ secretKey: 'token', remoteRef: { key: 'platform/github', property: 'token' } }]);
  });

  it('refuses no data, a duplicate key, and the refresh interval the SecretRef path refuses', () => {
    expect(errorsOf({ data: [] })).toEqual([
      '[test/es] data: must list at least one key, got []. An ExternalSecret without data writes an empty Secret: add { secretKey, remoteKey } entries.',
    ]);
    expect(errorsOf({ data: [props.data[0], { secretKey: 'token', remoteKey: 'other' }] })).toEqual([
      '[test/es] data[1].secretKey: is listed twice, got "token". Each key of the Secret comes from one remote value: remove or rename the duplicate.',
    ]);
    expect(errorsOf({ refreshInterval: '1 hour' })).toEqual([
      '[test/es] refreshInterval: must be a duration such as "30m", "1h" or "168h", got "1 hour". Use a number followed by "s", "m" or "h" (combinations like "1h30m" work too).',
    ]);
  });

  it('refuses a bad store and names', () => {
    expect(errorsOf({ store: { name: 'vault', kind: 'clusterSecretStore' }, name: 'GitHub' })).toEqual([
      '[test/es] name: must be a valid Kubernetes object name (RFC 1123 subdomain), got "GitHub". Use at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit.',
      '[test/es] store.kind: must be "SecretStore" or "ClusterSecretStore", got "clusterSecretStore". Use ClusterSecretStore for a store shared by all namespaces.',
    ]);
  });
});
