import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import {
  awsRegion,
  azureGuid,
  azureResourceGroupName,
  cloudDnsZoneName,
  gcpProjectId,
  iamRoleArn,
  route53HostedZoneId,
} from '../core/cloud-ids';
import { hostName, valueObjectSchema } from '../core/schemas';
import { nestedIssues, problem, validateProps } from '../core/validation';
import { SecretRef, secretRefSchema } from '../secrets/secret-ref';

const BRAND = Symbol.for('cdktf-backstage.Dns01Solver');

/** Options every DNS-01 solver takes. */
export interface Dns01SolverCommonOptions {
  /**
   * DNS zones this solver answers challenges for (cert-manager's `selector.dnsZones`);
   * the most specific zone wins when an issuer has several solvers.
   * @default - every DNS name of the issuer's certificates
   */
  readonly dnsZones?: readonly string[];
}

/** Options of {@link Dns01Solver.route53}. */
export interface Route53SolverOptions extends Dns01SolverCommonOptions {
  /**
   * AWS region, a hint for the credential scope and partition (Route 53 itself is
   * global). Ignored by cert-manager when IRSA or EKS Pod Identity sets `AWS_REGION`.
   */
  readonly region: string;
  /**
   * Hosted zone to write the challenge records in. With it cert-manager needs no
   * `route53:ListHostedZonesByName` permission.
   * @default - cert-manager looks the zone up by name
   */
  readonly hostedZoneId?: string;
  /**
   * IAM role cert-manager assumes before calling Route 53 (e.g. a role in the account
   * that owns the zone), starting from its own identity (IRSA or EKS Pod Identity).
   * @default - cert-manager's own identity
   */
  readonly role?: string;
}

/** Options of {@link Dns01Solver.cloudDns}. */
export interface CloudDnsSolverOptions extends Dns01SolverCommonOptions {
  /** Google Cloud project id that holds the Cloud DNS zone. */
  readonly project: string;
  /**
   * Cloud DNS managed zone name (not its DNS name).
   * @default - cert-manager picks the zone
   */
  readonly hostedZoneName?: string;
}

/** Options of {@link Dns01Solver.azureDns}. */
export interface AzureDnsSolverOptions extends Dns01SolverCommonOptions {
  /** Subscription id (a GUID) of the DNS zone. */
  readonly subscriptionId: string;
  /** Resource group of the DNS zone. */
  readonly resourceGroupName: string;
  /** DNS name of the zone, e.g. `example.com`. */
  readonly hostedZoneName: string;
  /**
   * Client id (a GUID) of the managed identity cert-manager uses through Azure Workload
   * Identity.
   * @default - the client id injected into cert-manager's pod (its ServiceAccount's `azure.workload.identity/client-id`)
   */
  readonly managedIdentityClientId?: string;
  /**
   * Azure cloud.
   * @default "AzurePublicCloud"
   */
  readonly environment?:
    'AzurePublicCloud' | 'AzureChinaCloud' | 'AzureGermanCloud' | 'AzureUSGovernmentCloud';
}

/** Options of {@link Dns01Solver.cloudflare}. */
export interface CloudflareSolverOptions extends Dns01SolverCommonOptions {
  /**
   * A Cloudflare API token with `Zone:DNS:Edit` (and `Zone:Zone:Read`) on the zone.
   * It is bound into cert-manager's namespace, where cert-manager reads the secrets of
   * ClusterIssuers.
   */
  readonly apiToken: SecretRef;
}

/** What a solver needs from the issuer that binds it. */
export interface Dns01BindingContext {
  /** Construct that creates the issuer; resources the solver needs live under it. */
  readonly scope: Construct;
  /**
   * cert-manager's cluster resource namespace, where it reads the Secrets that
   * ClusterIssuers refer to.
   */
  readonly certManagerNamespace: string;
  /**
   * The prop that holds the solver, for error messages.
   * @default - none
   */
  readonly prop?: string;
}

/** A solver rendered for a ClusterIssuer. */
export interface BoundDns01Solver {
  /** One entry of `spec.acme.solvers` (an `ACMEChallengeSolver`). */
  readonly solver: Readonly<Record<string, unknown>>;
  /** Resources the issuer should wait for (e.g. the API token Secret). */
  readonly dependsOn: readonly ITerraformDependable[];
}

/** The DNS-01 providers of cert-manager this library renders. */
export type Dns01Provider = 'route53' | 'cloudDNS' | 'azureDNS' | 'cloudflare';

const dnsZones = z
  .array(hostName)
  .min(
    1,
    problem(
      'must list at least one zone when given',
      'Leave dnsZones out to answer for every name of the issuer.',
    ),
  )
  .optional();

const schemas = {
  route53: z.strictObject({
    dnsZones,
    region: awsRegion,
    hostedZoneId: route53HostedZoneId.optional(),
    role: iamRoleArn.optional(),
  }) satisfies z.ZodType<Route53SolverOptions>,
  cloudDNS: z.strictObject({
    dnsZones,
    project: gcpProjectId,
    hostedZoneName: cloudDnsZoneName.optional(),
  }) satisfies z.ZodType<CloudDnsSolverOptions>,
  azureDNS: z.strictObject({
    dnsZones,
    subscriptionId: azureGuid('the subscription id', "the subscription's overview page or `az account show`"),
    resourceGroupName: azureResourceGroupName,
    hostedZoneName: hostName,
    managedIdentityClientId: azureGuid(
      'the client id of the managed identity',
      "the managed identity's overview page (Client ID)",
    ).optional(),
    environment: z
      .enum(['AzurePublicCloud', 'AzureChinaCloud', 'AzureGermanCloud', 'AzureUSGovernmentCloud'], {
        error: problem(
          'must be an Azure cloud name',
          'Use "AzurePublicCloud", "AzureChinaCloud", "AzureGermanCloud" or "AzureUSGovernmentCloud".',
        ),
      })
      .optional(),
  }) satisfies z.ZodType<AzureDnsSolverOptions>,
  cloudflare: z.strictObject({
    dnsZones,
    apiToken: secretRefSchema(),
  }) satisfies z.ZodType<CloudflareSolverOptions>,
};

