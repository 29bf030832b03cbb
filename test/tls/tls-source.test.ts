import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';

import {
  ACME_DIRECTORIES,
  BackstagePortal,
  type IngressAuthGateway,
  NginxIngress,
  TlsSource,
} from '../../lib';
import { expectProblems, portalProps, resourceAt, resourcesOf, synth, type TfJson } from '../helpers';

const gateway: IngressAuthGateway = {
  authUrl: 'http://oauth2-proxy.backstage.svc.cluster.local:4180/oauth2/auth',
  signInUrl: 'https://backstage.example.com/oauth2/start?rd=$escaped_request_uri',
  serviceName: 'oauth2-proxy',
  port: 4180,
  sessionStore: { proxyBufferSize: '32k' },
};

function ingress(
  stack: TerraformStack,
  id: string,
  tls: TlsSource,
  options: { host?: string; ingressClassName?: string } = {},
): NginxIngress {
  return new NginxIngress(stack, id, {
    namespace: 'backstage',
    host: options.host ?? 'backstage.example.com',
    backend: { serviceName: 'backstage', port: 7007 },
    gateway,
    tls,
    ...(options.ingressClassName ? { ingressClassName: options.ingressClassName } : {}),
  });
}

function synthIngress(tls: TlsSource, options: { ingressClassName?: string } = {}): TfJson {
  return synth((stack) => ingress(stack, 'ing', tls, options));
}

const manifests = (json: TfJson): any[] => Object.values(resourcesOf(json, 'kubernetes_manifest'));
const mainIngress = (json: TfJson, id = 'ing') => resourceAt(json, 'kubernetes_ingress_v1', `${id}/Ingress`);
const certManagerAnnotations = (json: TfJson, id = 'ing') =>
  Object.fromEntries(
    Object.entries(mainIngress(json, id).metadata.annotations as Record<string, string>).filter(([k]) =>
      k.startsWith('cert-manager.io/'),
    ),
  );

