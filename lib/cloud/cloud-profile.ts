import { Construct, IConstruct } from 'constructs';
import * as z from 'zod';
import { brand, isBranded } from '../core/brand';
import { PropsValidationError } from '../core/errors';
import { httpsUrl, hostName, kubernetesSubdomainName } from '../core/schemas';
import { formatValue, nestedIssues, problem, validateProps } from '../core/validation';
import { ClusterSecretStore } from '../secrets/cluster-secret-store';
import { SecretStoreProvider, secretStoreProviderSchema } from '../secrets/secret-store-provider';
import { Dns01Solver, dns01SolverSchema } from '../tls/dns01-solver';
import {
  awsRegion,
  azureGuid,
  azureResourceGroupName,
  cloudDnsZoneName,
  gcpProjectId,
  gcpServiceAccountEmail,
  iamRoleArn,
  namespaceName,
  route53HostedZoneId,
} from '../core/cloud-ids';

const BRAND = Symbol.for('cdktf-backstage.CloudProfile');

/** Who may reach the ingress controller's load balancer. */
export type LoadBalancerVisibility = 'public' | 'internal';

/** The clouds a profile exists for. */
export type CloudKind = 'eks' | 'gke' | 'aks' | 'generic';

/** The ServiceAccount an operator (cert-manager, External Secrets) runs as. */
export interface OperatorServiceAccount {
  /** Namespace the operator is installed in. */
  readonly namespace: string;
  /** Name of its controller's ServiceAccount. */
  readonly name: string;
}

/**
 * An EKS Pod Identity association to create outside Kubernetes (e.g. with the AWS
 * provider's `aws_eks_pod_identity_association`, in the stack that owns the cluster).
 * Pod Identity needs no ServiceAccount annotation.
 */
export interface PodIdentityAssociation {
  /** The operator the association is for. */
  readonly component: 'cert-manager' | 'external-secrets';
  /** Namespace of the ServiceAccount. */
  readonly namespace: string;
  /** Name of the ServiceAccount. */
  readonly serviceAccount: string;
  /** IAM role the pods get. */
  readonly roleArn: string;
}

/** Options every profile takes. */
export interface CloudProfileCommonOptions {
  /**
   * DNS-01 solver to use instead of the cloud's DNS (e.g. `Dns01Solver.cloudflare(...)`).
   * @default - the cloud's DNS service where the profile knows the zone (Route 53, Cloud DNS, Azure DNS); none for generic
   */
  readonly dns01Solver?: Dns01Solver;
  /**
   * Secret store to use instead of the cloud's secret manager (e.g. `SecretStoreProvider.vault(...)`).
   * @default - the cloud's secret manager where the profile knows it; none for generic
   */
  readonly secretStoreProvider?: SecretStoreProvider;
  /**
   * cert-manager's controller ServiceAccount (named in Pod Identity associations and notes).
   * @default - `cert-manager` in namespace `cert-manager` (the Helm chart's defaults)
   */
  readonly certManagerServiceAccount?: OperatorServiceAccount;
  /**
   * The External Secrets Operator's controller ServiceAccount (named in Pod Identity
   * associations and notes).
   * @default - `external-secrets` in namespace `external-secrets` (the Helm chart's defaults)
   */
  readonly externalSecretsServiceAccount?: OperatorServiceAccount;
}

