// Case conversion, in one place.

/**
 * `camelCase` (or any mix of words) to `snake_case`: "nodeSelector" → "node_selector",
 * "portal-prod" → "portal_prod". Terraform attribute names and logical ids use it.
 */
export function snakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}
