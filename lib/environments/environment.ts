import { readFileSync } from 'node:fs';

import { parseAllDocuments } from 'yaml';
import * as z from 'zod';

import { RENAMED_TARGET_CPU } from '../backstage/backstage';
import { databaseTlsSchema } from '../backstage/database';
import { gatewayApiProfile } from '../cloud/gateway-classes';
import { namespaceName } from '../core/cloud-ids';
import { PropsValidationError } from '../core/errors';
import { isRecord } from '../core/objects';
import {
  cidr,
  createdNamespace,
  goDuration,
  GUID,
  hostName,
  httpsUrl,
  kubernetesName,
  kubernetesSubdomainName,
  pinnedImage,
  portNumber,
  secretKey,
} from '../core/schemas';
import { TrustedCaBundle, trustedCaBundleSchema } from '../core/trusted-ca';
import { describeIssues, parseWithProblems, problem } from '../core/validation';
import { type EnvoyGatewayOptions, envoyGatewayOptionsSchema } from '../ingress/envoy-gateway-policies';
import { machineOnlyIssues } from '../ingress/gateway-api-ingress';
import { OCI_CA_FILE_PROBLEM, OCI_CLIENT_CERTIFICATE_PROBLEM } from '../platform/chart-source';
import { AccessTeamsData, accessTeamsIssues, accessTeamsShape } from './access-teams';
import { type MachineClientData, machineClientDataSchema } from './machine-clients';

// An environment is plain data: a TypeScript object, or a YAML/JSON file checked by the
// same schema. Secrets appear only as references (a variable name, a Secret key, a key
// in a cloud secret manager), never as values.

/** Where a secret of an environment comes from. */
export type SecretSourceData =
  | { readonly variable: string }
  | { readonly secret: { readonly name: string; readonly key: string } }
  | {
      readonly externalSecret: {
        readonly remoteKey: string;
        readonly property?: string;
        /** How often the operator re-reads it (rotation); default "1h". */
        readonly refreshInterval?: string;
      };
    };

/** Terraform state backend of an environment's stacks. */
export type BackendData =
  | { readonly type: 'local'; readonly path?: string }
  | {
      readonly type: 's3';
      readonly bucket: string;
      readonly region: string;
      readonly keyPrefix?: string;
      readonly dynamodbTable?: string;
    }
  | { readonly type: 'gcs'; readonly bucket: string; readonly prefix?: string }
  | {
      readonly type: 'azurerm';
      readonly resourceGroupName: string;
      readonly storageAccountName: string;
      readonly containerName: string;
      readonly keyPrefix?: string;
    };

/** The cluster and cloud an environment runs on. */
export type CloudData =
  | {
      readonly provider: 'generic';
      readonly vault?: { readonly server: string; readonly role: string };
      /**
       * Secrets of a namespace of this cluster, read through External Secrets as the
       * ServiceAccount `serviceAccount` of that namespace (default "external-secrets-reader"),
       * which gets `get` on them (on `secretNames` only, when given).
       */
      readonly kubernetesSecrets?: {
        readonly remoteNamespace: string;
        readonly serviceAccount?: string;
        readonly secretNames?: readonly string[];
      };
    }
  | {
      readonly provider: 'eks';
      readonly region: string;
      readonly workloadIdentity?: 'irsa' | 'pod-identity';
      readonly certManagerRoleArn?: string;
      readonly externalSecretsRoleArn?: string;
      readonly hostedZoneId?: string;
    }
  | {
      readonly provider: 'gke';
      readonly project: string;
      readonly certManagerServiceAccountEmail?: string;
      readonly externalSecretsServiceAccountEmail?: string;
      readonly dnsZoneName?: string;
    }
  | {
      readonly provider: 'aks';
      readonly tenantId?: string;
      readonly certManagerClientId?: string;
      readonly externalSecretsClientId?: string;
      readonly keyVaultUrl?: string;
      readonly dnsZone?: {
        readonly subscriptionId: string;
        readonly resourceGroupName: string;
        readonly hostedZoneName: string;
      };
    };

