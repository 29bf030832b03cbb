// The public API of cdktf-backstage. Everything a user imports is re-exported here by
// name; zod never appears in a public type.

export { BackstagePortal } from './portal/backstage-portal';
export type {
  BackstagePortalCommonProps,
  PortalAccessPolicy,
  BackstagePortalProps,
  F5NginxPortalProps,
  F5PortalIngressOptions,
  GatewayApiPortalIngressOptions,
  GatewayApiPortalProps,
  IngressNginxMigration,
  IngressNginxPortalProps,
  PortalBackstageOptions,
  PortalGatewayOptions,
  PortalIngressOptions,
} from './portal/backstage-portal';

export { Backstage, RBAC_BACKEND_PACKAGE } from './backstage/backstage';
export type { BackstageProps, BackstageAutoscaling } from './backstage/backstage';
export { BackstageDatabase } from './backstage/database';
export type { ExternalDatabaseOptions, InClusterDatabaseOptions, DatabaseTls, BoundDatabase, DatabaseBindingContext } from './backstage/database';
export { InClusterPostgres } from './backstage/in-cluster-postgres';
export type { InClusterPostgresProps } from './backstage/in-cluster-postgres';
export { SIGN_IN_RESOLVERS, generatedAppConfig, mergeAppConfig } from './backstage/app-config';
export type { SignInResolver, SignInOptions, GeneratedAppConfigInput, StaticTokenEnv } from './backstage/app-config';

// Org sources (users and groups) and RBAC.
export { Team } from './catalog/team';
export type { TeamOptions } from './catalog/team';
export { OrgSource } from './catalog/org-source';
export type { OrgSourceKind } from './catalog/org-source';
export type { OrgModule } from './catalog/org-source-data';
export type { OrgSyncSchedule } from './catalog/sync-schedule';
export type { EntraIdOrgOptions } from './catalog/entra-id-org';
export type { OktaOrgOptions } from './catalog/okta-org';
export type { KeycloakOrgOptions } from './catalog/keycloak-org';
export type { LdapOrgOptions, LdapSearch } from './catalog/ldap-org';
export type { GithubOrgOptions } from './catalog/github-org';
export { STATIC_ORG_FILE, STATIC_ORG_MOUNT_PATH, staticOrgCatalog } from './catalog/static-org';
export type { StaticOrgOptions, StaticOrgUser } from './catalog/static-org';
export { RbacRole } from './rbac/rbac-role';
export type { RbacRoleOptions, RbacMember, ConditionalGrant } from './rbac/rbac-role';
export { RbacCondition } from './rbac/rbac-condition';
export type { RbacConditionJson } from './rbac/rbac-condition';
export { RBAC_CONDITIONS_FILE, RBAC_MOUNT_PATH, RBAC_POLICY_FILE } from './rbac/rbac-policy';
export type { RbacOptions, RenderedRbac } from './rbac/rbac-policy';
export { KNOWN_PERMISSIONS, POLICY_ADMIN_PERMISSIONS } from './rbac/permissions';
export type { KnownPermission, ExtraPermission } from './rbac/permissions';

export { OidcGateway } from './access/oidc-gateway';
export { DEFAULT_IMAGES, OAUTH2_PROXY_VERSION } from './core/defaults';
export type { OidcGatewayProps, AccessPolicy, CookieOptions, GatewayHstsOptions } from './access/oidc-gateway';
export { OidcIssuer } from './access/oidc-issuer';
export type {
  OidcIssuerSettings,
  OktaIssuerOptions,
  GoogleIssuerOptions,
  EntraIdIssuerOptions,
  KeycloakIssuerOptions,
  GenericIssuerOptions,
  IssuerCommonOptions,
} from './access/oidc-issuer';
export { MachineClient } from './access/machine-client';
export type { JwtMachineClientOptions, StaticTokenMachineClientOptions, AccessRestriction } from './access/machine-client';
export { SessionStore } from './access/session-store';
export type { RedisSessionStoreOptions } from './access/session-store';
export {
  IDENTITY_HEADERS,
  identityHeaderNames,
  oauth2ProxyInjectResponseHeaders,
  ingressAuthResponseHeaders,
} from './access/header-contract';
export type { IdentityHeader } from './access/header-contract';

export { NginxIngress } from './ingress/nginx-ingress';
export type { NginxIngressProps, IngressAuthGateway, RateLimit, CorsOptions } from './ingress/nginx-ingress';
export type { IngressCommonProps, ProxyTimeouts } from './ingress/ingress-props';
export { isSnippetAnnotation, INGRESS_NGINX_PREFIX } from './ingress/annotations';

export { TlsSource, ACME_DIRECTORIES } from './tls/tls-source';
export type { AcmeOptions, AcmeDns01Options, BoundTls, TlsBindingContext, Http01Gateway } from './tls/tls-source';
export { ClusterIssuer } from './tls/cluster-issuer';
export type { ClusterIssuerProps } from './tls/cluster-issuer';

export { SecretRef } from './secrets/secret-ref';
export type { BoundSecret, SecretBindingContext, VariableSecretOptions, ExternalSecretOptions } from './secrets/secret-ref';
export { ExternalSecret } from './secrets/external-secret';
export type { ExternalSecretProps, ExternalSecretData, SecretStoreReference } from './secrets/external-secret';