/** Options of {@link CloudProfile.eks}. */
export interface EksProfileOptions extends CloudProfileCommonOptions {
  /** AWS region of the cluster (Secrets Manager region and Route 53 hint). */
  readonly region: string;
  /**
   * How the operators get their IAM roles: IRSA (`eks.amazonaws.com/role-arn` on their
   * ServiceAccounts) or EKS Pod Identity (an association made outside Kubernetes; see
   * {@link CloudProfile.podIdentityAssociations}).
   * @default "irsa"
   */
  readonly workloadIdentity?: 'irsa' | 'pod-identity';
  /**
   * IAM role of cert-manager (Route 53 access for DNS-01).
   * @default - no role: cert-manager runs with the node's credentials
   */
  readonly certManagerRoleArn?: string;
  /**
   * IAM role of the External Secrets Operator (Secrets Manager access).
   * @default - no role: the operator runs with the node's credentials
   */
  readonly externalSecretsRoleArn?: string;
  /**
   * Route 53 hosted zone of the DNS-01 challenges.
   * @default - cert-manager looks the zone up by name
   */
  readonly hostedZoneId?: string;
  /**
   * Role cert-manager assumes for Route 53 (e.g. in the account that owns the zone).
   * @default - cert-manager's own role
   */
  readonly route53RoleArn?: string;
  /**
   * Role the External Secrets Operator assumes for Secrets Manager.
   * @default - the operator's own role
   */
  readonly secretsManagerRoleArn?: string;
  /**
   * NLB target type: `ip` sends traffic straight to the controller pods (needs the VPC
   * CNI); `instance` goes through node ports.
   * @default "ip"
   */
  readonly nlbTargetType?: 'ip' | 'instance';
  /**
   * Keep the client's source IP with IP targets (target group attribute
   * `preserve_client_ip.enabled=true`; NLB turns it off for TCP IP targets by default).
   * Per-IP rate limits, source-range allow-lists and access logs at the ingress need it.
   * Instance targets always keep it.
   * @default true
   */
  readonly preserveClientIp?: boolean;
}

/** Options of {@link CloudProfile.gke}. */
export interface GkeProfileOptions extends CloudProfileCommonOptions {
  /**
   * Project id of the cluster (its Workload Identity pool is `<project>.svc.id.goog`);
   * also the default project of Cloud DNS and Secret Manager.
   */
  readonly project: string;
  /**
   * Google service account cert-manager acts as (Cloud DNS access for DNS-01).
   * @default - none: cert-manager uses the node's service account
   */
  readonly certManagerServiceAccountEmail?: string;
  /**
   * Google service account the External Secrets Operator acts as (Secret Manager access).
   * @default - none: the operator uses the node's service account
   */
  readonly externalSecretsServiceAccountEmail?: string;
  /**
   * Project of the Cloud DNS zone.
   * @default - `project`
   */
  readonly dnsProject?: string;
  /**
   * Cloud DNS managed zone name of the DNS-01 challenges.
   * @default - cert-manager picks the zone
   */
  readonly dnsZoneName?: string;
  /**
   * Project of the secrets in Secret Manager.
   * @default - `project`
   */
  readonly secretManagerProject?: string;
  /**
   * Ask for a backend service-based external passthrough Network Load Balancer
   * (`cloud.google.com/l4-rbs: "enabled"`, GKE 1.25.5+), which GKE recommends for new
   * external Services. Set it when the Service is created: it does not convert an
   * existing target pool-based load balancer.
   * @default false
   */
  readonly backendServiceLoadBalancer?: boolean;
}

/** An Azure DNS zone. */
export interface AzureDnsZone {
  /** Subscription id (a GUID). */
  readonly subscriptionId: string;
  /** Resource group of the zone. */
  readonly resourceGroupName: string;
  /** DNS name of the zone, e.g. `example.com`. */
  readonly hostedZoneName: string;
}

/** Options of {@link CloudProfile.aks}. */
export interface AksProfileOptions extends CloudProfileCommonOptions {
  /**
   * Directory (tenant) id, set as `azure.workload.identity/tenant-id` on the operators'
   * ServiceAccounts.
   * @default - the tenant the workload identity webhook is configured with
   */
  readonly tenantId?: string;
  /**
   * Client id of cert-manager's managed identity (Azure DNS access for DNS-01).
   * @default - no workload identity for cert-manager
   */
  readonly certManagerClientId?: string;
  /**
   * Client id of the External Secrets Operator's managed identity (Key Vault access).
   * @default - no workload identity for the operator
   */
  readonly externalSecretsClientId?: string;
  /**
   * Azure DNS zone of the DNS-01 challenges.
   * @default - no DNS-01 solver from the profile
   */
  readonly dnsZone?: AzureDnsZone;
  /**
   * URL of the Key Vault the secret store reads, e.g. `https://my-vault.vault.azure.net`.
   * @default - no secret store from the profile
   */
  readonly keyVaultUrl?: string;
  /**
   * HTTP path the Azure load balancer probes on the controller's ports
   * (`azure-load-balancer-health-probe-request-path`). AKS probes HTTP ports over HTTP,
   * and `/` on ingress-nginx answers 404, which takes every node out of the pool.
   * `false` leaves the annotation out.
   * @default "/healthz" (ingress-nginx's health endpoint)
   */
  readonly healthProbeRequestPath?: string | false;
}