/** One environment of the portal. */
export interface EnvironmentData {
  /** Short name; the stacks are `<name>-platform` and `<name>-portal`. */
  readonly name: string;
  /** Production environments get stricter guardrails (replicas, PDBs). */
  readonly production: boolean;
  /** The cluster. */
  readonly cloud: CloudData;
  /** kubeconfig context of the cluster (and optionally the kubeconfig path). */
  readonly kubernetes: { readonly context: string; readonly configPath?: string };
  /** Where Terraform keeps the state of this environment's stacks. */
  readonly backend: BackendData;
  /** Public host of the portal. */
  readonly host: string;
  /**
   * Host of the machine entry (`BackstagePortal` `machineHost`): the machine clients (the
   * access policy's and this environment's) call Backstage there, admitted by issuer,
   * audience and subject.
   * @default - none: machine clients can only pass the people's entry
   */
  readonly machineHost?: string;
  /**
   * A CA bundle ConfigMap of the portal's namespace that oauth2-proxy and Backstage trust
   * (`BackstagePortal` `trustedCa`), e.g. `{ configMapName: kube-root-ca.crt, key: ca.crt }`
   * where this cluster's API server is an agent's issuer.
   */
  readonly trustedCa?: TrustedCaBundle;
  /**
   * Machine clients of this environment only, besides the access policy's (e.g. an agent's
   * ServiceAccount, whose issuer is this cluster's).
   * @default - none
   */
  readonly machineClients?: readonly MachineClientData[];
  /** Backstage image, pinned. */
  readonly image: string;
  /** Load balancer of the ingress controller: reachable from the internet or only inside the network. */
  readonly exposure?: 'public' | 'internal';
  /** Backstage replicas. */
  readonly replicas?: number;
  /** Namespace of the portal. */
  readonly namespace?: string;
  /** Database of Backstage. */
  readonly database:
    | { readonly type: 'in-cluster'; readonly password: SecretSourceData; readonly storageSize?: string }
    | {
        readonly type: 'external';
        readonly host: string;
        readonly user: string;
        readonly password: SecretSourceData;
        readonly port?: number;
        /** TLS to the server (default: verify-full against Node's CAs); a private CA (RDS, Cloud SQL) goes in `ca`. */
        readonly tls?: {
          readonly mode?: 'verify-full' | 'require' | 'disable';
          readonly ca?: SecretSourceData;
        };
      }
    | { readonly type: 'sqlite-in-memory' };
  /** Certificate of the host. */
  readonly tls:
    | { readonly type: 'acme'; readonly email: string; readonly server?: 'production' | 'staging' }
    | { readonly type: 'secret'; readonly secretName: string }
    | { readonly type: 'self-signed' };
  /** OIDC client secrets. */
  readonly secrets: { readonly clientSecret: SecretSourceData; readonly cookieSecret: SecretSourceData };
  /** Client networks allowed to reach the portal. */
  readonly allowSourceRanges?: readonly string[];
  /**
   * Per-client-IP rate limit at the ingress (`limit-rps`, `limit-burst-multiplier`,
   * `limit-connections`): `burstMultiplier` defaults to 5, `connections` to no limit.
   */
  readonly rateLimit?: {
    readonly requestsPerSecond: number;
    readonly burstMultiplier?: number;
    readonly connections?: number;
  };
  /**
   * Backstage horizontal autoscaling on CPU (replaces `replicas`):
   * `targetCPUUtilizationPercentage` is 10 to 100, 75 by default.
   */
  readonly autoscaling?: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly targetCPUUtilizationPercentage?: number;
    /** @deprecated Renamed to `targetCPUUtilizationPercentage`; refused. */
    readonly targetCpuUtilizationPercent?: never;
  };
  /** Backstage app-config merged over the generated one (no secret values: use `${ENV}` references). */
  readonly appConfig?: Readonly<Record<string, unknown>>;
  /**
   * Prometheus metrics of the portal's workloads, opened to one scraper (`OidcGateway` and
   * `Backstage` `metrics`): oauth2-proxy's, both entries', always; Backstage's when its app
   * exports them (`backstage.port`). `serviceMonitor` renders Prometheus Operator
   * ServiceMonitors for them and turns on those of the platform stack's operator charts
   * (ingress-nginx, cert-manager, External Secrets) with the same labels and interval: the
   * CRD must be in the cluster before either stack is applied.
   */
  readonly metrics?: {
    /** The scraping pods: their namespace, and their labels (default: every pod there). */
    readonly scraper: {
      readonly namespace: string;
      readonly podLabels?: Readonly<Record<string, string>>;
    };
    readonly serviceMonitor?: {
      readonly labels?: Readonly<Record<string, string>>;
      readonly interval?: string;
    };
    /** Where the app's exporter serves Backstage's metrics (path default `/metrics`). */
    readonly backstage?: { readonly port: number; readonly path?: string };
  };
  /**
   * The front door: `ingress-nginx` (the platform stack installs the controller) or
   * `gateway-api` (the portal renders a Gateway of the cloud's GatewayClass, or of
   * `gatewayApi.gatewayClassName`, and HTTPRoutes; oauth2-proxy sits in the request path).
   */
  readonly ingressFlavour?: 'ingress-nginx' | 'gateway-api';
  /** With `ingressFlavour: gateway-api`: the Gateway the portal renders. */
  readonly gatewayApi?: {
    /** GatewayClass of the implementation (default: the cloud's; required on generic clusters). */
    readonly gatewayClassName?: string;
    /** Annotations of the Gateway (implementation settings, e.g. AKS's `alb.networking.azure.io/alb-id`). */
    readonly annotations?: Readonly<Record<string, string>>;
    /** Networks the Gateway's proxies connect from when they run outside the cluster, besides those the cloud publishes. */
    readonly dataPlaneSourceRanges?: readonly string[];
    /** The data plane pods, when they are not the Gateway's own (labelled `gateway.networking.k8s.io/gateway-name` in the portal's namespace). */
    readonly dataPlane?: {
      readonly namespace: string;
      readonly podLabels?: Readonly<Record<string, string>>;
    };
    /** Keep serving through ingress-nginx during the switch (both side by side); remove it afterwards. */
    readonly keepIngressNginx?: boolean;
    /**
     * With `machineHost`: the machine host's `WWW-Authenticate` challenge, set by its route's
     * `ResponseHeaderModifier` filter. Only for an implementation that supports the filter
     * (Extended support; not the AWS ALB or VPC Lattice): default false.
     */
    readonly machineChallenge?: boolean;
    /**
     * Where Envoy Gateway runs the GatewayClass: its policies for the portal's routes and
     * Gateway (see `EnvoyGatewayOptions`): `rateLimit` (`requests` per `unit` and client
     * address), `gzip` (default true), `accessLog` (default true: JSON on the Envoy pods'
     * stdout) and `trustedProxyHops`. With it, the environment's `allowSourceRanges` apply
     * too (a SecurityPolicy). Envoy Gateway's CRDs must be in the cluster.
     */
    readonly envoyGateway?: Omit<EnvoyGatewayOptions, 'allowSourceRanges'>;
  };
  /**
   * One mirror all the platform stack's operator charts come from, each by its pinned name and
   * version (`DEFAULT_CHARTS`): a Helm repository holding them all, or an OCI registry path
   * under which each is `<url>/<chart>`. The password of a `login` is a sensitive variable of
   * the platform stack, filled from `TF_VAR_<name>`.
   * @default - the charts' own public repositories (or the chart-directory context)
   */
  readonly chartMirror?: {
    readonly type: 'repository' | 'oci';
    /** `https://...` of the repository (the directory of `index.yaml`), or `oci://<host>/<path>`. */
    readonly url: string;
    readonly login?: { readonly username: string; readonly password: { readonly variable: string } };
    /** The repository's company CA, a PEM file on the machine that runs Terraform (repository only). */
    readonly caFile?: string;
    /** The TLS client certificate the repository asks for: two PEM files (repository only). */
    readonly clientCertificate?: { readonly certFile: string; readonly keyFile: string };
  };
  /** The ingress-nginx controller of the platform stack. */
  readonly ingressController?: {
    /** Controller replicas (default: 2 in production, else 1). */
    readonly replicas?: number;
    /** Extra keys of the controller ConfigMap (chart value `controller.config`); snippets stay refused. */
    readonly config?: Readonly<Record<string, string>>;
  };
}

