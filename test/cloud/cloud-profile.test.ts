import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';

import { type IngressAuthGateway, NginxIngress, SecretRef, TlsSource } from '../../lib';
import { CloudProfile } from '../../lib/cloud/cloud-profile';
import { SecretStoreProvider } from '../../lib/secrets/secret-store-provider';
import { Dns01Solver } from '../../lib/tls/dns01-solver';
import { expectProblems, resourceAt, resourcesOf, synth, type TfJson } from '../helpers';

/** The solver entry the profile's DNS-01 solver renders for a ClusterIssuer. */
function solverOf(profile: CloudProfile): unknown {
  let solver: unknown;
  synth((stack) => {
    solver = profile
      .dns01Solver()!
      .bind({ scope: new Construct(stack, 'issuer'), certManagerNamespace: 'cert-manager' }).solver;
  });
  return solver;
}

/** The manifest of the ClusterSecretStore the profile creates. */
function storeOf(profile: CloudProfile, options: Parameters<CloudProfile['secretStore']>[2] = {}): any {
  const json = synth((stack) => profile.secretStore(stack, 'store', options));
  return resourceAt(json, 'kubernetes_manifest', 'store/Resource').manifest;
}

const ROLE = 'arn:aws:iam::123456789012:role/cert-manager';
const ESO_ROLE = 'arn:aws:iam::123456789012:role/external-secrets';
const CLIENT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const ESO_CLIENT_ID = 'ffffffff-0000-1111-2222-333333333333';
const TENANT_ID = '99999999-8888-7777-6666-555555555555';

