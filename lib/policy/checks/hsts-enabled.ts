import { defineCheck } from '../check-definition';
import {
  gatewaysOf,
  hstsMaxAge,
  hstsOfBackend,
  hstsOfFilters,
  httpRoutesOf,
  listenersOf,
} from '../gateway-api';
import { controllerConfigs, nginxConfig } from '../helm-values';
import { INGRESS_TYPES, metadataOf, stringMap, tlsHosts, truthy } from '../stack-model';

export const hstsEnabled = defineCheck({
  id: 'hsts-enabled',
  title: 'HSTS on',
  requirement:
    'No ingress controller config turns HSTS off; F5 Ingresses with TLS enable nginx.org/hsts (off by default on that controller); HTTPRoutes forwarding HTTPS requests send it (a ResponseHeaderModifier, or a backend that sets it: oauth2-proxy in the request path).',
  appliesTo: 'all',
  soc2: ['CC6.7'],
  iso27001: ['A.8.24', 'A.8.26'],
  rationale:
    'Without HSTS a network attacker can strip TLS before the first redirect (CC6.7 protection in transit; A.8.24 cryptography; A.8.26 application security requirements).',
  inspect(model, report) {
    const configs = controllerConfigs(model);
    let f5GlobalHsts = false;
    for (const config of configs) {
      const nginx = nginxConfig(config);
      if (config.flavour === 'f5-nginx-ingress' && truthy(nginx.hsts)) {
        f5GlobalHsts = true;
      }
      if (nginx.hsts === false || nginx.hsts === 'false') {
        const key =
          config.flavour === 'ingress-nginx' ? 'controller.config.hsts' : 'controller.config.entries.hsts';
        report(
          config.resource,
          `${key} is "false": browsers are not told to insist on HTTPS. Remove it or set it to "true".`,
        );
      }
    }
    const f5Ingresses = model.ofTypes(INGRESS_TYPES).filter((r) => {
      const annotations = stringMap(metadataOf(r.attributes).annotations);
      const f5 = Object.keys(annotations).some((k) => k.startsWith('nginx.org/'));
      return (
        f5 &&
        annotations['nginx.org/mergeable-ingress-type'] !== 'minion' &&
        tlsHosts(r.attributes).length > 0
      );
    });
    for (const ingress of f5Ingresses) {
      const hsts = stringMap(metadataOf(ingress.attributes).annotations)['nginx.org/hsts'];
      if (hsts === 'false' || (hsts !== 'true' && !f5GlobalHsts)) {
        report(
          ingress,
          `HSTS is off for this F5 Ingress (nginx.org/hsts is ${hsts === undefined ? 'not set and off by default' : `"${hsts}"`}). Set nginx.org/hsts: "true" (F5NginxIngress does) or hsts: "true" in the controller's config entries.`,
        );
      }
    }
    // Gateway API: HSTS from the route (a ResponseHeaderModifier) or from what it forwards
    // to (oauth2-proxy's injectResponseHeaders, which the portal uses: header filters are
    // not portable across implementations).
    const gateways = gatewaysOf(model);
    let httpsRoutes = 0;
    for (const route of httpRoutesOf(model)) {
      const overHttps = route.parents.some((p) => {
        const listeners = listenersOf(gateways, p);
        return listeners === undefined ? p.sectionName !== undefined : listeners.some((l) => l.terminatesTls);
      });
      if (!overHttps) {
        continue;
      }
      for (const rule of route.rules.filter((r) => r.forwards)) {
        httpsRoutes++;
        const values = rule.backends.map(
          (b) => hstsOfFilters([...rule.filters, ...b.filters]) ?? hstsOfBackend(model, b),
        );
        const missing = values.some((v) => v === undefined);
        const off = values.some((v) => v !== undefined && (hstsMaxAge(v) ?? 0) === 0);
        if (missing || off) {
          report(
            route.resource,
            `HTTPRoute "${route.name}" answers HTTPS without HSTS: ${off ? 'its Strict-Transport-Security has max-age 0 or none' : 'neither a ResponseHeaderModifier on the rule nor its backend sets Strict-Transport-Security'}. Give the oauth2-proxy in the request path hsts (BackstagePortal does on the gateway-api flavour), or set the header with a ResponseHeaderModifier where your implementation supports it.`,
          );
        }
      }
    }
    return configs.length > 0 || f5Ingresses.length > 0 || httpsRoutes > 0;
  },
});
