#!/usr/bin/env bash
# Builds the real engines the end-to-end tests need from Go modules, with the
# Go toolchain, and caches them outside the repo, one directory per version:
#
#   ${CDKTF_BACKSTAGE_TOOLS:-$HOME/.cache/cdktf-backstage/tools}/<name>-<version>/
#
# Tools, built in this order (default: all of them):
#   oauth2-proxy          github.com/oauth2-proxy/oauth2-proxy/v7
#   tofu                  github.com/opentofu/opentofu (./cmd/tofu)
#   provider-kubernetes   ../shared/vendor/src/terraform-provider-kubernetes-2.38.0.tar.gz
#   provider-helm         ../shared/vendor/src/terraform-provider-helm-3.1.1.tar.gz
#   kubernetes            kube-apiserver, kube-controller-manager, kube-scheduler
#                         from k8s.io/kubernetes through a wrapper module
#   etcd                  go.etcd.io/etcd/server/v3 through a wrapper module
#   kwok                  sigs.k8s.io/kwok/cmd/kwok
#   registry              github.com/distribution/distribution/v3/cmd/registry (the
#                         CNCF distribution registry: the deploy suite's OCI chart mirror)
#   external-secrets      github.com/external-secrets/external-secrets (the External
#                         Secrets Operator's controller, run against the test cluster)
#   prometheus-operator-crds
#                         the Prometheus Operator's ServiceMonitor CRD, as its module
#                         github.com/prometheus-operator/prometheus-operator ships it
#                         (nothing to build: the file is copied out of the module)
#   envoy-gateway         github.com/envoyproxy/gateway: its CLI egctl (whose
#                         `x translate` runs Envoy Gateway's own translator offline)
#                         and its CRDs, copied out of the same module
# "providers" is short for the two providers, "cluster" for kubernetes, etcd
# and kwok. The providers need tofu: it is built (or taken from the cache)
# first whenever a provider is asked for. The vendored tarballs are checked
# against ../shared/vendor/SHA256SUMS before anything is unpacked.
#
# A second run builds nothing: each tool is built in a temporary directory
# inside the cache and renamed into place only once its binary has run, so a
# directory named <name>-<version> always holds a finished build.
#
# Each build's duration is appended to <cache>/build-times.tsv (npm run bench:deploy).
# At the end the script writes <cache>/env.sh (source it) with:
#   TOFU                 path of the tofu binary
#   OAUTH2_PROXY         path of the oauth2-proxy binary
#   TF_CLI_CONFIG_FILE   <cache>/tofurc, a CLI config that installs the two
#                        providers from the local filesystem mirror, for
#                        OpenTofu and Terraform alike (the mirror holds both
#                        engines' default registry hosts; written only once
#                        it has passed `tofu init`)
#   KUBE_BIN_DIR         directory with kube-apiserver, kube-controller-manager,
#                        kube-scheduler
#   ETCD, KWOK           paths of the etcd and kwok binaries
#   KWOK_STAGES          kwok's node and pod stages (YAML from its module)
#   REGISTRY             path of the distribution registry binary
#   EXTERNAL_SECRETS     path of the External Secrets Operator binary
#   PROMETHEUS_OPERATOR_CRDS  directory of the Prometheus Operator CRD files
#
# Usage: test/e2e/tools/build-tools.sh [-h] [TOOL...]
#
# Environment:
#   CDKTF_BACKSTAGE_TOOLS  cache directory (default ~/.cache/cdktf-backstage/tools)
#   GO                     go command (default /usr/local/go/bin/go)
#   TOFU_VERSION           build only this OpenTofu version (default: the
#                          newest of TOFU_CANDIDATES below that builds)
#   VENDOR_DIR             vendored upstream sources (default ../shared/vendor
#                          next to the repository)
#   BUILD_JOBS             parallel go packages and GOMAXPROCS (default: all
#                          cores; 1 leaves a core free on a shared machine)
#
# Builds run under nice.
# Build logs go to <cache>/logs/.
set -euo pipefail

