import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Aspects, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';

import { OidcIssuer } from '../access/oidc-issuer';
import { BackstageDatabase } from '../backstage/database';
import { CloudProfile } from '../cloud/cloud-profile';
import { PropsValidationError } from '../core/errors';
import { GatewayRef } from '../ingress/gateway-ref';
import { CertManager } from '../platform/cert-manager';
import { ChartSource, DEFAULT_CHARTS, type PinnedChart } from '../platform/chart-source';
import { ExternalSecretsOperator } from '../platform/external-secrets-operator';
import { IngressNginxController } from '../platform/ingress-nginx-controller';
import { Reloader } from '../platform/reloader';
import { Guardrails } from '../policy/guardrails';
import { BackstagePortal } from '../portal/backstage-portal';
import { ClusterSecretStore } from '../secrets/cluster-secret-store';
import { SecretRef } from '../secrets/secret-ref';
import { SecretStoreProvider } from '../secrets/secret-store-provider';
import { TlsSource } from '../tls/tls-source';
import { accessTeamsProps, orgSecretSources } from './access-teams';
import { applyBackend } from './backend';
import {
  EnvironmentData,
  parseEnvironment,
  parseSharedAccessPolicy,
  SecretSourceData,
  SharedAccessPolicy,
} from './environment';
import { machineClientsOf } from './machine-clients';

/** The stacks of one environment. */
export interface EnvironmentStacks {
  /** Operators (ingress-nginx, cert-manager, External Secrets, Reloader): `<name>-platform`. */
  readonly platform: TerraformStack;
  /** Custom resources and the portal: `<name>-portal`, deployed after the platform stack. */
  readonly portal: TerraformStack;
  /** The portal construct in the portal stack. */
  readonly portalConstruct: BackstagePortal;
  /** The cloud profile the environment runs with. */
  readonly cloud: CloudProfile;
}

function cloudProfile(env: EnvironmentData): CloudProfile {
  const cloud = env.cloud;
  switch (cloud.provider) {
    case 'generic':
      if (cloud.kubernetesSecrets) {
        const { remoteNamespace, serviceAccount, secretNames } = cloud.kubernetesSecrets;
        return CloudProfile.generic({
          secretStoreProvider: SecretStoreProvider.kubernetes({
            remoteNamespace,
            serviceAccount: { name: serviceAccount ?? 'external-secrets-reader', namespace: remoteNamespace },
            ...(secretNames ? { secretNames } : {}),
          }),
        });
      }
      return CloudProfile.generic(
        cloud.vault
          ? {
              secretStoreProvider: SecretStoreProvider.vault({
                server: cloud.vault.server,
                role: cloud.vault.role,
              }),
            }
          : {},
      );
    case 'eks': {
      const { provider, ...options } = cloud;
      void provider;
      return CloudProfile.eks(options);
    }
    case 'gke': {
      const { provider, ...options } = cloud;
      void provider;
      return CloudProfile.gke(options);
    }
    case 'aks': {
      const { provider, ...options } = cloud;
      void provider;
      return CloudProfile.aks(options);
    }
  }
}

function usesExternalSecrets(env: EnvironmentData, access: SharedAccessPolicy): boolean {
  const sources: SecretSourceData[] = [
    env.secrets.clientSecret,
    env.secrets.cookieSecret,
    ...orgSecretSources(access),
  ];
  if (env.database.type !== 'sqlite-in-memory') {
    sources.push(env.database.password);
  }
  if (env.database.type === 'external' && env.database.tls?.ca) {
    sources.push(env.database.tls.ca);
  }
  return sources.some((s) => 'externalSecret' in s);
}

function issuerOf(access: SharedAccessPolicy): OidcIssuer {
  const issuer = access.issuer;
  switch (issuer.type) {
    case 'okta':
      return OidcIssuer.okta({ domain: issuer.domain, authorizationServerId: issuer.authorizationServerId });
    case 'google':
      return OidcIssuer.google({ hostedDomain: issuer.hostedDomain });
    case 'entra-id':
      return OidcIssuer.entraId({ tenantId: issuer.tenantId });
    case 'keycloak':
      return OidcIssuer.keycloak({ url: issuer.url, realm: issuer.realm });
    case 'oidc':
      return OidcIssuer.generic({ issuerUrl: issuer.issuerUrl });
  }
}

/**
 * The `chart` prop of each operator from the environment's `chartMirror`: the pinned chart's
 * name and version from the mirror, with its login (a sensitive variable of the platform
 * stack). Without a mirror, no prop: the operators take their defaults.
 */