describe('CloudProfile.eks', () => {
  const profile = CloudProfile.eks({
    region: 'eu-central-1',
    certManagerRoleArn: ROLE,
    externalSecretsRoleArn: ESO_ROLE,
  });

  it('asks the AWS Load Balancer Controller for an internet-facing NLB with IP targets that keep the client IP', () => {
    expect(profile.loadBalancerAnnotations('public')).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes':
        'preserve_client_ip.enabled=true',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    });
  });

  it('asks for an internal NLB', () => {
    expect(profile.loadBalancerAnnotations('internal')).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes':
        'preserve_client_ip.enabled=true',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
    });
  });

  it('leaves client IP preservation at the NLB default when told to', () => {
    expect(
      CloudProfile.eks({ region: 'eu-central-1', preserveClientIp: false }).loadBalancerAnnotations(
        'internal',
      ),
    ).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
    });
  });

  it('uses instance targets (which always keep the client IP) when asked', () => {
    expect(
      CloudProfile.eks({ region: 'eu-central-1', nlbTargetType: 'instance' }).loadBalancerAnnotations(
        'public',
      ),
    ).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    });
  });

  it('gives the operators their IAM roles through IRSA annotations, and no pod labels', () => {
    expect(profile.cloud).toBe('eks');
    expect(profile.certManagerServiceAccountAnnotations).toEqual({ 'eks.amazonaws.com/role-arn': ROLE });
    expect(profile.externalSecretsServiceAccountAnnotations).toEqual({
      'eks.amazonaws.com/role-arn': ESO_ROLE,
    });
    expect(profile.certManagerPodLabels).toEqual({});
    expect(profile.externalSecretsPodLabels).toEqual({});
    expect(profile.podIdentityAssociations).toEqual([]);
    expect(profile.notes).toEqual([
      `IRSA: the trust policy of ${ROLE} must allow system:serviceaccount:cert-manager:cert-manager through the cluster's OIDC provider.`,
      `IRSA: the trust policy of ${ESO_ROLE} must allow system:serviceaccount:external-secrets:external-secrets through the cluster's OIDC provider.`,
    ]);
  });

  it('annotates nothing without roles', () => {
    const bare = CloudProfile.eks({ region: 'eu-central-1' });
    expect(bare.certManagerServiceAccountAnnotations).toEqual({});
    expect(bare.externalSecretsServiceAccountAnnotations).toEqual({});
    expect(bare.notes).toEqual([]);
  });

  it('models EKS Pod Identity as associations to make outside Kubernetes, with no annotation', () => {
    const pod = CloudProfile.eks({
      region: 'eu-central-1',
      workloadIdentity: 'pod-identity',
      certManagerRoleArn: ROLE,
      externalSecretsRoleArn: ESO_ROLE,
      externalSecretsServiceAccount: { namespace: 'eso', name: 'eso-controller' },
    });
    expect(pod.certManagerServiceAccountAnnotations).toEqual({});
    expect(pod.externalSecretsServiceAccountAnnotations).toEqual({});
    expect(pod.podIdentityAssociations).toEqual([
      { component: 'cert-manager', namespace: 'cert-manager', serviceAccount: 'cert-manager', roleArn: ROLE },
      {
        component: 'external-secrets',
        namespace: 'eso',
        serviceAccount: 'eso-controller',
        roleArn: ESO_ROLE,
      },
    ]);
    expect(pod.notes[1]).toBe(
      `EKS Pod Identity: associate ${ESO_ROLE} with ServiceAccount eso/eso-controller outside Kubernetes ` +
        `(aws_eks_pod_identity_association, or aws eks create-pod-identity-association --namespace eso --service-account eso-controller --role-arn ${ESO_ROLE}); ` +
        'the role must trust pods.eks.amazonaws.com and the Pod Identity Agent add-on must run.',
    );
  });

  it('solves DNS-01 with Route 53 in its region', () => {
    expect(solverOf(profile)).toEqual({ dns01: { route53: { region: 'eu-central-1' } } });
    const zoned = CloudProfile.eks({
      region: 'eu-central-1',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      route53RoleArn: 'arn:aws:iam::210987654321:role/dns',
    });
    expect(solverOf(zoned)).toEqual({
      dns01: {
        route53: {
          region: 'eu-central-1',
          hostedZoneID: 'Z0123456789ABCDEFGHIJ',
          role: 'arn:aws:iam::210987654321:role/dns',
        },
      },
    });
  });

  it("creates a ClusterSecretStore for Secrets Manager that uses the operator's own identity", () => {
    expect(storeOf(profile)).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: {
        name: 'aws-secrets-manager',
        labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
      },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'eu-central-1' } } },
    });
    const withRole = CloudProfile.eks({
      region: 'eu-central-1',
      secretsManagerRoleArn: 'arn:aws:iam::123456789012:role/backstage-secrets',
    });
    expect(storeOf(withRole, { name: 'backstage-secrets', namespaces: ['backstage'] })).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: 'backstage-secrets', labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' } },
      spec: {
        provider: {
          aws: {
            service: 'SecretsManager',
            region: 'eu-central-1',
            role: 'arn:aws:iam::123456789012:role/backstage-secrets',
          },
        },
        conditions: [{ namespaces: ['backstage'] }],
      },
    });
  });

  it('takes a Cloudflare solver and a Vault store instead of the AWS services', () => {
    const custom = CloudProfile.eks({
      region: 'eu-central-1',
      dns01Solver: Dns01Solver.cloudflare({
        apiToken: SecretRef.fromSecret('cloudflare-api-token', 'api-token'),
      }),
      secretStoreProvider: SecretStoreProvider.vault({
        server: 'https://vault.example.com',
        role: 'external-secrets',
      }),
    });
    expect(solverOf(custom)).toEqual({
      dns01: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare-api-token', key: 'api-token' } } },
    });
    expect(storeOf(custom).spec.provider).toEqual({
      vault: {
        server: 'https://vault.example.com',
        path: 'secret',
        version: 'v2',
        auth: { kubernetes: { mountPath: 'kubernetes', role: 'external-secrets' } },
      },
    });
  });

  it('refuses bad region, ARNs, zone id, identity mode, target type and flag in one error', () => {
    expectProblems(
      () =>
        CloudProfile.eks({
          region: 'Frankfurt',
          workloadIdentity: 'kiam' as never,
          certManagerRoleArn: 'cert-manager',
          externalSecretsRoleArn: 'arn:aws:iam::123456789012:policy/eso',
          hostedZoneId: 'example.com',
          route53RoleArn: 'arn:aws:iam::12345678901:role/dns',
          secretsManagerRoleArn: 'arn:aws:sts::123456789012:assumed-role/eso/session',
          nlbTargetType: 'pod' as never,
          preserveClientIp: 'yes' as never,
        }),
      [
        {
          where: 'CloudProfile.eks',
          path: 'region',
          says: ['must be an AWS region code', 'got "Frankfurt"'],
        },
        {
          where: 'CloudProfile.eks',
          path: 'workloadIdentity',
          says: ['must be "irsa" or "pod-identity"', 'got "kiam"'],
        },
        {
          where: 'CloudProfile.eks',
          path: 'certManagerRoleArn',
          says: ['must be an IAM role ARN', 'got "cert-manager"'],
        },
        {
          where: 'CloudProfile.eks',
          path: 'externalSecretsRoleArn',
          says: ['must be an IAM role ARN', 'got "arn:aws:iam::123456789012:policy/eso"'],
        },
        {
          where: 'CloudProfile.eks',
          path: 'hostedZoneId',
          says: ['must be a Route 53 hosted zone id', 'got "example.com"'],
        },
        {
          where: 'CloudProfile.eks',
          path: 'route53RoleArn',
          says: ['must be an IAM role ARN', 'got "arn:aws:iam::12345678901:role/dns"'],
        },
        {
          where: 'CloudProfile.eks',
          path: 'secretsManagerRoleArn',
          says: ['must be an IAM role ARN', 'got "arn:aws:sts::123456789012:assumed-role/eso/session"'],
        },
        {
          where: 'CloudProfile.eks',
          path: 'nlbTargetType',
          says: ['must be "ip" or "instance"', 'got "pod"'],
        },
        { where: 'CloudProfile.eks', path: 'preserveClientIp', says: ['must be true or false', 'got "yes"'] },
      ],
    );
  });

  it('refuses a referenced ServiceAccount for Secrets Manager with EKS Pod Identity', () => {
    expectProblems(
      () =>
        CloudProfile.eks({
          region: 'eu-central-1',
          workloadIdentity: 'pod-identity',
          secretStoreProvider: SecretStoreProvider.awsSecretsManager({
            region: 'eu-central-1',
            serviceAccount: { name: 'eso-reader', namespace: 'backstage' },
          }),
        }),
      [
        {
          where: 'CloudProfile.eks',
          path: 'secretStoreProvider.serviceAccount',
          says: [
            'cannot be used with EKS Pod Identity',
            'got {"name":"eso-reader","namespace":"backstage"}',
            'leave serviceAccount out',
          ],
        },
      ],
    );
  });

  it('reports the problems of a given solver and store under their option', () => {
    expectProblems(
      () =>
        CloudProfile.eks({
          region: 'eu-central-1',
          dns01Solver: Dns01Solver.route53({ region: 'eu-central-1', hostedZoneId: 'zone' }),
          secretStoreProvider: SecretStoreProvider.vault({ server: 'http://vault:8200', role: 'eso' }),
        }),
      [
        {
          where: 'CloudProfile.eks',
          path: 'dns01Solver.hostedZoneId',
          says: ['must be a Route 53 hosted zone id', 'got "zone"'],
        },
        {
          where: 'CloudProfile.eks',
          path: 'secretStoreProvider.server',
          says: ['must be an https:// URL', 'got "http://vault:8200"'],
        },
      ],
    );
  });

  it('refuses a solver or store that is not a value object, and operator ServiceAccounts with bad names', () => {
    expectProblems(
      () =>
        CloudProfile.eks({
          region: 'eu-central-1',
          dns01Solver: 'route53' as never,
          secretStoreProvider: { aws: {} } as never,
          certManagerServiceAccount: { namespace: 'Cert-Manager', name: 'cert-manager' },
        }),
      [
        { where: 'CloudProfile.eks', path: 'dns01Solver', says: ['must be a Dns01Solver', 'got "route53"'] },
        {
          where: 'CloudProfile.eks',
          path: 'secretStoreProvider',
          says: ['must be a SecretStoreProvider', 'got {"aws":{}}'],
        },
        {
          where: 'CloudProfile.eks',
          path: 'certManagerServiceAccount.namespace',
          says: ['must be a valid namespace name (RFC 1123 label)', 'got "Cert-Manager"'],
        },
      ],
    );
  });

  it('skips values only known at plan time', () => {
    const stack = new TerraformStack(Testing.app(), 'x');
    const role = new TerraformVariable(stack, 'cert_manager_role_arn', { type: 'string' });
    const arn = role.stringValue;
    const withToken = CloudProfile.eks({ region: 'eu-central-1', certManagerRoleArn: arn });
    expect(withToken.certManagerServiceAccountAnnotations).toEqual({ 'eks.amazonaws.com/role-arn': arn });
  });
});

