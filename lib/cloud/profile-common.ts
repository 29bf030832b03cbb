import { IConstruct } from 'constructs';
import * as z from 'zod';

import { namespaceName } from '../core/cloud-ids';
import { kubernetesSubdomainName } from '../core/schemas';
import { validateProps } from '../core/validation';
import { SecretStoreProvider, secretStoreProviderSchema } from '../secrets/secret-store-provider';
import { Dns01Solver, dns01SolverSchema } from '../tls/dns01-solver';

// What every cloud profile shares: the options all of them take and their schema, the
// data a profile holds, which each cloud's module (eks-profile.ts, gke-profile.ts,
// aks-profile.ts, generic-profile.ts) makes from its options for CloudProfile, and the
// operators' identities, which each cloud makes in its own way.

/** Who may reach the ingress controller's load balancer. */
export type LoadBalancerVisibility = 'public' | 'internal';

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

const operatorServiceAccount = z.strictObject({
  namespace: namespaceName,
  name: kubernetesSubdomainName,
}) satisfies z.ZodType<OperatorServiceAccount>;

// The schema of the options every profile takes.
const commonOptionsShape = {
  dns01Solver: dns01SolverSchema.optional(),
  secretStoreProvider: secretStoreProviderSchema.optional(),
  certManagerServiceAccount: operatorServiceAccount.optional(),
  externalSecretsServiceAccount: operatorServiceAccount.optional(),
};

// Reports the options of a solver or store given to the profile under their own path.
// It takes the options as parsed, before their type is checked: the guards below do that.
function nestedOptionIssues(
  options: { readonly dns01Solver?: unknown; readonly secretStoreProvider?: unknown },
  ctx: z.core.$RefinementCtx,
): void {
  if (Dns01Solver.isDns01Solver(options.dns01Solver)) {
    options.dns01Solver.addOptionIssues(ctx, ['dns01Solver']);
  }
  if (SecretStoreProvider.isSecretStoreProvider(options.secretStoreProvider)) {
    options.secretStoreProvider.addOptionIssues(ctx, ['secretStoreProvider']);
  }
}

/**
 * @internal
 * The schema of one cloud's options: the common options and the cloud's own `shape`,
 * strict, with the nested solver's and store's issues, then the cloud's own `check` of
 * options that depend on each other.
 */
export function profileOptionsSchema<S extends z.ZodRawShape>(
  shape: S,
  check?: (
    options: z.output<z.ZodObject<typeof commonOptionsShape & S, z.core.$strict>>,
    ctx: z.core.$RefinementCtx,
  ) => void,
) {
  return z.strictObject({ ...commonOptionsShape, ...shape }).superRefine((options, ctx) => {
    nestedOptionIssues(options, ctx);
    check?.(options, ctx);
  });
}

/**
 * @internal
 * Checks a profile's options when it is made. A profile is a value shared by several
 * constructs (ingress controller, cert-manager, External Secrets, the portal) and read
 * through scope-less accessors, so its problems are reported once, at the call that made
 * it, as `[CloudProfile.<cloud>] <option>: ...`.
 */
export function checkProfileOptions(label: string, schema: z.ZodType, options: unknown): void {
  const origin = { node: { path: label } } as unknown as IConstruct;
  validateProps(origin, schema, options);
}

/** @internal The identity of an operator: its ServiceAccount annotations and its pod labels. */
export interface OperatorIdentity {
  readonly annotations: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
}

/** @internal Everything a CloudProfile holds: what each cloud's function makes of its options. */
export interface ProfileData {
  readonly loadBalancer: Readonly<Record<LoadBalancerVisibility, Readonly<Record<string, string>>>>;
  readonly certManager: OperatorIdentity;
  readonly externalSecrets: OperatorIdentity;
  readonly dns01Solver?: Dns01Solver;
  readonly secretStoreProvider?: SecretStoreProvider;
  readonly podIdentityAssociations: readonly PodIdentityAssociation[];
  readonly notes: readonly string[];
}

/** @internal The identity of an operator the profile gives none (it runs with the node's credentials). */
export const NO_IDENTITY: OperatorIdentity = { annotations: {}, podLabels: {} };

/** @internal An operator's cloud identity as a cloud makes it, with what has to be set up for it. */
export interface NotedIdentity extends OperatorIdentity {
  /** One sentence for {@link ProfileData.notes}. */
  readonly note: string;
}

/**
 * @internal
 * How a cloud makes an operator's identity from its id (a role ARN, a service account
 * e-mail, a client id) and its ServiceAccount.
 */
export type IdentifyOperator = (
  id: string,
  serviceAccount: OperatorServiceAccount,
  component: PodIdentityAssociation['component'],
) => NotedIdentity;

const CERT_MANAGER_SA: OperatorServiceAccount = { namespace: 'cert-manager', name: 'cert-manager' };
const EXTERNAL_SECRETS_SA: OperatorServiceAccount = {
  namespace: 'external-secrets',
  name: 'external-secrets',
};

/**
 * @internal
 * The identities of cert-manager and the External Secrets Operator, in that order: none
 * for an operator whose id (a role ARN, a service account e-mail, a client id) the
 * options leave out, else what `identify` makes of the id and the operator's
 * ServiceAccount; the notes of the identities made, in the same order.
 */
export function operatorIdentities(
  options: CloudProfileCommonOptions,
  ids: { readonly certManager: string | undefined; readonly externalSecrets: string | undefined },
  identify: IdentifyOperator,
): Pick<ProfileData, 'certManager' | 'externalSecrets' | 'notes'> {
  const notes: string[] = [];
  const identity = (
    component: PodIdentityAssociation['component'],
    id: string | undefined,
    serviceAccount: OperatorServiceAccount,
  ): OperatorIdentity => {
    if (id === undefined) {
      return NO_IDENTITY;
    }
    const { note, ...made } = identify(id, serviceAccount, component);
    notes.push(note);
    return made;
  };
  return {
    certManager: identity(
      'cert-manager',
      ids.certManager,
      options.certManagerServiceAccount ?? CERT_MANAGER_SA,
    ),
    externalSecrets: identity(
      'external-secrets',
      ids.externalSecrets,
      options.externalSecretsServiceAccount ?? EXTERNAL_SECRETS_SA,
    ),
    notes,
  };
}
