// The public API of cdktf-backstage. Everything a user imports is re-exported here by
// name; zod never appears in a public type.

export type {
  GeneratedAppConfigInput,
  SignInOptions,
  SignInResolver,
  StaticTokenEnv,
} from './backstage/app-config';
export { generatedAppConfig, mergeAppConfig, SIGN_IN_RESOLVERS } from './backstage/app-config';
export type { BackstageAutoscaling, BackstageMetrics, BackstageProps } from './backstage/backstage';
export { Backstage, RBAC_BACKEND_PACKAGE } from './backstage/backstage';
export type {
  BoundDatabase,
  DatabaseBindingContext,
  DatabaseTls,
  ExternalDatabaseOptions,
  InClusterDatabaseOptions,
} from './backstage/database';
export { BackstageDatabase } from './backstage/database';
export type { InClusterPostgresProps } from './backstage/in-cluster-postgres';
export { InClusterPostgres } from './backstage/in-cluster-postgres';
export type { McpActionsOptions } from './backstage/mcp-actions';
export {
  MCP_ACTIONS_BACKEND_PACKAGE,
  MCP_ACTIONS_PATH,
  MCP_ACTIONS_PLUGIN_ID,
} from './backstage/mcp-actions';
export type {
  BackstagePortalCommonProps,
  BackstagePortalProps,
  F5NginxPortalProps,
  F5PortalIngressOptions,
  GatewayApiPortalIngressOptions,
  GatewayApiPortalProps,
  IngressNginxMigration,
  IngressNginxPortalProps,
  PortalAccessPolicy,
  PortalBackstageOptions,
  PortalGatewayOptions,
  PortalIngressOptions,
} from './portal/backstage-portal';
export { BackstagePortal } from './portal/backstage-portal';