describe('CloudProfile.gke', () => {
  const GSA = 'cert-manager@platform-prod-4711.iam.gserviceaccount.com';
  const ESO_GSA = 'external-secrets@platform-prod-4711.iam.gserviceaccount.com';
  const profile = CloudProfile.gke({
    project: 'platform-prod-4711',
    certManagerServiceAccountEmail: GSA,
    externalSecretsServiceAccountEmail: ESO_GSA,
  });

  it('leaves the default external load balancer alone and asks for an internal passthrough NLB', () => {
    expect(profile.loadBalancerAnnotations('public')).toEqual({});
    expect(profile.loadBalancerAnnotations('internal')).toEqual({
      'networking.gke.io/load-balancer-type': 'Internal',
    });
  });

  it('asks for a backend service-based external load balancer when told to', () => {
    const rbs = CloudProfile.gke({ project: 'platform-prod-4711', backendServiceLoadBalancer: true });
    expect(rbs.loadBalancerAnnotations('public')).toEqual({ 'cloud.google.com/l4-rbs': 'enabled' });
    expect(rbs.loadBalancerAnnotations('internal')).toEqual({
      'networking.gke.io/load-balancer-type': 'Internal',
    });
  });

  it('binds the operators to Google service accounts through Workload Identity', () => {
    expect(profile.cloud).toBe('gke');
    expect(profile.certManagerServiceAccountAnnotations).toEqual({ 'iam.gke.io/gcp-service-account': GSA });
    expect(profile.externalSecretsServiceAccountAnnotations).toEqual({
      'iam.gke.io/gcp-service-account': ESO_GSA,
    });
    expect(profile.certManagerPodLabels).toEqual({});
    expect(profile.externalSecretsPodLabels).toEqual({});
    expect(profile.podIdentityAssociations).toEqual([]);
    expect(profile.notes).toEqual([
      `GKE Workload Identity: grant roles/iam.workloadIdentityUser on ${GSA} to serviceAccount:platform-prod-4711.svc.id.goog[cert-manager/cert-manager].`,
      `GKE Workload Identity: grant roles/iam.workloadIdentityUser on ${ESO_GSA} to serviceAccount:platform-prod-4711.svc.id.goog[external-secrets/external-secrets].`,
    ]);
  });

  it('solves DNS-01 with Cloud DNS of the project, or of the DNS project and zone', () => {
    expect(solverOf(profile)).toEqual({ dns01: { cloudDNS: { project: 'platform-prod-4711' } } });
    const dns = CloudProfile.gke({
      project: 'platform-prod-4711',
      dnsProject: 'corp-dns-0001',
      dnsZoneName: 'example-com',
    });
    expect(solverOf(dns)).toEqual({
      dns01: { cloudDNS: { project: 'corp-dns-0001', hostedZoneName: 'example-com' } },
    });
  });

  it("creates a ClusterSecretStore for Secret Manager with the operator's own identity", () => {
    expect(storeOf(profile)).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: 'gcp-secret-manager', labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' } },
      spec: { provider: { gcpsm: { projectID: 'platform-prod-4711' } } },
    });
    expect(
      storeOf(CloudProfile.gke({ project: 'platform-prod-4711', secretManagerProject: 'corp-secrets-0001' }))
        .spec.provider,
    ).toEqual({
      gcpsm: { projectID: 'corp-secrets-0001' },
    });
  });

  it('refuses project names, bad service account e-mails and zone names', () => {
    expectProblems(
      () =>
        CloudProfile.gke({
          project: 'Platform Prod',
          certManagerServiceAccountEmail: 'cert-manager@platform-prod-4711.gserviceaccount.com',
          externalSecretsServiceAccountEmail: 'eso',
          dnsProject: '123456789012',
          dnsZoneName: 'example.com.',
          backendServiceLoadBalancer: 'yes' as never,
        }),
      [
        {
          where: 'CloudProfile.gke',
          path: 'project',
          says: ['must be a Google Cloud project id', 'got "Platform Prod"'],
        },
        {
          where: 'CloudProfile.gke',
          path: 'certManagerServiceAccountEmail',
          says: [
            'must be a Google service account e-mail',
            'got "cert-manager@platform-prod-4711.gserviceaccount.com"',
          ],
        },
        {
          where: 'CloudProfile.gke',
          path: 'externalSecretsServiceAccountEmail',
          says: ['must be a Google service account e-mail', 'got "eso"'],
        },
        {
          where: 'CloudProfile.gke',
          path: 'dnsProject',
          says: ['must be a Google Cloud project id', 'got "123456789012"'],
        },
        {
          where: 'CloudProfile.gke',
          path: 'dnsZoneName',
          says: ['must be a Cloud DNS managed zone name', 'got "example.com."'],
        },
        {
          where: 'CloudProfile.gke',
          path: 'backendServiceLoadBalancer',
          says: ['must be true or false', 'got "yes"'],
        },
      ],
    );
  });
});

