import { App, IAspect, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import * as path from 'path';

import { PropsValidationError } from '../core/errors';
import { formatValue } from '../core/validation';
import { CHECKS, GUARDRAIL_CHECKS, GuardrailCheckId } from './checks';
import { buildReport, GuardrailsReport, ReportedFinding, writeReport } from './report';
import { InspectedResource, StackModel } from './stack-model';

/** A finding accepted on purpose, with the reason recorded in the report. */
export interface GuardrailExemption {
  /** The check to waive. */
  readonly check: GuardrailCheckId;
  /** Construct path of the resource, or of a construct above it (e.g. `portal-prod/portal/Backstage`). */
  readonly path: string;
  /** Why the finding is accepted (who decided, until when); printed in the report. */
  readonly reason: string;
}

export interface GuardrailsProps {
  /** Production adds the availability checks (replicas, PodDisruptionBudgets). */
  readonly environment: 'production' | 'non-production';
  /**
   * Directory for `guardrails-<stack>.json` and `guardrails-<stack>.md`.
   * @default - the stack's synth directory, `<app outdir>/stacks/<stack>`
   */
  readonly reportDir?: string;
  /**
   * Findings to accept (reported as waived, synth does not fail on them).
   * @default - none
   */
  readonly exemptions?: readonly GuardrailExemption[];
}

const CHECK_IDS = new Set<string>(GUARDRAIL_CHECKS.map((c) => c.id));

function validateGuardrailsProps(props: GuardrailsProps): void {
  const problems: string[] = [];
  const at = (prop: string, what: string, value: unknown, fix: string) =>
    problems.push(`[Guardrails] ${prop}: ${what}, got ${formatValue(value)}. ${fix}`);
  if (props.environment !== 'production' && props.environment !== 'non-production') {
    at(
      'environment',
      'must be "production" or "non-production"',
      props.environment,
      'Production adds the replica and PodDisruptionBudget checks.',
    );
  }
  if (
    props.reportDir !== undefined &&
    (typeof props.reportDir !== 'string' || props.reportDir.trim() === '')
  ) {
    at(
      'reportDir',
      'must be a directory path',
      props.reportDir,
      "Give a path, or leave it out to write next to the stack's cdk.tf.json.",
    );
  }
  (props.exemptions ?? []).forEach((exemption, index) => {
    if (!CHECK_IDS.has(exemption.check)) {
      at(
        `exemptions[${index}].check`,
        'is not a Guardrails check',
        exemption.check,
        `Use one of ${[...CHECK_IDS].join(', ')}.`,
      );
    }
    if (typeof exemption.path !== 'string' || exemption.path.trim() === '') {
      at(
        `exemptions[${index}].path`,
        'must be a construct path',
        exemption.path,
        'Copy it from the finding, e.g. "portal-prod/portal/Backstage/Deployment".',
      );
    }
    if (typeof exemption.reason !== 'string' || exemption.reason.trim().length < 10) {
      at(
        `exemptions[${index}].reason`,
        'must say why the finding is accepted',
        exemption.reason,
        'Write who accepted it and why (at least 10 characters); auditors read it.',
      );
    }
  });
  if (problems.length > 0) {
    throw new PropsValidationError(problems);
  }
}

/** Every Terraform resource of the stack as it synthesizes (overrides applied, tokens resolved). */
function inspect(stack: TerraformStack): InspectedResource[] {
  const rendered = stack.toTerraform() as {
    resource?: Record<string, Record<string, Record<string, unknown>>>;
  };
  const resources: InspectedResource[] = [];
  for (const [type, byId] of Object.entries(rendered.resource ?? {})) {
    for (const [logicalId, { ['//']: meta, ...attributes }] of Object.entries(byId)) {
      const constructPath = (meta as { metadata?: { path?: unknown } } | undefined)?.metadata?.path;
      resources.push({
        type,
        path: typeof constructPath === 'string' ? constructPath : `${stack.node.path}/${logicalId}`,
        attributes,
        address: `${type}.${logicalId}`,
      });
    }
  }
  return resources;
}

function exempted(
  exemptions: readonly GuardrailExemption[],
  check: GuardrailCheckId,
  constructPath: string,
): GuardrailExemption | undefined {
  return exemptions.find(
    (e) => e.check === check && (constructPath === e.path || constructPath.startsWith(`${e.path}/`)),
  );
}

/**
 * A cdktf Aspect that checks every resource of a stack, as synthesized, against the
 * portal's security and availability rules, fails synth with the full list of
 * violations (each with its construct path), and writes a JSON and Markdown report that
 * maps each check to SOC 2 criteria and ISO 27001:2022 Annex A controls.
 *
 * ```ts
 * Aspects.of(stack).add(new Guardrails({ environment: 'production' }));
 * ```
 *
 * Add it to each stack (cdktf applies aspects from the stack down, not from the App).
 *
 * It works from the Terraform attributes (`kubernetes_ingress_v1`, `kubernetes_deployment_v1`,
 * `helm_release`, ...), so hand-written provider resources are checked like the library's.
 */
export class Guardrails implements IAspect {
  /** The last report of each stack checked. */
  public readonly reports = new Map<string, GuardrailsReport>();
  private readonly registered = new WeakSet<TerraformStack>();

  constructor(public readonly props: GuardrailsProps) {
    validateGuardrailsProps(props);
  }

  public visit(node: IConstruct): void {
    // Added to a stack, the first node visited is the stack; added lower down, the aspect
    // still checks the whole stack the construct is in.
    const stack = TerraformStack.isStack(node) ? node : TerraformStack.of(node);
    if (this.registered.has(stack)) {
      return;
    }
    this.registered.add(stack);
    // Evaluated when cdktf validates the stack: after every construct and aspect has
    // done its work, so the resources are judged as they will be written.
    stack.node.addValidation({ validate: () => this.check(stack) });
  }

  /** Runs every check on the stack, writes the report, and returns one line per violation. */
  public check(stack: TerraformStack): string[] {
    const model = new StackModel(inspect(stack), this.props.environment);
    const exemptions = this.props.exemptions ?? [];
    const outcomes = new Map<GuardrailCheckId, { applicable: boolean; findings: ReportedFinding[] }>();
    for (const check of CHECKS) {
      if (check.appliesTo === 'production' && this.props.environment !== 'production') {
        outcomes.set(check.id, { applicable: false, findings: [] });
        continue;
      }
      const outcome = check.evaluate(model);
      outcomes.set(check.id, {
        applicable: outcome.applicable,
        findings: outcome.findings.map((f) => {
          const exemption = exempted(exemptions, f.check, f.path);
          return exemption ? { ...f, waived: exemption.reason } : f;
        }),
      });
    }
    const stackName = stack.node.id;
    const report = buildReport(stackName, this.props.environment, outcomes);
    this.reports.set(stackName, report);
    writeReport(report, this.props.reportDir ?? path.join(App.of(stack).outdir, 'stacks', stackName));
    return report.checks.flatMap((check) =>
      check.findings.filter((f) => f.waived === undefined).map((f) => `[${f.path}] ${f.check}: ${f.message}`),
    );
  }
}