/** The access policy shared by every environment. */
export interface SharedAccessPolicy extends AccessTeamsData {
  /** The identity provider. */
  readonly issuer:
    | { readonly type: 'okta'; readonly domain: string; readonly authorizationServerId?: string }
    | { readonly type: 'google'; readonly hostedDomain?: string }
    | { readonly type: 'entra-id'; readonly tenantId: string }
    | { readonly type: 'keycloak'; readonly url: string; readonly realm: string }
    | { readonly type: 'oidc'; readonly issuerUrl: string };
  /** OAuth client id. */
  readonly clientId: string;
  /** E-mail domains allowed to sign in. */
  readonly emailDomains?: readonly string[];
  /** IdP groups allowed to sign in. */
  readonly groups?: readonly string[];
  /**
   * The CI jobs and agents every environment admits (with its `machineHost`): GitHub
   * Actions, GitLab CI, Kubernetes service accounts or any OIDC issuer, by their tokens.
   * @default - none
   */
  readonly machineClients?: readonly MachineClientData[];
}

const variableSource = z.strictObject({
  variable: z
    .string()
    .regex(
      /^[a-z][a-z0-9_]*$/,
      problem(
        'must be a Terraform variable name',
        'Use lower-case letters, digits and "_" (it is filled from TF_VAR_<name>).',
      ),
    ),
});

