import { restrictedContainerSecurityContext } from '../core/pod-security';
import { ContainerResources } from '../core/resources';
import { resourcesWithDefaults } from '../core/workload';

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
    readinessProbe: {
      httpGet: { path: '/ready', port: 'http' },
      periodSeconds: 10,
      timeoutSeconds: 3,
    },
    livenessProbe: {
      httpGet: { path: '/ping', port: 'http' },
      periodSeconds: 20,
      timeoutSeconds: 3,
    },
    resources: resourcesWithDefaults(resources, {
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '500m', memory: '128Mi' },
    }),
    securityContext: restrictedContainerSecurityContext(OAUTH2_PROXY_UID),
  };
}
