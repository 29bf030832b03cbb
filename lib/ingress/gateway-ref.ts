import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import { keyedRecord, kubernetesName, valueObjectSchema, workloadNamespace } from '../core/schemas';
import { problem } from '../core/validation';

const BRAND = Symbol.for('cdktf-backstage.GatewayRef');

/** @internal The Gateway API's group, in parentRefs, targetRefs and route kinds. */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** The listener names of a Gateway the library renders. */
export const GATEWAY_LISTENERS = Object.freeze({
  http: 'http',
  https: 'https',
  /** With a machine entry: plain HTTP for the machine host (the redirect, cert-manager's HTTP-01 routes). */
  machinesHttp: 'http-machines',
  /** With a machine entry: HTTPS for the machine host (its route to the machine entry). */
  machinesHttps: 'https-machines',
});

/** `spec.infrastructure` of a rendered Gateway (GEP-1867): settings for what the implementation creates for it. */
export interface GatewayInfrastructure {
  /**
   * Labels for the resources the implementation creates (its Service, Deployment, cloud load balancer).
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Annotations for those resources (e.g. a cloud load balancer's, on the data plane's Service).
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * The implementation's own parameters object for this Gateway (e.g. the AWS Load Balancer
   * Controller's `LoadBalancerConfiguration`, group `gateway.k8s.aws`).
   * @default - none
   */
  readonly parametersRef?: { readonly group: string; readonly kind: string; readonly name: string };
}

/** Options of {@link GatewayRef.create}. */
export interface CreatedGatewayOptions {
  /**
   * The GatewayClass of the implementation that runs it: e.g. `nginx` (NGINX Gateway Fabric),
   * `eg` (Envoy Gateway's usual name), `istio`, `cilium`, or a cloud's
   * (`CloudProfile.gatewayApi(...).gatewayClassName`).
   */
  readonly gatewayClassName: string;
  /**
   * Name of the Gateway, in the portal's namespace.
   * @default "backstage"
   */
  readonly name?: string;
  /**
   * Annotations of the Gateway, for implementation settings (e.g. Application Gateway for
   * Containers' `alb.networking.azure.io/alb-id`). cert-manager's are set from the `tls`
   * prop and refused here.
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Settings for what the implementation creates for the Gateway.
   * @default - none
   */
  readonly infrastructure?: GatewayInfrastructure;
}

/** Options of {@link GatewayRef.existing}. */
export interface ExistingGatewayOptions {
  /** Name of the Gateway. */
  readonly name: string;
  /** Its namespace (its listener must admit routes from the portal's namespace). */
  readonly namespace: string;
  /**
   * The Gateway's HTTPS listener for the portal's host (`sectionName`): the portal's route
   * attaches there only, so it is never served over plain HTTP. That listener's
   * certificate is the Gateway owner's.
   */
  readonly httpsListener: string;
  /**
   * The Gateway's plain-HTTP listener (`sectionName`), when the portal should redirect HTTP
   * to HTTPS there itself.
   * @default - no redirect route: the Gateway's owner redirects plain HTTP
   */
  readonly httpListener?: string;
  /**
   * With a machine entry (`machineHost`): the Gateway's HTTPS listener for the machine host,
   * where its route attaches. Its certificate must cover the machine host.
   * @default - `httpsListener` (a listener without a hostname, or a wildcard one, serves both hosts)
   */
  readonly machineHttpsListener?: string;
}

const labelValue = z
  .string()
  .regex(
    /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/,
    problem(
      'must be a label value',
      'Use at most 63 letters, digits, "-", "_" and "."; start and end with a letter or digit.',
    ),
  );
const METADATA_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;

/** A label or annotation map; each bad key is reported under its own path. */
function metadataMap<T extends z.ZodType<string>>(
  value: T,
  options: { readonly max?: number; readonly reservedGatewayApiPrefix?: boolean } = {},
) {
  return keyedRecord(value, (key) => {
    if (!METADATA_KEY.test(key)) {
      return problem(
        'is not a label or annotation key',
        'Use an optional DNS prefix and a name, e.g. "example.com/team".',
      );
    }
    // The Gateway API CRD refuses keys of its own group on infrastructure (GEP-1867).
    if (options.reservedGatewayApiPrefix && key.startsWith('gateway.networking.k8s.io/')) {
      return problem(
        'must not use the gateway.networking.k8s.io/ prefix',
        'The Gateway API reserves it; pick a prefix of your own.',
      );
    }
    return undefined;
  }).superRefine((map, ctx) => {
    if (options.max !== undefined && Object.keys(map).length > options.max) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: problem(
          `must have at most ${options.max} entries`,
          'The Gateway API allows 8 labels and 8 annotations on infrastructure.',
        ),
      });
    }
  });
}
const listenerName = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    problem(
      'must be a listener name',
      'Use the `name` of the listener in the Gateway\'s spec.listeners (lower case, digits, "-", ".").',
    ),
  );