/** Options of {@link CloudProfile.generic}. */
export interface GenericProfileOptions extends CloudProfileCommonOptions {}

/**
 * What a profile is known, from its type, to provide. `true`: always there, so
 * {@link CloudProfile.dns01Solver} / {@link CloudProfile.secretStore} are typed without
 * `| undefined`; `boolean`: it depends on the options the profile was made with.
 */
export interface CloudProfileCapabilities {
  /** The profile has a DNS-01 solver. */
  readonly dns01Solver: boolean;
  /** The profile has a secret store provider. */
  readonly secretStore: boolean;
}

/** The capabilities of a profile that always has both a DNS-01 solver and a secret store. */
export interface CompleteCapabilities extends CloudProfileCapabilities {
  readonly dns01Solver: true;
  readonly secretStore: true;
}

/** A profile whose DNS-01 solver and secret store always exist (EKS, GKE; AKS and generic given both). */
export type CompleteCloudProfile = CloudProfile<CompleteCapabilities>;

/** `T` when `Has` is `true`, else `T | undefined`. */
export type ProvidedIf<T, Has extends boolean> = [Has] extends [true] ? T : T | undefined;

/** AKS options that name a DNS zone (or a solver): the profile then has a DNS-01 solver. */
export type AksOptionsWithDns = AksProfileOptions & ({ readonly dnsZone: AzureDnsZone } | { readonly dns01Solver: Dns01Solver });
/** AKS options that name a Key Vault (or a store provider): the profile then has a secret store. */
export type AksOptionsWithSecretStore = AksProfileOptions & ({ readonly keyVaultUrl: string } | { readonly secretStoreProvider: SecretStoreProvider });

/** Options of {@link CloudProfile.secretStore}. */
export interface CloudSecretStoreOptions {
  /**
   * Name of the ClusterSecretStore.
   * @default - the provider's default name (`aws-secrets-manager`, `gcp-secret-manager`, `azure-key-vault`, `vault`)
   */
  readonly name?: string;
  /**
   * Namespaces allowed to use the store.
   * @default - every namespace
   */
  readonly namespaces?: readonly string[];
}

const CERT_MANAGER_SA: OperatorServiceAccount = { namespace: 'cert-manager', name: 'cert-manager' };
const EXTERNAL_SECRETS_SA: OperatorServiceAccount = { namespace: 'external-secrets', name: 'external-secrets' };

const operatorServiceAccount = z.strictObject({ namespace: namespaceName, name: kubernetesSubdomainName }) satisfies z.ZodType<OperatorServiceAccount>;

const common = {
  dns01Solver: dns01SolverSchema.optional(),
  secretStoreProvider: secretStoreProviderSchema.optional(),
  certManagerServiceAccount: operatorServiceAccount.optional(),
  externalSecretsServiceAccount: operatorServiceAccount.optional(),
};

/** Reports the options of a solver or store given to the profile under their own path. */
function nested(options: CloudProfileCommonOptions, ctx: z.core.$RefinementCtx): void {
  if (Dns01Solver.isDns01Solver(options.dns01Solver)) {
    nestedIssues(ctx, ['dns01Solver'], options.dns01Solver.schema, options.dns01Solver.options);
  }
  if (SecretStoreProvider.isSecretStoreProvider(options.secretStoreProvider)) {
    nestedIssues(ctx, ['secretStoreProvider'], options.secretStoreProvider.schema, options.secretStoreProvider.options);
  }
}

