// Charts from mirrors that want a login or a client certificate (ChartSource's `login`,
// `caFile` and `clientCertificate`), installed for real by the helm provider: a Helm
// repository behind basic authentication and a company CA, an OCI registry (the CNCF
// distribution registry) with htpasswd authentication, and a Helm repository that wants a
// TLS client certificate, all on loopback (harness/chart-mirrors.ts). Each is refused first
// (a wrong password, a CA not trusted, no client certificate), then installs the chart;
// no password is ever printed. Last, the three stacks are destroyed.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type ClientPki,
  type HelmRepository,
  makeClientPki,
  makePki,
  type MirrorPki,
  type OciRegistry,
  startHelmRepository,
  startOciRegistry,
} from './harness/chart-mirrors';
import type { Cluster } from './harness/cluster';
import { CdktfProject, vendorDir } from './harness/project';
import { eventually, helmReleases, tail } from './harness/readback';
import { sentinel } from './harness/secrets';
import { readStack, resourcesOf } from './harness/synthesized';

/** What the steps use of the scenario they run in. */
export interface ChartMirrorContext {
  readonly cluster: () => Cluster;
  /** A project of the given app with the given extra environment (HOME and engine as the scenario's). */
  readonly project: (name: string, app: string, env: Readonly<Record<string, string>>) => CdktfProject;
  readonly expectSuccess: (result: { code: number; output: string }, what: string) => void;
  readonly noChanges: (project: CdktfProject, stack: string) => Promise<void>;
  readonly home: () => string;
}

const REPOSITORY_STACK = 'dev-chart-repository';
const REGISTRY_STACK = 'dev-chart-registry';
const MTLS_STACK = 'dev-chart-repository-mtls';
const CHART = join(vendorDir, 'charts/reloader-2.2.11.tgz');

