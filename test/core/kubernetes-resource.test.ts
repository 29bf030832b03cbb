import { describe, expect, it } from 'vitest';
import { toTerraformAttributes } from '../../lib/core/kubernetes-resource';

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
