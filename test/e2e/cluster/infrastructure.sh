#!/usr/bin/env bash
# Started by cluster.sh (and killed with it): what a bare on-prem cluster's infrastructure
# does, for the test cluster, once a second:
# - a LoadBalancer Service without an address gets one in 198.51.100.0/24 (TEST-NET-2),
#   as MetalLB would, so Helm's wait for it ends;
# - a Pending PersistentVolumeClaim gets a hostPath PersistentVolume of its size and class,
#   bound to it (claimRef), as a local-path provisioner would;
# - a Released volume of a deleted claim is deleted, as a provisioner's Delete policy does
#   (the volumes say Retain: the in-tree hostPath deleter would only mark them Failed).
# Environment: KUBECTL, KUBECONFIG_FILE, STATE_DIR (volumes go under STATE_DIR/pv).
set -uo pipefail
k() { "$KUBECTL" --kubeconfig="$KUBECONFIG_FILE" "$@"; }
  n=0
  while sleep 1; do
    # LoadBalancer Services without an address.
    while read -r ns name; do
      [[ -n $name ]] || continue
      n=$((n % 250 + 1))
      k -n "$ns" patch service "$name" --subresource=status --type=merge \
        -p "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"198.51.100.$n\"}]}}}" >/dev/null 2>&1 || true
    done < <(k get services -A -o jsonpath='{range .items[?(@.spec.type=="LoadBalancer")]}{.metadata.namespace}{" "}{.metadata.name}{" "}{.status.loadBalancer.ingress}{"\n"}{end}' 2>/dev/null |
      awk 'NF == 2')
    # Pending claims without a volume.
    while read -r ns name size class; do
      [[ -n $name ]] || continue
      [[ $class == "<none>" ]] && class=""
      mkdir -p "$STATE_DIR/pv/$ns-$name"
      k apply -f - >/dev/null 2>&1 <<EOF || true
apiVersion: v1
kind: PersistentVolume
metadata: { name: "testbed-$ns-$name", labels: { testbed.cdktf-backstage/provisioned: "true" } }
spec:
  capacity: { storage: "$size" }
  accessModes: [ReadWriteOnce, ReadOnlyMany, ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: "$class"
  hostPath: { path: "$STATE_DIR/pv/$ns-$name" }
  claimRef: { namespace: "$ns", name: "$name" }
EOF
    done < <(k get pvc -A -o jsonpath='{range .items[?(@.status.phase=="Pending")]}{.metadata.namespace}{" "}{.metadata.name}{" "}{.spec.resources.requests.storage}{" "}{.spec.storageClassName}{"\n"}{end}' 2>/dev/null |
      awk 'NF >= 3 { if (NF == 3) print $0, "<none>"; else print }')
    # Released volumes of deleted claims go.
    k get pv -l testbed.cdktf-backstage/provisioned=true -o jsonpath='{range .items[?(@.status.phase=="Released")]}{.metadata.name}{"\n"}{end}' 2>/dev/null |
      while read -r line; do [[ -n $line ]] && k delete pv "$line" --wait=false >/dev/null 2>&1; done
  done

