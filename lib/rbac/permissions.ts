// The permission names RBAC roles may use: every permission the plugins below define, as
// their published packages define them (createPermission calls read in each package's
// dist/permissions), in one place. A name not here is refused at synth time, unless a role
// set declares it in `extraPermissions` (permissions of plugins of your own).
//
//   @backstage/plugin-catalog-common 1.2.2      (catalog, the plugin id "catalog")
//   @backstage/plugin-scaffolder-common 2.4.0   (scaffolder, "scaffolder")
//   @backstage-community/plugin-rbac-common 1.18.0 (the RBAC plugin's own, "permission")

/** A permission as its plugin defines it. */
export interface KnownPermission {
  /** The permission's name, e.g. `catalog.entity.delete`. */
  readonly name: string;
  /** The backend plugin that defines (and authorizes) it. */
  readonly pluginId: string;
  /** For resource permissions: the resource type, e.g. `catalog-entity`. */
  readonly resourceType?: string;
  /** `attributes.action`; the RBAC plugin calls a permission without one `use`. */
  readonly action: 'create' | 'read' | 'update' | 'delete' | 'use';
}

const catalog = (
  name: string,
  action: KnownPermission['action'],
  resourceType?: string,
): KnownPermission => ({ name, pluginId: 'catalog', action, ...(resourceType ? { resourceType } : {}) });
const scaffolder = (
  name: string,
  action: KnownPermission['action'],
  resourceType?: string,
): KnownPermission => ({ name, pluginId: 'scaffolder', action, ...(resourceType ? { resourceType } : {}) });
const rbac = (name: string, action: KnownPermission['action'], resourceType?: string): KnownPermission => ({
  name,
  pluginId: 'permission',
  action,
  ...(resourceType ? { resourceType } : {}),
});

/** Every permission the library knows, in the order each plugin lists them. */
export const KNOWN_PERMISSIONS: readonly KnownPermission[] = [
  catalog('catalog.entity.read', 'read', 'catalog-entity'),
  catalog('catalog.entity.create', 'create'),
  catalog('catalog.entity.delete', 'delete', 'catalog-entity'),
  catalog('catalog.entity.refresh', 'update', 'catalog-entity'),
  catalog('catalog.entity.validate', 'use'),
  catalog('catalog.location.read', 'read'),
  catalog('catalog.location.create', 'create'),
  catalog('catalog.location.delete', 'delete'),
  catalog('catalog.location.analyze', 'use'),
  catalog('catalog.ingestion.read', 'read'),
  catalog('catalog.ingestion.manage', 'update'),
  scaffolder('scaffolder.action.execute', 'use', 'scaffolder-action'),
  scaffolder('scaffolder.template.parameter.read', 'read', 'scaffolder-template'),
  scaffolder('scaffolder.template.step.read', 'read', 'scaffolder-template'),
  scaffolder('scaffolder.template.dry-run', 'use'),
  scaffolder('scaffolder.task.read', 'read', 'scaffolder-task'),
  scaffolder('scaffolder.task.create', 'create'),
  scaffolder('scaffolder.task.cancel', 'use', 'scaffolder-task'),
  scaffolder('scaffolder.template.management', 'use'),
  rbac('policy.entity.read', 'read', 'policy-entity'),
  rbac('policy.entity.create', 'create'),
  rbac('policy.entity.delete', 'delete', 'policy-entity'),
  rbac('policy.entity.update', 'update', 'policy-entity'),
];

/** The permissions an RBAC administrator needs to change roles and policies. */
export const POLICY_ADMIN_PERMISSIONS: readonly string[] = [
  'policy.entity.read',
  'policy.entity.create',
  'policy.entity.delete',
  'policy.entity.update',
];

/** A permission of another plugin, declared by a role set's `extraPermissions`. */
export interface ExtraPermission {
  /** The permission's name, exactly as its plugin's `createPermission` gives it. */
  readonly name: string;
  /** The plugin id that defines it. */
  readonly pluginId: string;
  /**
   * Its `attributes.action`.
   * @default "use"
   */
  readonly action?: KnownPermission['action'];
  /**
   * Its resource type, for resource permissions.
   * @default - a basic permission
   */
  readonly resourceType?: string;
}

/** The permission of that name, among the known ones and the extra ones. */
export function findPermission(
  name: string,
  extra: readonly ExtraPermission[] = [],
): KnownPermission | undefined {
  const found = KNOWN_PERMISSIONS.find((p) => p.name === name);
  if (found) {
    return found;
  }
  const declared = extra.find((p) => p.name === name);
  return declared
    ? {
        name: declared.name,
        pluginId: declared.pluginId,
        action: declared.action ?? 'use',
        ...(declared.resourceType ? { resourceType: declared.resourceType } : {}),
      }
    : undefined;
}

/** The known permission names closest to a mistyped one (same plugin prefix first), for the fix. */
export function closestPermissions(name: string): string[] {
  const prefix = name.split('.')[0];
  const same = KNOWN_PERMISSIONS.filter((p) => p.name.split('.')[0] === prefix).map((p) => p.name);
  return same.length > 0
    ? same
    : [...new Set(KNOWN_PERMISSIONS.map((p) => p.name.split('.')[0]))].map((p) => `${p}.*`);
}