describe('TlsSource', () => {
  describe('acme', () => {
    it("creates a Let's Encrypt production ClusterIssuer with an HTTP-01 solver on the ingress class", () => {
      const json = synthIngress(TlsSource.acme({ email: 'platform@example.com' }));
      const issuer = resourceAt(
        json,
        'kubernetes_manifest',
        'ing/ClusterIssuer-letsencrypt-production/Resource',
      );
      expect(issuer.manifest).toEqual({
        apiVersion: 'cert-manager.io/v1',
        kind: 'ClusterIssuer',
        metadata: {
          name: 'letsencrypt-production',
          labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
        },
        spec: {
          acme: {
            server: 'https://acme-v02.api.letsencrypt.org/directory',
            email: 'platform@example.com',
            privateKeySecretRef: { name: 'letsencrypt-production-account-key' },
            solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }],
          },
        },
      });
    });

    it('asks cert-manager for the certificate on the authenticated Ingress only, after the issuer exists', () => {
      const json = synthIngress(TlsSource.acme({ email: 'platform@example.com' }));
      const [issuerId] = Object.keys(resourcesOf(json, 'kubernetes_manifest'));
      expect(certManagerAnnotations(json)).toEqual({
        'cert-manager.io/cluster-issuer': 'letsencrypt-production',
      });
      expect(mainIngress(json).spec.tls).toEqual([
        { hosts: ['backstage.example.com'], secret_name: 'backstage-example-com-tls' },
      ]);
      expect(mainIngress(json).depends_on).toEqual([`kubernetes_manifest.${issuerId}`]);
      const signIn = resourceAt(json, 'kubernetes_ingress_v1', 'ing/SignInIngress');
      expect(
        Object.keys(signIn.metadata.annotations).filter((k) => k.startsWith('cert-manager.io/')),
      ).toEqual([]);
      expect(signIn.spec.tls).toEqual([
        { hosts: ['backstage.example.com'], secret_name: 'backstage-example-com-tls' },
      ]);
    });

    it("uses the Let's Encrypt staging directory", () => {
      const json = synthIngress(TlsSource.acme({ email: 'platform@example.com', server: 'staging' }));
      const [issuer] = manifests(json);
      expect(issuer.manifest.metadata.name).toBe('letsencrypt-staging');
      expect(issuer.manifest.spec.acme.server).toBe(ACME_DIRECTORIES.staging);
      expect(issuer.manifest.spec.acme.server).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
      expect(issuer.manifest.spec.acme.privateKeySecretRef).toEqual({
        name: 'letsencrypt-staging-account-key',
      });
      expect(certManagerAnnotations(json)).toEqual({
        'cert-manager.io/cluster-issuer': 'letsencrypt-staging',
      });
    });

    it('uses a custom https ACME directory under the name "acme" or the given name', () => {
      const server = 'https://acme.zerossl.com/v2/DV90';
      const [byDefault] = manifests(synthIngress(TlsSource.acme({ email: 'platform@example.com', server })));
      expect(byDefault.manifest.metadata.name).toBe('acme');
      expect(byDefault.manifest.spec.acme.server).toBe(server);
      const json = synthIngress(
        TlsSource.acme({ email: 'platform@example.com', server, issuerName: 'zerossl' }),
      );
      expect(manifests(json)[0].manifest.metadata.name).toBe('zerossl');
      expect(manifests(json)[0].manifest.spec.acme.privateKeySecretRef).toEqual({
        name: 'zerossl-account-key',
      });
      expect(certManagerAnnotations(json)).toEqual({ 'cert-manager.io/cluster-issuer': 'zerossl' });
    });

    it('answers HTTP-01 challenges with the ingress class of the portal', () => {
      const [issuer] = manifests(
        synthIngress(TlsSource.acme({ email: 'platform@example.com' }), { ingressClassName: 'nginx-public' }),
      );
      expect(issuer.manifest.spec.acme.solvers).toEqual([
        { http01: { ingress: { ingressClassName: 'nginx-public' } } },
      ]);
    });

    it("answers HTTP-01 challenges with an HTTPRoute on a Gateway listener when the binding names one (cert-manager's gatewayHTTPRoute solver)", () => {
      let bound: unknown;
      const json = synth((stack) => {
        bound = TlsSource.acme({ email: 'platform@example.com' }).bind({
          scope: stack,
          host: 'backstage.example.com',
          ingressClassName: 'unused',
          http01Gateway: { name: 'portal', namespace: 'backstage', sectionName: 'http' },
        });
      });
      expect(manifests(json).map((r) => r.manifest.spec.acme.solvers)).toEqual([
        [
          {
            http01: {
              gatewayHTTPRoute: {
                parentRefs: [
                  {
                    group: 'gateway.networking.k8s.io',
                    kind: 'Gateway',
                    name: 'portal',
                    namespace: 'backstage',
                    sectionName: 'http',
                  },
                ],
              },
            },
          },
        ],
      ]);
      // The Gateway asks for the certificate with the same annotation as an Ingress.
      expect(bound).toMatchObject({
        secretName: 'backstage-example-com-tls',
        annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt-production' },
      });
    });

    it('creates the ClusterIssuer once per stack even when two portals use it', () => {
      const json = synth((stack) => {
        const props = portalProps(stack);
        new BackstagePortal(stack, 'team-a', { ...props, namespace: 'team-a', host: 'a.example.com' });
        new BackstagePortal(stack, 'team-b', { ...props, namespace: 'team-b', host: 'b.example.com' });
      });
      const issuers = Object.entries(resourcesOf(json, 'kubernetes_manifest')).filter(
        ([, r]) => r.manifest.kind === 'ClusterIssuer',
      );
      expect(issuers).toHaveLength(1);
      const [issuerId, issuer] = issuers[0]!;
      expect(issuer.manifest.metadata.name).toBe('letsencrypt-production');
      for (const portal of ['team-a', 'team-b']) {
        expect(certManagerAnnotations(json, `${portal}/Ingress`)).toEqual({
          'cert-manager.io/cluster-issuer': 'letsencrypt-production',
        });
        expect(mainIngress(json, `${portal}/Ingress`).depends_on).toEqual([
          `kubernetes_manifest.${issuerId}`,
        ]);
      }
      expect(mainIngress(json, 'team-b/Ingress').spec.tls[0].secret_name).toBe('b-example-com-tls');
    });

    it('creates one ClusterIssuer per name when portals use different ACME servers', () => {
      const json = synth((stack) => {
        ingress(stack, 'prod', TlsSource.acme({ email: 'platform@example.com' }), { host: 'a.example.com' });
        ingress(stack, 'test', TlsSource.acme({ email: 'platform@example.com', server: 'staging' }), {
          host: 'b.example.com',
        });
      });
      expect(
        manifests(json)
          .map((m) => m.manifest.metadata.name)
          .sort(),
      ).toEqual(['letsencrypt-production', 'letsencrypt-staging']);
    });

    it('is not self-signed', () => {
      expect(TlsSource.acme({ email: 'platform@example.com' }).isSelfSigned).toBe(false);
    });

    it('refuses an invalid e-mail', () => {
      expectProblems(
        () => synthIngress(TlsSource.acme({ email: 'platform-at-example.com' })),
        [
          {
            where: 'test/ing',
            path: 'tls.email',
            says: ['must be an e-mail address', 'got "platform-at-example.com"'],
          },
        ],
      );
    });

    it('refuses a plain-http ACME server', () => {
      // Either wording of the https requirement is fine; the refusal must name the plain-http URL.
      expectProblems(
        () =>
          synthIngress(
            TlsSource.acme({ email: 'platform@example.com', server: 'http://acme.example.com/directory' }),
          ),
        [
          {
            where: 'test/ing',
            path: 'tls.server',
            says: ['must be ', 'an https://', 'got "http://acme.example.com/directory"'],
          },
        ],
      );
    });

    it('refuses an unknown server name, listing the accepted names', () => {
      expectProblems(
        () => synthIngress(TlsSource.acme({ email: 'platform@example.com', server: 'prod' })),
        [
          {
            where: 'test/ing',
            path: 'tls.server',
            says: ['must be "production", "staging" or an https:// ACME directory URL', 'got "prod"'],
          },
        ],
      );
    });

    it('refuses an invalid issuer name', () => {
      expectProblems(
        () => synthIngress(TlsSource.acme({ email: 'platform@example.com', issuerName: 'LetsEncrypt' })),
        [
          {
            where: 'test/ing',
            path: 'tls.issuerName',
            says: ['must be a valid Kubernetes name', 'got "LetsEncrypt"'],
          },
        ],
      );
    });
  });

  describe('fromIssuer', () => {
    it('annotates for an existing ClusterIssuer and creates none', () => {
      const json = synthIngress(TlsSource.fromIssuer('corp-acme'));
      expect(manifests(json)).toEqual([]);
      expect(certManagerAnnotations(json)).toEqual({ 'cert-manager.io/cluster-issuer': 'corp-acme' });
      expect(mainIngress(json).spec.tls).toEqual([
        { hosts: ['backstage.example.com'], secret_name: 'backstage-example-com-tls' },
      ]);
      expect(mainIngress(json).depends_on ?? []).toEqual([]);
    });

    it('annotates for a namespaced Issuer', () => {
      const json = synthIngress(TlsSource.fromIssuer('team-issuer', 'Issuer'));
      expect(manifests(json)).toEqual([]);
      expect(certManagerAnnotations(json)).toEqual({ 'cert-manager.io/issuer': 'team-issuer' });
    });

    it('refuses an invalid issuer name and kind', () => {
      expectProblems(
        () => synthIngress(TlsSource.fromIssuer('Corp_CA', 'Certificate' as never)),
        [
          {
            where: 'test/ing',
            path: 'tls.issuerName',
            says: ['must be a valid Kubernetes name', 'got "Corp_CA"'],
          },
          {
            where: 'test/ing',
            path: 'tls.kind',
            says: ['must be "ClusterIssuer" or "Issuer"', 'got "Certificate"'],
          },
        ],
      );
    });
  });

  describe('fromSecret', () => {
    it('serves the given TLS Secret without any cert-manager annotation', () => {
      const json = synthIngress(TlsSource.fromSecret('portal-wildcard-tls'));
      expect(manifests(json)).toEqual([]);
      expect(certManagerAnnotations(json)).toEqual({});
      expect(mainIngress(json).spec.tls).toEqual([
        { hosts: ['backstage.example.com'], secret_name: 'portal-wildcard-tls' },
      ]);
      expect(resourceAt(json, 'kubernetes_ingress_v1', 'ing/SignInIngress').spec.tls[0].secret_name).toBe(
        'portal-wildcard-tls',
      );
    });

    it('refuses an invalid Secret name', () => {
      expectProblems(
        () => synthIngress(TlsSource.fromSecret('Portal_TLS')),
        [
          {
            where: 'test/ing',
            path: 'tls.secretName',
            says: ['must be a valid Kubernetes object name', 'got "Portal_TLS"'],
          },
        ],
      );
    });
  });

  describe('privateCa', () => {
    it('creates a ca ClusterIssuer from the key-pair Secret', () => {
      const json = synthIngress(TlsSource.privateCa('corp-root-ca'));
      const issuer = resourceAt(json, 'kubernetes_manifest', 'ing/ClusterIssuer-private-ca/Resource');
      expect(issuer.manifest.kind).toBe('ClusterIssuer');
      expect(issuer.manifest.apiVersion).toBe('cert-manager.io/v1');
      expect(issuer.manifest.metadata.name).toBe('private-ca');
      expect(issuer.manifest.spec).toEqual({ ca: { secretName: 'corp-root-ca' } });
      expect(certManagerAnnotations(json)).toEqual({ 'cert-manager.io/cluster-issuer': 'private-ca' });
      expect(TlsSource.privateCa('corp-root-ca').isSelfSigned).toBe(false);
    });

    it('uses the given issuer name', () => {
      const json = synthIngress(TlsSource.privateCa('corp-root-ca', 'corp-ca'));
      expect(manifests(json)[0].manifest.metadata.name).toBe('corp-ca');
      expect(certManagerAnnotations(json)).toEqual({ 'cert-manager.io/cluster-issuer': 'corp-ca' });
    });

    it('refuses an invalid CA Secret name', () => {
      expectProblems(
        () => synthIngress(TlsSource.privateCa('Root CA')),
        [
          {
            where: 'test/ing',
            path: 'tls.caSecretName',
            says: ['must be a valid Kubernetes object name', 'got "Root CA"'],
          },
        ],
      );
    });
  });

  describe('selfSigned', () => {
    it('creates a selfSigned ClusterIssuer and says so', () => {
      const json = synthIngress(TlsSource.selfSigned());
      const issuer = resourceAt(json, 'kubernetes_manifest', 'ing/ClusterIssuer-selfsigned/Resource');
      expect(issuer.manifest.metadata.name).toBe('selfsigned');
      expect(issuer.manifest.spec).toEqual({ selfSigned: {} });
      expect(certManagerAnnotations(json)).toEqual({ 'cert-manager.io/cluster-issuer': 'selfsigned' });
      expect(TlsSource.selfSigned().isSelfSigned).toBe(true);
    });
  });

  it('recognises TlsSources by brand', () => {
    expect(TlsSource.isTlsSource(TlsSource.fromSecret('x'))).toBe(true);
    expect(TlsSource.isTlsSource({ secretName: 'x' })).toBe(false);
  });
});

describe('TlsSource issuer sharing', () => {
  it('refuses two different issuers under one ClusterIssuer name instead of silently reusing the first', () => {
    expectProblems(
      () =>
        synth((stack) => {
          ingress(stack, 'a', TlsSource.acme({ email: 'platform@example.com' }), {
            host: 'a.example.com',
            ingressClassName: 'nginx',
          });
          ingress(stack, 'b', TlsSource.acme({ email: 'platform@example.com' }), {
            host: 'b.example.com',
            ingressClassName: 'nginx-internal',
          });
        }),
      [
        {
          where: 'test/b',
          path: 'tls',
          says: [
            'needs ClusterIssuer "letsencrypt-production" with a different spec than another construct in this stack created',
            'its own issuerName',
          ],
        },
      ],
    );
  });
});
