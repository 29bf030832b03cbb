import { TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';

import { type BoundDns01Solver, Dns01Solver, SecretRef } from '../../lib';
import { expectProblems, resourceAt, resourcesOf, synth, type TfJson } from '../helpers';

/** Binds the solver the way a ClusterIssuer in cert-manager's namespace would. */
function bindSolver(
  make: (stack: TerraformStack) => Dns01Solver,
  certManagerNamespace = 'cert-manager',
): { bound: BoundDns01Solver; json: TfJson } {
  let bound: BoundDns01Solver | undefined;
  const json = synth((stack) => {
    bound = make(stack).bind({ scope: new Construct(stack, 'issuer'), certManagerNamespace, prop: 'solver' });
  });
  return { bound: bound!, json };
}

const solverOf = (solver: Dns01Solver) => bindSolver(() => solver).bound.solver;

describe('Dns01Solver', () => {
  describe('route53', () => {
    it("renders the region only, using cert-manager's own identity", () => {
      expect(solverOf(Dns01Solver.route53({ region: 'eu-central-1' }))).toEqual({
        dns01: { route53: { region: 'eu-central-1' } },
      });
    });

    it('renders the hosted zone (hostedZoneID) and the role to assume', () => {
      const solver = Dns01Solver.route53({
        region: 'us-east-1',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        role: 'arn:aws:iam::123456789012:role/dns/route53-writer',
      });
      expect(solverOf(solver)).toEqual({
        dns01: {
          route53: {
            region: 'us-east-1',
            hostedZoneID: 'Z0123456789ABCDEFGHIJ',
            role: 'arn:aws:iam::123456789012:role/dns/route53-writer',
          },
        },
      });
      expect(solver.provider).toBe('route53');
    });

    it('accepts GovCloud and China partitions and regions', () => {
      expect(
        solverOf(
          Dns01Solver.route53({ region: 'us-gov-west-1', role: 'arn:aws-us-gov:iam::123456789012:role/dns' }),
        ),
      ).toEqual({
        dns01: { route53: { region: 'us-gov-west-1', role: 'arn:aws-us-gov:iam::123456789012:role/dns' } },
      });
      expect(
        solverOf(
          Dns01Solver.route53({ region: 'cn-north-1', role: 'arn:aws-cn:iam::123456789012:role/dns' }),
        ),
      ).toEqual({
        dns01: { route53: { region: 'cn-north-1', role: 'arn:aws-cn:iam::123456789012:role/dns' } },
      });
    });

    it('limits the solver to its zones with selector.dnsZones', () => {
      expect(
        solverOf(
          Dns01Solver.route53({ region: 'eu-west-1', dnsZones: ['example.com', 'internal.example.com'] }),
        ),
      ).toEqual({
        selector: { dnsZones: ['example.com', 'internal.example.com'] },
        dns01: { route53: { region: 'eu-west-1' } },
      });
    });

    it('refuses a bad region, zone id and role, in one error', () => {
      expectProblems(
        () =>
          solverOf(
            Dns01Solver.route53({
              region: 'Frankfurt',
              hostedZoneId: '/hostedzone/Z0123',
              role: 'arn:aws:iam::123456789012:user/ci',
            }),
          ),
        [
          {
            where: 'test/issuer',
            path: 'solver.region',
            says: ['must be an AWS region code', 'got "Frankfurt"'],
          },
          {
            where: 'test/issuer',
            path: 'solver.hostedZoneId',
            says: ['must be a Route 53 hosted zone id', 'got "/hostedzone/Z0123"'],
          },
          {
            where: 'test/issuer',
            path: 'solver.role',
            says: ['must be an IAM role ARN', 'got "arn:aws:iam::123456789012:user/ci"'],
          },
        ],
      );
    });

    it('refuses an account id that is not 12 digits', () => {
      expectProblems(
        () => solverOf(Dns01Solver.route53({ region: 'eu-west-1', role: 'arn:aws:iam::1234:role/dns' })),
        [
          {
            where: 'test/issuer',
            path: 'solver.role',
            says: ['must be an IAM role ARN', 'got "arn:aws:iam::1234:role/dns"'],
          },
        ],
      );
    });

    it('refuses an unknown option and an empty or invalid zone list', () => {
      expectProblems(
        () => solverOf(Dns01Solver.route53({ region: 'eu-west-1', hostedZoneID: 'Z1' } as never)),
        [
          {
            where: 'test/issuer',
            path: 'solver.hostedZoneID',
            says: ['is not a known property', 'got "Z1"'],
          },
        ],
      );
      expectProblems(
        () => solverOf(Dns01Solver.route53({ region: 'eu-west-1', dnsZones: [] })),
        [
          {
            where: 'test/issuer',
            path: 'solver.dnsZones',
            says: ['must list at least one zone when given', 'got []'],
          },
        ],
      );
      expectProblems(
        () => solverOf(Dns01Solver.route53({ region: 'eu-west-1', dnsZones: ['*.example.com'] })),
        [
          {
            where: 'test/issuer',
            path: 'solver.dnsZones[0]',
            says: ['must be a fully qualified DNS name', 'got "*.example.com"'],
          },
        ],
      );
    });

    it('skips values only known at plan time', () => {
      const { bound } = bindSolver((stack) => {
        const region = new TerraformVariable(stack, 'region', { type: 'string' });
        return Dns01Solver.route53({ region: region.stringValue });
      });
      expect(bound.solver).toEqual({ dns01: { route53: { region: expect.stringContaining('${TfToken[') } } });
    });
  });

  describe('cloudDns', () => {
    it("renders the project, with cert-manager's own identity (no key Secret)", () => {
      expect(solverOf(Dns01Solver.cloudDns({ project: 'platform-dns-4711' }))).toEqual({
        dns01: { cloudDNS: { project: 'platform-dns-4711' } },
      });
    });

    it('renders the managed zone name', () => {
      expect(
        solverOf(Dns01Solver.cloudDns({ project: 'platform-dns-4711', hostedZoneName: 'example-com' })),
      ).toEqual({
        dns01: { cloudDNS: { project: 'platform-dns-4711', hostedZoneName: 'example-com' } },
      });
    });

    it('refuses a project number and a DNS name as zone name', () => {
      expectProblems(
        () => solverOf(Dns01Solver.cloudDns({ project: '123456789012', hostedZoneName: 'example.com' })),
        [
          {
            where: 'test/issuer',
            path: 'solver.project',
            says: ['must be a Google Cloud project id', 'got "123456789012"'],
          },
          {
            where: 'test/issuer',
            path: 'solver.hostedZoneName',
            says: ['must be a Cloud DNS managed zone name', 'got "example.com"'],
          },
        ],
      );
    });
  });

  describe('azureDns', () => {
    const zone = {
      subscriptionId: '11111111-2222-3333-4444-555555555555',
      resourceGroupName: 'rg-dns',
      hostedZoneName: 'example.com',
    };

    it('renders the zone with the managed identity of Azure Workload Identity', () => {
      expect(
        solverOf(
          Dns01Solver.azureDns({ ...zone, managedIdentityClientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' }),
        ),
      ).toEqual({
        dns01: {
          azureDNS: {
            subscriptionID: '11111111-2222-3333-4444-555555555555',
            resourceGroupName: 'rg-dns',
            hostedZoneName: 'example.com',
            managedIdentity: { clientID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' },
          },
        },
      });
    });

    it("leaves the client id to the pod's workload identity and renders the environment", () => {
      expect(solverOf(Dns01Solver.azureDns({ ...zone, environment: 'AzureUSGovernmentCloud' }))).toEqual({
        dns01: {
          azureDNS: {
            subscriptionID: '11111111-2222-3333-4444-555555555555',
            resourceGroupName: 'rg-dns',
            hostedZoneName: 'example.com',
            environment: 'AzureUSGovernmentCloud',
          },
        },
      });
    });

    it('never renders service principal fields (clientID, clientSecretSecretRef, tenantID) at the provider level', () => {
      const solver = solverOf(
        Dns01Solver.azureDns({ ...zone, managedIdentityClientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' }),
      ) as any;
      expect(Object.keys(solver.dns01.azureDNS).sort()).toEqual([
        'hostedZoneName',
        'managedIdentity',
        'resourceGroupName',
        'subscriptionID',
      ]);
    });

    it('refuses ids that are not GUIDs, a bad resource group, zone and environment', () => {
      expectProblems(
        () =>
          solverOf(
            Dns01Solver.azureDns({
              subscriptionId: 'my-subscription',
              resourceGroupName: 'rg dns',
              hostedZoneName: 'https://example.com',
              managedIdentityClientId: 'cert-manager',
              environment: 'AzureCloud' as never,
            }),
          ),
        [
          {
            where: 'test/issuer',
            path: 'solver.subscriptionId',
            says: ['must be the subscription id, a GUID', 'got "my-subscription"'],
          },
          {
            where: 'test/issuer',
            path: 'solver.resourceGroupName',
            says: ['must be an Azure resource group name', 'got "rg dns"'],
          },
          {
            where: 'test/issuer',
            path: 'solver.hostedZoneName',
            says: ['must be a fully qualified DNS name', 'got "https://example.com"'],
          },
          {
            where: 'test/issuer',
            path: 'solver.managedIdentityClientId',
            says: ['must be the client id of the managed identity, a GUID', 'got "cert-manager"'],
          },
          {
            where: 'test/issuer',
            path: 'solver.environment',
            says: ['must be an Azure cloud name', 'got "AzureCloud"'],
          },
        ],
      );
    });

    it('requires the zone', () => {
      expectProblems(
        () =>
          solverOf(
            Dns01Solver.azureDns({
              subscriptionId: zone.subscriptionId,
              resourceGroupName: 'rg-dns',
            } as never),
          ),
        [{ where: 'test/issuer', path: 'solver.hostedZoneName', says: ['is required', 'got nothing'] }],
      );
    });
  });

  describe('cloudflare', () => {
    it("refers to an existing Secret in cert-manager's namespace and creates nothing", () => {
      const { bound, json } = bindSolver(() =>
        Dns01Solver.cloudflare({ apiToken: SecretRef.fromSecret('cloudflare-api-token', 'api-token') }),
      );
      expect(bound.solver).toEqual({
        dns01: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare-api-token', key: 'api-token' } } },
      });
      expect(bound.dependsOn).toEqual([]);
      expect(resourcesOf(json, 'kubernetes_secret_v1')).toEqual({});
    });

    it("stores a sensitive variable in a Secret in cert-manager's namespace, referencing only ${var.<name>}", () => {
      const { bound, json } = bindSolver((stack) =>
        Dns01Solver.cloudflare({
          apiToken: SecretRef.fromVariable(
            new TerraformVariable(stack, 'cloudflare_api_token', { type: 'string', sensitive: true }),
          ),
        }),
      );
      const secret = resourceAt(json, 'kubernetes_secret_v1', 'issuer/Secret-cloudflare-api-token');
      expect(secret.metadata.namespace).toBe('cert-manager');
      expect(secret.metadata.name).toBe('cloudflare-api-token');
      expect(secret.data).toEqual({ value: '${var.cloudflare_api_token}' });
      expect(bound.solver).toEqual({
        dns01: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare-api-token', key: 'value' } } },
      });
      expect(bound.dependsOn).toHaveLength(1);
    });

    it('binds the token into the namespace cert-manager actually runs in', () => {
      const { json } = bindSolver(
        (stack) =>
          Dns01Solver.cloudflare({
            apiToken: SecretRef.fromVariable(
              new TerraformVariable(stack, 'cf_token', { type: 'string', sensitive: true }),
            ),
          }),
        'security',
      );
      expect(resourceAt(json, 'kubernetes_secret_v1', 'issuer/Secret-cf-token').metadata.namespace).toBe(
        'security',
      );
    });

    it('refuses a plain token without echoing it', () => {
      const [problem] = expectProblems(
        () => solverOf(Dns01Solver.cloudflare({ apiToken: 'cf-super-secret-token' as never })),
        [
          {
            where: 'test/issuer',
            path: 'solver.apiToken',
            says: ['must be a SecretRef, not a plain value', 'got a plain value (hidden)'],
          },
        ],
      );
      expect(problem!.message).not.toContain('cf-super-secret-token');
    });

    it('reports problems of the token reference under solver.apiToken', () => {
      expectProblems(
        () =>
          solverOf(Dns01Solver.cloudflare({ apiToken: SecretRef.fromSecret('Cloudflare_Token', 'token') })),
        [
          {
            where: 'test/issuer',
            path: 'solver.apiToken.secretName',
            says: ['must be a valid Kubernetes object name', 'got "Cloudflare_Token"'],
          },
        ],
      );
    });
  });

  it('recognises solvers by brand', () => {
    expect(Dns01Solver.isDns01Solver(Dns01Solver.cloudDns({ project: 'platform-dns-4711' }))).toBe(true);
    expect(Dns01Solver.isDns01Solver({ dns01: { route53: {} } })).toBe(false);
  });
});
