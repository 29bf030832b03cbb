import { ITerraformDependable, TerraformStack, Token, dependable } from 'cdktf';
import { Construct } from 'constructs';
import * as z from 'zod';
import { namespaceName } from '../cloud/cloud-ids';
import { httpsUrl, kubernetesName } from '../core/schemas';
import { fail, nestedIssues, problem, validateProps } from '../core/validation';
import { ClusterIssuer } from './cluster-issuer';
import { Dns01Solver } from './dns01-solver';
import { ACME_DIRECTORIES, BoundTls, TlsBindingContext, TlsSource } from './tls-source';

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
    solver: z.custom<Dns01Solver>(
      (value) => Dns01Solver.isDns01Solver(value),
      problem('must be a Dns01Solver', 'Use Dns01Solver.route53(...), .cloudDns(...), .azureDns(...) or .cloudflare(...).'),
    ),
    server: z
      .string()
      .refine(
        (server) => server === 'production' || server === 'staging' || httpsUrl.safeParse(server).success,
        problem('must be "production", "staging" or an https:// ACME directory URL', 'Pick a Let\'s Encrypt environment or paste your ACME directory URL.'),
      )
      .optional(),
    issuerName: kubernetesName.optional(),
    certManagerNamespace: namespaceName.optional(),
  })
  .superRefine((options, ctx) => {
    // The solver's own options are reported under tls.solver.<option>, in the same error.
    if (Dns01Solver.isDns01Solver(options.solver)) {
      nestedIssues(ctx, ['solver'], options.solver.schema, options.solver.options);
    }
  }) satisfies z.ZodType<AcmeDns01Options>;

interface CreatedIssuer {
  readonly issuer: ClusterIssuer;
  readonly spec: string;
}

// ClusterIssuers are cluster-scoped: each name is created once per stack, however many
// ingresses use it.
const created = new WeakMap<TerraformStack, Map<string, CreatedIssuer>>();

function ensureIssuer(scope: Construct, name: string, spec: Record<string, unknown>, dependsOn: readonly ITerraformDependable[]): ClusterIssuer {
  const stack = TerraformStack.of(scope);
  let byName = created.get(stack);
  if (!byName) {
    byName = new Map();
    created.set(stack, byName);
  }
  const json = JSON.stringify(spec);
  const existing = byName.get(name);
  if (existing) {
    if (existing.spec !== json) {
      fail(
        scope,
        'tls',
        `needs ClusterIssuer "${name}" with a different spec than another construct in this stack created`,
        name,
        'ClusterIssuers are cluster-wide: give this TlsSource its own issuerName (e.g. for another DNS solver or ACME server).',
      );
    }
    return existing.issuer;
  }
  // An issuer of the same name made by another TlsSource (e.g. TlsSource.acme) would be a
  // second Terraform resource for one cluster object.
  const other = stack.node.findAll().find((c): c is ClusterIssuer => c instanceof ClusterIssuer && c.issuerName === name);
  if (other) {
    fail(
      scope,
      'tls',
      `needs ClusterIssuer "${name}", which ${other.node.path} already creates with another spec`,
      name,
      'ClusterIssuers are cluster-wide: give this TlsSource its own issuerName.',
    );
  }
  const issuer = new ClusterIssuer(scope, `ClusterIssuer-${name}`, { name, spec });
  if (dependsOn.length > 0) {
    issuer.manifest.dependsOn = [...(issuer.manifest.dependsOn ?? []), ...dependsOn.map((d) => dependable(d))];
  }
  // The check above only sees issuers made earlier; one of the same name made later by
  // another TlsSource is caught when cdktf validates the stack.
  issuer.node.addValidation({
    validate: () =>
      stack.node
        .findAll()
        .filter((c): c is ClusterIssuer => c instanceof ClusterIssuer && c !== issuer && c.issuerName === name)
        .map(
          (c) =>
            `[${scope.node.path}] tls: needs ClusterIssuer "${name}", which ${c.node.path} also creates, got "${name}". ` +
            'ClusterIssuers are cluster-wide: give this TlsSource its own issuerName.',
        ),
  });
  byName.set(name, { issuer, spec: json });
  return issuer;
}

function defaultSecretName(host: string): string {
  // Same rule as the other TlsSources: `<host with dashes>-tls`.
  if (Token.isUnresolved(host)) {
    return 'portal-tls';
  }
  return `${host.replace(/\./g, '-')}-tls`.slice(0, 253);
}

class AcmeDns01TlsSource extends TlsSource {
  constructor(private readonly options: AcmeDns01Options) {
    super();
  }

  public bind(context: TlsBindingContext): BoundTls {
    validateProps(context.scope, optionsSchema, this.options, ['tls']);
    const server = this.options.server ?? 'production';
    const letsEncrypt = server === 'production' ? 'production' : server === 'staging' ? 'staging' : undefined;
    const directory = letsEncrypt ? ACME_DIRECTORIES[letsEncrypt] : server;
    const issuerName = this.options.issuerName ?? (letsEncrypt ? `letsencrypt-${letsEncrypt}-dns01` : 'acme-dns01');
    const bound = this.options.solver.bind({
      scope: context.scope,
      certManagerNamespace: this.options.certManagerNamespace ?? 'cert-manager',
      prop: 'tls.solver',
    });
    const issuer = ensureIssuer(
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
