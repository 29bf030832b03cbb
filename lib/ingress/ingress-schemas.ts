import { Token } from 'cdktf';
import * as z from 'zod';

import { identityHeaderNames } from '../access/header-contract';
import { isRecord } from '../core/objects';
import {
  cidr,
  hostName,
  kubernetesName,
  portNumber,
  valueObjectSchema,
  workloadNamespace,
} from '../core/schemas';
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
  port: portNumber,
});

/** @internal The props every front door starts from: where it runs, its host and what it routes to. */
export const frontDoorShape = {
  namespace: workloadNamespace,
  host: hostName,
  backend: backendSchema,
};

/** @internal A `tls` prop that takes a TlsSource; `fix` names the sources the front door can use. */
export function tlsSourceSchemaOf(fix: string) {
  return valueObjectSchema(TlsSource.isTlsSource, 'a TlsSource', fix);
}

/** @internal The `tls` prop of NginxIngress, of the Gateway API flavour and of the portal. */
export const tlsSourceSchema = tlsSourceSchemaOf(
  'Use TlsSource.acme({...}), .fromIssuer(name), .fromSecret(name), .privateCa(secret) or .selfSigned().',
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

/** Where a front door holds its in-path oauth2-proxy, and what it says when it is misplaced. */
export interface InPathAuthProxyPlacement {
  /** The prop that holds the gateway (`gateway`, `authProxy`). */
  readonly prop: string;
  /** Whose namespace the gateway must run in, possessive ("the Ingresses'", "the routes'"). */
  readonly owner: string;
  /** How to fix a gateway in another namespace. */
  readonly namespaceFix: string;
}

/**
 * @internal
 * The checks across props of a front door whose oauth2-proxy is in the request path: the
 * gateway runs in the namespace of the front door's resources, which reach the Services of
 * their own namespace only, and proxies to the front door's backend, or the portal is
 * served without it. Unresolved namespaces are not compared.
 */
export function inPathAuthProxyPlacementIssues(
  ctx: z.core.$RefinementCtx,
  props: { readonly namespace?: unknown; readonly backend?: unknown },
  gateway: unknown,
  placement: InPathAuthProxyPlacement,
): void {
  const proxy = isRecord(gateway) ? gateway : undefined;
  const proxyNamespace = proxy?.namespace;
  if (
    typeof proxyNamespace === 'string' &&
    typeof props.namespace === 'string' &&
    !Token.isUnresolved(proxyNamespace) &&
    !Token.isUnresolved(props.namespace) &&
    proxyNamespace !== props.namespace
  ) {
    ctx.addIssue({
      code: 'custom',
      path: [placement.prop, 'namespace'],
      message: problem(`is not ${placement.owner} namespace (${props.namespace})`, placement.namespaceFix),
      params: { nestedValue: { value: proxyNamespace } },
    });
  }
  const upstream = proxy?.identityUpstream;
  const backend = props.backend;
  if (
    isRecord(upstream) &&
    isRecord(backend) &&
    (upstream.serviceName !== backend.serviceName || upstream.port !== backend.port)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: [placement.prop, 'identityUpstream'],
      message: problem(
        `proxies to another Service than the backend (${backend.serviceName}:${backend.port})`,
        "Point the gateway's upstream at the portal's backend, or the portal is served without it.",
      ),
      params: { nestedValue: { value: `${upstream.serviceName}:${upstream.port}` } },
    });
  }
}