describe('CloudProfile.aks', () => {
  const zone = {
    subscriptionId: '11111111-2222-3333-4444-555555555555',
    resourceGroupName: 'rg-dns',
    hostedZoneName: 'example.com',
  };
  const profile = CloudProfile.aks({
    tenantId: TENANT_ID,
    certManagerClientId: CLIENT_ID,
    externalSecretsClientId: ESO_CLIENT_ID,
    dnsZone: zone,
    keyVaultUrl: 'https://platform-kv.vault.azure.net',
  });

  it("probes ingress-nginx's health path on a public load balancer", () => {
    expect(profile.loadBalancerAnnotations('public')).toEqual({
      'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path': '/healthz',
    });
  });

  it('asks for an internal load balancer', () => {
    expect(profile.loadBalancerAnnotations('internal')).toEqual({
      'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path': '/healthz',
      'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
    });
  });

  it('takes another probe path, or none', () => {
    expect(
      CloudProfile.aks({ healthProbeRequestPath: '/nginx-health' }).loadBalancerAnnotations('public'),
    ).toEqual({
      'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path': '/nginx-health',
    });
    const none = CloudProfile.aks({ healthProbeRequestPath: false });
    expect(none.loadBalancerAnnotations('public')).toEqual({});
    expect(none.loadBalancerAnnotations('internal')).toEqual({
      'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
    });
  });

  it('gives the operators Azure Workload Identity: client id (and tenant) annotations and the pod label', () => {
    expect(profile.cloud).toBe('aks');
    expect(profile.certManagerServiceAccountAnnotations).toEqual({
      'azure.workload.identity/client-id': CLIENT_ID,
      'azure.workload.identity/tenant-id': TENANT_ID,
    });
    expect(profile.certManagerPodLabels).toEqual({ 'azure.workload.identity/use': 'true' });
    expect(profile.externalSecretsServiceAccountAnnotations).toEqual({
      'azure.workload.identity/client-id': ESO_CLIENT_ID,
      'azure.workload.identity/tenant-id': TENANT_ID,
    });
    expect(profile.externalSecretsPodLabels).toEqual({ 'azure.workload.identity/use': 'true' });
    expect(profile.notes).toEqual([
      `Azure Workload Identity: add a federated identity credential to the managed identity ${CLIENT_ID} for subject system:serviceaccount:cert-manager:cert-manager, issued by the cluster's OIDC issuer.`,
      `Azure Workload Identity: add a federated identity credential to the managed identity ${ESO_CLIENT_ID} for subject system:serviceaccount:external-secrets:external-secrets, issued by the cluster's OIDC issuer.`,
    ]);
  });

  it('labels no pod without a client id', () => {
    const bare = CloudProfile.aks();
    expect(bare.certManagerServiceAccountAnnotations).toEqual({});
    expect(bare.certManagerPodLabels).toEqual({});
    expect(bare.externalSecretsPodLabels).toEqual({});
    expect(bare.notes).toEqual([]);
  });

  it("solves DNS-01 with Azure DNS as cert-manager's managed identity", () => {
    expect(solverOf(profile)).toEqual({
      dns01: {
        azureDNS: {
          subscriptionID: '11111111-2222-3333-4444-555555555555',
          resourceGroupName: 'rg-dns',
          hostedZoneName: 'example.com',
          managedIdentity: { clientID: CLIENT_ID },
        },
      },
    });
  });

  it('creates a ClusterSecretStore for Key Vault with Workload Identity', () => {
    expect(storeOf(profile)).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: 'azure-key-vault', labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' } },
      spec: {
        provider: {
          azurekv: {
            authType: 'WorkloadIdentity',
            vaultUrl: 'https://platform-kv.vault.azure.net',
            tenantId: TENANT_ID,
          },
        },
      },
    });
  });

  it('has no solver without a DNS zone and no store without a Key Vault', () => {
    const bare = CloudProfile.aks();
    expect(bare.dns01Solver()).toBeUndefined();
    expect(bare.secretStoreProvider()).toBeUndefined();
    const json = synth((stack) => expect(bare.secretStore(stack, 'store')).toBeUndefined());
    expect(resourcesOf(json, 'kubernetes_manifest')).toEqual({});
  });

  it('refuses ids that are not GUIDs, a bad zone, an http vault URL and a relative probe path', () => {
    expectProblems(
      () =>
        CloudProfile.aks({
          tenantId: 'contoso.onmicrosoft.com',
          certManagerClientId: 'cert-manager',
          externalSecretsClientId: '1234',
          dnsZone: { subscriptionId: 'prod', resourceGroupName: 'rg dns', hostedZoneName: 'Example.com' },
          keyVaultUrl: 'http://platform-kv.vault.azure.net',
          healthProbeRequestPath: 'healthz',
        }),
      [
        {
          where: 'CloudProfile.aks',
          path: 'tenantId',
          says: ['must be the directory (tenant) id, a GUID', 'got "contoso.onmicrosoft.com"'],
        },
        {
          where: 'CloudProfile.aks',
          path: 'certManagerClientId',
          says: ['must be the client id of a managed identity, a GUID', 'got "cert-manager"'],
        },
        {
          where: 'CloudProfile.aks',
          path: 'externalSecretsClientId',
          says: ['must be the client id of a managed identity, a GUID', 'got "1234"'],
        },
        {
          where: 'CloudProfile.aks',
          path: 'dnsZone.subscriptionId',
          says: ['must be the subscription id, a GUID', 'got "prod"'],
        },
        {
          where: 'CloudProfile.aks',
          path: 'dnsZone.resourceGroupName',
          says: ['must be an Azure resource group name', 'got "rg dns"'],
        },
        {
          where: 'CloudProfile.aks',
          path: 'dnsZone.hostedZoneName',
          says: ['must be a fully qualified DNS name', 'got "Example.com"'],
        },
        {
          where: 'CloudProfile.aks',
          path: 'keyVaultUrl',
          says: ['must be an https:// URL', 'got "http://platform-kv.vault.azure.net"'],
        },
        {
          where: 'CloudProfile.aks',
          path: 'healthProbeRequestPath',
          says: ['must be an absolute HTTP path or false', 'got "healthz"'],
        },
      ],
    );
    expectProblems(
      () => CloudProfile.aks({ healthProbeRequestPath: true as never }),
      [
        {
          where: 'CloudProfile.aks',
          path: 'healthProbeRequestPath',
          says: ['must be an absolute HTTP path or false', 'got true'],
        },
      ],
    );
  });
});

