import * as z from 'zod';

import type { OrgSourceData } from '../catalog/org-source-data';
import { ENTITY_NAME, Team, teamSchema } from '../catalog/team';
import { valueObjectSchema } from '../core/schemas';
import { problem } from '../core/validation';
import { toYaml } from '../core/yaml';
import {
  closestPermissions,
  ExtraPermission,
  findPermission,
  KNOWN_PERMISSIONS,
  KnownPermission,
  POLICY_ADMIN_PERMISSIONS,
} from './permissions';
import { memberRef, RbacRole, rbacRoleOptionsSchema } from './rbac-role';

/** Who may administer the RBAC policy, and the roles. */
export interface RbacOptions {
  /** The roles, each bound to teams and users. */
  readonly roles: readonly RbacRole[];
  /**
   * RBAC administrators (`permission.rbac.admin.users`): teams and users (User entity
   * names) in the plugin's `rbac_admin` role, which may read and change roles and
   * policies (and read the catalog). Give them more through a role as well.
   * @default - none (then `superUsers` must name someone)
   */
  readonly admins?: readonly (Team | string)[];
  /**
   * Users (User entity names) allowed everything, whatever the roles say
   * (`permission.rbac.admin.superUsers`). Keep this list short: a break-glass account.
   * @default - none
   */
  readonly superUsers?: readonly string[];
  /**
   * Permissions of plugins the library does not know (your own, or a plugin not in
   * {@link KNOWN_PERMISSIONS}), so roles may name them.
   * @default - none
   */
  readonly extraPermissions?: readonly ExtraPermission[];
  /**
   * How a changed policy reaches running pods. `in-place`: the policy ConfigMap is mounted
   * as a directory, the kubelet updates the files (within about a minute) and the plugin
   * reloads them (`policyFileReload`), with no restart. `restart`: the policy's hash is a
   * pod annotation, so a changed policy rolls the pods (each replica starts with it).
   * @default "in-place"
   */
  readonly reload?: 'in-place' | 'restart';
  /**
   * How many levels of teams above a person's own teams pass their roles down
   * (`permission.rbac.maxDepth`): 0 gives people the roles of their own teams only, 1 those
   * of the teams' parents too, and so on.
   * @default - every level
   */
  readonly maxDepth?: number;
}

/** Where the Backstage pod reads the RBAC policy files. */
export const RBAC_MOUNT_PATH = '/etc/backstage-rbac';
export const RBAC_POLICY_FILE = 'rbac-policy.csv';
export const RBAC_CONDITIONS_FILE = 'rbac-conditional-policies.yaml';

const userName = z
  .string()
  .max(63)
  .regex(
    ENTITY_NAME,
    problem('must be a User entity name', 'Give the user as the name of their User entity, e.g. "alice".'),
  );

function permissionIssues(
  names: readonly string[] | undefined,
  extra: readonly ExtraPermission[],
  ctx: z.core.$RefinementCtx,
  path: PropertyKey[],
): void {
  names?.forEach((name, i) => {
    if (!findPermission(name, extra)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, i],
        params: { nestedValue: { value: name } },
        message: problem(
          'is not a permission any known plugin defines',
          `Use one of ${closestPermissions(name).join(', ')}; a permission of another plugin must be declared in rbac.extraPermissions.`,
        ),
      });
    }
  });
}

