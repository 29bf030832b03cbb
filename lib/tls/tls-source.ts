import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import { namespaceName } from '../core/cloud-ids';
import { httpsUrl, kubernetesName, kubernetesSubdomainName } from '../core/schemas';
import { problem, validateProps } from '../core/validation';
import { ensureClusterIssuer, IssuerRequester } from './cluster-issuer';
import { Dns01Solver, dns01SolverSchema } from './dns01-solver';

const BRAND = Symbol.for('cdktf-backstage.TlsSource');

/** Let's Encrypt's ACME directories, by the short names people use for them. */
export const ACME_DIRECTORIES = {
  production: 'https://acme-v02.api.letsencrypt.org/directory',
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
} as const;

/** Options of {@link TlsSource.acme}. */
export interface AcmeOptions {
  /** Contact e-mail registered with the ACME account (expiry notices go there). */
  readonly email: string;
  /**
   * `"production"` or `"staging"` for Let's Encrypt, or the https URL of any ACME directory.
   * @default "production"
   */
  readonly server?: 'production' | 'staging' | (string & {});
  /**
   * Name of the ClusterIssuer to create (cluster-wide: two stacks on one cluster must
   * not both create the same name).
   * @default "letsencrypt-production", "letsencrypt-staging", or "acme" for other servers
   */
  readonly issuerName?: string;
}

/** Options of {@link TlsSource.acmeDns01}. */
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

/** What an ingress needs from a TLS source. */
export interface BoundTls {
  /** Secret holding `tls.crt`/`tls.key` for the host. */
  readonly secretName: string;
  /** Annotations that make cert-manager issue the certificate (empty for an existing secret). */
  readonly annotations: Readonly<Record<string, string>>;
  /** Resources the Ingress should wait for. */
  readonly dependsOn: readonly ITerraformDependable[];
}

/** Context given by the ingress that binds the TLS source. */
export interface TlsBindingContext {
  readonly scope: Construct;
  /** The public host the certificate is for. */
  readonly host: string;
  /** Ingress class that serves HTTP-01 challenges. */
  readonly ingressClassName: string;
  /**
   * The Gateway (Gateway API) whose listener serves HTTP-01 challenges instead: an ACME
   * issuer then solves them with cert-manager's `gatewayHTTPRoute` solver attached to it,
   * and `ingressClassName` is not used.
   * @default - challenges are served by `ingressClassName`
   */
  readonly http01Gateway?: Http01Gateway;
}

/** A Gateway listener that serves cert-manager's HTTP-01 challenge routes. */
export interface Http01Gateway {
  /** Name of the Gateway. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  /**
   * The listener (`sectionName`) that serves plain HTTP on port 80.
   * @default - every listener of the Gateway that admits the route
   */
  readonly sectionName?: string;
}

/** The HTTP-01 solver of an ACME issuer for the context: cert-manager's route on the Gateway, or its Ingress of the class. */
function http01Solver(context: TlsBindingContext): Record<string, unknown> {
  const gateway = context.http01Gateway;
  if (gateway) {
    // cert-manager (with enableGatewayAPI) creates an HTTPRoute with an Exact match on
    // /.well-known/acme-challenge/<token> in the Certificate's namespace, attached here;
    // Gateway API ranks an Exact match above the portal's PathPrefix "/" redirect.
    const parentRef = {
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      name: gateway.name,
      namespace: gateway.namespace,
      ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}),
    };
    return { gatewayHTTPRoute: { parentRefs: [parentRef] } };
  }
  return { ingress: { ingressClassName: context.ingressClassName } };
}

/** An ACME `server` option: a Let's Encrypt environment or any https directory URL. */
const acmeServerSchema = z
  .string()
  .refine(
    (server) => server === 'production' || server === 'staging' || httpsUrl.safeParse(server).success,
    problem(
      'must be "production", "staging" or an https:// ACME directory URL',
      "Pick a Let's Encrypt environment or paste your ACME directory URL.",
    ),
  );

const acmeEmail = z.email(
  problem('must be an e-mail address', 'Give a mailbox that receives certificate expiry notices.'),
);

const acmeSchema = z.strictObject({
  email: acmeEmail,
  server: acmeServerSchema.optional(),
  issuerName: kubernetesName.optional(),
}) satisfies z.ZodType<AcmeOptions>;

const acmeDns01Schema = z
  .strictObject({
    email: acmeEmail,
    solver: dns01SolverSchema,
    server: acmeServerSchema.optional(),
    issuerName: kubernetesName.optional(),
    certManagerNamespace: namespaceName.optional(),
  })
  .superRefine((options, ctx) => {
    // The solver's own options are reported under tls.solver.<option>, in the same error.
    if (Dns01Solver.isDns01Solver(options.solver)) {
      options.solver.addOptionIssues(ctx, ['solver']);
    }
  }) satisfies z.ZodType<AcmeDns01Options>;