GO=${GO:-/usr/local/go/bin/go}
TOOLS_DIR=${CDKTF_BACKSTAGE_TOOLS:-$HOME/.cache/cdktf-backstage/tools}
LOG_DIR=$TOOLS_DIR/logs
MIRROR_DIR=$TOOLS_DIR/provider-mirror
TOFURC=$TOOLS_DIR/tofurc
ENV_FILE=$TOOLS_DIR/env.sh

REPO_DIR=$(cd "$(dirname "$0")/../../.." && pwd)
# The vendored sources sit next to the repository (../shared/vendor); a clone elsewhere on
# the same machine finds them at the workspace's shared folder.
if [[ -z ${VENDOR_DIR:-} ]]; then
  for candidate in "$REPO_DIR/../shared/vendor" /work/shared/vendor; do
    if [[ -f $candidate/SHA256SUMS ]]; then
      VENDOR_DIR=$(cd "$candidate" && pwd)
      break
    fi
  done
fi
VENDOR_DIR=${VENDOR_DIR:-$REPO_DIR/../shared/vendor}

OAUTH2_PROXY_MODULE=github.com/oauth2-proxy/oauth2-proxy/v7
OAUTH2_PROXY_VERSION=v7.15.6

TOFU_MODULE=github.com/opentofu/opentofu
# Newest first. Releases in 1.10.x-1.12.x that the module proxy serves here.
TOFU_CANDIDATES=(v1.12.6 v1.10.10)
if [[ -n ${TOFU_VERSION:-} ]]; then
  TOFU_CANDIDATES=("$TOFU_VERSION")
fi

# Providers: type and release version (the versions the @cdktf/provider-*
# bindings were generated from). Their release trees are vendored, because the
# module proxy refuses these modules (no /vN suffix on a v2+ module).
PROVIDER_TYPES=(kubernetes helm)
declare -A PROVIDER_VERSION=([kubernetes]=2.38.0 [helm]=3.1.1)
PROVIDER_NAMESPACE=hashicorp
PLATFORM=linux_amd64

KUBERNETES_VERSION=v1.34.4
ETCD_MODULE=go.etcd.io/etcd/server/v3
ETCD_VERSION=v3.6.16
KWOK_MODULE=sigs.k8s.io/kwok/cmd/kwok
KWOK_VERSION=v0.8.0
REGISTRY_MODULE=github.com/distribution/distribution/v3/cmd/registry
REGISTRY_VERSION=v3.1.2
# The only release of the operator whose module the proxy here serves whole: from v1 on, its
# providers are nested modules that the root module's zip leaves out. v0.16 serves the
# external-secrets.io/v1 API that the library renders and the pinned chart installs.
ESO_MODULE=github.com/external-secrets/external-secrets
ESO_VERSION=v0.16.2
# The newest release whose module the proxy here serves (v0.95.x are refused).
PROMETHEUS_OPERATOR_MODULE=github.com/prometheus-operator/prometheus-operator
PROMETHEUS_OPERATOR_VERSION=v0.94.1
# Envoy Gateway: the release whose policies (gateway.envoyproxy.io/v1alpha1) the library renders.
ENVOY_GATEWAY_MODULE=github.com/envoyproxy/gateway
ENVOY_GATEWAY_VERSION=v1.9.1

ALL_TOOLS=(oauth2-proxy tofu provider-kubernetes provider-helm kubernetes etcd kwok registry external-secrets
  prometheus-operator-crds envoy-gateway)

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
    cluster) requested+=(kubernetes etcd kwok) ;;
    opentofu) requested+=(tofu) ;;
    oauth2-proxy | tofu | provider-kubernetes | provider-helm | kubernetes | etcd | kwok | registry | external-secrets | prometheus-operator-crds | envoy-gateway) requested+=("$arg") ;;
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
BUILD_JOBS=${BUILD_JOBS:-$(nproc)}
export GOMAXPROCS=$BUILD_JOBS # also bounds the compiler's own -c concurrency
export GOFLAGS="${GOFLAGS:-} -p=$BUILD_JOBS"
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
  GOBIN=$TMP/bin run_logged "$logf" "$GO" install -trimpath \
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
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" build -mod=readonly -trimpath \
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

