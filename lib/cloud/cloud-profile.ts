import { Construct } from 'constructs';

import { brand, isBranded } from '../core/brand';
import { PropsValidationError } from '../core/errors';
import { formatValue } from '../core/validation';
import { ClusterSecretStore } from '../secrets/cluster-secret-store';
import { SecretStoreProvider } from '../secrets/secret-store-provider';
import { Dns01Solver } from '../tls/dns01-solver';
import {
  AksOptionsWithDns,
  AksOptionsWithSecretStore,
  aksProfileData,
  AksProfileOptions,
} from './aks-profile';
import { eksProfileData, EksProfileOptions } from './eks-profile';
import { GatewayApiProfile, gatewayApiProfile } from './gateway-classes';
import { genericProfileData, GenericProfileOptions } from './generic-profile';
import { gkeProfileData, GkeProfileOptions } from './gke-profile';
import type { LoadBalancerVisibility, PodIdentityAssociation, ProfileData } from './profile-common';

const BRAND = Symbol.for('cdktf-backstage.CloudProfile');

/** The clouds a profile exists for. */
export type CloudKind = 'eks' | 'gke' | 'aks' | 'generic';

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
    return new CloudProfile<CompleteCapabilities>('eks', eksProfileData(options));
  }

  /**
   * Google GKE: GKE's load balancers, GKE Workload Identity, Cloud DNS for DNS-01 and
   * Google Secret Manager.
   */
  public static gke(options: GkeProfileOptions): CompleteCloudProfile {
    return new CloudProfile<CompleteCapabilities>('gke', gkeProfileData(options));
  }

  /**
   * Azure AKS: Azure load balancers, Azure Workload Identity, Azure DNS for DNS-01 and
   * Azure Key Vault. The DNS-01 solver exists when `dnsZone` (or `dns01Solver`) is given,
   * the secret store when `keyVaultUrl` (or `secretStoreProvider`) is; the return type
   * says so, so neither needs a `!` then.
   */
  public static aks(options: AksOptionsWithDns & AksOptionsWithSecretStore): CompleteCloudProfile;
  public static aks(
    options: AksOptionsWithDns,
  ): CloudProfile<{ readonly dns01Solver: true; readonly secretStore: boolean }>;
  public static aks(
    options: AksOptionsWithSecretStore,
  ): CloudProfile<{ readonly dns01Solver: boolean; readonly secretStore: true }>;
  public static aks(options?: AksProfileOptions): CloudProfile;
  public static aks(options: AksProfileOptions = {}): CloudProfile {
    return new CloudProfile('aks', aksProfileData(options));
  }

  /**
   * Any other cluster (on-prem, kind, other clouds): no load balancer annotations and no
   * workload identity; DNS-01 and secrets only from what you pass (Cloudflare, Vault). The
   * return type has the solver or store without `| undefined` when it was passed.
   */
  public static generic(
    options: GenericProfileOptions & {
      readonly dns01Solver: Dns01Solver;
      readonly secretStoreProvider: SecretStoreProvider;
    },
  ): CompleteCloudProfile;
  public static generic(
    options: GenericProfileOptions & { readonly dns01Solver: Dns01Solver },
  ): CloudProfile<{ readonly dns01Solver: true; readonly secretStore: boolean }>;
  public static generic(
    options: GenericProfileOptions & { readonly secretStoreProvider: SecretStoreProvider },
  ): CloudProfile<{ readonly dns01Solver: boolean; readonly secretStore: true }>;
  public static generic(options?: GenericProfileOptions): CloudProfile;
  public static generic(options: GenericProfileOptions = {}): CloudProfile {
    return new CloudProfile('generic', genericProfileData(options));
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

  /**
   * The cloud's managed Gateway API implementation for a portal reachable from the
   * internet (`public`) or only the private network (`internal`): its GatewayClass, the
   * networks its proxies connect from, and what to set up (`notes`). GKE:
   * `gke-l7-global-external-managed` / `gke-l7-rilb`; AKS: `azure-alb-external`
   * (Application Gateway for Containers, public only); EKS: the AWS Load Balancer
   * Controller's `aws-alb-gateway-class` / `amazon-vpc-lattice`. `undefined` where the cloud
   * has none (generic, AKS internal): name your implementation's GatewayClass.
   */
  public gatewayApi(visibility: LoadBalancerVisibility): GatewayApiProfile | undefined {
    if (visibility !== 'public' && visibility !== 'internal') {
      throw new PropsValidationError([
        `[CloudProfile.${this.cloud}] visibility: must be "public" or "internal", got ${formatValue(visibility)}. Use "internal" for a gateway reachable only from the private network.`,
      ]);
    }
    return gatewayApiProfile(this.cloud, visibility);
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
   * The cloud's DNS-01 solver (or the one given to the profile), for `TlsSource.acmeDns01({ solver })`.
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
   * {@link CloudProfile.externalSecretsServiceAccountAnnotations}). Pass its `reference` to
   * `SecretRef.fromExternalSecret({ store })`. `undefined` when the profile has no secret
   * store; typed without `| undefined` for profiles that always have one (see
   * {@link CloudProfile.secretStoreProvider}).
   */
  public secretStore(
    scope: Construct,
    id: string,
    options: CloudSecretStoreOptions = {},
  ): ProvidedIf<ClusterSecretStore, C['secretStore']> {
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
