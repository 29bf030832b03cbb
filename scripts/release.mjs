#!/usr/bin/env node
// `npm run release -- <patch|minor|major>`: cuts a release commit and tag on the current branch.
//
//  1. refuses a working tree with any change (staged, unstaged or untracked), an empty
//     "## Unreleased" section in CHANGELOG.md, and a tag that already exists;
//  2. runs the checks: npm run typecheck, npm run build, npm run api:check (the full test suites
//     are CI's);
//  3. bumps the version in package.json and package-lock.json (`npm version --no-git-tag-version`),
//     moves CHANGELOG.md's Unreleased section under "## <version> - <today>" (leaving an empty
//     Unreleased heading above it) and points the README's `cdktf-backstage@<version>` install specs
//     at the new version (the quick-start suite requires they name the package's version);
//  4. commits those files as "Release v<version>" and makes the annotated tag v<version>.
//
// It publishes nothing and pushes nothing: it prints the commands for that. Any failure after
// the bump puts the four files back as they were.
//
// RELEASE_CHECKS replaces the check command (a shell command line); only the script's own test
// uses it, to exercise the rest without a full build.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const KINDS = ['patch', 'minor', 'major'];
const CHECKS = 'npm run typecheck && npm run build && npm run api:check';
const FILES = ['package.json', 'package-lock.json', 'CHANGELOG.md', 'README.md'];

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

function git(...args) {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

const read = (file) => readFileSync(join(root, file), 'utf8');
const write = (file, text) => writeFileSync(join(root, file), text);

/** The next plain x.y.z version; npm's own result is compared with it after the bump. */
function nextVersion(current, kind) {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(current);
  if (!m) fail(`package.json version ${current} is not a plain x.y.z version; bump it by hand`);
  const [major, minor, patch] = m.slice(1).map(Number);
  if (kind === 'major') return `${major + 1}.0.0`;
  if (kind === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** CHANGELOG.md split around the body of its "## Unreleased" section. */
function unreleased(changelog) {
  const heading = /^## Unreleased[ \t]*\r?\n/m.exec(changelog);
  if (!heading) fail('CHANGELOG.md has no "## Unreleased" heading');
  const start = heading.index + heading[0].length;
  const next = changelog.slice(start).search(/^## /m);
  const end = next === -1 ? changelog.length : start + next;
  return {
    before: changelog.slice(0, heading.index),
    body: changelog.slice(start, end).trim(),
    after: changelog.slice(end),
  };
}

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const args = process.argv.slice(2);
if (args.length !== 1 || !KINDS.includes(args[0])) {
  fail(`usage: npm run release -- <${KINDS.join('|')}>${args.length ? ` (got: ${args.join(' ')})` : ''}`);
}
const kind = args[0];

const status = git('status', '--porcelain');
if (status) fail(`the working tree is not clean; commit or stash first:\n${status}`);

const pkg = JSON.parse(read('package.json'));
const previous = pkg.version;
const version = nextVersion(previous, kind);
const tag = `v${version}`;
if (git('tag', '--list', tag)) fail(`tag ${tag} already exists`);
const { body } = unreleased(read('CHANGELOG.md'));
if (!body) fail('the "## Unreleased" section of CHANGELOG.md is empty: nothing to release');

const checks = process.env.RELEASE_CHECKS ?? CHECKS;
console.log(`release: ${previous} -> ${version}; checks: ${checks}`);
const checked = spawnSync('sh', ['-c', checks], { cwd: root, stdio: 'inherit' });
if (checked.status !== 0)
  fail(`the checks failed (${checked.status ?? checked.signal}); nothing was changed`);
const after = git('status', '--porcelain');
if (after) fail(`the checks changed the working tree (is a generated file out of date?):\n${after}`);

let committed = false;
try {
  execFileSync('npm', ['version', kind, '--no-git-tag-version'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const bumped = JSON.parse(read('package.json')).version;
  if (bumped !== version) throw new Error(`npm version gave ${bumped}, expected ${version}`);

  const parts = unreleased(read('CHANGELOG.md'));
  write(
    'CHANGELOG.md',
    `${parts.before}## Unreleased\n\n## ${version} - ${today()}\n\n${parts.body}\n\n${parts.after}`.replace(
      /\n+$/,
      '\n',
    ),
  );

  const readme = read('README.md');
  write('README.md', readme.split(`cdktf-backstage@${previous}`).join(`cdktf-backstage@${version}`));

  git('add', '--', ...FILES);
  git('commit', '--quiet', '-m', `Release ${tag}`, '--', ...FILES);
  committed = true;
  git('tag', '--annotate', tag, '--message', `cdktf-backstage ${version}`);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (committed)
    fail(
      `${message}\nThe release commit was made but not tagged: git tag --annotate ${tag}, or undo it with git reset --hard HEAD~1.`,
    );
  // The tree was clean before the bump, so restoring the four files undoes everything.
  try {
    git('reset', '--quiet', '--', ...FILES);
    git('checkout', '--', ...FILES);
  } catch {
    // reported below
  }
  fail(`${message}\nThe version bump was undone (${FILES.join(', ')} restored).`);
}

console.log(
  `release: committed and tagged ${tag} (${git('rev-parse', '--short', 'HEAD')}). Nothing was pushed or published.`,
);
console.log(`Next: git push --follow-tags, and publish from a clean checkout of ${tag} once CI is green.`);
