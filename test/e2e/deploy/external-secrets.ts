// The External Secrets path for real: dev's database password read from a namespace of the
// cluster (SecretStoreProvider.kubernetes, from the environment's kubernetesSecrets) by the
// real operator's controller (harness/external-secrets.ts), running as the chart's
// ServiceAccount. The steps check what users depend on: the store is validated as the reader
// ServiceAccount the library grants `get` to, the ExternalSecret writes the Secret that
// Postgres and Backstage read, a rotated value arrives within refreshInterval, the Role's
// secretNames and the store's namespaces are enforced, and no value reaches Terraform.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, expect, it } from 'vitest';

import type { Started } from '../signin/harness/processes';
import type { Cluster } from './harness/cluster';
import { type ServiceProxy, startExternalSecrets, startServiceProxy } from './harness/external-secrets';
import type { CdktfProject } from './harness/project';
import { condition, decodeSecret, eventually } from './harness/readback';
import { sentinel } from './harness/secrets';

export interface NamespaceSecretContext {
  readonly cluster: () => Cluster;
  /** The multi-cloud example's dev environment with E2E_VARIANT changes. */
  readonly variant: () => CdktfProject;
  readonly expectSuccess: (result: { code: number; output: string }, what: string) => void;
  readonly noChanges: (project: CdktfProject, stack: string) => Promise<void>;
}

const SOURCE_NAMESPACE = 'platform-secrets';
const STORE = 'kubernetes-platform-secrets';
/** The team namespace that the variant app creates, with a SecretStore of its own (apps/multi-cloud-variant.ts). */
const TEAM_NAMESPACE = 'e2e-team';

/** The ExternalSecret's condition Ready, as [status, reason, message]. */
const ready = (object: any): [string?, string?, string?] => {
  const c = (object?.status?.conditions ?? []).find((x: any) => x.type === 'Ready');
  return [c?.status, c?.reason, c?.message];
};

/**
 * Registers the steps in the calling describe. The controller runs from the first step until
 * the describe ends, so it is still there when a later step of the describe removes the
 * ExternalSecret.
 */
