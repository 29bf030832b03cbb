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
  /** @internal Evaluates the check on a stack. */
  evaluate(model: StackModel): CheckOutcome;
}

/** @internal Where a check reports a finding: the offending resource and what is wrong with it. */
export type ReportFinding = (resource: InspectedResource, message: string) => void;

/** @internal What a check file declares: its table row and how it inspects a stack. */
export interface CheckDeclaration<Id extends string> extends Omit<GuardrailCheck, 'id'> {
  readonly id: Id;
  /**
   * Reports each finding on the stack, and says whether the check applied at all (false
   * when nothing it looks at exists). Its types come from here: nothing in it depends on
   * GuardrailCheckId (derived from the checks themselves), so `inspect(model, report)` needs
   * no annotations; the id is stamped on each finding by {@link defineCheck}.
   */
  inspect(model: StackModel, report: ReportFinding): boolean;
}

/**
 * @internal Declares a check, keeping its id as a literal type. The findings are
 * collected here, each stamped with the check's id and the resource's path and type.
 */
export function defineCheck<const Id extends string>(declaration: CheckDeclaration<Id>): CheckDefinition<Id> {
  const { inspect, ...row } = declaration;
  // One of GuardrailCheckId by construction: the registry derives that union from these ids.
  const check = row.id as string as GuardrailCheckId;
  return {
    ...row,
    evaluate(model: StackModel): CheckOutcome {
      const findings: GuardrailFinding[] = [];
      const applicable = inspect(model, (resource, message) =>
        findings.push({ check, path: resource.path, resourceType: resource.type, message }),
      );
      return { applicable, findings };
    },
  };
}
