#!/usr/bin/env bash
# Installs the deploy suite's own npm package, the cdktf CLI (test/e2e/deploy/package.json,
# pinned, with its own package-lock.json), idempotently: npm ci --prefix test/e2e/deploy,
# skipped when that tree was installed from the current lock file (a stamp written after a
# successful install), so a second run takes no time and a changed lock file installs afresh.
# The CLI is the suite's alone: the library, the unit tests and `npm run synth` do not need it,
# and it is most of what the root install used to be (565 packages, 427 MB here).
# No install script runs (the package.json allows none): the CLI's node-pty dependency ships
# prebuilt binaries through its install script, and the suite never uses it (cdktf runs the
# engine through child processes, not a terminal).
# The root install (vitest, tsx, cdktf: the suite runs on them) is the README's set-up; a fresh
# clone gets it here too.
#
# Usage: bash test/e2e/deploy/setup.sh      (run from anywhere; npm run test:e2e runs it)
set -euo pipefail
cd "$(dirname "$0")/../../.."

log() { printf '[deploy-setup] %s\n' "$*" >&2; }

if [[ ! -d node_modules/vitest || ! -d node_modules/cdktf || ! -d node_modules/tsx ]]; then
  log "root node_modules incomplete: running npm ci"
  npm ci --no-audit --no-fund >&2
fi

suite=test/e2e/deploy
stamp=$suite/node_modules/.installed-from-lock.sha256
lock_sum=$(sha256sum "$suite/package-lock.json" | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_sum" || ! -x $suite/node_modules/.bin/cdktf ]]; then
  log "installing the suite's npm packages: npm ci --prefix $suite"
  npm ci --prefix "$suite" --no-audit --no-fund >&2
  echo "$lock_sum" >"$stamp"
else
  log "suite npm packages installed from the current package-lock.json"
fi
