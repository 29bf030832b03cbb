import { Construct } from 'constructs';
import * as z from 'zod';

import {
  MachineClient,
  machineClientIssues,
  machineClientsSchema,
  staticTokenClientOptions,
} from '../access/machine-client';
import { OrgSource, orgSourceSchema } from '../catalog/org-source';
import { ORG_SECRET_ENV_PREFIX, OrgSourceData } from '../catalog/org-source-data';
import { contentHash } from '../core/hash';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { selectorLabels, standardLabels, toKubernetesName } from '../core/labels';
import {
  metricsPodAnnotations,
  MetricsScraping,
  metricsScrapingShape,
  workloadServiceMonitor,
} from '../core/metrics-scraping';
import { INGRESS_NGINX_CONTROLLER, PeerSelector, peerSelectorSchema } from '../core/network';
import { isPlainObject } from '../core/objects';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';
import { ContainerResources } from '../core/resources';
import { pinnedImage, portNumber, positiveInt } from '../core/schemas';
import { TrustedCaBundle, trustedCaBundleSchema, trustedCaWiring } from '../core/trusted-ca';
import { nestedIssues, problem, validateProps } from '../core/validation';
import {
  reloaderWiring,
  resourcesWithDefaults,
  spreadAcrossNodes,
  workloadDisruptionBudget,
  workloadHttpProbe,
  workloadMetadata,
  workloadNetworkPolicy,
  workloadService,
} from '../core/workload';
import { workloadOptionsShape } from '../core/workload-options';
import { escapeTerraformTemplate, toYaml } from '../core/yaml';
import {
  RBAC_CONDITIONS_FILE,
  RBAC_MOUNT_PATH,
  RBAC_POLICY_FILE,
  RbacOptions,
  rbacOptionsSchema,
  rbacOrgProblems,
  RenderedRbac,
  renderRbac,
} from '../rbac/rbac-policy';
import { BoundSecret, SecretRef, secretRefSchema, secretRevisions } from '../secrets/secret-ref';
import {
  findDerivedOverrides,
  findLiteralSecrets,
  generatedAppConfig,
  mergeAppConfig,
  SECRET_ENV_NAME,
  SIGN_IN_RESOLVERS,
  SignInOptions,
  StaticTokenEnv,
} from './app-config';
import { BackstageDatabase, backstageDatabaseSchema } from './database';
import {
  MCP_ACTIONS_BACKEND_PACKAGE,
  MCP_ACTIONS_PLUGIN_ID,
  mcpActionsAppConfig,
  McpActionsOptions,
  mcpActionsSchema,
} from './mcp-actions';
import { signInDisagreement } from './sign-in-agreement';

/** @internal Backstage's listen and Service port. */
export const BACKSTAGE_PORT = 7007;

/**
 * Backstage's Prometheus metrics. Backstage serves none by itself: your app's OpenTelemetry
 * set-up does (`@opentelemetry/exporter-prometheus`, on port 9464 by default), on a port of
 * its own that only the scraper may reach.
 */
export interface BackstageMetrics extends MetricsScraping {
  /** The port your app's exporter listens on (not Backstage's own 7007). */
  readonly port: number;
  /**
   * The path it serves them on.
   * @default "/metrics"
   */
  readonly path?: string;
}

/** Horizontal autoscaling on CPU. */
export interface BackstageAutoscaling {
  /** Lower bound; at least 2 keeps the portal up during node drains. */
  readonly minReplicas: number;
  /** Upper bound. */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilisation, percent of the request (Kubernetes'
   * `targetCPUUtilizationPercentage`), 10 to 100.
   * @default 75
   */
  readonly targetCPUUtilizationPercentage?: number;
  /**
   * @deprecated Renamed to {@link BackstageAutoscaling.targetCPUUtilizationPercentage}
   * (Kubernetes' spelling); the old name is refused at synth time.
   */
  readonly targetCpuUtilizationPercent?: never;
}

