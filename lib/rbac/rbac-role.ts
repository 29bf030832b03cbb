import * as z from 'zod';

import { ENTITY_NAME, Team, teamSchema } from '../catalog/team';
import { brand, isBranded } from '../core/brand';
import { problem } from '../core/validation';
import { RbacCondition, rbacConditionSchema } from './rbac-condition';

const BRAND = Symbol.for('cdktf-backstage.RbacRole');

/** Who holds a role: a team (its Group entity, and through it every member) or a user by entity name. */
export type RbacMember = Team | string;

/** Permissions granted on a condition, e.g. "owners may refresh and delete their own entities". */
export interface ConditionalGrant {
  /**
   * Resource permissions of one plugin and one resource type, e.g.
   * `["catalog.entity.refresh", "catalog.entity.delete"]`.
   */
  readonly permissions: readonly string[];
  /** When they are granted. */
  readonly condition: RbacCondition;
}

/** Options of {@link RbacRole.of}. */
export interface RbacRoleOptions {
  /** The role's name (`role:default/<name>`). */
  readonly name: string;
  /** Teams and users (User entity names) that hold the role. */
  readonly members: readonly RbacMember[];
  /**
   * Permissions the role grants, by name (e.g. `catalog.entity.read`).
   * @default - none
   */
  readonly allow?: readonly string[];
  /**
   * Permissions the role denies. A deny wins over every allow of the member's other roles.
   * @default - none
   */
  readonly deny?: readonly string[];
  /**
   * Permissions granted only where a condition holds (the RBAC plugin's conditional
   * policies), e.g. `{ permissions: ['catalog.entity.refresh'], condition: RbacCondition.isEntityOwner() }`.
   * @default - none
   */
  readonly conditional?: readonly ConditionalGrant[];
}

/** @internal */
export const rbacRoleOptionsSchema = z.strictObject({
  name: z
    .string()
    .max(63, problem('must be at most 63 characters long', 'Shorten the role name.'))
    .regex(
      ENTITY_NAME,
      problem(
        'must be a Backstage entity name',
        'Use letters and digits, separated by single ".", "_" or "-" (e.g. "catalog-readers").',
      ),
    ),
  members: z
    .array(
      z.union([
        teamSchema,
        z
          .string()
          .max(63)
          .regex(
            ENTITY_NAME,
            problem(
              'must be a User entity name or a Team',
              'Give a user as the name of their User entity (e.g. "alice"), a group as Team.of("<name>").',
            ),
          ),
      ]),
    )
    .min(
      1,
      problem(
        'must have at least one member',
        'Bind the role to a Team or a user; a role nobody holds grants nothing.',
      ),
    ),
  allow: z.array(z.string()).optional(),
  deny: z.array(z.string()).optional(),
  conditional: z
    .array(
      z.strictObject({
        permissions: z
          .array(z.string())
          .min(
            1,
            problem(
              'must name at least one permission',
              'List the resource permissions the condition grants.',
            ),
          ),
        condition: rbacConditionSchema,
      }),
    )
    .optional(),
}) satisfies z.ZodType<RbacRoleOptions>;

/**
 * An RBAC role of the `@backstage-community/plugin-rbac-backend` plugin: what its members
 * may do, rendered to the plugin's CSV policy file (`p` lines for the permissions, `g`
 * lines for the members) and, for conditional grants, its conditional-policies file.
 */
export class RbacRole {
  public static of(options: RbacRoleOptions): RbacRole {
    return new RbacRole(options);
  }

  public static isRbacRole(value: unknown): value is RbacRole {
    return isBranded(value, BRAND);
  }

  /** `role:default/<name>` */
  public readonly entityRef: string;

  private constructor(public readonly options: RbacRoleOptions) {
    brand(this, BRAND);
    this.entityRef = `role:default/${options.name}`;
  }

  /** The role's name. */
  public get name(): string {
    return this.options.name;
  }
}

/** The entity ref of a member: `group:default/<team>` or `user:default/<name>`. */
export function memberRef(member: RbacMember): string {
  return Team.isTeam(member) ? member.entityRef : `user:default/${member}`;
}
