import * as z from 'zod';

import { parseDuration } from './duration';
import { ContainerResources } from './resources';
import { problem } from './validation';

// Shared building blocks for the construct schemas. Each one carries its own
// "what is wrong / how to fix" message so every construct reports the same way.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;

/**
 * A GUID in any case (Microsoft Entra tenant ids, Azure subscription and client ids): the
 * one pattern every schema that takes a GUID uses, each with its own message. Written with
 * the `i` flag rather than `[0-9a-fA-F]`: JSON schemas made from these schemas keep the
 * pattern's source and drop its flags.
 */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A public host name: lower-case, at least two labels, no scheme, port or path. */
export const hostName = z
  .string()
  .regex(
    DNS_NAME,
    problem(
      'must be a fully qualified DNS name',
      'Use lower-case letters, digits, "-" and ".", with at least two labels and no scheme, port or path (e.g. "backstage.example.com").',
    ),
  )
  // "10.0.0.7" passes the label pattern, but no top-level domain is all digits: Kubernetes
  // refuses an IP as an Ingress host, and ACME issues no certificate for one.
  .refine(
    (host) => !DNS_NAME.test(host) || !/\.[0-9]+$/.test(host),
    problem(
      'must be a DNS name, not an IP address',
      'Ingress hosts and TLS certificates need a name: create a DNS record (e.g. "backstage.example.com") for the load balancer address and use that.',
    ),
  );

/** A Kubernetes object name usable as a DNS label (Services, Namespaces, most objects). */
export const kubernetesName = z
  .string()
  .regex(
    DNS_LABEL,
    problem(
      'must be a valid Kubernetes name (RFC 1123 label)',
      'Use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit.',
    ),
  );

/**
 * A namespace the library's workloads run in. `kube-*` namespaces belong to Kubernetes
 * itself (kube-system, kube-public, kube-node-lease): a portal there would share them with
 * the control plane's own objects and permissions.
 */
export const workloadNamespace = kubernetesName.refine(
  (name) => !name.startsWith('kube-'),
  problem('is a Kubernetes system namespace', 'Use a namespace of its own for the portal, e.g. "backstage".'),
);

/** A namespace the library creates: also not `default`, which every cluster already has. */
export const createdNamespace = workloadNamespace.refine(
  (name) => name !== 'default',
  problem(
    'already exists in every cluster, so it cannot be created',
    'Use a namespace of its own for the portal, e.g. "backstage".',
  ),
);

/** A Kubernetes object name that may contain dots (Secrets, ConfigMaps). */
export const kubernetesSubdomainName = z
  .string()
  .regex(
    /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    problem(
      'must be a valid Kubernetes object name (RFC 1123 subdomain)',
      'Use at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit.',
    ),
  );

/** A key inside a Secret or ConfigMap. */
export const secretKey = z
  .string()
  .regex(
    /^[-._a-zA-Z0-9]{1,253}$/,
    problem('must be a valid Secret key', 'Use letters, digits, "-", "_" and "." only.'),
  );

/** An https URL (issuers, ACME servers, JWKS endpoints). */
export const httpsUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.hostname !== '';
    } catch {
      return false;
    }
  },
  problem(
    'must be an https:// URL',
    'Identity and key material must come over TLS: use the https:// address of the endpoint.',
  ),
);

/**
 * A container image pinned to a tag other than `latest`, or to a digest. An unpinned
 * image makes two environments run different code from the same description.
 */
export const pinnedImage = z.string().refine(
  (image) => {
    if (/@sha256:[a-f0-9]{64}$/.test(image)) {
      return true;
    }
    const lastSegment = image.slice(image.lastIndexOf('/') + 1);
    const colon = lastSegment.lastIndexOf(':');
    if (colon < 0) {
      return false;
    }
    const tag = lastSegment.slice(colon + 1);
    return tag !== '' && tag !== 'latest' && /^[\w][\w.-]{0,127}$/.test(tag);
  },
  problem(
    'must be pinned to a version tag or a digest, not "latest" or untagged',
    'Append a release tag (e.g. ":1.2.3") or a digest ("@sha256:<64 hex>") so every environment runs the same build.',
  ),
);

