import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';

import { ClusterSecretStore, type ClusterSecretStoreProps, SecretRef, SecretStoreProvider } from '../../lib';
import { expectProblems, resourceAt, resourcesOf, synth, type TfJson } from '../helpers';

const synthStore = (props: ClusterSecretStoreProps): TfJson =>
  synth((stack) => new ClusterSecretStore(stack, 'store', props));
const manifestOf = (json: TfJson) => resourceAt(json, 'kubernetes_manifest', 'store/Resource').manifest;
const specOf = (provider: SecretStoreProvider) => manifestOf(synthStore({ provider })).spec;

const SA = { name: 'eso-reader', namespace: 'platform-secrets' };

describe('ClusterSecretStore', () => {
  it("renders an external-secrets.io/v1 ClusterSecretStore for AWS Secrets Manager, with the operator's own identity", () => {
    expect(
      manifestOf(synthStore({ provider: SecretStoreProvider.awsSecretsManager({ region: 'eu-central-1' }) })),
    ).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: {
        name: 'aws-secrets-manager',
        labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
      },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'eu-central-1' } } },
    });
  });

  describe('awsSecretsManager', () => {
    it('assumes a role and authenticates with a ServiceAccount token (jwt)', () => {
      const provider = SecretStoreProvider.awsSecretsManager({
        region: 'us-east-1',
        role: 'arn:aws:iam::123456789012:role/backstage-secrets',
        serviceAccount: { ...SA, audiences: ['sts.amazonaws.com'] },
      });
      expect(specOf(provider)).toEqual({
        provider: {
          aws: {
            service: 'SecretsManager',
            region: 'us-east-1',
            role: 'arn:aws:iam::123456789012:role/backstage-secrets',
            auth: {
              jwt: {
                serviceAccountRef: {
                  name: 'eso-reader',
                  namespace: 'platform-secrets',
                  audiences: ['sts.amazonaws.com'],
                },
              },
            },
          },
        },
      });
      expect(provider.provider).toBe('aws');
      expect(provider.defaultStoreName).toBe('aws-secrets-manager');
    });

    it('refuses a bad region and role, and a ServiceAccount without namespace', () => {
      expectProblems(
        () =>
          synthStore({
            provider: SecretStoreProvider.awsSecretsManager({
              region: 'eu-central',
              role: 'backstage-secrets',
              serviceAccount: { name: 'eso' } as never,
            }),
          }),
        [
          {
            where: 'test/store',
            path: 'provider.region',
            says: ['must be an AWS region code', 'got "eu-central"'],
          },
          {
            where: 'test/store',
            path: 'provider.role',
            says: ['must be an IAM role ARN', 'got "backstage-secrets"'],
          },
          {
            where: 'test/store',
            path: 'provider.serviceAccount.namespace',
            says: ['is required', 'got nothing'],
          },
        ],
      );
    });
  });

  describe('gcpSecretManager', () => {
    it("renders the project, with the operator's own Workload Identity", () => {
      expect(specOf(SecretStoreProvider.gcpSecretManager({ projectId: 'platform-secrets-4711' }))).toEqual({
        provider: { gcpsm: { projectID: 'platform-secrets-4711' } },
      });
    });

    it('renders a referenced Workload Identity ServiceAccount with the cluster and a location', () => {
      const provider = SecretStoreProvider.gcpSecretManager({
        projectId: 'platform-secrets-4711',
        location: 'europe-west1',
        serviceAccount: SA,
        clusterName: 'prod-eu',
        clusterLocation: 'europe-west1',
        clusterProjectId: 'platform-clusters-4711',
      });
      expect(specOf(provider)).toEqual({
        provider: {
          gcpsm: {
            projectID: 'platform-secrets-4711',
            location: 'europe-west1',
            auth: {
              workloadIdentity: {
                serviceAccountRef: { name: 'eso-reader', namespace: 'platform-secrets' },
                clusterLocation: 'europe-west1',
                clusterName: 'prod-eu',
                clusterProjectID: 'platform-clusters-4711',
              },
            },
          },
        },
      });
    });

    it('refuses a project name, a bad location and cluster name', () => {
      expectProblems(
        () =>
          synthStore({
            provider: SecretStoreProvider.gcpSecretManager({
              projectId: 'My Project',
              location: 'Europe',
              clusterName: 'Prod_EU',
            }),
          }),
        [
          {
            where: 'test/store',
            path: 'provider.projectId',
            says: ['must be a Google Cloud project id', 'got "My Project"'],
          },
          {
            where: 'test/store',
            path: 'provider.location',
            says: ['must be a Google Cloud region or zone', 'got "Europe"'],
          },
          {
            where: 'test/store',
            path: 'provider.clusterName',
            says: ['must be a GKE cluster name', 'got "Prod_EU"'],
          },
        ],
      );
    });
  });

  describe('azureKeyVault', () => {
    it("uses Workload Identity with the operator's own identity", () => {
      expect(
        specOf(SecretStoreProvider.azureKeyVault({ vaultUrl: 'https://platform-kv.vault.azure.net' })),
      ).toEqual({
        provider: {
          azurekv: { authType: 'WorkloadIdentity', vaultUrl: 'https://platform-kv.vault.azure.net' },
        },
      });
    });

    it('renders the tenant and a referenced ServiceAccount', () => {
      const provider = SecretStoreProvider.azureKeyVault({
        vaultUrl: 'https://platform-kv.vault.azure.net',
        tenantId: '99999999-8888-7777-6666-555555555555',
        serviceAccount: SA,
      });
      expect(specOf(provider)).toEqual({
        provider: {
          azurekv: {
            authType: 'WorkloadIdentity',
            vaultUrl: 'https://platform-kv.vault.azure.net',
            tenantId: '99999999-8888-7777-6666-555555555555',
            serviceAccountRef: { name: 'eso-reader', namespace: 'platform-secrets' },
          },
        },
      });
      expect(provider.defaultStoreName).toBe('azure-key-vault');
    });

    it('refuses a plain-http vault URL and a tenant that is not a GUID', () => {
      expectProblems(
        () =>
          synthStore({
            provider: SecretStoreProvider.azureKeyVault({
              vaultUrl: 'http://platform-kv.vault.azure.net',
              tenantId: 'contoso',
            }),
          }),
        [
          {
            where: 'test/store',
            path: 'provider.vaultUrl',
            says: ['must be an https:// URL', 'got "http://platform-kv.vault.azure.net"'],
          },
          {
            where: 'test/store',
            path: 'provider.tenantId',
            says: ['must be the directory (tenant) id, a GUID', 'got "contoso"'],
          },
        ],
      );
    });
  });

  describe('vault', () => {
    it('defaults to KV v2 at "secret" and the Kubernetes auth method at "kubernetes"', () => {
      expect(
        specOf(SecretStoreProvider.vault({ server: 'https://vault.example.com:8200', role: 'backstage' })),
      ).toEqual({
        provider: {
          vault: {
            server: 'https://vault.example.com:8200',
            path: 'secret',
            version: 'v2',
            auth: { kubernetes: { mountPath: 'kubernetes', role: 'backstage' } },
          },
        },
      });
    });

    it('renders every option', () => {
      const provider = SecretStoreProvider.vault({
        server: 'https://vault.internal.example.com',
        path: 'platform/kv',
        version: 'v1',
        namespace: 'platform',
        role: 'external-secrets',
        mountPath: 'k8s-prod',
        serviceAccount: SA,
        caProvider: { type: 'ConfigMap', name: 'corp-root-ca', key: 'ca.crt', namespace: 'external-secrets' },
      });
      expect(specOf(provider)).toEqual({
        provider: {
          vault: {
            server: 'https://vault.internal.example.com',
            path: 'platform/kv',
            version: 'v1',
            namespace: 'platform',
            caProvider: {
              type: 'ConfigMap',
              name: 'corp-root-ca',
              key: 'ca.crt',
              namespace: 'external-secrets',
            },
            auth: {
              kubernetes: {
                mountPath: 'k8s-prod',
                role: 'external-secrets',
                serviceAccountRef: { name: 'eso-reader', namespace: 'platform-secrets' },
              },
            },
          },
        },
      });
      expect(provider.defaultStoreName).toBe('vault');
    });

    it('refuses plain http, a leading slash, an unknown version, a role with spaces and a bad CA source', () => {
      expectProblems(
        () =>
          synthStore({
            provider: SecretStoreProvider.vault({
              server: 'http://vault.example.com:8200',
              path: '/secret',
              version: 'v3' as never,
              role: 'backstage reader',
              mountPath: '/kubernetes',
              caProvider: {
                type: 'File' as never,
                name: 'corp-root-ca',
                key: 'ca.crt',
                namespace: 'external-secrets',
              },
            }),
          }),
        [
          {
            where: 'test/store',
            path: 'provider.server',
            says: ['must be an https:// URL', 'got "http://vault.example.com:8200"'],
          },
          {
            where: 'test/store',
            path: 'provider.path',
            says: ['must be the mount path of the KV engine', 'got "/secret"', 'without a leading "/"'],
          },
          { where: 'test/store', path: 'provider.version', says: ['must be "v1" or "v2"', 'got "v3"'] },
          {
            where: 'test/store',
            path: 'provider.role',
            says: ['must be the name of a Vault role', 'got "backstage reader"'],
          },
          {
            where: 'test/store',
            path: 'provider.mountPath',
            says: [
              'must be the mount path of the Kubernetes auth method',
              'got "/kubernetes"',
              'without a leading "/"',
            ],
          },
          {
            where: 'test/store',
            path: 'provider.caProvider.type',
            says: ['must be "Secret" or "ConfigMap"', 'got "File"'],
          },
        ],
      );
    });
  });

  describe('kubernetes', () => {
    const READER = { name: 'backstage-secrets-reader', namespace: 'platform-secrets' };

    it("reads this cluster's API server with the CA Kubernetes publishes, as the ServiceAccount, and renders its get access to the namespace's Secrets", () => {
      const json = synthStore({
        provider: SecretStoreProvider.kubernetes({
          remoteNamespace: 'platform-secrets',
          serviceAccount: READER,
        }),
        namespaces: ['backstage'],
      });
      const manifest = manifestOf(json);
      expect(manifest.metadata.name).toBe('kubernetes-platform-secrets');
      expect(manifest.spec).toEqual({
        provider: {
          kubernetes: {
            remoteNamespace: 'platform-secrets',
            server: {
              url: 'https://kubernetes.default.svc',
              caProvider: {
                type: 'ConfigMap',
                name: 'kube-root-ca.crt',
                key: 'ca.crt',
                namespace: 'platform-secrets',
              },
            },
            auth: { serviceAccount: { name: 'backstage-secrets-reader', namespace: 'platform-secrets' } },
          },
        },
        conditions: [{ namespaces: ['backstage'] }],
      });
      expect(resourceAt(json, 'kubernetes_service_account_v1', 'store/Reader')).toMatchObject({
        metadata: {
          name: 'backstage-secrets-reader',
          namespace: 'platform-secrets',
          labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
        },
        automount_service_account_token: false,
      });
      expect(resourceAt(json, 'kubernetes_role_v1', 'store/ReadRole')).toMatchObject({
        metadata: {
          name: 'kubernetes-platform-secrets-reader',
          namespace: 'platform-secrets',
          labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
        },
      });
      // Exactly get, on any Secret of the namespace: no list, no resourceNames.
      expect(resourceAt(json, 'kubernetes_role_v1', 'store/ReadRole').rule).toEqual([
        { api_groups: [''], resources: ['secrets'], verbs: ['get'] },
      ]);
      const binding = resourceAt(json, 'kubernetes_role_binding_v1', 'store/ReadRoleBinding');
      expect(binding).toMatchObject({
        metadata: { name: 'kubernetes-platform-secrets-reader', namespace: 'platform-secrets' },
        role_ref: { api_group: 'rbac.authorization.k8s.io', kind: 'Role' },
        subject: [{ kind: 'ServiceAccount', namespace: 'platform-secrets' }],
      });
      // By reference, so the binding waits for the Role and the ServiceAccount.
      expect(binding.role_ref.name).toMatch(
        /^\$\{kubernetes_role_v1\.store_ReadRole_[0-9A-F]+\.metadata\[0\]\.name\}$/,
      );
      expect(binding.subject[0].name).toMatch(
        /^\$\{kubernetes_service_account_v1\.store_Reader_[0-9A-F]+\.metadata\[0\]\.name\}$/,
      );
      const store = resourceAt(json, 'kubernetes_manifest', 'store/Resource');
      expect(store.depends_on).toEqual([
        expect.stringMatching(/^kubernetes_role_binding_v1\.store_ReadRoleBinding_/),
      ]);
    });

    it('limits the Role to secretNames', () => {
      const json = synthStore({
        provider: SecretStoreProvider.kubernetes({
          remoteNamespace: 'platform-secrets',
          serviceAccount: READER,
          secretNames: ['backstage-database', 'backstage-github'],
        }),
      });
      expect(resourceAt(json, 'kubernetes_role_v1', 'store/ReadRole').rule).toEqual([
        {
          api_groups: [''],
          resources: ['secrets'],
          verbs: ['get'],
          resource_names: ['backstage-database', 'backstage-github'],
        },
      ]);
    });

    it("reads another cluster at server with that cluster's CA, and renders no access here", () => {
      const json = synthStore({
        provider: SecretStoreProvider.kubernetes({
          remoteNamespace: 'shared-secrets',
          serviceAccount: { ...READER, audiences: ['https://secrets.example.com'] },
          server: 'https://api.secrets.example.com:6443',
          caProvider: {
            type: 'Secret',
            name: 'secrets-cluster-ca',
            key: 'ca.crt',
            namespace: 'external-secrets',
          },
        }),
      });
      expect(manifestOf(json).spec.provider.kubernetes).toEqual({
        remoteNamespace: 'shared-secrets',
        server: {
          url: 'https://api.secrets.example.com:6443',
          caProvider: {
            type: 'Secret',
            name: 'secrets-cluster-ca',
            key: 'ca.crt',
            namespace: 'external-secrets',
          },
        },
        auth: {
          serviceAccount: {
            name: 'backstage-secrets-reader',
            namespace: 'platform-secrets',
            audiences: ['https://secrets.example.com'],
          },
        },
      });
      expect(resourcesOf(json, 'kubernetes_role_v1')).toEqual({});
      expect(resourcesOf(json, 'kubernetes_role_binding_v1')).toEqual({});
      expect(resourcesOf(json, 'kubernetes_service_account_v1')).toEqual({});
      expect(resourceAt(json, 'kubernetes_manifest', 'store/Resource').depends_on).toBeUndefined();
    });

    it('renders no access with grantRead false', () => {
      const json = synthStore({
        provider: SecretStoreProvider.kubernetes({
          remoteNamespace: 'platform-secrets',
          serviceAccount: READER,
          grantRead: false,
        }),
      });
      expect(resourcesOf(json, 'kubernetes_role_v1')).toEqual({});
      expect(manifestOf(json).spec.provider.kubernetes.server.url).toBe('https://kubernetes.default.svc');
    });

    it('refuses another cluster without its CA, grantRead there, secretNames without grantRead and bad names', () => {
      expectProblems(
        () =>
          synthStore({
            provider: SecretStoreProvider.kubernetes({
              remoteNamespace: 'Platform_Secrets',
              serviceAccount: { name: 'reader' } as never,
              server: 'http://api.secrets.example.com',
              grantRead: true,
              secretNames: [],
            }),
          }),
        [
          {
            where: 'test/store',
            path: 'provider.remoteNamespace',
            says: ['must be a valid namespace name', 'got "Platform_Secrets"'],
          },
          {
            where: 'test/store',
            path: 'provider.serviceAccount.namespace',
            says: ['is required, got nothing'],
          },
          {
            where: 'test/store',
            path: 'provider.server',
            says: ['must be an https:// URL', 'got "http://api.secrets.example.com"'],
          },
          {
            where: 'test/store',
            path: 'provider.secretNames',
            says: ['must list at least one Secret when given', 'got []'],
          },
        ],
      );
      expectProblems(
        () =>
          synthStore({
            provider: SecretStoreProvider.kubernetes({
              remoteNamespace: 'shared-secrets',
              serviceAccount: READER,
              server: 'https://api.secrets.example.com:6443',
              grantRead: true,
            }),
          }),
        [
          {
            where: 'test/store',
            path: 'provider.caProvider',
            says: ['is required with server', "kube-root-ca.crt does not sign another cluster's"],
          },
          {
            where: 'test/store',
            path: 'provider.grantRead',
            says: ['cannot be true with server', "grant the ServiceAccount's user access there"],
          },
        ],
      );
      expectProblems(
        () =>
          synthStore({
            provider: SecretStoreProvider.kubernetes({
              remoteNamespace: 'platform-secrets',
              serviceAccount: READER,
              grantRead: false,
              secretNames: ['backstage-database'],
            }),
          }),
        [{ where: 'test/store', path: 'provider.secretNames', says: ['needs grantRead'] }],
      );
    });
  });

  it('uses the given name and limits the store to the given namespaces', () => {
    const manifest = manifestOf(
      synthStore({
        provider: SecretStoreProvider.awsSecretsManager({ region: 'eu-central-1' }),
        name: 'prod-secrets',
        namespaces: ['backstage', 'backstage-staging'],
      }),
    );
    expect(manifest.metadata.name).toBe('prod-secrets');
    expect(manifest.spec).toEqual({
      provider: { aws: { service: 'SecretsManager', region: 'eu-central-1' } },
      conditions: [{ namespaces: ['backstage', 'backstage-staging'] }],
    });
  });

  it('gives SecretRef.fromExternalSecret the store reference', () => {
    const json = synth((stack) => {
      const store = new ClusterSecretStore(stack, 'store', {
        provider: SecretStoreProvider.gcpSecretManager({ projectId: 'platform-secrets-4711' }),
      });
      expect(store.reference).toEqual({ name: 'gcp-secret-manager', kind: 'ClusterSecretStore' });
      expect(store.storeName).toBe('gcp-secret-manager');
      SecretRef.fromExternalSecret({ store: store.reference, remoteKey: 'backstage-github-token' }).bind({
        scope: new Construct(stack, 'consumer'),
        namespace: 'backstage',
      });
    });
    const external = Object.values(resourcesOf(json, 'kubernetes_manifest')).find(
      (r) => r.manifest.kind === 'ExternalSecret',
    );
    expect(external.manifest.spec.secretStoreRef).toEqual({
      name: 'gcp-secret-manager',
      kind: 'ClusterSecretStore',
    });
  });

  it('refuses a second store of the same name in one stack', () => {
    expectProblems(
      () =>
        synth((stack) => {
          new ClusterSecretStore(stack, 'a', {
            provider: SecretStoreProvider.vault({ server: 'https://vault.example.com', role: 'a' }),
          });
          new ClusterSecretStore(stack, 'b', {
            provider: SecretStoreProvider.vault({ server: 'https://vault.example.com', role: 'b' }),
          });
        }),
      [
        {
          where: 'test/b',
          path: 'name',
          says: ['is already used by the ClusterSecretStore at test/a', 'got "vault"', 'its own name'],
        },
      ],
    );
  });

  it('refuses a provider that is not a SecretStoreProvider, a bad name and bad namespaces', () => {
    expectProblems(
      () =>
        synthStore({
          provider: { aws: { region: 'eu-central-1' } } as never,
          name: 'Prod Secrets',
          namespaces: ['Backstage'],
        }),
      [
        {
          where: 'test/store',
          path: 'provider',
          says: [
            'must be a SecretStoreProvider',
            'got {"aws":{"region":"eu-central-1"}}',
            'SecretStoreProvider.awsSecretsManager(...)',
          ],
        },
        {
          where: 'test/store',
          path: 'name',
          says: ['must be a valid Kubernetes object name', 'got "Prod Secrets"'],
        },
        {
          where: 'test/store',
          path: 'namespaces[0]',
          says: ['must be a valid namespace name', 'got "Backstage"'],
        },
      ],
    );
    expectProblems(
      () =>
        synthStore({
          provider: SecretStoreProvider.awsSecretsManager({ region: 'eu-central-1' }),
          namespaces: [],
        }),
      [
        {
          where: 'test/store',
          path: 'namespaces',
          says: ['must list at least one namespace when given', 'got []'],
        },
      ],
    );
  });

  it('recognises providers by brand', () => {
    expect(
      SecretStoreProvider.isSecretStoreProvider(
        SecretStoreProvider.vault({ server: 'https://vault.example.com', role: 'a' }),
      ),
    ).toBe(true);
    expect(SecretStoreProvider.isSecretStoreProvider({ vault: {} })).toBe(false);
  });
});
