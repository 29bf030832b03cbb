// trustedCa: a CA bundle from a ConfigMap that oauth2-proxy (both Deployments) and Backstage
// trust besides their images' roots, each told the way its runtime reads it.
import { describe, expect, it } from 'vitest';

import { BackstagePortal, MachineClient, SecretRef } from '../../lib';
import { expectProblems, portalProps, resourceAt, synth, TfJson } from '../helpers';

const CLUSTER_CA = { configMapName: 'kube-root-ca.crt', key: 'ca.crt' };
const agentClient = () =>
  MachineClient.kubernetesServiceAccount({
    issuerUrl: 'https://kubernetes.default.svc.cluster.local',
    audience: 'backstage-agents',
    namespace: 'agents',
    serviceAccount: 'catalog-agent',
  });
const portal = (more: Record<string, unknown> = {}) =>
  synth(
    (stack) =>
      new BackstagePortal(stack, 'portal', {
        ...portalProps(stack),
        access: { allowAnyAuthenticatedUser: true },
        machineHost: 'api.backstage.example.com',
        machineClients: [agentClient()],
        ...more,
      }),
  );
const podOf = (json: TfJson, path: string) =>
  resourceAt(json, 'kubernetes_deployment_v1', path).spec.template.spec;
/** The container's env entry, mounts and volumes of the trusted CA (or what stands there). */
const trustOf = (json: TfJson, path: string) => {
  const pod = podOf(json, path);
  const container = pod.container[0];
  return {
    env: container.env.filter((e: any) => ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_DIR'].includes(e.name)),
    mounts: container.volume_mount.filter((m: any) => m.name === 'trusted-ca'),
    volumes: pod.volume.filter((v: any) => v.name === 'trusted-ca'),
  };
};
const volume = [
  {
    name: 'trusted-ca',
    config_map: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.pem' }] },
  },
];

describe('BackstagePortal trustedCa', () => {
  const json = portal({ trustedCa: CLUSTER_CA });

  it("gives Backstage the bundle as NODE_EXTRA_CA_CERTS, one file mounted read-only from the ConfigMap's key", () => {
    expect(trustOf(json, 'portal/Backstage/Deployment')).toEqual({
      env: [{ name: 'NODE_EXTRA_CA_CERTS', value: '/etc/backstage-trusted-ca/ca.pem' }],
      mounts: [{ name: 'trusted-ca', mount_path: '/etc/backstage-trusted-ca', read_only: true }],
      volumes: volume,
    });
  });

  it('gives both oauth2-proxy Deployments (the people and the machine entry) the directory as SSL_CERT_DIR', () => {
    const gateway = {
      env: [{ name: 'SSL_CERT_DIR', value: '/etc/oauth2-proxy-trusted-ca' }],
      mounts: [{ name: 'trusted-ca', mount_path: '/etc/oauth2-proxy-trusted-ca', read_only: true }],
      volumes: volume,
    };
    expect(trustOf(json, 'portal/Gateway/Deployment')).toEqual(gateway);
    expect(trustOf(json, 'portal/Gateway/Machines/Deployment')).toEqual(gateway);
  });

  it("restarts all three Deployments through Reloader when the bundle changes (each reads it only at start), and leaves Reloader's stamp to it", () => {
    for (const path of [
      'portal/Backstage/Deployment',
      'portal/Gateway/Deployment',
      'portal/Gateway/Machines/Deployment',
    ]) {
      const deployment = resourceAt(json, 'kubernetes_deployment_v1', path);
      expect(deployment.metadata.annotations, path).toEqual({
        'configmap.reloader.stakater.com/reload': 'kube-root-ca.crt',
      });
      expect(deployment.lifecycle.ignore_changes, path).toContain(
        'spec[0].template[0].metadata[0].annotations["reloader.stakater.com/last-reloaded-from"]',
      );
    }
  });

  it('names the bundle beside the Secrets Reloader already watches', () => {
    const withExisting = portal({
      trustedCa: CLUSTER_CA,
      clientSecret: SecretRef.fromSecret('oidc', 'client-secret'),
    });
    expect(
      resourceAt(withExisting, 'kubernetes_deployment_v1', 'portal/Gateway/Deployment').metadata.annotations,
    ).toEqual({
      'secret.reloader.stakater.com/reload': 'oidc',
      'configmap.reloader.stakater.com/reload': 'kube-root-ca.crt',
    });
  });

  it('renders none of it by default', () => {
    const plain = portal();
    for (const path of [
      'portal/Backstage/Deployment',
      'portal/Gateway/Deployment',
      'portal/Gateway/Machines/Deployment',
    ]) {
      expect(trustOf(plain, path)).toEqual({ env: [], mounts: [], volumes: [] });
      const deployment = resourceAt(plain, 'kubernetes_deployment_v1', path);
      expect(
        deployment.metadata.annotations?.['configmap.reloader.stakater.com/reload'],
        path,
      ).toBeUndefined();
    }
    expect(
      resourceAt(plain, 'kubernetes_deployment_v1', 'portal/Gateway/Machines/Deployment').lifecycle,
    ).toBeUndefined();
  });

  it('refuses NODE_EXTRA_CA_CERTS in Backstage env beside it: one of the two values would be lost', () => {
    expectProblems(
      () =>
        portal({
          trustedCa: CLUSTER_CA,
          backstage: { replicas: 1, env: { NODE_EXTRA_CA_CERTS: '/ca.pem' } },
        }),
      [
        {
          path: 'env.NODE_EXTRA_CA_CERTS',
          says: ['is set by trustedCa', 'Put every CA into the trustedCa bundle'],
        },
      ],
    );
  });

  it('refuses a ConfigMap name or key Kubernetes would refuse', () => {
    expectProblems(
      () => portal({ trustedCa: { configMapName: 'Kube_Root', key: 'ca crt' } }),
      [
        {
          path: 'trustedCa.configMapName',
          says: 'must be a valid Kubernetes object name (RFC 1123 subdomain)',
        },
        { path: 'trustedCa.key', says: 'must be a valid Secret key' },
      ],
    );
  });
});
