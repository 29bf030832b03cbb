import { Construct } from 'constructs';

import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { selectorLabels, standardLabels } from '../core/labels';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';
import { reloaderWiring } from '../core/workload';
import { BoundSecret, secretRevisions } from '../secrets/secret-ref';

export interface InClusterPostgresProps {
  readonly namespace: string;
  /** StatefulSet and Service name. */
  readonly name: string;
  /** Pinned postgres image. */
  readonly image: string;
  /** Database user Backstage connects as. */
  readonly user: string;
  /** Password of that user. */
  readonly password: BoundSecret;
  /** Size of the data volume, e.g. "10Gi". */
  readonly storageSize: string;
  /** Storage class of the data volume; the cluster default when undefined. */
  readonly storageClassName?: string;
  /** Labels of the Backstage pods, the only clients admitted. */
  readonly clientLabels: Readonly<Record<string, string>>;
}

const UID = 999; // the postgres user of the official image

/**
 * The postStart hook of the postgres container. The image sets POSTGRES_PASSWORD only when it
 * creates the data directory, so a rotated password would lock Backstage out after its restart;
 * this applies the password of the Secret at every start (a rotated Secret restarts the pod:
 * Reloader for one written outside Terraform, `checksum/secrets` for a variable). It connects
 * over the local socket, where the image's initdb trusts the server's own user, and psql quotes
 * the value itself (`:'pw'`). The session logs no statement, even a failing one, so the value
 * never reaches the server log; nothing here prints it.
 */
const APPLY_PASSWORD_SCRIPT = `set -u
i=0
while [ "$i" -lt 120 ]; do
  if pg_isready -q -U "$POSTGRES_USER" -d postgres && psql -X -q -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres <<'SQL'
SET log_statement = 'none';
SET log_min_error_statement = 'panic';
\\getenv pw POSTGRES_PASSWORD
\\getenv role POSTGRES_USER
ALTER ROLE :"role" PASSWORD :'pw';
SQL
  then exit 0; fi
  i=$((i + 1))
  sleep 1
done
echo 'could not apply the password of the database user within 120 s' >&2
exit 1
`;

/**
 * A single-instance PostgreSQL for small installs: a StatefulSet with a volume, a
 * headless Service, and a NetworkPolicy that admits only the Backstage pods.
 */
export class InClusterPostgres extends Construct {
  public readonly host: string;
  public readonly port = 5432;
  public readonly statefulSet: KubernetesResource;
  public readonly service: KubernetesResource;
  public readonly networkPolicy: KubernetesResource;

  constructor(scope: Construct, id: string, props: InClusterPostgresProps) {
    super(scope, id);
    const labels = standardLabels('postgres', props.name, 'database');
    const selector = selectorLabels('postgres', props.name);
    // The short name resolves inside the namespace and keeps tokens out of the app-config.
    this.host = props.name;

    this.service = kubernetesResource(this, 'Service', 'kubernetes_service_v1', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: {
        clusterIp: 'None',
        selector,
        port: [{ name: 'postgres', port: 5432, targetPort: 'postgres', protocol: 'TCP' }],
      },
    });

    // A changed password must restart the server, which applies it at start (the hook).
    const revisions = secretRevisions([props.password]);
    const reloader = reloaderWiring([props.password]);
    this.statefulSet = kubernetesResource(this, 'StatefulSet', 'kubernetes_stateful_set_v1', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels,
        ...(Object.keys(reloader.annotations).length > 0 ? { annotations: reloader.annotations } : {}),
      },
      spec: {
        serviceName: props.name,
        replicas: '1',
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels,
            annotations: {
              // Always some annotation: with none, a later switch to a variable password adds
              // the map with a sensitive value, which the kubernetes provider (2.38.0) fails to
              // apply ("inconsistent values for sensitive attribute"; seen in the deploy suite).
              'kubectl.kubernetes.io/default-container': 'postgres',
              ...(revisions ? { 'checksum/secrets': revisions } : {}),
            },
          },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(UID),
            container: [
              {
                name: 'postgres',
                image: props.image,
                port: [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }],
                env: [
                  { name: 'POSTGRES_USER', value: props.user },
                  {
                    name: 'POSTGRES_PASSWORD',
                    valueFrom: { secretKeyRef: { name: props.password.secretName, key: props.password.key } },
                  },
                  // A subdirectory: the volume root holds lost+found on many filesystems.
                  { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                ],
                lifecycle: { postStart: [{ exec: { command: ['sh', '-c', APPLY_PASSWORD_SCRIPT] } }] },
                readinessProbe: {
                  exec: { command: ['pg_isready', '-U', props.user, '-h', '127.0.0.1'] },
                  periodSeconds: 10,
                  timeoutSeconds: 5,
                },
                livenessProbe: {
                  exec: { command: ['pg_isready', '-U', props.user, '-h', '127.0.0.1'] },
                  periodSeconds: 30,
                  timeoutSeconds: 5,
                  failureThreshold: 6,
                },
                resources: {
                  requests: { cpu: '100m', memory: '256Mi' },
                  limits: { cpu: '1', memory: '1Gi' },
                },
                securityContext: restrictedContainerSecurityContext(UID),
                volumeMount: [
                  { name: 'data', mountPath: '/var/lib/postgresql/data' },
                  { name: 'run', mountPath: '/var/run/postgresql' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volume: [
              { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
              { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
            ],
          },
        },
        volumeClaimTemplate: [
          {
            metadata: { name: 'data', labels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(props.storageClassName ? { storageClassName: props.storageClassName } : {}),
              resources: { requests: { storage: props.storageSize } },
            },
          },
        ],
      },
      dependsOn: [...props.password.dependsOn],
      ...(reloader.ignoreChanges.length > 0 ? { lifecycle: { ignoreChanges: reloader.ignoreChanges } } : {}),
    });

    this.networkPolicy = kubernetesResource(this, 'NetworkPolicy', 'kubernetes_network_policy_v1', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { ...props.clientLabels } } }],
            ports: [{ port: '5432', protocol: 'TCP' }],
          },
        ],
      },
    });
  }
}