export function chartMirrorSteps(ctx: ChartMirrorContext): void {
  describe('charts from mirrors that want a login or a client certificate', () => {
    const passwords = { repository: sentinel(), registry: sentinel() };
    const wrong = sentinel();
    let dir: string;
    let repositoryPki: MirrorPki;
    let registryPki: MirrorPki;
    let repository: HelmRepository;
    let registry: OciRegistry;
    let mtlsPki: MirrorPki;
    let clients: ClientPki;
    let mtlsRepository: HelmRepository;
    let project: CdktfProject;

    /** The deployed release of that name, if any. */
    const deployed = async (name: string) =>
      (await helmReleases(ctx.cluster())).filter((r) => r.name === name && r.status === 'deployed');
    /** Neither password, nor the wrong one, in anything any command printed. */
    const printedNoPassword = () => {
      const printed = project.transcript.join('\n');
      for (const value of [passwords.repository, passwords.registry, wrong]) {
        expect(printed.includes(value), 'a password was printed').toBe(false);
      }
    };

    beforeAll(async () => {
      const registryBin = process.env.REGISTRY;
      if (!registryBin) throw new Error('REGISTRY is not set: source the env.sh that build-tools.sh writes');
      dir = mkdtempSync(join(tmpdir(), 'cdktf-backstage-mirrors-'));
      repositoryPki = makePki(join(dir, 'repository-pki'), 'chart repository');
      registryPki = makePki(join(dir, 'registry-pki'), 'chart registry');
      repository = await startHelmRepository({
        chartTgz: CHART,
        pki: repositoryPki,
        login: { username: 'ci-robot', password: passwords.repository },
      });
      registry = await startOciRegistry({
        registryBin,
        dir: join(dir, 'registry'),
        pki: registryPki,
        username: 'ci-robot',
        password: passwords.registry,
        chartTgz: CHART,
        repository: 'mirror/charts/reloader',
      });
      mtlsPki = makePki(join(dir, 'mtls-pki'), 'mutual TLS chart repository');
      clients = makeClientPki(join(dir, 'client-pki'), 'ci-robot');
      mtlsRepository = await startHelmRepository({ chartTgz: CHART, pki: mtlsPki, clientCa: clients.caFile });
      project = ctx.project('chart-mirrors', 'test/e2e/deploy/apps/chart-mirrors.ts', {
        E2E_CHART_REPOSITORY_URL: repository.url,
        E2E_CHART_REPOSITORY_CA: repositoryPki.caFile,
        E2E_CHART_REGISTRY_REFERENCE: `oci://${registry.host}/mirror/charts/reloader`,
        E2E_CHART_MTLS_REPOSITORY_URL: mtlsRepository.url,
        E2E_CHART_MTLS_REPOSITORY_CA: mtlsPki.caFile,
        E2E_CHART_CLIENT_CERT: clients.certFile,
        E2E_CHART_CLIENT_KEY: clients.keyFile,
        TF_VAR_chart_repository_password: passwords.repository,
        TF_VAR_chart_registry_password: passwords.registry,
      });
    });

    afterAll(async () => {
      await repository?.close();
      await registry?.close();
      await mtlsRepository?.close();
    });

    it('synthesizes each login as a user name and a reference to its sensitive variable, and the CA as its file', async () => {
      await project.synth();
      const repositoryRelease = Object.values(
        resourcesOf(readStack(project.stackDir(REPOSITORY_STACK)), 'helm_release'),
      )[0];
      expect(repositoryRelease).toMatchObject({
        repository: repository.url,
        chart: 'reloader',
        version: '2.2.11',
        repository_username: 'ci-robot',
        repository_password: '${var.chart_repository_password}',
        repository_ca_file: repositoryPki.caFile,
      });
      const registryRelease = Object.values(
        resourcesOf(readStack(project.stackDir(REGISTRY_STACK)), 'helm_release'),
      )[0];
      expect(registryRelease).toMatchObject({
        repository: `oci://${registry.host}/mirror/charts`,
        chart: 'reloader',
        repository_username: 'ci-robot',
        repository_password: '${var.chart_registry_password}',
      });
      for (const stack of [REPOSITORY_STACK, REGISTRY_STACK]) {
        const text = readFileSync(join(project.stackDir(stack), 'cdk.tf.json'), 'utf8');
        expect(text.includes(passwords.repository) || text.includes(passwords.registry)).toBe(false);
      }
    });

    it('Helm repository: a wrong password gets 401 and installs nothing, the password unprinted', async () => {
      project.setEnv('TF_VAR_chart_repository_password', wrong);
      const result = await project.deploy([REPOSITORY_STACK]);
      project.setEnv('TF_VAR_chart_repository_password', passwords.repository);
      expect(result.code, tail(result.output)).not.toBe(0);
      expect(result.output).toContain('401 Unauthorized');
      expect(repository.requests).toContainEqual({ path: '/charts/index.yaml', user: null, status: 401 });
      expect(await deployed('reloader-from-repository')).toEqual([]);
      printedNoPassword();
    });

    it('Helm repository: without caFile the company CA is not trusted, so the repository is never asked', async () => {
      const asked = repository.requests.length;
      // cdktf deploy synthesizes the app anew, with the environment as it is then.
      project.setEnv('E2E_CHART_REPOSITORY_CA', '');
      const result = await project.deploy([REPOSITORY_STACK]);
      project.setEnv('E2E_CHART_REPOSITORY_CA', repositoryPki.caFile);
      expect(result.code, tail(result.output)).not.toBe(0);
      expect(result.output).toContain('x509: certificate signed by unknown authority');
      expect(repository.requests.length).toBe(asked);
      expect(await deployed('reloader-from-repository')).toEqual([]);
    });

    it('Helm repository: with the login and caFile, Helm fetches index.yaml and the chart with the login, and the release is deployed', async () => {
      const before = repository.requests.length;
      const result = await project.deploy([REPOSITORY_STACK]);
      ctx.expectSuccess(result, `cdktf deploy ${REPOSITORY_STACK}`);
      const answered = repository.requests.slice(before);
      expect(answered).toContainEqual({ path: '/charts/index.yaml', user: 'ci-robot', status: 200 });
      expect(answered).toContainEqual({ path: '/charts/reloader-2.2.11.tgz', user: 'ci-robot', status: 200 });
      expect(answered.filter((r) => r.status !== 200)).toEqual([]);
      expect(await deployed('reloader-from-repository')).toHaveLength(1);
      const deployment = await ctx
        .cluster()
        .getJson(['deployment', '-n', 'reloader-from-repository', 'reloader-from-repository-reloader']);
      expect(deployment.metadata.labels.chart).toBe('reloader-2.2.11');
      await ctx.noChanges(project, REPOSITORY_STACK);
      printedNoPassword();
    });

    it("OCI registry: the helm provider's registry client does not trust the registry's CA by itself", async () => {
      const asked = registry.requests().length;
      const result = await project.deploy([REGISTRY_STACK]);
      expect(result.code, tail(result.output)).not.toBe(0);
      expect(result.output).toContain('x509: certificate signed by unknown authority');
      // The TLS handshake failed: the registry answered nothing.
      expect(registry.requests().length).toBe(asked);
      expect(await deployed('reloader-from-registry')).toEqual([]);
    });

    it('OCI registry: trusted through SSL_CERT_FILE, a wrong password fails the login and installs nothing', async () => {
      // The machine's trust store, as the README tells users with a company CA.
      project.setEnv('SSL_CERT_FILE', registryPki.caFile);
      project.setEnv('TF_VAR_chart_registry_password', wrong);
      const asked = registry.requests().length;
      const result = await project.deploy([REGISTRY_STACK]);
      project.setEnv('TF_VAR_chart_registry_password', passwords.registry);
      expect(result.code, tail(result.output)).not.toBe(0);
      // Refused for the password, not for trust: the registry answered the login's ping with
      // 401, and nothing of the chart was asked for.
      expect(result.output).toContain('OCI Registry Login Failed');
      expect(result.output).not.toContain('x509:');
      const answered = registry.requests().slice(asked);
      expect(answered).toContainEqual({ method: 'GET', path: '/v2/', status: 401 });
      expect(answered.filter((r) => r.path.startsWith('/v2/mirror/'))).toEqual([]);
      expect(await deployed('reloader-from-registry')).toEqual([]);
      printedNoPassword();
    });

    it("OCI registry: with the login the chart is pulled and deployed, and the login is left in Helm's registry config under HOME", async () => {
      const asked = registry.requests().length;
      const result = await project.deploy([REGISTRY_STACK]);
      ctx.expectSuccess(result, `cdktf deploy ${REGISTRY_STACK}`);
      // The tag resolved and its manifest and blobs fetched, by the logged-in client.
      const pulled = registry.requests().slice(asked);
      expect(
        pulled.filter((r) => r.path.startsWith('/v2/mirror/charts/reloader/manifests/') && r.status === 200),
        JSON.stringify(pulled),
      ).not.toEqual([]);
      expect(
        pulled.filter((r) => r.path.startsWith('/v2/mirror/charts/reloader/blobs/') && r.status === 200)
          .length,
      ).toBeGreaterThanOrEqual(1);
      expect(await deployed('reloader-from-registry')).toHaveLength(1);
      const deployment = await ctx
        .cluster()
        .getJson(['deployment', '-n', 'reloader-from-registry', 'reloader-from-registry-reloader']);
      expect(deployment.metadata.labels.chart).toBe('reloader-2.2.11');
      await ctx.noChanges(project, REGISTRY_STACK);
      printedNoPassword();
      // What ChartRegistryOptions.login documents: the provider's OCI client stores the login
      // as `helm registry login` does, readable by anyone who can read that file.
      const config = join(ctx.home(), '.config/helm/registry/config.json');
      expect(existsSync(config), `${config} (${readdirSync(ctx.home()).join(', ')})`).toBe(true);
      const auths = (JSON.parse(readFileSync(config, 'utf8')) as { auths: Record<string, { auth: string }> })
        .auths;
      expect(Object.keys(auths)).toContain(registry.host);
      expect(Buffer.from(auths[registry.host]!.auth, 'base64').toString('utf8')).toBe(
        `ci-robot:${passwords.registry}`,
      );
    });

    it('Helm repository with mutual TLS: without the client certificate the handshake fails and nothing is asked or installed', async () => {
      const release = Object.values(resourcesOf(readStack(project.stackDir(MTLS_STACK)), 'helm_release'))[0];
      expect(release).toMatchObject({
        repository: mtlsRepository.url,
        repository_ca_file: mtlsPki.caFile,
        repository_cert_file: clients.certFile,
        repository_key_file: clients.keyFile,
      });
      expect(release.repository_username).toBeUndefined();
      project.setEnv('E2E_CHART_CLIENT_CERT', '');
      const result = await project.deploy([MTLS_STACK]);
      project.setEnv('E2E_CHART_CLIENT_CERT', clients.certFile);
      expect(result.code, tail(result.output)).not.toBe(0);
      // TLS 1.3: the server's alert for a handshake without the certificate it asked for (the
      // CLI wraps long lines, so any white space between the words).
      expect(result.output).toMatch(/remote error: tls: certificate\s+required/);
      expect(mtlsRepository.requests).toEqual([]);
      expect(await deployed('reloader-from-mtls-repository')).toEqual([]);
    });

    it('Helm repository with mutual TLS: with clientCertificate, Helm fetches index.yaml and the chart as the certificate, and the release is deployed', async () => {
      const result = await project.deploy([MTLS_STACK]);
      ctx.expectSuccess(result, `cdktf deploy ${MTLS_STACK}`);
      expect(mtlsRepository.requests).toContainEqual({
        path: '/charts/index.yaml',
        user: null,
        status: 200,
        client: 'ci-robot',
      });
      expect(mtlsRepository.requests).toContainEqual({
        path: '/charts/reloader-2.2.11.tgz',
        user: null,
        status: 200,
        client: 'ci-robot',
      });
      expect(mtlsRepository.requests.filter((r) => r.status !== 200)).toEqual([]);
      expect(await deployed('reloader-from-mtls-repository')).toHaveLength(1);
      const deployment = await ctx
        .cluster()
        .getJson([
          'deployment',
          '-n',
          'reloader-from-mtls-repository',
          'reloader-from-mtls-repository-reloader',
        ]);
      expect(deployment.metadata.labels.chart).toBe('reloader-2.2.11');
      await ctx.noChanges(project, MTLS_STACK);
    });

    it('destroys the three stacks: the releases and their namespaces go', async () => {
      // One at a time: `cdktf destroy` (0.21.0) of these two independent stacks in one run never
      // ended here (it spun, opening pseudo-terminals). Each within a bound, so a hang fails
      // with its output rather than at the test's timeout.
      for (const stack of [MTLS_STACK, REGISTRY_STACK, REPOSITORY_STACK]) {
        const result = await project.destroy([stack], 300_000);
        ctx.expectSuccess(result, `cdktf destroy ${stack}`);
      }
      await eventually(
        'mirror namespaces gone',
        () => ctx.cluster().getJson<{ items: any[] }>(['namespaces']),
        (l) => !l.items.some((n) => n.metadata.name.startsWith('reloader-from-')),
      );
      expect(await deployed('reloader-from-repository')).toEqual([]);
      expect(await deployed('reloader-from-registry')).toEqual([]);
      expect(await deployed('reloader-from-mtls-repository')).toEqual([]);
    });
  });
}
