// The Guardrails report: what was checked in one stack, the result of every check and
// the SOC 2 criteria / ISO 27001:2022 Annex A controls it gives evidence for, as JSON
// (for tooling and audit evidence) and Markdown (for people and pull requests).

import * as fs from 'fs';
import * as path from 'path';

import { GuardrailFinding } from './check-definition';
import { GUARDRAIL_CHECKS, GuardrailCheckId } from './checks';
import { ISO27001_CONTROLS, SOC2_CRITERIA } from './controls';

/** A finding in the report; `waived` holds the exemption's reason when one applies. */
export interface ReportedFinding extends GuardrailFinding {
  readonly waived?: string;
}

/** The result of one check. */
export interface CheckResult {
  readonly id: GuardrailCheckId;
  readonly title: string;
  readonly requirement: string;
  readonly appliesTo: 'all' | 'production';
  /** `fail` when an unwaived finding remains; `not-applicable` when nothing in the stack is in scope. */
  readonly status: 'pass' | 'fail' | 'not-applicable';
  readonly soc2: readonly string[];
  readonly iso27001: readonly string[];
  readonly rationale: string;
  readonly findings: readonly ReportedFinding[];
}

/** The whole report of one stack. */
export interface GuardrailsReport {
  /** Report format version. */
  readonly version: 1;
  readonly stack: string;
  readonly environment: 'production' | 'non-production';
  /** True when no check failed. */
  readonly passed: boolean;
  readonly summary: {
    readonly checks: number;
    readonly passed: number;
    readonly failed: number;
    readonly notApplicable: number;
    readonly violations: number;
    readonly waived: number;
  };
  readonly checks: readonly CheckResult[];
  /** Titles of every control the checks map to. */
  readonly controls: {
    readonly soc2: Readonly<Record<string, string>>;
    readonly iso27001: Readonly<Record<string, string>>;
  };
}

export function buildReport(
  stack: string,
  environment: 'production' | 'non-production',
  outcomes: ReadonlyMap<
    GuardrailCheckId,
    { readonly applicable: boolean; readonly findings: readonly ReportedFinding[] }
  >,
): GuardrailsReport {
  const checks: CheckResult[] = GUARDRAIL_CHECKS.map((check) => {
    const outcome = outcomes.get(check.id) ?? { applicable: false, findings: [] };
    const open = outcome.findings.filter((f) => f.waived === undefined);
    const status: CheckResult['status'] =
      open.length > 0 ? 'fail' : outcome.applicable ? 'pass' : 'not-applicable';
    return {
      id: check.id,
      title: check.title,
      requirement: check.requirement,
      appliesTo: check.appliesTo,
      status,
      soc2: check.soc2,
      iso27001: check.iso27001,
      rationale: check.rationale,
      findings: outcome.findings,
    };
  });
  const used = <T extends string>(key: 'soc2' | 'iso27001', titles: Readonly<Record<string, string>>) =>
    Object.fromEntries(
      [...new Set(GUARDRAIL_CHECKS.flatMap((c) => c[key]))]
        .sort(compareControls)
        .map((id) => [id, titles[id] ?? id]),
    ) as Record<T, string>;
  const all = checks.flatMap((c) => c.findings);
  return {
    version: 1,
    stack,
    environment,
    passed: checks.every((c) => c.status !== 'fail'),
    summary: {
      checks: checks.length,
      passed: checks.filter((c) => c.status === 'pass').length,
      failed: checks.filter((c) => c.status === 'fail').length,
      notApplicable: checks.filter((c) => c.status === 'not-applicable').length,
      violations: all.filter((f) => f.waived === undefined).length,
      waived: all.filter((f) => f.waived !== undefined).length,
    },
    checks,
    controls: { soc2: used('soc2', SOC2_CRITERIA), iso27001: used('iso27001', ISO27001_CONTROLS) },
  };
}

/** Orders control ids naturally: CC6.1 < CC6.6 < CC6.10, A.8.2 < A.8.20. */
function compareControls(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const STATUS: Readonly<Record<CheckResult['status'], string>> = {
  pass: 'pass',
  fail: '**FAIL**',
  'not-applicable': 'n/a',
};

/** The report as Markdown: a summary, the check table with its control mapping, the findings. */
export function renderMarkdown(report: GuardrailsReport): string {
  const lines: string[] = [];
  lines.push(`# Guardrails report: stack \`${report.stack}\` (${report.environment})`);
  lines.push('');
  const s = report.summary;
  lines.push(
    report.passed
      ? `Result: **PASS**. ${s.passed} of ${s.checks} checks passed, ${s.notApplicable} not applicable${s.waived > 0 ? `, ${s.waived} finding(s) waived` : ''}.`
      : `Result: **FAIL**. ${s.violations} violation(s) in ${s.failed} of ${s.checks} checks${s.waived > 0 ? `; ${s.waived} finding(s) waived` : ''}.`,
  );
  lines.push('');
  lines.push('| Check | Applies to | Status | SOC 2 | ISO 27001:2022 Annex A | Violations |');
  lines.push('|---|---|---|---|---|---:|');
  for (const check of report.checks) {
    const open = check.findings.filter((f) => f.waived === undefined).length;
    lines.push(
      `| ${cell(check.title)} (\`${check.id}\`) | ${check.appliesTo === 'all' ? 'all' : 'production'} | ${STATUS[check.status]} | ${check.soc2.join(', ')} | ${check.iso27001.join(', ')} | ${open} |`,
    );
  }
  const withFindings = report.checks.filter((c) => c.findings.length > 0);
  if (withFindings.length > 0) {
    lines.push('');
    lines.push('## Findings');
    for (const check of withFindings) {
      lines.push('');
      lines.push(`### \`${check.id}\`: ${check.title}`);
      lines.push('');
      for (const f of check.findings) {
        lines.push(
          `- \`${f.path}\` (${f.resourceType}): ${f.message}${f.waived !== undefined ? ` *Waived: ${f.waived}*` : ''}`,
        );
      }
    }
  }
  lines.push('');
  lines.push('## Checks');
  lines.push('');
  for (const check of report.checks) {
    lines.push(`- **\`${check.id}\`**: ${check.requirement} ${check.rationale}`);
  }
  lines.push('');
  lines.push('## Controls');
  lines.push('');
  lines.push('| Framework | Control | Title | Checks |');
  lines.push('|---|---|---|---|');
  const byControl = (key: 'soc2' | 'iso27001', id: string) =>
    report.checks
      .filter((c) => c[key].includes(id))
      .map((c) => `\`${c.id}\``)
      .join(', ');
  for (const [id, title] of Object.entries(report.controls.soc2)) {
    lines.push(`| SOC 2 | ${id} | ${cell(title)} | ${byControl('soc2', id)} |`);
  }
  for (const [id, title] of Object.entries(report.controls.iso27001)) {
    lines.push(`| ISO 27001:2022 | ${id} | ${cell(title)} | ${byControl('iso27001', id)} |`);
  }
  lines.push('');
  lines.push(
    "A passing check is evidence for the mapped controls in this stack's configuration; it is not a control assessment. Controls also need process evidence (reviews, monitoring, incident response).",
  );
  lines.push('');
  return lines.join('\n');
}

/** Writes `guardrails-<stack>.json` and `guardrails-<stack>.md` into `dir`; returns both paths. */
export function writeReport(
  report: GuardrailsReport,
  dir: string,
): { readonly json: string; readonly markdown: string } {
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `guardrails-${report.stack.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
  const json = `${base}.json`;
  const markdown = `${base}.md`;
  fs.writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(markdown, renderMarkdown(report));
  return { json, markdown };
}