const secretSource = z.union(
  [
    variableSource,
    z.strictObject({ secret: z.strictObject({ name: kubernetesSubdomainName, key: secretKey }) }),
    z.strictObject({
      externalSecret: z.strictObject({
        remoteKey: z.string().min(1),
        property: z.string().min(1).optional(),
        refreshInterval: goDuration.optional(),
      }),
    }),
  ],
  {
    error: problem(
      'must be {variable}, {secret: {name, key}} or {externalSecret: {remoteKey}}',
      'Secrets are referenced, never written: name a sensitive variable, a Secret key or a key in the secret manager.',
      { redact: true },
    ),
  },
) satisfies z.ZodType<SecretSourceData>;

const bucket = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    problem('must be a bucket name', 'Use 3-63 lower-case letters, digits, "." and "-".'),
  );
const region = z
  .string()
  .regex(
    /^[a-z]+(-[a-z]+)*-?\d+$/,
    problem('must be a region such as "eu-west-1" or "europe-west1"', "Use the cloud's region code."),
  );

const backend = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('local'), path: z.string().min(1).optional() }),
    z.strictObject({
      type: z.literal('s3'),
      bucket,
      region,
      keyPrefix: z.string().min(1).optional(),
      dynamodbTable: z.string().min(3).optional(),
    }),
    z.strictObject({ type: z.literal('gcs'), bucket, prefix: z.string().min(1).optional() }),
    z.strictObject({
      type: z.literal('azurerm'),
      resourceGroupName: z.string().min(1),
      storageAccountName: z
        .string()
        .regex(
          /^[a-z0-9]{3,24}$/,
          problem('must be a storage account name', 'Use 3-24 lower-case letters and digits.'),
        ),
      containerName: z.string().min(3),
      keyPrefix: z.string().min(1).optional(),
    }),
  ],
  {
    error: problem(
      'must have type "local", "s3", "gcs" or "azurerm"',
      'Pick the state backend of this environment.',
    ),
  },
) satisfies z.ZodType<BackendData>;

const cloud = z.discriminatedUnion(
  'provider',
  [
    // The cloud-specific ids are checked by CloudProfile itself when the stacks are built.
    z
      .strictObject({
        provider: z.literal('generic'),
        vault: z.strictObject({ server: httpsUrl, role: z.string().min(1) }).optional(),
        kubernetesSecrets: z
          .strictObject({
            remoteNamespace: namespaceName,
            serviceAccount: kubernetesSubdomainName.optional(),
            secretNames: z.array(kubernetesSubdomainName).min(1).optional(),
          })
          .optional(),
      })
      .refine((c) => c.vault === undefined || c.kubernetesSecrets === undefined, {
        path: ['kubernetesSecrets'],
        message: problem(
          'cannot be set together with vault',
          'An environment reads its secrets from one store: keep vault or kubernetesSecrets.',
        ),
      }),
    z.strictObject({
      provider: z.literal('eks'),
      region,
      workloadIdentity: z
        .enum(['irsa', 'pod-identity'], {
          error: problem(
            'must be "irsa" or "pod-identity"',
            'Pick how the operators get their IAM roles on EKS.',
          ),
        })
        .optional(),
      certManagerRoleArn: z.string().optional(),
      externalSecretsRoleArn: z.string().optional(),
      hostedZoneId: z.string().optional(),
    }),
    z.strictObject({
      provider: z.literal('gke'),
      project: z
        .string()
        .regex(
          /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
          problem('must be a GCP project id', 'Use the project id, not its name or number.'),
        ),
      certManagerServiceAccountEmail: z.string().optional(),
      externalSecretsServiceAccountEmail: z.string().optional(),
      dnsZoneName: z.string().optional(),
    }),
    z.strictObject({
      provider: z.literal('aks'),
      tenantId: z
        .string()
        .regex(GUID, problem('must be a GUID', 'Copy the directory (tenant) id.'))
        .optional(),
      certManagerClientId: z.string().optional(),
      externalSecretsClientId: z.string().optional(),
      keyVaultUrl: httpsUrl.optional(),
      dnsZone: z
        .strictObject({
          subscriptionId: z.string(),
          resourceGroupName: z.string(),
          hostedZoneName: z.string(),
        })
        .optional(),
    }),
  ],
  { error: problem('must have provider "generic", "eks", "gke" or "aks"', 'Pick the kind of cluster.') },
) satisfies z.ZodType<CloudData>;