describe('CloudProfile.generic', () => {
  it('adds no load balancer annotations, identities, solver or store', () => {
    const profile = CloudProfile.generic();
    expect(profile.cloud).toBe('generic');
    expect(profile.loadBalancerAnnotations('public')).toEqual({});
    expect(profile.loadBalancerAnnotations('internal')).toEqual({});
    expect(profile.certManagerServiceAccountAnnotations).toEqual({});
    expect(profile.externalSecretsServiceAccountAnnotations).toEqual({});
    expect(profile.certManagerPodLabels).toEqual({});
    expect(profile.externalSecretsPodLabels).toEqual({});
    expect(profile.dns01Solver()).toBeUndefined();
    expect(profile.secretStoreProvider()).toBeUndefined();
    expect(profile.podIdentityAssociations).toEqual([]);
    expect(profile.notes).toEqual([]);
  });

  it('uses Cloudflare for DNS-01 and Vault for secrets when given', () => {
    const profile = CloudProfile.generic({
      dns01Solver: Dns01Solver.cloudflare({
        apiToken: SecretRef.fromSecret('cloudflare-api-token', 'api-token'),
      }),
      secretStoreProvider: SecretStoreProvider.vault({
        server: 'https://vault.corp.example.com:8200',
        role: 'external-secrets',
      }),
    });
    expect(solverOf(profile)).toEqual({
      dns01: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare-api-token', key: 'api-token' } } },
    });
    expect(storeOf(profile, { namespaces: ['backstage'] })).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: 'vault', labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' } },
      spec: {
        provider: {
          vault: {
            server: 'https://vault.corp.example.com:8200',
            path: 'secret',
            version: 'v2',
            auth: { kubernetes: { mountPath: 'kubernetes', role: 'external-secrets' } },
          },
        },
        conditions: [{ namespaces: ['backstage'] }],
      },
    });
  });

  it('refuses an unknown option and a plain Cloudflare token without echoing it', () => {
    expectProblems(
      () => CloudProfile.generic({ vault: { server: 'https://vault' } } as never),
      [
        {
          where: 'CloudProfile.generic',
          path: 'vault',
          says: ['is not a known property', 'got {"server":"https://vault"}'],
        },
      ],
    );
    expectProblems(
      () =>
        CloudProfile.generic({
          dns01Solver: Dns01Solver.cloudflare({ apiToken: 'cf-token-value' as never }),
        }),
      [
        {
          where: 'CloudProfile.generic',
          path: 'dns01Solver.apiToken',
          says: [
            'must be a SecretRef, not a plain value: a literal would be written into the synthesized Terraform JSON',
            'got a plain value (hidden)',
          ],
        },
      ],
    );
  });
});

