import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { TerraformVariable, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import { DEFAULT_CHARTS, type PinnedChart } from '../core/defaults';
import { PropsValidationError } from '../core/errors';
import { secretVariableSchema } from '../core/secret-variable';
import { problem } from '../core/validation';

const BRAND = Symbol.for('cdktf-backstage.ChartSource');

export { DEFAULT_CHARTS };
export type { PinnedChart };

/** How `helm_release` locates the chart: its `repository`, `chart` and `version` attributes. */
export interface HelmChartLocation {
  /**
   * `repository` attribute (a Helm repository URL or an `oci://` registry path).
   * @default - none (a local chart)
   */
  readonly repository?: string;
  /** `chart` attribute: the chart name, or the path of a local chart. */
  readonly chart: string;
  /**
   * `version` attribute.
   * @default - none (a local chart has the version it has)
   */
  readonly version?: string;
  /**
   * `repository_username` attribute.
   * @default - none (no login)
   */
  readonly repositoryUsername?: string;
  /**
   * `repository_password` attribute: a reference to the sensitive variable, never a value.
   * @default - none (no login)
   */
  readonly repositoryPassword?: string;
  /**
   * `repository_ca_file` attribute.
   * @default - none (the system's trusted CAs)
   */
  readonly repositoryCaFile?: string;
  /**
   * `repository_cert_file` attribute.
   * @default - none (no client certificate)
   */
  readonly repositoryCertFile?: string;
  /**
   * `repository_key_file` attribute: a path, never the key.
   * @default - none (no client certificate)
   */
  readonly repositoryKeyFile?: string;
}

/**
 * The TLS client certificate a Helm repository asks for (mutual TLS, as mirrors behind a
 * company gateway do): two PEM files on the machine that runs Terraform. Only their paths
 * reach the synthesized JSON; keep the key file readable by the deploying user alone.
 */
export interface ChartClientCertificate {
  /** PEM file of the client certificate (and its intermediates, if any). */
  readonly certFile: string;
  /** PEM file of its private key, unencrypted (Helm cannot ask for a passphrase). */
  readonly keyFile: string;
}

/**
 * The login of a chart repository or registry that wants one (a company mirror such as
 * Artifactory, Harbor or Nexus; a cloud registry such as Amazon ECR, where the user name is
 * `AWS` and the password the output of `aws ecr get-login-password`).
 */
export interface ChartLogin {
  /** The user name: not a secret, so a plain value (or a Terraform reference). */
  readonly username: string;
  /**
   * The password or token: a `sensitive` TerraformVariable without a default, filled from
   * `TF_VAR_<name>` at deploy time. It reaches `helm_release`'s `repository_password` as a
   * reference: never in code or synthesized JSON; in Terraform state, marked sensitive
   * (encrypt your backend).
   */
  readonly password: TerraformVariable;
}

/** How Terraform reaches a Helm repository that is not public. */
export interface ChartRepositoryOptions {
  /**
   * Log in with HTTP basic authentication. Helm sends the login for `index.yaml` and for the
   * charts it lists on the repository's own host, never to another host the index points at.
   * @default - no login
   */
  readonly login?: ChartLogin;
  /**
   * A PEM file of the CA that signed the repository's TLS certificate (a mirror behind a
   * company CA), on the machine that runs Terraform. A relative path is resolved against the
   * directory `cdktf synth` runs in; the synthesized JSON holds the absolute path.
   * @default - the system's trusted CAs
   */
  readonly caFile?: string;
  /**
   * Present this TLS client certificate (mutual TLS). A relative path is resolved as for
   * `caFile`.
   * @default - no client certificate
   */
  readonly clientCertificate?: ChartClientCertificate;
}

/** How Terraform reaches an OCI registry that is not public. */
export interface ChartRegistryOptions {
  /**
   * Log in to the registry host before pulling the chart. The helm provider's OCI client
   * stores the login, as `helm registry login` does, in Helm's registry config on the machine
   * that runs Terraform (`$HELM_CONFIG_HOME/registry/config.json`, by default under
   * `~/.config/helm`): in CI, point HELM_CONFIG_HOME at a directory the job throws away.
   * @default - no login
   */
  readonly login?: ChartLogin;
}

type ChartSourceOptions =
  | ({
      readonly kind: 'repository';
      readonly url: string;
      readonly chart: string;
      readonly version: string;
    } & ChartRepositoryOptions)
  | ({ readonly kind: 'oci'; readonly reference: string; readonly version: string } & ChartRegistryOptions)
  | { readonly kind: 'local'; readonly path: string };

const VERSION_FIX =
  'Pin an exact chart version such as "4.15.1" (cert-manager charts are versioned "v1.19.6"); ranges and "latest" let two environments install different code.';

/** An exact chart version: semver with an optional leading "v", no ranges. */
const chartVersion = z
  .string()
  .regex(
    /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/,
    problem('must be an exact chart version', VERSION_FIX),
  );

/** A chart name as Helm accepts it in a repository index. */
const chartName = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/,
    problem(
      'must be a chart name',
      'Use the chart name from the repository index, e.g. "ingress-nginx" (lower-case letters, digits, "-", "_" and ".").',
    ),
  );

const repositoryUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL('invalid:');
  }
  if (url.username !== '' || url.password !== '') {
    ctx.addIssue({
      code: 'custom',
      message: problem(
        'must not contain credentials',
        'Remove the user name and password from the URL and give them as the login option: ChartSource.repository(url, chart, version, { login: { username, password: sensitiveVariable } }).',
        { redact: true },
      ),
    });
  } else if (url.protocol !== 'https:' || url.hostname === '' || url.search !== '' || url.hash !== '') {
    ctx.addIssue({
      code: 'custom',
      message: problem(
        'must be an https:// Helm repository URL without query or fragment',
        'Charts run with cluster-admin rights: fetch them over TLS, e.g. "https://charts.example.com/stable".',
      ),
    });
  }
});

const OCI_REFERENCE =
  /^oci:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)+$/;

/** An OCI chart reference without tag or digest: `oci://<host>[:port]/<path>/<chart>`. */
const ociReference = z.string().superRefine((value, ctx) => {
  const rest = value.startsWith('oci://') ? value.slice('oci://'.length) : '';
  const host = rest.split('/')[0] ?? '';
  const last = rest.includes('/') ? rest.slice(rest.lastIndexOf('/') + 1) : '';
  if (host.includes('@')) {
    ctx.addIssue({
      code: 'custom',
      message: problem(
        'must not contain credentials',
        'Remove the user name and password from the reference and give them as the login option: ChartSource.oci(reference, version, { login: { username, password: sensitiveVariable } }).',
        { redact: true },
      ),
    });
  } else if (/[:@]/.test(last)) {
    ctx.addIssue({
      code: 'custom',
      message: problem(
        'must not carry a tag or digest',
        'Give the reference without ":<tag>" and put the chart version in the version argument.',
      ),
    });
  } else if (!OCI_REFERENCE.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: problem(
        'must be an OCI chart reference',
        'Write it as "oci://<registry host>/<path>/<chart>" in lower case, e.g. "oci://registry.example.com/charts/cert-manager".',
      ),
    });
  }
});

const localPath = z
  .string()
  .refine(
    (value) => value.trim() !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value),
    problem(
      'must be a path to a chart directory or .tgz file',
      'Give a file system path (relative paths are resolved against the directory cdktf synth runs in); use ChartSource.repository() or .oci() for URLs.',
    ),
  )
  .superRefine((value, ctx) => {
    // Helm would only fail at plan time, with a message that names no construct.
    if (value.trim() === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      return;
    }
    const resolved = resolve(value);
    if (!existsSync(resolved)) {
      ctx.addIssue({
        code: 'custom',
        message: problem(
          `does not exist (resolved to ${resolved})`,
          'Check the path; relative paths are resolved against the directory cdktf synth runs in.',
        ),
      });
    } else if (
      statSync(resolved).isDirectory() ? !existsSync(join(resolved, 'Chart.yaml')) : !/\.tgz$/.test(resolved)
    ) {
      ctx.addIssue({
        code: 'custom',
        message: problem(
          `is not a Helm chart (resolved to ${resolved})`,
          'Point at the chart directory (the one holding Chart.yaml) or at a packaged .tgz chart.',
        ),
      });
    }
  });

const chartLogin = z.strictObject({
  // RFC 7617: the user-id of basic authentication cannot hold a colon.
  username: z
    .string()
    .regex(
      /^[^:\s]+$/,
      problem(
        'must be a user name without ":" or white space',
        'Give the user name of the login alone; the password goes in `password`.',
      ),
    ),
  password: secretVariableSchema('password or token of the login'),
}) satisfies z.ZodType<ChartLogin>;

/**
 * A PEM file on the machine that runs Terraform holding a block of one of `labels`
 * (`CERTIFICATE`; `PRIVATE KEY` and its RSA/EC forms), so a swapped or empty file fails at
 * synth time rather than in the provider. Only the labels are looked at and reported.
 */
