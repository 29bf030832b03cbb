import * as z from 'zod';

import { cloudDnsZoneName, gcpProjectId, gcpServiceAccountEmail } from '../core/cloud-ids';
import { problem } from '../core/validation';
import { SecretStoreProvider } from '../secrets/secret-store-provider';
import { Dns01Solver } from '../tls/dns01-solver';
import type { CloudProfileCommonOptions, IdentifyOperator, ProfileData } from './profile-common';
import { checkProfileOptions, operatorIdentities, profileOptionsSchema } from './profile-common';

// Google GKE: the options of CloudProfile.gke and what it makes of them.

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

const gkeSchema = profileOptionsSchema({
  project: gcpProjectId,
  certManagerServiceAccountEmail: gcpServiceAccountEmail.optional(),
  externalSecretsServiceAccountEmail: gcpServiceAccountEmail.optional(),
  dnsProject: gcpProjectId.optional(),
  dnsZoneName: cloudDnsZoneName.optional(),
  secretManagerProject: gcpProjectId.optional(),
  backendServiceLoadBalancer: z
    .boolean({
      error: problem('must be true or false', "Leave it out for GKE's default external load balancer."),
    })
    .optional(),
}) satisfies z.ZodType<GkeProfileOptions>;

/** @internal The data of a {@link CloudProfile.gke} profile. */
export function gkeProfileData(options: GkeProfileOptions): ProfileData {
  checkProfileOptions('CloudProfile.gke', gkeSchema, options);
  const workloadIdentity: IdentifyOperator = (email, sa) => ({
    annotations: { 'iam.gke.io/gcp-service-account': email },
    podLabels: {},
    note: `GKE Workload Identity: grant roles/iam.workloadIdentityUser on ${email} to serviceAccount:${options.project}.svc.id.goog[${sa.namespace}/${sa.name}].`,
  });
  const emails = {
    certManager: options.certManagerServiceAccountEmail,
    externalSecrets: options.externalSecretsServiceAccountEmail,
  };
  return {
    loadBalancer: {
      public: options.backendServiceLoadBalancer === true ? { 'cloud.google.com/l4-rbs': 'enabled' } : {},
      internal: { 'networking.gke.io/load-balancer-type': 'Internal' },
    },
    ...operatorIdentities(options, emails, workloadIdentity),
    dns01Solver:
      options.dns01Solver ??
      Dns01Solver.cloudDns({
        project: options.dnsProject ?? options.project,
        ...(options.dnsZoneName !== undefined ? { hostedZoneName: options.dnsZoneName } : {}),
      }),
    secretStoreProvider:
      options.secretStoreProvider ??
      SecretStoreProvider.gcpSecretManager({ projectId: options.secretManagerProject ?? options.project }),
    podIdentityAssociations: [],
  };
}