const eksSchema = z
  .strictObject({
    ...common,
    region: awsRegion,
    workloadIdentity: z
      .enum(['irsa', 'pod-identity'], { error: problem('must be "irsa" or "pod-identity"', 'Pick how the cluster gives IAM roles to pods.') })
      .optional(),
    certManagerRoleArn: iamRoleArn.optional(),
    externalSecretsRoleArn: iamRoleArn.optional(),
    hostedZoneId: route53HostedZoneId.optional(),
    route53RoleArn: iamRoleArn.optional(),
    secretsManagerRoleArn: iamRoleArn.optional(),
    nlbTargetType: z.enum(['ip', 'instance'], { error: problem('must be "ip" or "instance"', 'Use "ip" with the VPC CNI (the default on EKS).') }).optional(),
    preserveClientIp: z.boolean({ error: problem('must be true or false', 'Leave it out to keep client IPs.') }).optional(),
  })
  .superRefine((options, ctx) => {
    nested(options, ctx);
    const store = options.secretStoreProvider;
    if (options.workloadIdentity === 'pod-identity' && SecretStoreProvider.isSecretStoreProvider(store) && store.provider === 'aws') {
      const sa = (store.options as { serviceAccount?: unknown }).serviceAccount;
      if (sa !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['secretStoreProvider', 'serviceAccount'],
          message: problem(
            'cannot be used with EKS Pod Identity',
            'The operator cannot act as a ServiceAccount whose role comes from a Pod Identity association: leave serviceAccount out and associate the role with the operator\'s own ServiceAccount.',
          ),
          params: { nestedValue: { value: sa } },
        });
      }
    }
  }) satisfies z.ZodType<EksProfileOptions>;

const gkeSchema = z
  .strictObject({
    ...common,
    project: gcpProjectId,
    certManagerServiceAccountEmail: gcpServiceAccountEmail.optional(),
    externalSecretsServiceAccountEmail: gcpServiceAccountEmail.optional(),
    dnsProject: gcpProjectId.optional(),
    dnsZoneName: cloudDnsZoneName.optional(),
    secretManagerProject: gcpProjectId.optional(),
    backendServiceLoadBalancer: z.boolean({ error: problem('must be true or false', 'Leave it out for GKE\'s default external load balancer.') }).optional(),
  })
  .superRefine(nested) satisfies z.ZodType<GkeProfileOptions>;

const probePathProblem = problem(
  'must be an absolute HTTP path or false',
  'Use the controller\'s health path, e.g. "/healthz", or false to leave the annotation out.',
);

const aksSchema = z
  .strictObject({
    ...common,
    tenantId: azureGuid('the directory (tenant) id', 'Microsoft Entra ID\'s overview page (Tenant ID)').optional(),
    certManagerClientId: azureGuid('the client id of a managed identity', 'the managed identity\'s overview page (Client ID)').optional(),
    externalSecretsClientId: azureGuid('the client id of a managed identity', 'the managed identity\'s overview page (Client ID)').optional(),
    dnsZone: z
      .strictObject({
        subscriptionId: azureGuid('the subscription id', 'the subscription\'s overview page or `az account show`'),
        resourceGroupName: azureResourceGroupName,
        hostedZoneName: hostName,
      })
      .optional(),
    keyVaultUrl: httpsUrl.optional(),
    healthProbeRequestPath: z.union([z.string().regex(/^\/\S*$/, probePathProblem), z.literal(false, { error: probePathProblem })], { error: probePathProblem }).optional(),
  })
  .superRefine(nested) satisfies z.ZodType<AksProfileOptions>;

const genericSchema = z.strictObject({ ...common }).superRefine(nested) satisfies z.ZodType<GenericProfileOptions>;

/**
 * Checks a profile's options when it is made. A profile is a value shared by several
 * constructs (ingress controller, cert-manager, External Secrets, the portal) and read
 * through scope-less accessors, so its problems are reported once, at the call that made
 * it, as `[CloudProfile.<cloud>] <option>: ...`.
 */
