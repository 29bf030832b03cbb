import { Construct } from 'constructs';
import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import { DEFAULT_IMAGES } from '../core/defaults';
import {
  hostName,
  kubernetesName,
  pinnedImage,
  portNumber,
  quantity,
  valueObjectSchema,
} from '../core/schemas';
import { problem, validateProps } from '../core/validation';
import { BoundSecret, SecretRef, secretRefSchema } from '../secrets/secret-ref';
import { InClusterPostgres } from './in-cluster-postgres';

const BRAND = Symbol.for('cdktf-backstage.BackstageDatabase');

/** TLS to an external PostgreSQL. */
export interface DatabaseTls {
  /**
   * `verify-full` checks the server certificate and name; `require` encrypts without
   * checking (not recommended); `disable` sends everything in clear text.
   * @default "verify-full"
   */
  readonly mode?: 'verify-full' | 'require' | 'disable';
  /**
   * CA certificate (PEM) to verify the server with, e.g. the cloud provider's RDS/Cloud SQL CA.
   * @default - the CAs trusted by Node.js
   */
  readonly ca?: SecretRef;
}

export interface ExternalDatabaseOptions {
  /** Server host name. */
  readonly host: string;
  /** @default 5432 */
  readonly port?: number;
  /** Database user. */
  readonly user: string;
  /** Password of that user. */
  readonly password: SecretRef;
  /** @default - TLS with full verification */
  readonly tls?: DatabaseTls;
}

export interface InClusterDatabaseOptions {
  /** Password for the database user (e.g. a sensitive variable). */
  readonly password: SecretRef;
  /** @default "10Gi" */
  readonly storageSize?: string;
  /** @default - the cluster's default storage class */
  readonly storageClassName?: string;
  /** @default "docker.io/library/postgres:17.9" (DEFAULT_IMAGES.postgres) */
  readonly image?: string;
  /** @default "backstage-postgres" */
  readonly name?: string;
}

/** What the Backstage construct needs from a bound database. */
export interface BoundDatabase {
  /** `backend.database` of the app-config. */
  readonly config: Record<string, unknown>;
  /** Environment variables the config refers to (`${POSTGRES_PASSWORD}`). */
  readonly env: ReadonlyArray<{ readonly name: string; readonly secret: BoundSecret }>;
  /** True when every pod would get its own copy of the data (SQLite in memory). */
  readonly perPod: boolean;
}

export interface DatabaseBindingContext {
  readonly scope: Construct;
  readonly namespace: string;
  /** Labels of the Backstage pods (the only clients of an in-cluster database). */
  readonly clientLabels: Readonly<Record<string, string>>;
}

/**
 * @internal
 * The TLS of a connection to an external database: its mode, and the CA in `ca` given the
 * way the caller takes secrets (a SecretRef here, a secret source in an environment file);
 * `modeFix` is the fix line of a wrong mode.
 */
export function databaseTlsSchema<Ca extends z.ZodType>(ca: Ca, modeFix: string) {
  return z.strictObject({
    mode: z
      .enum(['verify-full', 'require', 'disable'], {
        error: problem('must be "verify-full", "require" or "disable"', modeFix),
      })
      .optional(),
    ca: ca.optional(),
  });
}

const externalSchema = z.strictObject({
  host: z
    .string()
    .refine(
      (host) => hostName.safeParse(host).success || z.ipv4().safeParse(host).success,
      problem(
        'must be a host name or IPv4 address',
        'Give the database endpoint without scheme, port or path (the port goes in "port").',
      ),
    ),
  port: portNumber.optional(),
  user: z.string().min(1, problem('must not be empty', 'Give the database user Backstage connects as.')),
  password: secretRefSchema(),
  tls: databaseTlsSchema(
    secretRefSchema(),
    'Keep "verify-full" and give the CA if the server uses a private one.',
  ).optional(),
}) satisfies z.ZodType<ExternalDatabaseOptions>;

const inClusterSchema = z.strictObject({
  password: secretRefSchema(),
  storageSize: quantity.optional(),
  storageClassName: kubernetesName.optional(),
  image: pinnedImage.optional(),
  name: kubernetesName.optional(),
}) satisfies z.ZodType<InClusterDatabaseOptions>;

/** Where Backstage keeps its data. */
export abstract class BackstageDatabase {
  /** A PostgreSQL server you run (RDS, Cloud SQL, Azure Database, on-prem). */
  public static external(options: ExternalDatabaseOptions): BackstageDatabase {
    return new ExternalDatabase(options);
  }