// Org sources (users and groups) and RBAC.
export type { IdentityHeader } from './access/header-contract';
export {
  IDENTITY_HEADERS,
  identityHeaderNames,
  ingressAuthResponseHeaders,
  oauth2ProxyInjectResponseHeaders,
} from './access/header-contract';
export type {
  MachineAgentEnvVar,
  MachineAgentProps,
  MachineAgentTokenProjection,
  MachineAgentTokenVolume,
  MachineAgentVolumeMount,
} from './access/machine-agent';
export { MachineAgent } from './access/machine-agent';
export type {
  AccessRestriction,
  JwtMachineClientOptions,
  StaticTokenMachineClientOptions,
} from './access/machine-client';
export { MachineClient } from './access/machine-client';
export { MachineGateway } from './access/machine-gateway';
export type {
  AccessPolicy,
  CookieOptions,
  GatewayHstsOptions,
  OidcGatewayProps,
} from './access/oidc-gateway';
export { OidcGateway } from './access/oidc-gateway';
export type {
  EntraIdIssuerOptions,
  GenericIssuerOptions,
  GoogleIssuerOptions,
  IssuerCommonOptions,
  KeycloakIssuerOptions,
  OidcIssuerSettings,
  OktaIssuerOptions,
} from './access/oidc-issuer';
export { OidcIssuer } from './access/oidc-issuer';
export type { RedisSessionStoreOptions } from './access/session-store';
export { SessionStore } from './access/session-store';
export type { EntraIdOrgOptions } from './catalog/entra-id-org';
export type { GithubOrgOptions } from './catalog/github-org';
export type { KeycloakOrgOptions } from './catalog/keycloak-org';
export type { LdapOrgOptions, LdapSearch } from './catalog/ldap-org';
export type { OktaOrgOptions } from './catalog/okta-org';
export type { OrgSourceKind } from './catalog/org-source';
export { OrgSource } from './catalog/org-source';
export type { OrgModule } from './catalog/org-source-data';
export type { StaticOrgOptions, StaticOrgSubteams, StaticOrgUser } from './catalog/static-org';
export { STATIC_ORG_FILE, STATIC_ORG_MOUNT_PATH, staticOrgCatalog } from './catalog/static-org';
export type { OrgSyncSchedule } from './catalog/sync-schedule';
export type { TeamOptions } from './catalog/team';
export { Team } from './catalog/team';
export type {
  AksOptionsWithDns,
  AksOptionsWithSecretStore,
  AksProfileOptions,
  AzureDnsZone,
} from './cloud/aks-profile';
export type {
  CloudKind,
  CloudProfileCapabilities,
  CloudSecretStoreOptions,
  CompleteCapabilities,
  CompleteCloudProfile,
  ProvidedIf,
} from './cloud/cloud-profile';
export { CloudProfile } from './cloud/cloud-profile';
export type { EksProfileOptions } from './cloud/eks-profile';
export type { GatewayApiProfile } from './cloud/gateway-classes';
export type { GenericProfileOptions } from './cloud/generic-profile';
export type { GkeProfileOptions } from './cloud/gke-profile';
export type {
  CloudProfileCommonOptions,
  LoadBalancerVisibility,
  OperatorServiceAccount,
  PodIdentityAssociation,
} from './cloud/profile-common';
export { DEFAULT_IMAGES, OAUTH2_PROXY_VERSION } from './core/defaults';
export type { ValidationProblem } from './core/errors';
export { PropsValidationError } from './core/errors';
export type { KubernetesResourceMeta } from './core/kubernetes-resource';
export { KubernetesResource } from './core/kubernetes-resource';
export type { MetricsScraping, ServiceMonitorOptions } from './core/metrics-scraping';
export type { PeerSelector } from './core/network';
export { INGRESS_NGINX_CONTROLLER } from './core/network';
export type { ContainerResources } from './core/resources';
export type { TrustedCaBundle } from './core/trusted-ca';
export type {
  AccessTeamsData,
  OrgData,
  RbacConditionData,
  RbacData,
  RbacMembersData,
  RbacRoleData,
  TeamData,
} from './environments/access-teams';
export { applyBackend } from './environments/backend';
export type {
  BackendData,
  CloudData,
  EnvironmentData,
  SecretSourceData,
  SharedAccessPolicy,
} from './environments/environment';
export {
  environmentJsonSchema,
  loadEnvironmentFile,
  parseEnvironment,
  parseSharedAccessPolicy,
} from './environments/environment';
export type { EnvironmentStacks } from './environments/environment-stacks';
export { environmentStacks } from './environments/environment-stacks';
export type { MachineClientData } from './environments/machine-clients';
export { INGRESS_NGINX_PREFIX, isSnippetAnnotation } from './ingress/annotations';
export type { EnvoyAccessLogOptions } from './ingress/envoy-access-log';
export type {
  EnvoyGatewayOptions,
  EnvoyRateLimit,
  EnvoyTrafficPolicies,
} from './ingress/envoy-gateway-policies';
export type {
  F5AuthGateway,
  F5HstsOptions,
  F5IdentityUpstream,
  F5NginxIngressProps,
  F5RateLimit,
} from './ingress/f5-nginx-ingress';
export { F5NginxIngress } from './ingress/f5-nginx-ingress';
export type {
  GatewayApiAuthProxy,
  GatewayApiIdentityUpstream,
  GatewayApiIngressProps,
} from './ingress/gateway-api-ingress';
export { GatewayApiIngress } from './ingress/gateway-api-ingress';
export type {
  CreatedGatewayOptions,
  ExistingGatewayOptions,
  GatewayInfrastructure,
} from './ingress/gateway-ref';
export { GATEWAY_LISTENERS, GatewayRef } from './ingress/gateway-ref';
export type { IngressCommonProps, ProxyTimeouts } from './ingress/ingress-props';
export type { InPathMachineEntry } from './ingress/machine-entry-route';
export type { CorsOptions, IngressAuthGateway, NginxIngressProps, RateLimit } from './ingress/nginx-ingress';
export { NginxIngress } from './ingress/nginx-ingress';
export type { IngressNginxAccessLogOptions } from './platform/access-log';
export { ingressNginxAccessLogFormat } from './platform/access-log';
export type { CertManagerProps, CertManagerValues } from './platform/cert-manager';
export { CertManager } from './platform/cert-manager';
export type {
  ChartClientCertificate,
  ChartLogin,
  ChartRegistryOptions,
  ChartRepositoryOptions,
  HelmChartLocation,
  PinnedChart,
} from './platform/chart-source';
export { CHART_DIRECTORY_CONTEXT, ChartSource, DEFAULT_CHARTS } from './platform/chart-source';
export type {
  ExternalSecretsOperatorProps,
  ExternalSecretsOperatorValues,
} from './platform/external-secrets-operator';
export { ExternalSecretsOperator } from './platform/external-secrets-operator';
export type {
  IngressNginxControllerProps,
  IngressNginxGzipOptions,
  IngressNginxHstsOptions,
  IngressNginxServiceOptions,
  IngressNginxValues,
} from './platform/ingress-nginx-controller';
export { DEFAULT_GZIP_TYPES, IngressNginxController } from './platform/ingress-nginx-controller';
export type { HelmOperatorProps } from './platform/operator-release';
export { HelmOperator } from './platform/operator-release';
export type { ReloaderProps, ReloaderValues } from './platform/reloader';
export { Reloader } from './platform/reloader';
export type { GuardrailCheck, GuardrailFinding } from './policy/check-definition';
export type { GuardrailCheckId } from './policy/checks';
export { GUARDRAIL_CHECKS } from './policy/checks';
export { ISO27001_CONTROLS, SOC2_CRITERIA } from './policy/controls';
export type { GuardrailExemption, GuardrailsProps } from './policy/guardrails';
export { Guardrails } from './policy/guardrails';
export type { CheckResult, GuardrailsReport, ReportedFinding } from './policy/report';
export type { ExtraPermission, KnownPermission } from './rbac/permissions';
export { KNOWN_PERMISSIONS, POLICY_ADMIN_PERMISSIONS } from './rbac/permissions';
export type { RbacConditionJson } from './rbac/rbac-condition';
export { RbacCondition } from './rbac/rbac-condition';
export type { RbacOptions, RenderedRbac } from './rbac/rbac-policy';
export { RBAC_CONDITIONS_FILE, RBAC_MOUNT_PATH, RBAC_POLICY_FILE } from './rbac/rbac-policy';
export type { ConditionalGrant, RbacMember, RbacRoleOptions } from './rbac/rbac-role';
export { RbacRole } from './rbac/rbac-role';
export type { ClusterSecretStoreProps } from './secrets/cluster-secret-store';
export { ClusterSecretStore } from './secrets/cluster-secret-store';
export type {
  ExternalSecretData,
  ExternalSecretProps,
  SecretStoreReference,
} from './secrets/external-secret';
export { ExternalSecret } from './secrets/external-secret';
export type {
  BoundSecret,
  ExternalSecretOptions,
  SecretBindingContext,
  VariableSecretOptions,
} from './secrets/secret-ref';
export { SecretRef } from './secrets/secret-ref';
export type { SecretStoreProps } from './secrets/secret-store';
export { SecretStore } from './secrets/secret-store';
export type {
  AwsSecretsManagerStoreOptions,
  AzureKeyVaultStoreOptions,
  GcpSecretManagerStoreOptions,
  KubernetesStoreOptions,
  SecretStoreProviderKey,
  StoreCaProvider,
  StoreServiceAccount,
  VaultCaProvider,
  VaultStoreOptions,
} from './secrets/secret-store-provider';
export { SecretStoreProvider } from './secrets/secret-store-provider';
export { acmeDns01 } from './tls/acme-dns01-tls-source';
export type { ClusterIssuerProps } from './tls/cluster-issuer';
export { ClusterIssuer } from './tls/cluster-issuer';
export type {
  AzureDnsSolverOptions,
  BoundDns01Solver,
  CloudDnsSolverOptions,
  CloudflareSolverOptions,
  Dns01BindingContext,
  Dns01Provider,
  Dns01SolverCommonOptions,
  Route53SolverOptions,
} from './tls/dns01-solver';
export { Dns01Solver } from './tls/dns01-solver';
export type {
  AcmeDns01Options,
  AcmeOptions,
  BoundTls,
  Http01Gateway,
  TlsBindingContext,
} from './tls/tls-source';
export { ACME_DIRECTORIES, TlsSource } from './tls/tls-source';
