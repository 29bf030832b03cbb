// The pod and container security settings that satisfy the Kubernetes "restricted"
// Pod Security Standard. Every workload we render uses them, so the namespace can
// enforce "restricted" and a weaker pod is refused by the API server itself.

export function restrictedPodSecurityContext(uid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: String(uid),
    runAsGroup: String(uid),
    fsGroup: String(uid),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainerSecurityContext(uid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: String(uid),
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