describe('CloudProfile', () => {
  it('hands out copies: a consumer changing the records changes nothing else', () => {
    const profile = CloudProfile.eks({ region: 'eu-central-1', certManagerRoleArn: ROLE });
    const annotations = profile.loadBalancerAnnotations('public');
    annotations['service.beta.kubernetes.io/aws-load-balancer-scheme'] = 'internal';
    profile.certManagerServiceAccountAnnotations['eks.amazonaws.com/role-arn'] = 'changed';
    expect(
      profile.loadBalancerAnnotations('public')['service.beta.kubernetes.io/aws-load-balancer-scheme'],
    ).toBe('internet-facing');
    expect(profile.certManagerServiceAccountAnnotations).toEqual({ 'eks.amazonaws.com/role-arn': ROLE });
  });

  it('refuses an unknown visibility', () => {
    expectProblems(
      () => CloudProfile.gke({ project: 'platform-prod-4711' }).loadBalancerAnnotations('private' as never),
      [
        {
          where: 'CloudProfile.gke',
          path: 'visibility',
          says: ['must be "public" or "internal"', 'got "private"'],
        },
      ],
    );
  });

  it('recognises profiles by brand', () => {
    expect(CloudProfile.isCloudProfile(CloudProfile.generic())).toBe(true);
    expect(CloudProfile.isCloudProfile({ cloud: 'eks' })).toBe(false);
  });

  it("wires a whole environment: DNS-01 certificate from the profile's solver, secrets through its store", () => {
    const gateway: IngressAuthGateway = {
      authUrl: 'http://oauth2-proxy.backstage.svc.cluster.local:4180/oauth2/auth',
      signInUrl: 'https://backstage.example.com/oauth2/start?rd=$escaped_request_uri',
      serviceName: 'oauth2-proxy',
      port: 4180,
      sessionStore: { proxyBufferSize: '32k' },
    };
    const profile = CloudProfile.eks({
      region: 'eu-central-1',
      certManagerRoleArn: ROLE,
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    });
    const json: TfJson = synth((stack) => {
      const store = profile.secretStore(stack, 'SecretStore', { namespaces: ['backstage'] })!;
      SecretRef.fromExternalSecret({ store: store.reference, remoteKey: 'backstage/github-token' }).bind({
        scope: new Construct(stack, 'consumer'),
        namespace: 'backstage',
      });
      new NginxIngress(stack, 'ing', {
        namespace: 'backstage',
        host: 'backstage.example.com',
        backend: { serviceName: 'backstage', port: 7007 },
        gateway,
        tls: TlsSource.acmeDns01({ email: 'platform@example.com', solver: profile.dns01Solver()! }),
      });
    });
    const manifests = Object.values(resourcesOf(json, 'kubernetes_manifest')).map((r) => r.manifest);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'ClusterIssuer/letsencrypt-production-dns01',
      'ClusterSecretStore/aws-secrets-manager',
      'ExternalSecret/backstage-github-token',
    ]);
    expect(manifests.find((m) => m.kind === 'ClusterIssuer').spec.acme.solvers).toEqual([
      { dns01: { route53: { region: 'eu-central-1', hostedZoneID: 'Z0123456789ABCDEFGHIJ' } } },
    ]);
    expect(manifests.find((m) => m.kind === 'ExternalSecret').spec.secretStoreRef).toEqual({
      name: 'aws-secrets-manager',
      kind: 'ClusterSecretStore',
    });
  });
});