export interface BackstageProps {
  /** Namespace to run in. */
  readonly namespace: string;
  /** Public host; every URL of the app-config derives from it. */
  readonly host: string;
  /** Your Backstage image, pinned by tag or digest (never `latest`). */
  readonly image: string;
  /** Where Backstage keeps its data. */
  readonly database: BackstageDatabase;
  /**
   * Name of the Deployment, Service, ServiceAccount and ConfigMap.
   * @default "backstage"
   */
  readonly name?: string;
  /**
   * Replicas (ignored when `autoscaling` is set).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Horizontal autoscaling; Terraform then leaves the replica count to the autoscaler.
   * @default - a fixed replica count
   */
  readonly autoscaling?: BackstageAutoscaling;
  /**
   * Container resources.
   * @default - requests 250m/512Mi, limits 2 CPU/2Gi
   */
  readonly resources?: ContainerResources;
  /**
   * How signed-in users map to catalog entities.
   * @default - match the e-mail against User entities' spec.profile.email
   */
  readonly signIn?: SignInOptions;
  /**
   * Machine clients accepted by `backend.auth.externalAccess`.
   * @default - none
   */
  readonly machineClients?: readonly MachineClient[];
  /**
   * Your own app-config, merged on top of the generated one (objects merge, other
   * values replace). Refer to secrets as `${ENV_VAR}` and give them in `secretEnv`.
   * @default - none
   */
  readonly appConfig?: Readonly<Record<string, unknown>>;
  /**
   * Plain environment variables. Names that look like secrets are refused: use `secretEnv`.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Environment variables from secret references (for `${VAR}` in the app-config).
   * @default - none
   */
  readonly secretEnv?: Readonly<Record<string, SecretRef>>;
  /**
   * Config files of the image loaded before the generated one (paths relative to the
   * image's working directory), as in the Dockerfile `backstage-cli` generates.
   * @default ["app-config.yaml", "app-config.production.yaml"]
   */
  readonly baseConfigFiles?: readonly string[];
  /**
   * Mount a service-account token (only plugins that call the Kubernetes API need it).
   * @default false
   */
  readonly mountServiceAccountToken?: boolean;
  /**
   * CA certificates Backstage trusts besides Node's public roots (`NODE_EXTRA_CA_CERTS`): the
   * cluster's CA when an API server is a machine client's issuer (`{ configMapName:
   * 'kube-root-ca.crt', key: 'ca.crt' }`), a company CA of an LDAPS directory or a JWKS host.
   * One PEM file, which may hold several certificates.
   * @default - the image's roots only
   */
  readonly trustedCa?: TrustedCaBundle;
  /**
   * Rollout strategy. Backstage migrates its database at start: `rolling` starts one new
   * pod at a time (maxSurge 0) so two new pods never migrate at once; `recreate` stops
   * all old pods first.
   * @default "rolling"
   */
  readonly rollout?: 'rolling' | 'recreate';
  /**
   * Pods allowed to reach Backstage: the ingress controller. Backstage trusts the
   * identity headers, so nothing else may talk to it.
   * @default - the ingress-nginx controller in namespace `ingress-nginx`
   */
  readonly ingressController?: PeerSelector;
  /**
   * Further in-cluster peers allowed to call Backstage directly (e.g. static-token clients).
   * @default - none
   */
  readonly allowedPeers?: readonly PeerSelector[];
  /**
   * Let a scraper read the metrics your app exports: the container and the Service get a
   * `metrics` port, the NetworkPolicy admits `scraper` on it alone, and the pods carry the
   * `prometheus.io/*` annotations.
   * @default - no metrics port
   */
  readonly metrics?: BackstageMetrics;
  /**
   * Largest request header Node accepts, in bytes; the ID token header of users in many
   * groups exceeds Node's 16 KiB default.
   * @default 65536
   */
  readonly maxHeaderSize?: number;
  /**
   * Where the catalog's Users and Groups come from: the IdP (the catalog module named in
   * `org.modules` must be in your image) or a static org. The sign-in resolvers are checked
   * against it, and so are the groups RBAC roles are bound to.
   * @default - none: the image's own catalog config provides the users
   */
  readonly org?: OrgSource;
  /**
   * RBAC with `@backstage-community/plugin-rbac-backend` (which your image must add in
   * place of `@backstage/plugin-permission-backend`): turns the permission framework on and
   * renders the roles to the plugin's policy files, mounted from a ConfigMap.
   * @default - no permission config from the library
   */
  readonly rbac?: RbacOptions;
  /**
   * Backstage's MCP actions backend (`@backstage/plugin-mcp-actions-backend`, which your
   * image must add): the actions of `pluginSources` offered to AI agents as MCP tools at
   * `/api/mcp-actions/v1`. A machine client reaches it when its `accessRestrictions` name
   * `mcp-actions` and the plugins whose actions it calls.
   * @default - no MCP server config from the library
   */
  readonly mcpActions?: McpActionsOptions;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The value is hidden: a mistyped name may well hold a secret.
const ENV_NAME_PROBLEM = problem(
  'must be an environment variable name',
  'Use letters, digits and "_", not starting with a digit.',
  { redact: true },
);

/**
 * @internal The old name of `autoscaling.targetCPUUtilizationPercentage`: refused with a
 * message naming the new one (a strict schema would only call it unknown).
 */
export const RENAMED_TARGET_CPU = z
  .never({
    error: problem(
      'was renamed to targetCPUUtilizationPercentage',
      "Rename the key to targetCPUUtilizationPercentage (Kubernetes' spelling); the value stays the same.",
    ),
  })
  .optional();

const backstageSchema = z
  .strictObject({
    ...workloadOptionsShape,
    image: pinnedImage,
    database: backstageDatabaseSchema,
    autoscaling: z
      .strictObject({
        minReplicas: positiveInt('minReplicas'),
        maxReplicas: positiveInt('maxReplicas'),
        targetCPUUtilizationPercentage: z.number().int().min(10).max(100).optional(),
        targetCpuUtilizationPercent: RENAMED_TARGET_CPU,
      })
      .refine(
        (a) => a.maxReplicas >= a.minReplicas,
        problem('maxReplicas must not be below minReplicas', 'Raise maxReplicas or lower minReplicas.'),
      )
      .optional(),
    signIn: z
      .strictObject({
        resolvers: z
          .array(
            z.enum(SIGN_IN_RESOLVERS, {
              error: problem(
                'must be a resolver of the oauth2Proxy provider',
                `Use one of ${SIGN_IN_RESOLVERS.join(', ')}.`,
              ),
            }),
          )
          .min(
            1,
            problem('must name at least one resolver', 'Leave signIn.resolvers out for the e-mail resolver.'),
          )
          .optional(),
        dangerouslyAllowSignInWithoutUserInCatalog: z.boolean().optional(),
      })
      .optional(),
    machineClients: machineClientsSchema().optional(),
    appConfig: z
      .record(z.string(), z.unknown())
      .superRefine((config, ctx) => {
        for (const path of findLiteralSecrets(config)) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: problem(
              'looks like a literal secret in the app-config',
              'Write "${MY_SECRET}" here and pass secretEnv: { MY_SECRET: SecretRef.fromSecret(...) } (or fromVariable / fromExternalSecret).',
              { redact: true },
            ),
          });
        }
        for (const { path, fix } of findDerivedOverrides(config)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path],
            message: problem('is set by the library from the other props', fix),
          });
        }
      })
      .optional(),
    env: z
      .record(z.string(), z.string())
      .superRefine((env, ctx) => {
        for (const name of Object.keys(env)) {
          if (!ENV_NAME.test(name)) {
            ctx.addIssue({ code: 'custom', path: [name], message: ENV_NAME_PROBLEM });
          } else if (SECRET_ENV_NAME.test(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: problem(
                `names a secret but is a plain value`,
                `Move it to secretEnv: { ${name}: SecretRef.fromSecret(...) } so the value stays out of the synthesized JSON.`,
                { redact: true },
              ),
            });
          }
        }
      })
      .optional(),
    secretEnv: z
      .record(z.string(), secretRefSchema())
      .superRefine((env, ctx) => {
        for (const name of Object.keys(env)) {
          if (!ENV_NAME.test(name)) {
            ctx.addIssue({ code: 'custom', path: [name], message: ENV_NAME_PROBLEM });
          }
        }
      })
      .optional(),
    baseConfigFiles: z.array(z.string().min(1)).optional(),
    mountServiceAccountToken: z.boolean().optional(),
    trustedCa: trustedCaBundleSchema.optional(),
    rollout: z
      .enum(['rolling', 'recreate'], {
        error: problem('must be "rolling" or "recreate"', 'Pick how pods are replaced on update.'),
      })
      .optional(),
    allowedPeers: z.array(peerSelectorSchema).optional(),
    metrics: z
      .strictObject({
        ...metricsScrapingShape,
        port: portNumber.refine(
          (port) => port !== BACKSTAGE_PORT,
          problem(
            `must not be Backstage's own port ${BACKSTAGE_PORT}`,
            "Serve the metrics on a port of their own (the exporter's default is 9464): the scraper would be admitted to the whole backend otherwise.",
          ),
        ),
        path: z
          .string()
          .regex(/^\/[A-Za-z0-9._~/-]*$/, problem('must be a path such as "/metrics"', 'Start it with "/".'))
          .optional(),
      })
      .optional(),
    maxHeaderSize: z
      .number()
      .int()
      .min(16384, problem('must be at least 16384', 'Node already accepts 16 KiB; raise it, never lower it.'))
      .optional(),
    org: orgSourceSchema.optional(),
    rbac: z
      .custom<RbacOptions>(
        (v) => isPlainObject(v),
        problem('must be an object', 'Give { roles, admins, superUsers }.'),
      )
      .optional(),
    mcpActions: mcpActionsSchema.optional(),
  })
  .superRefine((props, ctx) => {
    if (props.mcpActions === undefined) {
      (props.machineClients ?? []).forEach((client, i) => {
        const restrictions = MachineClient.isMachineClient(client)
          ? (client.jwtOptions ?? client.staticTokenOptions)?.accessRestrictions
          : undefined;
        const at = (restrictions ?? []).findIndex((r) => r.plugin === MCP_ACTIONS_PLUGIN_ID);
        if (at >= 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['machineClients', i, 'accessRestrictions', at, 'plugin'],
            message: problem(
              `allows "${MCP_ACTIONS_PLUGIN_ID}", but mcpActions is not set`,
              'Set mcpActions (and add @backstage/plugin-mcp-actions-backend to your image), or drop the restriction.',
            ),
          });
        }
      });
    }
    const perPod = BackstageDatabase.isBackstageDatabase(props.database) && props.database.perPod;
    const replicas = props.autoscaling?.maxReplicas ?? props.replicas ?? 2;
    if (perPod && replicas > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [props.autoscaling ? 'autoscaling' : 'replicas'],
        message: problem(
          'must be 1 with an in-memory SQLite database (every pod would have its own data)',
          'Set replicas: 1 for a throwaway environment, or use BackstageDatabase.inCluster({...}) or .external({...}).',
        ),
      });
    }
    if (
      props.autoscaling &&
      props.replicas !== undefined &&
      (props.replicas < props.autoscaling.minReplicas || props.replicas > props.autoscaling.maxReplicas)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['replicas'],
        message: problem(
          `must lie within autoscaling's ${props.autoscaling.minReplicas}..${props.autoscaling.maxReplicas}`,
          'With autoscaling the autoscaler sets the replica count: leave replicas out, or change the autoscaling bounds.',
        ),
      });
    }
    machineClientIssues(props.machineClients, ctx);
    if (props.trustedCa !== undefined && props.env?.NODE_EXTRA_CA_CERTS !== undefined) {
      // Two values of one variable: Kubernetes would keep the last, and one of them is lost.
      ctx.addIssue({
        code: 'custom',
        path: ['env', 'NODE_EXTRA_CA_CERTS'],
        message: problem(
          'is set by trustedCa',
          'Put every CA into the trustedCa bundle (one PEM file may hold several), and remove this variable.',
        ),
      });
    }
    orgAndRbacIssues(props, ctx);
    const reserved = ['POSTGRES_PASSWORD', 'POSTGRES_CA_CERT', 'NODE_OPTIONS'];
    for (const name of [...Object.keys(props.env ?? {}), ...Object.keys(props.secretEnv ?? {})]) {
      if (reserved.includes(name) || name.startsWith('BACKSTAGE_STATIC_TOKEN_')) {
        ctx.addIssue({
          code: 'custom',
          path: [props.env && name in props.env ? 'env' : 'secretEnv', name],
          message: problem(
            'is set by the Backstage construct',
            'Pick another name; the database, static tokens and NODE_OPTIONS are wired for you.',
            { redact: true },
          ),
        });
      } else if (name.startsWith(ORG_SECRET_ENV_PREFIX)) {
        ctx.addIssue({
          code: 'custom',
          path: [props.env && name in props.env ? 'env' : 'secretEnv', name],
          message: problem(
            "is set by the Backstage construct for the org source's secrets",
            `Pick a name that does not start with ${ORG_SECRET_ENV_PREFIX}; give the org source its secrets in its own options.`,
            { redact: true },
          ),
        });
      }
    }
  }) satisfies z.ZodType<BackstageProps>;

