import * as z from 'zod';
import { parseDuration } from './duration';
import { ContainerResources } from './resources';
import { problem } from './validation';

// Shared building blocks for the construct schemas. Each one carries its own
// "what is wrong / how to fix" message so every construct reports the same way.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;

/** A public host name: lower-case, at least two labels, no scheme, port or path. */
export const hostName = z.string().regex(
  DNS_NAME,
  problem(
    'must be a fully qualified DNS name',
    'Use lower-case letters, digits, "-" and ".", with at least two labels and no scheme, port or path (e.g. "backstage.example.com").',
  ),
);

/** A Kubernetes object name usable as a DNS label (Services, Namespaces, most objects). */
export const kubernetesName = z.string().regex(
  DNS_LABEL,
  problem(
    'must be a valid Kubernetes name (RFC 1123 label)',
    'Use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit.',
  ),
);

/** A Kubernetes object name that may contain dots (Secrets, ConfigMaps). */
export const kubernetesSubdomainName = z.string().regex(
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
  problem(
    'must be a valid Kubernetes object name (RFC 1123 subdomain)',
    'Use at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit.',
  ),
);

/** A key inside a Secret or ConfigMap. */
export const secretKey = z.string().regex(
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
  problem('must be an https:// URL', 'Identity and key material must come over TLS: use the https:// address of the endpoint.'),
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
export const goDuration = z.string().refine(
  (value) => parseDuration(value) !== undefined,
  problem('must be a duration such as "30m", "1h" or "168h"', 'Use a number followed by "s", "m" or "h" (combinations like "1h30m" work too).'),
);

/** A Kubernetes resource quantity for CPU or memory. */
export const quantity = z.string().regex(
  /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/,
  problem('must be a Kubernetes quantity', 'Use values such as "250m" for CPU or "512Mi" for memory.'),
);

export const resources = z.strictObject({
  requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
}) satisfies z.ZodType<ContainerResources>;

/** An IPv4 or IPv6 CIDR range. */
export const cidr = z.string().refine(
  (value) => z.cidrv4().safeParse(value).success || z.cidrv6().safeParse(value).success,
  problem('must be a CIDR range', 'Use a network such as "203.0.113.0/24" or "2001:db8::/32".'),
);

export const positiveInt = (what: string) =>
  z.number().int(problem(`${what} must be a whole number`, 'Remove the fraction.')).positive(problem(`${what} must be at least 1`, 'Use a value of 1 or more.'));
