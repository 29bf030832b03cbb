import { TerraformStack, TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';

import {
  acmeDns01,
  BackstagePortal,
  Dns01Solver,
  type IngressAuthGateway,
  NginxIngress,
  SecretRef,
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
  host = 'backstage.example.com',
): NginxIngress {
  return new NginxIngress(stack, id, {
    namespace: 'backstage',
    host,
    backend: { serviceName: 'backstage', port: 7007 },
    gateway,
    tls,
  });
}

const synthIngress = (tls: TlsSource): TfJson => synth((stack) => ingress(stack, 'ing', tls));
const issuers = (json: TfJson): any[] =>
  Object.values(resourcesOf(json, 'kubernetes_manifest')).filter((r) => r.manifest.kind === 'ClusterIssuer');
const route53 = Dns01Solver.route53({ region: 'eu-central-1', hostedZoneId: 'Z0123456789ABCDEFGHIJ' });

describe('TlsSource.acmeDns01', () => {
  it("creates a Let's Encrypt production ClusterIssuer whose only solver is the DNS-01 solver", () => {
    const json = synthIngress(TlsSource.acmeDns01({ email: 'platform@example.com', solver: route53 }));
    const issuer = resourceAt(
      json,
      'kubernetes_manifest',
      'ing/ClusterIssuer-letsencrypt-production-dns01/Resource',
    );
    expect(issuer.manifest).toEqual({
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: {
        name: 'letsencrypt-production-dns01',
        labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
      },
      spec: {
        acme: {
          server: 'https://acme-v02.api.letsencrypt.org/directory',
          email: 'platform@example.com',
          privateKeySecretRef: { name: 'letsencrypt-production-dns01-account-key' },
          solvers: [
            { dns01: { route53: { region: 'eu-central-1', hostedZoneID: 'Z0123456789ABCDEFGHIJ' } } },
          ],
        },
      },
    });
    expect(JSON.stringify(issuer.manifest)).not.toContain('http01');
  });

  it('asks cert-manager for the certificate on the Ingress, after the issuer exists', () => {
    const json = synthIngress(TlsSource.acmeDns01({ email: 'platform@example.com', solver: route53 }));
    const [issuerId] = Object.keys(resourcesOf(json, 'kubernetes_manifest'));
    const main = resourceAt(json, 'kubernetes_ingress_v1', 'ing/Ingress');
    expect(main.metadata.annotations['cert-manager.io/cluster-issuer']).toBe('letsencrypt-production-dns01');
    expect(main.spec.tls).toEqual([
      { hosts: ['backstage.example.com'], secret_name: 'backstage-example-com-tls' },
    ]);
    expect(main.depends_on).toEqual([`kubernetes_manifest.${issuerId}`]);
  });

  it('names the issuer after the ACME server', () => {
    const staging = issuers(
      synthIngress(
        TlsSource.acmeDns01({ email: 'platform@example.com', solver: route53, server: 'staging' }),
      ),
    )[0];
    expect(staging.manifest.metadata.name).toBe('letsencrypt-staging-dns01');
    expect(staging.manifest.spec.acme.server).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
    expect(staging.manifest.spec.acme.privateKeySecretRef).toEqual({
      name: 'letsencrypt-staging-dns01-account-key',
    });

    const custom = issuers(
      synthIngress(
        TlsSource.acmeDns01({
          email: 'platform@example.com',
          solver: route53,
          server: 'https://acme.zerossl.com/v2/DV90',
        }),
      ),
    )[0];
    expect(custom.manifest.metadata.name).toBe('acme-dns01');
    expect(custom.manifest.spec.acme.server).toBe('https://acme.zerossl.com/v2/DV90');

    const named = synthIngress(
      TlsSource.acmeDns01({ email: 'platform@example.com', solver: route53, issuerName: 'route53-prod' }),
    );
    expect(issuers(named)[0].manifest.metadata.name).toBe('route53-prod');
    expect(
      resourceAt(named, 'kubernetes_ingress_v1', 'ing/Ingress').metadata.annotations[
        'cert-manager.io/cluster-issuer'
      ],
    ).toBe('route53-prod');
  });

  it("puts a Cloudflare token variable into cert-manager's namespace and orders the issuer after it", () => {
    const json = synth((stack) => {
      const token = SecretRef.fromVariable(
        new TerraformVariable(stack, 'cloudflare_api_token', { type: 'string', sensitive: true }),
      );
      ingress(
        stack,
        'ing',
        TlsSource.acmeDns01({
          email: 'platform@example.com',
          solver: Dns01Solver.cloudflare({ apiToken: token }),
        }),
      );
    });
    const [secretId, secret] = Object.entries(resourcesOf(json, 'kubernetes_secret_v1'))[0]!;
    expect(secret.metadata).toMatchObject({ name: 'cloudflare-api-token', namespace: 'cert-manager' });
    expect(secret.data).toEqual({ value: '${var.cloudflare_api_token}' });
    const [issuer] = issuers(json);
    expect(issuer.manifest.spec.acme.solvers).toEqual([
      { dns01: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare-api-token', key: 'value' } } } },
    ]);
    expect(issuer.depends_on).toEqual([`kubernetes_secret_v1.${secretId}`]);
  });

  it('binds the Cloudflare token into the given cert-manager namespace', () => {
    const json = synth((stack) => {
      const token = SecretRef.fromVariable(
        new TerraformVariable(stack, 'cf_token', { type: 'string', sensitive: true }),
      );
      ingress(
        stack,
        'ing',
        TlsSource.acmeDns01({
          email: 'platform@example.com',
          solver: Dns01Solver.cloudflare({ apiToken: token }),
          certManagerNamespace: 'pki',
        }),
      );
    });
    expect(Object.values(resourcesOf(json, 'kubernetes_secret_v1'))[0].metadata.namespace).toBe('pki');
  });

  it('creates the ClusterIssuer once per stack when two portals use it', () => {
    const json = synth((stack) => {
      const tls = TlsSource.acmeDns01({
        email: 'platform@example.com',
        solver: Dns01Solver.cloudDns({ project: 'platform-dns-4711' }),
      });
      const props = portalProps(stack);
      new BackstagePortal(stack, 'team-a', { ...props, namespace: 'team-a', host: 'a.example.com', tls });
      new BackstagePortal(stack, 'team-b', { ...props, namespace: 'team-b', host: 'b.example.com', tls });
    });
    const found = Object.entries(resourcesOf(json, 'kubernetes_manifest')).filter(
      ([, r]) => r.manifest.kind === 'ClusterIssuer',
    );
    expect(found).toHaveLength(1);
    const [issuerId, issuer] = found[0]!;
    expect(issuer.manifest.spec.acme.solvers).toEqual([
      { dns01: { cloudDNS: { project: 'platform-dns-4711' } } },
    ]);
    for (const portal of ['team-a', 'team-b']) {
      const main = resourceAt(json, 'kubernetes_ingress_v1', `${portal}/Ingress/Ingress`);
      expect(main.metadata.annotations['cert-manager.io/cluster-issuer']).toBe(
        'letsencrypt-production-dns01',
      );
      expect(main.depends_on).toEqual([`kubernetes_manifest.${issuerId}`]);
    }
  });

  it('lives next to an HTTP-01 issuer under its own default name', () => {
    const json = synth((stack) => {
      ingress(stack, 'public', TlsSource.acme({ email: 'platform@example.com' }), 'a.example.com');
      ingress(
        stack,
        'internal',
        TlsSource.acmeDns01({ email: 'platform@example.com', solver: route53 }),
        'b.example.com',
      );
    });
    expect(
      issuers(json)
        .map((i) => i.manifest.metadata.name)
        .sort(),
    ).toEqual(['letsencrypt-production', 'letsencrypt-production-dns01']);
  });

  it('refuses two different DNS-01 issuers under one name', () => {
    expectProblems(
      () =>
        synth((stack) => {
          ingress(
            stack,
            'a',
            TlsSource.acmeDns01({ email: 'platform@example.com', solver: route53 }),
            'a.example.com',
          );
          ingress(
            stack,
            'b',
            TlsSource.acmeDns01({
              email: 'platform@example.com',
              solver: Dns01Solver.cloudDns({ project: 'platform-dns-4711' }),
            }),
            'b.example.com',
          );
        }),
      [
        {
          where: 'test/b',
          path: 'tls',
          says: [
            'needs ClusterIssuer "letsencrypt-production-dns01" with a different spec than another construct in this stack created',
            'its own issuerName',
          ],
        },
      ],
    );
  });

  it('refuses a name an HTTP-01 issuer of this stack already uses', () => {
    expectProblems(
      () =>
        synth((stack) => {
          ingress(stack, 'a', TlsSource.acme({ email: 'platform@example.com' }), 'a.example.com');
          ingress(
            stack,
            'b',
            TlsSource.acmeDns01({
              email: 'platform@example.com',
              solver: route53,
              issuerName: 'letsencrypt-production',
            }),
            'b.example.com',
          );
        }),
      [
        {
          where: 'test/b',
          path: 'tls',
          says: [
            'needs ClusterIssuer "letsencrypt-production", which test/a/ClusterIssuer-letsencrypt-production already creates with another spec',
            'its own issuerName',
          ],
        },
      ],
    );
  });

  it('refuses an HTTP-01 issuer of the same name made after it (one registry for every kind of TlsSource)', () => {
    expectProblems(
      () =>
        synth((stack) => {
          ingress(
            stack,
            'a',
            TlsSource.acmeDns01({
              email: 'platform@example.com',
              solver: route53,
              issuerName: 'letsencrypt-production',
            }),
            'a.example.com',
          );
          ingress(stack, 'b', TlsSource.acme({ email: 'platform@example.com' }), 'b.example.com');
        }),
      [
        {
          where: 'test/b',
          path: 'tls',
          says: [
            'needs ClusterIssuer "letsencrypt-production", which test/a/ClusterIssuer-letsencrypt-production already creates with another spec',
            'its own issuerName',
          ],
        },
      ],
    );
  });

  it('is a TlsSource and not self-signed', () => {
    const tls = TlsSource.acmeDns01({ email: 'platform@example.com', solver: route53 });
    expect(TlsSource.isTlsSource(tls)).toBe(true);
    expect(tls.isSelfSigned).toBe(false);
  });

  it("refuses a bad e-mail, server, issuer name and namespace, and reports the solver's problems under tls.solver", () => {
    expectProblems(
      () =>
        synthIngress(
          TlsSource.acmeDns01({
            email: 'platform-at-example.com',
            solver: Dns01Solver.route53({ region: 'europe' }),
            server: 'http://acme.example.com/directory',
            issuerName: 'Route53',
            certManagerNamespace: 'Cert_Manager',
          }),
        ),
      [
        {
          where: 'test/ing',
          path: 'tls.email',
          says: ['must be an e-mail address', 'got "platform-at-example.com"'],
        },
        {
          where: 'test/ing',
          path: 'tls.server',
          says: [
            'must be "production", "staging" or an https:// ACME directory URL',
            'got "http://acme.example.com/directory"',
          ],
        },
        {
          where: 'test/ing',
          path: 'tls.issuerName',
          says: ['must be a valid Kubernetes name', 'got "Route53"'],
        },
        {
          where: 'test/ing',
          path: 'tls.certManagerNamespace',
          says: ['must be a valid namespace name', 'got "Cert_Manager"'],
        },
        {
          where: 'test/ing',
          path: 'tls.solver.region',
          says: ['must be an AWS region code', 'got "europe"'],
        },
      ],
    );
  });

  it('refuses a solver that is not a Dns01Solver', () => {
    expectProblems(
      () =>
        synthIngress(
          TlsSource.acmeDns01({
            email: 'platform@example.com',
            solver: { route53: { region: 'eu-central-1' } } as never,
          }),
        ),
      [
        {
          where: 'test/ing',
          path: 'tls.solver',
          says: [
            'must be a Dns01Solver',
            'got {"route53":{"region":"eu-central-1"}}',
            'Dns01Solver.route53(...)',
          ],
        },
      ],
    );
  });
});

describe('acmeDns01 (deprecated, kept for one minor version)', () => {
  it('still makes the DNS-01 TlsSource that TlsSource.acmeDns01 makes', () => {
    const options = {
      email: 'platform@example.com',
      solver: route53,
      server: 'staging',
      issuerName: 'route53-staging',
    } as const;
    const json = synthIngress(acmeDns01(options));
    expect(json).toEqual(synthIngress(TlsSource.acmeDns01(options)));
    expect(issuers(json).map((i) => [i.manifest.metadata.name, i.manifest.spec.acme.solvers])).toEqual([
      [
        'route53-staging',
        [{ dns01: { route53: { region: 'eu-central-1', hostedZoneID: 'Z0123456789ABCDEFGHIJ' } } }],
      ],
    ]);
    expect(TlsSource.isTlsSource(acmeDns01(options))).toBe(true);
  });

  it('still refuses bad options with the same messages', () => {
    expectProblems(
      () =>
        synthIngress(
          acmeDns01({ email: 'platform-at-example.com', solver: Dns01Solver.route53({ region: 'europe' }) }),
        ),
      [
        {
          where: 'test/ing',
          path: 'tls.email',
          says: ['must be an e-mail address', 'got "platform-at-example.com"'],
        },
        {
          where: 'test/ing',
          path: 'tls.solver.region',
          says: ['must be an AWS region code', 'got "europe"'],
        },
      ],
    );
  });
});
