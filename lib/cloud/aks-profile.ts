import * as z from 'zod';

import { azureGuid, azureResourceGroupName } from '../core/cloud-ids';
import { hostName, httpsUrl } from '../core/schemas';
import { problem } from '../core/validation';
import { SecretStoreProvider } from '../secrets/secret-store-provider';
import { Dns01Solver } from '../tls/dns01-solver';
import type { CloudProfileCommonOptions, IdentifyOperator, ProfileData } from './profile-common';
import { checkProfileOptions, operatorIdentities, profileOptionsSchema } from './profile-common';

// Azure AKS: the options of CloudProfile.aks and what it makes of them.

/** An Azure DNS zone. */
export interface AzureDnsZone {
  /** Subscription id (a GUID). */
  readonly subscriptionId: string;
  /** Resource group of the zone. */
  readonly resourceGroupName: string;
  /** DNS name of the zone, e.g. `example.com`. */
  readonly hostedZoneName: string;
}

/** Options of `CloudProfile.aks`. */
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

/** AKS options that name a DNS zone (or a solver): the profile then has a DNS-01 solver. */
export type AksOptionsWithDns = AksProfileOptions &
  ({ readonly dnsZone: AzureDnsZone } | { readonly dns01Solver: Dns01Solver });
/** AKS options that name a Key Vault (or a store provider): the profile then has a secret store. */
export type AksOptionsWithSecretStore = AksProfileOptions &
  ({ readonly keyVaultUrl: string } | { readonly secretStoreProvider: SecretStoreProvider });

const probePathProblem = problem(
  'must be an absolute HTTP path or false',
  'Use the controller\'s health path, e.g. "/healthz", or false to leave the annotation out.',
);

const aksSchema = profileOptionsSchema({
  tenantId: azureGuid(
    'the directory (tenant) id',
    "Microsoft Entra ID's overview page (Tenant ID)",
  ).optional(),
  certManagerClientId: azureGuid(
    'the client id of a managed identity',
    "the managed identity's overview page (Client ID)",
  ).optional(),
  externalSecretsClientId: azureGuid(
    'the client id of a managed identity',
    "the managed identity's overview page (Client ID)",
  ).optional(),
  dnsZone: z
    .strictObject({
      subscriptionId: azureGuid(
        'the subscription id',
        "the subscription's overview page or `az account show`",
      ),
      resourceGroupName: azureResourceGroupName,
      hostedZoneName: hostName,
    })
    .optional(),
  keyVaultUrl: httpsUrl.optional(),
  healthProbeRequestPath: z
    .union([z.string().regex(/^\/\S*$/, probePathProblem), z.literal(false, { error: probePathProblem })], {
      error: probePathProblem,
    })
    .optional(),
}) satisfies z.ZodType<AksProfileOptions>;

const AZURE_LB = 'service.beta.kubernetes.io/azure-load-balancer';

/** @internal The data of a `CloudProfile.aks` profile. */
export function aksProfileData(options: AksProfileOptions): ProfileData {
  checkProfileOptions('CloudProfile.aks', aksSchema, options);
  const workloadIdentity: IdentifyOperator = (clientId, sa) => ({
    annotations: {
      'azure.workload.identity/client-id': clientId,
      ...(options.tenantId !== undefined ? { 'azure.workload.identity/tenant-id': options.tenantId } : {}),
    },
    // Only labelled pods get the token volume and AZURE_* variables from the webhook.
    podLabels: { 'azure.workload.identity/use': 'true' },
    note:
      `Azure Workload Identity: add a federated identity credential to the managed identity ${clientId} for subject ` +
      `system:serviceaccount:${sa.namespace}:${sa.name}, issued by the cluster's OIDC issuer.`,
  });
  const clientIds = {
    certManager: options.certManagerClientId,
    externalSecrets: options.externalSecretsClientId,
  };
  const probePath = options.healthProbeRequestPath ?? '/healthz';
  const probe: Record<string, string> =
    probePath === false ? {} : { [`${AZURE_LB}-health-probe-request-path`]: probePath };
  return {
    loadBalancer: {
      public: probe,
      internal: { ...probe, [`${AZURE_LB}-internal`]: 'true' },
    },
    ...operatorIdentities(options, clientIds, workloadIdentity),
    dns01Solver:
      options.dns01Solver ??
      (options.dnsZone !== undefined
        ? Dns01Solver.azureDns({
            subscriptionId: options.dnsZone.subscriptionId,
            resourceGroupName: options.dnsZone.resourceGroupName,
            hostedZoneName: options.dnsZone.hostedZoneName,
            ...(options.certManagerClientId !== undefined
              ? { managedIdentityClientId: options.certManagerClientId }
              : {}),
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
  };
}
