import { Construct } from 'constructs';
import * as z from 'zod';

import { ingressAuthResponseHeaders } from '../access/header-contract';
import { SessionStore } from '../access/session-store';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { standardLabels } from '../core/labels';
import {
  chartServiceMonitorSchema,
  chartServiceMonitorValues,
  ServiceMonitorOptions,
} from '../core/metrics-scraping';
import { PeerSelector } from '../core/network';
import { ContainerResources } from '../core/resources';
import { cidr, kubernetesName, positiveInt, valueObjectSchema } from '../core/schemas';
import { problem } from '../core/validation';
import { hstsMaxAgeSchema, proxyBufferSizeSchema } from '../ingress/ingress-schemas';
import { MACHINE_CHALLENGE_HEADER } from '../ingress/machine-challenge';
import {
  accessLogOptionsSchema,
  ingressNginxAccessLogFormat,
  IngressNginxAccessLogOptions,
} from './access-log';
import { serviceAccountValues, withDefaultResources } from './chart-pod-values';
import { DEFAULT_CHARTS } from './chart-source';
import {
  annotationMap,
  chartIssues,
  flag,
  HelmOperator,
  HelmOperatorProps,
  helmOperatorShape,
  operatorNamespace,
} from './operator-release';

/** HTTP Strict Transport Security sent by the controller on every TLS host. HSTS cannot be turned off. */
export interface IngressNginxHstsOptions {
  /**
   * How long browsers remember to use HTTPS only, in seconds.
   * @default 31536000 (one year)
   */
  readonly maxAgeSeconds?: number;
  /**
   * Apply to every subdomain of each host too.
   * @default true
   */
  readonly includeSubdomains?: boolean;
  /**
   * Ask for browser preload lists (needs `includeSubdomains` and a max age of at least a
   * year; hard to undo, so only for domains fully on HTTPS).
   * @default false
   */
  readonly preload?: boolean;
}

/** Response compression. */
export interface IngressNginxGzipOptions {
  /**
   * Compress responses. Turn off if pages reflect request input next to secrets (BREACH).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Compression level, 1 (fast) to 9 (small).
   * @default 5
   */
  readonly level?: number;
  /**
   * Smallest response, in bytes, worth compressing.
   * @default 1024
   */
  readonly minLength?: number;
  /**
   * MIME types to compress (HTML is always compressed).
   * @default - JavaScript, JSON, web manifests, XML, SVG, CSS and plain text (`DEFAULT_GZIP_TYPES`)
   */
  readonly types?: readonly string[];
}

/** The controller's Service (the cluster's entry point). */
export interface IngressNginxServiceOptions {
  /**
   * Service type. With `wait`, Helm also waits until a LoadBalancer has its address: on a
   * cluster without a load-balancer implementation use NodePort (or turn `wait` off).
   * @default "LoadBalancer"
   */
  readonly type?: 'LoadBalancer' | 'NodePort' | 'ClusterIP';
  /**
   * Annotations of the Service, e.g. the cloud's load-balancer settings (internal or
   * public, NLB, health checks). Cloud profiles fill these in.
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * `Local` keeps the client's source IP (needed for per-IP rate limits and source-range
   * allow-lists on the Ingress); `Cluster` spreads traffic over all nodes but hides it.
   * Only for LoadBalancer and NodePort Services.
   * @default "Local" for LoadBalancer and NodePort
   */
  readonly externalTrafficPolicy?: 'Local' | 'Cluster';
  /**
   * Only these client networks may reach the load balancer.
   * @default - any address
   */
  readonly loadBalancerSourceRanges?: readonly string[];
}

