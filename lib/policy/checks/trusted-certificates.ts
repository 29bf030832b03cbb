import { defineCheck } from '../check-definition';
import { gatewaysOf } from '../gateway-api';
import { INGRESS_TYPES, InspectedResource, metadataOf, Obj, one, stringMap } from '../stack-model';

/** Why an issuer's certificates are not trusted by browsers, or undefined when they may be. */
function untrustedIssuer(spec: Obj): string | undefined {
  if ('selfSigned' in spec) {
    return 'self-signed';
  }
  const server = one(spec.acme).server;
  if (typeof server === 'string' && /staging/i.test(server)) {
    return `from the ACME staging directory ${server}`;
  }
  return undefined;
}

export const trustedCertificates = defineCheck({
  id: 'trusted-certificates',
  title: 'Certificates browsers trust',
  requirement:
    'No production Ingress or Gateway takes its certificate from a self-signed issuer or an ACME staging directory (issuers of the stack, named by the cert-manager annotations).',
  appliesTo: 'production',
  soc2: ['CC6.7'],
  iso27001: ['A.8.24'],
  rationale:
    'A certificate no browser trusts teaches people to click through warnings, which is exactly what an attacker in the middle needs (CC6.7 protection in transit; A.8.24 cryptography).',
  inspect(model, report) {
    const issuers = model.resources
      .filter((r) => r.type === 'kubernetes_manifest')
      .map((r) => one(r.attributes.manifest))
      .filter((m) => m.kind === 'ClusterIssuer' || m.kind === 'Issuer');
    const ingresses = model.ofTypes(INGRESS_TYPES);
    // Ingresses (ingress-shim) and Gateways (gateway-shim) name their issuer the same way.
    const requesters: Array<{
      resource: InspectedResource;
      annotations: Record<string, string>;
      namespace: string;
      what: string;
    }> = [
      ...ingresses.map((r) => ({
        resource: r,
        annotations: stringMap(metadataOf(r.attributes).annotations),
        namespace: model.namespaceOf(metadataOf(r.attributes)),
        what: 'its certificate',
      })),
      ...gatewaysOf(model).map((g) => ({
        resource: g.resource,
        annotations: g.annotations,
        namespace: g.namespace,
        what: 'the certificate of its listeners',
      })),
    ];
    for (const requester of requesters) {
      const annotations = requester.annotations;
      const wanted =
        annotations['cert-manager.io/cluster-issuer'] !== undefined
          ? { kind: 'ClusterIssuer', name: annotations['cert-manager.io/cluster-issuer'] }
          : annotations['cert-manager.io/issuer'] !== undefined
            ? { kind: 'Issuer', name: annotations['cert-manager.io/issuer'] }
            : undefined;
      if (wanted === undefined) {
        continue;
      }
      const issuer = issuers.find(
        (m) =>
          m.kind === wanted.kind &&
          one(m.metadata).name === wanted.name &&
          (wanted.kind === 'ClusterIssuer' ||
            model.resolveName(one(m.metadata).namespace) === requester.namespace),
      );
      const why = issuer ? untrustedIssuer(one(issuer.spec)) : undefined;
      if (why !== undefined) {
        report(
          requester.resource,
          `${requester.what} comes from ${wanted.kind} "${wanted.name}", ${why}: browsers do not trust it. In production use TlsSource.acme({ email }) (Let's Encrypt production), TlsSource.acmeDns01({ email, solver }), a private CA your clients trust, or an existing certificate.`,
        );
      }
    }
    return requesters.length > 0;
  },
});
