// An in-cluster machine (AI agent, bot) that calls Backstage through the portal's machine
// host with its Kubernetes service-account identity: a projected, audience-bound token the
// kubelet rotates, never a stored secret. The same props make the portal's machine client,
// so the two cannot disagree on issuer, audience, namespace or name.
import { Construct } from 'constructs';
import * as z from 'zod';

import { ENV_NAME, SECRET_ENV_NAME } from '../core/env-names';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { selectorLabels, standardLabels } from '../core/labels';
import { MCP_ACTIONS_PATH } from '../core/mcp';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';
import { ContainerResources } from '../core/resources';
import {
  fullyQualifiedImage,
  hostName,
  httpsUrl,
  kubernetesName,
  positiveInt,
  resources,
  workloadNamespace,
} from '../core/schemas';
import { fail, problem, validateProps } from '../core/validation';
import { reloaderWiring, resourcesWithDefaults, workloadMetadata } from '../core/workload';
import { BoundSecret, SecretRef, secretRevisions } from '../secrets/secret-ref';
import {
  AccessRestriction,
  machineAudience,
  MachineClient,
  machineSubjectPrefix,
  restrictions,
} from './machine-client';

/** The API server refuses a projected token that lives less than 10 minutes... */
const MIN_EXPIRATION_SECONDS = 600;
/** ...or more than 2^32 seconds (Kubernetes' pod validation of `serviceAccountToken`). */
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const TOKEN_VOLUME = 'backstage-token';
const TOKEN_FILE = 'token';
const DEFAULT_TOKEN_MOUNT_PATH = '/var/run/secrets/backstage';
/** uid 65532: the `nonroot` user of distroless and Chainguard images. */
const DEFAULT_UID = 65532;
/**
 * The variables the agent reads to find Backstage and its token; set by MachineAgent. "JWT",
 * not "TOKEN": a literal under a name that says TOKEN reads as a secret to Guardrails'
 * no-plain-secret-env check (and to the env rule below), and a path is none.
 */
const AGENT_ENV = ['BACKSTAGE_JWT_FILE', 'BACKSTAGE_URL', 'BACKSTAGE_MCP_URL'] as const;

/** The `serviceAccountToken` source of the agent's projected volume. */
export interface MachineAgentTokenProjection {
  /** The audience the token is issued for: the machine client's. */
  readonly audience: string;
  /** Requested lifetime; the kubelet replaces the file at 80% of it. */
  readonly expirationSeconds: number;
  /** File name inside the volume. */
  readonly path: string;
}

/**
 * The projected token volume, in the shape of the provider's deployment-v1 `volume` block
 * (`DeploymentV1SpecTemplateSpecVolume`), for a Deployment of your own.
 */
export interface MachineAgentTokenVolume {
  readonly name: string;
  /** One projection (the provider spells the block as a list). */
  readonly projected: Array<{
    readonly sources: Array<{ readonly serviceAccountToken: MachineAgentTokenProjection }>;
  }>;
}

/** Its mount, in the shape of the provider's deployment-v1 `volume_mount` block. */
export interface MachineAgentVolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
}

/** An environment variable with a plain value, in the shape of the provider's `env` block. */
export interface MachineAgentEnvVar {
  readonly name: string;
  readonly value: string;
}

