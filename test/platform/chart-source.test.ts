import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';

import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, TerraformVariable, type TerraformVariableConfig, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';

import { CertManager, CHART_DIRECTORY_CONTEXT, ChartSource, DEFAULT_CHARTS, Reloader } from '../../lib';
import { chartFixture, expectProblems } from '../helpers';
import { refusedBy, releaseAttributes, synthPlatform } from './platform-helpers';

/** The chart-locating attributes of a Reloader release installed from `chart`. */
function locate(chart: ChartSource) {
  const {
    repository,
    chart: name,
    version,
  } = releaseAttributes(
    synthPlatform((stack) => new Reloader(stack, 'reloader', { chart })),
    'reloader',
  );
  return { repository, chart: name, version };
}

const refused = (chart: unknown) => refusedBy((stack) => new Reloader(stack, 'reloader', { chart } as any));

describe('ChartSource', () => {
  describe('kinds', () => {
    it('installs from a Helm repository: repository URL, chart name and version', () => {
      expect(
        locate(ChartSource.repository('https://charts.example.com/stable/', 'reloader', '2.2.11')),
      ).toEqual({
        repository: 'https://charts.example.com/stable',
        chart: 'reloader',
        version: '2.2.11',
      });
    });

    it('installs from an OCI registry: the registry path as repository, the last segment as chart', () => {
      expect(
        locate(ChartSource.oci('oci://registry.example.com:5000/mirror/charts/reloader', '2.2.11')),
      ).toEqual({
        repository: 'oci://registry.example.com:5000/mirror/charts',
        chart: 'reloader',
        version: '2.2.11',
      });
    });

    it('installs a local chart by its absolute path and without a version', () => {
      const directory = chartFixture('vendor/charts/reloader');
      const relativePath = relative(process.cwd(), directory);
      expect(relativePath.startsWith('/')).toBe(false);
      expect(locate(ChartSource.localPath(relativePath))).toEqual({
        repository: undefined,
        chart: directory,
        version: undefined,
      });
      const tgz = chartFixture('srv/reloader-2.2.11.tgz');
      expect(locate(ChartSource.localPath(tgz)).chart).toBe(tgz);
    });

    it('refuses a local path that does not exist or is no chart, naming the resolved path', () => {
      const missing = resolve('no/such/chart');
      expectProblems(refused(ChartSource.localPath('no/such/chart')), [
        {
          where: 'test/reloader',
          path: 'chart.path',
          says: [`does not exist (resolved to ${missing})`, 'got "no/such/chart"'],
        },
      ]);
      const notAChart = dirname(chartFixture('plain/reloader'));
      expectProblems(refused(ChartSource.localPath(notAChart)), [
        {
          where: 'test/reloader',
          path: 'chart.path',
          says: [`is not a Helm chart (resolved to ${notAChart})`, `got "${notAChart}"`],
        },
      ]);
    });

    it('passes a Terraform reference as the local path unchanged', () => {
      const json = synthPlatform((stack) => {
        const path = new TerraformVariable(stack, 'chart_path', { type: 'string' });
        new Reloader(stack, 'reloader', { chart: ChartSource.localPath(path.stringValue) });
      });
      expect(releaseAttributes(json, 'reloader').chart).toBe('${var.chart_path}');
    });

    it('exposes its kind and version', () => {
      expect(ChartSource.repository('https://charts.example.com', 'x', '1.0.0').kind).toBe('repository');
      expect(ChartSource.oci('oci://registry.example.com/x', 'v1.0.0').version).toBe('v1.0.0');
      expect(ChartSource.localPath('/charts/x').version).toBeUndefined();
    });

    it("pins every default to an exact version from the project's own Helm repository", () => {
      expect(DEFAULT_CHARTS).toEqual({
        ingressNginx: {
          repository: 'https://kubernetes.github.io/ingress-nginx',
          chart: 'ingress-nginx',
          version: '4.15.1',
        },
        certManager: { repository: 'https://charts.jetstack.io', chart: 'cert-manager', version: 'v1.19.6' },
        externalSecrets: {
          repository: 'https://charts.external-secrets.io',
          chart: 'external-secrets',
          version: '2.9.0',
        },
        reloader: {
          repository: 'https://stakater.github.io/stakater-charts',
          chart: 'reloader',
          version: '2.2.11',
        },
      });
    });
  });

  describe('validation', () => {
    it('refuses version ranges, "latest" and incomplete versions', () => {
      const fix = 'Pin an exact chart version';
      expectProblems(refused(ChartSource.repository('https://charts.example.com', 'reloader', '^2.2.0')), [
        {
          where: 'test/reloader',
          path: 'chart.version',
          says: ['must be an exact chart version', 'got "^2.2.0"', fix],
        },
      ]);
      expectProblems(refused(ChartSource.oci('oci://registry.example.com/charts/reloader', 'latest')), [
        {
          where: 'test/reloader',
          path: 'chart.version',
          says: ['must be an exact chart version', 'got "latest"', fix],
        },
      ]);
      expectProblems(refused(ChartSource.repository('https://charts.example.com', 'reloader', '2.2')), [
        {
          where: 'test/reloader',
          path: 'chart.version',
          says: ['must be an exact chart version', 'got "2.2"', fix],
        },
      ]);
    });

    it('refuses a repository that is not https, and a bad chart name, in one error', () => {
      expectProblems(refused(ChartSource.repository('http://charts.example.com', 'Reloader', '2.2.11')), [
        {
          where: 'test/reloader',
          path: 'chart.url',
          says: [
            'must be an https:// Helm repository URL without query or fragment',
            'got "http://charts.example.com"',
          ],
        },
        { where: 'test/reloader', path: 'chart.chart', says: ['must be a chart name', 'got "Reloader"'] },
      ]);
    });

    it('refuses a repository URL that is not a URL', () => {
      expectProblems(refused(ChartSource.repository('charts.example.com', 'reloader', '2.2.11')), [
        {
          where: 'test/reloader',
          path: 'chart.url',
          says: [
            'must be an https:// Helm repository URL without query or fragment',
            'got "charts.example.com"',
          ],
        },
      ]);
    });

    it('refuses credentials in a repository URL without echoing them', () => {
      const [problem] = expectProblems(
        refused(ChartSource.repository('https://robot:s3cr3t@charts.example.com', 'reloader', '2.2.11')),
        [
          {
            where: 'test/reloader',
            path: 'chart.url',
            says: ['must not contain credentials', 'got a plain value (hidden)'],
          },
        ],
      );
      expect(problem!.message).not.toContain('s3cr3t');
    });

    it('refuses an OCI reference with a tag, with credentials, or of the wrong form', () => {
      expectProblems(
        refused(ChartSource.oci('oci://registry.example.com/charts/reloader:2.2.11', '2.2.11')),
        [
          {
            where: 'test/reloader',
            path: 'chart.reference',
            says: [
              'must not carry a tag or digest',
              'got "oci://registry.example.com/charts/reloader:2.2.11"',
            ],
          },
        ],
      );
      const [credentials] = expectProblems(
        refused(ChartSource.oci('oci://robot:s3cr3t@registry.example.com/charts/reloader', '2.2.11')),
        [
          {
            where: 'test/reloader',
            path: 'chart.reference',
            says: ['must not contain credentials', 'got a plain value (hidden)'],
          },
        ],
      );
      // The whole line the fragments replace did not echo the password either.
      expect(credentials!.message).not.toContain('s3cr3t');
      expectProblems(refused(ChartSource.oci('https://registry.example.com/charts/reloader', '2.2.11')), [
        {
          where: 'test/reloader',
          path: 'chart.reference',
          says: ['must be an OCI chart reference', 'got "https://registry.example.com/charts/reloader"'],
        },
      ]);
    });

    it('accepts an OCI registry with a port but no path beyond the chart', () => {
      expect(locate(ChartSource.oci('oci://localhost:5000/reloader', '2.2.11'))).toEqual({
        repository: 'oci://localhost:5000',
        chart: 'reloader',
        version: '2.2.11',
      });
    });

    it('refuses a URL or an empty string as a local path', () => {
      const fix = 'use ChartSource.repository() or .oci() for URLs';
      expectProblems(refused(ChartSource.localPath('https://charts.example.com/reloader-2.2.11.tgz')), [
        {
          where: 'test/reloader',
          path: 'chart.path',
          says: [
            'must be a path to a chart directory or .tgz file',
            'got "https://charts.example.com/reloader-2.2.11.tgz"',
            fix,
          ],
        },
      ]);
      expectProblems(refused(ChartSource.localPath(' ')), [
        {
          where: 'test/reloader',
          path: 'chart.path',
          says: ['must be a path to a chart directory or .tgz file', 'got " "', fix],
        },
      ]);
    });

    it('says where a login goes instead of credentials in the URL or reference', () => {
      expectProblems(
        refused(ChartSource.repository('https://robot:s3cr3t@charts.example.com', 'r', '1.0.0')),
        [
          {
            path: 'chart.url',
            says: ['must not contain credentials', '{ login: { username, password: sensitiveVariable } }'],
          },
        ],
      );
      expectProblems(refused(ChartSource.oci('oci://robot:s3cr3t@registry.example.com/r', '1.0.0')), [
        {
          path: 'chart.reference',
          says: ['must not contain credentials', '{ login: { username, password: sensitiveVariable } }'],
        },
      ]);
    });

    it('refuses a chart that is not a ChartSource', () => {
      expectProblems(refused({ chart: 'reloader', version: '2.2.11' }), [
        {
          where: 'test/reloader',
          path: 'chart',
          says: ['must be a ChartSource', 'got {"chart":"reloader","version":"2.2.11"}'],
        },
      ]);
    });
  });

  describe('chart directory (context "cdktf-backstage:chartDirectory")', () => {
    /** The release attributes of a Reloader and a CertManager in an app with this context. */
    const withContext = (context: Record<string, unknown>, reloaderChart?: ChartSource) => {
      const app = Testing.app({ context });
      const stack = new TerraformStack(app, 'test');
      new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config' });
      new HelmProvider(stack, 'helm', { kubernetes: { configPath: '~/.kube/config' } });
      new Reloader(stack, 'reloader', reloaderChart ? { chart: reloaderChart } : {});
      new CertManager(stack, 'certManager', {});
      Testing.synth(stack, true);
      const releases = (
        stack.toTerraform() as { resource: { helm_release: Record<string, Record<string, unknown>> } }
      ).resource.helm_release;
      return Object.fromEntries(
        Object.values(releases).map((r) => [
          r.name,
          { repository: r.repository, chart: r.chart, version: r.version },
        ]),
      );
    };
    const charts = mkdtempSync(join(tmpdir(), 'charts-'));
    writeFileSync(join(charts, 'reloader-2.2.11.tgz'), '');
    writeFileSync(join(charts, 'cert-manager-v1.19.6.tgz'), '');

    it('installs each pinned default chart from <directory>/<chart>-<version>.tgz', () => {
      expect(CHART_DIRECTORY_CONTEXT).toBe('cdktf-backstage:chartDirectory');
      expect(withContext({ [CHART_DIRECTORY_CONTEXT]: charts })).toEqual({
        reloader: { chart: join(charts, 'reloader-2.2.11.tgz') },
        'cert-manager': { chart: join(charts, 'cert-manager-v1.19.6.tgz') },
      });
    });

    it('leaves an operator with its own chart prop alone', () => {
      const own = ChartSource.repository('https://charts.example.com', 'reloader', '2.2.11');
      expect(withContext({ [CHART_DIRECTORY_CONTEXT]: charts }, own).reloader).toEqual({
        repository: 'https://charts.example.com',
        chart: 'reloader',
        version: '2.2.11',
      });
    });

    it('installs from the repositories without the context', () => {
      expect(withContext({}).reloader).toEqual({
        repository: DEFAULT_CHARTS.reloader.repository,
        chart: 'reloader',
        version: '2.2.11',
      });
    });

    it('refuses a directory without the pinned chart, naming the file and how to get it', () => {
      const empty = mkdtempSync(join(tmpdir(), 'charts-'));
      expectProblems(
        () => withContext({ [CHART_DIRECTORY_CONTEXT]: empty }),
        [
          {
            where: 'test/reloader',
            path: 'chart',
            says: [
              'the chart directory has no reloader-2.2.11.tgz',
              `got ${JSON.stringify(empty)} (context "cdktf-backstage:chartDirectory")`,
              'helm pull reloader --repo https://stakater.github.io/stakater-charts --version 2.2.11',
            ],
          },
        ],
      );
    });

    it('refuses a context value that is not a path', () => {
      expectProblems(
        () => withContext({ [CHART_DIRECTORY_CONTEXT]: 42 }),
        [
          {
            where: 'test/reloader',
            path: 'chart',
            says: ['the context "cdktf-backstage:chartDirectory" must be a directory path', 'got 42'],
          },
        ],
      );
    });
  });

  describe('a repository or registry that wants a login', () => {
    /** A sensitive variable for the password, as a user declares it. */
    const password = (stack: TerraformStack, config: Partial<TerraformVariableConfig> = {}) =>
      new TerraformVariable(stack, 'chart_password', { type: 'string', sensitive: true, ...config });

    /** The refusal of a Reloader whose chart is built in the stack (a variable needs one). */
    const refusedWith = (chart: (stack: TerraformStack) => unknown) =>
      refusedBy((stack) => new Reloader(stack, 'reloader', { chart: chart(stack) } as any));

    it('logs in to a Helm repository with the variable as a reference, and trusts its CA file by absolute path', () => {
      const ca = join(mkdtempSync(join(tmpdir(), 'chart-ca-')), 'mirror-ca.pem');
      writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
      const json = synthPlatform((stack) => {
        const chart = ChartSource.repository('https://charts.example.com/mirror', 'reloader', '2.2.11', {
          login: { username: 'ci-robot', password: password(stack) },
          caFile: relative(process.cwd(), ca),
        });
        new Reloader(stack, 'reloader', { chart });
      });
      const release = releaseAttributes(json, 'reloader');
      expect(release).toMatchObject({
        repository: 'https://charts.example.com/mirror',
        chart: 'reloader',
        version: '2.2.11',
        repository_username: 'ci-robot',
        repository_password: '${var.chart_password}',
        repository_ca_file: ca,
      });
      // Helm's default: the login goes to the repository's host only.
      expect(release.pass_credentials).toBeUndefined();
      // The value comes from TF_VAR_chart_password at deploy time: the JSON has none.
      expect((json as any).variable.chart_password).toEqual({ sensitive: true, type: 'string' });
    });

    it('logs in to an OCI registry with the same two attributes', () => {
      const json = synthPlatform((stack) => {
        const chart = ChartSource.oci(
          'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/reloader',
          '2.2.11',
          {
            login: { username: 'AWS', password: password(stack) },
          },
        );
        new Reloader(stack, 'reloader', { chart });
      });
      const release = releaseAttributes(json, 'reloader');
      expect(release).toMatchObject({
        repository: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts',
        chart: 'reloader',
        repository_username: 'AWS',
        repository_password: '${var.chart_password}',
      });
      expect(release.repository_ca_file).toBeUndefined();
    });

    it('sends no login attributes without a login', () => {
      const release = releaseAttributes(
        synthPlatform(
          (stack) =>
            new Reloader(stack, 'reloader', {
              chart: ChartSource.repository('https://charts.example.com', 'reloader', '2.2.11'),
            }),
        ),
        'reloader',
      );
      expect(Object.keys(release).filter((k) => k.startsWith('repository_'))).toEqual([]);
    });

    it('refuses a password that is not a TerraformVariable, without echoing it', () => {
      const [problem] = expectProblems(
        refusedWith(() =>
          ChartSource.repository('https://charts.example.com', 'reloader', '2.2.11', {
            login: { username: 'ci-robot', password: 's3cr3t' as any },
          }),
        ),
        [
          {
            where: 'test/reloader',
            path: 'chart.login.password',
            says: [
              'must be a sensitive TerraformVariable holding the password or token of the login',
              'got a plain value (hidden)',
              'fill it from TF_VAR_name at deploy time',
            ],
          },
        ],
      );
      expect(problem!.message).not.toContain('s3cr3t');
    });

    it("takes a variable of another copy of cdktf (an app's nested node_modules), as the deploy suite's app has", () => {
      // A second instance of the cdktf package: what `instanceof` would refuse.
      const load = createRequire(__filename);
      const cached = Object.keys(load.cache).filter((k) => k.includes(`${sep}node_modules${sep}cdktf${sep}`));
      const saved = cached.map((k) => [k, load.cache[k]] as const);
      for (const k of cached) delete load.cache[k];
      const other = load('cdktf') as typeof import('cdktf');
      for (const [k, m] of saved) load.cache[k] = m;
      expect(other.TerraformVariable).not.toBe(TerraformVariable);
      const json = synthPlatform((stack) => {
        const variable = new other.TerraformVariable(stack, 'chart_password', {
          type: 'string',
          sensitive: true,
        });
        expect(variable instanceof TerraformVariable).toBe(false);
        new Reloader(stack, 'reloader', {
          chart: ChartSource.oci('oci://registry.example.com/charts/reloader', '2.2.11', {
            login: { username: 'ci-robot', password: variable },
          }),
        });
      });
      expect(releaseAttributes(json, 'reloader').repository_password).toBe('${var.chart_password}');
    });

    it('refuses a variable that is not sensitive, or that has a default', () => {
      expectProblems(
        refusedWith((stack) =>
          ChartSource.oci('oci://registry.example.com/charts/reloader', '2.2.11', {
            login: { username: 'ci-robot', password: password(stack, { sensitive: false }) },
          }),
        ),
        [
          {
            path: 'chart.login.password',
            says: [
              'variable "chart_password" is not declared sensitive',
              'got {"sensitive":false}',
              'sensitive: true',
            ],
          },
        ],
      );
      const [withDefault] = expectProblems(
        refusedWith((stack) =>
          ChartSource.oci('oci://registry.example.com/charts/reloader', '2.2.11', {
            login: { username: 'ci-robot', password: password(stack, { default: 's3cr3t' }) },
          }),
        ),
        [
          {
            path: 'chart.login.password',
            says: [
              'variable "chart_password" has a default value',
              'got {"default":"(hidden)"}',
              'TF_VAR_<name>',
            ],
          },
        ],
      );
      expect(withDefault!.message).not.toContain('s3cr3t');
    });

    it('refuses a login without a user name, or with a colon in it', () => {
      expectProblems(
        refusedWith((stack) =>
          ChartSource.repository('https://charts.example.com', 'reloader', '2.2.11', {
            login: { password: password(stack) } as any,
          }),
        ),
        [{ path: 'chart.login.username', says: ['is required'] }],
      );
      expectProblems(
        refusedWith((stack) =>
          ChartSource.repository('https://charts.example.com', 'reloader', '2.2.11', {
            login: { username: 'robot:s3cr3t', password: password(stack) },
          }),
        ),
        [{ path: 'chart.login.username', says: ['must be a user name without ":" or white space'] }],
      );
    });

    it('refuses a CA file that is not there or holds no certificate, and a CA file for an OCI registry, saying why', () => {
      const missing = resolve('no/such/ca.pem');
      expectProblems(
        refused(
          ChartSource.repository('https://charts.example.com', 'reloader', '2.2.11', {
            caFile: 'no/such/ca.pem',
          }),
        ),
        [
          {
            path: 'chart.caFile',
            says: [
              `must be an existing file of PEM CA certificates (resolved to ${missing})`,
              'got "no/such/ca.pem"',
            ],
          },
        ],
      );
      const notCa = join(mkdtempSync(join(tmpdir(), 'chart-ca-')), 'key.pem');
      writeFileSync(notCa, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
      expectProblems(
        refused(
          ChartSource.repository('https://charts.example.com', 'reloader', '2.2.11', { caFile: notCa }),
        ),
        [
          {
            path: 'chart.caFile',
            says: [
              `must hold PEM CA certificates (${notCa} has PEM blocks PRIVATE KEY)`,
              'BEGIN CERTIFICATE',
            ],
          },
        ],
      );
      expectProblems(
        refused(
          ChartSource.oci('oci://registry.example.com/charts/reloader', '2.2.11', {
            caFile: '/etc/ssl/ca.pem',
          } as any),
        ),
        [
          {
            path: 'chart.caFile',
            says: ['is not read for OCI registries', 'ignores repository_ca_file', 'SSL_CERT_FILE'],
          },
        ],
      );
    });

    describe('a client certificate (mutual TLS)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'chart-mtls-'));
      const pem = (name: string, ...labels: string[]) => {
        const file = join(dir, name);
        writeFileSync(file, labels.map((l) => `-----BEGIN ${l}-----\nAAAA\n-----END ${l}-----\n`).join(''));
        return file;
      };
      const cert = pem('client.crt', 'CERTIFICATE', 'CERTIFICATE');
      const key = pem('client.key', 'PRIVATE KEY');

      it('presents the certificate and key files to a Helm repository, by absolute path', () => {
        const json = synthPlatform((stack) => {
          const chart = ChartSource.repository('https://charts.example.com/mirror', 'reloader', '2.2.11', {
            clientCertificate: { certFile: relative(process.cwd(), cert), keyFile: key },
          });
          new Reloader(stack, 'reloader', { chart });
        });
        expect(releaseAttributes(json, 'reloader')).toMatchObject({
          repository: 'https://charts.example.com/mirror',
          repository_cert_file: cert,
          repository_key_file: key,
        });
      });

      it('takes RSA and EC keys, and Terraform references as they are', () => {
        for (const label of ['RSA PRIVATE KEY', 'EC PRIVATE KEY']) {
          const other = pem(`${label.split(' ')[0]}.key`, label);
          expect(
            releaseAttributes(
              synthPlatform((stack) => {
                new Reloader(stack, 'reloader', {
                  chart: ChartSource.repository('https://charts.example.com', 'reloader', '2.2.11', {
                    clientCertificate: { certFile: cert, keyFile: other },
                  }),
                });
              }),
              'reloader',
            ).repository_key_file,
          ).toBe(other);
        }
        const json = synthPlatform((stack) => {
          const keyFile = new TerraformVariable(stack, 'chart_key_file', { type: 'string' });
          new Reloader(stack, 'reloader', {
            chart: ChartSource.repository('https://charts.example.com', 'reloader', '2.2.11', {
              clientCertificate: { certFile: cert, keyFile: keyFile.stringValue },
            }),
          });
        });
        expect(releaseAttributes(json, 'reloader').repository_key_file).toBe('${var.chart_key_file}');
      });

      it('refuses a missing file, swapped files and an encrypted key, naming only the PEM labels', () => {
        const encrypted = pem('encrypted.key', 'ENCRYPTED PRIVATE KEY');
        const missing = resolve('no/such/client.crt');
        expectProblems(
          refused(
            ChartSource.repository('https://charts.example.com', 'reloader', '2.2.11', {
              clientCertificate: { certFile: 'no/such/client.crt', keyFile: key },
            }),
          ),
          [
            {
              path: 'chart.clientCertificate.certFile',
              says: [`must be an existing file of a PEM client certificate (resolved to ${missing})`],
            },
          ],
        );
        const problems = expectProblems(
          refused(
            ChartSource.repository('https://charts.example.com', 'reloader', '2.2.11', {
              clientCertificate: { certFile: key, keyFile: encrypted },
            }),
          ),
          [
            {
              path: 'chart.clientCertificate.certFile',
              says: [`must hold a PEM client certificate (${key} has PEM blocks PRIVATE KEY)`],
            },
            {
              path: 'chart.clientCertificate.keyFile',
              says: [
                `must hold a PEM private key (${encrypted} has PEM blocks ENCRYPTED PRIVATE KEY)`,
                'Helm asks for no passphrase',
              ],
            },
          ],
        );
        // The files' contents are never quoted.
        expect(JSON.stringify(problems)).not.toContain('AAAA');
      });

      it('refuses a client certificate for an OCI registry, saying why', () => {
        expectProblems(
          refused(
            ChartSource.oci('oci://registry.example.com/charts/reloader', '2.2.11', {
              clientCertificate: { certFile: cert, keyFile: key },
            } as any),
          ),
          [
            {
              path: 'chart.clientCertificate',
              says: [
                'is not read for OCI registries',
                'ignores repository_cert_file and repository_key_file',
              ],
            },
          ],
        );
      });
    });

    it('passes Terraform references as the user name and the CA file unchanged', () => {
      const json = synthPlatform((stack) => {
        const user = new TerraformVariable(stack, 'chart_user', { type: 'string' });
        const ca = new TerraformVariable(stack, 'chart_ca_file', { type: 'string' });
        const chart = ChartSource.repository('https://charts.example.com', 'reloader', '2.2.11', {
          login: { username: user.stringValue, password: password(stack) },
          caFile: ca.stringValue,
        });
        new Reloader(stack, 'reloader', { chart });
      });
      expect(releaseAttributes(json, 'reloader')).toMatchObject({
        repository_username: '${var.chart_user}',
        repository_ca_file: '${var.chart_ca_file}',
      });
    });
  });
});