describe('CloudProfile.gatewayApi', () => {
  const eks = CloudProfile.eks({ region: 'eu-west-1' });
  const gke = CloudProfile.gke({ project: 'example-portal' });
  const aks = CloudProfile.aks({});

  it("names each cloud's managed GatewayClass for public and internal portals", () => {
    expect(gke.gatewayApi('public')?.gatewayClassName).toBe('gke-l7-global-external-managed');
    expect(gke.gatewayApi('internal')?.gatewayClassName).toBe('gke-l7-rilb');
    expect(aks.gatewayApi('public')?.gatewayClassName).toBe('azure-alb-external');
    expect(eks.gatewayApi('public')?.gatewayClassName).toBe('aws-alb-gateway-class');
    expect(eks.gatewayApi('internal')?.gatewayClassName).toBe('amazon-vpc-lattice');
  });

  it('has none where the cloud has none: generic clusters, internal AKS', () => {
    expect(CloudProfile.generic().gatewayApi('public')).toBeUndefined();
    expect(aks.gatewayApi('internal')).toBeUndefined();
  });

  it("gives the networks Google's load balancers connect from, and says which networks are yours elsewhere", () => {
    expect(gke.gatewayApi('public')?.dataPlaneSourceRanges).toEqual([
      '35.191.0.0/16',
      '130.211.0.0/22',
      '2600:2d00:1:b029::/64',
      '2600:2d00:1:1::/64',
    ]);
    expect(gke.gatewayApi('internal')?.notes.join(' ')).toContain('proxy-only subnet');
    expect(aks.gatewayApi('public')).toMatchObject({ dataPlaneSourceRanges: [] });
    expect(aks.gatewayApi('public')?.notes.join(' ')).toContain('alb.networking.azure.io/alb-id');
    expect(eks.gatewayApi('public')?.notes.join(' ')).toContain('ACM');
    expect(eks.gatewayApi('internal')?.notes.join(' ')).toContain('com.amazonaws.<region>.vpc-lattice');
  });

  it('refuses an unknown visibility', () => {
    expectProblems(
      () => gke.gatewayApi('private' as 'public'),
      [
        {
          where: 'CloudProfile.gke',
          path: 'visibility',
          says: ['must be "public" or "internal"', 'got "private"'],
        },
      ],
    );
  });
});