/** Where the TLS certificate of the portal's host comes from. */
export abstract class TlsSource {
  /**
   * A certificate from an ACME CA (Let's Encrypt by default) through cert-manager, with
   * an HTTP-01 challenge answered by the portal's ingress class. Creates the ClusterIssuer.
   */
  public static acme(options: AcmeOptions): TlsSource {
    return new AcmeTlsSource(options);
  }

  /**
   * A certificate from an ACME CA (Let's Encrypt by default) through cert-manager, proven
   * with a DNS-01 challenge: creates a ClusterIssuer whose only solver is `solver`. Use it
   * for hosts that are not reachable from the internet (internal load balancers) or when
   * HTTP-01 cannot pass the ingress.
   */
  public static acmeDns01(options: AcmeDns01Options): TlsSource {
    return new AcmeDns01TlsSource(options);
  }

  /** A certificate from an issuer that already exists (ClusterIssuer or namespaced Issuer). */
  public static fromIssuer(name: string, kind: 'ClusterIssuer' | 'Issuer' = 'ClusterIssuer'): TlsSource {
    return new ExistingIssuerTlsSource(name, kind);
  }

  /** A TLS Secret that already exists in the namespace (certificate managed elsewhere). */
  public static fromSecret(secretName: string): TlsSource {
    return new ExistingSecretTlsSource(secretName);
  }

  /**
   * A certificate signed by a private CA whose key pair is in a Secret of cert-manager's
   * cluster resource namespace. Creates a `ca` ClusterIssuer.
   */
  public static privateCa(caSecretName: string, issuerName = 'private-ca'): TlsSource {
    return new IssuerCreatingTlsSource(
      issuerName,
      { ca: { secretName: caSecretName } },
      () => {
        return { caSecretName, issuerName };
      },
      z.strictObject({ caSecretName: kubernetesSubdomainName, issuerName: kubernetesName }),
    );
  }

  /** A self-signed certificate, for throwaway development clusters only. */
  public static selfSigned(issuerName = 'selfsigned'): TlsSource {
    return new IssuerCreatingTlsSource(
      issuerName,
      { selfSigned: {} },
      () => ({ issuerName }),
      z.strictObject({ issuerName: kubernetesName }),
    );
  }

  /** True for any TlsSource, even one from another copy of this library. */
  public static isTlsSource(value: unknown): value is TlsSource {
    return isBranded(value, BRAND);
  }

  /** True when the certificate is self-signed (browsers will warn). */
  public get isSelfSigned(): boolean {
    return false;
  }

  protected constructor() {
    brand(this, BRAND);
  }

  public abstract bind(context: TlsBindingContext): BoundTls;
}

/** `<host with dashes>-tls`: the Secret cert-manager writes the certificate to. */
function defaultSecretName(host: string): string {
  // A host known only at plan time cannot be turned into a name here.
  if (Token.isUnresolved(host)) {
    return 'portal-tls';
  }
  return `${host.replace(/\./g, '-')}-tls`.slice(0, 253);
}

/**
 * The directory URL of an ACME `server` option, and the default issuer name:
 * `letsencrypt-<environment><suffix>`, or `acme<suffix>` for other servers.
 */
function resolveAcmeServer(
  server: string,
  suffix = '',
): { readonly directory: string; readonly defaultIssuerName: string } {
  if (server === 'production' || server === 'staging') {
    return { directory: ACME_DIRECTORIES[server], defaultIssuerName: `letsencrypt-${server}${suffix}` };
  }
  return { directory: server, defaultIssuerName: `acme${suffix}` };
}

// What both ACME sources share: the check of their options, the issuer's name from the
// server, the ClusterIssuer (made once per name, clashes found by the stack's registry)
// and what the ingress needs of it. Each kind brings its challenge solvers.
abstract class AcmeIssuerTlsSource<O extends AcmeOptions | AcmeDns01Options> extends TlsSource {
  constructor(
    protected readonly options: O,
    private readonly schema: z.ZodType,
    private readonly issuer: { readonly nameSuffix: string; readonly requester: IssuerRequester },
  ) {
    super();
  }

  /** The issuer's solvers, and what the issuer has to wait for. */
  protected abstract solve(context: TlsBindingContext): {
    readonly solvers: readonly unknown[];
    readonly dependsOn?: readonly ITerraformDependable[];
  };

