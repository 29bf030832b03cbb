import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
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
import { kubernetesResource } from '../core/kubernetes-resource';
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

/** A CA certificate in a Secret or ConfigMap, for a server with a private CA. */
export interface StoreCaProvider {
  /** `Secret` or `ConfigMap`. */
  readonly type: 'Secret' | 'ConfigMap';
  /** Name of the object. */
  readonly name: string;
  /** Key holding the PEM certificate. */
  readonly key: string;
  /** Namespace of the object. */
  readonly namespace: string;
}

/** A CA certificate in a Secret or ConfigMap, for a Vault server with a private CA. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface VaultCaProvider extends StoreCaProvider {}

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

/** Options of {@link SecretStoreProvider.kubernetes}. */
export interface KubernetesStoreOptions {
  /** The namespace whose Secrets the store reads (`remoteNamespace`). It must exist. */
  readonly remoteNamespace: string;
  /**
   * The ServiceAccount the operator requests a short-lived token for (TokenRequest) and
   * reads as: no token is stored anywhere. It needs `get` on the Secrets of
   * `remoteNamespace`, which `grantRead` gives it.
   */
  readonly serviceAccount: StoreServiceAccount;
  /**
   * URL of the API server that holds the Secrets. Another cluster must accept this
   * cluster's ServiceAccount tokens (structured authentication with this cluster's
   * issuer) and grant the ServiceAccount's user `get` on the Secrets itself.
   * @default "https://kubernetes.default.svc" (this cluster)
   */
  readonly server?: string;
  /**
   * CA certificate of that API server. Required with `server`.
   * @default - the ConfigMap `kube-root-ca.crt` (key `ca.crt`) that Kubernetes publishes in every namespace, read from the ServiceAccount's namespace
   */
  readonly caProvider?: StoreCaProvider;
  /**
   * Render the read access on this cluster: the ServiceAccount (no token mounted), a Role
   * in `remoteNamespace` that allows `get` on Secrets (the one verb the operator reads a
   * key with), and the RoleBinding. Turn it off when the ServiceAccount and its access are
   * managed elsewhere.
   * @default true without `server`; false with it (the access belongs on the other cluster)
   */
  readonly grantRead?: boolean;
  /**
   * With `grantRead`: only these Secrets of `remoteNamespace` may be read (the Role's
   * `resourceNames`), so the store cannot read the rest of the namespace.
   * @default - every Secret of `remoteNamespace`
   */
  readonly secretNames?: readonly string[];
}

/** The External Secrets providers this library renders. */
export type SecretStoreProviderKey = 'aws' | 'gcpsm' | 'azurekv' | 'vault' | 'kubernetes';

const serviceAccount = z.strictObject({
  name: kubernetesSubdomainName,
  namespace: namespaceName,
  audiences: z.array(z.string().min(1, problem('must not be empty', 'Remove empty audiences.'))).optional(),
}) satisfies z.ZodType<StoreServiceAccount>;

const caProvider = z.strictObject({
  type: z.enum(['Secret', 'ConfigMap'], {
    error: problem('must be "Secret" or "ConfigMap"', 'Say which kind of object holds the CA certificate.'),
  }),
  name: kubernetesSubdomainName,
  key: secretKey,
  namespace: namespaceName,
}) satisfies z.ZodType<StoreCaProvider>;

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
    caProvider: caProvider.optional(),
  }) satisfies z.ZodType<VaultStoreOptions>,
  kubernetes: z
    .strictObject({
      remoteNamespace: namespaceName,
      serviceAccount,
      server: httpsUrl.optional(),
      caProvider: caProvider.optional(),
      grantRead: z.boolean().optional(),
      secretNames: z
        .array(kubernetesSubdomainName)
        .min(
          1,
          problem('must list at least one Secret when given', 'Leave secretNames out to allow every Secret.'),
        )
        .optional(),
    })
    .superRefine((o, ctx) => {
      if (o.server !== undefined && o.caProvider === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['caProvider'],
          message: problem(
            'is required with server',
            "Name the Secret or ConfigMap that holds the CA certificate of that API server: this cluster's kube-root-ca.crt does not sign another cluster's.",
          ),
        });
      }
      if (o.server !== undefined && o.grantRead === true) {
        ctx.addIssue({
          code: 'custom',
          path: ['grantRead'],
          message: problem(
            'cannot be true with server',
            "The Role and RoleBinding would be made in this cluster, but the Secrets are read at server: grant the ServiceAccount's user access there.",
          ),
        });
      }
      if (o.secretNames !== undefined && !grantsRead(o)) {
        ctx.addIssue({
          code: 'custom',
          path: ['secretNames'],
          message: problem(
            'needs grantRead',
            'secretNames limits the Role that grantRead renders; without it, limit the access where it is granted.',
          ),
        });
      }
    }) satisfies z.ZodType<KubernetesStoreOptions>,
};

/** Whether the store renders its reader's access here: by default only for this cluster. */
function grantsRead(o: KubernetesStoreOptions): boolean {
  return o.grantRead ?? o.server === undefined;
}

