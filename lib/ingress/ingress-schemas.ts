import * as z from 'zod';

import { identityHeaderNames } from '../access/header-contract';
import { isRecord } from '../core/objects';
import { cidr, kubernetesName } from '../core/schemas';
import { problem } from '../core/validation';
import { TlsSource } from '../tls/tls-source';
import { isSnippetAnnotation, isValidAnnotationKey } from './annotations';

// Schema pieces both controller flavours (NginxIngress, F5NginxIngress) check the same
// way: the props mean the same thing whatever renders them.

const seconds = (what: string) =>
  z
    .number()
    .int(problem(`${what} must be whole seconds`, 'Remove the fraction.'))
    .min(1, problem(`${what} must be at least 1 second`, 'Use 1 or more.'))
    .max(
      3600,
      problem(
        `${what} must be at most 3600 seconds`,
        'Long-running calls should not hold a proxy connection open for hours.',
      ),
    );

/** @internal */
export const backendSchema = z.strictObject({
  serviceName: kubernetesName,
  port: z.number().int().min(1).max(65535),
});

/** @internal The `tls` prop of NginxIngress and of the portal. */
export const tlsSourceSchema = z.custom<TlsSource>(
  (v) => TlsSource.isTlsSource(v),
  problem(
    'must be a TlsSource',
    'Use TlsSource.acme({...}), .fromIssuer(name), .fromSecret(name), .privateCa(secret) or .selfSigned().',
  ),
);

/** @internal Path prefixes of the API (answered 401 instead of a sign-in redirect). */
export const apiPathsSchema = z
  .array(
    z
      .string()
      .regex(
        /^\/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$/,
        problem(
          'must be a path prefix such as "/api"',
          'Start with "/" and leave out regular expressions and the trailing "/".',
        ),
      )
      .refine(
        // A prefix of /oauth2 (or a path under it) would send sign-in, callback and sign-out
        // through auth: nobody could ever sign in.
        (path) => !'/oauth2'.startsWith(path) && !path.startsWith('/oauth2/'),
        problem(
          'must not cover /oauth2',
          'The sign-in paths under /oauth2 stay outside auth; pick a prefix such as "/api".',
        ),
      ),
  )
  .min(1, problem('must list at least one prefix', 'Leave it out for ["/api"].'));

/** @internal */
export const proxyBufferSizeSchema = z
  .string()
  .regex(/^[0-9]+[km]$/, problem('must be a size such as "16k"', 'Use a number followed by "k" or "m".'))
  .refine(
    (size) => !/^[0-9]+[km]$/.test(size) || Number(size.slice(0, -1)) * (size.endsWith('m') ? 1024 : 1) >= 8,
    problem(
      'must be at least 8k',
      "oauth2-proxy's Set-Cookie and the identity headers do not fit nginx's 4k default and sessions break; leave it out for 32k (cookie sessions) or 16k (Redis).",
    ),
  );

/** @internal */
export const proxyBodySizeSchema = z
  .string()
  .regex(
    /^[0-9]+[kmg]?$/,
    problem('must be a size such as "10m"', 'Use a number followed by "k", "m" or "g".'),
  );

/** @internal HSTS `max-age` (the controller's and F5's): a short one is forgotten between visits. */
export const hstsMaxAgeSchema = z
  .number()
  .int(problem('must be whole seconds', 'Remove the fraction.'))
  .min(
    86400,
    problem(
      'must be at least 86400 (one day)',
      'Browsers forget a short HSTS policy between visits; use 31536000 (one year).',
    ),
  );

/** @internal */
export const allowSourceRangesSchema = z
  .array(cidr)
  .min(1, problem('must list at least one network', 'Leave it out to allow any address.'));

/** @internal */
export const proxyTimeoutsSchema = z.strictObject({
  connectSeconds: seconds('connectSeconds').optional(),
  readSeconds: seconds('readSeconds').optional(),
  sendSeconds: seconds('sendSeconds').optional(),
});

/**
 * @internal
 * Adds the issue for an extra-annotation key Kubernetes would refuse, and says whether it
 * did (snippet look-alikes are left to the snippet rule, which names the real risk).
 */
