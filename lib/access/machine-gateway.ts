import { Construct } from 'constructs';

import { contentHash } from '../core/hash';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { selectorLabels, standardLabels } from '../core/labels';
import { metricsPodAnnotations, MetricsScraping, workloadServiceMonitor } from '../core/metrics-scraping';
import { PeerSelector } from '../core/network';
import { restrictedPodSecurityContext } from '../core/pod-security';
import { ContainerResources } from '../core/resources';
import { TrustedCaBundle, trustedCaWiring } from '../core/trusted-ca';
import {
  reloaderWiring,
  spreadAcrossNodes,
  workloadDisruptionBudget,
  workloadMetadata,
  workloadNetworkPolicy,
  workloadService,
} from '../core/workload';
import { escapeTerraformTemplate, toYaml } from '../core/yaml';
import { OAUTH2_PROXY_METRICS_PATH } from './gateway-config';
import type { JwtMachineClientOptions } from './machine-client';
import {
  MACHINE_ENTRY_METRICS_PORT,
  MACHINE_ENTRY_PORT,
  MACHINE_ENTRY_UNUSED_SECRET_KEY,
  machineEntryAlphaConfig,
  machineEntryArgs,
  machineEntryNames,
  type MachineEntryUpstream,
} from './machine-entry';
import { OAUTH2_PROXY_TRUSTED_CA_DIR, oauth2ProxyContainerCommon } from './oauth2-proxy-container';

/** @internal What {@link MachineGateway} is built from: the validated gateway props it needs. */
export interface MachineGatewayProps {
  readonly gatewayName: string;
  readonly namespace: string;
  readonly host: string;
  readonly peopleCookieName: string;
  readonly clients: readonly JwtMachineClientOptions[];
  /** The people's cookie secret, reused: oauth2-proxy needs one though this entry sets no cookie anyone reads. */
  readonly cookieSecret: { readonly secretName: string; readonly key: string };
  readonly image: string;
  readonly replicas: number;
  readonly resources?: ContainerResources;
  /** Who may call it: the people's gateway's peers (the ingress controller or the data plane). */
  readonly peers: readonly PeerSelector[];
  /** Networks of a data plane outside the cluster, admitted as the people's gateway admits them. */
  readonly dataPlaneSourceRanges: readonly string[];
  /** The people's gateway's `trustedCa`: the machine issuers' discovery and JWKS need it as much. */
  readonly trustedCa?: TrustedCaBundle;
  /**
   * In the request path (F5 and Gateway API flavours): it proxies admitted requests to
   * Backstage. Without it, auth-only: ingress-nginx asks it (`auth-url`) and proxies itself.
   */
  readonly upstream?: MachineEntryUpstream;
  /** The people's gateway's `metrics`: this entry's metrics are opened to the same scraper. */
  readonly metrics?: MetricsScraping;
}

/**
 * The machine entry of an {@link OidcGateway} (its `machineHost`): an oauth2-proxy of its own
 * that admits only the machine clients' JWTs, by issuer, audience and subject, and answers
 * 401/403 (never a sign-in page) to anything else. See machine-entry.ts for why.
 */
export class MachineGateway extends Construct {
  /** Name of its Deployment and Service. */
  public readonly serviceName: string;
  /** In-cluster URL of its auth endpoint, for the machine host's Ingress `auth-url`. */
  public readonly authUrl: string;
  /** The public host machines call. */
  public readonly host: string;
  public readonly port = MACHINE_ENTRY_PORT;
  /** Labels selecting its pods (in the request path, Backstage admits them as a peer). */
  public readonly podSelector: Readonly<Record<string, string>>;
  /** It proxies to Backstage itself (`upstream`), rather than answering auth subrequests. */
  public readonly inRequestPath: boolean;
  public readonly args: readonly string[];
  public readonly alphaConfig: string;
  public readonly deployment: KubernetesResource;
  public readonly service: KubernetesResource;
  public readonly configMap: KubernetesResource;
  public readonly networkPolicy: KubernetesResource;
  public readonly podDisruptionBudget: KubernetesResource;
  /** The Prometheus Operator ServiceMonitor, with the gateway's `metrics.serviceMonitor`. */
  public readonly serviceMonitor?: KubernetesResource;

