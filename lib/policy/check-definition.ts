// What a Guardrails check is: its row in the check table (what is checked, and which
// SOC 2 criteria and ISO/IEC 27001:2022 Annex A controls it gives evidence for) and the
// function that evaluates it on the stack model. Each check is one file in checks/,
// listed once in the registry (checks.ts).

import type { GuardrailCheckId } from './checks';
import type { InspectedResource, StackModel } from './stack-model';

/** One row of the check table. */
export interface GuardrailCheck {
  readonly id: GuardrailCheckId;
  /** Short name, for tables. */
  readonly title: string;
  /** What passes. */
  readonly requirement: string;
  /** Environments the check applies to. */
  readonly appliesTo: 'all' | 'production';
  /** AICPA Trust Services Criteria (2017, points of focus revised 2022). */
  readonly soc2: readonly string[];
  /** ISO/IEC 27001:2022 Annex A controls. */
  readonly iso27001: readonly string[];
  /** Why these controls: what the check gives evidence for. */
  readonly rationale: string;
}

/** A problem found by a check. */
export interface GuardrailFinding {
  readonly check: GuardrailCheckId;
  /** Construct path of the offending resource. */
  readonly path: string;
  readonly resourceType: string;
  /** What is wrong and how to fix it (never contains a secret value). */
  readonly message: string;
}

/** @internal The outcome of one check. */
export interface CheckOutcome {
  /** False when nothing the check looks at exists in the stack. */
  readonly applicable: boolean;
  readonly findings: readonly GuardrailFinding[];
}

/**
 * A check: its table row, with the id as a literal type (the registry derives
 * GuardrailCheckId from these), and its evaluator.
 */
export interface CheckDefinition<Id extends string = string> extends Omit<GuardrailCheck, 'id'> {
  readonly id: Id;
  /**
   * @internal Evaluates the check on a stack. Write it with its parameter and return
   * types (`evaluate(model: StackModel): CheckOutcome`): inferred, they would depend on
   * GuardrailCheckId, which is derived from the checks themselves, and TypeScript
   * refuses that circle.
   */
  evaluate(model: StackModel): CheckOutcome;
}

/** @internal Declares a check, keeping its id as a literal type. */
export function defineCheck<const Id extends string>(check: CheckDefinition<Id>): CheckDefinition<Id> {
  return check;
}

/** @internal A finding of `check` on `resource`. */
export function finding(check: GuardrailCheckId, resource: InspectedResource, message: string): GuardrailFinding {
  return { check, path: resource.path, resourceType: resource.type, message };
}
