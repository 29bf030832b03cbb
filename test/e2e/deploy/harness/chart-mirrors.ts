// Chart mirrors that want a login, on loopback, for the deploy suite: a Helm repository
// (index.yaml and the packaged chart over HTTPS with basic authentication, as Artifactory,
// Nexus or a web server in front of `helm repo index` output serve it) and an OCI registry
// (the CNCF distribution registry, built by build-tools.sh, with htpasswd authentication).
// Each has its own test CA, so a test can trust one without the other. The chart they serve
// is a vendored one, unchanged: Helm installs the very bytes.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import type { TLSSocket } from 'node:tls';

import { hashSync } from 'bcryptjs';
import { parse } from 'yaml';

import { createTestPki } from '../../signin/harness/pki';
import { freePort } from '../../signin/harness/processes';

/** A CA of its own and a serving certificate for 127.0.0.1 signed by it. */
export interface MirrorPki {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** Made with the sign-in suite's test PKI (the openssl CLI; nothing of that suite's packages). */
export function makePki(dir: string, name: string): MirrorPki {
  mkdirSync(dir, { recursive: true });
  const pki = createTestPki(dir, `${name} test CA`);
  const server = pki.issue('server', ['localhost'], ['127.0.0.1']);
  return { caFile: pki.caFile, certFile: server.cert, keyFile: server.key };
}

