// What every org source renders, whatever its IdP: the shared shape the kind files fill
// in and the Backstage construct consumes.
import { SecretRef } from '../secrets/secret-ref';

/** A backend feature the Backstage image must `backend.add(import(...))`, and its npm package. */
export interface OrgModule {
  /** The npm package to add to `packages/backend`. */
  readonly npmPackage: string;
  /** What `backend.add(import('<this>'))` takes: the package, or one of its feature entry points. */
  readonly feature: string;
}

/** @internal A secret the rendered config refers to as `${env}`. */
export interface OrgSecret {
  readonly env: string;
  readonly ref: SecretRef;
  /** The option holding it, for error messages. */
  readonly prop: string;
}

/** @internal What an org source renders, and what it is known to ingest. */
export interface OrgSourceData {
  /** Backend features the image must include. */
  readonly modules: readonly OrgModule[];
  /** App-config merged into Backstage's (catalog.providers.<key>, integrations...). */
  readonly appConfig: Record<string, unknown>;
  /** Catalog locations the source adds (the static org's file). */
  readonly locations?: ReadonlyArray<Record<string, unknown>>;
  /** Secrets the app-config refers to. */
  readonly secrets: readonly OrgSecret[];
  /** Files of a ConfigMap mounted read-only at `mountPath` (the static org's catalog file). */
  readonly files?: { readonly mountPath: string; readonly data: Readonly<Record<string, string>> };
  /** Why users of this source can never be found by the resolver, when that is known. */
  resolverProblem(resolver: string): string | undefined;
  /** Why no Group entity of this source can have that name, when that is known. */
  groupProblem(name: string): string | undefined;
  /** Why no User entity of this source can have that name, when that is known (the static org). */
  userProblem?(name: string): string | undefined;
  // `levels` is how many levels of parent groups count (RBAC's maxDepth); all when undefined.
  /** The users of a group or of the groups below it, when the source knows them at synth time (the static org). */
  membersOf?(group: string, levels?: number): readonly string[];
  /** The groups of a user and the groups above them, when known at synth time. */
  groupsOf?(user: string, levels?: number): readonly string[];
  /** The groups above a group (its parent, the parent's parent...), when known at synth time. */
  groupsAbove?(group: string, levels?: number): readonly string[];
}

/** The secret env var of an org source option: `BACKSTAGE_ORG_<KIND>_<OPTION>`. */
export function orgSecretEnv(kind: string, option: string): string {
  return `BACKSTAGE_ORG_${kind}_${option}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** The prefix of every org secret env var (the Backstage construct reserves it). */
export const ORG_SECRET_ENV_PREFIX = 'BACKSTAGE_ORG_';
