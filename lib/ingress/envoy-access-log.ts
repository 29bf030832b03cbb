import * as z from 'zod';

import { keyedRecord } from '../core/schemas';
import { problem } from '../core/validation';

// The Envoy access log of the Gateway API front door on Envoy Gateway: one JSON object per
// request (Envoy's json_format, whose values are command operators). The field names are
// ingress-nginx's (platform/access-log.ts) where the value means the same, so one
// dashboard reads both flavours; where Envoy measures something else the name says so
// (`duration_ms`, Envoy's milliseconds, not nginx's `request_time` seconds; `bytes_received`,
// the body, not nginx's `request_length` with the headers). There is no user or e-mail:
// Envoy hands every request to oauth2-proxy, which finds the identity and logs it itself.
// Nothing that carries a credential is logged: no query string (the OAuth callback's code),
// no Authorization, Cookie or Set-Cookie header.

/** Options of the JSON access log on Envoy Gateway. */
export interface EnvoyAccessLogOptions {
  /**
   * More fields: JSON field name to a single Envoy command operator, e.g.
   * `{ "trace_id": "%REQ(TRACEPARENT)%" }`. Headers that carry credentials are refused.
   * @default - none
   */
  readonly extraFields?: Readonly<Record<string, string>>;
}

/** The fields of the access log, and the Envoy command operator of each (numbers come out unquoted). */
const ENVOY_LOG_FIELDS: ReadonlyArray<readonly [field: string, operator: string]> = [
  ['time', '%START_TIME%'],
  ['request_id', '%REQ(X-REQUEST-ID)%'],
  // The detected client address (the TCP peer, or the trusted X-Forwarded-For hop).
  ['client_ip', '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%'],
  ['method', '%REQ(:METHOD)%'],
  ['host', '%REQ(:AUTHORITY)%'],
  // NQ: without the query string; ORIG_OR_PATH: as the client sent it, before any rewrite.
  ['path', '%PATH(NQ:ORIG_OR_PATH)%'],
  ['protocol', '%PROTOCOL%'],
  ['status', '%RESPONSE_CODE%'],
  // Why Envoy answered itself, if it did (RL: rate limited; UH: no healthy upstream; ...).
  ['response_flags', '%RESPONSE_FLAGS%'],
  ['bytes_received', '%BYTES_RECEIVED%'],
  ['bytes_sent', '%BYTES_SENT%'],
  ['duration_ms', '%DURATION%'],
  ['upstream_addr', '%UPSTREAM_HOST%'],
  ['user_agent', '%REQ(USER-AGENT)%'],
  // Envoy Gateway's route name: httproute/<namespace>/<name>/rule/<n>/...
  ['route', '%ROUTE_NAME%'],
];

/** The `json` map of the EnvoyProxy's access-log format. */
export function envoyAccessLogFormat(options: EnvoyAccessLogOptions = {}): Record<string, string> {
  return Object.fromEntries([...ENVOY_LOG_FIELDS, ...Object.entries(options.extraFields ?? {})]);
}

const BUILTIN_FIELDS = new Set(ENVOY_LOG_FIELDS.map(([field]) => field));
/** One command operator, with its optional argument and length: `%NAME%`, `%NAME(ARG)%`, `%NAME(ARG):N%`. */
const COMMAND_OPERATOR = /^%[A-Z][A-Z0-9_]*(\([^%()]*\))?(:[0-9]+)?%$/;
/** Headers that carry credentials, in REQ/RESP/TRAILER operators. */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key)$/i;

/** @internal The schema of {@link EnvoyAccessLogOptions}. */
export const envoyAccessLogOptionsSchema = z.strictObject({
  extraFields: keyedRecord(
    z
      .string()
      .regex(
        COMMAND_OPERATOR,
        problem(
          'must be a single Envoy command operator',
          'Write it like "%REQ(TRACEPARENT)%"; literal text around it would be logged as a string.',
        ),
      )
      .refine(
        (operator) => {
          const headers = /^%(?:REQ|RESP|TRAILER|REQUEST_HEADER|RESPONSE_HEADER)\(([^)]*)\)/.exec(
            operator,
          )?.[1];
          return headers === undefined || !headers.split('?').some((h) => CREDENTIAL_HEADER.test(h.trim()));
        },
        problem(
          'logs a header that carries a credential',
          'Log no Authorization, Cookie, Set-Cookie or API-key header: the log would hold tokens and sessions.',
        ),
      ),
    (field) =>
      !/^[a-z][a-z0-9_]{0,63}$/.test(field)
        ? problem(
            'must be a field name of lower-case letters, digits and "_"',
            'Use a name such as "trace_id".',
          )
        : BUILTIN_FIELDS.has(field)
          ? problem(
              'is already a field of the access log',
              `Choose another name; the built-in fields are ${[...BUILTIN_FIELDS].join(', ')}.`,
            )
          : undefined,
  ).optional(),
});
