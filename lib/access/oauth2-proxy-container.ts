import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';
import { ContainerResources } from '../core/resources';
import { resourcesWithDefaults, spreadAcrossNodes, workloadHttpProbe } from '../core/workload';

/** @internal Where both oauth2-proxy Deployments mount their `trustedCa` (named by SSL_CERT_DIR). */
export const OAUTH2_PROXY_TRUSTED_CA_DIR = '/etc/oauth2-proxy-trusted-ca';

/** The uid of the distroless oauth2-proxy image's nonroot user. */
const OAUTH2_PROXY_UID = 65532;

/**
 * @internal
 * What every oauth2-proxy container this library runs shares (the people's gateway and the
 * machine entry): its two ports, probes on oauth2-proxy's own `/ready` and `/ping`, default
 * resources and the restricted security context.
 */
export function oauth2ProxyContainerCommon(
  httpPort: number,
  metricsPort: number,
  resources: ContainerResources | undefined,
) {
  return {
    port: [
      { name: 'http', containerPort: httpPort, protocol: 'TCP' },
      { name: 'metrics', containerPort: metricsPort, protocol: 'TCP' },
    ],
    readinessProbe: workloadHttpProbe('/ready', { periodSeconds: 10, timeoutSeconds: 3 }),
    livenessProbe: workloadHttpProbe('/ping', { periodSeconds: 20, timeoutSeconds: 3 }),
    resources: resourcesWithDefaults(resources, {
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '500m', memory: '128Mi' },
    }),
    securityContext: restrictedContainerSecurityContext(OAUTH2_PROXY_UID),
  };
}

/**
 * @internal
 * The pod of an oauth2-proxy Deployment: no ServiceAccount token and no service links (it
 * talks to the IdP and Redis only), the restricted pod security context of the image's
 * nonroot user, the one `oauth2-proxy` container and its volumes, spread across nodes.
 */
export function oauth2ProxyPodSpec<C extends object, V>(
  selector: Readonly<Record<string, string>>,
  container: C,
  volume: V,
) {
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: restrictedPodSecurityContext(OAUTH2_PROXY_UID),
    container: [{ name: 'oauth2-proxy', ...container }],
    volume,
    topologySpreadConstraint: spreadAcrossNodes(selector),
  };
}