/** @internal */
export const environmentSchema = z
  .strictObject({
    name: kubernetesName,
    production: z.boolean(),
    cloud,
    kubernetes: z.strictObject({ context: z.string().min(1), configPath: z.string().min(1).optional() }),
    backend,
    host: hostName,
    machineHost: hostName.optional(),
    trustedCa: trustedCaBundleSchema.optional(),
    machineClients: z.array(machineClientDataSchema).optional(),
    image: pinnedImage,
    exposure: z
      .enum(['public', 'internal'], {
        error: problem(
          'must be "public" or "internal"',
          'Pick whether the load balancer faces the internet.',
        ),
      })
      .optional(),
    replicas: z.number().int().min(1).optional(),
    namespace: createdNamespace.optional(),
    database: z.discriminatedUnion(
      'type',
      [
        z.strictObject({
          type: z.literal('in-cluster'),
          password: secretSource,
          storageSize: z
            .string()
            .regex(
              /^\d+(Mi|Gi|Ti)$/,
              problem('must be a volume size such as "5Gi"', 'Use a whole number followed by Mi, Gi or Ti.'),
            )
            .optional(),
        }),
        z.strictObject({
          type: z.literal('external'),
          host: z.string().min(1),
          user: z.string().min(1),
          password: secretSource,
          port: portNumber.optional(),
          tls: databaseTlsSchema(
            secretSource,
            'Use "verify-full" and give the server\'s CA in "ca"; "require" does not check who answers.',
          ).optional(),
        }),
        z.strictObject({ type: z.literal('sqlite-in-memory') }),
      ],
      {
        error: problem(
          'must have type "in-cluster", "external" or "sqlite-in-memory"',
          'Pick where Backstage keeps its data.',
        ),
      },
    ),
    tls: z.discriminatedUnion(
      'type',
      [
        z.strictObject({
          type: z.literal('acme'),
          email: z.email(),
          server: z.enum(['production', 'staging']).optional(),
        }),
        z.strictObject({ type: z.literal('secret'), secretName: kubernetesSubdomainName }),
        z.strictObject({ type: z.literal('self-signed') }),
      ],
      {
        error: problem(
          'must have type "acme", "secret" or "self-signed"',
          'Pick where the certificate comes from.',
        ),
      },
    ),
    secrets: z.strictObject({ clientSecret: secretSource, cookieSecret: secretSource }),
    allowSourceRanges: z.array(cidr).optional(),
    rateLimit: z
      .strictObject({
        requestsPerSecond: z.number().int().min(1),
        burstMultiplier: z.number().int().min(1).optional(),
        connections: z.number().int().min(1).optional(),
      })
      .optional(),
    autoscaling: z
      .strictObject({
        minReplicas: z.number().int().min(1),
        maxReplicas: z.number().int().min(1),
        targetCPUUtilizationPercentage: z.number().int().min(10).max(100).optional(),
        targetCpuUtilizationPercent: RENAMED_TARGET_CPU,
      })
      .optional(),
    appConfig: z.record(z.string(), z.unknown()).optional(),
    // Shapes here; the labels, interval, port and path are checked by the constructs.
    metrics: z
      .strictObject({
        scraper: z.strictObject({
          namespace: kubernetesName,
          podLabels: z.record(z.string(), z.string()).optional(),
        }),
        serviceMonitor: z
          .strictObject({
            labels: z.record(z.string(), z.string()).optional(),
            interval: z.string().optional(),
          })
          .optional(),
        backstage: z.strictObject({ port: z.number(), path: z.string().optional() }).optional(),
      })
      .optional(),
    ingressFlavour: z
      .enum(['ingress-nginx', 'gateway-api'], {
        error: problem('must be "ingress-nginx" or "gateway-api"', 'Pick the front door of the portal.'),
      })
      .optional(),
    gatewayApi: z
      .strictObject({
        gatewayClassName: z.string().min(1).max(253).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
        dataPlaneSourceRanges: z
          .array(cidr)
          .min(
            1,
            problem(
              'must list at least one network',
              'Leave it out when the data plane runs in the cluster.',
            ),
          )
          .optional(),
        dataPlane: z
          .strictObject({ namespace: kubernetesName, podLabels: z.record(z.string(), z.string()).optional() })
          .optional(),
        keepIngressNginx: z.boolean().optional(),
        machineChallenge: z.boolean().optional(),
        // The allow-list is the environment's own allowSourceRanges, for every flavour.
        envoyGateway: envoyGatewayOptionsSchema.omit({ allowSourceRanges: true }).optional(),
      })
      .optional(),
    ingressController: z
      .strictObject({
        replicas: z.number().int().min(1).optional(),
        config: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
    // Shapes here; the URL, user name and CA file are checked by ChartSource at each operator.
    chartMirror: z
      .strictObject({
        type: z.enum(['repository', 'oci']),
        url: z.string(),
        login: z
          .strictObject({
            username: z.string(),
            // The helm provider takes a Terraform value: a Secret in the cluster cannot be it. (A
            // union, so a wrong shape gets this one message rather than one per key.)
            password: z.union([variableSource, z.never()], {
              error: problem(
                'must be {variable: <name>}',
                'The chart mirror password is a sensitive Terraform variable of the platform stack, filled from TF_VAR_<name>; Helm reads it before anything is in the cluster.',
                { redact: true },
              ),
            }),
          })
          .optional(),
        caFile: z.string().optional(),
        clientCertificate: z.strictObject({ certFile: z.string(), keyFile: z.string() }).optional(),
      })
      .superRefine((mirror, ctx) => {
        if (mirror.type !== 'oci') return;
        if (mirror.caFile !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['caFile'], message: OCI_CA_FILE_PROBLEM });
        }
        if (mirror.clientCertificate !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['clientCertificate'],
            message: OCI_CLIENT_CERTIFICATE_PROBLEM,
          });
        }
      })
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.ingressFlavour !== 'gateway-api') {
      if (env.gatewayApi !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['gatewayApi'],
          message: problem(
            'only applies with ingressFlavour: gateway-api',
            'Set ingressFlavour: gateway-api, or remove gatewayApi.',
          ),
        });
      }
      return;
    }
    machineOnlyIssues(
      ctx,
      'machineChallenge',
      env.gatewayApi?.machineChallenge,
      env.machineHost !== undefined,
      ['gatewayApi'],
    );
    // Standard Gateway API has no client allow-list or rate limit: they would silently not
    // apply, unless Envoy Gateway's policies carry them.
    const notPortable = 'standard Gateway API routes have no such setting, so it would not apply';
    const envoyGateway = env.gatewayApi?.envoyGateway !== undefined;
    if (env.allowSourceRanges !== undefined && !envoyGateway) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowSourceRanges'],
        message: problem(
          `is not available with ingressFlavour gateway-api: ${notPortable}`,
          "On Envoy Gateway add gatewayApi.envoyGateway (a SecurityPolicy applies it); elsewhere restrict the clients at the load balancer or with your implementation's policy (Cloud Armor, security groups, a WAF), and remove it here.",
        ),
      });
    }
    if (env.rateLimit !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['rateLimit'],
        message: problem(
          `is not available with ingressFlavour gateway-api: ${envoyGateway ? "it is ingress-nginx's per-IP limit (limit-rps, burst, connections)" : notPortable}`,
          envoyGateway
            ? 'Set gatewayApi.envoyGateway.rateLimit ({ requests, unit }: each client address gets that many per unit), and remove it here.'
            : "On Envoy Gateway use gatewayApi.envoyGateway.rateLimit; elsewhere your implementation's rate-limit policy. Remove it here.",
        ),
      });
    }
    if (env.ingressController !== undefined && env.gatewayApi?.keepIngressNginx !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['ingressController'],
        message: problem(
          'configures the ingress-nginx controller, which ingressFlavour gateway-api does not install',
          'Remove it, or set gatewayApi.keepIngressNginx: true while the switch is under way.',
        ),
      });
    }
    const cloudProvider = isRecord(env.cloud) ? env.cloud.provider : undefined;
    const known =
      cloudProvider === 'eks' ||
      cloudProvider === 'gke' ||
      cloudProvider === 'aks' ||
      cloudProvider === 'generic'
        ? gatewayApiProfile(cloudProvider, env.exposure ?? 'public')
        : undefined;
    if (
      cloudProvider !== undefined &&
      known === undefined &&
      env.gatewayApi?.gatewayClassName === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['gatewayApi', 'gatewayClassName'],
        message: problem(
          `is required: the ${cloudProvider} cloud profile knows no ${env.exposure ?? 'public'} GatewayClass`,
          'Name the GatewayClass of the implementation in the cluster (kubectl get gatewayclass), e.g. "nginx" for NGINX Gateway Fabric.',
        ),
      });
    }
  }) satisfies z.ZodType<EnvironmentData>;