function chartMirror(platform: TerraformStack, env: EnvironmentData) {
  const mirror = env.chartMirror;
  if (mirror === undefined) {
    return (_pinned: PinnedChart): { chart?: ChartSource } => ({});
  }
  const login = mirror.login && {
    username: mirror.login.username,
    password: new TerraformVariable(platform, mirror.login.password.variable, {
      type: 'string',
      sensitive: true,
      description: `chart mirror password of environment ${env.name}`,
    }),
  };
  return (pinned: PinnedChart): { chart?: ChartSource } => ({
    chart:
      mirror.type === 'repository'
        ? ChartSource.repository(mirror.url, pinned.chart, pinned.version, {
            ...(login ? { login } : {}),
            ...(mirror.caFile !== undefined ? { caFile: mirror.caFile } : {}),
            ...(mirror.clientCertificate !== undefined
              ? { clientCertificate: mirror.clientCertificate }
              : {}),
          })
        : ChartSource.oci(`${mirror.url.replace(/\/+$/, '')}/${pinned.chart}`, pinned.version, {
            ...(login ? { login } : {}),
          }),
  });
}

/**
 * Turns one environment (plain data, checked by the environment schema) and the access
 * policy shared by all environments into its stacks:
 *
 * - `<name>-platform`: the providers and the operators, through Helm. It installs the
 *   CRDs the portal stack's custom resources need, which `kubernetes_manifest` reads at
 *   plan time: so it is a separate stack, deployed first.
 * - `<name>-portal`: the ClusterSecretStore of the cloud's secret manager (when a secret
 *   comes from it), the issuer and the whole portal. It depends on the platform stack,
 *   so `cdktf deploy <name>-platform <name>-portal` deploys both in order on an empty
 *   cluster (cdktf refuses `cdktf deploy <name>-portal` alone unless given
 *   `--ignore-missing-stack-dependencies`).
 *
 * Each stack keeps its state in the environment's backend.
 */
