// The machine host on the F5 flavour: the machine entry sits in the request path (as the
// people's oauth2-proxy does there), and the machine host gets a master and a minion of its
// own, with the portal's host-level settings and the minion's, every path to the machine
// entry; the portal's master asks cert-manager for one certificate naming both hosts.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import type { F5NginxPortalProps } from '../../lib';
import { BackstagePortal, identityHeaderNames, MachineClient, TlsSource } from '../../lib';
import { portalProps, resourceAt, resourcesOf, synth, TfJson } from '../helpers';

const HOST = 'backstage.example.com';
const MACHINE_HOST = 'api.backstage.example.com';
const f5MachinePortal = (more: Partial<F5NginxPortalProps> = {}) =>
  synth(
    (stack) =>
      new BackstagePortal(stack, 'portal', {
        ...portalProps(stack),
        // An issuer whose HTTP-01 solver Ingress is a minion (F5NginxIngress.ACME_SOLVER_INGRESS_TEMPLATE).
        tls: TlsSource.fromIssuer('letsencrypt-f5'),
        ingressFlavour: 'f5-nginx',
        machineHost: MACHINE_HOST,
        machineClients: [
          MachineClient.githubActions({
            audience: 'backstage-ci',
            repository: 'acme/service',
            refs: ['refs/heads/main'],
          }),
        ],
        ...more,
      } as F5NginxPortalProps),
  );
const ingressAt = (json: TfJson, suffix: string) => resourceAt(json, 'kubernetes_ingress_v1', suffix);
const alphaOf = (json: TfJson, suffix: string) =>
  parse(resourceAt(json, 'kubernetes_config_map_v1', suffix).data['alpha-config.yaml']);
const fromOf = (json: TfJson, suffix: string) =>
  resourceAt(json, 'kubernetes_network_policy_v1', suffix).spec.ingress[0].from;
const withoutCertManager = (annotations: Record<string, string>) =>
  Object.fromEntries(Object.entries(annotations).filter(([k]) => !k.startsWith('cert-manager.io/')));

describe('BackstagePortal machineHost on the F5 NGINX Ingress Controller', () => {
  const json = f5MachinePortal({ ingress: { allowSourceRanges: ['203.0.113.0/24'] } });

  it("gives the machine host a master with the portal's host-level settings, and the portal's master names both hosts for cert-manager", () => {
    const portal = ingressAt(json, 'portal/Ingress/Ingress');
    expect(portal.metadata.annotations['cert-manager.io/cluster-issuer']).toBe('letsencrypt-f5');
    expect(portal.spec.tls).toEqual([
      { hosts: [HOST, MACHINE_HOST], secret_name: 'backstage-example-com-tls' },
    ]);
    const master = ingressAt(json, 'portal/Ingress/MachineIngress');
    expect(master.metadata.name).toBe('backstage-machines');
    expect(master.spec.rule).toEqual([{ host: MACHINE_HOST }]);
    expect(master.spec.tls).toEqual([{ hosts: [MACHINE_HOST], secret_name: 'backstage-example-com-tls' }]);
    // The same HTTPS redirect and HSTS; cert-manager is asked once, by the portal's master.
    expect(master.metadata.annotations).toEqual(withoutCertManager(portal.metadata.annotations));
    expect(master.metadata.annotations['nginx.org/mergeable-ingress-type']).toBe('master');
    expect(master.metadata.annotations['nginx.org/hsts']).toBe('true');
  });

  it("routes every path of the machine host to the machine entry through a minion with the portal minion's settings", () => {
    const minion = ingressAt(json, 'portal/Ingress/MachineAppIngress');
    expect(minion.metadata.name).toBe('backstage-machines-app');
    expect(minion.spec.rule).toEqual([
      {
        host: MACHINE_HOST,
        http: {
          path: [
            {
              path: '/',
              path_type: 'Prefix',
              backend: { service: { name: 'oauth2-proxy-machines', port: { number: 4180 } } },
            },
          ],
        },
      },
    ]);
    const app = ingressAt(json, 'portal/Ingress/AppIngress');
    // The allow-list, buffers, timeouts and the stripped identity headers, as on the portal's minion.
    expect(minion.metadata.annotations).toEqual(app.metadata.annotations);
    expect(minion.metadata.annotations['nginx.org/policies']).toBe('backstage-allow-list');
    expect(minion.metadata.annotations['nginx.org/proxy-set-headers']).toBe(
      identityHeaderNames()
        .map((h) => `${h}: `)
        .join(','),
    );
  });

  it('puts the machine entry in the request path, admits the F5 controller to it and it to Backstage', () => {
    const alpha = alphaOf(json, 'portal/Gateway/Machines/Config');
    expect(alpha.upstreamConfig).toEqual(alphaOf(json, 'portal/Gateway/Config').upstreamConfig);
    expect(alpha.injectRequestHeaders).toEqual(identityHeaderNames().map((name) => ({ name, values: [] })));
    const args: string[] = resourceAt(json, 'kubernetes_deployment_v1', 'portal/Gateway/Machines/Deployment')
      .spec.template.spec.container[0].args;
    expect(args).toEqual(expect.arrayContaining(['--api-route=^/', '--force-json-errors=true']));
    expect(fromOf(json, 'portal/Gateway/Machines/NetworkPolicy')).toEqual(
      fromOf(json, 'portal/Gateway/NetworkPolicy'),
    );
    const backstagePeers = fromOf(json, 'portal/Backstage/NetworkPolicy').map(
      (p: any) => p.pod_selector.match_labels['app.kubernetes.io/instance'] ?? p.pod_selector.match_labels,
    );
    expect(backstagePeers).toContain('oauth2-proxy');
    expect(backstagePeers).toContain('oauth2-proxy-machines');
    // Four Ingresses: the portal's master and minion, the machine host's master and minion.
    expect(Object.keys(resourcesOf(json, 'kubernetes_ingress_v1'))).toHaveLength(4);
  });
});
