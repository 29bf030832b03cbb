import { stringify } from 'yaml';

/**
 * YAML as the programs we configure read it. No line folding (long values such as
 * URLs and Terraform tokens stay on one line) and no anchors (each value is written out).
 */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false, sortMapEntries: false });
}

/**
 * Makes literal `${...}` and `%{...}` survive Terraform: in Terraform JSON strings they
 * are template syntax, so Backstage's own `${ENV_VAR}` substitutions must be written
 * `$${ENV_VAR}`. cdktf tokens (`${TfToken[...]}`) are left alone: cdktf resolves them.
 */
export function escapeTerraformTemplate(text: string): string {
  return text.replace(/\$\{(?!TfToken\[)/g, '$$${').replace(/%\{/g, '%%{');
}