export function environmentStacks(
  scope: Construct,
  environment: EnvironmentData,
  accessPolicy: SharedAccessPolicy,
): EnvironmentStacks {
  const env = parseEnvironment(
    environment,
    `environment ${String((environment as { name?: unknown }).name ?? '')}`.trim(),
  );
  if (scope.node.tryFindChild(`${env.name}-platform`) || scope.node.tryFindChild(`${env.name}-portal`)) {
    throw new PropsValidationError([
      `[environment ${env.name}] name: is the name of another environment of this app, got "${env.name}". Give each environment its own name (its stacks are <name>-platform and <name>-portal).`,
    ]);
  }
  const access = parseSharedAccessPolicy(accessPolicy);
  const cloud = cloudProfile(env);
  const namespace = env.namespace ?? 'backstage';
  const exposure = env.exposure ?? 'public';
  const externalSecrets = usesExternalSecrets(env, access);
  const kubeconfig = {
    configPath: env.kubernetes.configPath ?? '~/.kube/config',
    configContext: env.kubernetes.context,
  };

  // --- platform ------------------------------------------------------------------------
  const platform = new TerraformStack(scope, `${env.name}-platform`);
  applyBackend(platform, env.backend);
  new KubernetesProvider(platform, 'kubernetes', kubeconfig);
  new HelmProvider(platform, 'helm', { kubernetes: kubeconfig });
  const chart = chartMirror(platform, env);
  const gatewayApi = env.ingressFlavour === 'gateway-api';
  // With metrics.serviceMonitor, the operators' charts render theirs with the same labels and interval.
  const operatorMonitor = env.metrics?.serviceMonitor ? { serviceMonitor: env.metrics.serviceMonitor } : {};
  // ingress-nginx stays installed while a switch to the Gateway API is under way.
  const controller =
    !gatewayApi || env.gatewayApi?.keepIngressNginx
      ? new IngressNginxController(platform, 'IngressNginx', {
          service: { annotations: cloud.loadBalancerAnnotations(exposure) },
          replicas: env.ingressController?.replicas ?? (env.production ? 2 : 1),
          ...chart(DEFAULT_CHARTS.ingressNginx),
          ...(env.ingressController?.config ? { extraConfig: env.ingressController.config } : {}),
          ...operatorMonitor,
        })
      : undefined;
  new CertManager(platform, 'CertManager', {
    serviceAccountAnnotations: cloud.certManagerServiceAccountAnnotations,
    podLabels: cloud.certManagerPodLabels,
    // The gateway-shim and the HTTPRoute HTTP-01 solver; the Gateway API CRDs must be in the cluster.
    ...(gatewayApi ? { gatewayApi: true } : {}),
    ...chart(DEFAULT_CHARTS.certManager),
    ...operatorMonitor,
  });
  if (externalSecrets) {
    new ExternalSecretsOperator(platform, 'ExternalSecrets', {
      serviceAccountAnnotations: cloud.externalSecretsServiceAccountAnnotations,
      podLabels: cloud.externalSecretsPodLabels,
      ...chart(DEFAULT_CHARTS.externalSecrets),
      ...operatorMonitor,
    });
  }
  new Reloader(platform, 'Reloader', { ...chart(DEFAULT_CHARTS.reloader) });

  // --- portal --------------------------------------------------------------------------
  const portal = new TerraformStack(scope, `${env.name}-portal`);
  applyBackend(portal, env.backend);
  new KubernetesProvider(portal, 'kubernetes', kubeconfig);
  portal.addDependency(platform);

  let store: ClusterSecretStore | undefined;
  if (externalSecrets) {
    store = cloud.secretStore(portal, 'SecretStore', { namespaces: [namespace] });
    if (!store) {
      throw new PropsValidationError([
        `[environment ${env.name}] secrets: come from a secret manager, but the ${cloud.cloud} cloud profile has none. Configure one (aks: keyVaultUrl, generic: vault or kubernetesSecrets) or use {variable} / {secret} sources.`,
      ]);
    }
  }
  const variables = new Map<string, TerraformVariable>();
  const secretRef = (source: SecretSourceData): SecretRef => {
    if ('variable' in source) {
      let variable = variables.get(source.variable);
      if (!variable) {
        variable = new TerraformVariable(portal, source.variable, {
          type: 'string',
          sensitive: true,
          description: `secret of environment ${env.name}`,
        });
        variables.set(source.variable, variable);
      }
      return SecretRef.fromVariable(variable);
    }
    if ('secret' in source) {
      return SecretRef.fromSecret(source.secret.name, source.secret.key);
    }
    return SecretRef.fromExternalSecret({
      store: store!.reference,
      remoteKey: source.externalSecret.remoteKey,
      ...(source.externalSecret.property ? { property: source.externalSecret.property } : {}),
      ...(source.externalSecret.refreshInterval
        ? { refreshInterval: source.externalSecret.refreshInterval }
        : {}),
    });
  };

  const database =
    env.database.type === 'in-cluster'
      ? BackstageDatabase.inCluster({
          password: secretRef(env.database.password),
          ...(env.database.storageSize ? { storageSize: env.database.storageSize } : {}),
        })
      : env.database.type === 'external'
        ? BackstageDatabase.external({
            host: env.database.host,
            user: env.database.user,
            password: secretRef(env.database.password),
            ...(env.database.port ? { port: env.database.port } : {}),
            ...(env.database.tls
              ? {
                  tls: {
                    ...(env.database.tls.mode ? { mode: env.database.tls.mode } : {}),
                    ...(env.database.tls.ca ? { ca: secretRef(env.database.tls.ca) } : {}),
                  },
                }
              : {}),
          })
        : BackstageDatabase.sqliteInMemory();

  let tls: TlsSource;
  if (env.tls.type === 'acme') {
    // HTTP-01 needs the host reachable from the internet; an internal portal proves
    // ownership through the cloud's DNS instead.
    const solver = exposure === 'internal' ? cloud.dns01Solver() : undefined;
    tls = solver
      ? TlsSource.acmeDns01({ email: env.tls.email, solver, server: env.tls.server })
      : TlsSource.acme({ email: env.tls.email, server: env.tls.server });
  } else if (env.tls.type === 'secret') {
    tls = TlsSource.fromSecret(env.tls.secretName);
  } else {
    tls = TlsSource.selfSigned();
  }

  const frontDoor = gatewayApi
    ? gatewayApiFrontDoor(env, cloud, exposure, controller)
    : ingressNginxFrontDoor(env, controller!);

  const { org, rbac } = accessTeamsProps(access, secretRef);
  const machineClients = machineClientsOf([...(access.machineClients ?? []), ...(env.machineClients ?? [])]);

  const metrics = env.metrics && {
    scraper: {
      namespaceLabels: { 'kubernetes.io/metadata.name': env.metrics.scraper.namespace },
      ...(env.metrics.scraper.podLabels ? { podLabels: env.metrics.scraper.podLabels } : {}),
    },
    ...(env.metrics.serviceMonitor ? { serviceMonitor: env.metrics.serviceMonitor } : {}),
  };
  const backstageMetrics = metrics && env.metrics?.backstage && { ...metrics, ...env.metrics.backstage };

  const portalConstruct = new BackstagePortal(portal, 'portal', {
    ...frontDoor,
    host: env.host,
    image: env.image,
    namespace,
    database,
    issuer: issuerOf(access),
    clientId: access.clientId,
    clientSecret: secretRef(env.secrets.clientSecret),
    cookieSecret: secretRef(env.secrets.cookieSecret),
    access: {
      ...(access.emailDomains?.length ? { emailDomains: access.emailDomains } : {}),
      ...(access.groups?.length ? { groups: access.groups } : {}),
    },
    ...(machineClients.length > 0 ? { machineClients } : {}),
    ...(env.machineHost !== undefined ? { machineHost: env.machineHost } : {}),
    ...(env.trustedCa !== undefined ? { trustedCa: env.trustedCa } : {}),
    tls,
    backstage: {
      ...(env.autoscaling
        ? { autoscaling: env.autoscaling }
        : { replicas: env.replicas ?? (env.production ? 2 : 1) }),
      ...(env.appConfig ? { appConfig: env.appConfig } : {}),
      ...(org ? { org } : {}),
      ...(rbac ? { rbac } : {}),
      ...(backstageMetrics ? { metrics: backstageMetrics } : {}),
    },
    gateway: { replicas: env.production ? 2 : 1, ...(metrics ? { metrics } : {}) },
  });

  // Both stacks are checked as a whole before anything is written (and a report of the
  // checks, mapped to SOC 2 and ISO 27001, is written next to each stack).
  for (const stack of [platform, portal]) {
    Aspects.of(stack).add(new Guardrails({ environment: env.production ? 'production' : 'non-production' }));
  }

  return { platform, portal, portalConstruct, cloud };
}