function check(label: string, schema: z.ZodType, options: unknown): void {
  const origin = { node: { path: label } } as unknown as IConstruct;
  validateProps(origin, schema, options);
}

interface OperatorIdentity {
  readonly annotations: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
}

interface ProfileData {
  readonly loadBalancer: Readonly<Record<LoadBalancerVisibility, Readonly<Record<string, string>>>>;
  readonly certManager: OperatorIdentity;
  readonly externalSecrets: OperatorIdentity;
  readonly dns01Solver?: Dns01Solver;
  readonly secretStoreProvider?: SecretStoreProvider;
  readonly podIdentityAssociations: readonly PodIdentityAssociation[];
  readonly notes: readonly string[];
}

const NO_IDENTITY: OperatorIdentity = { annotations: {}, podLabels: {} };

const AWS_LB = 'service.beta.kubernetes.io/aws-load-balancer';
const AZURE_LB = 'service.beta.kubernetes.io/azure-load-balancer';

/**
 * What differs between clouds under the same access setup: the ingress controller's
 * load balancer annotations, the workload identity of cert-manager and the External
 * Secrets Operator, the DNS-01 solver and the ClusterSecretStore. Everything is exposed
 * as plain records the platform constructs take.
 */
export class CloudProfile<out C extends CloudProfileCapabilities = CloudProfileCapabilities> {
  /**
   * Amazon EKS: an AWS Load Balancer Controller NLB, IAM roles through IRSA or EKS Pod
   * Identity, Route 53 for DNS-01 and AWS Secrets Manager.
   */
  public static eks(options: EksProfileOptions): CompleteCloudProfile {
    check('CloudProfile.eks', eksSchema, options);
    const identity = options.workloadIdentity ?? 'irsa';
    const certManagerSa = options.certManagerServiceAccount ?? CERT_MANAGER_SA;
    const externalSecretsSa = options.externalSecretsServiceAccount ?? EXTERNAL_SECRETS_SA;
    const roles: Array<[PodIdentityAssociation['component'], OperatorServiceAccount, string | undefined]> = [
      ['cert-manager', certManagerSa, options.certManagerRoleArn],
      ['external-secrets', externalSecretsSa, options.externalSecretsRoleArn],
    ];
    const irsa = (roleArn: string | undefined): OperatorIdentity =>
      identity === 'irsa' && roleArn !== undefined ? { annotations: { 'eks.amazonaws.com/role-arn': roleArn }, podLabels: {} } : NO_IDENTITY;
    const associations: PodIdentityAssociation[] = [];
    const notes: string[] = [];
    for (const [component, sa, roleArn] of roles) {
      if (roleArn === undefined) {
        continue;
      }
      if (identity === 'pod-identity') {
        associations.push({ component, namespace: sa.namespace, serviceAccount: sa.name, roleArn });
        notes.push(
          `EKS Pod Identity: associate ${roleArn} with ServiceAccount ${sa.namespace}/${sa.name} outside Kubernetes ` +
            `(aws_eks_pod_identity_association, or aws eks create-pod-identity-association --namespace ${sa.namespace} --service-account ${sa.name} --role-arn ${roleArn}); ` +
            `the role must trust pods.eks.amazonaws.com and the Pod Identity Agent add-on must run.`,
        );
      } else {
        notes.push(`IRSA: the trust policy of ${roleArn} must allow system:serviceaccount:${sa.namespace}:${sa.name} through the cluster's OIDC provider.`);
      }
    }
    const targetType = options.nlbTargetType ?? 'ip';
    const lb: Record<string, string> = {
      // "external" hands the Service to the AWS Load Balancer Controller (the in-tree
      // controller ignores it). Set at creation: changing it later leaks the old load balancer.
      [`${AWS_LB}-type`]: 'external',
      [`${AWS_LB}-nlb-target-type`]: targetType,
      ...(targetType === 'ip' && options.preserveClientIp !== false ? { [`${AWS_LB}-target-group-attributes`]: 'preserve_client_ip.enabled=true' } : {}),
    };
    return new CloudProfile<CompleteCapabilities>('eks', {
      loadBalancer: {
        public: { ...lb, [`${AWS_LB}-scheme`]: 'internet-facing' },
        internal: { ...lb, [`${AWS_LB}-scheme`]: 'internal' },
      },
      certManager: irsa(options.certManagerRoleArn),
      externalSecrets: irsa(options.externalSecretsRoleArn),
      dns01Solver:
        options.dns01Solver ??
        Dns01Solver.route53({
          region: options.region,
          ...(options.hostedZoneId !== undefined ? { hostedZoneId: options.hostedZoneId } : {}),
          ...(options.route53RoleArn !== undefined ? { role: options.route53RoleArn } : {}),
        }),
      secretStoreProvider:
        options.secretStoreProvider ??
        SecretStoreProvider.awsSecretsManager({
          region: options.region,
          ...(options.secretsManagerRoleArn !== undefined ? { role: options.secretsManagerRoleArn } : {}),
        }),
      podIdentityAssociations: associations,
      notes,
    });
  }

