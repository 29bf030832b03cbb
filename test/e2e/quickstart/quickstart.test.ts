// Packs the library as npm would publish it, then runs the README's quick start exactly as
// written (every ```… quickstart block, commands and files, in order, then the later
// ```… in-quickstart-app blocks) in an empty temporary folder against the npm registry,
// with only the package spec replaced by the packed tarball. The app it builds type-checks
// against the shipped .d.ts files in strict mode and synthesizes both stacks through the
// real cdktf CLI.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { readmeBlocks } from '../../readme-blocks';

const root = resolve(__dirname, '../../..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const spec = `cdktf-backstage@${version}`;

/**
 * A reader's shell: the caller's environment without the npm_* variables that `npm run`
 * sets for its scripts (they would configure the npm commands under test). Only the npm
 * cache is shared, and prefer-offline keeps it from revalidating what it already holds
 * (anything missing still comes from the registry). No telemetry from cdktf-cli.
 */
function readerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'NODE_OPTIONS') {
      env[key] = value;
    }
  }
  return { ...env, npm_config_prefer_offline: 'true', CHECKPOINT_DISABLE: '1' };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status ?? result.signal}) in ${cwd}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

type Json = Record<string, any>;
const resourcesOf = (json: Json, type: string): Json[] =>
  Object.values(json.resource?.[type] ?? {}) as Json[];