export interface IngressNginxControllerProps extends HelmOperatorProps {
  /**
   * Name of the IngressClass this controller serves (`ingressClassName` of the Ingresses).
   * @default "nginx"
   */
  readonly ingressClassName?: string;
  /**
   * Make it the cluster's default IngressClass.
   * @default false
   */
  readonly defaultIngressClass?: boolean;
  /**
   * Controller replicas; with 2 or more the chart adds a PodDisruptionBudget (one always up).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * The gateway's session store, which decides how large oauth2-proxy's headers get;
   * `proxy-buffer-size` and `large-client-header-buffers` follow it.
   * @default SessionStore.cookie()
   */
  readonly sessionStore?: SessionStore;
  /**
   * nginx `proxy-buffer-size` for every location, instead of the size the session store needs.
   * @default - the session store's size ("32k" with cookies, "16k" with Redis)
   */
  readonly proxyBufferSize?: string;
  /**
   * HTTP Strict Transport Security.
   * @default - one year, subdomains included, no preload
   */
  readonly hsts?: IngressNginxHstsOptions;
  /**
   * Response compression.
   * @default - on, level 5, from 1 KiB, for text-like types
   */
  readonly gzip?: IngressNginxGzipOptions;
  /**
   * The JSON access log.
   * @default - user and e-mail included, no extra fields
   */
  readonly accessLog?: IngressNginxAccessLogOptions;
  /**
   * The controller's Service.
   * @default - a LoadBalancer with externalTrafficPolicy Local and no annotations
   */
  readonly service?: IngressNginxServiceOptions;
  /**
   * Create a Prometheus Operator ServiceMonitor for the controller metrics (the metrics
   * endpoint itself is always on). Needs the ServiceMonitor CRD.
   * `true`, or its `labels` (what your Prometheus' `serviceMonitorSelector` matches) and
   * `interval` (a shorter interval than the chart's scrape timeout shortens the timeout too:
   * the Prometheus Operator refuses a timeout longer than the interval).
   * @default false
   */
  readonly serviceMonitor?: boolean | ServiceMonitorOptions;
  /**
   * More controller ConfigMap settings (string values, as ingress-nginx reads them).
   * Snippets, `allow-snippet-annotations`, `annotations-risk-level` and the keys this
   * construct sets are refused.
   * @default - none
   */
  readonly extraConfig?: Readonly<Record<string, string>>;
}

/** The values this construct gives the ingress-nginx chart. */
export interface IngressNginxValues {
  readonly controller: {
    readonly replicaCount: number;
    readonly minAvailable: number;
    /** The chart value; the ConfigMap key is also written in `config` (the chart writes it only when true). */
    readonly allowSnippetAnnotations: false;
    readonly ingressClass: string;
    readonly ingressClassResource: {
      readonly name: string;
      readonly enabled: true;
      readonly default: boolean;
      readonly controllerValue: string;
    };
    readonly config: Readonly<Record<string, string>>;
    readonly metrics: {
      readonly enabled: true;
      readonly serviceMonitor: {
        readonly enabled: boolean;
        readonly additionalLabels?: Readonly<Record<string, string>>;
        readonly scrapeInterval?: string;
        readonly scrapeTimeout?: string;
      };
    };
    readonly service: {
      readonly type: 'LoadBalancer' | 'NodePort' | 'ClusterIP';
      readonly externalTrafficPolicy?: 'Local' | 'Cluster';
      readonly annotations?: Readonly<Record<string, string>>;
      readonly loadBalancerSourceRanges?: readonly string[];
    };
    readonly resources: Required<ContainerResources>;
    readonly topologySpreadConstraints: ReadonlyArray<{
      readonly maxSkew: number;
      readonly topologyKey: string;
      readonly whenUnsatisfiable: 'ScheduleAnyway' | 'DoNotSchedule';
      readonly labelSelector: { readonly matchLabels: Readonly<Record<string, string>> };
    }>;
  };
  readonly serviceAccount?: { readonly annotations: Readonly<Record<string, string>> };
}

/** MIME types compressed by default (nginx always compresses text/html). */
export const DEFAULT_GZIP_TYPES: readonly string[] = Object.freeze([
  'application/javascript',
  'application/json',
  'application/manifest+json',
  'application/xml',
  'image/svg+xml',
  'text/css',
  'text/javascript',
  'text/plain',
  'text/xml',
]);

