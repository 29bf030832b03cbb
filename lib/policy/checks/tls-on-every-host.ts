import { defineCheck } from '../check-definition';
import { INGRESS_TYPES, many, metadataOf, one, stringMap, tlsHosts } from '../stack-model';

const HOST_FIX = 'Add the host to spec.tls with a certificate secret (TlsSource in this library).';

function covers(tls: readonly string[], host: string): boolean {
  return tls.some((entry) => entry === host || (entry.startsWith('*.') && host.endsWith(entry.slice(1)) && !host.slice(0, -entry.length + 1).includes('.')));
}

export const tlsOnEveryHost = defineCheck({
  id: 'tls-on-every-host',
  title: 'TLS on every public host',
  requirement: 'Every host of an Ingress is covered by a TLS entry (for an F5 minion: by its master).',
  appliesTo: 'all',
  soc2: ['CC6.7'],
  iso27001: ['A.8.24', 'A.5.14'],
  rationale: 'Sign-in cookies, ID tokens and catalog data cross the internet only encrypted (CC6.7 transmission; A.8.24 cryptography; A.5.14 information transfer).',
  inspect(model, report) {
    const ingresses = model.ofTypes(INGRESS_TYPES);
    const masterTls = ingresses
      .filter((r) => stringMap(metadataOf(r.attributes).annotations)['nginx.org/mergeable-ingress-type'] === 'master')
      .flatMap((r) => tlsHosts(r.attributes));
    for (const ingress of ingresses) {
      const minion = stringMap(metadataOf(ingress.attributes).annotations)['nginx.org/mergeable-ingress-type'] === 'minion';
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
    return ingresses.length > 0;
  },
});
