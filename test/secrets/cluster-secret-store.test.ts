import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { SecretRef } from '../../lib';
import { ClusterSecretStore, type ClusterSecretStoreProps } from '../../lib/secrets/cluster-secret-store';
import { SecretStoreProvider } from '../../lib/secrets/secret-store-provider';
import { errorOf, resourceAt, resourcesOf, synth, type TfJson } from '../helpers';

const synthStore = (props: ClusterSecretStoreProps): TfJson => synth((stack) => new ClusterSecretStore(stack, 'store', props));
const manifestOf = (json: TfJson) => resourceAt(json, 'kubernetes_manifest', 'store/Resource').manifest;
const specOf = (provider: SecretStoreProvider) => manifestOf(synthStore({ provider })).spec;

const SA = { name: 'eso-reader', namespace: 'platform-secrets' };

describe('ClusterSecretStore', () => {
  it('renders an external-secrets.io/v1 ClusterSecretStore for AWS Secrets Manager, with the operator\'s own identity', () => {
    expect(manifestOf(synthStore({ provider: SecretStoreProvider.awsSecretsManager({ region: 'eu-central-1' }) }))).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: 'aws-secrets-manager', labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' } },
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
            auth: { jwt: { serviceAccountRef: { name: 'eso-reader', namespace: 'platform-secrets', audiences: ['sts.amazonaws.com'] } } },
          },
        },
      });
      expect(provider.provider).toBe('aws');
      expect(provider.defaultStoreName).toBe('aws-secrets-manager');
    });

    it('refuses a bad region and role, and a ServiceAccount without namespace', () => {
      const message = errorOf(() =>
        synthStore({
          provider: SecretStoreProvider.awsSecretsManager({ region: 'eu-central', role: 'backstage-secrets', serviceAccount: { name: 'eso' } as never }),
        }),
      );
      expect(message.split('\n')).toEqual([
        '[test/store] provider.region: must be an AWS region code, got "eu-central". Use the region code, e.g. "eu-central-1" or "us-east-1", not its display name.',
        '[test/store] provider.role: must be an IAM role ARN, got "backstage-secrets". Copy the role\'s ARN, e.g. "arn:aws:iam::123456789012:role/cert-manager".',
        '[test/store] provider.serviceAccount.namespace: is required, got nothing. Set this prop: it has no default.',
      ]);
    });
  });

  describe('gcpSecretManager', () => {
    it('renders the project, with the operator\'s own Workload Identity', () => {
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
      const message = errorOf(() =>
        synthStore({ provider: SecretStoreProvider.gcpSecretManager({ projectId: 'My Project', location: 'Europe', clusterName: 'Prod_EU' }) }),
      );
      expect(message.split('\n')).toEqual([
        '[test/store] provider.projectId: must be a Google Cloud project id, got "My Project". Use the project id (6 to 30 lower-case letters, digits and "-", starting with a letter), not the project name or number.',
        '[test/store] provider.location: must be a Google Cloud region or zone, got "Europe". Use e.g. "europe-west1" for a regional cluster or "europe-west1-b" for a zonal one.',
        '[test/store] provider.clusterName: must be a GKE cluster name, got "Prod_EU". Use the cluster\'s name: lower-case letters, digits and "-", at most 40.',
      ]);
    });
  });

  describe('azureKeyVault', () => {
    it('uses Workload Identity with the operator\'s own identity', () => {
      expect(specOf(SecretStoreProvider.azureKeyVault({ vaultUrl: 'https://platform-kv.vault.azure.net' }))).toEqual({
        provider: { azurekv: { authType: 'WorkloadIdentity', vaultUrl: 'https://platform-kv.vault.azure.net' } },
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
      expect(
        errorOf(() => synthStore({ provider: SecretStoreProvider.azureKeyVault({ vaultUrl: 'http://platform-kv.vault.azure.net', tenantId: 'contoso' }) })).split('\n'),
      ).toEqual([
        '[test/store] provider.vaultUrl: must be an https:// URL, got "http://platform-kv.vault.azure.net". Identity and key material must come over TLS: use the https:// address of the endpoint.',
        '[test/store] provider.tenantId: must be the directory (tenant) id, a GUID, got "contoso". Copy it from Microsoft Entra ID\'s overview page (Tenant ID), e.g. "00000000-0000-0000-0000-000000000000".',
      ]);
    });
  });

  describe('vault', () => {
    it('defaults to KV v2 at "secret" and the Kubernetes auth method at "kubernetes"', () => {
      expect(specOf(SecretStoreProvider.vault({ server: 'https://vault.example.com:8200', role: 'backstage' }))).toEqual({
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
            caProvider: { type: 'ConfigMap', name: 'corp-root-ca', key: 'ca.crt', namespace: 'external-secrets' },
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
      const message = errorOf(() =>
        synthStore({
          provider: SecretStoreProvider.vault({
            server: 'http://vault.example.com:8200',
            path: '/secret',
            version: 'v3' as never,
            role: 'backstage reader',
            mountPath: '/kubernetes',
            caProvider: { type: 'File' as never, name: 'corp-root-ca', key: 'ca.crt', namespace: 'external-secrets' },
          }),
        }),
      );
      expect(message.split('\n')).toEqual([
        '[test/store] provider.server: must be an https:// URL, got "http://vault.example.com:8200". Identity and key material must come over TLS: use the https:// address of the endpoint.',
        '[test/store] provider.path: must be the mount path of the KV engine, got "/secret". Use the mount path without a leading "/", e.g. "secret".',
        '[test/store] provider.version: must be "v1" or "v2", got "v3". Use the version of the KV secrets engine mounted at path.',
        '[test/store] provider.role: must be the name of a Vault role, got "backstage reader". Give the role of the Kubernetes auth method that grants the store\'s policies.',
        '[test/store] provider.mountPath: must be the mount path of the Kubernetes auth method, got "/kubernetes". Use the mount path without a leading "/", e.g. "kubernetes".',
        '[test/store] provider.caProvider.type: must be "Secret" or "ConfigMap", got "File". Say which kind of object holds the CA certificate.',
      ]);
    });
  });

  it('uses the given name and limits the store to the given namespaces', () => {
    const manifest = manifestOf(
      synthStore({ provider: SecretStoreProvider.awsSecretsManager({ region: 'eu-central-1' }), name: 'prod-secrets', namespaces: ['backstage', 'backstage-staging'] }),
    );
    expect(manifest.metadata.name).toBe('prod-secrets');
    expect(manifest.spec).toEqual({
      provider: { aws: { service: 'SecretsManager', region: 'eu-central-1' } },
      conditions: [{ namespaces: ['backstage', 'backstage-staging'] }],
    });
  });

  it('gives SecretRef.fromExternalSecret the store reference', () => {
    const json = synth((stack) => {
      const store = new ClusterSecretStore(stack, 'store', { provider: SecretStoreProvider.gcpSecretManager({ projectId: 'platform-secrets-4711' }) });
      expect(store.reference).toEqual({ name: 'gcp-secret-manager', kind: 'ClusterSecretStore' });
      expect(store.storeName).toBe('gcp-secret-manager');
      SecretRef.fromExternalSecret({ store: store.reference, remoteKey: 'backstage-github-token' }).bind({ scope: new Construct(stack, 'consumer'), namespace: 'backstage' });
    });
    const external = Object.values(resourcesOf(json, 'kubernetes_manifest')).find((r) => r.manifest.kind === 'ExternalSecret');
    expect(external.manifest.spec.secretStoreRef).toEqual({ name: 'gcp-secret-manager', kind: 'ClusterSecretStore' });
  });

  it('refuses a second store of the same name in one stack', () => {
    const message = errorOf(() =>
      synth((stack) => {
        new ClusterSecretStore(stack, 'a', { provider: SecretStoreProvider.vault({ server: 'https://vault.example.com', role: 'a' }) });
        new ClusterSecretStore(stack, 'b', { provider: SecretStoreProvider.vault({ server: 'https://vault.example.com', role: 'b' }) });
      }),
    );
    expect(message).toBe(
      '[test/b] name: is already used by the ClusterSecretStore at test/a, got "vault". ClusterSecretStores are cluster-wide: share the existing store\'s reference, or give this one its own name.',
    );
  });

  it('refuses a provider that is not a SecretStoreProvider, a bad name and bad namespaces', () => {
    const message = errorOf(() =>
      synthStore({ provider: { aws: { region: 'eu-central-1' } } as never, name: 'Prod Secrets', namespaces: ['Backstage'] }),
    );
    expect(message.split('\n')).toEqual([
      '[test/store] provider: must be a SecretStoreProvider, got {"aws":{"region":"eu-central-1"}}. Use SecretStoreProvider.awsSecretsManager(...), .gcpSecretManager(...), .azureKeyVault(...) or .vault(...).',
      '[test/store] name: must be a valid Kubernetes object name (RFC 1123 subdomain), got "Prod Secrets". Use at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit.',
      '[test/store] namespaces[0]: must be a valid namespace name (RFC 1123 label), got "Backstage". Use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit.',
    ]);
    expect(errorOf(() => synthStore({ provider: SecretStoreProvider.awsSecretsManager({ region: 'eu-central-1' }), namespaces: [] }))).toBe(
      '[test/store] namespaces: must list at least one namespace when given, got []. Leave namespaces out to let every namespace use the store.',
    );
  });

  it('recognises providers by brand', () => {
    expect(SecretStoreProvider.isSecretStoreProvider(SecretStoreProvider.vault({ server: 'https://vault.example.com', role: 'a' }))).toBe(true);
    expect(SecretStoreProvider.isSecretStoreProvider({ vault: {} })).toBe(false);
  });
});