// ConfigMap keys set from typed props, and where to set them instead.
const MANAGED_CONFIG: Readonly<Record<string, string>> = {
  'ssl-protocols': 'nothing: TLS 1.2 and 1.3 only',
  hsts: 'the "hsts" prop (HSTS is always on)',
  'hsts-max-age': 'the "hsts.maxAgeSeconds" prop',
  'hsts-include-subdomains': 'the "hsts.includeSubdomains" prop',
  'hsts-preload': 'the "hsts.preload" prop',
  'use-gzip': 'the "gzip.enabled" prop',
  'gzip-level': 'the "gzip.level" prop',
  'gzip-min-length': 'the "gzip.minLength" prop',
  'gzip-types': 'the "gzip.types" prop',
  'log-format-escape-json': 'nothing: access logs are always JSON',
  'log-format-escape-none': 'nothing: access logs are always JSON',
  'log-format-upstream': 'the "accessLog" prop',
  'proxy-buffer-size': 'the "proxyBufferSize" or "sessionStore" prop',
  'large-client-header-buffers': 'the "sessionStore" prop',
  'server-tokens': 'nothing: the nginx version is never sent',
};

const controllerSchema = z
  .strictObject({
    ...helmOperatorShape,
    ingressClassName: kubernetesName.optional(),
    defaultIngressClass: flag.optional(),
    replicas: positiveInt('replicas').optional(),
    sessionStore: valueObjectSchema(
      SessionStore.isSessionStore,
      'a SessionStore',
      'Use SessionStore.cookie() or SessionStore.redis({...}), the same store as the gateway.',
    ).optional(),
    proxyBufferSize: proxyBufferSizeSchema.optional(),
    hsts: z
      .strictObject({
        maxAgeSeconds: hstsMaxAgeSchema.optional(),
        includeSubdomains: flag.optional(),
        preload: flag.optional(),
      })
      .superRefine((hsts, ctx) => {
        if (
          hsts.preload === true &&
          (hsts.includeSubdomains === false || (hsts.maxAgeSeconds ?? 31536000) < 31536000)
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['preload'],
            message: problem(
              'needs includeSubdomains and a max age of at least 31536000',
              'Browser preload lists only accept such policies: keep includeSubdomains on and maxAgeSeconds at a year or more.',
            ),
          });
        }
      })
      .optional(),
    gzip: z
      .strictObject({
        enabled: flag.optional(),
        level: z
          .number()
          .int(problem('must be a whole number', 'Use a level from 1 to 9.'))
          .min(1, problem('must be from 1 to 9', 'Use 1 for speed, 9 for size; 5 is a good middle.'))
          .max(9, problem('must be from 1 to 9', 'Use 1 for speed, 9 for size; 5 is a good middle.'))
          .optional(),
        minLength: z
          .number()
          .int(problem('must be whole bytes', 'Remove the fraction.'))
          .min(0, problem('must not be negative', 'Use 0 to compress everything.'))
          .optional(),
        types: z
          .array(
            z
              .string()
              .regex(
                /^[a-z]+\/[a-z0-9][a-z0-9.+-]*$/,
                problem('must be a MIME type', 'Write it like "application/json", without parameters.'),
              ),
          )
          .min(
            1,
            problem(
              'must list at least one MIME type',
              'Leave it out for the defaults, or set enabled: false.',
            ),
          )
          .optional(),
      })
      .optional(),
    accessLog: accessLogOptionsSchema.optional(),
    service: z
      .strictObject({
        type: z
          .enum(['LoadBalancer', 'NodePort', 'ClusterIP'], {
            error: problem(
              'must be "LoadBalancer", "NodePort" or "ClusterIP"',
              'Most clusters want "LoadBalancer".',
            ),
          })
          .optional(),
        annotations: annotationMap.optional(),
        externalTrafficPolicy: z
          .enum(['Local', 'Cluster'], {
            error: problem('must be "Local" or "Cluster"', 'Keep "Local" to see client addresses.'),
          })
          .optional(),
        loadBalancerSourceRanges: z
          .array(cidr)
          .min(1, problem('must list at least one network', 'Leave it out to allow any address.'))
          .optional(),
      })
      .superRefine((service, ctx) => {
        if (service.type === 'ClusterIP' && service.externalTrafficPolicy !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['externalTrafficPolicy'],
            message: problem(
              'only applies to LoadBalancer and NodePort Services',
              'Remove it, or change the type.',
            ),
          });
        }
        if (
          service.type !== undefined &&
          service.type !== 'LoadBalancer' &&
          service.loadBalancerSourceRanges !== undefined
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['loadBalancerSourceRanges'],
            message: problem(
              'only applies to LoadBalancer Services',
              'Remove it, or use allowSourceRanges on the NginxIngress.',
            ),
          });
        }
      })
      .optional(),
    serviceMonitor: chartServiceMonitorSchema.optional(),
    extraConfig: z
      .record(z.string(), z.string())
      .superRefine((config, ctx) => {
        for (const key of Object.keys(config)) {
          if (!/^[a-z0-9][a-z0-9-]*$/.test(key)) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: problem(
                'is not an ingress-nginx ConfigMap key',
                'Keys are lower-case words joined by "-", e.g. "proxy-body-size".',
              ),
            });
          } else if (/-snippets?$/.test(key)) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: problem(
                'is a snippet, which injects raw nginx configuration',
                'Snippets are refused since the IngressNightmare CVEs (2025); use the ConfigMap keys for what you need.',
              ),
            });
          } else if (key === 'allow-snippet-annotations') {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: problem(
                'stays "false"',
                'Snippet annotations let anyone who can create an Ingress inject nginx configuration (IngressNightmare, 2025).',
              ),
            });
          } else if (key === 'annotations-risk-level') {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: problem(
                'stays "High"',
                'It admits the auth annotations the portal needs (High) and refuses Critical ones (snippets); lower levels break auth-url.',
              ),
            });
          } else if (MANAGED_CONFIG[key] !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: problem(
                'is managed by IngressNginxController',
                `Set it through ${MANAGED_CONFIG[key]}.`,
              ),
            });
          }
        }
      })
      .optional(),
  })
  .superRefine((props, ctx) => {
    if (props.proxyBufferSize !== undefined && props.sessionStore !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['proxyBufferSize'],
        message: problem(
          'conflicts with sessionStore',
          'Give the session store (the size follows it) or an explicit proxyBufferSize, not both.',
        ),
      });
    }
    chartIssues(ctx, props.chart);
  }) satisfies z.ZodType<IngressNginxControllerProps>;