/** A Go-style duration as oauth2-proxy reads it: "90s", "15m", "1h30m", "168h". */
export const goDuration = z
  .string()
  .refine(
    (value) => parseDuration(value) !== undefined,
    problem(
      'must be a duration such as "30m", "1h" or "168h"',
      'Use a number followed by "s", "m" or "h" (combinations like "1h30m" work too).',
    ),
  );

/** A Kubernetes resource quantity for CPU or memory. */
export const quantity = z
  .string()
  .regex(
    /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/,
    problem('must be a Kubernetes quantity', 'Use values such as "250m" for CPU or "512Mi" for memory.'),
  );

const QUANTITY_SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** The value of a quantity accepted by `quantity` (e.g. "250m" = 0.25, "1Gi" = 1073741824). */
export function quantityValue(text: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(text);
  return match ? Number(match[1]) * QUANTITY_SUFFIX[match[2] ?? '']! : undefined;
}

export const resources = z
  .strictObject({
    requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
    limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  })
  .superRefine((value, ctx) => {
    // Kubernetes refuses a container whose request exceeds its limit, at apply time.
    for (const kind of ['cpu', 'memory'] as const) {
      const request = value.requests?.[kind];
      const limit = value.limits?.[kind];
      if (typeof request !== 'string' || typeof limit !== 'string') {
        continue;
      }
      const r = quantityValue(request);
      const l = quantityValue(limit);
      if (r !== undefined && l !== undefined && r > l) {
        ctx.addIssue({
          code: 'custom',
          path: ['requests', kind],
          message: problem(
            `must not exceed limits.${kind} (${limit})`,
            'Kubernetes refuses a request above its limit: lower the request or raise the limit.',
          ),
        });
      }
    }
  }) satisfies z.ZodType<ContainerResources>;

/** An IPv4 or IPv6 CIDR range. */
export const cidr = z
  .string()
  .refine(
    (value) => z.cidrv4().safeParse(value).success || z.cidrv6().safeParse(value).success,
    problem('must be a CIDR range', 'Use a network such as "203.0.113.0/24" or "2001:db8::/32".'),
  );

/** A TCP port. */
export const portNumber = z
  .number()
  .int(problem('must be a whole number', 'Give a TCP port from 1 to 65535.'))
  .min(1, problem('must be at least 1', 'Give a TCP port from 1 to 65535.'))
  .max(65535, problem('must be at most 65535', 'Give a TCP port from 1 to 65535.'));

export const positiveInt = (what: string) =>
  z
    .number()
    .int(problem(`${what} must be a whole number`, 'Remove the fraction.'))
    .positive(problem(`${what} must be at least 1`, 'Use a value of 1 or more.'));

/**
 * A pinned image (see `pinnedImage`) whose reference starts with its registry host (a name
 * with a "." or ":", or `localhost`). A short name such as `team/agent:1.2` resolves against
 * whatever registry each node's container runtime is configured with, or fails to pull, so
 * two clusters may run different images from the same description.
 */
export const fullyQualifiedImage = pinnedImage.refine(
  (image) => {
    const slash = image.indexOf('/');
    if (slash < 0) {
      return false;
    }
    const host = image.slice(0, slash);
    return host === 'localhost' || host.includes('.') || host.includes(':');
  },
  problem(
    'must be fully qualified with its registry host',
    'Start the reference with the registry host, e.g. "registry.example.com/team/agent:1.2.3": a short name resolves against whatever registry each node is configured with.',
  ),
);

/**
 * A string map whose keys `keyProblem` checks (label and annotation maps): it returns what
 * is wrong with a key, or undefined for a good one. Each bad key is reported under its own
 * path, with the key as the value.
 */
export function keyedRecord<V extends z.ZodType<string>>(
  value: V,
  keyProblem: (key: string) => string | undefined,
) {
  return z.record(z.string(), value).superRefine((map, ctx) => {
    for (const key of Object.keys(map)) {
      const message = keyProblem(key);
      if (message !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message, params: { nestedValue: { value: key } } });
      }
    }
  });
}

/**
 * @internal A prop that takes one of the library's value objects (an OidcIssuer, a
 * TlsSource...), recognised by its brand check so a copy made by another install of the
 * library is accepted too. `what` names it with its article ("an OrgSource"); `fix` lists
 * the factories that make one.
 */
export function valueObjectSchema<T>(isValue: (value: unknown) => value is T, what: string, fix: string) {
  return z.custom<T>((value) => isValue(value), problem(`must be ${what}`, fix));
}
