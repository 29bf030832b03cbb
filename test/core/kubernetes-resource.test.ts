import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { DeploymentV1, type DeploymentV1Config } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import { IngressV1 } from '@cdktf/provider-kubernetes/lib/ingress-v1';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ServiceV1, type ServiceV1Config } from '@cdktf/provider-kubernetes/lib/service-v1';
import { StatefulSetV1 } from '@cdktf/provider-kubernetes/lib/stateful-set-v1';
import type { TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';

import {
  kubernetesResource,
  type ResourceConfigs,
  toTerraformAttributes,
} from '../../lib/core/kubernetes-resource';
import { resourcesOf, synth } from '../helpers';

describe('toTerraformAttributes', () => {
  it('snake_cases attribute names but keeps the keys of maps (labels, data, manifests) verbatim', () => {
    expect(
      toTerraformAttributes({
        metadata: {
          name: 'x',
          labels: { 'App.Kubernetes.io/Name': 'Web', teamName: 'a' },
          annotations: { 'checksum/config': 'abc' },
        },
        data: { 'appConfig.yaml': 'x: 1' },
        spec: {
          selector: { matchLabels: { appName: 'web' } },
          template: {
            spec: {
              automountServiceAccountToken: false,
              container: [
                { readinessProbe: { httpGet: { path: '/ready' } }, resources: { limits: { cpu: '1' } } },
              ],
            },
          },
        },
        manifest: { apiVersion: 'cert-manager.io/v1', spec: { privateKeySecretRef: { name: 'k' } } },
      }),
    ).toEqual({
      metadata: {
        name: 'x',
        labels: { 'App.Kubernetes.io/Name': 'Web', teamName: 'a' },
        annotations: { 'checksum/config': 'abc' },
      },
      data: { 'appConfig.yaml': 'x: 1' },
      spec: {
        selector: { match_labels: { appName: 'web' } },
        template: {
          spec: {
            automount_service_account_token: false,
            container: [
              { readiness_probe: { http_get: { path: '/ready' } }, resources: { limits: { cpu: '1' } } },
            ],
          },
        },
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
    expect(toTerraformAttributes({ a: undefined, portList: [{ containerPort: 1 }], readOnly: true })).toEqual(
      { port_list: [{ container_port: 1 }], read_only: true },
    );
  });
});

describe("KubernetesResource against the provider's generated classes", () => {
  // The library renders through KubernetesResource instead of DeploymentV1/ServiceV1 (see
  // README, Performance); the Terraform JSON must be the same as the generated classes'.
  const deployment: DeploymentV1Config = {
    metadata: {
      name: 'web',
      namespace: 'portal',
      labels: { 'app.kubernetes.io/name': 'web', Team: 'A' },
      annotations: { 'checksum/config': 'abc' },
    },
    spec: {
      replicas: '2',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '0', maxUnavailable: '1' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: '1000',
            seccompProfile: { type: 'RuntimeDefault' },
          },
          container: [
            {
              name: 'web',
              image: 'registry.example.com/web:1.0.0',
              args: ['--config', '/etc/web.yaml'],
              env: [
                { name: 'A', value: 'b' },
                { name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
              ],
              port: [{ name: 'http', containerPort: 7007, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 10 },
              resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } },
              securityContext: {
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
              },
              volumeMount: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volume: [
            { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
            { name: 'cfg', configMap: { name: 'web-config' } },
          ],
          topologySpreadConstraint: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: [{ matchLabels: { 'app.kubernetes.io/name': 'web' } }],
            },
          ],
        },
      },
    },
  };
  const service: ServiceV1Config = {
    metadata: { name: 'web', namespace: 'portal' },
    spec: {
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'web' },
      port: [{ name: 'http', port: 7007, targetPort: 'http', protocol: 'TCP' }],
    },
  };

  it('renders a Deployment and a Service exactly as DeploymentV1 and ServiceV1 do', () => {
    const json = synth((stack) => {
      new DeploymentV1(stack, 'generated-deployment', deployment);
      new ServiceV1(stack, 'generated-service', service);
      kubernetesResource(stack, 'ours-deployment', 'kubernetes_deployment_v1', deployment);
      kubernetesResource(stack, 'ours-service', 'kubernetes_service_v1', service);
    });
    const body = (type: string, id: string) => {
      const { ['//']: _meta, ...rest } = Object.entries(resourcesOf(json, type)).find(([logicalId]) =>
        logicalId.startsWith(id),
      )![1];
      return rest;
    };
    expect(body('kubernetes_deployment_v1', 'ours-deployment')).toEqual(
      body('kubernetes_deployment_v1', 'generated-deployment'),
    );
    expect(body('kubernetes_service_v1', 'ours-service')).toEqual(
      body('kubernetes_service_v1', 'generated-service'),
    );
  });
});

describe('KubernetesResource renders every resource type of the library as the generated classes do', () => {
  // One representative config per type, with the map attributes whose user keys must stay
  // verbatim (camelCase node labels, Secret keys, ...), built both ways.
  const meta = {
    name: 'web',
    namespace: 'portal',
    labels: { 'app.kubernetes.io/name': 'web', teamName: 'a' },
    annotations: { 'checksum/config': 'abc' },
  };
  const podSpec = {
    nodeSelector: { diskType: 'ssd', 'kubernetes.io/os': 'linux' },
    container: [
      {
        name: 'web',
        image: 'registry.example.com/web:1.0.0',
        resources: { limits: { 'nvidia.com/gpu': '1' } },
      },
    ],
  };
  const cases: Array<[string, new (scope: Construct, id: string, config: any) => TerraformResource, object]> =
    [
      [
        'kubernetes_config_map_v1',
        ConfigMapV1,
        { metadata: meta, data: { 'appConfig.yaml': 'a: 1' }, binaryData: { logoPng: 'AAAA' } },
      ],
      [
        'kubernetes_secret_v1',
        SecretV1,
        { metadata: meta, type: 'Opaque', data: { clientSecret: 'x' }, binaryData: { keyP12: 'AAAA' } },
      ],
      [
        'kubernetes_namespace_v1',
        NamespaceV1,
        { metadata: { name: 'portal', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
      ],
      [
        'kubernetes_service_account_v1',
        ServiceAccountV1,
        { metadata: meta, automountServiceAccountToken: false },
      ],
      [
        'kubernetes_role_v1',
        RoleV1,
        {
          metadata: meta,
          rule: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['db'] }],
        },
      ],
      [
        'kubernetes_role_binding_v1',
        RoleBindingV1,
        {
          metadata: meta,
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
          subject: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'portal' }],
        },
      ],
      [
        'kubernetes_deployment_v1',
        DeploymentV1,
        {
          metadata: meta,
          spec: {
            selector: { matchLabels: { appName: 'web' } },
            template: { metadata: { labels: { appName: 'web' } }, spec: podSpec },
          },
        },
      ],
      [
        'kubernetes_stateful_set_v1',
        StatefulSetV1,
        {
          metadata: meta,
          spec: {
            serviceName: 'web',
            selector: { matchLabels: { appName: 'web' } },
            template: { metadata: { labels: { appName: 'web' } }, spec: podSpec },
            volumeClaimTemplate: [
              {
                metadata: { name: 'data' },
                spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
              },
            ],
          },
        },
      ],
      [
        'kubernetes_service_v1',
        ServiceV1,
        { metadata: meta, spec: { selector: { appName: 'web' }, port: [{ port: 80, targetPort: 'http' }] } },
      ],
      [
        'kubernetes_pod_disruption_budget_v1',
        PodDisruptionBudgetV1,
        { metadata: meta, spec: { maxUnavailable: '1', selector: { matchLabels: { appName: 'web' } } } },
      ],
      [
        'kubernetes_network_policy_v1',
        NetworkPolicyV1,
        {
          metadata: meta,
          spec: {
            podSelector: { matchLabels: { appName: 'web' } },
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [
                  {
                    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
                    podSelector: { matchLabels: { appName: 'nginx' } },
                  },
                ],
              },
            ],
          },
        },
      ],
      [
        'kubernetes_horizontal_pod_autoscaler_v2',
        HorizontalPodAutoscalerV2,
        {
          metadata: meta,
          spec: {
            minReplicas: 2,
            maxReplicas: 6,
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
            metric: [
              {
                type: 'Resource',
                resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } },
              },
            ],
          },
        },
      ],
      [
        'kubernetes_ingress_v1',
        IngressV1,
        {
          metadata: meta,
          spec: {
            ingressClassName: 'nginx',
            tls: [{ hosts: ['portal.example.com'], secretName: 'portal-tls' }],
            rule: [
              {
                host: 'portal.example.com',
                http: {
                  path: [
                    {
                      path: '/',
                      pathType: 'Prefix',
                      backend: { service: { name: 'web', port: { number: 80 } } },
                    },
                  ],
                },
              },
            ],
          },
        },
      ],
      [
        'kubernetes_manifest',
        Manifest,
        {
          manifest: {
            apiVersion: 'cert-manager.io/v1',
            kind: 'ClusterIssuer',
            metadata: { name: 'x' },
            spec: { selfSigned: {} },
          },
        },
      ],
    ];

  it.each(cases)('%s', (type, Generated, config) => {
    const json = synth((stack) => {
      new Generated(stack, 'generated', config);
      kubernetesResource(stack, 'ours', type as keyof ResourceConfigs, config as never);
    });
    const body = (id: string) => {
      const { ['//']: _meta, ...rest } = Object.entries(resourcesOf(json, type)).find(([logicalId]) =>
        logicalId.startsWith(id),
      )![1];
      return rest;
    };
    expect(body('ours')).toEqual(body('generated'));
  });

  it('keeps node selector keys verbatim (they are node labels)', () => {
    expect(toTerraformAttributes({ nodeSelector: { diskType: 'ssd' } })).toEqual({
      node_selector: { diskType: 'ssd' },
    });
  });
});

describe('kubernetesResource typing', () => {
  it('ties each resource type to its own config interface', () => {
    synth((stack) => {
      kubernetesResource(stack, 'cm', 'kubernetes_config_map_v1', {
        metadata: { name: 'a' },
        data: { a: 'b' },
      });
      kubernetesResource(stack, 'wrong', 'kubernetes_config_map_v1', {
        metadata: { name: 'a' },
        // @ts-expect-error a Service config for a ConfigMap does not compile (typecheck checks this line)
        spec: { port: [{ port: 80 }] },
      });
    });
  });
});
