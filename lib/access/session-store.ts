import { Token } from 'cdktf';
import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import { problem } from '../core/validation';
import { SecretRef, secretRefSchema } from '../secrets/secret-ref';

const BRAND = Symbol.for('cdktf-backstage.SessionStore');

/** Options of `SessionStore.redis`. */
export interface RedisSessionStoreOptions {
  /** `redis://host:port` or `rediss://host:port` (TLS), without credentials. */
  readonly url: string;
  /**
   * Redis password.
   * @default - no password
   */
  readonly password?: SecretRef;
  /**
   * CA certificate (PEM) to verify the Redis server's certificate with, for a `rediss://`
   * URL whose server certificate comes from a private CA (the cloud provider's or your
   * own). It is mounted from the Secret into the oauth2-proxy pod and passed as
   * `--redis-ca-path`, added to the image's trusted CAs. There is deliberately no option
   * to skip the verification.
   * @default - the CAs trusted by the oauth2-proxy image
   */
  readonly ca?: SecretRef;
}

/** @internal */
export const redisSessionStoreSchema = z
  .strictObject({
    url: z.string().refine(
      (value) => {
        try {
          const url = new URL(value);
          return (
            (url.protocol === 'redis:' || url.protocol === 'rediss:') &&
            url.username === '' &&
            url.password === ''
          );
        } catch {
          return false;
        }
      },
      problem(
        'must be a redis:// or rediss:// URL without credentials',
        'Put the password in `password` as a SecretRef; keep the URL to scheme, host and port.',
        { redact: true },
      ),
    ),
    password: secretRefSchema().optional(),
    ca: secretRefSchema().optional(),
  })
  .superRefine((options, ctx) => {
    if (
      options.ca === undefined ||
      typeof options.url !== 'string' ||
      Token.isUnresolved(options.url) ||
      !options.url.startsWith('redis://')
    ) {
      return;
    }
    ctx.addIssue({
      code: 'custom',
      path: ['ca'],
      message: problem(
        'needs a rediss:// URL: a CA only verifies a TLS connection, and redis:// connects in clear text',
        'Use rediss://host:port if the server speaks TLS, or leave ca out.',
      ),
    });
  }) satisfies z.ZodType<RedisSessionStoreOptions>;

/**
 * Where oauth2-proxy keeps sessions. In cookies (no extra service, but large cookies:
 * the ingress needs bigger proxy buffers) or in Redis (a small ticket cookie; sign-out
 * ends the session everywhere).
 */
export class SessionStore {
  public static cookie(): SessionStore {
    return new SessionStore('cookie', undefined);
  }

  public static redis(options: RedisSessionStoreOptions): SessionStore {
    return new SessionStore('redis', options);
  }

  public static isSessionStore(value: unknown): value is SessionStore {
    return isBranded(value, BRAND);
  }

  private constructor(
    public readonly kind: 'cookie' | 'redis',
    public readonly redis: RedisSessionStoreOptions | undefined,
  ) {
    brand(this, BRAND);
  }

  /**
   * nginx `proxy-buffer-size` that holds the response headers oauth2-proxy sends with
   * this store. A cookie session carries the ID, access and refresh tokens (often 4-8k
   * with many groups, split into several Set-Cookie headers) and the ID token is also
   * forwarded in a header: 4k, nginx's default, is too small.
   */
  public get proxyBufferSize(): string {
    return this.kind === 'cookie' ? '32k' : '16k';
  }
}