# The vendored file's line in SHA256SUMS must match, or nothing is unpacked.
check_vendored() {
  local rel=$1 line
  line=$(grep -E "[[:space:]]\*?$rel\$" "$VENDOR_DIR/SHA256SUMS" || true)
  if [[ -z $line ]]; then
    log "$rel is not listed in $VENDOR_DIR/SHA256SUMS"
    return 1
  fi
  if ! (cd "$VENDOR_DIR" && sha256sum --quiet -c - <<<"$line") >&2; then
    log "$VENDOR_DIR/$rel does not match its SHA256SUMS line"
    return 1
  fi
}

build_provider() {
  local type=$1 ver=${PROVIDER_VERSION[$1]} dest logf tarball addr ldflags=(-s -w)
  dest=$(provider_dir "$type")
  logf=$LOG_DIR/terraform-provider-$type-$ver.log
  : >"$logf"
  new_tmp "terraform-provider-$type-$ver"
  tarball=src/terraform-provider-$type-$ver.tar.gz
  check_vendored "$tarball"
  mkdir -p "$TMP/src"
  tar -xzf "$VENDOR_DIR/$tarball" -C "$TMP/src" --strip-components=1
  # Stamp the release number where main declares a version variable
  # (`version` or `Version`, "dev" unless a release build sets it).
  local var
  var=$(sed -nE 's/^[[:space:]]*(var[[:space:]]+)?([Vv]ersion)[[:space:]]+(string[[:space:]]*)?=.*/\2/p' \
    "$TMP/src/main.go" | head -n1)
  if [[ -n $var ]]; then
    ldflags+=(-X "main.$var=$ver")
  fi
  mkdir -p "$TMP/$PLATFORM"
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" build -mod=readonly -trimpath \
    -ldflags "${ldflags[*]}" -o "$TMP/$PLATFORM/$(provider_file "$type")" .
  # The provider declares its own registry address in main.go (the address it
  # serves under, Terraform's default host); the mirror is laid out under it too.
  addr=$(grep -Eoh "\"[a-z0-9.-]+\.[a-z]+/$PROVIDER_NAMESPACE/$type\"" "$TMP/src"/*.go |
    head -n1 | tr -d '"' || true)
  echo "${addr:-}" >"$TMP/ADDRESS"
  # A provider is a go-plugin server: run without the plugin handshake it
  # prints a message and exits non-zero; that it starts at all is the check
  # here, the protocol check is `tofu providers schema` in verify_mirror.
  timeout 10 "$TMP/$PLATFORM/$(provider_file "$type")" >>"$logf" 2>&1 </dev/null || true
  printf '%s\n%s\n' "$ver" "$(sha256sum "$VENDOR_DIR/$tarball" | cut -d' ' -f1)" >"$TMP/VERSION"
  install_dir "$TMP" "$dest"
}

# ---------------------------------------------------------------------------
# Kubernetes control plane: kube-apiserver, kube-controller-manager, kube-scheduler
# ---------------------------------------------------------------------------
kubernetes_dir() { echo "$TOOLS_DIR/kubernetes-$KUBERNETES_VERSION"; }
KUBE_COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler)

build_kubernetes() {
  local ver=$KUBERNETES_VERSION dest logf dir minor major c staging=()
  dest=$(kubernetes_dir)
  logf=$LOG_DIR/kubernetes-$ver.log
  : >"$logf"
  new_tmp "kubernetes-$ver"
  # k8s.io/kubernetes is not meant to be a dependency: its go.mod requires the
  # staging modules (k8s.io/api, client-go, ...) at v0.0.0 and replaces them
  # with ./staging paths. A wrapper module replaces each with its published
  # v0.<minor>.<patch> tag instead, then builds the commands' app packages.
  mod_download "k8s.io/kubernetes@$ver" "$TMP/mod.json"
  dir=$(json_field Dir <"$TMP/mod.json")
  mapfile -t staging < <(sed -nE 's/^[[:space:]]*(k8s\.io\/[a-z0-9-]+) v0\.0\.0$/\1/p' "$dir/go.mod" | sort -u)
  if ((${#staging[@]} == 0)); then
    log "no k8s.io/* v0.0.0 requirements in k8s.io/kubernetes@$ver go.mod"
    return 1
  fi
  log "kubernetes: ${#staging[@]} staging modules pinned at v0${ver#v1}"
  mkdir -p "$TMP/src"
  (cd "$TMP/src" && "$GO" mod init cdktf-backstage.test/kcp) >>"$logf" 2>&1
  local pkg ctor
  for c in "${KUBE_COMPONENTS[@]}"; do
    case $c in
      kube-apiserver) pkg=k8s.io/kubernetes/cmd/kube-apiserver/app ctor=NewAPIServerCommand ;;
      kube-controller-manager) pkg=k8s.io/kubernetes/cmd/kube-controller-manager/app ctor=NewControllerManagerCommand ;;
      kube-scheduler) pkg=k8s.io/kubernetes/cmd/kube-scheduler/app ctor=NewSchedulerCommand ;;
    esac
    mkdir -p "$TMP/src/cmd/$c"
    cat >"$TMP/src/cmd/$c/main.go" <<EOF
// $c $ver, built from k8s.io/kubernetes as a dependency.
package main

import (
	"os"

	"$pkg"
	"k8s.io/component-base/cli"
)

func main() { os.Exit(cli.Run(app.$ctor())) }
EOF
  done
  local edits=(-require "k8s.io/kubernetes@$ver")
  for c in "${staging[@]}"; do edits+=(-replace "$c=$c@v0${ver#v1}"); done
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" mod edit "${edits[@]}"
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" mod tidy
  major=${ver#v}; major=${major%%.*}
  minor=${ver#v*.}; minor=${minor%%.*}
  local vpkg=k8s.io/component-base/version
  mkdir -p "$TMP/bin"
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" build -trimpath \
    -ldflags "-s -w -X $vpkg.gitVersion=$ver -X $vpkg.gitMajor=$major -X $vpkg.gitMinor=$minor" \
    -o "$TMP/bin/" ./cmd/...
  local got
  for c in "${KUBE_COMPONENTS[@]}"; do
    got=$("$TMP/bin/$c" --version 2>&1)
    echo "$got" | tee -a "$logf" >&2
    if [[ $got != "Kubernetes $ver" ]]; then
      log "$c --version says '$got', expected 'Kubernetes $ver'"
      return 1
    fi
  done
  echo "$ver" >"$TMP/VERSION"
  install_dir "$TMP" "$dest"
}

# ---------------------------------------------------------------------------
# etcd (its server module has the etcd command as the etcdmain package)
# ---------------------------------------------------------------------------
etcd_dir() { echo "$TOOLS_DIR/etcd-$ETCD_VERSION"; }

build_etcd() {
  local ver=$ETCD_VERSION dest logf got
  dest=$(etcd_dir)
  logf=$LOG_DIR/etcd-$ver.log
  : >"$logf"
  new_tmp "etcd-$ver"
  mkdir -p "$TMP/src" "$TMP/bin"
  (cd "$TMP/src" && "$GO" mod init cdktf-backstage.test/etcd) >>"$logf" 2>&1
  cat >"$TMP/src/main.go" <<EOF
// etcd $ver, built from its server module as a dependency.
package main

import (
	"os"

	"$ETCD_MODULE/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" mod edit -require "$ETCD_MODULE@$ver"
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" mod tidy
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" build -trimpath -ldflags "-s -w" -o "$TMP/bin/etcd" .
  # The whole output first, then its first line: `etcd --version | head -n1` under pipefail
  # fails at random when head exits before etcd has written its later lines (SIGPIPE).
  got=$("$TMP/bin/etcd" --version 2>&1)
  got=${got%%$'\n'*}
  echo "$got" | tee -a "$logf" >&2
  if [[ $got != *"${ver#v}"* ]]; then
    log "etcd --version says '$got', expected ${ver#v}"
    return 1
  fi
  echo "$ver" >"$TMP/VERSION"
  install_dir "$TMP" "$dest"
}

# ---------------------------------------------------------------------------
# kwok (fake nodes: marks pods Running and Ready without running them)
# ---------------------------------------------------------------------------
kwok_dir() { echo "$TOOLS_DIR/kwok-$KWOK_VERSION"; }

build_kwok() {
  local ver=$KWOK_VERSION dest logf got
  dest=$(kwok_dir)
  logf=$LOG_DIR/kwok-$ver.log
  : >"$logf"
  new_tmp "kwok-$ver"
  mkdir -p "$TMP/bin"
  GOBIN=$TMP/bin run_logged "$logf" "$GO" install -trimpath -ldflags "-s -w" "$KWOK_MODULE@$ver"
  # kwok has no version flag; that it starts and knows the flags cluster.sh gives it is the check.
  "$TMP/bin/kwok" --help >"$TMP/help.txt" 2>&1 || true
  cat "$TMP/help.txt" >>"$logf"
  if ! grep -q -- '--manage-nodes-with-annotation-selector' "$TMP/help.txt"; then
    log "kwok --help does not list --manage-nodes-with-annotation-selector"
    return 1
  fi
  rm -f "$TMP/help.txt"
  # kwok ships no stages in the binary: they are YAML in its module (what kwokctl installs).
  # The "fast" node and pod stages: nodes Ready with a heartbeat lease, pods Running and
  # Ready at once, Job pods Succeeded, deleted pods gone.
  local dir
  mod_download "sigs.k8s.io/kwok@$ver" "$TMP/mod.json"
  dir=$(json_field Dir <"$TMP/mod.json")
  rm -f "$TMP/mod.json"
  local stage first=1
  for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
    pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    ((first)) || echo '---' >>"$TMP/stages.yaml"
    first=0
    cat "$dir/kustomize/stage/$stage.yaml" >>"$TMP/stages.yaml"
  done
  echo "$ver" >"$TMP/VERSION"
  install_dir "$TMP" "$dest"
}

# ---------------------------------------------------------------------------
# The distribution registry (an OCI registry with htpasswd logins, for chart mirrors)
# ---------------------------------------------------------------------------
registry_dir() { echo "$TOOLS_DIR/registry-$REGISTRY_VERSION"; }

build_registry() {
  local ver=$REGISTRY_VERSION dest logf info
  dest=$(registry_dir)
  logf=$LOG_DIR/registry-$ver.log
  : >"$logf"
  new_tmp "registry-$ver"
  mkdir -p "$TMP/bin"
  # No replace directive in its go.mod, so `go install MOD@VERSION` works.
  GOBIN=$TMP/bin run_logged "$logf" "$GO" install -trimpath -ldflags "-s -w" "$REGISTRY_MODULE@$ver"
  info=$("$TMP/bin/registry" --version 2>&1)
  echo "$info" | tee -a "$logf" >&2
  if [[ $info != *"$ver"* ]]; then
    log "registry --version does not mention $ver"
    return 1
  fi
  echo "$ver" >"$TMP/VERSION"
  install_dir "$TMP" "$dest"
}

# ---------------------------------------------------------------------------
# The External Secrets Operator (its controller, run outside the cluster)
# ---------------------------------------------------------------------------
eso_dir() { echo "$TOOLS_DIR/external-secrets-$ESO_VERSION"; }

build_external_secrets() {
  local ver=$ESO_VERSION dest logf gomod replaces r got
  dest=$(eso_dir)
  logf=$LOG_DIR/external-secrets-$ver.log
  : >"$logf"
  new_tmp "external-secrets-$ver"
  mkdir -p "$TMP/src" "$TMP/bin"
  (cd "$TMP/src" && "$GO" mod init cdktf-backstage.test/external-secrets) >>"$logf" 2>&1
  cat >"$TMP/src/main.go" <<EOF
// The External Secrets Operator $ver, built from its module as a dependency.
package main

import "$ESO_MODULE/cmd/controller"

func main() { controller.Execute() }
EOF
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" mod edit -require "$ESO_MODULE@$ver"
  # A dependency's replace directives do not apply to the module that requires it: copy the
  # operator's own (it builds against a fork of sprig) from its go.mod.
  gomod=$(cd "$TMP/src" && "$GO" mod download -json "$ESO_MODULE@$ver" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')
  replaces=$(sed -n 's/^replace \(\S\+\) => \(\S\+\) \(v\S\+\)$/\1=\2@\3/p' "$gomod")
  for r in $replaces; do
    BUILD_CWD=$TMP/src run_logged "$logf" "$GO" mod edit -replace "$r"
  done
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" mod tidy
  BUILD_CWD=$TMP/src run_logged "$logf" "$GO" build -trimpath -ldflags "-s -w" -o "$TMP/bin/external-secrets" .
  # It prints no version of its own: the build info names the module version linked in.
  got=$("$GO" version -m "$TMP/bin/external-secrets" | awk -v m="$ESO_MODULE" '$1 == "dep" && $2 == m { print $3 }')
  echo "external-secrets $got" | tee -a "$logf" >&2
  if [[ $got != "$ver" ]]; then
    log "the external-secrets binary links $ESO_MODULE '$got', expected $ver"
    return 1
  fi
  "$TMP/bin/external-secrets" --help >>"$logf" 2>&1
  echo "$ver" >"$TMP/VERSION"
  install_dir "$TMP" "$dest"
}

# ---------------------------------------------------------------------------
# The Prometheus Operator's CRDs (for the ServiceMonitors the library renders)
# ---------------------------------------------------------------------------
prometheus_crds_dir() { echo "$TOOLS_DIR/prometheus-operator-crds-$PROMETHEUS_OPERATOR_VERSION"; }

build_prometheus_operator_crds() {
  local ver=$PROMETHEUS_OPERATOR_VERSION dest logf dir file got
  dest=$(prometheus_crds_dir)
  logf=$LOG_DIR/prometheus-operator-crds-$ver.log
  : >"$logf"
  new_tmp "prometheus-operator-crds-$ver"
  mod_download "$PROMETHEUS_OPERATOR_MODULE@$ver" "$TMP/mod.json"
  dir=$(json_field Dir <"$TMP/mod.json")
  rm -f "$TMP/mod.json"
  for file in monitoring.coreos.com_servicemonitors.yaml; do
    cp "$dir/example/prometheus-operator-crd/$file" "$TMP/$file"
    chmod 0644 "$TMP/$file"
    # The CRD names the operator release it belongs to.
    got=$(sed -n 's/^\s*operator.prometheus.io\/version: \(\S\+\)$/\1/p' "$TMP/$file")
    echo "$file: operator.prometheus.io/version $got" | tee -a "$logf" >&2
    if [[ "v$got" != "$ver" ]]; then
      log "$file is of operator version '$got', expected ${ver#v}"
      return 1
    fi
  done
  echo "$ver" >"$TMP/VERSION"
  install_dir "$TMP" "$dest"
}

# ---------------------------------------------------------------------------
# Envoy Gateway: egctl (its offline translator) and the CRDs of its policies
# ---------------------------------------------------------------------------
envoy_gateway_dir() { echo "$TOOLS_DIR/envoy-gateway-$ENVOY_GATEWAY_VERSION"; }

build_envoy_gateway() {
  local ver=$ENVOY_GATEWAY_VERSION dest logf dir got
  dest=$(envoy_gateway_dir)
  logf=$LOG_DIR/envoy-gateway-$ver.log
  : >"$logf"
  new_tmp "envoy-gateway-$ver"
  mod_download "$ENVOY_GATEWAY_MODULE@$ver" "$TMP/mod.json"
  dir=$(json_field Dir <"$TMP/mod.json")
  rm -f "$TMP/mod.json"
  # The module states its own release (egctl prints no version unless stamped).
  got=$(cat "$dir/VERSION")
  echo "envoy-gateway module VERSION $got" | tee -a "$logf" >&2
  if [[ $got != "$ver" ]]; then
    log "the envoy-gateway module says it is '$got', expected $ver"
    return 1
  fi
  mkdir -p "$TMP/bin" "$TMP/crds"
  # No replace directive in its go.mod, so `go install MOD/cmd/egctl@VERSION` works.
  GOBIN=$TMP/bin run_logged "$logf" "$GO" install -trimpath \
    -ldflags "-s -w -X $ENVOY_GATEWAY_MODULE/internal/cmd/version.envoyGatewayVersion=$ver" \
    "$ENVOY_GATEWAY_MODULE/cmd/egctl@$ver"
  "$TMP/bin/egctl" x translate --help >>"$logf" 2>&1
  # The plain CRDs (the chart's templates/ copies are wrapped in Helm conditionals).
  cp "$dir"/charts/gateway-helm/charts/crds/crds/generated/gateway.envoyproxy.io_*.yaml "$TMP/crds/"
  chmod 0644 "$TMP"/crds/*.yaml
  ls "$TMP/crds" | tee -a "$logf" >&2
  echo "$ver" >"$TMP/VERSION"
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

# step NAME FILE BUILD_FN [ARGS...]: nothing to do when FILE (the last file a finished
# build writes) exists; else run BUILD_FN in a subshell (errexit holds there,
# and its EXIT trap removes the temp dir) and time it.
step() {
  local name=$1 binary=$2 rc start
  shift 2
  if [[ -e $binary ]]; then
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
    # For npm run bench:deploy: when each tool was last built, and how long it took.
    printf '%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" "$(($(now) - start))" >>"$TOOLS_DIR/build-times.tsv"
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

# --- the test cluster's control plane
KUBE_BIN_DIR=$(kubernetes_dir)/bin
ETCD_BIN=$(etcd_dir)/bin/etcd
KWOK_BIN=$(kwok_dir)/bin/kwok
if wants etcd; then step "etcd-$ETCD_VERSION" "$ETCD_BIN" build_etcd; fi
if wants kwok; then step "kwok-$KWOK_VERSION" "$(kwok_dir)/stages.yaml" build_kwok; fi
if wants kubernetes; then
  step "kubernetes-$KUBERNETES_VERSION" "$KUBE_BIN_DIR/kube-scheduler" build_kubernetes
fi

# --- the OCI chart mirror
REGISTRY_BIN=$(registry_dir)/bin/registry
if wants registry; then step "registry-$REGISTRY_VERSION" "$REGISTRY_BIN" build_registry; fi

# --- the External Secrets Operator
ESO_BIN=$(eso_dir)/bin/external-secrets
if wants external-secrets; then
  step "external-secrets-$ESO_VERSION" "$ESO_BIN" build_external_secrets
fi

# --- the Prometheus Operator's CRDs
PROMETHEUS_CRDS=$(prometheus_crds_dir)
if wants prometheus-operator-crds; then
  step "prometheus-operator-crds-$PROMETHEUS_OPERATOR_VERSION" \
    "$PROMETHEUS_CRDS/monitoring.coreos.com_servicemonitors.yaml" build_prometheus_operator_crds
fi

# --- Envoy Gateway
ENVOY_GATEWAY=$(envoy_gateway_dir)
if wants envoy-gateway; then
  step "envoy-gateway-$ENVOY_GATEWAY_VERSION" "$ENVOY_GATEWAY/VERSION" build_envoy_gateway
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
  if [[ -x $KUBE_BIN_DIR/kube-scheduler ]]; then
    echo "export KUBE_BIN_DIR=$(printf %q "$KUBE_BIN_DIR")"
  fi
  if [[ -x $ETCD_BIN ]]; then echo "export ETCD=$(printf %q "$ETCD_BIN")"; fi
  if [[ -f $(kwok_dir)/stages.yaml ]]; then
    echo "export KWOK=$(printf %q "$KWOK_BIN")"
    echo "export KWOK_STAGES=$(printf %q "$(kwok_dir)/stages.yaml")"
  fi
  if [[ -x $REGISTRY_BIN ]]; then echo "export REGISTRY=$(printf %q "$REGISTRY_BIN")"; fi
  if [[ -x $ESO_BIN ]]; then echo "export EXTERNAL_SECRETS=$(printf %q "$ESO_BIN")"; fi
  if [[ -f $PROMETHEUS_CRDS/monitoring.coreos.com_servicemonitors.yaml ]]; then
    echo "export PROMETHEUS_OPERATOR_CRDS=$(printf %q "$PROMETHEUS_CRDS")"
  fi
  if [[ -f $ENVOY_GATEWAY/VERSION ]]; then
    echo "export EGCTL=$(printf %q "$ENVOY_GATEWAY/bin/egctl")"
    echo "export ENVOY_GATEWAY_CRDS=$(printf %q "$ENVOY_GATEWAY/crds")"
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
