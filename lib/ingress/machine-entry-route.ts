// What the flavours with oauth2-proxy in the request path (Gateway API, F5) need of the
// machine entry to route its host to it. On ingress-nginx the machine entry is auth-only and
// NginxIngress takes it from the gateway (`machineGateway`); here the ingress only carries
// traffic, so the machine entry must do the authentication itself: in the request path.
import * as z from 'zod';

import { kubernetesName } from '../core/schemas';
import { problem } from '../core/validation';

/** The machine entry an ingress routes the machine host to (`OidcGateway` `machineGateway`). */
export interface InPathMachineEntry {
  /** The machine host. */
  readonly host: string;
  /** Its Service, in the ingress's namespace. */
  readonly serviceName: string;
  /** That Service's port. */
  readonly port: number;
  /** It proxies admitted requests to Backstage itself: required, the ingress only carries traffic to it. */
  readonly inRequestPath: boolean;
}

/** @internal */
export const inPathMachineEntrySchema = z.strictObject({
  host: z.string(),
  serviceName: kubernetesName,
  port: z.number().int(),
  inRequestPath: z.literal(true, {
    error: problem(
      'must sit in the request path: the ingress only carries traffic to it',
      'Give the OidcGateway upstream (BackstagePortal does on the gateway-api and f5-nginx flavours); an auth-only machine entry is for ingress-nginx.',
    ),
  }),
}) satisfies z.ZodType<InPathMachineEntry>;

/** @internal The machine host must be a host of its own: every path of it goes to the machine entry. */
export function machineEntryHostIssues(
  ctx: z.core.$RefinementCtx,
  host: unknown,
  entry: InPathMachineEntry | undefined,
): void {
  if (entry !== undefined && entry.host === host) {
    ctx.addIssue({
      code: 'custom',
      path: ['machineEntry', 'host'],
      message: problem(
        'must differ from host',
        'The machine entry gets every path of a host of its own: give machines e.g. "api.<host>".',
      ),
    });
  }
}
