// The props both NGINX flavours (NginxIngress, F5NginxIngress) take alike: they mean the
// same thing whichever controller renders them, so they are declared and documented once.
import { Construct } from 'constructs';

import { standardLabels } from '../core/labels';
import type { BoundTls, TlsSource } from '../tls/tls-source';

/** Upstream timeouts, in seconds. */
export interface ProxyTimeouts {
  /** @default 5 */
  readonly connectSeconds?: number;
  /** @default 60 */
  readonly readSeconds?: number;
  /** @default 60 */
  readonly sendSeconds?: number;
}

/** What every NGINX flavour of the portal's front door takes. */
export interface IngressCommonProps {
  /** Namespace of the Ingress (and F5 Policy) objects: the same as the Services they route to. */
  readonly namespace: string;
  /** Public host. */
  readonly host: string;
  /** The Service behind the portal (Backstage). */
  readonly backend: { readonly serviceName: string; readonly port: number };
  /**
   * Where the certificate comes from. On the F5 controller an ACME issuer answering HTTP-01
   * must give its solver Ingress the minion annotation
   * ({@link F5NginxIngress.ACME_SOLVER_INGRESS_TEMPLATE}).
   */
  readonly tls: TlsSource;
  /**
   * Ingress class of the controller.
   * @default "nginx"
   */
  readonly ingressClassName?: string;
  /**
   * Name prefix of the objects: `<name>`, `<name>-oauth2` and `<name>-api` on ingress-nginx;
   * the `<name>` master, the `<name>-app` minion and the `<name>-allow-list` Policy on F5.
   * @default "backstage"
   */
  readonly name?: string;
  /**
   * nginx's proxy buffer size (ingress-nginx `proxy-buffer-size`; F5
   * `nginx.org/proxy-buffer-size`, with 8 buffers of that size), big enough for
   * oauth2-proxy's session cookies and the identity headers.
   * @default - "32k" with the cookie session store, "16k" with Redis
   */
  readonly proxyBufferSize?: string;
  /**
   * Only these client networks may reach the portal. ingress-nginx: on every Ingress, the
   * sign-in path included (it is attacked too). F5: an `accessControl` Policy on the
   * portal's minion; the ACME challenge path stays reachable.
   * @default - any address (on F5: no Policy)
   */
  readonly allowSourceRanges?: readonly string[];
  /**
   * Largest request body (ingress-nginx `proxy-body-size`, F5
   * `nginx.org/client-max-body-size`), e.g. for TechDocs or scaffolder uploads.
   * @default "10m"
   */
  readonly proxyBodySize?: string;
  /**
   * Upstream timeouts.
   * @default - connect 5s, read 60s, send 60s
   */
  readonly timeouts?: ProxyTimeouts;
  /**
   * More annotations (on F5: for the portal's minion). Snippets (`*-snippet(s)`) are
   * refused, and so are annotations the construct manages (set them through their typed
   * prop) and, on F5, those only the master may carry.
   * @default - none
   */
  readonly extraAnnotations?: Readonly<Record<string, string>>;
}

/** @internal The common props with their defaults, and the certificate bound. */
export interface ResolvedIngressCommon {
  readonly name: string;
  readonly ingressClassName: string;
  /** `https://<host>`. */
  readonly url: string;
  /** Labels of every object. */
  readonly labels: Readonly<Record<string, string>>;
  readonly tls: BoundTls;
  readonly proxyBufferSize: string;
  readonly proxyBodySize: string;
  readonly timeouts: Required<ProxyTimeouts>;
}

/**
 * @internal
 * What both flavours make of the common props: the defaults, and the certificate bound
 * for the host (which may create its issuer under `scope`). The buffer size follows the
 * gateway's session store unless given.
 */
export function resolveIngressCommon(
  scope: Construct,
  props: IngressCommonProps,
  sessionStore: { readonly proxyBufferSize: string },
): ResolvedIngressCommon {
  const name = props.name ?? 'backstage';
  const ingressClassName = props.ingressClassName ?? 'nginx';
  return {
    name,
    ingressClassName,
    url: `https://${props.host}`,
    labels: standardLabels('backstage', name, 'ingress'),
    tls: props.tls.bind({ scope, host: props.host, ingressClassName }),
    proxyBufferSize: props.proxyBufferSize ?? sessionStore.proxyBufferSize,
    proxyBodySize: props.proxyBodySize ?? '10m',
    timeouts: {
      connectSeconds: props.timeouts?.connectSeconds ?? 5,
      readSeconds: props.timeouts?.readSeconds ?? 60,
      sendSeconds: props.timeouts?.sendSeconds ?? 60,
    },
  };
}