function pemFile(what: string, labels: RegExp, fix: string) {
  return z.string().superRefine((value, ctx) => {
    // A Terraform reference is read at apply time, by the provider.
    if (Token.isUnresolved(value)) return;
    const resolved = resolve(value);
    if (value.trim() === '' || !existsSync(resolved) || !statSync(resolved).isFile()) {
      ctx.addIssue({
        code: 'custom',
        message: problem(
          `must be an existing file of ${what} (resolved to ${resolved})`,
          'Check the path; relative paths are resolved against the directory cdktf synth runs in.',
        ),
      });
      return;
    }
    const found = [...readFileSync(resolved, 'utf8').matchAll(/^-----BEGIN ([A-Z0-9 ]+)-----$/gm)].map(
      (m) => m[1]!,
    );
    if (!found.some((label) => labels.test(label))) {
      ctx.addIssue({
        code: 'custom',
        message: problem(
          `must hold ${what} (${resolved} has ${found.length === 0 ? 'no PEM block' : `PEM blocks ${found.join(', ')}`})`,
          fix,
        ),
      });
    }
  });
}

/** The CA a repository's certificate chains to: a file with at least one PEM certificate. */
const caFile = pemFile(
  'PEM CA certificates',
  /^CERTIFICATE$/,
  "Name the PEM file of the CA that signed the repository's certificate (BEGIN CERTIFICATE).",
);

const clientCertificate = z.strictObject({
  certFile: pemFile(
    'a PEM client certificate',
    /^CERTIFICATE$/,
    'Name the certificate file in certFile and its key in keyFile.',
  ),
  keyFile: pemFile(
    'a PEM private key',
    /^(RSA |EC )?PRIVATE KEY$/,
    'Name the unencrypted private key (BEGIN PRIVATE KEY) in keyFile; an ENCRYPTED PRIVATE KEY cannot be used, as Helm asks for no passphrase.',
  ),
}) satisfies z.ZodType<ChartClientCertificate>;

/**
 * @internal Why a CA file is refused for an OCI registry: the helm provider's OCI client is
 * made once, without TLS options, and Helm's OCI getter uses it as given (helm provider 3.1.1
 * `registry.NewClient()`; Helm 3.18 `OCIGetter.get`).
 */
export const OCI_CA_FILE_PROBLEM = problem(
  'is not read for OCI registries',
  "The helm provider pulls OCI charts with its own registry client, which ignores repository_ca_file: add the registry's CA to the trust store of the machine that runs Terraform (or SSL_CERT_FILE), and leave caFile out.",
);

/**
 * @internal Why a client certificate is refused for an OCI registry: the same registry
 * client, made without TLS options, ignores repository_cert_file and repository_key_file.
 */
export const OCI_CLIENT_CERTIFICATE_PROBLEM = problem(
  'is not read for OCI registries',
  'The helm provider pulls OCI charts with its own registry client, which ignores repository_cert_file and repository_key_file: serve the chart from a Helm repository for mutual TLS, or reach the registry without a client certificate.',
);

const schemas = {
  repository: z.strictObject({
    kind: z.literal('repository'),
    url: repositoryUrl,
    chart: chartName,
    version: chartVersion,
    login: chartLogin.optional(),
    caFile: caFile.optional(),
    clientCertificate: clientCertificate.optional(),
  }),
  oci: z.strictObject({
    kind: z.literal('oci'),
    reference: ociReference,
    version: chartVersion,
    login: chartLogin.optional(),
    // Only JavaScript callers get here (the type has no caFile): say why rather than
    // "not a known property".
    caFile: z.never(OCI_CA_FILE_PROBLEM).optional(),
    clientCertificate: z.never(OCI_CLIENT_CERTIFICATE_PROBLEM).optional(),
  }),
  local: z.strictObject({ kind: z.literal('local'), path: localPath }),
};

/**
 * Where an operator's Helm chart comes from: a Helm repository, an OCI registry or a
 * local chart (an air-gapped mirror, a vendored or fixture chart). Each operator has a
 * pinned default ({@link DEFAULT_CHARTS}); give a ChartSource to install from elsewhere.
 */
export class ChartSource {
  /**
   * A chart in a Helm repository (`helm repo add <url>`), pinned to a version.
   * @param url - https URL of the repository (the directory holding `index.yaml`)
   * @param chart - chart name in the repository
   * @param version - exact chart version
   * @param options - a login and a CA for a repository that is not public
   */
  public static repository(
    url: string,
    chart: string,
    version: string,
    options: ChartRepositoryOptions = {},
  ): ChartSource {
    return new ChartSource({ ...options, kind: 'repository', url, chart, version });
  }

  /**
   * A chart in an OCI registry, pinned to a version.
   * @param reference - `oci://<host>/<path>/<chart>`, without tag or digest
   * @param version - exact chart version (the OCI tag)
   * @param options - a login for a registry that is not public
   */
  public static oci(reference: string, version: string, options: ChartRegistryOptions = {}): ChartSource {
    return new ChartSource({ ...options, kind: 'oci', reference, version });
  }