/** The front-door props of the ingress-nginx flavour. */
function ingressNginxFrontDoor(env: EnvironmentData, controller: IngressNginxController) {
  return {
    ingressFlavour: 'ingress-nginx' as const,
    // Only the controller installed by the platform stack may reach Backstage and the gateway.
    ingressController: controller.peer,
    ingress: {
      ...(env.allowSourceRanges?.length ? { allowSourceRanges: env.allowSourceRanges } : {}),
      ...(env.rateLimit ? { rateLimit: env.rateLimit } : {}),
    },
  };
}

/**
 * The front-door props of the Gateway API flavour: a Gateway of the cloud's GatewayClass
 * (or the environment's), oauth2-proxy admitting its data plane (the Gateway's own pods,
 * the environment's, and the networks the cloud's proxies connect from), and during a
 * switch the ingress-nginx Ingresses beside it.
 */
function gatewayApiFrontDoor(
  env: EnvironmentData,
  cloud: CloudProfile,
  exposure: 'public' | 'internal',
  controller: IngressNginxController | undefined,
) {
  const settings = env.gatewayApi ?? {};
  const known = cloud.gatewayApi(exposure);
  // The schema makes sure one of the two is there.
  const gatewayClassName = settings.gatewayClassName ?? known!.gatewayClassName;
  const ranges = [...(known?.dataPlaneSourceRanges ?? []), ...(settings.dataPlaneSourceRanges ?? [])];
  return {
    ingressFlavour: 'gateway-api' as const,
    ...(settings.dataPlane
      ? {
          ingressController: {
            namespaceLabels: { 'kubernetes.io/metadata.name': settings.dataPlane.namespace },
            ...(settings.dataPlane.podLabels ? { podLabels: settings.dataPlane.podLabels } : {}),
          },
        }
      : {}),
    ingress: {
      gateway: GatewayRef.create({
        gatewayClassName,
        ...(settings.annotations ? { annotations: settings.annotations } : {}),
      }),
      ...(ranges.length > 0 ? { dataPlaneSourceRanges: ranges } : {}),
      ...(settings.machineChallenge !== undefined ? { machineChallenge: settings.machineChallenge } : {}),
      ...(settings.envoyGateway
        ? {
            envoyGateway: {
              ...settings.envoyGateway,
              ...(env.allowSourceRanges?.length ? { allowSourceRanges: env.allowSourceRanges } : {}),
            },
          }
        : {}),
    },
    ...(settings.keepIngressNginx && controller
      ? { migrateFromIngressNginx: { ingressController: controller.peer } }
      : {}),
  };
}
