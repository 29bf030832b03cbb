import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import {
  awsRegion,
  azureGuid,
  gcpLocation,
  gcpProjectId,
  iamRoleArn,
  namespaceName,
} from '../core/cloud-ids';
import { httpsUrl, kubernetesSubdomainName, secretKey, valueObjectSchema } from '../core/schemas';
import { nestedIssues, problem } from '../core/validation';

const BRAND = Symbol.for('cdktf-backstage.SecretStoreProvider');

/**
 * A Kubernetes ServiceAccount the External Secrets Operator requests a short-lived token
 * for, instead of using its own identity. A ClusterSecretStore has no namespace of its
 * own, so the namespace is required.
 */
export interface StoreServiceAccount {
  /** Name of the ServiceAccount. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  /**
   * Extra `aud` claims of the token.
   * @default - the provider's default audience
   */
  readonly audiences?: readonly string[];
}

/** Options of {@link SecretStoreProvider.awsSecretsManager}. */
export interface AwsSecretsManagerStoreOptions {
  /** AWS region of the secrets. */
  readonly region: string;
  /**
   * IAM role the operator assumes before reading secrets (limits what this store can read).
   * @default - the operator's own role
   */
  readonly role?: string;
  /**
   * Authenticate with a token of this ServiceAccount (annotated with
   * `eks.amazonaws.com/role-arn`) instead of the operator's own identity. Not usable with
   * EKS Pod Identity.
   * @default - the operator's own identity (IRSA annotation or EKS Pod Identity association on its ServiceAccount)
   */
  readonly serviceAccount?: StoreServiceAccount;
}

/** Options of {@link SecretStoreProvider.gcpSecretManager}. */
export interface GcpSecretManagerStoreOptions {
  /** Project id holding the secrets. */
  readonly projectId: string;
  /**
   * Location of regional secrets.
   * @default - global secrets
   */
  readonly location?: string;
  /**
   * Authenticate through GKE Workload Identity as this ServiceAccount (annotated with
   * `iam.gke.io/gcp-service-account`) instead of the operator's own identity.
   * @default - the operator's own identity (Workload Identity on its ServiceAccount)
   */
  readonly serviceAccount?: StoreServiceAccount;
  /**
   * Name of the GKE cluster, with `serviceAccount`.
   * @default - read from the metadata server
   */
  readonly clusterName?: string;
  /**
   * Region or zone of the GKE cluster, with `serviceAccount`.
   * @default - read from the metadata server
   */
  readonly clusterLocation?: string;
  /**
   * Project id of the GKE cluster, with `serviceAccount`.
   * @default - read from the metadata server
   */
  readonly clusterProjectId?: string;
}

/** Options of {@link SecretStoreProvider.azureKeyVault}. */
export interface AzureKeyVaultStoreOptions {
  /** URL of the vault, e.g. `https://my-vault.vault.azure.net`. */
  readonly vaultUrl: string;
  /**
   * Directory (tenant) id.
   * @default - the tenant of the workload identity
   */
  readonly tenantId?: string;
  /**
   * Authenticate through Azure Workload Identity as this ServiceAccount (annotated with
   * `azure.workload.identity/client-id`) instead of the operator's own identity.
   * @default - the operator's own identity (annotated ServiceAccount and the `azure.workload.identity/use` pod label)
   */
  readonly serviceAccount?: StoreServiceAccount;
}

/** A CA certificate in a Secret or ConfigMap, for a Vault server with a private CA. */
export interface VaultCaProvider {
  /** `Secret` or `ConfigMap`. */
  readonly type: 'Secret' | 'ConfigMap';
  /** Name of the object. */
  readonly name: string;
  /** Key holding the PEM certificate. */
  readonly key: string;
  /** Namespace of the object. */
  readonly namespace: string;
}

/** Options of {@link SecretStoreProvider.vault}. */
export interface VaultStoreOptions {
  /** Vault address, e.g. `https://vault.example.com:8200`. */
  readonly server: string;
  /**
   * Mount path of the KV secrets engine.
   * @default "secret"
   */
  readonly path?: string;
  /**
   * Version of the KV secrets engine.
   * @default "v2"
   */
  readonly version?: 'v1' | 'v2';
  /**
   * Vault Enterprise namespace.
   * @default - none
   */
  readonly namespace?: string;
  /** Vault role of the Kubernetes auth method (binds the ServiceAccount to Vault policies). */
  readonly role: string;
  /**
   * Mount path of the Kubernetes auth method.
   * @default "kubernetes"
   */
  readonly mountPath?: string;
  /**
   * Log in with a token of this ServiceAccount.
   * @default - the operator's own ServiceAccount token
   */
  readonly serviceAccount?: StoreServiceAccount;
  /**
   * CA certificate that signed the Vault server's certificate.
   * @default - the system trust store
   */
  readonly caProvider?: VaultCaProvider;
}