  /** A single PostgreSQL StatefulSet with a volume, for small installs. */
  public static inCluster(options: InClusterDatabaseOptions): BackstageDatabase {
    return new InClusterDatabase(options);
  }

  /** SQLite in memory: data is lost on every restart. Throwaway dev environments only. */
  public static sqliteInMemory(): BackstageDatabase {
    return new SqliteInMemoryDatabase();
  }

  public static isBackstageDatabase(value: unknown): value is BackstageDatabase {
    return isBranded(value, BRAND);
  }

  protected constructor() {
    brand(this, BRAND);
  }

  /** True when every pod holds its own copy of the data (so only one replica makes sense). */
  public get perPod(): boolean {
    return false;
  }

  public abstract bind(context: DatabaseBindingContext): BoundDatabase;
}

/** @internal The `database` prop of Backstage and of the portal. */
export const backstageDatabaseSchema = valueObjectSchema(
  BackstageDatabase.isBackstageDatabase,
  'a BackstageDatabase',
  'Use BackstageDatabase.external({...}), .inCluster({...}) or .sqliteInMemory().',
);

/** Where a PostgreSQL server is, as Backstage connects to it. */
interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** node-postgres' `ssl` option, when the server needs one. */
  readonly ssl?: false | Readonly<Record<string, unknown>>;
  /** Secrets the connection needs besides the password. */
  readonly env: BoundDatabase['env'];
}

/**
 * A PostgreSQL database Backstage signs in to with a password: the options are checked and
 * the password bound the same way wherever the server runs, and Backstage reads the
 * password from `POSTGRES_PASSWORD`.
 */
abstract class PostgresDatabase<O extends { readonly password: SecretRef }> extends BackstageDatabase {
  protected constructor(
    protected readonly options: O,
    private readonly schema: z.ZodType,
  ) {
    super();
  }

  public bind(context: DatabaseBindingContext): BoundDatabase {
    validateProps(context.scope, this.schema, this.options, ['database']);
    const password = this.options.password.bind({ ...context, prop: 'database.password' });
    const server = this.server(context, password);
    return {
      config: {
        client: 'pg',
        connection: {
          host: server.host,
          port: server.port,
          user: server.user,
          password: '${POSTGRES_PASSWORD}',
          ...(server.ssl !== undefined ? { ssl: server.ssl } : {}),
        },
      },
      env: [{ name: 'POSTGRES_PASSWORD', secret: password }, ...server.env],
      perPod: false,
    };
  }

  /** The server, created first where the library runs it. */
  protected abstract server(context: DatabaseBindingContext, password: BoundSecret): PostgresServer;
}

class ExternalDatabase extends PostgresDatabase<ExternalDatabaseOptions> {
  constructor(options: ExternalDatabaseOptions) {
    super(options, externalSchema);
  }

  protected server(context: DatabaseBindingContext): PostgresServer {
    const mode = this.options.tls?.mode ?? 'verify-full';
    const ca = this.options.tls?.ca?.bind({ ...context, prop: 'database.tls.ca' });
    return {
      host: this.options.host,
      port: this.options.port ?? 5432,
      user: this.options.user,
      ssl:
        mode === 'disable'
          ? false
          : { rejectUnauthorized: mode === 'verify-full', ...(ca ? { ca: '${POSTGRES_CA_CERT}' } : {}) },
      env: ca ? [{ name: 'POSTGRES_CA_CERT', secret: ca }] : [],
    };
  }
}

class InClusterDatabase extends PostgresDatabase<InClusterDatabaseOptions> {
  constructor(options: InClusterDatabaseOptions) {
    super(options, inClusterSchema);
  }

  protected server(context: DatabaseBindingContext, password: BoundSecret): PostgresServer {
    const user = 'backstage';
    const postgres = new InClusterPostgres(context.scope, 'Postgres', {
      namespace: context.namespace,
      name: this.options.name ?? 'backstage-postgres',
      image: this.options.image ?? DEFAULT_IMAGES.postgres,
      user,
      password,
      storageSize: this.options.storageSize ?? '10Gi',
      storageClassName: this.options.storageClassName,
      clientLabels: context.clientLabels,
    });
    return { host: postgres.host, port: postgres.port, user, env: [] };
  }
}

class SqliteInMemoryDatabase extends BackstageDatabase {
  public override get perPod(): boolean {
    return true;
  }

  public bind(): BoundDatabase {
    return {
      config: { client: 'better-sqlite3', connection: ':memory:' },
      env: [],
      perPod: true,
    };
  }
}