  /** @internal OidcGateway makes it (its `machineHost` prop); its props are OidcGateway's. */
  constructor(scope: Construct, id: string, props: MachineGatewayProps) {
    super(scope, id);
    const names = machineEntryNames(props.gatewayName, props.namespace, props.peopleCookieName);
    const { name } = names;
    this.serviceName = name;
    this.authUrl = names.authUrl;
    this.host = props.host;
    this.inRequestPath = props.upstream !== undefined;
    this.alphaConfig = toYaml(machineEntryAlphaConfig(props.clients, props.upstream));
    const args = machineEntryArgs(props.clients, names, props.host, this.inRequestPath);
    this.args = args;
    const labels = standardLabels('oauth2-proxy', name, 'machine-gateway');
    const selector = selectorLabels('oauth2-proxy', name);
    this.podSelector = selector;
    this.configMap = kubernetesResource(this, 'Config', 'kubernetes_config_map_v1', {
      metadata: { name: `${name}-config`, namespace: props.namespace, labels },
      data: {
        'alpha-config.yaml': escapeTerraformTemplate(this.alphaConfig),
        [MACHINE_ENTRY_UNUSED_SECRET_KEY]: 'unused: the machine entry never redeems an authorization code',
      },
    });
    const workload = { scope: this, name, namespace: props.namespace, labels, selector };
    const trust = trustedCaWiring(props.trustedCa, OAUTH2_PROXY_TRUSTED_CA_DIR, 'SSL_CERT_DIR');
    // The CA bundle restarts it; its only Secret, the cookie secret, seals no session here
    // (machines bring a token with every call).
    const reloader = reloaderWiring([], trust.configMaps);
    const metrics = props.metrics && {
      scraping: props.metrics,
      endpoint: { port: MACHINE_ENTRY_METRICS_PORT, path: OAUTH2_PROXY_METRICS_PATH },
    };
    this.deployment = kubernetesResource(this, 'Deployment', 'kubernetes_deployment_v1', {
      metadata: workloadMetadata(workload, reloader.annotations),
      spec: {
        replicas: String(props.replicas),
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: '0' } },
        template: {
          metadata: {
            labels,
            annotations: {
              'checksum/config': contentHash(this.alphaConfig + args.join('\n')),
              ...(metrics ? metricsPodAnnotations(metrics.endpoint) : {}),
            },
          },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(65532),
            container: [
              {
                name: 'oauth2-proxy',
                image: props.image,
                args,
                env: [
                  {
                    name: 'OAUTH2_PROXY_COOKIE_SECRET',
                    valueFrom: {
                      secretKeyRef: { name: props.cookieSecret.secretName, key: props.cookieSecret.key },
                    },
                  },
                  ...trust.env,
                ],
                ...oauth2ProxyContainerCommon(
                  MACHINE_ENTRY_PORT,
                  MACHINE_ENTRY_METRICS_PORT,
                  props.resources,
                ),
                volumeMount: [
                  { name: 'config', mountPath: '/etc/oauth2-proxy', readOnly: true },
                  ...trust.volumeMounts,
                ],
              },
            ],
            volume: [{ name: 'config', configMap: { name: this.configMap.metadataName } }, ...trust.volumes],
            topologySpreadConstraint: spreadAcrossNodes(selector),
          },
        },
      },
      ...(reloader.ignoreChanges.length > 0 ? { lifecycle: { ignoreChanges: reloader.ignoreChanges } } : {}),
    });
    this.service = workloadService(workload, MACHINE_ENTRY_PORT, metrics);
    this.podDisruptionBudget = workloadDisruptionBudget(workload);
    this.networkPolicy = workloadNetworkPolicy(
      workload,
      props.peers,
      MACHINE_ENTRY_PORT,
      props.dataPlaneSourceRanges,
      metrics,
    );
    this.serviceMonitor = workloadServiceMonitor(workload, metrics);
  }
}
