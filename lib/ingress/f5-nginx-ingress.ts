import { Annotations, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import * as z from 'zod';

import { identityHeaderNames } from '../access/header-contract';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { isRecord } from '../core/objects';
import { kubernetesName } from '../core/schemas';
import { fail, problem, validateProps } from '../core/validation';
import { BoundTls } from '../tls/tls-source';
import { type IngressCommonProps, resolveIngressCommon } from './ingress-props';
import {
  allowSourceRangesSchema,
  extraAnnotationsSchema,
  f5RateLimitSchema,
  frontDoorShape,
  hstsMaxAgeSchema,
  inPathAuthProxyPlacementIssues,
  inPathAuthProxySchema,
  proxyBodySizeSchema,
  proxyBufferSizeSchema,
  proxyTimeoutsSchema,
  tlsSourceSchemaOf,
} from './ingress-schemas';
import {
  type InPathMachineEntry,
  inPathMachineEntrySchema,
  machineEntryHostIssues,
} from './machine-entry-route';
import type { RateLimit } from './nginx-ingress';

// The same access intent as NginxIngress, rendered for the F5 NGINX Ingress Controller
// (nginx/kubernetes-ingress, `nginx.org/*` annotations). Facts of that controller that
// shape this file (sources in the README's F5 section):
//
// 1. Two Ingresses for one host collide: the oldest wins, the other is rejected. One
//    host with several Ingresses (the portal, and cert-manager's HTTP-01 solver) needs
//    "mergeable" Ingresses: a master with the host and TLS and no paths, and minions
//    with the paths. Policies on the master are inherited by every minion, so the
//    allow-list policy goes on the portal's minion only and the challenge minion stays open.
// 2. Its `externalAuth` Policy (an auth_request subrequest) has no field to copy
//    auth-response headers to the backend (open feature request
//    nginx/kubernetes-ingress#10525); only `authSnippets` could, and snippets are refused
//    here. So the identity headers cannot come from an auth answer: the gateway sits in
//    the request path (oauth2-proxy as a reverse proxy in front of Backstage) and does
//    everything auth does: it redirects to the IdP, answers 401 on its API routes, takes
//    machine tokens and sets the contract's headers itself. The controller strips any
//    client-sent copy of those headers on the way in.
// 3. Hence no `externalAuth` Policy at all: it would only add a second check of the same
//    session, and as the controller renders it (5.5.4, found by the sign-in suite) it
//    breaks the portal three ways: one `/_external_auth<authURI>` location per guarded
//    minion in one server (nginx refuses the duplicate), 401 instead of the sign-in
//    redirect (nginx/kubernetes-ingress#10504, fixed after 5.5.4), and nginx's 4k default
//    buffers on the controller's own `/oauth2` location (cookie sessions' callback: 502).
//    One minion, `/` to the gateway, covers the portal, `/oauth2` and the API paths.
// 4. nginx's client header buffers keep their default (large_client_header_buffers 4 8k):
//    the controller has no ConfigMap key or annotation for them. A Cookie header over 8k
//    (cookie sessions of users in many groups) gets 400; Redis sessions keep it small.

const MERGEABLE = 'nginx.org/mergeable-ingress-type';

/** Fact 4 above, as a synth warning for a gateway with cookie sessions. */
const COOKIE_SESSION_WARNING =
  'F5NginxIngress with cookie sessions: the F5 controller keeps nginx\'s default client header buffers (4 8k; it has no setting for them), so a user whose session cookie is over 8k (an ID token with many groups, e.g. from Entra ID) gets 400 "Request Header Or Cookie Too Large". Give the gateway SessionStore.redis(...) if users are in many groups.';

/** Where a gateway in the request path sends signed-in requests, and what it adds to them. */
export interface F5IdentityUpstream {
  /** The Service the gateway proxies signed-in requests to (the portal's backend). */
  readonly serviceName: string;
  /** Its port. */
  readonly port: number;
  /**
   * Headers the gateway sets on those requests, replacing any client value: exactly the
   * identity headers of the header contract (`identityHeaderNames()`).
   */
  readonly requestHeaders: readonly string[];
}

/** What F5NginxIngress needs from the auth gateway (oauth2-proxy). */
export interface F5AuthGateway {
  /** Service the portal's minion sends every path to (oauth2-proxy; it serves `/oauth2/*` itself). */
  readonly serviceName: string;
  /** Namespace of that Service: the Ingresses' own (an Ingress routes to Services of its namespace only). */
  readonly namespace: string;
  /** Its port. */
  readonly port: number;
  /**
   * Session store, which decides the proxy buffer size needed (an `OidcGateway`'s
   * `sessionStore`). With `kind: 'cookie'` synth warns: see {@link F5NginxIngress}.
   */
  readonly sessionStore: { readonly proxyBufferSize: string; readonly kind?: 'cookie' | 'redis' };
  /**
   * Set when the gateway runs as a reverse proxy in front of the backend. Required on
   * this controller, whose external auth cannot pass the identity headers on.
   * @default - none (auth-only gateway: refused)
   */
  readonly identityUpstream?: F5IdentityUpstream;
}

/** Per-client-IP request rate limit (`nginx.org/limit-req-*`; no connection limit on this controller). */
export type F5RateLimit = Omit<RateLimit, 'connections'>;

/** HTTP Strict Transport Security (the F5 controller has it off by default). */
export interface F5HstsOptions {
  /**
   * `max-age` in seconds.
   * @default 31536000 (one year)
   */
  readonly maxAgeSeconds?: number;
  /**
   * Add `includeSubDomains`.
   * @default false
   */
  readonly includeSubdomains?: boolean;
}

export interface F5NginxIngressProps extends IngressCommonProps {
  /** The auth gateway, running in front of the backend (see {@link F5AuthGateway.identityUpstream}). */
  readonly gateway: F5AuthGateway;
  /**
   * Removed in 0.x: on this controller the gateway, in the request path, decides which
   * paths answer 401 instead of redirecting to sign-in. Give them to the gateway
   * (`OidcGateway` `apiPaths`, regexes such as `"^/api([/?]|$)"`), or as prefixes in
   * `BackstagePortal` `ingress.apiPaths`. Refused when set.
   * @deprecated Set the API paths on the gateway.
   */
  readonly apiPaths?: never;
  /**
   * Per-IP request rate limit on the portal's paths.
   * @default - none
   */
  readonly rateLimit?: F5RateLimit;
  /**
   * HSTS settings; HSTS itself is always on.
   * @default - max-age one year, no includeSubDomains
   */
  readonly hsts?: F5HstsOptions;
  /**
   * TLS ends at a load balancer in front of the controller: redirect on
   * `X-Forwarded-Proto: http` (`nginx.org/redirect-to-https`) and send HSTS by that header.
   * @default false
   */
  readonly behindTlsTerminatingProxy?: boolean;
  /**
   * The machine entry (`OidcGateway` `machineHost`, in the request path): its host gets a
   * master and a minion of its own, with the master's host-level settings and the minion's
   * (the allow-list and rate limits included), every path to the machine entry. The portal's
   * master names both hosts in its TLS hosts, so a certificate from an issuer covers both.
   * @default - none
   */
  readonly machineEntry?: InPathMachineEntry;
}

/** Annotations this construct sets, and where a user sets each instead. */
const MANAGED: Readonly<Record<string, string>> = {
  [MERGEABLE]: 'nothing: the master/minion layout is what keeps the ACME challenge path open',
  'nginx.org/policies': 'the "allowSourceRanges" prop (the gateway in the request path does the auth)',
  'nginx.com/policies': 'the "allowSourceRanges" prop (the gateway in the request path does the auth)',
  'nginx.org/ssl-redirect': 'nothing: HTTPS is always forced',
  'ingress.kubernetes.io/ssl-redirect': 'nothing: HTTPS is always forced',
  'nginx.org/redirect-to-https': 'the "behindTlsTerminatingProxy" prop',
  'nginx.org/hsts': 'nothing: HSTS is always on',
  'nginx.org/hsts-max-age': 'the "hsts.maxAgeSeconds" prop',
  'nginx.org/hsts-include-subdomains': 'the "hsts.includeSubdomains" prop',
  'nginx.org/hsts-behind-proxy': 'the "behindTlsTerminatingProxy" prop',
  'nginx.org/server-tokens': 'nothing: the version is never advertised',
  'nginx.org/proxy-buffer-size': 'the "proxyBufferSize" prop',
  'nginx.org/proxy-buffers': 'the "proxyBufferSize" prop',
  'nginx.org/client-max-body-size': 'the "proxyBodySize" prop',
  'nginx.org/proxy-connect-timeout': 'the "timeouts.connectSeconds" prop',
  'nginx.org/proxy-read-timeout': 'the "timeouts.readSeconds" prop',
  'nginx.org/proxy-send-timeout': 'the "timeouts.sendSeconds" prop',
  'nginx.org/proxy-set-headers': 'nothing: the identity headers are stripped from client requests',
  'nginx.org/proxy-pass-headers': 'nothing: it could pass identity headers through',
  'nginx.org/limit-req-rate': 'the "rateLimit.requestsPerSecond" prop',
  'nginx.org/limit-req-burst': 'the "rateLimit.burstMultiplier" prop',
};

/** Host-level annotations a minion may not carry (F5's mergeable Ingress rules). */
const MASTER_ONLY = new Set([
  'nginx.org/proxy-hide-headers',
  'nginx.org/http-redirect-code',
  'nginx.org/listen-ports',
  'nginx.org/listen-ports-ssl',
  'appprotect.f5.com/app_protect_enable',
  'appprotect.f5.com/app_protect_policy',
  'appprotect.f5.com/app_protect_security_log_enable',
  'appprotect.f5.com/app_protect_security_log',
  'appprotectdos.f5.com/app-protect-dos-resource',
]);

const gatewaySchema = inPathAuthProxySchema<F5AuthGateway>({
  shapeFix: 'Pass the oauth2-proxy gateway of the portal.',
  notInPath: 'cannot hand the identity headers to the backend on the F5 controller',
  notInPathFix:
    "F5's externalAuth policy does not copy auth-response headers to the backend (nginx/kubernetes-ingress#10525) and snippets are refused: run the gateway as a reverse proxy in front of the backend that sets the identity headers itself (identityUpstream), or use NginxIngress.",
});

const f5Schema = z
  .strictObject({
    ...frontDoorShape,
    gateway: gatewaySchema,
    tls: tlsSourceSchemaOf('Use TlsSource.fromIssuer(name), .fromSecret(name) or .privateCa(secret).'),
    ingressClassName: kubernetesName.optional(),
    name: kubernetesName.optional(),
    apiPaths: z
      .never({
        error: problem(
          'is decided by the gateway on the F5 controller, not by the Ingress',
          'oauth2-proxy sits in the request path and answers 401 on its API routes: set the OidcGateway apiPaths (regexes such as "^/api([/?]|$)"), or BackstagePortal ingress.apiPaths (prefixes such as "/api"), and leave it out here.',
        ),
      })
      .optional(),
    proxyBufferSize: proxyBufferSizeSchema.optional(),
    allowSourceRanges: allowSourceRangesSchema.optional(),
    rateLimit: f5RateLimitSchema.optional(),
    proxyBodySize: proxyBodySizeSchema.optional(),
    timeouts: proxyTimeoutsSchema.optional(),
    hsts: z
      .strictObject({
        maxAgeSeconds: hstsMaxAgeSchema.optional(),
        includeSubdomains: z.boolean().optional(),
      })
      .optional(),
    behindTlsTerminatingProxy: z.boolean().optional(),
    machineEntry: inPathMachineEntrySchema.optional(),
    extraAnnotations: extraAnnotationsSchema('F5NginxIngress', (key) => {
      if (key in MANAGED) {
        return problem('is managed by F5NginxIngress', `Set it through ${MANAGED[key]}.`);
      }
      if (MASTER_ONLY.has(key)) {
        return problem(
          "is a host-level annotation, which the portal's minion Ingress cannot carry",
          "Set it on the controller's ConfigMap (controller.config.entries) instead.",
        );
      }
      if (key.startsWith('cert-manager.io/') || key.startsWith('acme.cert-manager.io/')) {
        return problem(
          'is managed by the tls prop',
          'Choose the issuer with TlsSource.fromIssuer() or .privateCa(); only the master Ingress asks cert-manager for the certificate.',
        );
      }
      return undefined;
    }).optional(),
  })
  .superRefine((props, ctx) => {
    machineEntryHostIssues(ctx, props.host, props.machineEntry);
    inPathAuthProxyPlacementIssues(ctx, props, props.gateway, {
      prop: 'gateway',
      owner: "the Ingresses'",
      namespaceFix:
        "An Ingress routes only to Services of its own namespace: run the gateway in the portal's namespace.",
    });
  }) satisfies z.ZodType<F5NginxIngressProps>;

/**
 * True when one of the resources the TLS source creates is a cert-manager issuer whose
 * HTTP-01 solver Ingress would be a second, non-mergeable Ingress for the portal's host:
 * the F5 controller rejects it and the certificate is never issued.
 */
function hasCollidingHttp01Solver(tls: BoundTls): boolean {
  for (const dependency of tls.dependsOn) {
    if (
      !TerraformResource.isTerraformResource(dependency) ||
      dependency.terraformResourceType !== 'kubernetes_manifest'
    ) {
      continue;
    }
    const rendered = (
      dependency.toTerraform() as { resource?: Record<string, Record<string, { manifest?: unknown }>> }
    ).resource;
    for (const byId of Object.values(rendered ?? {})) {
      for (const attributes of Object.values(byId)) {
        const manifest = attributes.manifest;
        if (!isRecord(manifest) || !String(manifest.kind ?? '').endsWith('Issuer')) {
          continue;
        }
        const acme = isRecord(manifest.spec) ? manifest.spec.acme : undefined;
        const solvers = isRecord(acme) && Array.isArray(acme.solvers) ? acme.solvers : [];
        for (const solver of solvers) {
          const ingress = isRecord(solver) && isRecord(solver.http01) ? solver.http01.ingress : undefined;
          if (!isRecord(ingress)) {
            continue;
          }
          const template = isRecord(ingress.ingressTemplate) ? ingress.ingressTemplate : {};
          const metadata = isRecord(template.metadata) ? template.metadata : {};
          const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
          if (annotations[MERGEABLE] !== 'minion') {
            return true;
          }
        }
      }
    }
  }
  return false;
}

/**
 * The portal's front door on the F5 NGINX Ingress Controller (5.4.0 or later): a master
 * Ingress with the host, TLS, forced HTTPS and HSTS, and one minion sending every path to
 * the gateway (oauth2-proxy in the request path), which does the authentication: the
 * redirect to the IdP, 401 on its API routes, machine tokens, and the identity headers
 * on requests to Backstage (copies sent by the client are stripped here first). No
 * `externalAuth` Policy is rendered; `allowSourceRanges` adds an `accessControl` Policy
 * to the minion. cert-manager's challenge minion inherits nothing from the master.
 *
 * **Cookie sessions and many groups:** the controller keeps nginx's default client header
 * buffers (4 × 8k; it has no setting for them, and snippets are refused), so a request
 * whose Cookie header is over 8k gets 400 "Request Header Or Cookie Too Large". oauth2-proxy
 * cookie sessions get there when the ID token carries many groups (an Entra ID user in 200
 * groups: ~25 KB). Use `SessionStore.redis(...)` on this controller when users are in many
 * groups (the cookie is then a ticket of ~200 bytes); synth warns with cookie sessions.
 */
export class F5NginxIngress extends Construct {
  /**
   * The `ingressTemplate` an ACME issuer's HTTP-01 solver needs on this controller: it
   * makes cert-manager's challenge Ingress a minion of the portal's master.
   */
  public static readonly ACME_SOLVER_INGRESS_TEMPLATE = Object.freeze({
    metadata: Object.freeze({ annotations: Object.freeze({ [MERGEABLE]: 'minion' }) }),
  });

  /** The master Ingress (host, TLS, host-level settings; no paths). */
  public readonly ingress: KubernetesResource;
  /** The portal's minion Ingress (every path, `/`, to the gateway). */
  public readonly appIngress: KubernetesResource;
  /** The `accessControl` Policy, when `allowSourceRanges` is set. */
  public readonly accessControlPolicy?: KubernetesResource;
  /** The annotations of the master. */
  public readonly annotations: Readonly<Record<string, string>>;
  /** The annotations of the portal's minion. */
  public readonly appAnnotations: Readonly<Record<string, string>>;
  /** With a machine entry: the machine host's master (host, TLS, host-level settings). */
  public readonly machineIngress?: KubernetesResource;
  /** With a machine entry: the machine host's minion (every path to the machine entry). */
  public readonly machineAppIngress?: KubernetesResource;
  /** The portal URL. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: F5NginxIngressProps) {
    super(scope, id);
    validateProps(this, f5Schema, props);

    const gateway = props.gateway;
    const {
      name,
      ingressClassName,
      url,
      labels,
      tls,
      proxyBufferSize: bufferSize,
      proxyBodySize,
      timeouts,
    } = resolveIngressCommon(this, props, gateway.sessionStore);
    this.url = url;
    if (hasCollidingHttp01Solver(tls)) {
      fail(
        this,
        'tls',
        'uses an ACME HTTP-01 solver whose challenge Ingress the F5 controller rejects (a second Ingress for the same host)',
        props.tls,
        'Use an issuer whose solver has http01.ingress.ingressTemplate = F5NginxIngress.ACME_SOLVER_INGRESS_TEMPLATE (TlsSource.fromIssuer(name)), a DNS-01 issuer, or TlsSource.fromSecret(name).',
      );
    }
    if (gateway.sessionStore.kind === 'cookie') {
      Annotations.of(this).addWarning(COOKIE_SESSION_WARNING);
    }

    if (props.allowSourceRanges) {
      this.accessControlPolicy = kubernetesResource(this, 'AccessControlPolicy', 'kubernetes_manifest', {
        manifest: {
          apiVersion: 'k8s.nginx.org/v1',
          kind: 'Policy',
          metadata: { name: `${name}-allow-list`, namespace: props.namespace, labels },
          spec: { ingressClassName, accessControl: { allow: [...props.allowSourceRanges] } },
        },
      });
    }

    const behindProxy = props.behindTlsTerminatingProxy ?? false;
    const hostLevel = {
      [MERGEABLE]: 'master',
      'nginx.org/ssl-redirect': 'true',
      ...(behindProxy
        ? { 'nginx.org/redirect-to-https': 'true', 'nginx.org/hsts-behind-proxy': 'true' }
        : {}),
      'nginx.org/hsts': 'true',
      'nginx.org/hsts-max-age': String(props.hsts?.maxAgeSeconds ?? 31536000),
      'nginx.org/hsts-include-subdomains': String(props.hsts?.includeSubdomains ?? false),
      'nginx.org/server-tokens': 'false',
    };
    this.annotations = {
      ...hostLevel,
      // cert-manager's ingress-shim issues the certificate from the master, which holds the TLS.
      ...tls.annotations,
    };

    const rate = props.rateLimit;
    this.appAnnotations = {
      [MERGEABLE]: 'minion',
      // Only on the minion: policies on the master would also guard the ACME challenge minion.
      ...(this.accessControlPolicy ? { 'nginx.org/policies': `${name}-allow-list` } : {}),
      // The same buffers for every path, /oauth2 (sign-in, callback) included.
      'nginx.org/proxy-buffer-size': bufferSize,
      'nginx.org/proxy-buffers': `8 ${bufferSize}`,
      'nginx.org/client-max-body-size': proxyBodySize,
      'nginx.org/proxy-connect-timeout': `${timeouts.connectSeconds}s`,
      'nginx.org/proxy-read-timeout': `${timeouts.readSeconds}s`,
      'nginx.org/proxy-send-timeout': `${timeouts.sendSeconds}s`,
      // `Name: ` with an empty value renders `proxy_set_header Name "";`, which drops the
      // header: a client cannot smuggle its own identity past the gateway.
      'nginx.org/proxy-set-headers': identityHeaderNames()
        .map((header) => `${header}: `)
        .join(','),
      ...(rate
        ? {
            'nginx.org/limit-req-rate': `${rate.requestsPerSecond}r/s`,
            'nginx.org/limit-req-burst': String(rate.requestsPerSecond * (rate.burstMultiplier ?? 5)),
          }
        : {}),
      ...(props.extraAnnotations ?? {}),
    };

    const machines = props.machineEntry;
    const master = (
      masterId: string,
      masterName: string,
      annotations: Record<string, string>,
      host: string,
      tlsHosts: readonly string[],
    ) =>
      kubernetesResource(this, masterId, 'kubernetes_ingress_v1', {
        metadata: { name: masterName, namespace: props.namespace, labels, annotations },
        spec: {
          ingressClassName,
          tls: [{ hosts: [...tlsHosts], secretName: tls.secretName }],
          // A master carries the host and no paths.
          rule: [{ host }],
        },
        dependsOn: [...tls.dependsOn],
      });
    const minion = (
      minionId: string,
      minionName: string,
      host: string,
      service: { readonly serviceName: string; readonly port: number },
      after: KubernetesResource,
    ) =>
      kubernetesResource(this, minionId, 'kubernetes_ingress_v1', {
        metadata: { name: minionName, namespace: props.namespace, labels, annotations: this.appAnnotations },
        spec: {
          ingressClassName,
          rule: [
            {
              host,
              http: {
                path: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: service.serviceName, port: { number: service.port } } },
                  },
                ],
              },
            },
          ],
        },
        dependsOn: [...(this.accessControlPolicy ? [this.accessControlPolicy] : []), after],
      });

    // The portal's master names the machine host too: ingress-shim issues one certificate
    // for the TLS hosts of the annotated Ingress.
    this.ingress = master(
      'Ingress',
      name,
      this.annotations,
      props.host,
      machines ? [props.host, machines.host] : [props.host],
    );
    // The gateway is in the request path: it proxies to its identityUpstream (the
    // backend) with the identity headers it sets itself, and serves /oauth2 itself.
    this.appIngress = minion('AppIngress', `${name}-app`, props.host, gateway, this.ingress);
    if (machines) {
      // The machine entry, in the request path too, answers 401/403 itself and proxies what
      // it admits to Backstage. Its master asks cert-manager for nothing: the portal's does.
      this.machineIngress = master('MachineIngress', `${name}-machines`, hostLevel, machines.host, [
        machines.host,
      ]);
      this.machineAppIngress = minion(
        'MachineAppIngress',
        `${name}-machines-app`,
        machines.host,
        machines,
        this.machineIngress,
      );
    }
  }
}