/**
 * The community ingress-nginx controller (chart 4.15.x, controller v1.15.x) through Helm,
 * hardened for an OIDC-protected portal: no snippet annotations, `annotations-risk-level`
 * High (auth annotations work, snippets do not), TLS 1.2/1.3 only, HSTS, gzip, one JSON
 * access-log line per request with the signed-in user and the request id, proxy buffers
 * sized for oauth2-proxy's cookies, metrics on, several replicas with a disruption budget.
 *
 * For the identity in the log it also creates, ahead of the chart, the release namespace
 * and a placeholder Ingress (see `IngressNginxAccessLogOptions.identity`).
 *
 * ingress-nginx was retired upstream in March 2026 (v1.15.1 is the last release): it gets
 * no more security fixes.
 */
export class IngressNginxController extends HelmOperator<IngressNginxValues> {
  /** The IngressClass it serves (use it as the NginxIngress `ingressClassName`). */
  public readonly ingressClassName: string;
  /** The controller ConfigMap keys the chart renders from these values. */
  public readonly controllerConfig: Readonly<Record<string, string>>;
  /** The `log-format-upstream` line. */
  public readonly accessLogFormat: string;
  /** The controller pods, to admit them in NetworkPolicies (e.g. the gateway's `ingressController`). */
  public readonly peer: PeerSelector;
  /**
   * The placeholder Ingress that declares the identity variables of the access log, when
   * the log includes the identity.
   */
  public readonly identityLogIngress?: KubernetesResource;
  /** The namespace this construct creates ahead of the chart (for the placeholder Ingress), if any. */
  public readonly namespaceResource?: KubernetesResource;