/** The org source's data, once its options are valid (undefined otherwise). */
function validOrgData(org: OrgSource | undefined): OrgSourceData | undefined {
  return org && OrgSource.isOrgSource(org) && org.schema.safeParse(org.options).success
    ? org.data()
    : undefined;
}

/**
 * The org source and RBAC rules that need the other props: their own options, the sign-in
 * resolvers against the org source, RBAC bindings against the groups the org source
 * provides, and app-config the two render that a user value would silently replace.
 */
function orgAndRbacIssues(
  props: Pick<BackstageProps, 'org' | 'rbac' | 'signIn' | 'appConfig'>,
  ctx: z.core.$RefinementCtx,
): void {
  if (props.org && OrgSource.isOrgSource(props.org)) {
    nestedIssues(ctx, ['org'], props.org.schema, props.org.options);
  }
  const org = validOrgData(props.org);
  if (org) {
    const disagreement = signInDisagreement(
      props.signIn?.resolvers ?? ['emailMatchingUserEntityProfileEmail'],
      org,
    );
    if (disagreement) {
      ctx.addIssue({
        code: 'custom',
        path: ['signIn', 'resolvers'],
        message: disagreement,
        params: {
          nestedValue: { value: props.signIn?.resolvers ?? ['emailMatchingUserEntityProfileEmail'] },
        },
      });
    }
    if (isPlainObject(org.appConfig.integrations) && isPlainObject(props.appConfig?.integrations)) {
      for (const key of Object.keys(org.appConfig.integrations)) {
        if (key in props.appConfig.integrations) {
          ctx.addIssue({
            code: 'custom',
            path: ['appConfig', 'integrations', key],
            message: problem(
              'is set by the org source (its token)',
              'Leave it out: the org source renders this integration with its own token; Backstage would keep only one of the two lists.',
            ),
          });
        }
      }
    }
  }
  if (props.rbac !== undefined && isPlainObject(props.rbac)) {
    const parsed = rbacOptionsSchema.safeParse(props.rbac);
    nestedIssues(ctx, ['rbac'], rbacOptionsSchema, props.rbac);
    if (parsed.success) {
      for (const p of rbacOrgProblems(props.rbac, org)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rbac', ...p.path],
          message: p.message,
          params: { nestedValue: { value: p.value } },
        });
      }
    }
    if (props.appConfig && 'permission' in props.appConfig) {
      ctx.addIssue({
        code: 'custom',
        path: ['appConfig', 'permission'],
        message: problem(
          'is set by the library from the rbac prop',
          'Declare roles, admins and superUsers in rbac instead.',
        ),
      });
    }
  }
}

