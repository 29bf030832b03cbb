import { describe, expect, it } from 'vitest';

import { KubernetesResource, SecretStore, type SecretStoreProps, SecretStoreProvider } from '../../lib';
import { expectProblems, resourceAt, synth, type TfJson } from '../helpers';

const synthStore = (props: SecretStoreProps): TfJson =>
  synth((stack) => new SecretStore(stack, 'store', props));
const manifestOf = (json: TfJson) => resourceAt(json, 'kubernetes_manifest', 'store/Resource').manifest;

describe('SecretStore', () => {
  it('renders a namespaced external-secrets.io/v1 SecretStore, its references without a namespace', () => {
    const json = synthStore({
      namespace: 'backstage',
      provider: SecretStoreProvider.vault({
        server: 'https://vault.example.com',
        role: 'backstage',
        serviceAccount: { name: 'backstage-vault', namespace: 'backstage' },
        caProvider: { type: 'ConfigMap', name: 'corp-ca', key: 'ca.crt', namespace: 'backstage' },
      }),
    });
    expect(manifestOf(json)).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: {
        name: 'vault',
        namespace: 'backstage',
        labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
      },
      spec: {
        provider: {
          vault: {
            server: 'https://vault.example.com',
            path: 'secret',
            version: 'v2',
            caProvider: { type: 'ConfigMap', name: 'corp-ca', key: 'ca.crt' },
            auth: {
              kubernetes: {
                mountPath: 'kubernetes',
                role: 'backstage',
                serviceAccountRef: { name: 'backstage-vault' },
              },
            },
          },
        },
      },
    });
  });

  it("reads another namespace's Secrets with the kubernetes provider as a ServiceAccount of its own namespace", () => {
    const json = synthStore({
      namespace: 'backstage',
      name: 'platform-secrets',
      provider: SecretStoreProvider.kubernetes({
        remoteNamespace: 'platform-secrets',
        serviceAccount: { name: 'backstage-secrets-reader', namespace: 'backstage' },
        secretNames: ['backstage-database'],
      }),
    });
    const store = resourceAt(json, 'kubernetes_manifest', 'store/Resource');
    expect(store.manifest.spec.provider.kubernetes).toEqual({
      remoteNamespace: 'platform-secrets',
      server: {
        url: 'https://kubernetes.default.svc',
        caProvider: { type: 'ConfigMap', name: 'kube-root-ca.crt', key: 'ca.crt' },
      },
      auth: { serviceAccount: { name: 'backstage-secrets-reader' } },
    });
    // The reader lives beside the store; its Role is in the namespace it reads.
    expect(resourceAt(json, 'kubernetes_service_account_v1', 'store/Reader').metadata).toMatchObject({
      name: 'backstage-secrets-reader',
      namespace: 'backstage',
    });
    expect(resourceAt(json, 'kubernetes_role_v1', 'store/ReadRole').metadata).toMatchObject({
      name: 'backstage-platform-secrets-reader',
      namespace: 'platform-secrets',
    });
    expect(resourceAt(json, 'kubernetes_role_binding_v1', 'store/ReadRoleBinding').subject).toEqual([
      expect.objectContaining({ kind: 'ServiceAccount', namespace: 'backstage' }),
    ]);
    expect(store.depends_on).toEqual([expect.stringMatching(/^kubernetes_role_binding_v1\./)]);
  });

  it('is created after a namespace of the same stack when given its reference, as its reader is', () => {
    const json = synth((stack) => {
      const team = new KubernetesResource(stack, 'TeamNamespace', 'kubernetes_namespace_v1', {
        metadata: { name: 'team-a' },
      });
      new SecretStore(stack, 'store', {
        namespace: team.metadataName,
        provider: SecretStoreProvider.kubernetes({
          remoteNamespace: 'platform-secrets',
          serviceAccount: { name: 'team-a-reader', namespace: team.metadataName },
        }),
      });
    });
    const namespaceRef = '${kubernetes_namespace_v1.TeamNamespace.metadata[0].name}';
    expect(resourceAt(json, 'kubernetes_manifest', 'store/Resource').manifest.metadata.namespace).toBe(
      namespaceRef,
    );
    expect(resourceAt(json, 'kubernetes_service_account_v1', 'store/Reader').metadata.namespace).toBe(
      namespaceRef,
    );
    expect(resourceAt(json, 'kubernetes_role_binding_v1', 'store/ReadRoleBinding').subject[0].namespace).toBe(
      namespaceRef,
    );
  });

  it('gives SecretRef.fromExternalSecret a SecretStore reference', () => {
    synth((stack) => {
      const store = new SecretStore(stack, 'store', {
        namespace: 'backstage',
        provider: SecretStoreProvider.awsSecretsManager({ region: 'eu-central-1' }),
      });
      expect(store.reference).toEqual({ name: 'aws-secrets-manager', kind: 'SecretStore' });
      expect(store.namespace).toBe('backstage');
    });
  });

  it('refuses a ServiceAccount or CA of another namespace, once for a default CA that follows the ServiceAccount', () => {
    expectProblems(
      () =>
        synthStore({
          namespace: 'backstage',
          provider: SecretStoreProvider.vault({
            server: 'https://vault.example.com',
            role: 'backstage',
            serviceAccount: { name: 'eso-reader', namespace: 'platform-secrets' },
            caProvider: { type: 'Secret', name: 'corp-ca', key: 'ca.crt', namespace: 'external-secrets' },
          }),
        }),
      [
        {
          where: 'test/store',
          path: 'provider.serviceAccount.namespace',
          says: [
            `must be the SecretStore's namespace "backstage"`,
            'got "platform-secrets"',
            'use a ClusterSecretStore limited to the namespaces that need it',
          ],
        },
        {
          where: 'test/store',
          path: 'provider.caProvider.namespace',
          says: [`must be the SecretStore's namespace "backstage"`, 'got "external-secrets"'],
        },
      ],
    );
    expectProblems(
      () =>
        synthStore({
          namespace: 'backstage',
          provider: SecretStoreProvider.kubernetes({
            remoteNamespace: 'platform-secrets',
            serviceAccount: { name: 'reader', namespace: 'platform-secrets' },
          }),
        }),
      [
        {
          where: 'test/store',
          path: 'provider.serviceAccount.namespace',
          says: [`must be the SecretStore's namespace "backstage"`, 'got "platform-secrets"'],
        },
      ],
    );
  });

  it("refuses a bad namespace, the provider's own bad options, and a second store of one name in a namespace", () => {
    expectProblems(
      () =>
        synthStore({
          namespace: 'Backstage',
          provider: SecretStoreProvider.kubernetes({
            remoteNamespace: 'platform-secrets',
            serviceAccount: { name: 'reader' } as never,
          }),
        }),
      [
        {
          where: 'test/store',
          path: 'namespace',
          says: ['must be a valid namespace name', 'got "Backstage"'],
        },
        {
          where: 'test/store',
          path: 'provider.serviceAccount.namespace',
          says: ['is required, got nothing'],
        },
      ],
    );
    const vault = SecretStoreProvider.vault({ server: 'https://vault.example.com', role: 'a' });
    expectProblems(
      () =>
        synth((stack) => {
          new SecretStore(stack, 'a', { namespace: 'backstage', provider: vault });
          new SecretStore(stack, 'other-namespace', { namespace: 'tools', provider: vault });
          new SecretStore(stack, 'b', { namespace: 'backstage', provider: vault });
        }),
      [
        {
          where: 'test/b',
          path: 'name',
          says: ['is already used by the SecretStore at test/a in namespace backstage', 'got "vault"'],
        },
      ],
    );
  });
});