const DEFAULT_NAMES: Record<SecretStoreProviderKey, string> = {
  aws: 'aws-secrets-manager',
  gcpsm: 'gcp-secret-manager',
  azurekv: 'azure-key-vault',
  vault: 'vault',
  kubernetes: 'kubernetes',
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
 * Azure Key Vault, HashiCorp Vault or a namespace of a Kubernetes cluster. Every provider
 * authenticates without a stored credential (workload identity, Vault's Kubernetes auth,
 * or a ServiceAccount token requested for each read).
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

  /**
   * Secrets of a namespace of a Kubernetes cluster (`kubernetes` provider): for a cluster
   * without a cloud secret manager, or a namespace the security team fills that the portal
   * reads across the namespace boundary. The operator reads as `serviceAccount`, with a
   * short-lived token it requests each time; by default the store also renders that
   * ServiceAccount's `get` access to the namespace's Secrets (`grantRead`).
   */
  public static kubernetes(options: KubernetesStoreOptions): SecretStoreProvider {
    return new KubernetesStore(options);
  }

  /** True for any SecretStoreProvider, even one from another copy of this library. */
  public static isSecretStoreProvider(value: unknown): value is SecretStoreProvider {
    return isBranded(value, BRAND);
  }

  /** The External Secrets provider key: `aws`, `gcpsm`, `azurekv`, `vault` or `kubernetes`. */
  public abstract readonly provider: SecretStoreProviderKey;
  /** Store name used when none is given (`aws-secrets-manager`, `gcp-secret-manager`, `azure-key-vault`, `vault`, `kubernetes-<remoteNamespace>`). */
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

  /**
   * @internal
   * Renders, in the store's construct, the Kubernetes objects the store needs to read
   * (none for the cloud providers: their access is IAM, outside the cluster), named after
   * `accessName` (unique per store), and returns them so the store is created after them.
   */
  public renderAccess(_scope: Construct, _accessName: string): ITerraformDependable[] {
    return [];
  }
}

/** The store provider of one External Secrets provider key: its options, their schema and how they render. */
class ProviderStore<O extends { readonly serviceAccount?: StoreServiceAccount }> extends SecretStoreProvider {
  constructor(
    public readonly provider: SecretStoreProviderKey,
    protected readonly options: O,
    private readonly schema: z.ZodType<O>,
    private readonly renderProvider: (options: O) => Record<string, unknown>,
  ) {
    super();
  }

  public get defaultStoreName(): string {
    return DEFAULT_NAMES[this.provider];
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

/** The API server of the cluster the operator runs in, as pods reach it. */
const IN_CLUSTER_API_SERVER = 'https://kubernetes.default.svc';

/**
 * The `kubernetes` provider: its spec, and the ServiceAccount, Role and RoleBinding it reads
 * with when the Secrets are in this cluster.
 */
class KubernetesStore extends ProviderStore<KubernetesStoreOptions> {
  constructor(options: KubernetesStoreOptions) {
    super('kubernetes', options, schemas.kubernetes, (o) => ({
      remoteNamespace: o.remoteNamespace,
      server: {
        url: o.server ?? IN_CLUSTER_API_SERVER,
        // kube-controller-manager publishes the cluster's CA in every namespace under this
        // name, so the default needs nothing copied.
        caProvider: o.caProvider
          ? { ...o.caProvider }
          : {
              type: 'ConfigMap',
              name: 'kube-root-ca.crt',
              key: 'ca.crt',
              namespace: o.serviceAccount.namespace,
            },
      },
      auth: { serviceAccount: serviceAccountRef(o.serviceAccount) },
    }));
  }

  public override get defaultStoreName(): string {
    return `kubernetes-${this.options.remoteNamespace}`;
  }

  public override renderAccess(scope: Construct, accessName: string): ITerraformDependable[] {
    const o = this.options;
    if (!grantsRead(o)) {
      return [];
    }
    const labels = { 'app.kubernetes.io/managed-by': 'cdktf-backstage' };
    const serviceAccount = kubernetesResource(scope, 'Reader', 'kubernetes_service_account_v1', {
      metadata: { name: o.serviceAccount.name, namespace: o.serviceAccount.namespace, labels },
      // Only the operator uses it, through TokenRequest: no pod mounts its token.
      automountServiceAccountToken: false,
    });
    const name = `${accessName}-reader`;
    const role = kubernetesResource(scope, 'ReadRole', 'kubernetes_role_v1', {
      metadata: { name, namespace: o.remoteNamespace, labels },
      rule: [
        {
          apiGroups: [''],
          resources: ['secrets'],
          // An ExternalSecret's remoteRef reads one Secret by name: get is all it needs.
          verbs: ['get'],
          ...(o.secretNames !== undefined ? { resourceNames: [...o.secretNames] } : {}),
        },
      ],
    });
    const binding = kubernetesResource(scope, 'ReadRoleBinding', 'kubernetes_role_binding_v1', {
      metadata: { name, namespace: o.remoteNamespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadataName },
      subject: [
        { kind: 'ServiceAccount', name: serviceAccount.metadataName, namespace: o.serviceAccount.namespace },
      ],
    });
    return [binding];
  }
}

/** @internal A prop that takes a {@link SecretStoreProvider} (a ClusterSecretStore's, a cloud profile's). */
export const secretStoreProviderSchema = valueObjectSchema(
  SecretStoreProvider.isSecretStoreProvider,
  'a SecretStoreProvider',
  'Use SecretStoreProvider.awsSecretsManager(...), .gcpSecretManager(...), .azureKeyVault(...), .vault(...) or .kubernetes(...).',
);
