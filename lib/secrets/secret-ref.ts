import { Fn, ITerraformDependable, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import { KubernetesResource, kubernetesResource } from '../core/kubernetes-resource';
import { toKubernetesName } from '../core/labels';
import { goDuration, kubernetesSubdomainName, secretKey } from '../core/schemas';
import { secretVariableProblem } from '../core/secret-variable';
import { StackRegistry } from '../core/stack-registry';
import { fail, problem, validateProps } from '../core/validation';
import {
  ExternalSecret,
  remoteRefShape,
  SecretStoreReference,
  secretStoreReferenceSchema,
} from './external-secret';

const BRAND = Symbol.for('cdktf-backstage.SecretRef');

/** Where a secret lives once bound into a namespace: a key of a Kubernetes Secret. */
export interface BoundSecret {
  /** Name of the Kubernetes Secret holding the value. */
  readonly secretName: string;
  /** Key inside that Secret. */
  readonly key: string;
  /** Who writes the Secret: the user, this Terraform stack, or the External Secrets Operator. */
  readonly owner: 'user' | 'terraform' | 'external-secrets';
  /**
   * For Terraform-managed Secrets: a value that changes whenever the Secret's content
   * changes and is known when Terraform plans (a salted SHA-256 of the content). Used in a
   * pod annotation so pods roll on change; no secret material is in the annotation.
   */
  readonly revision?: string;
  /** Resources that must exist before a pod can mount this Secret. */
  readonly dependsOn: readonly ITerraformDependable[];
}

/** What a consumer needs to know to bind a secret reference. */
export interface SecretBindingContext {
  /** The construct that consumes the secret; created resources live under it. */
  readonly scope: Construct;
  /** Namespace the consuming pod runs in. */
  readonly namespace: string;
  /**
   * The consumer's prop that holds this reference, for error messages.
   * @default - none
   */
  readonly prop?: string;
}

/** Options of {@link SecretRef.fromVariable}. */
export interface VariableSecretOptions {
  /**
   * Name of the Kubernetes Secret this stack creates to hold the variable's value.
   * @default - derived from the variable's construct id (e.g. `oidc-client-secret`)
   */
  readonly secretName?: string;
  /**
   * Key in that Secret.
   * @default "value"
   */
  readonly key?: string;
}

/** Options of {@link SecretRef.fromExternalSecret}. */
export interface ExternalSecretOptions {
  /** The SecretStore or ClusterSecretStore that reads the cloud secret manager. */
  readonly store: SecretStoreReference;
  /** Key (name or path) of the secret in the remote secret manager. */
  readonly remoteKey: string;
  /**
   * Property inside a JSON-valued remote secret.
   * @default - the whole remote value
   */
  readonly property?: string;
  /**
   * Version of the remote secret.
   * @default - the latest version, re-read every `refreshInterval`
   */
  readonly version?: string;
  /**
   * How often the operator re-reads the remote secret; this is how rotation reaches
   * the cluster. Pods are restarted on change through the Reloader annotation.
   * @default "1h"
   */
  readonly refreshInterval?: string;
  /**
   * Name of the Kubernetes Secret the operator writes.
   * @default - derived from `remoteKey` and `property`
   */
  readonly secretName?: string;
  /**
   * Key in that Secret.
   * @default "value"
   */
  readonly key?: string;
}

const externalSecretOptionsSchema = z.strictObject({
  store: secretStoreReferenceSchema,
  ...remoteRefShape,
  refreshInterval: goDuration.optional(),
  secretName: kubernetesSubdomainName.optional(),
  key: secretKey.optional(),
}) satisfies z.ZodType<ExternalSecretOptions>;

/**
 * A reference to a secret value that never holds the value itself. Secrets reach pods
 * as `secretKeyRef`s; the synthesized Terraform JSON only ever contains names and keys.
 */
export abstract class SecretRef {
  /** A key of a Secret that already exists in the target namespace. */
  public static fromSecret(secretName: string, key: string): SecretRef {
    return new ExistingSecretRef(secretName, key);
  }

  /**
   * A `sensitive` Terraform variable, filled from `TF_VAR_<name>` at deploy time. The
   * stack stores it in a Secret it manages; the value is in Terraform state (encrypt
   * your backend) but never in code, config or synthesized JSON.
   */
  public static fromVariable(variable: TerraformVariable, options: VariableSecretOptions = {}): SecretRef {
    return new VariableSecretRef(variable, options);
  }

  /**
   * A secret in a cloud secret manager, synced into the namespace by an External
   * Secrets Operator `ExternalSecret` (`external-secrets.io/v1`) and rotated every
   * `refreshInterval`.
   */
  public static fromExternalSecret(options: ExternalSecretOptions): SecretRef {
    return new ExternalSecretRef(options);
  }

  /** True for any SecretRef, even one from another copy of this library. */
  public static isSecretRef(value: unknown): value is SecretRef {
    return isBranded(value, BRAND);
  }

  /** Makes the secret available in a namespace and tells where it is. */
  protected constructor() {
    brand(this, BRAND);
  }

  public abstract bind(context: SecretBindingContext): BoundSecret;

  /**
   * Checks, as early as possible, that the value has the shape of an oauth2-proxy cookie
   * secret (16, 24 or 32 bytes, raw or URL-safe base64). Only variables can be checked
   * before deploy: through a precondition on the Secret made from the variable, at plan time.
   */
  public expectCookieSecret(): void {}

  /** A short human description for error messages and reports. */
  public abstract describe(): string;
}

class ExistingSecretRef extends SecretRef {
  constructor(
    private readonly secretName: string,
    private readonly key: string,
  ) {
    super();
  }

  public bind(context: SecretBindingContext): BoundSecret {
    validateProps(
      context.scope,
      z.strictObject({ secretName: kubernetesSubdomainName, key: secretKey }),
      { secretName: this.secretName, key: this.key },
      context.prop ? [context.prop] : [],
    );
    return { secretName: this.secretName, key: this.key, owner: 'user', dependsOn: [] };
  }

  public describe(): string {
    return `Secret ${this.secretName}/${this.key}`;
  }
}

// One managed Secret per variable and namespace, however many consumers bind it (and one
// ExternalSecret per target Secret), recorded in the stack.
function cacheFor(scope: Construct): StackRegistry<BoundSecret & { source?: string }> {
  return StackRegistry.of(scope, 'cdktf-backstage.ManagedSecrets');
}

/**
 * The cookie-secret shape check, as a precondition of the Secret made from the variable.
 * oauth2-proxy uses the value as an AES key: 16/24/32 raw characters, or URL-safe base64
 * (padding optional) that decodes to 16/24/32 bytes (22/32/43 characters).
 *
 * Not a variable `validation`: Terraform 1.11 prints the variable's value in a failed
 * validation's diagnostic (`var.x is "..."`), sensitive or not. In a resource precondition
 * both Terraform and OpenTofu keep the value marked sensitive and print only the message.
 */
function cookieSecretPrecondition(variable: TerraformVariable): { condition: string; error_message: string } {
  const v = `var.${variable.friendlyUniqueId}`;
  const raw = `contains([16, 24, 32], length(${v}))`;
  const encoded = `(can(regex("^[A-Za-z0-9_-]+=*$", ${v})) && contains([22, 32, 43], length(replace(${v}, "/=+$/", ""))))`;
  return {
    condition: `\${${raw} || ${encoded}}`,
    error_message:
      `The oauth2-proxy cookie secret in variable ${variable.node.id} must be 16, 24 or 32 bytes: raw, or URL-safe base64 of that many bytes. ` +
      `Generate one with: openssl rand -base64 32 | tr -- '+/' '-_'`,
  };
}

class VariableSecretRef extends SecretRef {
  private cookieSecretExpected = false;
  /** The Secrets this reference made (one per namespace), to carry the cookie check. */
  private readonly secrets: KubernetesResource[] = [];

  constructor(
    private readonly variable: TerraformVariable,
    private readonly options: VariableSecretOptions,
  ) {
    super();
  }

  public bind(context: SecretBindingContext): BoundSecret {
    const { scope, namespace } = context;
    const unfit = secretVariableProblem(this.variable);
    if (unfit) {
      fail(scope, context.prop ?? 'secret', unfit.what, unfit.got, unfit.fix);
    }
    validateProps(
      scope,
      z.strictObject({ secretName: kubernetesSubdomainName.optional(), key: secretKey.optional() }),
      this.options,
      context.prop ? [context.prop] : [],
    );

    const secretName = this.options.secretName ?? toKubernetesName(this.variable.node.id);
    const key = this.options.key ?? 'value';
    const cache = cacheFor(scope);
    const cacheKey = `${this.variable.node.path}|${namespace}|${secretName}|${key}`;
    const cached = cache.get(cacheKey);
    if (cached) {
      return cached;
    }
    const secret = kubernetesResource(
      scope,
      `Secret-${toKubernetesName(this.variable.node.id)}`,
      'kubernetes_secret_v1',
      {
        metadata: {
          name: secretName,
          namespace,
          labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
          annotations: { 'cdktf-backstage.io/source': `terraform variable ${this.variable.node.id}` },
        },
        type: 'Opaque',
        // The provider base64-encodes `data` itself. Only the variable reference is
        // written here; its value arrives at plan time from TF_VAR_<name>.
        data: { [key]: this.variable.stringValue },
      },
    );
    this.secrets.push(secret);
    if (this.cookieSecretExpected) {
      secret.addOverride('lifecycle.precondition', [cookieSecretPrecondition(this.variable)]);
    }
    const bound: BoundSecret = {
      secretName,
      key,
      owner: 'terraform',
      // Known at plan time, so a rotated value plans a pod-template change: the Secret's
      // resource_version only changes during the apply, too late for the Deployment. The
      // Secret's uid salts the hash (the value is sensitive, and so is the result).
      revision: Fn.sha256(
        Fn.join(':', [secret.getStringAttribute('metadata[0].uid'), this.variable.stringValue]),
      ),
      dependsOn: [secret],
    };
    cache.set(cacheKey, bound);
    return bound;
  }

  public override expectCookieSecret(): void {
    this.cookieSecretExpected = true;
    for (const secret of this.secrets) {
      secret.addOverride('lifecycle.precondition', [cookieSecretPrecondition(this.variable)]);
    }
  }

  public describe(): string {
    return `variable ${this.variable.node.id}`;
  }
}

class ExternalSecretRef extends SecretRef {
  constructor(private readonly options: ExternalSecretOptions) {
    super();
  }

  public bind(context: SecretBindingContext): BoundSecret {
    const { scope, namespace } = context;
    validateProps(scope, externalSecretOptionsSchema, this.options, context.prop ? [context.prop] : []);
    // Two properties of one remote secret must not land in the same Secret key.
    const secretName =
      this.options.secretName ??
      toKubernetesName(
        this.options.property ? `${this.options.remoteKey}-${this.options.property}` : this.options.remoteKey,
      );
    const key = this.options.key ?? 'value';
    const cache = cacheFor(scope);
    const cacheKey = `external|${namespace}|${secretName}|${key}`;
    const source = JSON.stringify([
      this.options.store,
      this.options.remoteKey,
      this.options.property,
      this.options.version,
    ]);
    const cached = cache.get(cacheKey);
    if (cached) {
      if (cached.source !== source) {
        fail(
          scope,
          context.prop ?? 'secret',
          `writes Secret "${secretName}" in namespace "${namespace}", which another external secret with a different source already writes`,
          secretName,
          'Give one of them its own secretName.',
        );
      }
      return cached;
    }
    const external = new ExternalSecret(scope, `ExternalSecret-${secretName}`, {
      namespace,
      name: secretName,
      store: this.options.store,
      refreshInterval: this.options.refreshInterval ?? '1h',
      data: [
        {
          secretKey: key,
          remoteKey: this.options.remoteKey,
          property: this.options.property,
          version: this.options.version,
        },
      ],
    });
    const bound: BoundSecret & { source?: string } = {
      secretName,
      key,
      owner: 'external-secrets',
      dependsOn: [external.manifest],
      source,
    };
    cache.set(cacheKey, bound);
    return bound;
  }

  public describe(): string {
    return `external secret ${this.options.remoteKey}`;
  }
}

/** @internal
 * The zod schema for a secret-valued prop. A plain string is refused with a pointer to
 * SecretRef, and the string itself is never echoed into the error.
 */
export function secretRefSchema() {
  return z.custom<SecretRef>(
    (value) => SecretRef.isSecretRef(value),
    problem(
      'must be a SecretRef, not a plain value: a literal would be written into the synthesized Terraform JSON',
      'Use SecretRef.fromSecret(name, key), SecretRef.fromVariable(sensitiveVariable) or SecretRef.fromExternalSecret({...}).',
      { redact: true },
    ),
  );
}

/** @internal Joins Terraform-managed secret revisions into one value for a pod annotation. */
export function secretRevisions(bound: readonly BoundSecret[]): string | undefined {
  const revisions = bound.map((b) => b.revision).filter((r): r is string => r !== undefined);
  return revisions.length === 0 ? undefined : Fn.sha256(Fn.join(',', revisions));
}