/** The External Secrets providers this library renders. */
export type SecretStoreProviderKey = 'aws' | 'gcpsm' | 'azurekv' | 'vault';

const serviceAccount = z.strictObject({
  name: kubernetesSubdomainName,
  namespace: namespaceName,
  audiences: z.array(z.string().min(1, problem('must not be empty', 'Remove empty audiences.'))).optional(),
}) satisfies z.ZodType<StoreServiceAccount>;

const schemas = {
  aws: z.strictObject({
    region: awsRegion,
    role: iamRoleArn.optional(),
    serviceAccount: serviceAccount.optional(),
  }) satisfies z.ZodType<AwsSecretsManagerStoreOptions>,
  gcpsm: z.strictObject({
    projectId: gcpProjectId,
    location: gcpLocation.optional(),
    serviceAccount: serviceAccount.optional(),
    clusterName: z
      .string()
      .regex(
        /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/,
        problem(
          'must be a GKE cluster name',
          'Use the cluster\'s name: lower-case letters, digits and "-", at most 40.',
        ),
      )
      .optional(),
    clusterLocation: gcpLocation.optional(),
    clusterProjectId: gcpProjectId.optional(),
  }) satisfies z.ZodType<GcpSecretManagerStoreOptions>,
  azurekv: z.strictObject({
    vaultUrl: httpsUrl,
    tenantId: azureGuid(
      'the directory (tenant) id',
      "Microsoft Entra ID's overview page (Tenant ID)",
    ).optional(),
    serviceAccount: serviceAccount.optional(),
  }) satisfies z.ZodType<AzureKeyVaultStoreOptions>,
  vault: z.strictObject({
    server: httpsUrl,
    path: z
      .string()
      .regex(
        /^[^/\s]\S*$/,
        problem(
          'must be the mount path of the KV engine',
          'Use the mount path without a leading "/", e.g. "secret".',
        ),
      )
      .optional(),
    version: z
      .enum(['v1', 'v2'], {
        error: problem('must be "v1" or "v2"', 'Use the version of the KV secrets engine mounted at path.'),
      })
      .optional(),
    namespace: z
      .string()
      .min(1, problem('must not be empty', 'Leave namespace out for Vault without namespaces.'))
      .optional(),
    role: z
      .string()
      .regex(
        /^\S+$/,
        problem(
          'must be the name of a Vault role',
          "Give the role of the Kubernetes auth method that grants the store's policies.",
        ),
      ),
    mountPath: z
      .string()
      .regex(
        /^[^/\s]\S*$/,
        problem(
          'must be the mount path of the Kubernetes auth method',
          'Use the mount path without a leading "/", e.g. "kubernetes".',
        ),
      )
      .optional(),
    serviceAccount: serviceAccount.optional(),
    caProvider: z
      .strictObject({
        type: z.enum(['Secret', 'ConfigMap'], {
          error: problem(
            'must be "Secret" or "ConfigMap"',
            'Say which kind of object holds the CA certificate.',
          ),
        }),
        name: kubernetesSubdomainName,
        key: secretKey,
        namespace: namespaceName,
      })
      .optional(),
  }) satisfies z.ZodType<VaultStoreOptions>,
};

const DEFAULT_NAMES: Record<SecretStoreProviderKey, string> = {
  aws: 'aws-secrets-manager',
  gcpsm: 'gcp-secret-manager',
  azurekv: 'azure-key-vault',
  vault: 'vault',
};

function serviceAccountRef(sa: StoreServiceAccount): Record<string, unknown> {
  return {
    name: sa.name,
    namespace: sa.namespace,
    ...(sa.audiences !== undefined ? { audiences: [...sa.audiences] } : {}),
  };
}

/**
 * Where a ClusterSecretStore reads secrets: AWS Secrets Manager, Google Secret Manager,
 * Azure Key Vault or HashiCorp Vault. Every provider authenticates without a stored
 * credential (workload identity, or Vault's Kubernetes auth).
 */
export abstract class SecretStoreProvider {
  /** AWS Secrets Manager (`aws` provider, service `SecretsManager`). */
  public static awsSecretsManager(options: AwsSecretsManagerStoreOptions): SecretStoreProvider {
    return new ProviderStore('aws', options, schemas.aws, (o) => ({
      service: 'SecretsManager',
      region: o.region,
      ...(o.role !== undefined ? { role: o.role } : {}),
      // No auth block: the AWS SDK's default chain picks up IRSA or EKS Pod Identity.
      ...(o.serviceAccount !== undefined
        ? { auth: { jwt: { serviceAccountRef: serviceAccountRef(o.serviceAccount) } } }
        : {}),
    }));
  }

