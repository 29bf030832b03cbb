#!/usr/bin/env bash
# A real Kubernetes control plane on 127.0.0.1 for the deploy suite, with fake nodes:
#
#   etcd, kube-apiserver (RBAC + Node authorization, a service-account issuer whose OIDC
#   discovery is served to anyone), kube-controller-manager, kube-scheduler, and kwok,
#   which plays the kubelet of a few fake nodes (pods are scheduled for real, then marked
#   Running and Ready, and Job pods Succeeded, without running anything).
#
# Usage: test/e2e/cluster/cluster.sh STATE_DIR
#
# Everything lives in STATE_DIR (created, must be empty or missing): certificates,
# tokens, etcd data, logs (STATE_DIR/logs/<component>.log) and the kubeconfig. Ports are
# free ones picked at start. When the cluster is ready the script writes
# STATE_DIR/cluster.env (KUBECONFIG, KUBE_API_URL, SA_ISSUER, ...) and prints one line
# "ready <STATE_DIR>/cluster.env" on stdout. Then it supervises:
#
# - commands, one a line on stdin, each answered by one line "ok <command>" or
#   "error <command>: <why>" on stdout:
#     stop <component>      SIGKILL it (a crash, not a clean shutdown)
#     start <component>     start it again with the same arguments, wait until ready
#   (<component> is etcd, kube-apiserver, kube-controller-manager, kube-scheduler or kwok);
# - it stops exactly the processes it started (and only those) when stdin reaches its
#   end (the parent went away, however it ended), on SIGINT, SIGTERM or SIGHUP, or when a
#   component dies that was not stopped on purpose. Every component also gets SIGKILL
#   from the kernel when this script dies (setpriv --pdeathsig), so even a SIGKILL of the
#   script leaves nothing behind.
#
# Environment:
#   KUBE_BIN_DIR, ETCD, KWOK   the binaries (test/e2e/tools/build-tools.sh; source env.sh)
#   KWOK_STAGES                kwok's stages (the same env.sh)
#   KUBECTL                    kubectl (default: kubectl)
#   CLUSTER_CONTEXTS           kubeconfig context names, comma-separated, all pointing at
#                              this cluster (default: testbed)
#   CLUSTER_NODES              number of fake nodes (default 3)
#
# Two stand-ins (infrastructure.sh) for what a real cluster's infrastructure does, as a bare on-prem cluster
# needs them too (MetalLB, a local-path provisioner):
# - a LoadBalancer Service gets an address in 198.51.100.0/24 (TEST-NET-2), so Helm's
#   wait for it ends;
# - a PersistentVolumeClaim left Pending gets a matching hostPath PersistentVolume bound
#   to it (deleted again once its claim is), so StatefulSets with volume claims schedule.
#
# Admission webhooks are off (--disable-admission-plugins): the webhook servers of the
# operators (ingress-nginx, cert-manager, External Secrets) are pods, and kwok pods answer
# no requests, so every object their webhooks guard would be refused. CRD schemas, their
# CEL rules, ValidatingAdmissionPolicies, Pod Security admission and RBAC all stay on.
set -euo pipefail

STATE_DIR=${1:?usage: cluster.sh STATE_DIR}
: "${KUBE_BIN_DIR:?KUBE_BIN_DIR is not set (source the env.sh written by build-tools.sh)}"
: "${ETCD:?ETCD is not set}" "${KWOK:?KWOK is not set}" "${KWOK_STAGES:?KWOK_STAGES is not set}"
KUBECTL=${KUBECTL:-kubectl}
CLUSTER_CONTEXTS=${CLUSTER_CONTEXTS:-testbed}
CLUSTER_NODES=${CLUSTER_NODES:-3}

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

mkdir -p "$STATE_DIR"
STATE_DIR=$(cd "$STATE_DIR" && pwd)
[[ -z $(ls -A "$STATE_DIR") ]] || die "$STATE_DIR is not empty: each cluster gets a fresh state directory"
PKI=$STATE_DIR/pki
LOGS=$STATE_DIR/logs
mkdir -p "$PKI" "$LOGS" "$STATE_DIR/etcd" "$STATE_DIR/pv"