export function invalidAnnotationKeyIssue(ctx: z.core.$RefinementCtx, key: string): boolean {
  if (isSnippetAnnotation(key) || isValidAnnotationKey(key)) {
    return false;
  }
  ctx.addIssue({
    code: 'custom',
    path: [key],
    message: problem(
      'is not a valid annotation key',
      'Kubernetes takes an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or "." (starting and ending with a letter or digit), e.g. "example.com/team".',
    ),
  });
  return true;
}

/**
 * @internal
 * The `extraAnnotations` prop of a flavour: every key valid, no snippet (named as the risk
 * it is, with `construct`'s typed props as the way out), and no key `managed` has a problem
 * message for (annotations the construct sets itself or that do not belong there).
 */
export function extraAnnotationsSchema(construct: string, managed: (key: string) => string | undefined) {
  return z.record(z.string(), z.string()).superRefine((annotations, ctx) => {
    for (const key of Object.keys(annotations)) {
      if (invalidAnnotationKeyIssue(ctx, key)) {
        continue;
      }
      const message = isSnippetAnnotation(key)
        ? problem(
            'is a snippet annotation, which injects raw nginx configuration',
            `Snippets are disabled by default since the IngressNightmare CVEs (2025); use the typed props of ${construct} instead.`,
          )
        : managed(key);
      if (message !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message });
      }
    }
  });
}

/** The per-IP request rate both flavours limit. */
const rateShape = {
  requestsPerSecond: z
    .number()
    .int()
    .min(1, problem('must be at least 1', 'Use a whole number of requests per second.')),
  burstMultiplier: z
    .number()
    .int()
    .min(1, problem('must be at least 1', 'Use a whole multiple of the rate.'))
    .optional(),
};

/** @internal F5's `rateLimit` (`nginx.org/limit-req-*`). */
export const f5RateLimitSchema = z.strictObject(rateShape);

/** @internal ingress-nginx's `rateLimit`, which can also limit connections. */
export const rateLimitSchema = z.strictObject({
  ...rateShape,
  connections: z.number().int().min(1).optional(),
});

/** What a front door without auth subrequests says when its oauth2-proxy is not in the request path. */
export interface InPathAuthProxyMessages {
  /** The fix when the value is not an auth gateway at all. */
  readonly shapeFix: string;
  /** What is wrong when the gateway has no identity upstream. */
  readonly notInPath: string;
  /** How to fix that. */
  readonly notInPathFix: string;
}

/**
 * The oauth2-proxy a front door hands every request to when its data plane cannot make auth
 * subrequests that pass the identity headers on (the F5 controller, the Gateway API): it
 * must be in the request path (an identity upstream), and set exactly the header
 * contract's identity headers, which Backstage trusts and nothing else sets.
 */
export function inPathAuthProxySchema<T>(messages: InPathAuthProxyMessages): z.ZodType<T> {
  return z
    .custom<T>(
      (v) => typeof v === 'object' && v !== null && 'serviceName' in v && 'namespace' in v && 'port' in v,
      problem('must be an auth gateway with serviceName, namespace and port', messages.shapeFix),
    )
    .superRefine((gateway, ctx) => {
      if (!isRecord(gateway)) {
        return;
      }
      const upstream = gateway.identityUpstream;
      if (upstream === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: problem(messages.notInPath, messages.notInPathFix),
        });
        return;
      }
      const expected = identityHeaderNames();
      const given =
        isRecord(upstream) && Array.isArray(upstream.requestHeaders) ? upstream.requestHeaders : [];
      const same =
        given.length === expected.length &&
        expected.every((name) =>
          given.some((g) => typeof g === 'string' && g.toLowerCase() === name.toLowerCase()),
        );
      if (!same) {
        ctx.addIssue({
          code: 'custom',
          path: ['identityUpstream', 'requestHeaders'],
          message: problem(
            'must be exactly the identity headers of the header contract',
            `Have the gateway set ${expected.join(', ')} (identityHeaderNames()), no more and no fewer: Backstage trusts exactly these.`,
          ),
        });
      }
    });
}
