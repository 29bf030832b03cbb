// The same portal on the F5 NGINX Ingress Controller: oauth2-proxy moves into the request
// path (F5's external auth cannot pass identity headers on), sets the header contract on
// requests to Backstage itself, and is the only peer Backstage admits besides the controller.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BackstagePortal, TlsSource, identityHeaderNames } from '../../lib';
import { errorOf, portalProps, resourceAt, resourcesOf, synth } from '../helpers';

const f5Portal = () =>
  synth((stack) => new BackstagePortal(stack, 'portal', { ...portalProps(stack), tls: TlsSource.fromSecret('portal-tls'), ingressFlavour: 'f5-nginx' }));

describe('BackstagePortal on the F5 NGINX Ingress Controller', () => {
  it('types the ingress settings by flavour: an ingress-nginx-only setting does not compile for F5', () => {
    const build = () =>
      synth((stack) => {
        const props = { ...portalProps(stack), tls: TlsSource.fromSecret('portal-tls') };
        // @ts-expect-error cors is read by the ingress-nginx flavour only (npm run typecheck checks this line)
        new BackstagePortal(stack, 'portal', { ...props, ingressFlavour: 'f5-nginx', ingress: { cors: { allowCredentials: true } } });
      });
    // And at run time the F5 flavour refuses it, naming the prop.
    expect(build).toThrow(/ingress\.cors|cors/);
  });

  it('runs oauth2-proxy in front of Backstage, setting exactly the identity headers of the contract', () => {
    const json = f5Portal();
    const alpha = parse(resourceAt(json, 'kubernetes_config_map_v1', 'Gateway/Config').data['alpha-config.yaml']);
    expect(alpha.upstreamConfig.upstreams).toEqual([
      { id: 'portal', path: '/', uri: 'http://backstage.${kubernetes_namespace_v1.portal_Namespace_A3BFD15A.metadata[0].name}.svc.cluster.local:7007' },
    ]);
    expect(alpha.injectRequestHeaders.map((h: { name: string }) => h.name)).toEqual(identityHeaderNames());
    expect(alpha).not.toHaveProperty('injectResponseHeaders');
    const args: string[] = resourceAt(json, 'kubernetes_deployment_v1', 'Gateway/Deployment').spec.template.spec.container[0].args;
    expect(args).toContain('--api-route=^/api/');
    // A legacy-only flag: with --alpha-config, oauth2-proxy v7.14+ exits with "unknown flag".
    expect(args.filter((a) => a.startsWith('--skip-auth-strip-headers'))).toEqual([]);
  });

  it('admits the F5 controller and the oauth2-proxy pods to Backstage, nothing else', () => {
    const json = f5Portal();
    const from = resourceAt(json, 'kubernetes_network_policy_v1', 'Backstage/NetworkPolicy').spec.ingress[0].from;
    expect(from).toEqual([
      { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'nginx-ingress' } }, pod_selector: { match_labels: { 'app.kubernetes.io/name': 'nginx-ingress' } } },
      {
        namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'backstage' } },
        pod_selector: { match_labels: { 'app.kubernetes.io/name': 'oauth2-proxy', 'app.kubernetes.io/instance': 'oauth2-proxy' } },
      },
    ]);
  });

  it('renders F5 Ingresses and Policies, and no ingress-nginx annotations', () => {
    const json = f5Portal();
    const ingresses = Object.values(resourcesOf(json, 'kubernetes_ingress_v1')) as any[];
    expect(ingresses.length).toBeGreaterThanOrEqual(3);
    for (const ingress of ingresses) {
      expect(Object.keys(ingress.metadata.annotations ?? {}).filter((k) => k.startsWith('nginx.ingress.kubernetes.io/'))).toEqual([]);
    }
    const policies = Object.values(resourcesOf(json, 'kubernetes_manifest')).map((r: any) => r.manifest).filter((m) => m.kind === 'Policy');
    expect(policies.length).toBeGreaterThan(0);
    expect(policies.every((p) => p.apiVersion === 'k8s.nginx.org/v1' && p.spec.externalAuth.authURI === '/oauth2/auth')).toBe(true);
  });

  it('refuses apiPaths on an auth-only gateway, where oauth2-proxy cannot decide them', () => {
    expect(errorOf(() => synth((stack) => new BackstagePortal(stack, 'portal', { ...portalProps(stack), gateway: { apiPaths: ['^/api/'] } })))).toBe(
      '[test/portal/Gateway] apiPaths: only works when oauth2-proxy is in the request path (upstream), got ["^/api/"]. In auth-url mode its auth endpoint always answers 401 and the ingress decides: use NginxIngress apiPaths instead.',
    );
  });
});