# ---------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------
# Ports come from below the kernel's ephemeral range (outgoing connections of this very
# cluster take ports from that range and could grab one between the pick and the bind), and
# each is reserved in a directory shared by all test clusters on the machine (mkdir is
# atomic), so two clusters started side by side never pick the same one.
PORT_RESERVATIONS=${TMPDIR:-/tmp}/cdktf-backstage-ports
mkdir -p "$PORT_RESERVATIONS"
EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
PORT_LOW=15000
PORT_SPAN=$((EPHEMERAL_LOW - PORT_LOW))
reserved_ports=()
free_port() {
  local listening p
  listening=$(ss -Htan | awk '{print $4}' | sed 's/.*://' | sort -u)
  for _ in $(seq 500); do
    p=$((PORT_LOW + (RANDOM * 32768 + RANDOM) % PORT_SPAN))
    # A reservation whose cluster died without cleaning up (SIGKILL) is free again.
    if [[ -d $PORT_RESERVATIONS/$p ]] && ! kill -0 "$(cat "$PORT_RESERVATIONS/$p/pid" 2>/dev/null || echo 0)" 2>/dev/null; then
      rm -rf "${PORT_RESERVATIONS:?}/$p"
    fi
    if ! grep -qx "$p" <<<"$listening" && mkdir "$PORT_RESERVATIONS/$p" 2>/dev/null; then
      echo "$$" >"$PORT_RESERVATIONS/$p/pid"
      echo "$p"
      return 0
    fi
  done
  die "no free port found"
}
ETCD_PORT=$(free_port)
ETCD_PEER_PORT=$(free_port)
API_PORT=$(free_port)
CM_PORT=$(free_port)
SCHED_PORT=$(free_port)
KWOK_PORT=$(free_port)
reserved_ports=("$ETCD_PORT" "$ETCD_PEER_PORT" "$API_PORT" "$CM_PORT" "$SCHED_PORT" "$KWOK_PORT")
release_ports() { local p; for p in "${reserved_ports[@]}"; do rm -rf "${PORT_RESERVATIONS:?}/$p"; done; }
trap release_ports EXIT
API_URL=https://127.0.0.1:$API_PORT

# ---------------------------------------------------------------------------
# PKI and credentials
# ---------------------------------------------------------------------------
ossl() { openssl "$@" >>"$LOGS/pki.log" 2>&1; }
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=cdktf-backstage-testbed-ca" \
  -keyout "$PKI/ca.key" -out "$PKI/ca.crt"
cat >"$PKI/apiserver.ext" <<EOF
subjectAltName = IP:127.0.0.1, IP:10.96.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage = serverAuth
EOF
ossl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$PKI/apiserver.key" -out "$PKI/apiserver.csr"
ossl x509 -req -in "$PKI/apiserver.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
  -days 2 -extfile "$PKI/apiserver.ext" -out "$PKI/apiserver.crt"
# Service-account token signing key (the API server's OIDC issuer key).
ossl genrsa -out "$PKI/sa.key" 2048
ossl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"

