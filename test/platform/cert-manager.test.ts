import { TerraformStack, TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';

import { CertManager, type CertManagerProps, ChartSource } from '../../lib';
import { chartFixture, expectProblems } from '../helpers';
import { refusedBy, releaseAttributes, releaseOf, synthPlatform, valuesOf } from './platform-helpers';

const synthCertManager = (props: (stack: TerraformStack) => CertManagerProps = () => ({})) =>
  synthPlatform((stack) => new CertManager(stack, 'cm', props(stack)));
const refused = (props: Record<string, unknown>) =>
  refusedBy((stack) => new CertManager(stack, 'cm', props as any));

describe('CertManager', () => {
  it('installs cert-manager v1.19.6 from the jetstack repository into cert-manager', () => {
    expect(releaseAttributes(synthCertManager(), 'cm')).toEqual({
      name: 'cert-manager',
      namespace: 'cert-manager',
      create_namespace: false,
      depends_on: [expect.stringMatching(/^kubernetes_namespace_v1\.\w+_Namespace_[0-9A-F]{8}$/)],
      repository: 'https://charts.jetstack.io',
      chart: 'cert-manager',
      version: 'v1.19.6',
      wait: true,
      atomic: true,
      cleanup_on_fail: true,
      timeout: 600,
      max_history: 10,
    });
  });

  it('installs its CRDs (removed on uninstall), runs two replicas with disruption budgets and keeps the lease in its namespace', () => {
    expect(valuesOf(synthCertManager(), 'cm')).toEqual({
      crds: { enabled: true, keep: false },
      replicaCount: 2,
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      global: { leaderElection: { namespace: 'cert-manager' } },
      webhook: { replicaCount: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } },
      prometheus: { enabled: true, servicemonitor: { enabled: false } },
    });
  });

  it('keeps its CRDs on uninstall only when asked', () => {
    expect(
      valuesOf(
        synthCertManager(() => ({ keepCrds: true })),
        'cm',
      ).crds,
    ).toEqual({ enabled: true, keep: true });
  });

  it('turns on the Gateway API support (gateway-shim, HTTPRoute HTTP-01 solver) in its controller config when asked, and not by default', () => {
    expect(
      valuesOf(
        synthCertManager(() => ({ gatewayApi: true })),
        'cm',
      ).config,
    ).toEqual({
      apiVersion: 'controller.config.cert-manager.io/v1alpha1',
      kind: 'ControllerConfiguration',
      enableGatewayAPI: true,
    });
    expect(valuesOf(synthCertManager(), 'cm')).not.toHaveProperty('config');
    expectProblems(refused({ gatewayApi: 'yes' }), [
      { where: 'test/cm', path: 'gatewayApi', says: ['must be true or false', 'got "yes"'] },
    ]);
  });

  it('does not use the deprecated installCRDs value', () => {
    expect(valuesOf(synthCertManager(), 'cm')).not.toHaveProperty('installCRDs');
  });

  it('carries workload identity: ServiceAccount annotations and pod labels', () => {
    const values = valuesOf(
      synthCertManager(() => ({
        serviceAccountAnnotations: {
          'azure.workload.identity/client-id': '00000000-0000-0000-0000-000000000000',
        },
        podLabels: { 'azure.workload.identity/use': 'true' },
      })),
      'cm',
    );
    expect(values.serviceAccount).toEqual({
      annotations: { 'azure.workload.identity/client-id': '00000000-0000-0000-0000-000000000000' },
    });
    expect(values.podLabels).toEqual({ 'azure.workload.identity/use': 'true' });
  });

  it('passes an IAM role that is a Terraform reference as a set entry', () => {
    const json = synthCertManager((stack) => ({
      serviceAccountAnnotations: {
        'eks.amazonaws.com/role-arn': new TerraformVariable(stack, 'cert_manager_role', { type: 'string' })
          .stringValue,
      },
    }));
    expect(releaseOf(json, 'cm').set).toEqual([
      {
        name: 'serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn',
        value: '${replace(replace(var.cert_manager_role, "\\\\", "\\\\\\\\"), ",", "\\\\,")}',
        type: 'string',
      },
    ]);
  });

  it('uses only the given recursive name servers for the DNS-01 self check', () => {
    const values = valuesOf(
      synthCertManager(() => ({ dns01RecursiveNameservers: ['10.0.0.10:53', '[2001:db8::53]:53'] })),
      'cm',
    );
    expect(values.dns01RecursiveNameservers).toBe('10.0.0.10:53,[2001:db8::53]:53');
    expect(values.dns01RecursiveNameserversOnly).toBe(true);
  });

  it('runs one replica without disruption budgets when asked, and a ServiceMonitor when asked', () => {
    const values = valuesOf(
      synthCertManager(() => ({ replicas: 1, serviceMonitor: true, namespace: 'platform-certs' })),
      'cm',
    );
    expect(values.replicaCount).toBe(1);
    expect(values.podDisruptionBudget).toEqual({ enabled: false });
    expect(values.webhook).toEqual({ replicaCount: 1, podDisruptionBudget: { enabled: false } });
    expect(values.prometheus.servicemonitor).toEqual({ enabled: true });
    expect(values.global.leaderElection.namespace).toBe('platform-certs');
  });

  it('installs from a local chart or an OCI mirror', () => {
    const tgz = chartFixture('mirror/cert-manager-v1.19.6.tgz');
    const local = releaseAttributes(
      synthCertManager(() => ({ chart: ChartSource.localPath(tgz) })),
      'cm',
    );
    expect(local.chart).toBe(tgz);
    expect(local).not.toHaveProperty('version');
    expect(
      releaseAttributes(
        synthCertManager(() => ({
          chart: ChartSource.oci('oci://registry.example.com/jetstack/cert-manager', 'v1.19.6'),
        })),
        'cm',
      ),
    ).toMatchObject({
      repository: 'oci://registry.example.com/jetstack',
      chart: 'cert-manager',
      version: 'v1.19.6',
    });
  });

  it('refuses bad name servers, pod labels and resources in one error', () => {
    expectProblems(
      refused({
        dns01RecursiveNameservers: ['8.8.8.8'],
        podLabels: { 'azure.workload.identity/use': 'yes please' },
        resources: { limits: { memory: '512MB' } },
      }),
      [
        {
          where: 'test/cm',
          path: 'resources.limits.memory',
          says: ['must be a Kubernetes quantity', 'got "512MB"'],
        },
        {
          where: 'test/cm',
          path: 'podLabels.azure.workload.identity/use',
          says: ['must be a valid label value', 'got "yes please"'],
        },
        {
          where: 'test/cm',
          path: 'dns01RecursiveNameservers[0]',
          says: ['must be a name server as "host:port"', 'got "8.8.8.8"'],
        },
      ],
    );
    expectProblems(refused({ dns01RecursiveNameservers: [], serviceMonitor: 'true' }), [
      {
        where: 'test/cm',
        path: 'dns01RecursiveNameservers',
        says: ['must list at least one name server', 'got []'],
      },
      {
        where: 'test/cm',
        path: 'serviceMonitor',
        says: ['must be true, false or { labels, interval }', 'got "true"'],
      },
    ]);
  });
});
