// The External Secrets Operator's controller for real, against the test cluster: the binary
// that build-tools.sh builds, run on this machine (kwok runs no pod) as the ServiceAccount
// that the chart installed, so it has exactly the chart's RBAC. In a cluster its pod reaches
// the API server as https://kubernetes.default.svc, the address a kubernetes-provider store
// names by default; here a CONNECT proxy on loopback plays the Service's virtual IP.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';

import { freePort, type Started, startProcess } from '../../signin/harness/processes';
import type { Cluster } from './cluster';

/** What the proxy was asked to connect to, in order. */
export interface ProxiedConnection {
  readonly authority: string;
  readonly allowed: boolean;
}

export interface ServiceProxy {
  /** `http://127.0.0.1:<port>`, for HTTPS_PROXY. */
  readonly url: string;
  readonly connections: ProxiedConnection[];
  close(): Promise<void>;
}

/**
 * An HTTP CONNECT proxy that forwards `kubernetes.default.svc:443` to the API server and
 * refuses every other destination (403), so nothing the operator does leaves loopback.
 */
export async function startServiceProxy(cluster: Cluster): Promise<ServiceProxy> {
  const api = new URL(cluster.apiUrl);
  const connections: ProxiedConnection[] = [];
  const server: Server = createServer((_req, res) => {
    res.writeHead(405).end('CONNECT only\n');
  });
  server.on('connect', (req, client, head) => {
    const authority = req.url ?? '';
    const allowed = authority === 'kubernetes.default.svc:443';
    connections.push({ authority, allowed });
    if (!allowed) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(Number(api.port), api.hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts the controller as `<namespace>/<serviceAccount>` (a TokenRequest token, so the
 * chart's ClusterRole is all it may do). Only the reconcilers the library's objects need run:
 * stores, cluster stores and ExternalSecrets.
 */
export async function startExternalSecrets(options: {
  readonly bin: string;
  readonly cluster: Cluster;
  readonly dir: string;
  readonly proxy: ServiceProxy;
  readonly namespace: string;
  readonly serviceAccount: string;
}): Promise<Started> {
  const { cluster } = options;
  const token = (
    await cluster.kubectl([
      'create',
      'token',
      options.serviceAccount,
      '-n',
      options.namespace,
      '--duration=2h',
    ])
  ).trim();
  const kubeconfig = join(options.dir, 'external-secrets.kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'testbed', cluster: { server: cluster.apiUrl, 'certificate-authority': cluster.caFile } },
      ],
      users: [{ name: 'external-secrets', user: { token } }],
      contexts: [{ name: 'external-secrets', context: { cluster: 'testbed', user: 'external-secrets' } }],
      'current-context': 'external-secrets',
    }),
    { mode: 0o600 },
  );
  return startProcess(
    'external-secrets',
    options.bin,
    [
      '--concurrent=1',
      `--metrics-addr=127.0.0.1:${await freePort()}`,
      '--loglevel=debug',
      '--enable-push-secret-reconciler=false',
      '--enable-cluster-push-secret-reconciler=false',
      '--enable-cluster-external-secret-reconciler=false',
      // A store is checked again this often; the steps change the access under it.
      '--store-requeue-interval=5s',
    ],
    {
      logFile: join(options.dir, 'external-secrets.log'),
      env: {
        PATH: process.env.PATH,
        HOME: options.dir,
        KUBECONFIG: kubeconfig,
        // Its own connection goes straight to the API server on 127.0.0.1 (Go never proxies
        // loopback); a store's https://kubernetes.default.svc goes through the proxy.
        HTTPS_PROXY: options.proxy.url,
        NO_PROXY: '127.0.0.1,localhost',
      },
    },
  );
}