export interface MachineAgentProps {
  /** Namespace of the agent's ServiceAccount (and Deployment); it must exist. */
  readonly namespace: string;
  /** Name of the ServiceAccount, and of the Deployment when `image` is given. */
  readonly name: string;
  /**
   * Audience (`aud`) of the agent's tokens: the machine client's audience. Not
   * `"backstage"` (Backstage's own user tokens) and not the issuer (the API server's own
   * audience: such a token would be a credential for the cluster).
   */
  readonly audience: string;
  /** The portal's machine host (`machineHost` of the portal or gateway), e.g. `api.backstage.example.com`. */
  readonly machineHost: string;
  /**
   * The cluster's service-account issuer (`kube-apiserver --service-account-issuer`; the
   * `issuer` of `kubectl get --raw /.well-known/openid-configuration`). No CloudProfile
   * knows it, so it is given here; only {@link MachineAgent.machineClient} needs it.
   * @default - none: `machineClient()` is refused
   */
  readonly issuerUrl?: string;
  /**
   * JWKS of the issuer, readable without credentials.
   * @default `${issuerUrl}/openid/v1/jwks`
   */
  readonly jwksUrl?: string;
  /**
   * Names the agent inside Backstage: principal `external:<subjectPrefix>:<sub>`.
   * @default "k8s"
   */
  readonly subjectPrefix?: string;
  /**
   * What the agent may do in Backstage (its machine client's `accessRestrictions`).
   * @default - no restriction beyond Backstage's permission policy
   */
  readonly accessRestrictions?: readonly AccessRestriction[];
  /**
   * Lifetime the kubelet requests for the projected token, 600 (10 minutes, the API
   * server's minimum) to 2^32 seconds.
   * @default 600
   */
  readonly expirationSeconds?: number;
  /**
   * Directory the token volume is mounted at; the token is the file `token` in it.
   * @default "/var/run/secrets/backstage"
   */
  readonly tokenMountPath?: string;
  /**
   * The agent's image, fully qualified (registry host first) and pinned by tag or digest.
   * With it the construct renders the Deployment; without it, use `volume`, `volumeMount`,
   * `env` and `serviceAccountName` in a Deployment of your own.
   * @default - no Deployment
   */
  readonly image?: string;
  /**
   * Entrypoint (the container's `command`).
   * @default - the image's
   */
  readonly command?: readonly string[];
  /**
   * Arguments (the container's `args`).
   * @default - the image's
   */
  readonly args?: readonly string[];
  /**
   * More environment variables: plain strings, or SecretRefs for secret values (read
   * from a Secret with `secretKeyRef`, never written into the synthesized JSON). A plain
   * value under a name that says it is a secret is refused.
   * @default - only the variables MachineAgent sets (BACKSTAGE_JWT_FILE, BACKSTAGE_URL, BACKSTAGE_MCP_URL)
   */
  readonly env?: Readonly<Record<string, string | SecretRef>>;
  /**
   * Container resources.
   * @default - requests 100m/128Mi, limits 1 CPU/512Mi
   */
  readonly resources?: ContainerResources;
  /**
   * Replicas.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * The non-root uid (and gid, fsGroup) the container runs as; the token file is readable by it.
   * @default 65532
   */
  readonly runAsUser?: number;
}

const machineAgentSchema = z
  .strictObject({
    namespace: workloadNamespace,
    name: kubernetesName,
    audience: machineAudience,
    machineHost: hostName,
    issuerUrl: httpsUrl.optional(),
    jwksUrl: httpsUrl.optional(),
    subjectPrefix: machineSubjectPrefix.optional(),
    accessRestrictions: restrictions,
    expirationSeconds: z
      .number()
      .int(problem('must be a whole number of seconds', 'Remove the fraction.'))
      .min(
        MIN_EXPIRATION_SECONDS,
        problem(
          `must be at least ${MIN_EXPIRATION_SECONDS} (10 minutes)`,
          `The API server refuses a shorter projected token; use ${MIN_EXPIRATION_SECONDS} or more (the kubelet rotates it at 80% of its lifetime).`,
        ),
      )
      .max(
        MAX_EXPIRATION_SECONDS,
        problem(
          `must be at most ${MAX_EXPIRATION_SECONDS} (2^32 seconds)`,
          'The API server refuses a longer projected token; a short lifetime is the point of it, e.g. 600 or 3600.',
        ),
      )
      .optional(),
    tokenMountPath: z
      .string()
      .regex(
        /^\/(?!.*\/\.\.?(\/|$))[^\s:]*[^/\s:]$/,
        problem(
          'must be an absolute directory path',
          'Use a path such as "/var/run/secrets/backstage", without "..", ":" or a trailing "/".',
        ),
      )
      .optional(),
    image: fullyQualifiedImage.optional(),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    env: z
      .record(
        z.string(),
        z.custom<string | SecretRef>(
          (value) => typeof value === 'string' || SecretRef.isSecretRef(value),
          problem(
            'must be a plain string or a SecretRef',
            'Give text for plain settings and SecretRef.fromSecret(name, key) (or fromVariable / fromExternalSecret) for secrets.',
            { redact: true },
          ),
        ),
      )
      .superRefine((env, ctx) => {
        for (const [name, value] of Object.entries(env)) {
          if (!ENV_NAME.test(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              // The value is hidden: a mistyped name may well hold a secret.
              message: problem(
                'must be an environment variable name',
                'Use letters, digits and "_", not starting with a digit.',
                { redact: true },
              ),
            });
          } else if ((AGENT_ENV as readonly string[]).includes(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: problem(
                'is set by MachineAgent',
                'Pick another name; the token file and the Backstage and MCP URLs are wired for you.',
                { redact: true },
              ),
            });
          } else if (typeof value === 'string' && SECRET_ENV_NAME.test(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: problem(
                'names a secret but is a plain value',
                `Give it as a SecretRef: env: { ${name}: SecretRef.fromSecret(...) }, so the value stays out of the synthesized JSON.`,
                { redact: true },
              ),
            });
          }
        }
      })
      .optional(),
    resources: resources.optional(),
    replicas: positiveInt('replicas').optional(),
    runAsUser: positiveInt('runAsUser').optional(),
  })
  .superRefine((props, ctx) => {
    // The API server's own audience defaults to its issuer (--api-audiences): a token for
    // it is a credential for the cluster, which the agent must never hand to Backstage.
    if (
      typeof props.issuerUrl === 'string' &&
      typeof props.audience === 'string' &&
      props.audience.replace(/\/$/, '') === props.issuerUrl.replace(/\/$/, '')
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['audience'],
        message: problem(
          'must not be the issuer',
          'That is the API server\'s own audience: a token for it lets whoever holds it call the cluster. Use an audience of its own, e.g. "backstage-agents".',
        ),
      });
    }
    const without = (prop: 'command' | 'args' | 'env' | 'resources' | 'replicas' | 'runAsUser') => {
      if (props.image === undefined && props[prop] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [prop],
          message: problem(
            'needs an image: without one no Deployment is rendered',
            'Give image, or set it in your own Deployment (which takes volume, volumeMount, env and serviceAccountName).',
            { redact: prop === 'env' },
          ),
        });
      }
    };
    (['command', 'args', 'env', 'resources', 'replicas', 'runAsUser'] as const).forEach(without);
  }) satisfies z.ZodType<MachineAgentProps>;

