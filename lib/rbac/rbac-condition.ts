import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import { problem } from '../core/validation';

const BRAND = Symbol.for('cdktf-backstage.RbacCondition');

/** The condition tree the RBAC plugin stores (Backstage's PermissionCriteria of rule conditions). */
export type RbacConditionJson =
  | {
      readonly rule: string;
      readonly resourceType: string;
      readonly params: Readonly<Record<string, unknown>>;
    }
  | { readonly allOf: readonly RbacConditionJson[] }
  | { readonly anyOf: readonly RbacConditionJson[] }
  | { readonly not: RbacConditionJson };

/**
 * When a conditional permission applies, in terms of the rules the plugin that owns the
 * resource defines (the catalog's permission rules, `IS_ENTITY_OWNER` and
 * `IS_ENTITY_KIND`, as `@backstage/plugin-catalog-backend` 4.0.5 defines them). The RBAC
 * plugin hands the condition to that plugin, which applies it to each entity.
 */
export class RbacCondition {
  /**
   * The entity is owned by the caller: by their User entity or one of their groups
   * (the RBAC plugin's `$ownerRefs` alias, replaced by the caller's ownership refs).
   */
  public static isEntityOwner(): RbacCondition {
    return new RbacCondition('catalog', 'catalog-entity', {
      rule: 'IS_ENTITY_OWNER',
      resourceType: 'catalog-entity',
      params: { claims: ['$ownerRefs'] },
    });
  }

  /** The entity is of one of these kinds, e.g. `["Component", "API"]`. */
  public static isEntityKind(kinds: readonly string[]): RbacCondition {
    return new RbacCondition(
      'catalog',
      'catalog-entity',
      { rule: 'IS_ENTITY_KIND', resourceType: 'catalog-entity', params: { kinds: [...kinds] } },
      kinds,
    );
  }

  /** Every condition holds (all of one resource type). */
  public static allOf(...conditions: RbacCondition[]): RbacCondition {
    return RbacCondition.combine('allOf', conditions);
  }

  /** At least one condition holds (all of one resource type). */
  public static anyOf(...conditions: RbacCondition[]): RbacCondition {
    return RbacCondition.combine('anyOf', conditions);
  }

  /** The condition does not hold. */
  public static not(condition: RbacCondition): RbacCondition {
    return new RbacCondition(condition.pluginId, condition.resourceType, { not: condition.json }, undefined, [
      condition,
    ]);
  }

  public static isRbacCondition(value: unknown): value is RbacCondition {
    return isBranded(value, BRAND);
  }

  private static combine(op: 'allOf' | 'anyOf', conditions: RbacCondition[]): RbacCondition {
    const first = conditions[0];
    const json =
      op === 'allOf' ? { allOf: conditions.map((c) => c.json) } : { anyOf: conditions.map((c) => c.json) };
    return new RbacCondition(
      first?.pluginId ?? 'catalog',
      first?.resourceType ?? 'catalog-entity',
      json,
      undefined,
      conditions,
    );
  }

  private constructor(
    /** The plugin that owns the resource and its rules. */
    public readonly pluginId: string,
    /** The resource type the condition is about, e.g. `catalog-entity`. */
    public readonly resourceType: string,
    /** The condition as the RBAC plugin's conditional-policies file has it. */
    public readonly json: RbacConditionJson,
    /** @internal */
    public readonly kinds?: readonly string[],
    /** @internal */
    public readonly children: readonly RbacCondition[] = [],
  ) {
    brand(this, BRAND);
  }
}

/** @internal A condition, with its parts checked (one resource type, no empty lists). */
export const rbacConditionSchema = z
  .custom<RbacCondition>(
    (value) => RbacCondition.isRbacCondition(value),
    problem(
      'must be an RbacCondition',
      'Use RbacCondition.isEntityOwner(), .isEntityKind([...]), .allOf(...), .anyOf(...) or .not(...).',
    ),
  )
  .superRefine((condition, ctx) => {
    const walk = (c: RbacCondition): void => {
      if (('allOf' in c.json || 'anyOf' in c.json) && c.children.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: problem('combines no conditions', 'Give allOf/anyOf at least one condition.'),
          params: { nestedValue: { value: c.json } },
        });
      }
      if (c.kinds && (c.kinds.length === 0 || c.kinds.some((k) => !/^[A-Za-z][A-Za-z0-9]*$/.test(k)))) {
        ctx.addIssue({
          code: 'custom',
          message: problem(
            'must name entity kinds such as "Component"',
            'Give at least one kind, each a word of letters and digits.',
          ),
          params: { nestedValue: { value: c.kinds } },
        });
      }
      for (const child of c.children) {
        if (child.resourceType !== c.resourceType) {
          ctx.addIssue({
            code: 'custom',
            message: problem(
              `mixes the resource types ${c.resourceType} and ${child.resourceType}`,
              'Combine only conditions about one resource type.',
            ),
            params: { nestedValue: { value: child.resourceType } },
          });
        }
        walk(child);
      }
    };
    walk(condition);
  });
