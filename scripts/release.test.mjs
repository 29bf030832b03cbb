// `npm run test:release`: runs scripts/release.mjs in a temporary clone of this repository
// (its committed HEAD, with this working tree's release script), with the checks replaced by
// `true` / `exit 3` so no build runs. Checks the refusals leave everything as it was and a
// release bumps, moves the changelog section, commits and tags, and nothing else.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'release-test-'));
const clone = join(work, 'repo');

// No npm_* variables from `npm run` (they would configure the npm under test), a fixed identity.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD'),
);
Object.assign(env, {
  GIT_AUTHOR_NAME: 'release test',
  GIT_AUTHOR_EMAIL: 'release-test@example.invalid',
  GIT_COMMITTER_NAME: 'release test',
  GIT_COMMITTER_EMAIL: 'release-test@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
});

const git = (...args) => execFileSync('git', args, { cwd: clone, env, encoding: 'utf8' }).trim();
const read = (file) => readFileSync(join(clone, file), 'utf8');
const version = () => JSON.parse(read('package.json')).version;

function release(args, checks = 'true') {
  const result = spawnSync(process.execPath, ['scripts/release.mjs', ...args], {
    cwd: clone,
    env: { ...env, RELEASE_CHECKS: checks },
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Everything a refusal must leave untouched. */
const snapshot = () => ({
  head: git('rev-parse', 'HEAD'),
  tags: git('tag', '--list'),
  status: git('status', '--porcelain'),
  version: version(),
});

describe('npm run release', () => {
  before(() => {
    execFileSync('git', ['clone', '--quiet', root, clone], { env });
    mkdirSync(join(clone, 'scripts'), { recursive: true });
    copyFileSync(join(root, 'scripts/release.mjs'), join(clone, 'scripts/release.mjs'));
    git('add', 'scripts/release.mjs');
    if (git('status', '--porcelain')) git('commit', '--quiet', '-m', 'release script from the working tree');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('refuses a missing or unknown bump kind', () => {
    const start = snapshot();
    for (const args of [[], ['prerelease'], ['minor', 'extra']]) {
      const { status, output } = release(args);
      assert.equal(status, 1, output);
      assert.match(output, /usage: npm run release -- <patch\|minor\|major>/);
    }
    assert.deepEqual(snapshot(), start);
  });

  it('refuses a dirty working tree (an untracked file counts)', () => {
    writeFileSync(join(clone, 'stray.txt'), 'x');
    const start = snapshot();
    const { status, output } = release(['patch']);
    rmSync(join(clone, 'stray.txt'));
    assert.equal(status, 1, output);
    assert.match(output, /not clean[\s\S]*stray\.txt/);
    assert.deepEqual({ ...snapshot(), status: start.status }, start);
  });

  it('changes nothing when the checks fail', () => {
    const start = snapshot();
    const { status, output } = release(['patch'], 'exit 3');
    assert.equal(status, 1, output);
    assert.match(output, /checks failed \(3\); nothing was changed/);
    assert.deepEqual(snapshot(), start);
  });

  it('bumps, moves the Unreleased section under the new version, commits and tags', () => {
    const previous = version();
    const [major, minor] = previous.split('.').map(Number);
    const next = `${major}.${minor + 1}.0`;
    const changelog = read('CHANGELOG.md');
    const unreleased = /^## Unreleased\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(changelog)[1].trim();
    assert.ok(unreleased.length > 0, 'the clone has an Unreleased section to release');
    const readmeSpecs = read('README.md').split(`cdktf-backstage@${previous}`).length - 1;

    const { status, output } = release(['minor']);
    assert.equal(status, 0, output);
    assert.match(
      output,
      new RegExp(`committed and tagged v${next.replace(/\./g, '\\.')}.*Nothing was pushed or published`),
    );

    assert.equal(version(), next);
    const lock = JSON.parse(read('package-lock.json'));
    assert.equal(lock.version, next);
    assert.equal(lock.packages[''].version, next);

    const released = read('CHANGELOG.md');
    assert.ok(
      released.startsWith(`# Changelog\n\n## Unreleased\n\n## ${next} - ${today()}\n\n${unreleased}\n`),
      released.slice(0, 300),
    );
    assert.equal(released.split('## Unreleased').length - 1, 1);

    const readme = read('README.md');
    assert.equal(readme.split(`cdktf-backstage@${previous}`).length - 1, 0);
    assert.equal(readme.split(`cdktf-backstage@${next}`).length - 1, readmeSpecs);

    assert.equal(git('log', '-1', '--format=%s'), `Release v${next}`);
    assert.deepEqual(git('show', '--name-only', '--format=', 'HEAD').split('\n').sort(), [
      'CHANGELOG.md',
      'README.md',
      'package-lock.json',
      'package.json',
    ]);
    assert.equal(git('cat-file', '-t', `v${next}`), 'tag', 'an annotated tag');
    assert.equal(git('rev-parse', `v${next}^{commit}`), git('rev-parse', 'HEAD'));
    assert.equal(git('status', '--porcelain'), '');
  });

  it('refuses a release with an empty Unreleased section', () => {
    const start = snapshot();
    const { status, output } = release(['patch']);
    assert.equal(status, 1, output);
    assert.match(output, /Unreleased" section of CHANGELOG\.md is empty/);
    assert.deepEqual(snapshot(), start);
  });
});
