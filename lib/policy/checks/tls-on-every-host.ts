import { defineCheck } from '../check-definition';
import { gatewaysOf, httpRoutesOf, listenersOf } from '../gateway-api';
import { INGRESS_TYPES, many, metadataOf, one, stringMap, tlsHosts } from '../stack-model';

const HOST_FIX = 'Add the host to spec.tls with a certificate secret (TlsSource in this library).';

function covers(tls: readonly string[], host: string): boolean {
  return tls.some(
    (entry) =>
      entry === host ||
      (entry.startsWith('*.') &&
        host.endsWith(entry.slice(1)) &&
        !host.slice(0, -entry.length + 1).includes('.')),
  );
}

export const tlsOnEveryHost = defineCheck({
  id: 'tls-on-every-host',
  title: 'TLS on every public host',
  requirement:
    'Every host of an Ingress is covered by a TLS entry (for an F5 minion: by its master); an HTTPRoute that forwards requests attaches only to HTTPS listeners that terminate TLS (by sectionName on a Gateway outside the stack).',
  appliesTo: 'all',
  soc2: ['CC6.7'],
  iso27001: ['A.8.24', 'A.5.14'],
  rationale:
    'Sign-in cookies, ID tokens and catalog data cross the internet only encrypted (CC6.7 transmission; A.8.24 cryptography; A.5.14 information transfer).',
  inspect(model, report) {
    const ingresses = model.ofTypes(INGRESS_TYPES);
    const masterTls = ingresses
      .filter(
        (r) =>
          stringMap(metadataOf(r.attributes).annotations)['nginx.org/mergeable-ingress-type'] === 'master',
      )
      .flatMap((r) => tlsHosts(r.attributes));
    for (const ingress of ingresses) {
      const minion =
        stringMap(metadataOf(ingress.attributes).annotations)['nginx.org/mergeable-ingress-type'] ===
        'minion';
      const own = tlsHosts(ingress.attributes);
      for (const rule of many(one(ingress.attributes.spec).rule)) {
        const host = rule.host;
        if (typeof host !== 'string' || host === '') {
          continue;
        }
        if (minion ? !covers(masterTls, host) : !covers(own, host)) {
          report(
            ingress,
            minion
              ? `host "${host}" of this F5 minion has no master Ingress with TLS for it. Create the master (F5NginxIngress does) with the host in spec.tls.`
              : `host "${host}" has no TLS. ${HOST_FIX}`,
          );
        }
      }
    }
    // Gateway API: TLS is forced by attachment. A route that forwards must not receive
    // plain HTTP; the HTTP listener carries redirects (and cert-manager's challenge) only.
    const gateways = gatewaysOf(model);
    const routes = httpRoutesOf(model);
    for (const route of routes) {
      if (!route.rules.some((r) => r.forwards)) {
        continue;
      }
      for (const parent of route.parents) {
        const listeners = listenersOf(gateways, parent);
        if (listeners === undefined) {
          if (parent.sectionName === undefined) {
            report(
              route.resource,
              `HTTPRoute "${route.name}" attaches to every listener of Gateway "${parent.namespace}/${parent.name}", which is not in this stack, plain-HTTP ones too. Name its HTTPS listener in parentRefs[].sectionName (GatewayRef.existing's httpsListener).`,
            );
          }
          continue;
        }
        for (const listener of listeners.filter((l) => !l.terminatesTls)) {
          report(
            route.resource,
            `HTTPRoute "${route.name}" forwards requests that arrive without TLS: it attaches to listener "${listener.name}" (${listener.protocol}) of Gateway "${parent.name}". Attach it to the HTTPS listener only (parentRefs[].sectionName) and answer plain HTTP with a RequestRedirect to https (GatewayApiIngress does).`,
          );
        }
      }
    }
    return ingresses.length > 0 || routes.length > 0;
  },
});