  constructor(scope: Construct, id: string, props: IngressNginxControllerProps = {}) {
    super(scope, id, controllerSchema, props);

    const releaseName = props.releaseName ?? DEFAULT_CHARTS.ingressNginx.chart;
    const className = props.ingressClassName ?? 'nginx';
    const bufferSize = props.proxyBufferSize ?? (props.sessionStore ?? SessionStore.cookie()).proxyBufferSize;
    const hsts = props.hsts ?? {};
    const gzip = props.gzip ?? {};
    const gzipOn = gzip.enabled ?? true;
    this.accessLogFormat = ingressNginxAccessLogFormat(props.accessLog);

    const config: Record<string, string> = {
      ...props.extraConfig,
      // Written out: chart 4.15.1 puts this key in the ConfigMap only when it is true, and
      // the ConfigMap is where operators and audits look for it.
      'allow-snippet-annotations': 'false',
      // Annotations up to High are honoured (auth-url and auth-signin are High); Critical
      // ones, the snippets, are refused. "High" is the default since v1.12; it is written
      // out so a chart or controller change cannot lower the bar unnoticed.
      'annotations-risk-level': 'High',
      'ssl-protocols': 'TLSv1.2 TLSv1.3',
      hsts: 'true',
      'hsts-max-age': String(hsts.maxAgeSeconds ?? 31536000),
      'hsts-include-subdomains': String(hsts.includeSubdomains ?? true),
      'hsts-preload': String(hsts.preload ?? false),
      'use-gzip': String(gzipOn),
      ...(gzipOn
        ? {
            'gzip-level': String(gzip.level ?? 5),
            'gzip-min-length': String(gzip.minLength ?? 1024),
            'gzip-types': (gzip.types ?? DEFAULT_GZIP_TYPES).join(' '),
          }
        : {}),
      'log-format-escape-json': 'true',
      'log-format-upstream': this.accessLogFormat,
      // oauth2-proxy's Set-Cookie and identity headers must fit the upstream buffer, and a
      // split session cookie (_oauth2_proxy_0, _1, ...) must fit one request header buffer.
      'proxy-buffer-size': bufferSize,
      'large-client-header-buffers': `4 ${bufferSize}`,
      'server-tokens': 'false',
      // The portal's machine host answers with a WWW-Authenticate challenge, set through the
      // custom-headers annotation; the controller denies any location whose custom header is
      // not listed here (it answers 503), so the header is allowed beside the user's own.
      'global-allowed-response-headers': allowedResponseHeaders(props.extraConfig),
    };

    const serviceType = props.service?.type ?? 'LoadBalancer';
    const selector = {
      'app.kubernetes.io/name': 'ingress-nginx',
      'app.kubernetes.io/instance': releaseName,
      'app.kubernetes.io/component': 'controller',
    };
    const values: IngressNginxValues = {
      controller: {
        replicaCount: props.replicas ?? 2,
        // The chart creates the PodDisruptionBudget when there are 2 or more replicas.
        minAvailable: 1,
        allowSnippetAnnotations: false,
        ingressClass: className,
        ingressClassResource: {
          name: className,
          enabled: true,
          default: props.defaultIngressClass ?? false,
          // Each controller in a cluster needs its own controller value.
          controllerValue:
            className === 'nginx' ? 'k8s.io/ingress-nginx' : `k8s.io/ingress-nginx-${className}`,
        },
        config,
        metrics: {
          enabled: true,
          serviceMonitor: chartServiceMonitorValues(props.serviceMonitor, {
            labels: 'additionalLabels',
            interval: 'scrapeInterval',
            // The chart leaves the timeout to Prometheus, whose default is 10s.
            defaultTimeout: '10s',
          }),
        },
        service: {
          type: serviceType,
          ...(serviceType === 'ClusterIP'
            ? {}
            : { externalTrafficPolicy: props.service?.externalTrafficPolicy ?? 'Local' }),
          ...(props.service?.annotations ? { annotations: { ...props.service.annotations } } : {}),
          ...(props.service?.loadBalancerSourceRanges
            ? { loadBalancerSourceRanges: [...props.service.loadBalancerSourceRanges] }
            : {}),
        },
        resources: withDefaultResources(props.resources, {
          requests: { cpu: '100m', memory: '128Mi' },
          limits: { cpu: '1', memory: '512Mi' },
        }),
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: selector },
          },
        ],
      },
      ...serviceAccountValues(props),
    };

    const namespace = props.namespace ?? 'ingress-nginx';
    const dependsOn: KubernetesResource[] = [];
    if (props.accessLog?.identity ?? true) {
      // The placeholder must exist before the controller starts, so before the chart is
      // installed, and it needs the namespace first.
      this.namespaceResource = operatorNamespace(this, props, 'ingress-nginx', 'ingress-nginx');
      if (this.namespaceResource) {
        dependsOn.push(this.namespaceResource);
      }
      const anchorName = `${releaseName}-identity-log`.slice(0, 63).replace(/-+$/, '');
      this.identityLogIngress = kubernetesResource(this, 'IdentityLogIngress', 'kubernetes_ingress_v1', {
        metadata: {
          name: anchorName,
          namespace: this.namespaceResource ? this.namespaceResource.metadataName : namespace,
          labels: standardLabels('ingress-nginx', releaseName, 'identity-log'),
          annotations: {
            // Declares $authHeader0..N (the identity headers, in contract order) for the log
            // format. Nothing listens on port 9 (discard): requests for the host get a 500.
            'nginx.ingress.kubernetes.io/auth-url': 'http://127.0.0.1:9/identity-log',
            'nginx.ingress.kubernetes.io/auth-response-headers': ingressAuthResponseHeaders(),
          },
        },
        spec: {
          ingressClassName: className,
          // TLS like every host (the controller's default certificate): nothing on this host
          // is ever served in clear text, and the TLS guardrail holds without an exemption.
          tls: [{ hosts: ['identity-log.invalid'] }],
          rule: [
            {
              host: 'identity-log.invalid',
              http: {
                path: [
                  {
                    path: '/',
                    pathType: 'Exact',
                    backend: { service: { name: anchorName, port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      });
      dependsOn.push(this.identityLogIngress);
    }

    const rendered = this.install({
      kind: 'IngressNginxController',
      props,
      defaultChart: DEFAULT_CHARTS.ingressNginx,
      defaultNamespace: 'ingress-nginx',
      values,
      dependsOn,
    });
    this.ingressClassName = className;
    this.controllerConfig = { ...config };
    this.peer = {
      namespaceLabels: { 'kubernetes.io/metadata.name': rendered.namespace },
      podLabels: selector,
    };
  }
}

/** `global-allowed-response-headers`: the user's list (extraConfig) and the machine host's challenge. */
function allowedResponseHeaders(extraConfig: Readonly<Record<string, string>> | undefined): string {
  const own = (extraConfig?.['global-allowed-response-headers'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  // The controller compares the ConfigMap's header names with this list case-sensitively.
  const all = own.includes(MACHINE_CHALLENGE_HEADER) ? own : [...own, MACHINE_CHALLENGE_HEADER];
  return all.join(',');
}