/** The RBAC backend plugin the image must add (it is the permission plugin: not together with `@backstage/plugin-permission-backend`). */
export const RBAC_BACKEND_PACKAGE = '@backstage-community/plugin-rbac-backend';

/**
 * Backstage replaces arrays across config files, so the org source's catalog locations are
 * appended to the user's `catalog.locations` (the image's own are replaced by these).
 */
function withCatalogLocations(
  config: Record<string, unknown>,
  user: Readonly<Record<string, unknown>> | undefined,
  locations: ReadonlyArray<Record<string, unknown>>,
): Record<string, unknown> {
  if (locations.length === 0) {
    return config;
  }
  const userCatalog = isPlainObject(user?.catalog) ? user.catalog : {};
  const userLocations = Array.isArray(userCatalog.locations) ? userCatalog.locations : [];
  const catalog = isPlainObject(config.catalog) ? config.catalog : {};
  return { ...config, catalog: { ...catalog, locations: [...userLocations, ...locations] } };
}

/** @internal Name of Backstage's objects when `name` is not given. */
export const DEFAULT_BACKSTAGE_NAME = 'backstage';
const PORT = BACKSTAGE_PORT;
const CONFIG_PATH = '/etc/backstage/app-config.portal.yaml';
const UID = 1000; // the `node` user of the official Node.js images Backstage builds on

