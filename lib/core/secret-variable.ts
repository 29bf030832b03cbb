import { TerraformVariable } from 'cdktf';
import * as z from 'zod';

import { problem } from './validation';

// A Terraform variable may carry a secret (a Kubernetes Secret's value, a chart mirror's
// password) only when Terraform keeps it out of plans and logs (`sensitive`) and the code
// holds no value of it (no `default`: that would be written into the synthesized JSON).

/** Why `variable` cannot carry a secret, with a stand-in for its offending setting; none when it can. */
export function secretVariableProblem(
  variable: TerraformVariable,
): { readonly what: string; readonly got: unknown; readonly fix: string } | undefined {
  if (variable.sensitive !== true) {
    return {
      what: `variable "${variable.node.id}" is not declared sensitive`,
      got: { sensitive: variable.sensitive ?? false },
      fix: 'Declare it with `sensitive: true` so Terraform never prints its value in plans or logs.',
    };
  }
  if (variable.default !== undefined) {
    return {
      what: `variable "${variable.node.id}" has a default value`,
      got: { default: '(hidden)' },
      fix: 'Remove the default: a secret comes from TF_VAR_<name> at deploy time, never from the code.',
    };
  }
  return undefined;
}

const JSII_RTTI = Symbol.for('jsii.rtti');

/**
 * True for a TerraformVariable of any copy of cdktf: an app may load another copy than this
 * library does (a nested node_modules), and `instanceof` would refuse its variables. cdktf's
 * classes carry their jsii type name (`cdktf.TerraformVariable`), the same in every copy.
 */
export function isTerraformVariable(value: unknown): value is TerraformVariable {
  // A subclass inherits the static type name too.
  const type =
    value !== null && typeof value === 'object'
      ? (value as { constructor?: { [JSII_RTTI]?: { fqn?: string } } }).constructor?.[JSII_RTTI]
      : undefined;
  return type?.fqn === 'cdktf.TerraformVariable';
}

/**
 * @internal A prop that takes a secret as a TerraformVariable: refused as anything else (a
 * plain value is never shown) and unless {@link secretVariableProblem} finds nothing.
 */
export function secretVariableSchema(what: string) {
  return z
    .custom<TerraformVariable>(
      (v) => isTerraformVariable(v),
      problem(
        `must be a sensitive TerraformVariable holding the ${what}`,
        'Declare `new TerraformVariable(stack, "name", { type: "string", sensitive: true })` and fill it from TF_VAR_name at deploy time; a value written here would sit in the code and the synthesized JSON.',
        { redact: true },
      ),
    )
    .superRefine((variable, ctx) => {
      const found = secretVariableProblem(variable);
      if (found) {
        // The setting at fault is shown, not the variable (which would print as "a TerraformVariable").
        ctx.addIssue({
          code: 'custom',
          message: problem(found.what, found.fix),
          params: { nestedValue: { value: found.got } },
        });
      }
    });
}