export function namespaceSecretSteps(ctx: NamespaceSecretContext): void {
  const passwords = { first: sentinel(), rotated: sentinel(), otherTeam: sentinel() };
  let proxy: ServiceProxy | undefined;
  let controller: Started | undefined;
  let target: string;

  afterAll(async () => {
    await controller?.stop();
    await proxy?.close();
    // The security team's namespace, made by kubectl below (Terraform never owned it).
    await ctx
      .cluster()
      .kubectl(['delete', 'namespace', SOURCE_NAMESPACE, '--ignore-not-found', '--wait=false'])
      .catch(() => undefined);
  });

  const secretManifest = (name: string, password: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: SOURCE_NAMESPACE },
      stringData: { password },
    });

  it('the real controller validates the kubernetes store as its reader and syncs the password into the Secret that Postgres and Backstage read', async () => {
    const bin = process.env.EXTERNAL_SECRETS;
    if (!bin) throw new Error('EXTERNAL_SECRETS is not set: source the env.sh that build-tools.sh writes');
    const cluster = ctx.cluster();
    // What the security team keeps in its namespace, by hand: the store reads it.
    await cluster.kubectl(['create', 'namespace', SOURCE_NAMESPACE]);
    await cluster.kubectl(['apply', '-f', '-'], secretManifest('backstage-database', passwords.first));
    await cluster.kubectl(['apply', '-f', '-'], secretManifest('other-team-database', passwords.otherTeam));

    const variant = ctx.variant();
    // cdktf deploy synthesizes the app itself, with E2E_VARIANT as it is now.
    variant.setEnv('E2E_VARIANT', 'namespaceSecrets');
    ctx.expectSuccess(
      await variant.deploy(['dev-platform']),
      'deploy of dev-platform with secrets from a namespace',
    );
    ctx.expectSuccess(
      await variant.deploy(['dev-portal'], { platformDeployed: true }),
      'deploy of dev-portal with a kubernetes ClusterSecretStore',
    );

    const dir = mkdtempSync(join(tmpdir(), 'cdktf-backstage-eso-'));
    proxy = await startServiceProxy(cluster);
    controller = await startExternalSecrets({
      bin,
      cluster,
      dir,
      proxy,
      namespace: 'external-secrets',
      serviceAccount: 'external-secrets',
    });
    const running = controller;
    const withLog = (what: string) => `${what}\n--- external-secrets log:\n${running.tail(40)}`;

    const store = await eventually(
      withLog('ClusterSecretStore Ready'),
      () => cluster.getJson(['clustersecretstores.external-secrets.io', STORE]),
      (s) => condition(s, 'Ready') !== undefined,
      90_000,
    );
    expect(ready(store), withLog('store')).toEqual(['True', 'Valid', 'store validated']);
    // It reached the API server as a pod would, through kubernetes.default.svc.
    expect(proxy.connections).toContainEqual({ authority: 'kubernetes.default.svc:443', allowed: true });
    expect(proxy.connections.filter((c) => !c.allowed)).toEqual([]);

    const externals = await cluster.getJson<{ items: any[] }>([
      'externalsecrets.external-secrets.io',
      '-n',
      'backstage',
    ]);
    expect(externals.items).toHaveLength(1);
    const external = await eventually(
      withLog('ExternalSecret synced'),
      () =>
        cluster.getJson([
          'externalsecrets.external-secrets.io',
          '-n',
          'backstage',
          externals.items[0].metadata.name,
        ]),
      (e) => ready(e)[0] === 'True',
      90_000,
    );
    expect(ready(external)).toEqual(['True', 'SecretSynced', 'secret synced']);
    target = external.spec.target.name;
    const secretKey = external.spec.data[0].secretKey;
    const synced = await cluster.getJson(['secret', '-n', 'backstage', target]);
    expect(decodeSecret(synced)).toEqual({ [secretKey]: passwords.first });
    // The operator owns it (creationPolicy Owner), so removing the ExternalSecret removes it.
    expect(synced.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'ExternalSecret', name: external.metadata.name, controller: true }),
    ]);

    // The consumers read exactly that Secret and key.
    const passwordRefs = (podSpec: any) =>
      podSpec.containers.flatMap((c: any) =>
        (c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.valueFrom.secretKeyRef),
      );
    const postgres = await cluster.getJson(['statefulset', '-n', 'backstage', 'backstage-postgres']);
    expect(passwordRefs(postgres.spec.template.spec)).toContainEqual({
      name: target,
      key: secretKey,
      optional: false,
    });
    const backstage = await cluster.getJson(['deployment', '-n', 'backstage', 'backstage']);
    // And name it for Reloader, which restarts them when the operator writes a rotated value
    // (they read it only at start; Reloader itself is not run here).
    for (const workload of [postgres, backstage]) {
      expect(
        String(workload.metadata.annotations?.['secret.reloader.stakater.com/reload'] ?? '').split(','),
        workload.metadata.name,
      ).toContain(target);
    }
    expect(passwordRefs(backstage.spec.template.spec)).toContainEqual({
      name: target,
      key: secretKey,
      optional: false,
    });
  });

  it('rotation: a new value in the source Secret reaches the synced Secret within refreshInterval (5s)', async () => {
    expect(target, 'the synced Secret of the step before').toBeDefined();
    const cluster = ctx.cluster();
    await cluster.kubectl(['apply', '-f', '-'], secretManifest('backstage-database', passwords.rotated));
    const rotated = await eventually(
      'the rotated password synced',
      () => cluster.getJson(['secret', '-n', 'backstage', target]),
      (s) => Object.values(decodeSecret(s)).includes(passwords.rotated),
      60_000,
    );
    expect(Object.values(decodeSecret(rotated))).toEqual([passwords.rotated]);
  });

  it("a team's SecretStore reads the same Secret as the team's own ServiceAccount, for the team's namespace only", async () => {
    expect(controller, 'the controller of the first step').toBeDefined();
    const cluster = ctx.cluster();
    const store = await eventually(
      'the SecretStore validated',
      () => cluster.getJson(['secretstores.external-secrets.io', '-n', TEAM_NAMESPACE, 'platform-secrets']),
      (s) => ready(s)[0] !== undefined,
      60_000,
    );
    expect(ready(store)).toEqual(['True', 'Valid', 'store validated']);
    // As the operator read it: the references without a namespace (a SecretStore's own).
    expect(store.spec.provider.kubernetes.auth).toEqual({ serviceAccount: { name: 'team-secrets-reader' } });
    const external = await eventually(
      'the team ExternalSecret synced',
      () => cluster.getJson(['externalsecrets.external-secrets.io', '-n', TEAM_NAMESPACE, 'team-database']),
      (e) => ready(e)[0] === 'True',
      60_000,
    );
    expect(ready(external)).toEqual(['True', 'SecretSynced', 'secret synced']);
    const synced = await cluster.getJson(['secret', '-n', TEAM_NAMESPACE, 'team-database']);
    expect(decodeSecret(synced)).toEqual({ password: passwords.rotated });
    // The Role the store rendered binds the team's ServiceAccount, in the namespace it reads.
    const binding = await cluster.getJson([
      'rolebinding',
      '-n',
      SOURCE_NAMESPACE,
      `${TEAM_NAMESPACE}-platform-secrets-reader`,
    ]);
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'team-secrets-reader', namespace: TEAM_NAMESPACE },
    ]);
  });

  it("the reader gets only secretNames, and the store serves only the portal's namespace", async () => {
    expect(controller, 'the controller of the first step').toBeDefined();
    const cluster = ctx.cluster();
    const probe = (namespace: string, name: string, key: string) =>
      JSON.stringify({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name, namespace },
        spec: {
          refreshInterval: '5s',
          secretStoreRef: { kind: 'ClusterSecretStore', name: STORE },
          target: { name },
          data: [{ secretKey: 'password', remoteRef: { key, property: 'password' } }],
        },
      });
    /** The messages of the warning events the operator recorded on an object. */
    const warnings = async (namespace: string, name: string) =>
      (
        await cluster.getJson<{ items: any[] }>([
          'events',
          '-n',
          namespace,
          '--field-selector',
          `involvedObject.name=${name},type=Warning`,
        ])
      ).items
        .map((e) => e.message as string)
        .join('\n');
    // Another team's Secret in the same namespace: the Role names only backstage-database.
    await cluster.kubectl(['apply', '-f', '-'], probe('backstage', 'e2e-other-team', 'other-team-database'));
    // The right Secret, asked for from a namespace the store's conditions do not list.
    await cluster.kubectl(['create', 'namespace', 'e2e-intruder']);
    await cluster.kubectl(['apply', '-f', '-'], probe('e2e-intruder', 'e2e-intruder', 'backstage-database'));
    try {
      const otherTeam = await eventually(
        'the other team’s Secret refused',
        () => cluster.getJson(['externalsecrets.external-secrets.io', '-n', 'backstage', 'e2e-other-team']),
        (e) => ready(e)[0] === 'False',
        60_000,
      );
      expect(ready(otherTeam)).toEqual([
        'False',
        'SecretSyncedError',
        'could not get secret data from provider',
      ]);
      // The API server's refusal of the reader, as the operator reports it.
      expect(await warnings('backstage', 'e2e-other-team')).toMatch(
        /secrets "other-team-database" is forbidden: User "system:serviceaccount:platform-secrets:external-secrets-reader" cannot get resource "secrets" in API group "" in the namespace "platform-secrets"/,
      );
      const intruder = await eventually(
        'the other namespace refused',
        () => cluster.getJson(['externalsecrets.external-secrets.io', '-n', 'e2e-intruder', 'e2e-intruder']),
        (e) => ready(e)[0] === 'False',
        60_000,
      );
      expect(ready(intruder)[1]).toBe('SecretSyncedError');
      expect(await warnings('e2e-intruder', 'e2e-intruder')).toContain(
        `using cluster store "${STORE}" is not allowed from namespace "e2e-intruder": denied by spec.condition`,
      );
      // Neither wrote a Secret.
      for (const [namespace, name] of [
        ['backstage', 'e2e-other-team'],
        ['e2e-intruder', 'e2e-intruder'],
      ] as const) {
        const found = await cluster.kubectl(['get', 'secret', '-n', namespace, name, '--ignore-not-found']);
        expect(found, `${namespace}/${name}`).toBe('');
      }
    } finally {
      await cluster.kubectl([
        'delete',
        'externalsecrets.external-secrets.io',
        '-n',
        'backstage',
        'e2e-other-team',
      ]);
      await cluster.kubectl(['delete', 'namespace', 'e2e-intruder', '--wait=false']);
    }
  });

  it('keeps every value out of Terraform: not in the state, the synthesized JSON or any output; the next plan is empty', async () => {
    const variant = ctx.variant();
    const state = await variant.engine('dev-portal', ['state', 'pull']);
    expect(state.code, state.output).toBe(0);
    expect(state.output).toContain(STORE);
    const everything = [state.output, variant.transcript.join('\n')].join('\n');
    for (const value of Object.values(passwords)) {
      expect(everything.includes(value), 'a password reached Terraform').toBe(false);
    }
    await ctx.noChanges(variant, 'dev-portal');
  });
}