  /** Google Cloud Secret Manager (`gcpsm` provider). */
  public static gcpSecretManager(options: GcpSecretManagerStoreOptions): SecretStoreProvider {
    return new ProviderStore('gcpsm', options, schemas.gcpsm, (o) => ({
      projectID: o.projectId,
      ...(o.location !== undefined ? { location: o.location } : {}),
      ...(o.serviceAccount !== undefined
        ? {
            auth: {
              workloadIdentity: {
                serviceAccountRef: serviceAccountRef(o.serviceAccount),
                ...(o.clusterLocation !== undefined ? { clusterLocation: o.clusterLocation } : {}),
                ...(o.clusterName !== undefined ? { clusterName: o.clusterName } : {}),
                ...(o.clusterProjectId !== undefined ? { clusterProjectID: o.clusterProjectId } : {}),
              },
            },
          }
        : {}),
    }));
  }

  /** Azure Key Vault (`azurekv` provider, `authType: WorkloadIdentity`). */
  public static azureKeyVault(options: AzureKeyVaultStoreOptions): SecretStoreProvider {
    return new ProviderStore('azurekv', options, schemas.azurekv, (o) => ({
      authType: 'WorkloadIdentity',
      vaultUrl: o.vaultUrl,
      ...(o.tenantId !== undefined ? { tenantId: o.tenantId } : {}),
      ...(o.serviceAccount !== undefined ? { serviceAccountRef: serviceAccountRef(o.serviceAccount) } : {}),
    }));
  }

  /** HashiCorp Vault KV (`vault` provider) with the Kubernetes auth method; works on any cluster. */
  public static vault(options: VaultStoreOptions): SecretStoreProvider {
    return new ProviderStore('vault', options, schemas.vault, (o) => ({
      server: o.server,
      path: o.path ?? 'secret',
      version: o.version ?? 'v2',
      ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
      ...(o.caProvider !== undefined ? { caProvider: { ...o.caProvider } } : {}),
      auth: {
        kubernetes: {
          mountPath: o.mountPath ?? 'kubernetes',
          role: o.role,
          ...(o.serviceAccount !== undefined
            ? { serviceAccountRef: serviceAccountRef(o.serviceAccount) }
            : {}),
        },
      },
    }));
  }

  /** True for any SecretStoreProvider, even one from another copy of this library. */
  public static isSecretStoreProvider(value: unknown): value is SecretStoreProvider {
    return isBranded(value, BRAND);
  }

  /** The External Secrets provider key: `aws`, `gcpsm`, `azurekv` or `vault`. */
  public abstract readonly provider: SecretStoreProviderKey;
  /** Store name used when none is given (`aws-secrets-manager`, `gcp-secret-manager`, `azure-key-vault`, `vault`). */
  public abstract readonly defaultStoreName: string;

  protected constructor() {
    brand(this, BRAND);
  }

  /** The `spec.provider` of the store, exactly as the `external-secrets.io/v1` API spells it. */
  public abstract render(): Record<string, unknown>;

  /**
   * @internal
   * The ServiceAccount the store authenticates as instead of the operator's own identity
   * (its `serviceAccount` option).
   */
  public get serviceAccount(): StoreServiceAccount | undefined {
    return undefined;
  }

  /**
   * @internal
   * Adds the problems of the factory's options to the check of the props that hold the
   * provider, under `path`, so they are reported in the same error. A provider without
   * options of its own has none to add.
   */
  public addOptionIssues(_ctx: z.core.$RefinementCtx, _path: readonly PropertyKey[]): void {}
}

/** The store provider of one External Secrets provider key: its options, their schema and how they render. */
class ProviderStore<O extends { readonly serviceAccount?: StoreServiceAccount }> extends SecretStoreProvider {
  public readonly defaultStoreName: string;

  constructor(
    public readonly provider: SecretStoreProviderKey,
    private readonly options: O,
    private readonly schema: z.ZodType<O>,
    private readonly renderProvider: (options: O) => Record<string, unknown>,
  ) {
    super();
    this.defaultStoreName = DEFAULT_NAMES[provider];
  }

  public render(): Record<string, unknown> {
    return { [this.provider]: this.renderProvider(this.options) };
  }

  public override get serviceAccount(): StoreServiceAccount | undefined {
    return this.options.serviceAccount;
  }

  public override addOptionIssues(ctx: z.core.$RefinementCtx, path: readonly PropertyKey[]): void {
    nestedIssues(ctx, path, this.schema, this.options);
  }
}

/** @internal A prop that takes a {@link SecretStoreProvider} (a ClusterSecretStore's, a cloud profile's). */
export const secretStoreProviderSchema = valueObjectSchema(
  SecretStoreProvider.isSecretStoreProvider,
  'a SecretStoreProvider',
  'Use SecretStoreProvider.awsSecretsManager(...), .gcpSecretManager(...), .azureKeyVault(...) or .vault(...).',
);