/** The chart's own Chart.yaml, read from the packaged chart. */
function chartMetadata(tgz: string): Record<string, unknown> {
  const name = basename(tgz).replace(/-\d[^/]*\.tgz$/, '');
  return parse(execFileSync('tar', ['-xzOf', tgz, `${name}/Chart.yaml`], { encoding: 'utf8' })) as Record<
    string,
    unknown
  >;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** One request the Helm repository answered. */
export interface RepositoryRequest {
  readonly path: string;
  /** The user of a correct login; null without one or with a wrong one (or when none is asked for). */
  readonly user: string | null;
  readonly status: number;
  /** With `clientCa`: the common name of the verified client certificate. */
  readonly client?: string;
}

/** A client certificate for a repository that wants one, and the CA that signed it. */
export interface ClientPki {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A client CA and a client certificate (extendedKeyUsage clientAuth) for `commonName`. */
export function makeClientPki(dir: string, commonName: string): ClientPki {
  mkdirSync(dir, { recursive: true });
  const pki = createTestPki(dir, 'chart repository clients test CA');
  const client = pki.issue('client', [commonName], [], 'clientAuth');
  return { caFile: pki.caFile, certFile: client.cert, keyFile: client.key };
}

export interface HelmRepository {
  /** https://127.0.0.1:<port>/charts */
  readonly url: string;
  readonly requests: RepositoryRequest[];
  close(): Promise<void>;
}

/**
 * A Helm repository at /charts holding one chart: index.yaml (written from the chart's
 * Chart.yaml, with its digest and a relative URL, as `helm repo index` writes it) and the
 * .tgz. With a login, every path needs it; a request without it, or with another, gets 401.
 * With `clientCa`, the TLS handshake itself needs a client certificate signed by that CA
 * (mutual TLS): without one no request is ever answered.
 */
export async function startHelmRepository(options: {
  readonly chartTgz: string;
  readonly pki: MirrorPki;
  readonly login?: { readonly username: string; readonly password: string };
  readonly clientCa?: string;
}): Promise<HelmRepository> {
  const tgz = readFileSync(options.chartTgz);
  const metadata = chartMetadata(options.chartTgz);
  const file = basename(options.chartTgz);
  const index = [
    'apiVersion: v1',
    'entries:',
    `  ${String(metadata.name)}:`,
    `  - ${JSON.stringify({ ...metadata, urls: [file], digest: sha256(tgz), created: new Date().toISOString() })}`,
    `generated: ${JSON.stringify(new Date().toISOString())}`,
    '',
  ].join('\n');
  const { login } = options;
  const expected = login && `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
  const requests: RepositoryRequest[] = [];
  const server: Server = createServer(
    {
      cert: readFileSync(options.pki.certFile),
      key: readFileSync(options.pki.keyFile),
      ...(options.clientCa
        ? { ca: readFileSync(options.clientCa), requestCert: true, rejectUnauthorized: true }
        : {}),
    },
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const user = login && req.headers.authorization === expected ? login.username : null;
      const refused = login !== undefined && user === null;
      const client = options.clientCa
        ? String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '')
        : undefined;
      const body = refused
        ? undefined
        : path === '/charts/index.yaml'
          ? index
          : path === `/charts/${file}`
            ? tgz
            : undefined;
      const status = refused ? 401 : body === undefined ? 404 : 200;
      requests.push({ path, user, status, ...(client !== undefined ? { client } : {}) });
      if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="charts"');
      res.writeHead(status, { 'Content-Type': path.endsWith('.tgz') ? 'application/gzip' : 'text/yaml' });
      res.end(body);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/charts`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** One request the registry answered, from its access log. */
export interface RegistryRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface OciRegistry {
  /** 127.0.0.1:<port> */
  readonly host: string;
  /** Its log: JSON lines and one access-log line a request, for a look after a failure. */
  readonly logFile: string;
  /** Every request it answered so far (a failed TLS handshake is none). */
  requests(): RegistryRequest[];
  close(): Promise<void>;
}

/** An HTTPS request with Basic authentication to the registry, trusting only its CA. */
function registryRequest(
  registry: { host: string; ca: Buffer; authorization: string },
  method: string,
  path: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const [hostname, port] = registry.host.split(':');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port: Number(port),
        method,
        path,
        ca: registry.ca,
        headers: { Authorization: registry.authorization, 'Content-Length': body?.length ?? 0, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Starts the distribution registry with htpasswd authentication (bcrypt, the only scheme it
 * reads) and TLS, and pushes the chart to `oci://<host>/<repository>` as `helm push` does: the
 * chart as a layer of Helm's chart media type, its Chart.yaml as the config, tagged with the
 * chart version.
 */
export async function startOciRegistry(options: {
  readonly registryBin: string;
  readonly dir: string;
  readonly pki: MirrorPki;
  readonly username: string;
  readonly password: string;
  readonly chartTgz: string;
  /** Repository path the chart goes to, e.g. "mirror/charts/reloader". */
  readonly repository: string;
}): Promise<OciRegistry> {
  mkdirSync(join(options.dir, 'storage'), { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  writeFileSync(join(options.dir, 'htpasswd'), `${options.username}:${hashSync(options.password, 10)}\n`);
  const config = join(options.dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: info',
      '  formatter: json',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(options.dir, 'storage')}`,
      'http:',
      `  addr: ${host}`,
      '  tls:',
      `    certificate: ${options.pki.certFile}`,
      `    key: ${options.pki.keyFile}`,
      'auth:',
      '  htpasswd:',
      '    realm: charts',
      `    path: ${join(options.dir, 'htpasswd')}`,
      '',
    ].join('\n'),
  );
  const logFile = join(options.dir, 'registry.log');
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(options.registryBin, ['serve', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const registry = {
    host,
    ca: readFileSync(options.pki.caFile),
    authorization: `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`,
  };
  // Up when /v2/ answers the login with 200.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await registryRequest(registry, 'GET', '/v2/').catch(() => undefined);
    if (answer?.status === 200) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the registry did not come up on ${host}: see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const push = async (blob: Buffer) => {
    const digest = `sha256:${sha256(blob)}`;
    const started = await registryRequest(registry, 'POST', `/v2/${options.repository}/blobs/uploads/`);
    const location = String(started.headers.location ?? '');
    if (started.status !== 202 || location === '') {
      throw new Error(`blob upload not started: ${started.status} ${started.body}`);
    }
    const target = new URL(location, `https://${host}`);
    target.searchParams.set('digest', digest);
    const put = await registryRequest(registry, 'PUT', `${target.pathname}${target.search}`, blob, {
      'Content-Type': 'application/octet-stream',
    });
    if (put.status !== 201) throw new Error(`blob not stored: ${put.status} ${put.body}`);
    return { digest, size: blob.length };
  };
  const metadata = chartMetadata(options.chartTgz);
  const chart = await push(readFileSync(options.chartTgz));
  const configBlob = await push(Buffer.from(JSON.stringify(metadata)));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', ...configBlob },
      layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', ...chart }],
    }),
  );
  const tagged = await registryRequest(
    registry,
    'PUT',
    `/v2/${options.repository}/manifests/${String(metadata.version)}`,
    manifest,
    { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
  );
  if (tagged.status !== 201) throw new Error(`manifest not stored: ${tagged.status} ${tagged.body}`);

  return {
    host,
    logFile,
    // The combined-log-format lines: `<ip> - <user> [<time>] "<method> <uri> <proto>" <status> ...`.
    requests: () =>
      [...readFileSync(logFile, 'utf8').matchAll(/^\S+ - \S+ \[[^\]]+\] "(\S+) (\S+) [^"]*" (\d{3}) /gm)].map(
        (m) => ({ method: m[1]!, path: m[2]!.split('?')[0]!, status: Number(m[3]) }),
      ),
    close: async () => {
      child.kill('SIGTERM');
      await exited;
      log.end();
    },
  };
}