/** @internal */
export const createdGatewaySchema = z.strictObject({
  gatewayClassName: z
    .string()
    .min(
      1,
      problem(
        'must not be empty',
        'Name the GatewayClass of your implementation (kubectl get gatewayclass).',
      ),
    )
    .max(253, problem('must be at most 253 characters', 'Use the name of an existing GatewayClass.')),
  name: kubernetesName.optional(),
  annotations: metadataMap(z.string())
    .superRefine((annotations, ctx) => {
      for (const key of Object.keys(annotations)) {
        if (key.startsWith('cert-manager.io/') || key.startsWith('acme.cert-manager.io/')) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: problem(
              'is managed by the tls prop',
              "Choose the issuer with TlsSource.acme(), .fromIssuer() or .privateCa(); the portal annotates its Gateway for cert-manager's gateway-shim itself.",
            ),
          });
        }
      }
    })
    .optional(),
  infrastructure: z
    .strictObject({
      labels: metadataMap(labelValue, { max: 8, reservedGatewayApiPrefix: true }).optional(),
      annotations: metadataMap(z.string().max(4096), { max: 8, reservedGatewayApiPrefix: true }).optional(),
      parametersRef: z
        .strictObject({
          group: z
            .string()
            .regex(
              /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
              problem('must be an API group', 'Write it like "gateway.k8s.aws".'),
            ),
          kind: z
            .string()
            .regex(
              /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/,
              problem('must be a kind', 'Write it like "LoadBalancerConfiguration".'),
            ),
          name: z.string().min(1).max(253),
        })
        .optional(),
    })
    .optional(),
}) satisfies z.ZodType<CreatedGatewayOptions>;

/** @internal */
export const existingGatewaySchema = z
  .strictObject({
    name: kubernetesName,
    namespace: workloadNamespace,
    httpsListener: listenerName,
    httpListener: listenerName.optional(),
    machineHttpsListener: listenerName.optional(),
  })
  .superRefine((options, ctx) => {
    if (options.httpListener !== undefined && options.httpListener === options.httpsListener) {
      ctx.addIssue({
        code: 'custom',
        path: ['httpListener'],
        message: problem(
          'is the HTTPS listener too',
          "Name the Gateway's plain-HTTP listener, or leave httpListener out.",
        ),
      });
    }
  }) satisfies z.ZodType<ExistingGatewayOptions>;

/**
 * The Gateway (Gateway API) that the portal's HTTPRoutes attach to: one the library renders
 * in the portal's namespace ({@link GatewayRef.create}), with an HTTP and an HTTPS listener
 * for the host and TLS through cert-manager's gateway-shim, or one that exists already
 * ({@link GatewayRef.existing}), named with its listeners.
 */
export class GatewayRef {
  /**
   * A Gateway the portal renders: listeners `http` (80, only the redirect to HTTPS and
   * cert-manager's HTTP-01 routes) and `https` (443, the portal) for the host, routes from
   * the portal's namespace only, and the certificate from the portal's `tls`.
   */
  public static create(options: CreatedGatewayOptions): GatewayRef {
    return new GatewayRef('create', options);
  }

  /** A Gateway that exists (a shared one of the platform team), and its listeners for the portal's host. */
  public static existing(options: ExistingGatewayOptions): GatewayRef {
    return new GatewayRef('existing', options);
  }

  /** True for any GatewayRef, even one from another copy of this library. */
  public static isGatewayRef(value: unknown): value is GatewayRef {
    return isBranded(value, BRAND);
  }

  private constructor(
    /** Rendered by the portal (`create`) or there already (`existing`). */
    public readonly kind: 'create' | 'existing',
    /** The options it was made with. */
    public readonly options: CreatedGatewayOptions | ExistingGatewayOptions,
  ) {
    brand(this, BRAND);
  }

  /** @internal The schema of the options. */
  public get schema(): z.ZodType {
    return this.kind === 'create' ? createdGatewaySchema : existingGatewaySchema;
  }
}

/** @internal A prop that takes a {@link GatewayRef} (the Gateway API flavour's `gateway`). */
export const gatewayRefSchema = valueObjectSchema(
  GatewayRef.isGatewayRef,
  'a GatewayRef',
  'Use GatewayRef.create({ gatewayClassName }) or GatewayRef.existing({ name, namespace, httpsListener }).',
);
