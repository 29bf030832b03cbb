import { describe, expect, it } from 'vitest';
import { DeploymentV1, type DeploymentV1Config } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { ServiceV1, type ServiceV1Config } from '@cdktf/provider-kubernetes/lib/service-v1';
import { kubernetesResource, toTerraformAttributes } from '../../lib/core/kubernetes-resource';
import { resourcesOf, synth } from '../helpers';

describe('toTerraformAttributes', () => {
  it('snake_cases attribute names but keeps the keys of maps (labels, data, manifests) verbatim', () => {
    expect(
      toTerraformAttributes({
        metadata: { name: 'x', labels: { 'App.Kubernetes.io/Name': 'Web', teamName: 'a' }, annotations: { 'checksum/config': 'abc' } },
        data: { 'appConfig.yaml': 'x: 1' },
        spec: {
          selector: { matchLabels: { appName: 'web' } },
          template: { spec: { automountServiceAccountToken: false, container: [{ readinessProbe: { httpGet: { path: '/ready' } }, resources: { limits: { cpu: '1' } } }] } },
        },
        manifest: { apiVersion: 'cert-manager.io/v1', spec: { privateKeySecretRef: { name: 'k' } } },
      }),
    ).toEqual({
      metadata: { name: 'x', labels: { 'App.Kubernetes.io/Name': 'Web', teamName: 'a' }, annotations: { 'checksum/config': 'abc' } },
      data: { 'appConfig.yaml': 'x: 1' },
      spec: {
        selector: { match_labels: { appName: 'web' } },
        template: { spec: { automount_service_account_token: false, container: [{ readiness_probe: { http_get: { path: '/ready' } }, resources: { limits: { cpu: '1' } } }] } },
      },
      manifest: { apiVersion: 'cert-manager.io/v1', spec: { privateKeySecretRef: { name: 'k' } } },
    });
  });

  it("treats a Service's selector (strings only) as a map and a workload's as a block", () => {
    expect(toTerraformAttributes({ spec: { selector: { appName: 'web' }, clusterIp: 'None' } })).toEqual({
      spec: { selector: { appName: 'web' }, cluster_ip: 'None' },
    });
  });

  it('drops undefined values and keeps arrays, numbers and booleans', () => {
    expect(toTerraformAttributes({ a: undefined, portList: [{ containerPort: 1 }], readOnly: true })).toEqual({ port_list: [{ container_port: 1 }], read_only: true });
  });
});

describe('KubernetesResource against the provider\'s generated classes', () => {
  // The library renders through KubernetesResource instead of DeploymentV1/ServiceV1 (see
  // README, Performance); the Terraform JSON must be the same as the generated classes'.
  const deployment: DeploymentV1Config = {
    metadata: { name: 'web', namespace: 'portal', labels: { 'app.kubernetes.io/name': 'web', Team: 'A' }, annotations: { 'checksum/config': 'abc' } },
    spec: {
      replicas: '2',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '0', maxUnavailable: '1' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: '1000', seccompProfile: { type: 'RuntimeDefault' } },
          container: [
            {
              name: 'web',
              image: 'registry.example.com/web:1.0.0',
              args: ['--config', '/etc/web.yaml'],
              env: [{ name: 'A', value: 'b' }, { name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
              port: [{ name: 'http', containerPort: 7007, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 10 },
              resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } },
              securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMount: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volume: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }, { name: 'cfg', configMap: { name: 'web-config' } }],
          topologySpreadConstraint: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: [{ matchLabels: { 'app.kubernetes.io/name': 'web' } }] }],
        },
      },
    },
  };
  const service: ServiceV1Config = {
    metadata: { name: 'web', namespace: 'portal' },
    spec: { type: 'ClusterIP', selector: { 'app.kubernetes.io/name': 'web' }, port: [{ name: 'http', port: 7007, targetPort: 'http', protocol: 'TCP' }] },
  };

  it('renders a Deployment and a Service exactly as DeploymentV1 and ServiceV1 do', () => {
    const json = synth((stack) => {
      new DeploymentV1(stack, 'generated-deployment', deployment);
      new ServiceV1(stack, 'generated-service', service);
      kubernetesResource<DeploymentV1Config>(stack, 'ours-deployment', 'kubernetes_deployment_v1', deployment);
      kubernetesResource<ServiceV1Config>(stack, 'ours-service', 'kubernetes_service_v1', service);
    });
    const body = (type: string, id: string) => {
      const { ['//']: _meta, ...rest } = Object.entries(resourcesOf(json, type)).find(([logicalId]) => logicalId.startsWith(id))![1];
      return rest;
    };
    expect(body('kubernetes_deployment_v1', 'ours-deployment')).toEqual(body('kubernetes_deployment_v1', 'generated-deployment'));
    expect(body('kubernetes_service_v1', 'ours-service')).toEqual(body('kubernetes_service_v1', 'generated-service'));
  });
});