/** @internal */
export const sharedAccessPolicySchema = z
  .strictObject({
    issuer: z.discriminatedUnion(
      'type',
      [
        z.strictObject({
          type: z.literal('okta'),
          domain: hostName,
          authorizationServerId: z.string().min(1).optional(),
        }),
        z.strictObject({ type: z.literal('google'), hostedDomain: hostName.optional() }),
        z.strictObject({
          type: z.literal('entra-id'),
          tenantId: z.string().regex(GUID, problem('must be a GUID', 'Copy the directory (tenant) id.')),
        }),
        z.strictObject({ type: z.literal('keycloak'), url: httpsUrl, realm: z.string().min(1) }),
        z.strictObject({ type: z.literal('oidc'), issuerUrl: httpsUrl }),
      ],
      {
        error: problem(
          'must have type "okta", "google", "entra-id", "keycloak" or "oidc"',
          'Pick the identity provider.',
        ),
      },
    ),
    clientId: z.string().min(1),
    emailDomains: z.array(hostName).optional(),
    groups: z.array(z.string().min(1)).optional(),
    machineClients: z.array(machineClientDataSchema).optional(),
    ...accessTeamsShape(secretSource),
  })
  .superRefine(accessTeamsIssues) satisfies z.ZodType<SharedAccessPolicy>;