/** @internal The RBAC options' own rules (those that need no org source). */
export const rbacOptionsSchema = z
  .strictObject({
    roles: z.array(
      valueObjectSchema(RbacRole.isRbacRole, 'an RbacRole', 'Use RbacRole.of({ name, members, allow }).'),
    ),
    admins: z.array(z.union([teamSchema, userName])).optional(),
    superUsers: z.array(userName).optional(),
    extraPermissions: z
      .array(
        z.strictObject({
          name: z
            .string()
            .regex(
              /^[a-z0-9][a-z0-9.-]*$/i,
              problem(
                'must be a permission name',
                'Write it as the plugin defines it, e.g. "kubernetes.proxy".',
              ),
            ),
          pluginId: z
            .string()
            .regex(
              /^[a-z0-9-]+$/,
              problem('must be a Backstage plugin id', 'Use the plugin id in lower case, e.g. "kubernetes".'),
            ),
          action: z.enum(['create', 'read', 'update', 'delete', 'use']).optional(),
          resourceType: z.string().min(1).optional(),
        }),
      )
      .optional(),
    reload: z
      .enum(['in-place', 'restart'], {
        error: problem('must be "in-place" or "restart"', 'Pick how a changed policy reaches running pods.'),
      })
      .optional(),
    maxDepth: z
      .number()
      .int(problem('must be a whole number', 'Give the number of parent levels, e.g. 1.'))
      .min(0, problem('must be 0 or more', 'Use 0 for no roles from parent teams, or leave it out for all.'))
      .optional(),
  })
  .superRefine((rbac, ctx) => {
    const extra = rbac.extraPermissions ?? [];
    const names = new Map<string, number>();
    rbac.roles.forEach((role, i) => {
      if (!RbacRole.isRbacRole(role)) {
        return;
      }
      const parsed = rbacRoleOptionsSchema.safeParse(role.options);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          ctx.addIssue({
            code: 'custom',
            path: ['roles', i, ...issue.path],
            message: issue.message,
            params: { nestedValue: { value: valueAt(role.options, issue.path) } },
          });
        }
        return;
      }
      if (names.has(role.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['roles', i, 'name'],
          params: { nestedValue: { value: role.name } },
          message: problem(
            `is the name of roles[${names.get(role.name)}] too`,
            'Give each role its own name, or merge the two.',
          ),
        });
      }
      names.set(role.name, i);
      permissionIssues(role.options.allow, extra, ctx, ['roles', i, 'allow']);
      permissionIssues(role.options.deny, extra, ctx, ['roles', i, 'deny']);
      role.options.conditional?.forEach((grant, j) => {
        permissionIssues(grant.permissions, extra, ctx, ['roles', i, 'conditional', j, 'permissions']);
        grant.permissions.forEach((name, k) => {
          const permission = findPermission(name, extra);
          if (!permission) {
            return;
          }
          const path = ['roles', i, 'conditional', j, 'permissions', k];
          const params = { nestedValue: { value: name } };
          if (!permission.resourceType) {
            ctx.addIssue({
              code: 'custom',
              path,
              params,
              message: problem(
                'is not a resource permission, so no condition can apply to it',
                'Grant it with allow, or pick a resource permission (such as catalog.entity.refresh).',
              ),
            });
          } else if (
            permission.resourceType !== grant.condition.resourceType ||
            permission.pluginId !== grant.condition.pluginId
          ) {
            ctx.addIssue({
              code: 'custom',
              path,
              params,
              message: problem(
                `is about ${permission.resourceType}, the condition about ${grant.condition.resourceType}`,
                'Put each resource type in a grant of its own, with a condition about that type.',
              ),
            });
          } else if (conditionalPermissionFor(permission, extra)?.name !== permission.name) {
            // The plugin stores conditions by action and maps each back to the first
            // resource permission of the plugin with that action.
            ctx.addIssue({
              code: 'custom',
              path,
              params,
              message: problem(
                `shares the action "${permission.action}" with ${conditionalPermissionFor(permission, extra)!.name}, which the RBAC plugin takes for it`,
                'The RBAC plugin keys conditions by action: grant this permission with allow instead.',
              ),
            });
          }
        });
      });
    });
  }) satisfies z.ZodType<RbacOptions>;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    root,
  );
}

/**
 * The permission the RBAC plugin maps a conditional action of this permission's plugin to:
 * the first resource permission of the plugin with that action.
 */
function conditionalPermissionFor(
  permission: KnownPermission,
  extra: readonly ExtraPermission[],
): KnownPermission | undefined {
  const ofPlugin = [...KNOWN_PERMISSIONS, ...extra.map((e) => findPermission(e.name, extra)!)].filter(
    (p) => p.pluginId === permission.pluginId,
  );
  return ofPlugin.find((p) => p.resourceType !== undefined && p.action === permission.action);
}

/** @internal A problem of the RBAC options against the org source, for the Backstage construct's schema. */
export interface RbacOrgProblem {
  readonly path: PropertyKey[];
  readonly message: string;
  /** The offending value, as the error shows it. */
  readonly value: unknown;
}

/**
 * @internal What the org source makes of the RBAC options: roles and admins bound to groups (or
 * users) it does not provide, and a policy that leaves no admin able to administer it.
 */
export function rbacOrgProblems(rbac: RbacOptions, org: OrgSourceData | undefined): RbacOrgProblem[] {
  const out: RbacOrgProblem[] = [];
  const memberProblem = (member: Team | string): string | undefined =>
    Team.isTeam(member) ? org?.groupProblem(member.name) : org?.userProblem?.(member);
  rbac.roles.forEach((role, i) => {
    role.options.members.forEach((member, j) => {
      const why = memberProblem(member);
      if (why) {
        out.push({
          path: ['roles', i, 'members', j],
          value: memberRef(member),
          message: problem(
            `binds the role to ${memberRef(member)}, which the org source does not provide: ${why}`,
            'Bind the role to a group (or user) the org source ingests, under the name it gives it.',
          ),
        });
      }
    });
  });
  const admins = rbac.admins ?? [];
  admins.forEach((admin, k) => {
    const why = memberProblem(admin);
    if (why) {
      out.push({
        path: ['admins', k],
        value: memberRef(admin),
        message: problem(
          `is ${memberRef(admin)}, which the org source does not provide: ${why}`,
          'Name an admin group (or user) the org source ingests.',
        ),
      });
    }
  });
  if ((rbac.superUsers ?? []).length > 0) {
    return out;
  }
  if (admins.length === 0) {
    out.push({
      path: ['admins'],
      value: [],
      message: problem(
        'names nobody, and neither does superUsers: nobody could ever change the roles',
        'Name an admin team in rbac.admins (or a break-glass user in rbac.superUsers).',
      ),
    });
    return out;
  }
  const lockedOut = admins.map((admin) => lockOutReason(admin, rbac, org));
  if (lockedOut.every((why) => why !== undefined)) {
    out.push({
      path: ['admins'],
      value: admins.map(memberRef),
      message: problem(
        `are all locked out of the policy: ${admins.map((a, i) => `${memberRef(a)} ${lockedOut[i]}`).join('; ')}`,
        'Keep at least one admin able to read and change the policy: remove the deny, bind the admin team to people, or add a superUser.',
      ),
    });
  }
  return out;
}

