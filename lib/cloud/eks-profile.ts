import * as z from 'zod';

import { awsRegion, iamRoleArn, route53HostedZoneId } from '../core/cloud-ids';
import { problem } from '../core/validation';
import { SecretStoreProvider } from '../secrets/secret-store-provider';
import { Dns01Solver } from '../tls/dns01-solver';
import type {
  CloudProfileCommonOptions,
  NotedIdentity,
  PodIdentityAssociation,
  ProfileData,
} from './profile-common';
import { checkProfileOptions, operatorIdentities, profileOptionsSchema } from './profile-common';

// Amazon EKS: the options of CloudProfile.eks and what it makes of them.

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

const eksSchema = profileOptionsSchema(
  {
    region: awsRegion,
    workloadIdentity: z
      .enum(['irsa', 'pod-identity'], {
        error: problem('must be "irsa" or "pod-identity"', 'Pick how the cluster gives IAM roles to pods.'),
      })
      .optional(),
    certManagerRoleArn: iamRoleArn.optional(),
    externalSecretsRoleArn: iamRoleArn.optional(),
    hostedZoneId: route53HostedZoneId.optional(),
    route53RoleArn: iamRoleArn.optional(),
    secretsManagerRoleArn: iamRoleArn.optional(),
    nlbTargetType: z
      .enum(['ip', 'instance'], {
        error: problem('must be "ip" or "instance"', 'Use "ip" with the VPC CNI (the default on EKS).'),
      })
      .optional(),
    preserveClientIp: z
      .boolean({ error: problem('must be true or false', 'Leave it out to keep client IPs.') })
      .optional(),
  },
  (options, ctx) => {
    const store = options.secretStoreProvider;
    if (
      options.workloadIdentity === 'pod-identity' &&
      SecretStoreProvider.isSecretStoreProvider(store) &&
      store.provider === 'aws'
    ) {
      const sa = store.serviceAccount;
      if (sa !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['secretStoreProvider', 'serviceAccount'],
          message: problem(
            'cannot be used with EKS Pod Identity',
            "The operator cannot act as a ServiceAccount whose role comes from a Pod Identity association: leave serviceAccount out and associate the role with the operator's own ServiceAccount.",
          ),
          params: { nestedValue: { value: sa } },
        });
      }
    }
  },
) satisfies z.ZodType<EksProfileOptions>;

const AWS_LB = 'service.beta.kubernetes.io/aws-load-balancer';

/** @internal The data of a {@link CloudProfile.eks} profile. */
export function eksProfileData(options: EksProfileOptions): ProfileData {
  checkProfileOptions('CloudProfile.eks', eksSchema, options);
  const podIdentity = options.workloadIdentity === 'pod-identity';
  const associations: PodIdentityAssociation[] = [];
  const identities = operatorIdentities(
    options,
    { certManager: options.certManagerRoleArn, externalSecrets: options.externalSecretsRoleArn },
    (roleArn, sa, component): NotedIdentity => {
      if (podIdentity) {
        // No annotation: the association, made outside Kubernetes, gives the pods the role.
        associations.push({ component, namespace: sa.namespace, serviceAccount: sa.name, roleArn });
        return {
          annotations: {},
          podLabels: {},
          note:
            `EKS Pod Identity: associate ${roleArn} with ServiceAccount ${sa.namespace}/${sa.name} outside Kubernetes ` +
            `(aws_eks_pod_identity_association, or aws eks create-pod-identity-association --namespace ${sa.namespace} --service-account ${sa.name} --role-arn ${roleArn}); ` +
            `the role must trust pods.eks.amazonaws.com and the Pod Identity Agent add-on must run.`,
        };
      }
      return {
        annotations: { 'eks.amazonaws.com/role-arn': roleArn },
        podLabels: {},
        note: `IRSA: the trust policy of ${roleArn} must allow system:serviceaccount:${sa.namespace}:${sa.name} through the cluster's OIDC provider.`,
      };
    },
  );
  const targetType = options.nlbTargetType ?? 'ip';
  const lb: Record<string, string> = {
    // "external" hands the Service to the AWS Load Balancer Controller (the in-tree
    // controller ignores it). Set at creation: changing it later leaks the old load balancer.
    [`${AWS_LB}-type`]: 'external',
    [`${AWS_LB}-nlb-target-type`]: targetType,
    ...(targetType === 'ip' && options.preserveClientIp !== false
      ? { [`${AWS_LB}-target-group-attributes`]: 'preserve_client_ip.enabled=true' }
      : {}),
  };
  return {
    loadBalancer: {
      public: { ...lb, [`${AWS_LB}-scheme`]: 'internet-facing' },
      internal: { ...lb, [`${AWS_LB}-scheme`]: 'internal' },
    },
    ...identities,
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
  };
}