describe('packaging', () => {
  it(
    'runs the README quick start as written, with the packed tarball as the package',
    { timeout: 600_000 },
    () => {
      const started = Date.now();
      const work = mkdtempSync(join(tmpdir(), 'quick-start-'));
      const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root)) as Array<{
        filename: string;
        files: Array<{ path: string }>;
      }>;
      const files = packed[0]!.files.map((f) => f.path);
      expect(files).toContain('dist/index.js');
      expect(files).toContain('dist/index.d.ts');
      expect(
        files.filter((f) => f.startsWith('test/') || f.startsWith('examples/') || f.startsWith('lib/')),
      ).toEqual([]);
      const tarball = join(work, packed[0]!.filename);

      const blocks = readmeBlocks('quickstart');
      expect(blocks.map((b) => (b.kind === 'file' ? b.path : b.language))).toEqual([
        'sh',
        'cdktf.json',
        'tsconfig.json',
        'main.ts',
        'sh',
      ]);
      // The install line names this version of the package, once; that spec is all that changes.
      const installs = blocks.filter((b) => b.kind === 'commands' && b.text.includes(spec));
      expect(installs, `one quick-start command installs ${spec}`).toHaveLength(1);
      expect(
        blocks.some((b) => b.text.includes('cdktf-backstage@') && !b.text.includes(spec)),
        'every quick-start spec names this version',
      ).toBe(false);

      // Later sections' snippets for the same app (writing the environment JSON Schema).
      const later = readmeBlocks('in-quickstart-app');
      expect(later.map((b) => (b.kind === 'file' ? b.path : b.language))).toEqual([
        'main-gateway-api.ts',
        'sh',
        'teams.ts',
        'sh',
        'write-schema.ts',
        'sh',
      ]);

      const app = join(work, 'app');
      mkdirSync(app);
      const env = readerEnv();
      const timings: string[] = [];
      for (const block of [...blocks, ...later]) {
        const t0 = Date.now();
        if (block.kind === 'file') {
          mkdirSync(dirname(join(app, block.path)), { recursive: true });
          writeFileSync(join(app, block.path), block.text);
        } else {
          run('bash', ['-euo', 'pipefail', '-c', block.text.split(spec).join(tarball)], app, env);
          timings.push(`README.md:${block.line} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        }
      }

      // The app depends on exactly what the README installs, pinned; the library brings
      // nothing but its peers from the registry (zod and yaml are bundled; the zod at the top
      // of node_modules is cdktf-cli's).
      const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
      expect(Object.keys(manifest.dependencies).sort()).toEqual([
        '@cdktf/provider-helm',
        '@cdktf/provider-kubernetes',
        'cdktf',
        'cdktf-backstage',
        'constructs',
      ]);
      for (const [name, range] of Object.entries({
        ...manifest.dependencies,
        ...manifest.devDependencies,
      }) as Array<[string, string]>) {
        expect(range, `${name} is pinned`).toMatch(name === 'cdktf-backstage' ? /^file:/ : /^\d+\.\d+\.\d+$/);
      }
      const installed = JSON.parse(
        readFileSync(join(app, 'node_modules/cdktf-backstage/package.json'), 'utf8'),
      );
      expect(installed.version).toBe(version);
      // Whatever it depends on travels inside its tarball (bundled), so npm fetches nothing for it.
      const bundled = new Set<string>(installed.bundleDependencies ?? installed.bundledDependencies ?? []);
      expect(
        Object.keys(installed.dependencies ?? {}).filter((name) => !bundled.has(name)),
        'dependencies not bundled',
      ).toEqual([]);
      expect(Object.keys(installed.peerDependencies).sort()).toEqual([
        '@cdktf/provider-helm',
        '@cdktf/provider-kubernetes',
        'cdktf',
        'constructs',
      ]);

      const stack = (name: string): Json =>
        JSON.parse(readFileSync(join(app, 'cdktf.out/stacks', name, 'cdk.tf.json'), 'utf8'));
      const platform = stack('dev-platform');
      expect(Object.keys(platform.provider).sort()).toEqual(['helm', 'kubernetes']);
      expect(
        resourcesOf(platform, 'helm_release')
          .map((r) => r.name)
          .sort(),
      ).toEqual(['cert-manager', 'ingress-nginx']);
      expect(
        resourcesOf(platform, 'kubernetes_namespace_v1')
          .map((r) => r.metadata.name)
          .sort(),
      ).toEqual(['cert-manager', 'ingress-nginx']);
      expect(resourcesOf(platform, 'kubernetes_ingress_v1')).toHaveLength(1);

      const portal = stack('dev-portal');
      expect(Object.keys(portal.provider)).toEqual(['kubernetes']);
      expect(
        resourcesOf(portal, 'kubernetes_deployment_v1')
          .map((r) => r.metadata.name)
          .sort(),
      ).toEqual(['backstage', 'oauth2-proxy']);
      expect(resourcesOf(portal, 'kubernetes_stateful_set_v1')).toHaveLength(1);
      expect(resourcesOf(portal, 'kubernetes_ingress_v1').length).toBeGreaterThanOrEqual(3);
      expect(resourcesOf(portal, 'kubernetes_manifest').map((r) => r.manifest.kind)).toContain(
        'ClusterIssuer',
      );
      expect(portal.output.portal_oidc_redirect_uri.value).toBe(
        'https://backstage.dev.example.com/oauth2/callback',
      );
      expect(
        Object.fromEntries(Object.entries(portal.variable as Json).map(([name, v]) => [name, v.sensitive])),
      ).toEqual({
        database_password: true,
        oidc_client_secret: true,
        oauth2_proxy_cookie_secret: true,
      });
      // The same app on the Gateway API flavour (the README's recommendation for new installs).
      const gatewayStack = (name: string): Json =>
        JSON.parse(readFileSync(join(app, 'cdktf.out.gateway-api/stacks', name, 'cdk.tf.json'), 'utf8'));
      const gatewayPlatform = gatewayStack('dev-platform');
      expect(resourcesOf(gatewayPlatform, 'helm_release').map((r) => r.name)).toEqual(['cert-manager']);
      expect(resourcesOf(gatewayPlatform, 'helm_release')[0]!.values[0]).toContain('enableGatewayAPI: true');
      const gatewayPortal = gatewayStack('dev-portal');
      expect(resourcesOf(gatewayPortal, 'kubernetes_ingress_v1')).toEqual([]);
      expect(
        resourcesOf(gatewayPortal, 'kubernetes_manifest')
          .map((r) => r.manifest.kind)
          .sort(),
      ).toEqual(['ClusterIssuer', 'Gateway', 'HTTPRoute', 'HTTPRoute']);
      // The schema a package user writes is the one this repository commits (kept current by
      // test/environments).
      expect(JSON.parse(readFileSync(join(app, 'environment.schema.json'), 'utf8'))).toEqual(
        JSON.parse(readFileSync(join(root, 'examples/multi-cloud/environment.schema.json'), 'utf8')),
      );
      // The Teams and RBAC example: one Team declaration in the gateway's groups and the CSV.
      const teams: Json = JSON.parse(
        readFileSync(join(app, 'cdktf.out.teams/stacks/teams/cdk.tf.json'), 'utf8'),
      );
      const configMap = (name: string) =>
        resourcesOf(teams, 'kubernetes_config_map_v1').find((cm) => cm.metadata.name === name)!
          .data as Record<string, string>;
      expect(configMap('backstage-rbac-policy')['rbac-policy.csv']).toContain(
        'g, group:default/payments, role:default/engineers',
      );
      expect(
        parse(configMap('oauth2-proxy-config')['alpha-config.yaml']!).providers[0].allowedGroups,
      ).toEqual(['platform-admins', 'engineering', 'payments']);
      // cdktf orders the stacks by the dependency the README declares.
      const manifestOut = JSON.parse(readFileSync(join(app, 'cdktf.out/manifest.json'), 'utf8'));
      expect(manifestOut.stacks['dev-portal'].dependencies).toEqual(['dev-platform']);
      console.log(
        `quick start from the README: ${((Date.now() - started) / 1000).toFixed(1)} s in all (npm pack included); command blocks: ${timings.join(', ')}`,
      );
    },
  );

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
