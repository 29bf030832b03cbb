// Label selectors (of NetworkPolicies and PodDisruptionBudgets) as synthesized,
// evaluated against a pod template's labels: every match_labels pair, then every
// match_expressions entry (In, NotIn, Exists, DoesNotExist).

import { many, Obj, stringMap, strings } from './stack-model';

/**
 * Whether `selector` (a synthesized `match_labels` / `match_expressions` block) selects
 * pods with `labels`. No selector selects nothing.
 */
export function selects(selector: Obj | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined) {
    return false;
  }
  for (const [key, value] of Object.entries(stringMap(selector.match_labels))) {
    if (labels[key] !== value) {
      return false;
    }
  }
  for (const expression of many(selector.match_expressions)) {
    const key = String(expression.key ?? '');
    const values = strings(expression.values);
    const has = key in labels;
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(labels[key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An operator we cannot evaluate proves nothing.
        return false;
    }
  }
  return true;
}