/**
 * An in-cluster agent (AI agent, bot) that calls Backstage through the portal's machine
 * host with its Kubernetes service-account identity. Renders its ServiceAccount (no
 * automounted API token) and, with an `image`, a Deployment that mounts a projected token
 * for the agent's audience, read-only, with the token path and the Backstage and MCP URLs
 * in its environment. Without an image it exposes those pieces for your own Deployment.
 * {@link MachineAgent.machineClient} is the portal's matching machine client.
 */
export class MachineAgent extends Construct {
  /** The ServiceAccount whose tokens identify the agent. */
  public readonly serviceAccount: KubernetesResource;
  /** The agent's Deployment (with `image`). */
  public readonly deployment?: KubernetesResource;
  /** Name of the ServiceAccount, for `serviceAccountName` (set `automountServiceAccountToken: false` too). */
  public readonly serviceAccountName: string;
  /** Namespace of the ServiceAccount. */
  public readonly namespace: string;
  /** The audience the agent's tokens are issued for. */
  public readonly audience: string;
  /** The projected token volume. */
  public readonly volume: MachineAgentTokenVolume;
  /** Its read-only mount. */
  public readonly volumeMount: MachineAgentVolumeMount;
  /** Where the agent reads its current token (the kubelet rewrites the file before it expires). */
  public readonly tokenPath: string;
  /** `https://<machineHost>`: Backstage's base URL for the agent. */
  public readonly backstageUrl: string;
  /** `https://<machineHost>/api/mcp-actions/v1`: the MCP actions endpoint. */
  public readonly mcpUrl: string;
  /** BACKSTAGE_JWT_FILE, BACKSTAGE_URL and BACKSTAGE_MCP_URL, for the agent's container. */
  public readonly env: MachineAgentEnvVar[];
  private readonly props: MachineAgentProps;
  private client?: MachineClient;

  constructor(scope: Construct, id: string, props: MachineAgentProps) {
    super(scope, id);
    validateProps(this, machineAgentSchema, props);
    this.props = props;
    const { name, namespace } = props;
    this.namespace = namespace;
    this.audience = props.audience;
    this.serviceAccountName = name;
    const mountPath = props.tokenMountPath ?? DEFAULT_TOKEN_MOUNT_PATH;
    this.tokenPath = `${mountPath}/${TOKEN_FILE}`;
    this.backstageUrl = `https://${props.machineHost}`;
    this.mcpUrl = `${this.backstageUrl}${MCP_ACTIONS_PATH}`;
    this.volume = {
      name: TOKEN_VOLUME,
      projected: [
        {
          sources: [
            {
              serviceAccountToken: {
                audience: props.audience,
                expirationSeconds: props.expirationSeconds ?? MIN_EXPIRATION_SECONDS,
                path: TOKEN_FILE,
              },
            },
          ],
        },
      ],
    };
    this.volumeMount = { name: TOKEN_VOLUME, mountPath, readOnly: true };
    this.env = [
      { name: 'BACKSTAGE_JWT_FILE', value: this.tokenPath },
      { name: 'BACKSTAGE_URL', value: this.backstageUrl },
      { name: 'BACKSTAGE_MCP_URL', value: this.mcpUrl },
    ];
    const labels = standardLabels('machine-agent', name, 'agent');
    const selector = selectorLabels('machine-agent', name);

    // The projected volume is the agent's only token: the API credential Kubernetes would
    // mount by default is of no use to it and a risk if it leaks.
    this.serviceAccount = kubernetesResource(this, 'ServiceAccount', 'kubernetes_service_account_v1', {
      metadata: { name, namespace, labels },
      automountServiceAccountToken: false,
    });

    if (props.image !== undefined) {
      this.deployment = this.renderDeployment(props, props.image, labels, selector);
    }
  }

