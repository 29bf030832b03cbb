#!/usr/bin/env bash
# Installs what the sign-in end-to-end test (and bench.ts) need on a Debian 12 machine,
# idempotently: a second run changes nothing and takes seconds.
#
#   Debian packages   nginx + libnginx-mod-http-set-misc (set_escape_uri, as ingress-nginx
#                     uses) + libnginx-mod-http-headers-more-filter (more_set_headers, as
#                     ingress-nginx renders the custom-headers annotation), chromium (driven by the npm package playwright-core),
#                     libnss3-tools (certutil: Chromium trusts the test CA through NSS),
#                     openssl (the test CA), redis-server (the Redis session store: a
#                     redis-server per run on a free loopback port; redis-cli comes with it)
#                     slapd + ldap-utils (OpenLDAP: the LDAP org scenario's directory, one slapd
#                     per run on a free loopback port over LDAPS; ldapsearch asks it)
#                     postgresql-15 (a PostgreSQL server per run, as its own user, for the
#                     in-cluster database's password hook)
#   oauth2-proxy      built from its Go module by test/e2e/tools/build-tools.sh into
#                     ~/.cache/cdktf-backstage/tools (about 2 minutes the first time), and
#                     the test cluster's kube-apiserver, etcd and kwok (the deploy suite's;
#                     about 10 minutes the first time), for the machine-agent scenarios
#   npm packages      the suite's own (test/e2e/signin/package.json: Backstage's backend
#                     packages, better-sqlite3, oidc-provider, jose, playwright-core) with
#                     npm ci --prefix test/e2e/signin, skipped when already installed from the
#                     current lock file; the root install too if it is missing
#   better-sqlite3    its native module must load (npm ci builds it: the suite's package.json
#                     allows its install script); rebuilt here if it does not
#
# Usage: bash test/e2e/signin/setup.sh      (run from anywhere; needs root for apt-get)
set -euo pipefail
cd "$(dirname "$0")/../../.."

log() { printf '[signin-setup] %s\n' "$*" >&2; }
start=$(date +%s)

# --- Debian packages -------------------------------------------------------------------
packages=(nginx libnginx-mod-http-set-misc libnginx-mod-http-headers-more-filter chromium libnss3-tools openssl redis-server slapd ldap-utils postgresql-15)
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == *'install ok installed'* ]] || missing+=("$p")
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
    "${SUDO[@]}" systemctl disable --now nginx redis-server slapd postgresql >/dev/null 2>&1 || true
  fi
else
  log "Debian packages present: ${packages[*]}"
fi
# Outputs are captured before they are matched: `cmd | grep -q` under pipefail fails at random
# when grep exits at its first match and cmd, still writing, dies of SIGPIPE.
nginx_build=$(nginx -V 2>&1)
[[ $nginx_build == *--with-http_auth_request_module* ]] || { log "nginx lacks the auth_request module"; exit 1; }
test -f /usr/lib/nginx/modules/ngx_http_set_misc_module.so || { log "set-misc module missing"; exit 1; }
test -x /usr/bin/chromium || { log "no /usr/bin/chromium"; exit 1; }
# rediss:// session stores are tested too: the server must be built with TLS.
redis_version=$(redis-server --version)
redis_libraries=$(ldd /usr/bin/redis-server)
[[ -n $redis_version && $redis_libraries == *libssl* ]] || { log "redis-server lacks TLS support"; exit 1; }
# The LDAP org scenario's directory loads its entries offline and serves LDAPS with mdb.
test -x /usr/sbin/slapd && test -x /usr/sbin/slapadd && test -x /usr/bin/ldapsearch || { log "slapd or ldap-utils missing"; exit 1; }
test -f /usr/lib/ldap/back_mdb.so || { log "slapd lacks the mdb backend module"; exit 1; }

# --- oauth2-proxy and the test cluster (cached by version) --------------------------
# ...and the test cluster (kube-apiserver, etcd, kwok): machine-agents.test.ts asks a real
# API server for service-account tokens.
bash test/e2e/tools/build-tools.sh oauth2-proxy cluster >&2

# --- npm dependencies --------------------------------------------------------------------
# The library's own packages (vitest, cdktf, tsx: the suite runs on them) come from the root
# install, the README's set-up; a fresh clone gets it here too.
if [[ ! -d node_modules/vitest || ! -d node_modules/cdktf || ! -d node_modules/tsx ]]; then
  log "root node_modules incomplete: running npm ci"
  npm ci --no-audit --no-fund >&2
fi
# The suite's own packages (Backstage, better-sqlite3, oidc-provider, jose, playwright-core)
# live in test/e2e/signin/node_modules, from the suite's package-lock.json. npm ci is skipped
# when that tree was installed from this exact lock file (a stamp written after a successful
# install): a second run takes no time here, and a changed lock file installs afresh.
suite=test/e2e/signin
stamp=$suite/node_modules/.installed-from-lock.sha256
lock_sum=$(sha256sum "$suite/package-lock.json" | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_sum" || ! -d $suite/node_modules/@backstage/backend-defaults ]]; then
  log "installing the suite's npm packages: npm ci --prefix $suite"
  npm ci --prefix "$suite" --no-audit --no-fund >&2
  echo "$lock_sum" >"$stamp"
else
  log "suite npm packages installed from the current package-lock.json"
fi
# better-sqlite3's native module must load (npm ci builds it: the suite's package.json allows
# its install script).
sqlite_loads() { (cd "$suite" && node -e "new (require('better-sqlite3'))(':memory:').close()") 2>/dev/null; }
if ! sqlite_loads; then
  log "better-sqlite3 native module does not load: rebuilding it"
  npm rebuild better-sqlite3 --prefix "$suite" >&2
  sqlite_loads || { log "better-sqlite3 still does not load"; exit 1; }
fi

log "ready in $(($(date +%s) - start)) s"
