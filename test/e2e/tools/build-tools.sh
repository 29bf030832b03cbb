#!/usr/bin/env bash
# Builds the real engines the end-to-end tests need from Go modules, with the
# Go toolchain, and caches them outside the repo, one directory per version:
#
#   ${CDKTF_BACKSTAGE_TOOLS:-$HOME/.cache/cdktf-backstage/tools}/<name>-<version>/
#
# Tools, built in this order (default: all of them):
#   oauth2-proxy          github.com/oauth2-proxy/oauth2-proxy/v7
#   tofu                  github.com/opentofu/opentofu (./cmd/tofu)
#   provider-kubernetes   github.com/hashicorp/terraform-provider-kubernetes
#   provider-helm         github.com/hashicorp/terraform-provider-helm
# "providers" is short for the two providers. The providers need tofu: it is
# built (or taken from the cache) first whenever a provider is asked for.
#
# A second run builds nothing: each tool is built in a temporary directory
# inside the cache and renamed into place only once its binary has run, so a
# directory named <name>-<version> always holds a finished build.
#
# At the end the script writes <cache>/env.sh (source it) with:
#   TOFU                 path of the tofu binary
#   OAUTH2_PROXY         path of the oauth2-proxy binary
#   TF_CLI_CONFIG_FILE   <cache>/tofurc, a CLI config that installs the two
#                        providers from the local filesystem mirror
#                        (only once that mirror has passed `tofu init`)
#
# Usage: test/e2e/tools/build-tools.sh [-h] [TOOL...]
#
# Environment:
#   CDKTF_BACKSTAGE_TOOLS  cache directory (default ~/.cache/cdktf-backstage/tools)
#   GO                     go command (default /usr/local/go/bin/go)
#   TOFU_VERSION           build only this OpenTofu version (default: the
#                          newest of TOFU_CANDIDATES below that builds)
#   PROVIDER_KUBERNETES_QUERY, PROVIDER_HELM_QUERY
#                          module query for the provider source (default: the
#                          commit of the release tag; a pseudo-version works too)
#
# Builds use one package at a time and GOMAXPROCS=1 (also limits the compiler's
# own parallelism), under nice, so one of the machine's two cores stays free.
# Build logs go to <cache>/logs/.
set -euo pipefail

GO=${GO:-/usr/local/go/bin/go}
TOOLS_DIR=${CDKTF_BACKSTAGE_TOOLS:-$HOME/.cache/cdktf-backstage/tools}
LOG_DIR=$TOOLS_DIR/logs
MIRROR_DIR=$TOOLS_DIR/provider-mirror
TOFURC=$TOOLS_DIR/tofurc
ENV_FILE=$TOOLS_DIR/env.sh

OAUTH2_PROXY_MODULE=github.com/oauth2-proxy/oauth2-proxy/v7
OAUTH2_PROXY_VERSION=v7.15.6

TOFU_MODULE=github.com/opentofu/opentofu
# Newest first. Releases in 1.10.x-1.12.x that the module proxy serves here.
TOFU_CANDIDATES=(v1.12.6 v1.10.10)
if [[ -n ${TOFU_VERSION:-} ]]; then
  TOFU_CANDIDATES=("$TOFU_VERSION")
fi

# Providers: type, release version, module, query (the release tag's commit:
# these modules lack the /vN suffix, so the tags are not valid module versions).
PROVIDER_TYPES=(kubernetes helm)
declare -A PROVIDER_VERSION=([kubernetes]=2.38.0 [helm]=3.1.1)
declare -A PROVIDER_MODULE=(
  [kubernetes]=github.com/hashicorp/terraform-provider-kubernetes
  [helm]=github.com/hashicorp/terraform-provider-helm
)
declare -A PROVIDER_QUERY=(
  [kubernetes]=${PROVIDER_KUBERNETES_QUERY:-be88f44271050f69d52f410bca388834afedfe71}
  [helm]=${PROVIDER_HELM_QUERY:-1cbf08f6a306ab3cdff6079b87a61c7641b64f3b}
)
PROVIDER_NAMESPACE=hashicorp
PLATFORM=linux_amd64

ALL_TOOLS=(oauth2-proxy tofu provider-kubernetes provider-helm)

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

