import * as z from 'zod';
import { namespaceName } from '../core/cloud-ids';
import { kubernetesName } from '../core/schemas';
import { nestedIssues, problem, validateProps } from '../core/validation';
import { ensureClusterIssuer } from './cluster-issuer';
import { Dns01Solver, dns01SolverSchema } from './dns01-solver';
import { BoundTls, TlsBindingContext, TlsSource, acmeServerSchema, defaultSecretName, resolveAcmeServer } from './tls-source';

/** Options of {@link acmeDns01}. */
export interface AcmeDns01Options {
  /** Contact e-mail registered with the ACME account (expiry notices go there). */
  readonly email: string;
  /** How cert-manager publishes the challenge TXT record (Route 53, Cloud DNS, Azure DNS, Cloudflare). */
  readonly solver: Dns01Solver;
  /**
   * `"production"` or `"staging"` for Let's Encrypt, or the https URL of any ACME directory.
   * @default "production"
   */
  readonly server?: 'production' | 'staging' | (string & {});
  /**
   * Name of the ClusterIssuer to create (cluster-wide: two stacks on one cluster must
   * not both create the same name).
   * @default "letsencrypt-production-dns01", "letsencrypt-staging-dns01", or "acme-dns01" for other servers
   */
  readonly issuerName?: string;
  /**
   * cert-manager's cluster resource namespace (its `--cluster-resource-namespace`, by
   * default the namespace it is installed in): ClusterIssuers read their Secrets there,
   * so a Cloudflare token is bound into it.
   * @default "cert-manager"
   */
  readonly certManagerNamespace?: string;
}

const optionsSchema = z
  .strictObject({
    email: z.email(problem('must be an e-mail address', 'Give a mailbox that receives certificate expiry notices.')),
    solver: dns01SolverSchema,
    server: acmeServerSchema.optional(),
    issuerName: kubernetesName.optional(),
    certManagerNamespace: namespaceName.optional(),
  })
  .superRefine((options, ctx) => {
    // The solver's own options are reported under tls.solver.<option>, in the same error.
    if (Dns01Solver.isDns01Solver(options.solver)) {
      nestedIssues(ctx, ['solver'], options.solver.schema, options.solver.options);
    }
  }) satisfies z.ZodType<AcmeDns01Options>;

// Issuers of this kind differ by DNS solver or server; a clash with another kind of
// TlsSource's issuer is found by the shared registry too.
const REQUESTER = { kind: 'acme-dns01', differsBy: 'another DNS solver or ACME server' };

class AcmeDns01TlsSource extends TlsSource {
  constructor(private readonly options: AcmeDns01Options) {
    super();
  }

  public bind(context: TlsBindingContext): BoundTls {
    validateProps(context.scope, optionsSchema, this.options, ['tls']);
    const { directory, defaultIssuerName } = resolveAcmeServer(this.options.server ?? 'production', '-dns01');
    const issuerName = this.options.issuerName ?? defaultIssuerName;
    const bound = this.options.solver.bind({
      scope: context.scope,
      certManagerNamespace: this.options.certManagerNamespace ?? 'cert-manager',
      prop: 'tls.solver',
    });
    const issuer = ensureClusterIssuer(
      context.scope,
      issuerName,
      {
        acme: {
          server: directory,
          email: this.options.email,
          privateKeySecretRef: { name: `${issuerName}-account-key` },
          // DNS-01 only: no challenge route through the ingress, so the auth and IP
          // allow-list annotations of the portal cannot get in the way.
          solvers: [bound.solver],
        },
      },
      REQUESTER,
      bound.dependsOn,
    );
    return {
      secretName: defaultSecretName(context.host),
      annotations: { 'cert-manager.io/cluster-issuer': issuerName },
      dependsOn: [issuer.manifest],
    };
  }
}

/**
 * A certificate from an ACME CA (Let's Encrypt by default) through cert-manager, proven
 * with a DNS-01 challenge: creates a ClusterIssuer whose only solver is `solver`. Use it
 * for hosts that are not reachable from the internet (internal load balancers) or when
 * HTTP-01 cannot pass the ingress.
 */
export function acmeDns01(options: AcmeDns01Options): TlsSource {
  return new AcmeDns01TlsSource(options);
}