  /**
   * A chart on the machine that runs Terraform: an unpacked chart directory or a packaged
   * `.tgz`. A relative path is resolved against the directory `cdktf synth` runs in, and
   * the synthesized JSON holds the absolute path (Terraform runs in `cdktf.out/stacks/<stack>`).
   * The chart's own version is installed.
   * @param path - chart directory or `.tgz` file
   */
  public static localPath(path: string): ChartSource {
    return new ChartSource({ kind: 'local', path });
  }

  /** @internal The default chart of an operator. */
  public static pinned(chart: PinnedChart): ChartSource {
    return ChartSource.repository(chart.repository, chart.chart, chart.version);
  }

  public static isChartSource(value: unknown): value is ChartSource {
    return isBranded(value, BRAND);
  }

  /** Which factory made this source. */
  public readonly kind: 'repository' | 'oci' | 'local';
  /** @internal The factory arguments, validated when an operator binds this source. */
  public readonly options: ChartSourceOptions;
  /** @internal Schema of those arguments. */
  public readonly schema: z.ZodType;

  private constructor(options: ChartSourceOptions) {
    brand(this, BRAND);
    this.kind = options.kind;
    this.options = options;
    this.schema = schemas[options.kind];
  }

  /** The `helm_release` attributes that locate this chart. */
  public get location(): HelmChartLocation {
    const options = this.options;
    switch (options.kind) {
      case 'repository':
        return {
          repository: options.url.replace(/\/+$/, ''),
          chart: options.chart,
          version: options.version,
          ...loginAttributes(options.login),
          ...(options.caFile === undefined ? {} : { repositoryCaFile: absolute(options.caFile) }),
          ...(options.clientCertificate === undefined
            ? {}
            : {
                repositoryCertFile: absolute(options.clientCertificate.certFile),
                repositoryKeyFile: absolute(options.clientCertificate.keyFile),
              }),
        };
      case 'oci': {
        // The documented form of the helm provider: the registry path as `repository`,
        // the last path segment as `chart`.
        const cut = options.reference.lastIndexOf('/');
        return {
          repository: options.reference.slice(0, cut),
          chart: options.reference.slice(cut + 1),
          version: options.version,
          ...loginAttributes(options.login),
        };
      }
      case 'local':
        return { chart: absolute(options.path) };
    }
  }

  /** The chart version, or undefined for a local chart. */
  public get version(): string | undefined {
    return this.options.kind === 'local' ? undefined : this.options.version;
  }
}

/** A path as Terraform must see it: absolute (it runs in cdktf.out/stacks/<stack>), or a token left as it is. */
function absolute(path: string): string {
  return Token.isUnresolved(path) ? path : resolve(path);
}

/** The login as `helm_release` attributes: the password as a reference to its variable. */
function loginAttributes(login: ChartLogin | undefined) {
  return login === undefined
    ? {}
    : { repositoryUsername: login.username, repositoryPassword: login.password.stringValue };
}

/**
 * Context key (cdktf.json `context`, or `App({ context })`) naming a directory of packaged
 * charts, `<chart>-<version>.tgz` as `helm pull` and `helm package` name them. When it is
 * set, every operator without its own `chart` prop installs its pinned default chart from
 * that directory instead of the repository: the same chart version, fetched once, for
 * air-gapped clusters and for CI.
 */
export const CHART_DIRECTORY_CONTEXT = 'cdktf-backstage:chartDirectory';

/**
 * @internal
 * The pinned default chart, from the chart directory when the context names one. A missing
 * file is an error at synth: Terraform would only fail later, at apply, with a Helm message.
 */
export function defaultChartSource(scope: IConstruct, pinned: PinnedChart): ChartSource {
  const directory: unknown = scope.node.tryGetContext(CHART_DIRECTORY_CONTEXT);
  if (directory === undefined || directory === null) {
    return ChartSource.pinned(pinned);
  }
  if (typeof directory !== 'string' || directory.trim() === '') {
    throw new PropsValidationError([
      `[${scope.node.path}] chart: the context "${CHART_DIRECTORY_CONTEXT}" must be a directory path, got ${JSON.stringify(directory)}. ` +
        'Set it to the directory that holds the packaged charts, or remove it to install from the chart repositories.',
    ]);
  }
  const file = join(resolve(directory), `${pinned.chart}-${pinned.version}.tgz`);
  if (!existsSync(file)) {
    throw new PropsValidationError([
      `[${scope.node.path}] chart: the chart directory has no ${pinned.chart}-${pinned.version}.tgz, got ${JSON.stringify(directory)} ` +
        `(context "${CHART_DIRECTORY_CONTEXT}"). Put the chart there ("helm pull ${pinned.chart} --repo ${pinned.repository} --version ${pinned.version}"), ` +
        'or give this operator its own chart prop.',
    ]);
  }
  return ChartSource.localPath(file);
}