  /**
   * Google GKE: GKE's load balancers, GKE Workload Identity, Cloud DNS for DNS-01 and
   * Google Secret Manager.
   */
  public static gke(options: GkeProfileOptions): CompleteCloudProfile {
    check('CloudProfile.gke', gkeSchema, options);
    const notes: string[] = [];
    const identity = (email: string | undefined, sa: OperatorServiceAccount): OperatorIdentity => {
      if (email === undefined) {
        return NO_IDENTITY;
      }
      notes.push(
        `GKE Workload Identity: grant roles/iam.workloadIdentityUser on ${email} to serviceAccount:${options.project}.svc.id.goog[${sa.namespace}/${sa.name}].`,
      );
      return { annotations: { 'iam.gke.io/gcp-service-account': email }, podLabels: {} };
    };
    return new CloudProfile<CompleteCapabilities>('gke', {
      loadBalancer: {
        public: options.backendServiceLoadBalancer === true ? { 'cloud.google.com/l4-rbs': 'enabled' } : {},
        internal: { 'networking.gke.io/load-balancer-type': 'Internal' },
      },
      certManager: identity(options.certManagerServiceAccountEmail, options.certManagerServiceAccount ?? CERT_MANAGER_SA),
      externalSecrets: identity(options.externalSecretsServiceAccountEmail, options.externalSecretsServiceAccount ?? EXTERNAL_SECRETS_SA),
      dns01Solver:
        options.dns01Solver ??
        Dns01Solver.cloudDns({
          project: options.dnsProject ?? options.project,
          ...(options.dnsZoneName !== undefined ? { hostedZoneName: options.dnsZoneName } : {}),
        }),
      secretStoreProvider: options.secretStoreProvider ?? SecretStoreProvider.gcpSecretManager({ projectId: options.secretManagerProject ?? options.project }),
      podIdentityAssociations: [],
      notes,
    });
  }

