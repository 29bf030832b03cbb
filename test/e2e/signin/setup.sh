#!/usr/bin/env bash
# Installs what the sign-in end-to-end test (and bench.ts) need on a Debian 12 machine,
# idempotently: a second run changes nothing and takes seconds.
#
#   Debian packages   nginx + libnginx-mod-http-set-misc (set_escape_uri, as ingress-nginx
#                     uses), chromium (driven by the npm package playwright-core),
#                     libnss3-tools (certutil: Chromium trusts the test CA through NSS),
#                     openssl (the test CA), redis-server (the Redis session store: a
#                     redis-server per run on a free loopback port; redis-cli comes with it)
#   oauth2-proxy      built from its Go module by test/e2e/tools/build-tools.sh into
#                     ~/.cache/cdktf-backstage/tools (about 2 minutes the first time)
#   better-sqlite3    its native module must load (npm ci builds it: package.json allows
#                     its install script); rebuilt here if it does not
#
# Usage: bash test/e2e/signin/setup.sh      (run from anywhere; needs root for apt-get)
set -euo pipefail
cd "$(dirname "$0")/../../.."

log() { printf '[signin-setup] %s\n' "$*" >&2; }
start=$(date +%s)

# --- Debian packages -------------------------------------------------------------------
packages=(nginx libnginx-mod-http-set-misc chromium libnss3-tools openssl redis-server)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  log "installing ${missing[*]}"
  SUDO=()
  if [[ $(id -u) != 0 ]]; then SUDO=(sudo); fi
  # Installing nginx or redis-server must not start the distribution's services (nginx on
  # port 80, Redis on 6379): the test runs its own on free loopback ports. Block service starts for this install
  # unless a policy is already in place.
  added_policy=false
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${SUDO[@]}" chmod 755 /usr/sbin/policy-rc.d
    added_policy=true
  fi
  trap '[[ $added_policy == true ]] && "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Where systemd runs, make sure the packaged services stay off.
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    "${SUDO[@]}" systemctl disable --now nginx redis-server >/dev/null 2>&1 || true
  fi
else
  log "Debian packages present: ${packages[*]}"
fi
nginx -V 2>&1 | grep -q -- '--with-http_auth_request_module' || { log "nginx lacks the auth_request module"; exit 1; }
test -f /usr/lib/nginx/modules/ngx_http_set_misc_module.so || { log "set-misc module missing"; exit 1; }
test -x /usr/bin/chromium || { log "no /usr/bin/chromium"; exit 1; }
# rediss:// session stores are tested too: the server must be built with TLS.
redis-server --version | grep -q . && ldd /usr/bin/redis-server | grep -q libssl || { log "redis-server lacks TLS support"; exit 1; }

# --- oauth2-proxy (cached by version) --------------------------------------------------
bash test/e2e/tools/build-tools.sh oauth2-proxy >&2

# --- npm dependencies --------------------------------------------------------------------
if [[ ! -d node_modules/oidc-provider || ! -d node_modules/playwright-core ]]; then
  log "node_modules incomplete: running npm ci"
  npm ci --no-audit --no-fund >&2
fi
if ! node -e "new (require('better-sqlite3'))(':memory:').close()" 2>/dev/null; then
  log "better-sqlite3 native module does not load: rebuilding it"
  npm rebuild better-sqlite3 >&2
  node -e "new (require('better-sqlite3'))(':memory:').close()"
fi

log "ready in $(($(date +%s) - start)) s"