/** Why this admin can never administer the policy, or undefined. */
function lockOutReason(
  admin: Team | string,
  rbac: RbacOptions,
  org: OrgSourceData | undefined,
): string | undefined {
  if (org?.[Team.isTeam(admin) ? 'groupProblem' : 'userProblem']?.(Team.isTeam(admin) ? admin.name : admin)) {
    return 'is not in the org';
  }
  const levels = rbac.maxDepth;
  if (Team.isTeam(admin) && org?.membersOf && org.membersOf(admin.name, levels).length === 0) {
    return 'has no members';
  }
  // The refs whose roles reach the admin: the team and the teams above it (the plugin resolves
  // groups upwards), or the user and the user's teams, where the org knows them.
  const refs = new Set(
    Team.isTeam(admin)
      ? [admin.entityRef, ...(org?.groupsAbove?.(admin.name, levels) ?? []).map((g) => `group:default/${g}`)]
      : [memberRef(admin), ...(org?.groupsOf?.(admin, levels) ?? []).map((g) => `group:default/${g}`)],
  );
  for (const role of rbac.roles) {
    const denied = (role.options.deny ?? []).filter((p) => POLICY_ADMIN_PERMISSIONS.includes(p));
    if (denied.length > 0 && role.options.members.some((m) => refs.has(memberRef(m)))) {
      return `is denied ${denied.join(', ')} by the role "${role.name}"`;
    }
  }
  return undefined;
}

/** The RBAC plugin's files and its app-config. */
export interface RenderedRbac {
  /** The CSV policy file. */
  readonly csv: string;
  /** The conditional-policies file, when a role has conditional grants. */
  readonly conditionalYaml?: string;
  /** The `permission` block of the app-config. */
  readonly appConfig: Record<string, unknown>;
}

/** @internal Renders the roles to the plugin's files and the app-config pointing at them. */
export function renderRbac(rbac: RbacOptions): RenderedRbac {
  const extra = rbac.extraPermissions ?? [];
  const lines: string[] = [];
  const plugins = new Set<string>();
  const conditions: unknown[] = [];
  for (const role of rbac.roles) {
    const { allow = [], deny = [], conditional = [] } = role.options;
    for (const [effect, names] of [
      ['allow', allow],
      ['deny', deny],
    ] as const) {
      for (const name of names) {
        const permission = findPermission(name, extra)!;
        plugins.add(permission.pluginId);
        lines.push(`p, ${role.entityRef}, ${permission.name}, ${permission.action}, ${effect}`);
      }
    }
    for (const member of role.options.members) {
      lines.push(`g, ${memberRef(member)}, ${role.entityRef}`);
    }
    for (const grant of conditional) {
      plugins.add(grant.condition.pluginId);
      conditions.push({
        result: 'CONDITIONAL',
        roleEntityRef: role.entityRef,
        pluginId: grant.condition.pluginId,
        resourceType: grant.condition.resourceType,
        permissionMapping: [...new Set(grant.permissions.map((name) => findPermission(name, extra)!.action))],
        conditions: grant.condition.json,
      });
    }
  }
  const inPlace = (rbac.reload ?? 'in-place') === 'in-place';
  // The plugin asks each of these plugins for its permissions (to map a condition's actions
  // to permission names, and for its UI); the RBAC plugin itself ("permission") is not one.
  const pluginsWithPermission = [...plugins].filter((p) => p !== 'permission').sort();
  const admin = {
    ...((rbac.admins ?? []).length > 0 ? { users: rbac.admins!.map((a) => ({ name: memberRef(a) })) } : {}),
    ...((rbac.superUsers ?? []).length > 0
      ? { superUsers: rbac.superUsers!.map((u) => ({ name: memberRef(u) })) }
      : {}),
  };
  return {
    csv: `${lines.join('\n')}\n`,
    ...(conditions.length > 0
      ? { conditionalYaml: conditions.map((c) => `---\n${toYaml(c)}`).join('') }
      : {}),
    appConfig: {
      permission: {
        enabled: true,
        rbac: {
          'policies-csv-file': `${RBAC_MOUNT_PATH}/${RBAC_POLICY_FILE}`,
          ...(conditions.length > 0
            ? { conditionalPoliciesFile: `${RBAC_MOUNT_PATH}/${RBAC_CONDITIONS_FILE}` }
            : {}),
          policyFileReload: inPlace,
          ...(pluginsWithPermission.length > 0 ? { pluginsWithPermission } : {}),
          ...(Object.keys(admin).length > 0 ? { admin } : {}),
          ...(rbac.maxDepth !== undefined ? { maxDepth: rbac.maxDepth } : {}),
        },
      },
    },
  };
}