/**
 * Backstage for one environment: Deployment, Service, ServiceAccount, the generated
 * app-config in a ConfigMap, PodDisruptionBudget, optional HorizontalPodAutoscaler and a
 * NetworkPolicy that admits only the ingress controller.
 */
export class Backstage extends Construct {
  /** Name of the Service. */
  public readonly serviceName: string;
  /** Service port. */
  public readonly port = PORT;
  /** The app-config Backstage runs with (generated, then yours merged on top). */
  public readonly appConfig: Readonly<Record<string, unknown>>;
  /** The same, as the YAML in the ConfigMap. */
  public readonly appConfigYaml: string;
  /** Labels of the Backstage pods. */
  public readonly podLabels: Readonly<Record<string, string>>;
  public readonly deployment: KubernetesResource;
  public readonly service: KubernetesResource;
  public readonly serviceAccount: KubernetesResource;
  public readonly configMap: KubernetesResource;
  public readonly podDisruptionBudget: KubernetesResource;
  public readonly networkPolicy: KubernetesResource;
  public readonly autoscaler?: KubernetesResource;
  /** The Prometheus Operator ServiceMonitor, with `metrics.serviceMonitor`. */
  public readonly serviceMonitor?: KubernetesResource;
  /** The static org's catalog file (with `org: OrgSource.staticOrg(...)`). */
  public readonly orgConfigMap?: KubernetesResource;
  /** The RBAC policy files (with `rbac`). */
  public readonly rbacConfigMap?: KubernetesResource;
  /** The RBAC plugin's files and app-config, as rendered (with `rbac`). */
  public readonly rbac?: RenderedRbac;
  /**
   * What `packages/backend/src/index.ts` of your image must `backend.add(import(...))` for
   * the org source and RBAC: the org source's catalog module features and
   * `@backstage-community/plugin-rbac-backend`.
   */
  public readonly backendFeatures: readonly string[];