/** A solver's `dns01` block and what the issuer must wait for. */
interface RenderedDns01 {
  readonly dns01: Record<string, unknown>;
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * How cert-manager proves control of a domain through a DNS TXT record (ACME DNS-01).
 * Unlike HTTP-01 it needs no route into the cluster, works for internal-only hosts and
 * wildcards, and is unaffected by the ingress's auth and IP allow-lists.
 */
export abstract class Dns01Solver {
  /**
   * Amazon Route 53, with cert-manager's own AWS identity (IRSA or EKS Pod Identity on
   * its ServiceAccount), optionally assuming `role`.
   */
  public static route53(options: Route53SolverOptions): Dns01Solver {
    return new ProviderSolver('route53', options, schemas.route53, (o) => ({
      dns01: {
        route53: {
          region: o.region,
          ...(o.hostedZoneId !== undefined ? { hostedZoneID: o.hostedZoneId } : {}),
          ...(o.role !== undefined ? { role: o.role } : {}),
        },
      },
    }));
  }

  /**
   * Google Cloud DNS, with cert-manager's own identity (GKE Workload Identity on its
   * ServiceAccount); no key file.
   */
  public static cloudDns(options: CloudDnsSolverOptions): Dns01Solver {
    return new ProviderSolver('cloudDNS', options, schemas.cloudDNS, (o) => ({
      dns01: {
        cloudDNS: {
          project: o.project,
          ...(o.hostedZoneName !== undefined ? { hostedZoneName: o.hostedZoneName } : {}),
        },
      },
    }));
  }

  /** Azure DNS, with cert-manager's own identity (Azure Workload Identity); no client secret. */
  public static azureDns(options: AzureDnsSolverOptions): Dns01Solver {
    return new ProviderSolver('azureDNS', options, schemas.azureDNS, (o) => ({
      dns01: {
        azureDNS: {
          subscriptionID: o.subscriptionId,
          resourceGroupName: o.resourceGroupName,
          hostedZoneName: o.hostedZoneName,
          ...(o.environment !== undefined ? { environment: o.environment } : {}),
          // Workload identity: no clientID/clientSecret/tenantID of a service principal.
          ...(o.managedIdentityClientId !== undefined
            ? { managedIdentity: { clientID: o.managedIdentityClientId } }
            : {}),
        },
      },
    }));
  }

  /** Cloudflare, on any cluster, with an API token from a {@link SecretRef}. */
  public static cloudflare(options: CloudflareSolverOptions): Dns01Solver {
    return new ProviderSolver('cloudflare', options, schemas.cloudflare, (o, context) => {
      // A ClusterIssuer reads its Secrets from cert-manager's cluster resource namespace.
      const token = o.apiToken.bind({
        scope: context.scope,
        namespace: context.certManagerNamespace,
        prop: context.prop ? `${context.prop}.apiToken` : 'apiToken',
      });
      return {
        dns01: { cloudflare: { apiTokenSecretRef: { name: token.secretName, key: token.key } } },
        dependsOn: token.dependsOn,
      };
    });
  }

  /** True for any Dns01Solver, even one from another copy of this library. */
  public static isDns01Solver(value: unknown): value is Dns01Solver {
    return isBranded(value, BRAND);
  }

  /** The cert-manager DNS-01 provider: `route53`, `cloudDNS`, `azureDNS` or `cloudflare`. */
  public abstract readonly provider: Dns01Provider;

  protected constructor() {
    brand(this, BRAND);
  }

  /** Validates the options and renders the solver for a ClusterIssuer. */
  public abstract bind(context: Dns01BindingContext): BoundDns01Solver;

  /**
   * @internal
   * Adds the problems of the factory's options to the check of the props that hold the
   * solver, under `path`, so they are reported in the same error. A solver without
   * options of its own has none to add.
   */
  public addOptionIssues(_ctx: z.core.$RefinementCtx, _path: readonly PropertyKey[]): void {}
}

/** The solver of one provider: its options, their schema and how they render. */
class ProviderSolver<O extends Dns01SolverCommonOptions> extends Dns01Solver {
  constructor(
    public readonly provider: Dns01Provider,
    private readonly options: O,
    private readonly schema: z.ZodType<O>,
    private readonly render: (options: O, context: Dns01BindingContext) => RenderedDns01,
  ) {
    super();
  }

  public bind(context: Dns01BindingContext): BoundDns01Solver {
    validateProps(context.scope, this.schema, this.options, context.prop ? [context.prop] : []);
    const { dns01, dependsOn = [] } = this.render(this.options, context);
    const zones = this.options.dnsZones;
    return {
      solver: { ...(zones !== undefined ? { selector: { dnsZones: [...zones] } } : {}), dns01 },
      dependsOn: [...dependsOn],
    };
  }

  public override addOptionIssues(ctx: z.core.$RefinementCtx, path: readonly PropertyKey[]): void {
    nestedIssues(ctx, path, this.schema, this.options);
  }
}

/** @internal A prop that takes a {@link Dns01Solver} (`TlsSource.acmeDns01`'s solver, a cloud profile's). */
export const dns01SolverSchema = valueObjectSchema(
  Dns01Solver.isDns01Solver,
  'a Dns01Solver',
  'Use Dns01Solver.route53(...), .cloudDns(...), .azureDns(...) or .cloudflare(...).',
);