export { INGRESS_NGINX_CONTROLLER } from './core/network';
export type { PeerSelector } from './core/network';
export type { ContainerResources } from './core/resources';
export { PropsValidationError } from './core/errors';
export { KubernetesResource } from './core/kubernetes-resource';
export type { KubernetesResourceMeta } from './core/kubernetes-resource';
export type { ValidationProblem } from './core/errors';

export { parseEnvironment, parseSharedAccessPolicy, loadEnvironmentFile, environmentJsonSchema } from './environments/environment';
export type { EnvironmentData, SharedAccessPolicy, SecretSourceData, BackendData, CloudData } from './environments/environment';
export { applyBackend } from './environments/backend';

export { CloudProfile } from './cloud/cloud-profile';
export type {
  CloudKind,
  CloudSecretStoreOptions,
  CloudProfileCapabilities,
  CompleteCapabilities,
  CompleteCloudProfile,
  ProvidedIf,
} from './cloud/cloud-profile';
export type { LoadBalancerVisibility, OperatorServiceAccount, PodIdentityAssociation, CloudProfileCommonOptions } from './cloud/profile-common';
export type { EksProfileOptions } from './cloud/eks-profile';
export type { GkeProfileOptions } from './cloud/gke-profile';
export type { AksProfileOptions, AzureDnsZone, AksOptionsWithDns, AksOptionsWithSecretStore } from './cloud/aks-profile';
export type { GenericProfileOptions } from './cloud/generic-profile';
export type { GatewayApiProfile } from './cloud/gateway-classes';
export { Dns01Solver } from './tls/dns01-solver';
export type {
  Dns01Provider,
  Dns01SolverCommonOptions,
  Route53SolverOptions,
  CloudDnsSolverOptions,
  AzureDnsSolverOptions,
  CloudflareSolverOptions,
  Dns01BindingContext,
  BoundDns01Solver,
} from './tls/dns01-solver';
export { acmeDns01 } from './tls/acme-dns01-tls-source';
export { ClusterSecretStore } from './secrets/cluster-secret-store';
export type { ClusterSecretStoreProps } from './secrets/cluster-secret-store';
export { SecretStoreProvider } from './secrets/secret-store-provider';
export type {
  SecretStoreProviderKey,
  StoreServiceAccount,
  AwsSecretsManagerStoreOptions,
  GcpSecretManagerStoreOptions,
  AzureKeyVaultStoreOptions,
  VaultStoreOptions,
  VaultCaProvider,
} from './secrets/secret-store-provider';

export { F5NginxIngress } from './ingress/f5-nginx-ingress';
export type { F5NginxIngressProps, F5AuthGateway, F5IdentityUpstream, F5RateLimit, F5HstsOptions } from './ingress/f5-nginx-ingress';
export { GatewayApiIngress } from './ingress/gateway-api-ingress';
export type { GatewayApiIngressProps, GatewayApiAuthProxy, GatewayApiIdentityUpstream } from './ingress/gateway-api-ingress';
export { GatewayRef, GATEWAY_LISTENERS } from './ingress/gateway-ref';
export type { CreatedGatewayOptions, ExistingGatewayOptions, GatewayInfrastructure } from './ingress/gateway-ref';

export { Guardrails } from './policy/guardrails';
export type { GuardrailsProps, GuardrailExemption } from './policy/guardrails';
export { GUARDRAIL_CHECKS } from './policy/checks';
export { SOC2_CRITERIA, ISO27001_CONTROLS } from './policy/controls';
export type { GuardrailCheckId } from './policy/checks';
export type { GuardrailCheck, GuardrailFinding } from './policy/check-definition';
export type { GuardrailsReport, CheckResult, ReportedFinding } from './policy/report';

export { CHART_DIRECTORY_CONTEXT, ChartSource, DEFAULT_CHARTS } from './platform/chart-source';
export type { PinnedChart, HelmChartLocation } from './platform/chart-source';
export { HelmOperator } from './platform/operator-release';
export type { HelmOperatorProps } from './platform/operator-release';
export { IngressNginxController, DEFAULT_GZIP_TYPES } from './platform/ingress-nginx-controller';
export type {
  IngressNginxControllerProps,
  IngressNginxValues,
  IngressNginxHstsOptions,
  IngressNginxGzipOptions,
  IngressNginxServiceOptions,
} from './platform/ingress-nginx-controller';
export { ingressNginxAccessLogFormat } from './platform/access-log';
export type { IngressNginxAccessLogOptions } from './platform/access-log';
export { CertManager } from './platform/cert-manager';
export type { CertManagerProps, CertManagerValues } from './platform/cert-manager';
export { ExternalSecretsOperator } from './platform/external-secrets-operator';
export type { ExternalSecretsOperatorProps, ExternalSecretsOperatorValues } from './platform/external-secrets-operator';
export { Reloader } from './platform/reloader';
export type { ReloaderProps, ReloaderValues } from './platform/reloader';

export { environmentStacks } from './environments/environment-stacks';
export type { EnvironmentStacks } from './environments/environment-stacks';