function check<T>(schema: z.ZodType<T>, data: unknown, source: string): T {
  const result = parseWithProblems(schema, data);
  if (result.success) {
    return result.data;
  }
  const lines = describeIssues(result.error.issues, data, source);
  throw new PropsValidationError(lines);
}

/** Checks an environment given as data; every problem in one error. */
export function parseEnvironment(data: unknown, source = 'environment'): EnvironmentData {
  return check(environmentSchema, data, source);
}

/** Checks the shared access policy given as data. */
export function parseSharedAccessPolicy(data: unknown, source = 'access policy'): SharedAccessPolicy {
  return check(sharedAccessPolicySchema, data, source);
}

/**
 * Reads and checks an environment from a YAML or JSON file. Syntax errors name the file and
 * the line; a file holds exactly one environment.
 */
export function loadEnvironmentFile(path: string): EnvironmentData {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'));
  const list = Array.isArray(documents) ? documents : [documents];
  const problems = list.flatMap((doc) =>
    doc.errors.map((e) => {
      const line = e.linePos?.[0];
      // The parser's first line repeats the position ("... at line 3, column 1:"): it is in the brackets already.
      const message = e.message
        .split('\n')[0]!
        .replace(/ at line \d+, column \d+:?$/, '')
        .replace(/[.:]$/, '');
      return `[${path}${line ? `:${line.line}:${line.col}` : ''}] ${message}. Fix the YAML there (indent with spaces, not tabs; quote values with ": " or "#" in them).`;
    }),
  );
  if (problems.length > 0) {
    throw new PropsValidationError(problems);
  }
  if (list.length !== 1) {
    throw new PropsValidationError([
      `[${path}] must hold one environment, got ${list.length} YAML documents. Put one environment in each file (no "---" separators).`,
    ]);
  }
  return parseEnvironment(list[0]!.toJS(), path);
}

/** JSON Schema of an environment file, for editor completion (`# yaml-language-server: $schema=...`). */
export function environmentJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(environmentSchema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