token() { openssl rand -hex 24; }
ADMIN_TOKEN=$(token)
declare -A COMPONENT_TOKEN=(
  [kube-controller-manager]=$(token) [kube-scheduler]=$(token) [kwok]=$(token)
)
# token,user,uid,"groups". The components get system:masters: this is a test bed, and
# their least-privilege bootstrap roles are not what is under test.
{
  echo "$ADMIN_TOKEN,testbed-admin,uid-admin,\"system:masters\""
  for c in "${!COMPONENT_TOKEN[@]}"; do
    echo "${COMPONENT_TOKEN[$c]},testbed-$c,uid-$c,\"system:masters\""
  done
} >"$PKI/tokens.csv"
chmod 600 "$PKI"/*.key "$PKI/tokens.csv"

# kubeconfig FILE TOKEN CONTEXT...
write_kubeconfig() {
  local file=$1 tok=$2 ctx first=$3
  shift 2
  {
    echo "apiVersion: v1"
    echo "kind: Config"
    echo "clusters:"
    echo "- name: testbed"
    echo "  cluster:"
    echo "    server: $API_URL"
    echo "    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")"
    echo "users:"
    echo "- name: user"
    echo "  user:"
    echo "    token: $tok"
    echo "contexts:"
    for ctx in "$@"; do
      echo "- name: $ctx"
      echo "  context: { cluster: testbed, user: user }"
    done
    echo "current-context: $first"
  } >"$file"
  chmod 600 "$file"
}
IFS=, read -r -a contexts <<<"$CLUSTER_CONTEXTS"
KUBECONFIG_FILE=$STATE_DIR/kubeconfig
write_kubeconfig "$KUBECONFIG_FILE" "$ADMIN_TOKEN" "${contexts[@]}"
for c in "${!COMPONENT_TOKEN[@]}"; do
  write_kubeconfig "$STATE_DIR/$c.kubeconfig" "${COMPONENT_TOKEN[$c]}" "$c"
done

# ---------------------------------------------------------------------------
# Components
# ---------------------------------------------------------------------------
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
declare -A PID=() HEALTH=() STOPPED=()

ARGS_etcd=(
  $ETCD --name testbed --data-dir $STATE_DIR/etcd --listen-client-urls http://127.0.0.1:$ETCD_PORT
  --advertise-client-urls http://127.0.0.1:$ETCD_PORT --listen-peer-urls
  http://127.0.0.1:$ETCD_PEER_PORT --initial-advertise-peer-urls http://127.0.0.1:$ETCD_PEER_PORT
  --initial-cluster testbed=http://127.0.0.1:$ETCD_PEER_PORT --unsafe-no-fsync --log-level warn
)
ARGS_kube_apiserver=(
  $KUBE_BIN_DIR/kube-apiserver --etcd-servers=http://127.0.0.1:$ETCD_PORT --bind-address=127.0.0.1
  --advertise-address=127.0.0.1 --secure-port=$API_PORT --tls-cert-file=$PKI/apiserver.crt
  --tls-private-key-file=$PKI/apiserver.key --client-ca-file=$PKI/ca.crt
  --token-auth-file=$PKI/tokens.csv --authorization-mode=Node,RBAC
  --service-account-issuer=$API_URL --service-account-key-file=$PKI/sa.pub
  --service-account-signing-key-file=$PKI/sa.key --service-cluster-ip-range=10.96.0.0/16
  --allow-privileged=true
  --disable-admission-plugins=ValidatingAdmissionWebhook,MutatingAdmissionWebhook
  --endpoint-reconciler-type=none --cert-dir=$PKI/apiserver-generated --profiling=false
)
ARGS_kube_controller_manager=(
  $KUBE_BIN_DIR/kube-controller-manager --kubeconfig=$STATE_DIR/kube-controller-manager.kubeconfig
  --authentication-kubeconfig=$STATE_DIR/kube-controller-manager.kubeconfig
  --authorization-kubeconfig=$STATE_DIR/kube-controller-manager.kubeconfig
  --authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics --bind-address=127.0.0.1
  --secure-port=$CM_PORT --cert-dir=$PKI/cm-generated --leader-elect=false
  --root-ca-file=$PKI/ca.crt --service-account-private-key-file=$PKI/sa.key
  --cluster-signing-cert-file=$PKI/ca.crt --cluster-signing-key-file=$PKI/ca.key
  --service-cluster-ip-range=10.96.0.0/16 --use-service-account-credentials=false
  --concurrent-deployment-syncs=10 --concurrent-replicaset-syncs=10 --profiling=false
)
ARGS_kube_scheduler=(
  $KUBE_BIN_DIR/kube-scheduler --kubeconfig=$STATE_DIR/kube-scheduler.kubeconfig
  --authentication-kubeconfig=$STATE_DIR/kube-scheduler.kubeconfig
  --authorization-kubeconfig=$STATE_DIR/kube-scheduler.kubeconfig
  --authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics --bind-address=127.0.0.1
  --secure-port=$SCHED_PORT --cert-dir=$PKI/sched-generated --leader-elect=false --profiling=false
)
ARGS_kwok=(
  $KWOK --kubeconfig=$STATE_DIR/kwok.kubeconfig --manage-all-nodes=false
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake
  --server-address=127.0.0.1:$KWOK_PORT --node-ip=127.0.0.1 --cidr=10.244.0.1/16
  --config=$KWOK_STAGES --node-lease-duration-seconds=40
)

HEALTH=(
  [etcd]="http://127.0.0.1:$ETCD_PORT/health"
  [kube-apiserver]="$API_URL/readyz"
  [kube-controller-manager]="https://127.0.0.1:$CM_PORT/healthz"
  [kube-scheduler]="https://127.0.0.1:$SCHED_PORT/healthz"
  [kwok]="http://127.0.0.1:$KWOK_PORT/healthz"
)

args_of() { local n="ARGS_${1//-/_}[@]"; printf '%s\n' "${!n}"; }

start_component() {
  local c=$1 cmd
  mapfile -t cmd < <(args_of "$c")
  # --pdeathsig: the kernel kills the component when this script dies, however it dies.
  setpriv --pdeathsig KILL -- "${cmd[@]}" >>"$LOGS/$c.log" 2>&1 </dev/null &
  PID[$c]=$!
  unset "STOPPED[$c]"
  log "$c started (pid ${PID[$c]}, log $LOGS/$c.log)"
}

healthy() {
  local c=$1 extra=()
  [[ $c == kube-apiserver ]] && extra=(--cacert "$PKI/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN")
  [[ $c == kube-controller-manager || $c == kube-scheduler ]] && extra=(-k)
  [[ $(curl -s -m 2 "${extra[@]}" "${HEALTH[$c]}" 2>/dev/null) == ok || \
    $(curl -s -m 2 "${extra[@]}" "${HEALTH[$c]}" 2>/dev/null) == *'"health":"true"'* ]]
}

wait_healthy() {
  local c=$1 deadline=$((SECONDS + ${2:-90}))
  until healthy "$c"; do
    if ! kill -0 "${PID[$c]}" 2>/dev/null; then
      log "$c exited while starting; last lines of its log:"
      tail -n 20 "$LOGS/$c.log" >&2
      return 1
    fi
    if ((SECONDS > deadline)); then
      log "$c not healthy after ${2:-90}s; last lines of its log:"
      tail -n 20 "$LOGS/$c.log" >&2
      return 1
    fi
    sleep 0.3
  done
  log "$c ready"
}

stop_component() {
  local c=$1
  STOPPED[$c]=1
  if [[ -n ${PID[$c]:-} ]] && kill -0 "${PID[$c]}" 2>/dev/null; then
    kill -KILL "${PID[$c]}" 2>/dev/null || true
    wait "${PID[$c]}" 2>/dev/null || true
  fi
  PID[$c]=
}

HELPER_PID=
cleanup() {
  local rc=$? c i
  # Best effort from here on: a kill of a process that is already gone must not end the
  # cleanup early (errexit would).
  set +e
  trap - EXIT INT TERM HUP
  [[ -n $HELPER_PID ]] && kill "$HELPER_PID" 2>/dev/null
  # Reverse order: the clients first, etcd last. SIGTERM, then SIGKILL after 10 s.
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    c=${COMPONENTS[$i]}
    [[ -n ${PID[$c]:-} ]] && kill -TERM "${PID[$c]}" 2>/dev/null
  done
  for ((i = 0; i < 100; i++)); do
    local alive=0
    for c in "${COMPONENTS[@]}"; do [[ -n ${PID[$c]:-} ]] && kill -0 "${PID[$c]}" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for c in "${COMPONENTS[@]}"; do [[ -n ${PID[$c]:-} ]] && kill -KILL "${PID[$c]}" 2>/dev/null; done
  wait 2>/dev/null || true
  release_ports
  log "stopped"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

k() { "$KUBECTL" --kubeconfig="$KUBECONFIG_FILE" "$@"; }

for c in "${COMPONENTS[@]}"; do
  start_component "$c"
  wait_healthy "$c" 120
  if [[ $c == kube-apiserver ]]; then
    # The issuer's discovery document and keys, readable without credentials (as on EKS,
    # GKE and AKS), so relying parties can verify service-account tokens.
    k create clusterrolebinding testbed-sa-issuer-discovery \
      --clusterrole=system:service-account-issuer-discovery --group=system:unauthenticated >/dev/null
  fi
done

# ---------------------------------------------------------------------------
# Fake nodes (kwok manages the ones annotated kwok.x-k8s.io/node=fake)
# ---------------------------------------------------------------------------
for i in $(seq 1 "$CLUSTER_NODES"); do
  k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: testbed-node-$i
  annotations: { kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0" }
  labels:
    kubernetes.io/hostname: testbed-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    topology.kubernetes.io/zone: testbed-zone-$(( (i - 1) % 3 + 1 ))
    type: kwok
status:
  allocatable: { cpu: "32", memory: 128Gi, pods: "110" }
  capacity: { cpu: "32", memory: 128Gi, pods: "110" }
EOF
done
deadline=$((SECONDS + 60))
until [[ $(k get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True) -ge $CLUSTER_NODES ]]; do
  ((SECONDS < deadline)) || die "fake nodes not Ready after 60s"
  sleep 0.5
done
log "$CLUSTER_NODES fake nodes Ready"
# The default ServiceAccount is made by the controller-manager; pods need it.
deadline=$((SECONDS + 60))
until k -n default get serviceaccount default >/dev/null 2>&1; do
  ((SECONDS < deadline)) || die "no default ServiceAccount after 60s (controller-manager)"
  sleep 0.5
done

# ---------------------------------------------------------------------------
# Stand-ins for load balancers and volume provisioning (see the header)
# ---------------------------------------------------------------------------
setpriv --pdeathsig KILL -- env KUBECTL="$KUBECTL" KUBECONFIG_FILE="$KUBECONFIG_FILE" STATE_DIR="$STATE_DIR" \
  bash "$(dirname "$0")/infrastructure.sh" >>"$LOGS/infrastructure.log" 2>&1 </dev/null &
HELPER_PID=$!

# ---------------------------------------------------------------------------
# Ready: tell the parent, then supervise
# ---------------------------------------------------------------------------
{
  echo "KUBECONFIG=$KUBECONFIG_FILE"
  echo "KUBE_API_URL=$API_URL"
  echo "KUBE_CA_FILE=$PKI/ca.crt"
  echo "SA_ISSUER=$API_URL"
  echo "CLUSTER_CONTEXTS=$CLUSTER_CONTEXTS"
  echo "CLUSTER_LOGS=$LOGS"
  for c in "${COMPONENTS[@]}"; do echo "PID_${c//-/_}=${PID[$c]}"; done
} >"$STATE_DIR/cluster.env"
echo "ready $STATE_DIR/cluster.env"

known() { local c; for c in "${COMPONENTS[@]}"; do [[ $c == "$1" ]] && return 0; done; return 1; }

# A component that dies unasked ends the cluster (and the suite sees why in its log).
watch_components() {
  local c
  for c in "${COMPONENTS[@]}"; do
    [[ -n ${STOPPED[$c]:-} ]] && continue
    if [[ -n ${PID[$c]:-} ]] && ! kill -0 "${PID[$c]}" 2>/dev/null; then
      log "$c died; last lines of its log:"
      tail -n 20 "$LOGS/$c.log" >&2
      exit 1
    fi
  done
}

# read -t gives up after a second so dead components are noticed; a line that arrives
# across a timeout comes in pieces (bash keeps the partial input), so they are joined.
pending=""
while true; do
  if IFS= read -r -t 1 chunk; then
    line="$pending$chunk"
    pending=""
    read -r verb comp _ <<<"$line"
    if ! known "${comp:-}"; then
      echo "error ${verb:-} ${comp:-}: unknown component"
    else
      case $verb in
        stop) stop_component "$comp"; echo "ok stop $comp" ;;
        start)
          if [[ -n ${PID[$comp]:-} ]] && kill -0 "${PID[$comp]}" 2>/dev/null; then
            echo "error start $comp: already running"
          else
            start_component "$comp"
            if wait_healthy "$comp" 120; then echo "ok start $comp"; else echo "error start $comp: not healthy"; fi
          fi
          ;;
        *) echo "error $verb $comp: unknown command" ;;
      esac
    fi
  else
    rc=$?
    # A timeout has a status above 128 and keeps any partial line; anything else is the
    # end of stdin.
    if ((rc > 128)); then
      pending+=$chunk
    else
      log "stdin closed: stopping"
      exit 0
    fi
  fi
  watch_components
done
