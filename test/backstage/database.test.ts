import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { BackstageDatabase, SecretRef } from '../../lib';
import {
  expectProblems,
  resourceAt,
  resourcesOf,
  synthBackstage,
  type TfJson,
  variableSecret,
} from '../helpers';

/** Synthesizes a Backstage (named `bs`) with the given database. */
function synthWith(
  database: BackstageDatabase | ((stack: TerraformStack) => BackstageDatabase),
  extra: { name?: string } = {},
): TfJson {
  return synthBackstage((stack) => ({
    database: typeof database === 'function' ? database(stack) : database,
    ...extra,
  }));
}

const rawAppConfig = (json: TfJson): string =>
  resourceAt(json, 'kubernetes_config_map_v1', 'bs/AppConfig').data['app-config.portal.yaml'];
/** `backend.database` of the app-config as Backstage reads it (after Terraform renders `$${`). */
const databaseConfigOf = (json: TfJson): any =>
  parse(rawAppConfig(json).replaceAll('$${', '${')).backend.database;
const backstageEnv = (json: TfJson): any[] =>
  resourceAt(json, 'kubernetes_deployment_v1', 'bs/Deployment').spec.template.spec.container[0].env;

const dbPassword = SecretRef.fromSecret('backstage-db', 'password');

describe('BackstageDatabase', () => {
  describe('sqliteInMemory', () => {
    it('configures better-sqlite3 in memory and needs no secret or extra resources', () => {
      const json = synthWith(BackstageDatabase.sqliteInMemory());
      expect(databaseConfigOf(json)).toEqual({ client: 'better-sqlite3', connection: ':memory:' });
      expect(backstageEnv(json).map((e) => e.name)).toEqual(['NODE_OPTIONS']);
      expect(resourcesOf(json, 'kubernetes_stateful_set_v1')).toEqual({});
    });

    it('holds data per pod', () => {
      expect(BackstageDatabase.sqliteInMemory().perPod).toBe(true);
      expect(BackstageDatabase.inCluster({ password: dbPassword }).perPod).toBe(false);
      expect(
        BackstageDatabase.external({ host: 'db.example.com', user: 'u', password: dbPassword }).perPod,
      ).toBe(false);
    });
  });

  describe('inCluster', () => {
    const inCluster = (stack: TerraformStack) =>
      BackstageDatabase.inCluster({ password: variableSecret(stack, 'db_password') });

    it('runs a pinned PostgreSQL StatefulSet with its data in a subdirectory of the volume', () => {
      const json = synthWith(inCluster);
      const sts = resourceAt(json, 'kubernetes_stateful_set_v1', 'bs/Postgres/StatefulSet');
      expect(sts.metadata).toMatchObject({ name: 'backstage-postgres', namespace: 'backstage' });
      expect(sts.spec.replicas).toBe('1');
      expect(sts.spec.service_name).toBe('backstage-postgres');
      const container = sts.spec.template.spec.container[0];
      expect(container.image).toBe('docker.io/library/postgres:17.9');
      expect(container.env).toEqual([
        { name: 'POSTGRES_USER', value: 'backstage' },
        { name: 'POSTGRES_PASSWORD', value_from: { secret_key_ref: { name: 'db-password', key: 'value' } } },
        { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      ]);
      expect(container.volume_mount).toContainEqual({ name: 'data', mount_path: '/var/lib/postgresql/data' });
    });

    it('claims a 10Gi volume of the default class by default', () => {
      const [claim] = resourceAt(
        synthWith(inCluster),
        'kubernetes_stateful_set_v1',
        'bs/Postgres/StatefulSet',
      ).spec.volume_claim_template;
      expect(claim.metadata.name).toBe('data');
      expect(claim.spec.access_modes).toEqual(['ReadWriteOnce']);
      expect(claim.spec.resources.requests.storage).toBe('10Gi');
      expect(claim.spec).not.toHaveProperty('storage_class_name');
    });

    it('uses the given storage size, class, image and name', () => {
      const json = synthWith(
        BackstageDatabase.inCluster({
          password: dbPassword,
          storageSize: '50Gi',
          storageClassName: 'fast-ssd',
          image: 'postgres:17.6-alpine',
          name: 'portal-db',
        }),
      );
      const sts = resourceAt(json, 'kubernetes_stateful_set_v1', 'bs/Postgres/StatefulSet');
      expect(sts.metadata.name).toBe('portal-db');
      expect(sts.spec.template.spec.container[0].image).toBe('postgres:17.6-alpine');
      expect(sts.spec.volume_claim_template[0].spec).toMatchObject({
        storage_class_name: 'fast-ssd',
        resources: { requests: { storage: '50Gi' } },
      });
      expect(databaseConfigOf(json).connection.host).toBe('portal-db');
    });

    it('runs as the non-root postgres user (999) with a read-only root filesystem', () => {
      const spec = resourceAt(synthWith(inCluster), 'kubernetes_stateful_set_v1', 'bs/Postgres/StatefulSet')
        .spec.template.spec;
      expect(spec.automount_service_account_token).toBe(false);
      expect(spec.security_context).toMatchObject({
        run_as_non_root: true,
        run_as_user: '999',
        fs_group: '999',
        seccomp_profile: { type: 'RuntimeDefault' },
      });
      expect(spec.container[0].security_context).toMatchObject({
        run_as_non_root: true,
        run_as_user: '999',
        read_only_root_filesystem: true,
        allow_privilege_escalation: false,
        capabilities: { drop: ['ALL'] },
      });
      // The writable paths postgres needs besides its data.
      expect(spec.container[0].volume_mount.map((m: any) => m.mount_path)).toEqual([
        '/var/lib/postgresql/data',
        '/var/run/postgresql',
        '/tmp',
      ]);
    });

    it('checks readiness and liveness with pg_isready', () => {
      const container = resourceAt(
        synthWith(inCluster),
        'kubernetes_stateful_set_v1',
        'bs/Postgres/StatefulSet',
      ).spec.template.spec.container[0];
      const command = ['pg_isready', '-U', 'backstage', '-h', '127.0.0.1'];
      expect(container.readiness_probe.exec.command).toEqual(command);
      expect(container.liveness_probe.exec.command).toEqual(command);
    });

    it('restarts when its password changes, since it applies the password at start', () => {
      // A variable: the pod template carries the Secret's revision, so a new value rolls the pod.
      const fromVariable = resourceAt(
        synthWith(inCluster),
        'kubernetes_stateful_set_v1',
        'bs/Postgres/StatefulSet',
      );
      expect(fromVariable.spec.template.metadata.annotations['checksum/secrets']).toMatch(
        /^\$\{sha256\(join\(",", \[sha256\(join\(":", \[kubernetes_secret_v1\.bs_Secret-db-password_[0-9A-F]+\.metadata\[0\]\.uid, var\.db_password\]\)\)\]\)\)\}$/,
      );
      expect(fromVariable.metadata.annotations).toBeUndefined();
      // A Secret written outside Terraform: Reloader restarts it, and Terraform leaves its stamp alone.
      const fromSecret = resourceAt(
        synthWith(BackstageDatabase.inCluster({ password: dbPassword })),
        'kubernetes_stateful_set_v1',
        'bs/Postgres/StatefulSet',
      );
      expect(fromSecret.metadata.annotations).toEqual({
        'secret.reloader.stakater.com/reload': 'backstage-db',
      });
      expect(fromSecret.spec.template.metadata.annotations).toEqual({
        'kubectl.kubernetes.io/default-container': 'postgres',
      });
      expect(fromSecret.lifecycle.ignore_changes).toEqual([
        'spec[0].template[0].metadata[0].annotations["reloader.stakater.com/last-reloaded-from"]',
      ]);
      // The hook that applies it (run against a real PostgreSQL in the sign-in suite).
      expect(fromSecret.spec.template.spec.container[0].lifecycle.post_start[0].exec.command[0]).toBe('sh');
    });

    it('is reached through a headless Service on 5432', () => {
      const service = resourceAt(synthWith(inCluster), 'kubernetes_service_v1', 'bs/Postgres/Service');
      expect(service.metadata.name).toBe('backstage-postgres');
      expect(service.spec.cluster_ip).toBe('None');
      expect(service.spec.port).toEqual([
        { name: 'postgres', port: 5432, target_port: 'postgres', protocol: 'TCP' },
      ]);
    });

    it('admits only the Backstage pods, on 5432', () => {
      const policy = resourceAt(
        synthWith(inCluster, { name: 'portal' }),
        'kubernetes_network_policy_v1',
        'bs/Postgres/NetworkPolicy',
      );
      expect(policy.spec.pod_selector.match_labels).toEqual({
        'app.kubernetes.io/name': 'postgres',
        'app.kubernetes.io/instance': 'backstage-postgres',
      });
      expect(policy.spec.policy_types).toEqual(['Ingress']);
      expect(policy.spec.ingress).toEqual([
        {
          from: [
            {
              pod_selector: {
                match_labels: {
                  'app.kubernetes.io/name': 'backstage',
                  'app.kubernetes.io/instance': 'portal',
                },
              },
            },
          ],
          ports: [{ port: '5432', protocol: 'TCP' }],
        },
      ]);
    });

    it('points the app-config at the in-cluster server with the password from ${POSTGRES_PASSWORD}', () => {
      const json = synthWith(inCluster);
      expect(databaseConfigOf(json)).toEqual({
        client: 'pg',
        connection: {
          host: 'backstage-postgres',
          port: 5432,
          user: 'backstage',
          password: '${POSTGRES_PASSWORD}',
        },
      });
      expect(rawAppConfig(json)).toContain('password: $${POSTGRES_PASSWORD}');
    });

    it('gives Backstage the same password Secret as PostgreSQL, and the Secret is created once', () => {
      const json = synthWith(inCluster);
      expect(backstageEnv(json)).toContainEqual({
        name: 'POSTGRES_PASSWORD',
        value_from: { secret_key_ref: { name: 'db-password', key: 'value' } },
      });
      const secrets = Object.entries(resourcesOf(json, 'kubernetes_secret_v1'));
      expect(secrets).toHaveLength(1);
      expect(secrets[0]![1].data).toEqual({ value: '${var.db_password}' });
      expect(resourceAt(json, 'kubernetes_stateful_set_v1', 'bs/Postgres/StatefulSet').depends_on).toEqual([
        `kubernetes_secret_v1.${secrets[0]![0]}`,
      ]);
    });
  });

  describe('external', () => {
    it('connects with full TLS verification by default', () => {
      const json = synthWith(
        BackstageDatabase.external({
          host: 'backstage.abc123.eu-west-1.rds.amazonaws.com',
          user: 'backstage',
          password: dbPassword,
        }),
      );
      expect(databaseConfigOf(json)).toEqual({
        client: 'pg',
        connection: {
          host: 'backstage.abc123.eu-west-1.rds.amazonaws.com',
          port: 5432,
          user: 'backstage',
          password: '${POSTGRES_PASSWORD}',
          ssl: { rejectUnauthorized: true },
        },
      });
      expect(backstageEnv(json)).toContainEqual({
        name: 'POSTGRES_PASSWORD',
        value_from: { secret_key_ref: { name: 'backstage-db', key: 'password' } },
      });
      expect(resourcesOf(json, 'kubernetes_stateful_set_v1')).toEqual({});
    });

    it('verifies against the given CA, passed as POSTGRES_CA_CERT', () => {
      const json = synthWith(
        BackstageDatabase.external({
          host: 'db.example.com',
          port: 6432,
          user: 'backstage',
          password: dbPassword,
          tls: { mode: 'verify-full', ca: SecretRef.fromSecret('rds-ca', 'ca.pem') },
        }),
      );
      const connection = databaseConfigOf(json).connection;
      expect(connection.port).toBe(6432);
      expect(connection.ssl).toEqual({ rejectUnauthorized: true, ca: '${POSTGRES_CA_CERT}' });
      expect(rawAppConfig(json)).toContain('ca: $${POSTGRES_CA_CERT}');
      expect(backstageEnv(json)).toContainEqual({
        name: 'POSTGRES_CA_CERT',
        value_from: { secret_key_ref: { name: 'rds-ca', key: 'ca.pem' } },
      });
    });

    it('encrypts without verification with mode "require"', () => {
      const json = synthWith(
        BackstageDatabase.external({
          host: 'db.example.com',
          user: 'backstage',
          password: dbPassword,
          tls: { mode: 'require' },
        }),
      );
      expect(databaseConfigOf(json).connection.ssl).toEqual({ rejectUnauthorized: false });
    });

    it('turns TLS off with mode "disable"', () => {
      const json = synthWith(
        BackstageDatabase.external({
          host: '10.0.0.12',
          user: 'backstage',
          password: dbPassword,
          tls: { mode: 'disable' },
        }),
      );
      expect(databaseConfigOf(json).connection).toMatchObject({ host: '10.0.0.12', ssl: false });
      expect(backstageEnv(json).map((e) => e.name)).not.toContain('POSTGRES_CA_CERT');
    });
  });

  describe('validation', () => {
    it('refuses a plain string as password with a pointer to SecretRef, without echoing it', () => {
      const [problem] = expectProblems(
        () =>
          synthWith(
            BackstageDatabase.external({
              host: 'db.example.com',
              user: 'backstage',
              password: 'hunter2-db' as unknown as SecretRef,
            }),
          ),
        [
          {
            where: 'test/bs',
            path: 'database.password',
            says: [
              'must be a SecretRef, not a plain value',
              'got a plain value (hidden)',
              'SecretRef.fromSecret(name, key)',
            ],
          },
        ],
      );
      expect(problem!.message).not.toContain('hunter2-db');
    });

    it('refuses a plain string as in-cluster password too', () => {
      const [problem] = expectProblems(
        () => synthWith(BackstageDatabase.inCluster({ password: 'hunter2-db' as unknown as SecretRef })),
        [{ where: 'test/bs', path: 'database.password', says: 'must be a SecretRef, not a plain value' }],
      );
      expect(problem!.message).not.toContain('hunter2-db');
    });

    it('refuses an unpinned postgres image and an invalid storage size', () => {
      expectProblems(
        () =>
          synthWith(
            BackstageDatabase.inCluster({
              password: dbPassword,
              image: 'postgres:latest',
              storageSize: '10 GB',
            }),
          ),
        [
          {
            where: 'test/bs',
            path: 'database.storageSize',
            says: ['must be a Kubernetes quantity', 'got "10 GB"'],
          },
          {
            where: 'test/bs',
            path: 'database.image',
            says: [
              'must be pinned to a version tag or a digest, not "latest" or untagged',
              'got "postgres:latest"',
            ],
          },
        ],
      );
    });

    it('refuses an empty user and an unknown TLS mode', () => {
      expectProblems(
        () =>
          synthWith(
            BackstageDatabase.external({
              host: 'db.example.com',
              user: '',
              password: dbPassword,
              tls: { mode: 'verify-ca' as never },
            }),
          ),
        [
          { where: 'test/bs', path: 'database.user', says: ['must not be empty', 'got ""'] },
          {
            where: 'test/bs',
            path: 'database.tls.mode',
            says: ['must be "verify-full", "require" or "disable"', 'got "verify-ca"'],
          },
        ],
      );
    });

    it('refuses a host with scheme and port, saying what to write instead', () => {
      const [problem] = expectProblems(
        () =>
          synthWith(
            BackstageDatabase.external({
              host: 'postgres://db.example.com:5432',
              user: 'backstage',
              password: dbPassword,
            }),
          ),
        [
          {
            where: 'test/bs',
            path: 'database.host',
            says: ['got "postgres://db.example.com:5432"', 'without scheme, port or path'],
          },
        ],
      );
      // Either wording of what a host is will do; the fix must be specific, not the generic pointer.
      expect(problem!.message).toMatch(
        /database\.host: must be a (fully qualified DNS name|host name or IPv4 address), got /,
      );
      expect(problem!.message).not.toContain('See the documentation of this prop.');
    });
  });
});