  /**
   * The portal's machine client for this agent (`MachineClient.kubernetesServiceAccount`
   * with the agent's issuer, audience, namespace and ServiceAccount): put it in the
   * portal's `machineClients`. The same instance on every call.
   */
  public machineClient(): MachineClient {
    const { issuerUrl } = this.props;
    if (issuerUrl === undefined) {
      fail(
        this,
        'issuerUrl',
        'is required to make the machine client',
        issuerUrl,
        'Give the cluster\'s service-account issuer (kube-apiserver --service-account-issuer, the "issuer" of `kubectl get --raw /.well-known/openid-configuration`); no CloudProfile knows it.',
      );
    }
    this.client ??= MachineClient.kubernetesServiceAccount({
      issuerUrl,
      audience: this.props.audience,
      namespace: this.props.namespace,
      serviceAccount: this.props.name,
      ...(this.props.jwksUrl !== undefined ? { jwksUrl: this.props.jwksUrl } : {}),
      ...(this.props.subjectPrefix !== undefined ? { subjectPrefix: this.props.subjectPrefix } : {}),
      ...(this.props.accessRestrictions !== undefined
        ? { accessRestrictions: this.props.accessRestrictions }
        : {}),
    });
    return this.client;
  }

  private renderDeployment(
    props: MachineAgentProps,
    image: string,
    labels: Record<string, string>,
    selector: Record<string, string>,
  ): KubernetesResource {
    const uid = props.runAsUser ?? DEFAULT_UID;
    const entries = Object.entries(props.env ?? {});
    const secretEnv: Array<{ name: string; secret: BoundSecret }> = entries.flatMap(([envName, value]) =>
      typeof value === 'string'
        ? []
        : [
            {
              name: envName,
              secret: value.bind({ scope: this, namespace: props.namespace, prop: `env.${envName}` }),
            },
          ],
    );
    const bound = secretEnv.map((e) => e.secret);
    const revisions = secretRevisions(bound);
    const reloader = reloaderWiring(bound);
    const workload = { scope: this, name: props.name, namespace: props.namespace, labels, selector };
    return kubernetesResource(this, 'Deployment', 'kubernetes_deployment_v1', {
      metadata: workloadMetadata(workload, reloader.annotations),
      spec: {
        replicas: String(props.replicas ?? 1),
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, ...(revisions ? { annotations: { 'checksum/secrets': revisions } } : {}) },
          spec: {
            serviceAccountName: this.serviceAccount.metadataName,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(uid),
            container: [
              {
                name: 'agent',
                image,
                ...(props.command ? { command: [...props.command] } : {}),
                ...(props.args ? { args: [...props.args] } : {}),
                env: [
                  ...this.env,
                  ...entries.flatMap(([envName, value]) =>
                    typeof value === 'string' ? [{ name: envName, value }] : [],
                  ),
                  ...secretEnv.map((e) => ({
                    name: e.name,
                    valueFrom: { secretKeyRef: { name: e.secret.secretName, key: e.secret.key } },
                  })),
                ],
                resources: resourcesWithDefaults(props.resources, {
                  requests: { cpu: '100m', memory: '128Mi' },
                  limits: { cpu: '1', memory: '512Mi' },
                }),
                securityContext: restrictedContainerSecurityContext(uid),
                volumeMount: [this.volumeMount, { name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            // The root filesystem is read-only: /tmp is the agent's scratch space.
            volume: [this.volume, { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }],
          },
        },
      },
      dependsOn: bound.flatMap((b) => b.dependsOn),
      ...(reloader.ignoreChanges.length > 0 ? { lifecycle: { ignoreChanges: reloader.ignoreChanges } } : {}),
    });
  }
}
