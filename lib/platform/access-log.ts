import * as z from 'zod';

import { identityHeaderNames } from '../access/header-contract';
import { problem } from '../core/validation';
import { flag } from './operator-release';

// The ingress-nginx access log: one JSON object per request (the controller's
// `log-format-upstream`), its fields, and the options that add the identity and more fields.

/** The JSON access log. */
export interface IngressNginxAccessLogOptions {
  /**
   * Log the signed-in user and e-mail: the `X-Forwarded-User` and `X-Forwarded-Email`
   * values the gateway answered the auth subrequest with, which ingress-nginx keeps in
   * `$authHeader<N>` (N = the header's position in `auth-response-headers`).
   *
   * nginx refuses a log format that names a variable no location declares, and only an
   * Ingress with `auth-url` and `auth-response-headers` declares these; without one the
   * controller would never load its configuration (nor become ready) on an empty cluster.
   * So with `identity` this construct also creates a placeholder Ingress (host
   * `identity-log.invalid`, which no DNS name resolves to) with those annotations,
   * before the chart is installed; requests for that host get a 500.
   * @default true
   */
  readonly identity?: boolean;
  /**
   * More fields: JSON field name to a single nginx variable, e.g.
   * `{ "trace_id": "$opentelemetry_trace_id" }`. Values are logged as JSON strings.
   * @default - none
   */
  readonly extraFields?: Readonly<Record<string, string>>;
}

/** The fields of the access log; numbers are written unquoted. */
const LOG_FIELDS: ReadonlyArray<readonly [field: string, variable: string, kind: 'string' | 'number']> = [
  ['time', '$time_iso8601', 'string'],
  ['request_id', '$req_id', 'string'],
  ['client_ip', '$remote_addr', 'string'],
  ['method', '$request_method', 'string'],
  ['host', '$host', 'string'],
  // The path without the query string: the OAuth callback carries the authorization code there.
  ['path', '$uri', 'string'],
  ['protocol', '$server_protocol', 'string'],
  ['status', '$status', 'number'],
  ['bytes_sent', '$bytes_sent', 'number'],
  ['request_length', '$request_length', 'number'],
  ['request_time', '$request_time', 'number'],
  ['upstream', '$proxy_upstream_name', 'string'],
  ['upstream_addr', '$upstream_addr', 'string'],
  ['upstream_status', '$upstream_status', 'string'],
  ['upstream_response_time', '$upstream_response_time', 'string'],
  ['user_agent', '$http_user_agent', 'string'],
  ['namespace', '$namespace', 'string'],
  ['ingress', '$ingress_name', 'string'],
  ['service', '$service_name', 'string'],
];

/** The nginx variable ingress-nginx stores an auth response header in. */
function authHeaderVariable(header: string): string {
  const index = identityHeaderNames().indexOf(header);
  if (index < 0) {
    throw new Error(`${header} is not part of the identity header contract`);
  }
  return `$authHeader${index}`;
}

/**
 * The `log-format-upstream` line: one JSON object per request. With `identity`, `user`
 * and `email` come right after `request_id`.
 */
export function ingressNginxAccessLogFormat(options: IngressNginxAccessLogOptions = {}): string {
  const fields: Array<readonly [string, string, 'string' | 'number']> = [...LOG_FIELDS];
  if (options.identity ?? true) {
    fields.splice(
      2,
      0,
      ['user', authHeaderVariable('X-Forwarded-User'), 'string'],
      ['email', authHeaderVariable('X-Forwarded-Email'), 'string'],
    );
  }
  for (const [field, variable] of Object.entries(options.extraFields ?? {})) {
    fields.push([field, variable, 'string']);
  }
  return `{${fields.map(([field, variable, kind]) => (kind === 'number' ? `"${field}":${variable}` : `"${field}":"${variable}"`)).join(',')}}`;
}

const BUILTIN_LOG_FIELDS = new Set(['user', 'email', ...LOG_FIELDS.map(([field]) => field)]);

/** @internal The schema of {@link IngressNginxAccessLogOptions}. */
export const accessLogOptionsSchema = z.strictObject({
  identity: flag.optional(),
  extraFields: z
    .record(
      z.string(),
      z
        .string()
        .regex(
          /^\$[A-Za-z_][A-Za-z0-9_]*$/,
          problem(
            'must be a single nginx variable',
            'Write it like "$opentelemetry_trace_id"; literal text and quotes would break the JSON line.',
          ),
        ),
    )
    .superRefine((fields, ctx) => {
      for (const field of Object.keys(fields)) {
        const what = !/^[a-z][a-z0-9_]{0,63}$/.test(field)
          ? problem(
              'must be a field name of lower-case letters, digits and "_"',
              'Use a name such as "trace_id".',
            )
          : BUILTIN_LOG_FIELDS.has(field)
            ? problem(
                'is already a field of the access log',
                'Choose another name; the built-in fields are listed in the IngressNginxController docs.',
              )
            : undefined;
        if (what) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: what,
            params: { nestedValue: { value: field } },
          });
        }
      }
    })
    .optional(),
}) satisfies z.ZodType<IngressNginxAccessLogOptions>;
