// Packs the library as npm would publish it, installs the tarball into a fresh cdktf
// app in a temporary folder, type-checks a TypeScript consumer against the shipped
// .d.ts files and synthesizes it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, stdio: 'pipe', encoding: 'utf8', timeout: 300_000, env: { ...process.env, CHECKPOINT_DISABLE: '1' } });

const consumer = `
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { BackstageDatabase, BackstagePortal, OidcIssuer, SecretRef, TlsSource } from 'cdktf-backstage';

const app = new App({ outdir: 'cdktf.out' });
const stack = new TerraformStack(app, 'consumer');
new KubernetesProvider(stack, 'k8s', {});
const secret = (name: string) => SecretRef.fromVariable(new TerraformVariable(stack, name, { type: 'string', sensitive: true }));
new BackstagePortal(stack, 'portal', {
  host: 'portal.example.com',
  image: 'registry.example.com/backstage:2.0.0',
  database: BackstageDatabase.inCluster({ password: secret('db_password') }),
  issuer: OidcIssuer.keycloak({ url: 'https://sso.example.com', realm: 'staff' }),
  clientId: 'backstage',
  clientSecret: secret('client_secret'),
  cookieSecret: secret('cookie_secret'),
  access: { groups: ['engineering'] },
  tls: TlsSource.selfSigned(),
});
app.synth();
`;

describe('packaging', () => {
  it('installs from the packed tarball into a fresh cdktf app and synthesizes', () => {
    const work = mkdtempSync(join(tmpdir(), 'pack-'));
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('examples/') || f.startsWith('lib/'))).toEqual([]);

    const app = join(work, 'app');
    run('mkdir', ['-p', app], work);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', join(work, packed[0]!.filename)], app);
    // npm installs the peer dependencies (cdktf, constructs, the providers) by itself;
    // zod and yaml are bundled into dist/index.js, so nothing else comes along.
    for (const peer of ['cdktf', 'constructs', '@cdktf/provider-kubernetes']) {
      expect(existsSync(join(app, 'node_modules', peer, 'package.json')), peer).toBe(true);
    }
    expect(existsSync(join(app, 'node_modules', 'zod')), 'zod is bundled, not installed').toBe(false);
    const installed = JSON.parse(readFileSync(join(app, 'node_modules/cdktf-backstage/package.json'), 'utf8'));
    expect(installed.dependencies ?? {}).toEqual({});

    writeFileSync(join(app, 'main.ts'), consumer);
    run(join(root, 'node_modules/.bin/tsc'), ['--strict', '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'es2022', '--skipLibCheck', 'main.ts'], app);
    run('node', ['main.js'], app);
    const json = JSON.parse(readFileSync(join(app, 'cdktf.out/stacks/consumer/cdk.tf.json'), 'utf8'));
    expect(Object.keys(json.resource)).toEqual(
      expect.arrayContaining(['kubernetes_deployment_v1', 'kubernetes_ingress_v1', 'kubernetes_stateful_set_v1', 'kubernetes_manifest']),
    );
    expect(json.output.portal_oidc_redirect_uri.value).toBe('https://portal.example.com/oauth2/callback');
  });

  it('keeps zod out of every public declaration file', () => {
    // Walk the .d.ts graph from the package entry point; internal modules may use zod,
    // public ones must not (users should never need zod's types).
    const dist = join(root, 'dist');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from 'zod'/);
      for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
        visit(resolve(file, '..', `${m[1]}.d.ts`));
      }
    };
    visit(join(dist, 'index.d.ts'));
    expect(seen.size).toBeGreaterThan(10);
    expect(readdirSync(dist)).toContain('index.js');
  });
});