  /**
   * Azure AKS: Azure load balancers, Azure Workload Identity, Azure DNS for DNS-01 and
   * Azure Key Vault. The DNS-01 solver exists when `dnsZone` (or `dns01Solver`) is given,
   * the secret store when `keyVaultUrl` (or `secretStoreProvider`) is; the return type
   * says so, so neither needs a `!` then.
   */
  public static aks(options: AksOptionsWithDns & AksOptionsWithSecretStore): CompleteCloudProfile;
  public static aks(options: AksOptionsWithDns): CloudProfile<{ readonly dns01Solver: true; readonly secretStore: boolean }>;
  public static aks(options: AksOptionsWithSecretStore): CloudProfile<{ readonly dns01Solver: boolean; readonly secretStore: true }>;
  public static aks(options?: AksProfileOptions): CloudProfile;
  public static aks(options: AksProfileOptions = {}): CloudProfile {
    check('CloudProfile.aks', aksSchema, options);
    const notes: string[] = [];
    const identity = (clientId: string | undefined, sa: OperatorServiceAccount): OperatorIdentity => {
      if (clientId === undefined) {
        return NO_IDENTITY;
      }
      notes.push(
        `Azure Workload Identity: add a federated identity credential to the managed identity ${clientId} for subject ` +
          `system:serviceaccount:${sa.namespace}:${sa.name}, issued by the cluster's OIDC issuer.`,
      );
      return {
        annotations: {
          'azure.workload.identity/client-id': clientId,
          ...(options.tenantId !== undefined ? { 'azure.workload.identity/tenant-id': options.tenantId } : {}),
        },
        // Only labelled pods get the token volume and AZURE_* variables from the webhook.
        podLabels: { 'azure.workload.identity/use': 'true' },
      };
    };
    const probePath = options.healthProbeRequestPath ?? '/healthz';
    const probe: Record<string, string> = probePath === false ? {} : { [`${AZURE_LB}-health-probe-request-path`]: probePath };
    return new CloudProfile('aks', {
      loadBalancer: {
        public: probe,
        internal: { ...probe, [`${AZURE_LB}-internal`]: 'true' },
      },
      certManager: identity(options.certManagerClientId, options.certManagerServiceAccount ?? CERT_MANAGER_SA),
      externalSecrets: identity(options.externalSecretsClientId, options.externalSecretsServiceAccount ?? EXTERNAL_SECRETS_SA),
      dns01Solver:
        options.dns01Solver ??
        (options.dnsZone !== undefined
          ? Dns01Solver.azureDns({
              subscriptionId: options.dnsZone.subscriptionId,
              resourceGroupName: options.dnsZone.resourceGroupName,
              hostedZoneName: options.dnsZone.hostedZoneName,
              ...(options.certManagerClientId !== undefined ? { managedIdentityClientId: options.certManagerClientId } : {}),
            })
          : undefined),
      secretStoreProvider:
        options.secretStoreProvider ??
        (options.keyVaultUrl !== undefined
          ? SecretStoreProvider.azureKeyVault({
              vaultUrl: options.keyVaultUrl,
              ...(options.tenantId !== undefined ? { tenantId: options.tenantId } : {}),
            })
          : undefined),
      podIdentityAssociations: [],
      notes,
    });
  }

  /**
   * Any other cluster (on-prem, kind, other clouds): no load balancer annotations and no
   * workload identity; DNS-01 and secrets only from what you pass (Cloudflare, Vault). The
   * return type has the solver or store without `| undefined` when it was passed.
   */
  public static generic(options: GenericProfileOptions & { readonly dns01Solver: Dns01Solver; readonly secretStoreProvider: SecretStoreProvider }): CompleteCloudProfile;
  public static generic(options: GenericProfileOptions & { readonly dns01Solver: Dns01Solver }): CloudProfile<{ readonly dns01Solver: true; readonly secretStore: boolean }>;
  public static generic(options: GenericProfileOptions & { readonly secretStoreProvider: SecretStoreProvider }): CloudProfile<{ readonly dns01Solver: boolean; readonly secretStore: true }>;
  public static generic(options?: GenericProfileOptions): CloudProfile;
  public static generic(options: GenericProfileOptions = {}): CloudProfile {
    check('CloudProfile.generic', genericSchema, options);
    return new CloudProfile('generic', {
      loadBalancer: { public: {}, internal: {} },
      certManager: NO_IDENTITY,
      externalSecrets: NO_IDENTITY,
      ...(options.dns01Solver !== undefined ? { dns01Solver: options.dns01Solver } : {}),
      ...(options.secretStoreProvider !== undefined ? { secretStoreProvider: options.secretStoreProvider } : {}),
      podIdentityAssociations: [],
      notes: [],
    });
  }

  /** True for any CloudProfile, even one from another copy of this library. */
  public static isCloudProfile(value: unknown): value is CloudProfile {
    return isBranded(value, BRAND);
  }