log() { printf '[build-tools] %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------
requested=()
for arg in "$@"; do
  case $arg in
    -h | --help) usage; exit 0 ;;
    all) requested+=("${ALL_TOOLS[@]}") ;;
    providers) requested+=(provider-kubernetes provider-helm) ;;
    opentofu) requested+=(tofu) ;;
    oauth2-proxy | tofu | provider-kubernetes | provider-helm) requested+=("$arg") ;;
    *) log "unknown tool: $arg (known: ${ALL_TOOLS[*]} providers all)"; exit 2 ;;
  esac
done
if ((${#requested[@]} == 0)); then
  requested=("${ALL_TOOLS[@]}")
fi
wants() {
  local t
  for t in "${requested[@]}"; do [[ $t == "$1" ]] && return 0; done
  return 1
}
wants_providers() { wants provider-kubernetes || wants provider-helm; }

# ---------------------------------------------------------------------------
# Environment for every go command
# ---------------------------------------------------------------------------
if [[ ! -x $GO ]]; then
  log "no go command at $GO"
  exit 1
fi
export GOTOOLCHAIN=local      # never fetch another toolchain behind our back
export CGO_ENABLED=0
export GOMAXPROCS=1           # also sets the compiler's -c concurrency to 1
export GOFLAGS="${GOFLAGS:-} -p=1"
export CHECKPOINT_DISABLE=1   # tofu: no update check

mkdir -p "$TOOLS_DIR" "$LOG_DIR"
# One run at a time per cache directory.
exec 9>"$TOOLS_DIR/.lock"
if ! flock -n 9; then
  log "another build-tools.sh is using $TOOLS_DIR; waiting for it"
  flock 9
fi
# Left over by an interrupted run (we hold the lock, so nobody is using them).
rm -rf "$TOOLS_DIR"/.tmp-*

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

# Value of a string field in the pretty-printed JSON of `go mod download -json`.
json_field() { sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}\$/\1/p" | head -n1; }

# go mod download -json MOD@QUERY into $2 (a file); fails with the go error.
mod_download() {
  local modq=$1 out=$2 err
  # Exits non-zero on failure, with the reason in the JSON's Error field.
  "$GO" mod download -json "$modq" >"$out" 2>&1 || true
  err=$(json_field Error <"$out")
  if [[ -n $err ]] || [[ -z $(json_field Dir <"$out") ]]; then
    # Keep the proxy's answer but not its URL, so logs name no host.
    log "go mod download $modq failed: $(printf '%s' "${err:-$(cat "$out")}" |
      sed -E -e 's#reading https?://[^ ]*:#reading the module proxy:#g' -e 's#\\n\\t# #g')"
    return 1
  fi
}

# Writable copy of a module's source (the module cache is read-only).
copy_module() {
  local dir=$1 dest=$2
  cp -R "$dir" "$dest"
  chmod -R u+w "$dest"
}

# Run a build step with its output in a log file; show the log's tail on failure.
run_logged() {
  local logfile=$1
  shift
  if ! (cd "${BUILD_CWD:-.}" && nice -n 10 "$@") >>"$logfile" 2>&1; then
    log "command failed: $*"
    log "last lines of $logfile:"
    tail -n 30 "$logfile" >&2
    return 1
  fi
}

# Make a temp dir for <name>-<version> inside the cache (same file system, so
# the final rename is atomic) and remove it when the (sub)shell exits.
new_tmp() {
  TMP=$(mktemp -d "$TOOLS_DIR/.tmp-$1.XXXXXX")
  trap 'rm -rf "$TMP"' EXIT
}

# Move the finished build into place.
install_dir() {
  local tmp=$1 dest=$2
  rm -rf "$tmp/src"
  chmod 755 "$tmp"   # mktemp made it private
  # A <name>-<version> directory without its binary is no finished build.
  rm -rf "$dest"
  mv -T "$tmp" "$dest"
}

now() { date +%s; }

# ---------------------------------------------------------------------------
# oauth2-proxy
# ---------------------------------------------------------------------------
oauth2_proxy_dir() { echo "$TOOLS_DIR/oauth2-proxy-$OAUTH2_PROXY_VERSION"; }

build_oauth2_proxy() {
  local dest ver=$OAUTH2_PROXY_VERSION logf info dir ldflags=(-s -w)
  dest=$(oauth2_proxy_dir)
  logf=$LOG_DIR/oauth2-proxy-$ver.log
  : >"$logf"
  new_tmp "oauth2-proxy-$ver"
  mod_download "$OAUTH2_PROXY_MODULE@$ver" "$TMP/mod.json"
  dir=$(json_field Dir <"$TMP/mod.json")
  # main.go prints pkg/version.VERSION, which is "undefined" unless stamped.
  if grep -q '^var VERSION' "$dir/pkg/version/version.go" 2>/dev/null; then
    ldflags+=(-X "$OAUTH2_PROXY_MODULE/pkg/version.VERSION=$ver")
  fi
  mkdir -p "$TMP/bin"
  # No replace directive in its go.mod, so `go install MOD@VERSION` works.
  GOBIN=$TMP/bin run_logged "$logf" "$GO" install -p 1 -trimpath \
    -ldflags "${ldflags[*]}" "$OAUTH2_PROXY_MODULE@$ver"
  info=$("$TMP/bin/oauth2-proxy" --version 2>&1)
  echo "$info" | tee -a "$logf" >&2
  if [[ $info != *"$ver"* ]]; then
    log "oauth2-proxy --version does not mention $ver"
    return 1
  fi
  echo "$ver" >"$TMP/VERSION"
  install_dir "$TMP" "$dest"
}

# ---------------------------------------------------------------------------
# OpenTofu
# ---------------------------------------------------------------------------
tofu_bin_for() { echo "$TOOLS_DIR/tofu-$1/bin/tofu"; }

# The cached tofu binary, newest candidate first; empty if none is cached.
cached_tofu() {
  local v
  for v in "${TOFU_CANDIDATES[@]}"; do
    if [[ -x $(tofu_bin_for "$v") ]]; then
      echo "$v"
      return 0
    fi
  done
}

build_tofu_version() {
  local ver=$1 dest logf dir want got ldflags=(-s -w)
  dest=$TOOLS_DIR/tofu-$ver
  logf=$LOG_DIR/tofu-$ver.log
  : >"$logf"
  new_tmp "tofu-$ver"
  mod_download "$TOFU_MODULE@$ver" "$TMP/mod.json"
  dir=$(json_field Dir <"$TMP/mod.json")
  # Its go.mod has replace directives, so `go install MOD@VERSION` refuses it:
  # build it as the main module in a writable copy instead.
  copy_module "$dir" "$TMP/src"
  # version/version.go takes the number from version/VERSION and marks the
  # build a "-dev" prerelease unless version.dev is stamped "no" (as releases are).
  if grep -q '^var dev ' "$TMP/src/version/version.go"; then
    ldflags+=(-X "$TOFU_MODULE/version.dev=no")
  fi
  mkdir -p "$TMP/bin"
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" build -p 1 -mod=readonly -trimpath \
    -ldflags "${ldflags[*]}" -o "$TMP/bin/tofu" ./cmd/tofu
  want=${ver#v}
  # An empty CLI config: the caller's TF_CLI_CONFIG_FILE may name a missing file.
  got=$(TF_CLI_CONFIG_FILE=/dev/null "$TMP/bin/tofu" version -json |
    sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')
  TF_CLI_CONFIG_FILE=/dev/null "$TMP/bin/tofu" version | tee -a "$logf" >&2
  if [[ $got != "$want" ]]; then
    log "tofu version -json reports '$got', expected '$want'"
    return 1
  fi
  echo "$ver" >"$TMP/VERSION"
  install_dir "$TMP" "$dest"
}

# ---------------------------------------------------------------------------
# Providers
# ---------------------------------------------------------------------------
provider_dir() { echo "$TOOLS_DIR/terraform-provider-$1-${PROVIDER_VERSION[$1]}"; }
provider_file() { echo "terraform-provider-$1_v${PROVIDER_VERSION[$1]}"; }

build_provider() {
  local type=$1 ver=${PROVIDER_VERSION[$1]} dest logf dir modver addr ldflags=(-s -w)
  dest=$(provider_dir "$type")
  logf=$LOG_DIR/terraform-provider-$type-$ver.log
  : >"$logf"
  new_tmp "terraform-provider-$type-$ver"
  mod_download "${PROVIDER_MODULE[$type]}@${PROVIDER_QUERY[$type]}" "$TMP/mod.json"
  dir=$(json_field Dir <"$TMP/mod.json")
  modver=$(json_field Version <"$TMP/mod.json")
  log "provider $type $ver is ${PROVIDER_MODULE[$type]}@$modver"
  # go.mod may have replace directives: build as main module in a writable copy.
  copy_module "$dir" "$TMP/src"
  # Stamp the release number where main declares a version variable
  # (`version` or `Version`, "dev" unless a release build sets it).
  local var
  var=$(sed -nE 's/^[[:space:]]*(var[[:space:]]+)?([Vv]ersion)[[:space:]]+(string[[:space:]]*)?=.*/\2/p' \
    "$TMP/src/main.go" | head -n1)
  if [[ -n $var ]]; then
    ldflags+=(-X "main.$var=$ver")
  fi
  mkdir -p "$TMP/$PLATFORM"
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" build -p 1 -mod=readonly -trimpath \
    -ldflags "${ldflags[*]}" -o "$TMP/$PLATFORM/$(provider_file "$type")" .
  # The provider declares its own registry address in main.go (the address it
  # serves under); keep it so the mirror can also be laid out under that host.
  addr=$(grep -Eoh "\"[a-z0-9.-]+\.[a-z]+/$PROVIDER_NAMESPACE/$type\"" "$TMP/src"/*.go |
    head -n1 | tr -d '"' || true)
  echo "${addr:-}" >"$TMP/ADDRESS"
  # A provider is a go-plugin server: run without the plugin handshake it
  # prints a message and exits non-zero; that it starts at all is the check
  # here, the protocol check is `tofu providers schema` in verify_mirror.
  timeout 10 "$TMP/$PLATFORM/$(provider_file "$type")" >>"$logf" 2>&1 </dev/null || true
  printf '%s\n%s\n' "$ver" "$modver" >"$TMP/VERSION"
  install_dir "$TMP" "$dest"
}

# The registry host that OpenTofu puts in front of a provider source address
# that has none ("hashicorp/kubernetes"). Asked of the binary itself rather
# than written here: `tofu providers` lists the fully-qualified address of each
# required provider, e.g. "provider[<host>/hashicorp/kubernetes]", reading only
# the configuration (no init, no network).
tofu_default_host() {
  local tofu=$1 d out host
  d=$(mktemp -d "$TOOLS_DIR/.tmp-host.XXXXXX")
  cat >"$d/main.tf" <<EOF
terraform {
  required_providers {
    probe = { source = "$PROVIDER_NAMESPACE/probe" }
  }
}
EOF
  out=$(cd "$d" && TF_CLI_CONFIG_FILE=/dev/null "$tofu" providers -no-color 2>&1) || true
  rm -rf "$d"
  host=$(sed -n "s|.*provider\[\([^]/]*\)/$PROVIDER_NAMESPACE/probe\].*|\1|p" <<<"$out" | head -n1)
  if [[ -z $host ]]; then
    log "could not read the default provider host from 'tofu providers':"
    printf '%s\n' "$out" >&2
    return 1
  fi
  echo "$host"
}

# Lay the built providers out as an unpacked filesystem mirror:
#   <mirror>/<host>/hashicorp/<type>/<version>/linux_amd64/terraform-provider-<type>_v<version>
# under tofu's default host and under the host each provider declares itself,
# write the CLI config <cache>/tofurc, and check both with a real `tofu init`.
assemble_mirror() {
  local tofu=$1 type ver host hosts=() h src dst
  host=$(tofu_default_host "$tofu")
  hosts+=("$host")
  for type in "${PROVIDER_TYPES[@]}"; do
    h=$(cut -d/ -f1 <"$(provider_dir "$type")/ADDRESS")
    [[ -n $h ]] && hosts+=("$h")
  done
  mapfile -t hosts < <(printf '%s\n' "${hosts[@]}" | sort -u)
  for h in "${hosts[@]}"; do
    for type in "${PROVIDER_TYPES[@]}"; do
      ver=${PROVIDER_VERSION[$type]}
      src=$(provider_dir "$type")/$PLATFORM/$(provider_file "$type")
      dst=$MIRROR_DIR/$h/$PROVIDER_NAMESPACE/$type/$ver/$PLATFORM
      mkdir -p "$dst"
      # Hard link (same file system) and fall back to a copy.
      ln -f "$src" "$dst/" 2>/dev/null || cp -f "$src" "$dst/"
    done
  done
  local includes=() t
  for t in "${PROVIDER_TYPES[@]}"; do includes+=("\"$PROVIDER_NAMESPACE/$t\""); done
  local inc
  inc=$(IFS=,; echo "${includes[*]}")
  inc=${inc//,/, }
  # Source addresses without a host name mean the default registry host.
  cat >"$TOFURC.tmp" <<EOF
# Written by test/e2e/tools/build-tools.sh. Use with TF_CLI_CONFIG_FILE.
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR_DIR"
    include = [$inc]
  }
  direct {
    exclude = [$inc]
  }
}
EOF
  mv -f "$TOFURC.tmp" "$TOFURC"
  log "mirror hosts: ${hosts[*]}"
}

# Real `tofu init` against the mirror, then `tofu providers schema -json`,
# which starts each provider and speaks the plugin protocol to it.
verify_mirror() {
  local tofu=$1 d logf=$LOG_DIR/verify-providers.log type req="" schema
  : >"$logf"
  d=$(mktemp -d "$TOOLS_DIR/.tmp-verify.XXXXXX")
  for type in "${PROVIDER_TYPES[@]}"; do
    req+="    $type = { source = \"$PROVIDER_NAMESPACE/$type\", version = \"${PROVIDER_VERSION[$type]}\" }"$'\n'
  done
  printf 'terraform {\n  required_providers {\n%s  }\n}\n' "$req" >"$d/main.tf"
  if ! (cd "$d" && TF_CLI_CONFIG_FILE=$TOFURC "$tofu" init -input=false -no-color) >>"$logf" 2>&1; then
    log "tofu init against the mirror failed; see $logf"
    tail -n 30 "$logf" >&2
    rm -rf "$d"
    return 1
  fi
  schema=$(cd "$d" && TF_CLI_CONFIG_FILE=$TOFURC "$tofu" providers schema -json 2>>"$logf") || {
    log "tofu providers schema -json failed; see $logf"
    tail -n 30 "$logf" >&2
    rm -rf "$d"
    return 1
  }
  rm -rf "$d"
  for type in "${PROVIDER_TYPES[@]}"; do
    if [[ $schema != *"/$PROVIDER_NAMESPACE/$type\""* ]]; then
      log "schema lacks $PROVIDER_NAMESPACE/$type"
      return 1
    fi
  done
  log "tofu init + providers schema OK (${#schema} bytes of schema JSON)"
}

# ---------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------
failed=()
declare -A timing

# step NAME BINARY BUILD_FN [ARGS...]: nothing to do when BINARY (the finished
# build's binary) exists; else run BUILD_FN in a subshell (errexit holds there,
# and its EXIT trap removes the temp dir) and time it.
step() {
  local name=$1 binary=$2 rc start
  shift 2
  if [[ -x $binary ]]; then
    log "$name: cached, nothing to build"
    timing[$name]=cached
    return 0
  fi
  log "$name: building (log in $LOG_DIR)"
  start=$(now)
  set +e
  (
    set -eE
    trap 'log "$name: error at line $LINENO: $BASH_COMMAND"' ERR
    "$@"
  )
  rc=$?
  set -e
  timing[$name]=$(($(now) - start))s
  if ((rc == 0)); then
    log "$name: built in ${timing[$name]}"
  else
    log "$name: FAILED after ${timing[$name]}"
    timing[$name]+=" (failed)"
    failed+=("$name")
  fi
}

# --- oauth2-proxy
OAUTH2_PROXY_BIN=$(oauth2_proxy_dir)/bin/oauth2-proxy
if wants oauth2-proxy; then
  step "oauth2-proxy-$OAUTH2_PROXY_VERSION" "$OAUTH2_PROXY_BIN" build_oauth2_proxy
fi

# --- tofu (also needed by the providers)
TOFU_VER=$(cached_tofu)
if wants tofu || wants_providers; then
  if [[ -n $TOFU_VER ]]; then
    log "tofu-$TOFU_VER: cached, nothing to build"
    timing[tofu-$TOFU_VER]=cached
  else
    for v in "${TOFU_CANDIDATES[@]}"; do
      step "tofu-$v" "$(tofu_bin_for "$v")" build_tofu_version "$v"
      if [[ -x $(tofu_bin_for "$v") ]]; then
        TOFU_VER=$v
        # An older candidate that failed first is not a failure overall.
        break
      fi
    done
    if [[ -n $TOFU_VER ]] && ((${#failed[@]} > 0)); then
      mapfile -t failed < <(printf '%s\n' "${failed[@]}" | grep -v '^tofu-' || true)
    fi
  fi
fi

# --- providers
if wants_providers; then
  for type in "${PROVIDER_TYPES[@]}"; do
    wants "provider-$type" || continue
    step "terraform-provider-$type-${PROVIDER_VERSION[$type]}" \
      "$(provider_dir "$type")/$PLATFORM/$(provider_file "$type")" build_provider "$type"
  done
  all_built=true
  for type in "${PROVIDER_TYPES[@]}"; do
    [[ -x $(provider_dir "$type")/$PLATFORM/$(provider_file "$type") ]] || all_built=false
  done
  if [[ -z $TOFU_VER ]]; then
    log "provider mirror: no tofu binary, cannot lay out or check the mirror"
    failed+=(provider-mirror)
  elif ! $all_built; then
    log "provider mirror: not every provider is built, no tofurc written"
    if wants provider-kubernetes && wants provider-helm; then
      failed+=(provider-mirror)
    fi
  else
    tofu=$(tofu_bin_for "$TOFU_VER")
    # Skip the check when nothing changed since the last one that passed.
    stamp=$MIRROR_DIR/.verified
    want_stamp="tofu-$TOFU_VER"
    for type in "${PROVIDER_TYPES[@]}"; do want_stamp+=" $type-${PROVIDER_VERSION[$type]}"; done
    if [[ -f $TOFURC && -f $stamp && $(cat "$stamp") == "$want_stamp" ]]; then
      log "provider mirror: cached and verified"
    else
      rm -f "$stamp"
      start=$(now)
      if assemble_mirror "$tofu" && verify_mirror "$tofu"; then
        echo "$want_stamp" >"$stamp"
        log "provider mirror: laid out and verified in $(($(now) - start))s"
      else
        rm -f "$TOFURC"
        failed+=(provider-mirror)
      fi
    fi
  fi
fi

# ---------------------------------------------------------------------------
# env.sh: what the cache holds now, whatever was asked for this time
# ---------------------------------------------------------------------------
TOFU_VER=$(cached_tofu)
{
  echo "# Written by test/e2e/tools/build-tools.sh; source it."
  if [[ -x $OAUTH2_PROXY_BIN ]]; then
    echo "export OAUTH2_PROXY=$(printf %q "$OAUTH2_PROXY_BIN")"
  fi
  if [[ -n $TOFU_VER ]]; then
    echo "export TOFU=$(printf %q "$(tofu_bin_for "$TOFU_VER")")"
  fi
  if [[ -f $TOFURC && -f $MIRROR_DIR/.verified ]]; then
    echo "export TF_CLI_CONFIG_FILE=$(printf %q "$TOFURC")"
  fi
} >"$ENV_FILE.tmp"
mv -f "$ENV_FILE.tmp" "$ENV_FILE"

echo
echo "== build-tools summary (cache: $TOOLS_DIR)"
for name in "${!timing[@]}"; do
  printf '  %-40s %s\n' "$name" "${timing[$name]}"
done | sort
echo "  disk use: $(du -sh "$TOOLS_DIR" | cut -f1)"
echo "== source $ENV_FILE, or:"
grep '^export ' "$ENV_FILE" || true
if ((${#failed[@]} > 0)); then
  echo "== FAILED: ${failed[*]}" >&2
  exit 1
fi