  public bind(context: TlsBindingContext): BoundTls {
    validateProps(context.scope, this.schema, this.options, ['tls']);
    const { directory, defaultIssuerName } = resolveAcmeServer(
      this.options.server ?? 'production',
      this.issuer.nameSuffix,
    );
    const issuerName = this.options.issuerName ?? defaultIssuerName;
    const { solvers, dependsOn } = this.solve(context);
    const issuer = ensureClusterIssuer(
      context.scope,
      issuerName,
      {
        acme: {
          server: directory,
          email: this.options.email,
          privateKeySecretRef: { name: `${issuerName}-account-key` },
          solvers,
        },
      },
      this.issuer.requester,
      dependsOn,
    );
    return {
      secretName: defaultSecretName(context.host),
      annotations: { 'cert-manager.io/cluster-issuer': issuerName },
      dependsOn: [issuer.manifest],
    };
  }
}

// The HTTP-01, private CA and self-signed issuers are one kind for the name-clash check
// (the DNS-01 ones, below, another).
const REQUESTER = { kind: 'tls-source', differsBy: 'another ingress class or ACME server' };

class AcmeTlsSource extends AcmeIssuerTlsSource<AcmeOptions> {
  constructor(options: AcmeOptions) {
    super(options, acmeSchema, { nameSuffix: '', requester: REQUESTER });
  }

  protected solve(context: TlsBindingContext) {
    // cert-manager answers the challenge with its own Ingress of this class (or its own
    // HTTPRoute on the portal's Gateway), outside the portal's auth.
    return { solvers: [{ http01: http01Solver(context) }] };
  }
}

// Issuers of this kind differ by DNS solver or server; a clash with another kind of
// TlsSource's issuer is found by the shared registry too.
const DNS01_REQUESTER = { kind: 'acme-dns01', differsBy: 'another DNS solver or ACME server' };

class AcmeDns01TlsSource extends AcmeIssuerTlsSource<AcmeDns01Options> {
  constructor(options: AcmeDns01Options) {
    super(options, acmeDns01Schema, { nameSuffix: '-dns01', requester: DNS01_REQUESTER });
  }

  protected solve(context: TlsBindingContext) {
    const bound = this.options.solver.bind({
      scope: context.scope,
      certManagerNamespace: this.options.certManagerNamespace ?? 'cert-manager',
      prop: 'tls.solver',
    });
    // DNS-01 only: no challenge route through the ingress, so the auth and IP allow-list
    // annotations of the portal cannot get in the way.
    return { solvers: [bound.solver], dependsOn: bound.dependsOn };
  }
}

class ExistingIssuerTlsSource extends TlsSource {
  constructor(
    private readonly name: string,
    private readonly kind: 'ClusterIssuer' | 'Issuer',
  ) {
    super();
  }

  public bind(context: TlsBindingContext): BoundTls {
    validateProps(
      context.scope,
      z.strictObject({
        issuerName: kubernetesName,
        kind: z.enum(['ClusterIssuer', 'Issuer'], {
          error: problem('must be "ClusterIssuer" or "Issuer"', 'Pick the kind of the existing issuer.'),
        }),
      }),
      { issuerName: this.name, kind: this.kind },
      ['tls'],
    );
    const annotation =
      this.kind === 'ClusterIssuer' ? 'cert-manager.io/cluster-issuer' : 'cert-manager.io/issuer';
    return {
      secretName: defaultSecretName(context.host),
      annotations: { [annotation]: this.name },
      dependsOn: [],
    };
  }
}

class ExistingSecretTlsSource extends TlsSource {
  constructor(private readonly secretName: string) {
    super();
  }

  public bind(context: TlsBindingContext): BoundTls {
    validateProps(
      context.scope,
      z.strictObject({ secretName: kubernetesSubdomainName }),
      { secretName: this.secretName },
      ['tls'],
    );
    return { secretName: this.secretName, annotations: {}, dependsOn: [] };
  }
}

class IssuerCreatingTlsSource extends TlsSource {
  constructor(
    private readonly issuerName: string,
    private readonly spec: Record<string, unknown>,
    private readonly inputs: () => Record<string, unknown>,
    private readonly schema: z.ZodType,
  ) {
    super();
  }

  public override get isSelfSigned(): boolean {
    return 'selfSigned' in this.spec;
  }

  public bind(context: TlsBindingContext): BoundTls {
    validateProps(context.scope, this.schema, this.inputs(), ['tls']);
    const issuer = ensureClusterIssuer(context.scope, this.issuerName, this.spec, REQUESTER);
    return {
      secretName: defaultSecretName(context.host),
      annotations: { 'cert-manager.io/cluster-issuer': this.issuerName },
      dependsOn: [issuer.manifest],
    };
  }
}