  /** Which cloud the profile is for. */
  public readonly cloud: CloudKind;
  /** EKS Pod Identity associations to create outside Kubernetes (empty elsewhere and with IRSA). */
  public readonly podIdentityAssociations: readonly PodIdentityAssociation[];
  /** What has to be set up on the cloud side for the identities to work, one sentence each. */
  public readonly notes: readonly string[];
  private readonly data: ProfileData;

  private constructor(cloud: CloudKind, data: ProfileData) {
    brand(this, BRAND);
    this.cloud = cloud;
    this.data = data;
    this.podIdentityAssociations = data.podIdentityAssociations;
    this.notes = data.notes;
  }

  /**
   * Annotations for the ingress controller's `LoadBalancer` Service: an internet-facing
   * load balancer (`public`) or one reachable only from the private network (`internal`).
   */
  public loadBalancerAnnotations(visibility: LoadBalancerVisibility): Record<string, string> {
    if (visibility !== 'public' && visibility !== 'internal') {
      throw new PropsValidationError([
        `[CloudProfile.${this.cloud}] visibility: must be "public" or "internal", got ${formatValue(visibility)}. Use "internal" for a load balancer reachable only from the private network.`,
      ]);
    }
    return { ...this.data.loadBalancer[visibility] };
  }

  /** Annotations for cert-manager's controller ServiceAccount (its cloud identity). */
  public get certManagerServiceAccountAnnotations(): Record<string, string> {
    return { ...this.data.certManager.annotations };
  }

  /** Labels for cert-manager's controller pods (Azure Workload Identity needs one). */
  public get certManagerPodLabels(): Record<string, string> {
    return { ...this.data.certManager.podLabels };
  }

  /** Annotations for the External Secrets Operator's controller ServiceAccount. */
  public get externalSecretsServiceAccountAnnotations(): Record<string, string> {
    return { ...this.data.externalSecrets.annotations };
  }

  /** Labels for the External Secrets Operator's controller pods. */
  public get externalSecretsPodLabels(): Record<string, string> {
    return { ...this.data.externalSecrets.podLabels };
  }

  /**
   * The cloud's DNS-01 solver (or the one given to the profile), for `acmeDns01({ solver })`.
   * `undefined` when the profile knows no DNS zone (AKS without `dnsZone`, generic without
   * `dns01Solver`); typed without `| undefined` for profiles that always have one (EKS, GKE,
   * AKS with `dnsZone`, any profile given `dns01Solver`).
   */
  public dns01Solver(): ProvidedIf<Dns01Solver, C['dns01Solver']> {
    return this.data.dns01Solver as ProvidedIf<Dns01Solver, C['dns01Solver']>;
  }

  /**
   * The provider of the cloud's secret manager (or the one given to the profile).
   * `undefined` when there is none (AKS without `keyVaultUrl`, generic without
   * `secretStoreProvider`); typed without `| undefined` where there always is one.
   */
  public secretStoreProvider(): ProvidedIf<SecretStoreProvider, C['secretStore']> {
    return this.data.secretStoreProvider as ProvidedIf<SecretStoreProvider, C['secretStore']>;
  }

  /**
   * Creates the ClusterSecretStore for the cloud's secret manager, authenticated as the
   * External Secrets Operator itself (whose ServiceAccount carries
   * {@link externalSecretsServiceAccountAnnotations}). Pass its `reference` to
   * `SecretRef.fromExternalSecret({ store })`. `undefined` when the profile has no secret
   * store; typed without `| undefined` for profiles that always have one (see
   * {@link secretStoreProvider}).
   */
  public secretStore(scope: Construct, id: string, options: CloudSecretStoreOptions = {}): ProvidedIf<ClusterSecretStore, C['secretStore']> {
    const provider = this.data.secretStoreProvider;
    if (provider === undefined) {
      return undefined as ProvidedIf<ClusterSecretStore, C['secretStore']>;
    }
    return new ClusterSecretStore(scope, id, {
      provider,
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.namespaces !== undefined ? { namespaces: options.namespaces } : {}),
    });
  }
}