  constructor(scope: Construct, id: string, props: BackstageProps) {
    super(scope, id);
    validateProps(this, backstageSchema, props);

    const name = props.name ?? DEFAULT_BACKSTAGE_NAME;
    const labels = standardLabels('backstage', name, 'portal');
    const selector = selectorLabels('backstage', name);
    this.serviceName = name;
    this.podLabels = labels;
    const context = { scope: this, namespace: props.namespace };

    const database = props.database.bind({ ...context, clientLabels: selector });

    const staticTokens: Array<StaticTokenEnv & { secret: BoundSecret }> = staticTokenClientOptions(
      props.machineClients ?? [],
    ).map((o) => ({
      subject: o.subject,
      envName: `BACKSTAGE_STATIC_TOKEN_${toKubernetesName(o.subject).replace(/-/g, '_').toUpperCase()}`,
      accessRestrictions: o.accessRestrictions,
      secret: o.token.bind({ ...context, prop: `machineClients[${o.subject}].token` }),
    }));

    const generated = generatedAppConfig({
      host: props.host,
      port: PORT,
      database: database.config,
      signIn: props.signIn ?? {},
      machineClients: props.machineClients ?? [],
      staticTokens,
    });
    const org = props.org?.data();
    this.rbac = props.rbac ? renderRbac(props.rbac) : undefined;
    const rendered = mergeAppConfig(
      mergeAppConfig(mergeAppConfig(generated, org?.appConfig ?? {}), this.rbac?.appConfig ?? {}),
      props.mcpActions ? mcpActionsAppConfig(props.mcpActions) : {},
    );
    this.appConfig = withCatalogLocations(
      mergeAppConfig(rendered, { ...(props.appConfig ?? {}) }),
      props.appConfig,
      org?.locations ?? [],
    );
    this.appConfigYaml = toYaml(this.appConfig);
    this.backendFeatures = [
      ...(org?.modules.map((m) => m.feature) ?? []),
      ...(props.rbac ? [RBAC_BACKEND_PACKAGE] : []),
      ...(props.mcpActions ? [MCP_ACTIONS_BACKEND_PACKAGE] : []),
    ];

    const secretEnv: Array<{ name: string; secret: BoundSecret }> = [
      ...database.env,
      ...staticTokens.map((t) => ({ name: t.envName, secret: t.secret })),
      ...(org?.secrets ?? []).map((s) => ({
        name: s.env,
        secret: s.ref.bind({ ...context, prop: `org.${s.prop}` }),
      })),
      ...Object.entries(props.secretEnv ?? {}).map(([envName, ref]) => ({
        name: envName,
        secret: ref.bind({ ...context, prop: `secretEnv.${envName}` }),
      })),
    ];
    const bound = secretEnv.map((e) => e.secret);

    this.configMap = kubernetesResource(this, 'AppConfig', 'kubernetes_config_map_v1', {
      metadata: { name: `${name}-app-config`, namespace: props.namespace, labels },
      data: { 'app-config.portal.yaml': escapeTerraformTemplate(this.appConfigYaml) },
    });
    // The static org's catalog file: the catalog re-reads file locations on each processing
    // loop, so a changed org needs no restart (and is kept out of checksum/config).
    if (org?.files) {
      this.orgConfigMap = kubernetesResource(this, 'OrgCatalog', 'kubernetes_config_map_v1', {
        metadata: { name: `${name}-org`, namespace: props.namespace, labels },
        data: Object.fromEntries(
          Object.entries(org.files.data).map(([file, text]) => [file, escapeTerraformTemplate(text)]),
        ),
      });
    }
    // The RBAC policy files. Mounted as a directory (never subPath), so the kubelet swaps in
    // new files when the ConfigMap changes and the plugin's file watcher reloads them.
    if (this.rbac) {
      this.rbacConfigMap = kubernetesResource(this, 'RbacPolicy', 'kubernetes_config_map_v1', {
        metadata: { name: `${name}-rbac-policy`, namespace: props.namespace, labels },
        data: {
          [RBAC_POLICY_FILE]: escapeTerraformTemplate(this.rbac.csv),
          ...(this.rbac.conditionalYaml
            ? { [RBAC_CONDITIONS_FILE]: escapeTerraformTemplate(this.rbac.conditionalYaml) }
            : {}),
        },
      });
    }
    // Read-only, beside the app-config: Node reads the file once, at start.
    const trust = trustedCaWiring(props.trustedCa, '/etc/backstage-trusted-ca', 'NODE_EXTRA_CA_CERTS');
    const extraVolumes = [
      ...(this.orgConfigMap && org?.files
        ? [{ name: 'org-catalog', mountPath: org.files.mountPath, configMap: this.orgConfigMap }]
        : []),
      ...(this.rbacConfigMap
        ? [{ name: 'rbac-policy', mountPath: RBAC_MOUNT_PATH, configMap: this.rbacConfigMap }]
        : []),
    ];
    const rbacRestart: Record<string, string> =
      this.rbac && props.rbac?.reload === 'restart'
        ? { 'checksum/rbac-policy': contentHash(`${this.rbac.csv}\n${this.rbac.conditionalYaml ?? ''}`) }
        : {};

    this.serviceAccount = kubernetesResource(this, 'ServiceAccount', 'kubernetes_service_account_v1', {
      metadata: { name, namespace: props.namespace, labels },
      automountServiceAccountToken: props.mountServiceAccountToken ?? false,
    });

    const baseConfigFiles = props.baseConfigFiles ?? ['app-config.yaml', 'app-config.production.yaml'];
    const args = [
      'node',
      'packages/backend',
      ...[...baseConfigFiles, CONFIG_PATH].flatMap((f) => ['--config', f]),
    ];
    const revisions = secretRevisions(bound);
    const reloader = reloaderWiring(bound, trust.configMaps);
    const workload = { scope: this, name, namespace: props.namespace, labels, selector };
    const metrics = props.metrics && {
      scraping: props.metrics,
      endpoint: { port: props.metrics.port, path: props.metrics.path ?? '/metrics' },
    };
    const replicas = props.replicas ?? 2;
    const rolling = (props.rollout ?? 'rolling') === 'rolling';

    this.deployment = kubernetesResource(this, 'Deployment', 'kubernetes_deployment_v1', {
      metadata: workloadMetadata(workload, reloader.annotations),
      spec: {
        replicas: String(props.autoscaling?.minReplicas ?? replicas),
        selector: { matchLabels: selector },
        // Never two new pods at once: each runs the database migrations at start.
        strategy: rolling
          ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: '0', maxUnavailable: '1' } }
          : { type: 'Recreate' },
        template: {
          metadata: {
            labels,
            annotations: {
              'checksum/config': contentHash(this.appConfigYaml),
              ...(revisions ? { 'checksum/secrets': revisions } : {}),
              ...rbacRestart,
              ...(metrics ? metricsPodAnnotations(metrics.endpoint) : {}),
            },
          },
          spec: {
            serviceAccountName: this.serviceAccount.metadataName,
            automountServiceAccountToken: props.mountServiceAccountToken ?? false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(UID),
            container: [
              {
                name: 'backstage',
                image: props.image,
                args,
                port: [
                  { name: 'http', containerPort: PORT, protocol: 'TCP' },
                  ...(metrics
                    ? [{ name: 'metrics', containerPort: metrics.endpoint.port, protocol: 'TCP' }]
                    : []),
                ],
                env: [
                  { name: 'NODE_OPTIONS', value: `--max-http-header-size=${props.maxHeaderSize ?? 65536}` },
                  ...Object.entries(props.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
                  ...secretEnv.map((e) => ({
                    name: e.name,
                    valueFrom: { secretKeyRef: { name: e.secret.secretName, key: e.secret.key } },
                  })),
                  ...trust.env,
                ],
                startupProbe: workloadHttpProbe('/.backstage/health/v1/liveness', {
                  periodSeconds: 10,
                  failureThreshold: 30,
                }),
                readinessProbe: workloadHttpProbe('/.backstage/health/v1/readiness', {
                  periodSeconds: 10,
                  timeoutSeconds: 5,
                  failureThreshold: 3,
                }),
                livenessProbe: workloadHttpProbe('/.backstage/health/v1/liveness', {
                  periodSeconds: 20,
                  timeoutSeconds: 5,
                  failureThreshold: 3,
                }),
                resources: resourcesWithDefaults(props.resources, {
                  requests: { cpu: '250m', memory: '512Mi' },
                  limits: { cpu: '2', memory: '2Gi' },
                }),
                securityContext: restrictedContainerSecurityContext(UID),
                volumeMount: [
                  { name: 'app-config', mountPath: '/etc/backstage', readOnly: true },
                  ...extraVolumes.map((v) => ({ name: v.name, mountPath: v.mountPath, readOnly: true })),
                  ...trust.volumeMounts,
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volume: [
              { name: 'app-config', configMap: { name: this.configMap.metadataName } },
              ...extraVolumes.map((v) => ({ name: v.name, configMap: { name: v.configMap.metadataName } })),
              ...trust.volumes,
              { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
            ],
            topologySpreadConstraint: spreadAcrossNodes(selector),
          },
        },
      },
      dependsOn: bound.flatMap((b) => b.dependsOn),
      // With an autoscaler the replica count is its business, not Terraform's; with
      // Reloader, so is its restart stamp.
      ...(props.autoscaling || reloader.ignoreChanges.length > 0
        ? {
            lifecycle: {
              ignoreChanges: [...(props.autoscaling ? ['spec[0].replicas'] : []), ...reloader.ignoreChanges],
            },
          }
        : {}),
    });

    this.service = workloadService(workload, PORT, metrics);
    this.podDisruptionBudget = workloadDisruptionBudget(workload);
    this.serviceMonitor = workloadServiceMonitor(workload, metrics);

    if (props.autoscaling) {
      this.autoscaler = kubernetesResource(this, 'Autoscaler', 'kubernetes_horizontal_pod_autoscaler_v2', {
        metadata: { name, namespace: props.namespace, labels },
        spec: {
          minReplicas: props.autoscaling.minReplicas,
          maxReplicas: props.autoscaling.maxReplicas,
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          metric: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: {
                  type: 'Utilization',
                  averageUtilization: props.autoscaling.targetCPUUtilizationPercentage ?? 75,
                },
              },
            },
          ],
        },
      });
    }

    this.networkPolicy = workloadNetworkPolicy(
      workload,
      [props.ingressController ?? INGRESS_NGINX_CONTROLLER, ...(props.allowedPeers ?? [])],
      PORT,
      [],
      metrics,
    );
  }
}
