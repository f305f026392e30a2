import type { CaseResult, CheckReport, CheckSummary, RootCause } from "../core/check/report.js";
import { jsonSafe, safeLine } from "../terminal/safe-text.js";
import { diagnosisRecord, prettyDiagnosis } from "./diagnoses.js";
import type { Paint } from "./output.js";
import { annotationData, annotationProperty, markdownCell, oneLine, xml } from "./reporters.js";

/** A case's lines; `got` quotes the receiver's answer, so the text passes the sanitiser. */
export function prettyCase(r: CaseResult, c: Paint): string[] {
  const mark = {
    pass: c.green("✓ pass"),
    fail: c.red("✗ FAIL"),
    skip: c.dim("- skip"),
    warn: c.yellow("! warn"),
    inconclusive: c.yellow("? inconclusive"),
  }[r.status];
  const lines = [
    `${mark}  ${c.bold(r.id)}  ${safeLine(`${r.title}: expected ${r.expected}, got ${r.got}`)}`,
  ];
  // Under a root cause, the case points at it: the report says it once, above the cases.
  if (r.root_cause !== undefined) lines.push(`        ${c.dim("↑ see the root cause above")}`);
  else if (r.fix && r.status !== "pass")
    lines.push(
      `        ${r.status === "skip" ? c.dim(safeLine(r.fix)) : r.status === "inconclusive" ? safeLine(r.fix) : `fix: ${safeLine(r.fix)}`}`,
    );
  return lines;
}

/**
 * The root-cause section the report leads with: why many cases fail or prove nothing. A later
 * diagnosis (e.g. of the signature) adds its lines to `RootCause.details`.
 */
export function prettyRootCauses(causes: readonly RootCause[], c: Paint): string[] {
  return causes.flatMap((cause) => [
    `${c.red("Root cause:")} ${safeLine(cause.message)}`,
    ...cause.details.map((d) => `  ${safeLine(d)}`),
    "",
  ]);
}

export function prettySummary(s: CheckSummary, c: Paint, interrupted = false): string {
  const verdict =
    s.failed > 0
      ? c.red(`${s.failed} failed`)
      : s.inconclusive > 0
        ? c.yellow(`${s.inconclusive} inconclusive`)
        : interrupted
          ? c.yellow("interrupted")
          : c.green("all passed");
  return `${verdict} — ${s.passed} passed, ${s.failed} failed, ${s.inconclusive} inconclusive, ${s.skipped} skipped, ${s.warnings} warning(s) in ${s.duration_ms} ms${interrupted ? " (interrupted: the cases not run are not counted)" : ""}`;
}

/** The whole pretty report: root cause first, then each case, then the summary. */
export function prettyReport(report: CheckReport, c: Paint): string[] {
  return [
    ...prettyRootCauses(report.rootCauses, c),
    ...(report.diagnoses ?? []).flatMap((d) => [...prettyDiagnosis(d, c), ""]),
    ...report.results.flatMap((r) => prettyCase(r, c)),
    prettySummary(report.summary, c, report.interrupted),
  ];
}

export function jsonLines(report: CheckReport): string {
  return `${[
    ...report.rootCauses.map((r) => jsonSafe(JSON.stringify({ type: "root_cause", ...r }))),
    ...(report.diagnoses ?? []).map((d) => jsonSafe(diagnosisRecord(d))),
    ...report.results.map((r) => jsonSafe(JSON.stringify({ type: "case", ...r }))),
    jsonSafe(
      JSON.stringify({ type: "summary", ...report.summary, interrupted: report.interrupted }),
    ),
  ].join("\n")}\n`;
}

/**
 * A JUnit XML report (valid against Jenkins' junit-10.xsd): one testcase per case; failures carry
 * the answer and the fix; an inconclusive case is a failure whose message says so; the root cause
 * leads, as the suite's system-out.
 */
export function junit(report: CheckReport, target: string): string {
  const { results, summary, rootCauses } = report;
  const cases = results.map((r) => {
    const head = `    <testcase classname="ticket-hooks.check" name="${xml(`${r.id}: ${r.title}`)}" time="${(r.duration_ms / 1000).toFixed(3)}">`;
    if (r.status === "fail") {
      return `${head}\n      <failure message="${xml(oneLine(`expected ${r.expected}, got ${r.got}`))}" type="${xml(r.id)}">${xml(`expected ${r.expected}, got ${r.got}\nfix: ${r.fix ?? ""}`)}</failure>\n    </testcase>`;
    }
    if (r.status === "inconclusive") {
      return `${head}\n      <failure message="${xml(oneLine(r.fix ?? "inconclusive"))}" type="inconclusive">${xml(`expected ${r.expected}, got ${r.got}\n${r.fix ?? ""}`)}</failure>\n    </testcase>`;
    }
    if (r.status === "skip")
      return `${head}\n      <skipped message="${xml(r.fix ?? "skipped")}"/>\n    </testcase>`;
    if (r.status === "warn")
      return `${head}\n      <system-out>${xml(`warning: ${r.got}\n${r.fix ?? ""}`)}</system-out>\n    </testcase>`;
    return `${head}</testcase>`;
  });
  const failures = summary.failed + summary.inconclusive;
  const time = (summary.duration_ms / 1000).toFixed(3);
  const causes = rootCauses.map(
    (c) =>
      `    <system-out>${xml(`root cause: ${c.message}\n${c.details.join("\n")}`)}</system-out>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ticket-hooks check" tests="${summary.total}" failures="${failures}" errors="0" time="${time}">`,
    `  <testsuite name="${xml(`webhook receiver ${target}`)}" tests="${summary.total}" failures="${failures}" errors="0" skipped="${summary.skipped}" time="${time}" timestamp="${new Date().toISOString()}">`,
    ...causes,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

const VERDICT: Record<CaseResult["status"], string> = {
  pass: "✅ pass",
  fail: "❌ fail",
  inconclusive: "⚠️ inconclusive",
  skip: "➖ skip",
  warn: "⚠️ warn",
};

/** The run's headline: what failed, or that all passed. */
function headline(summary: CheckSummary, interrupted: boolean): string {
  if (summary.failed > 0) return `❌ ${summary.failed} of ${summary.total} failed`;
  if (summary.inconclusive > 0) return `⚠️ ${summary.inconclusive} inconclusive`;
  return interrupted ? "⚠️ interrupted" : `✅ all ${summary.passed} passed`;
}

/** The root causes and the doctor's diagnoses, in Markdown. */
function markdownCauses(report: CheckReport): string[] {
  const lines: string[] = [];
  for (const cause of report.rootCauses) {
    lines.push(`**Root cause:** ${markdownCell(safeLine(cause.message))}`, "");
    lines.push(...cause.details.map((d) => `- ${markdownCell(safeLine(d))}`));
    if (cause.details.length > 0) lines.push("");
  }
  for (const d of report.diagnoses ?? []) {
    lines.push(`**Diagnosis \`${d.id}\`:** ${markdownCell(safeLine(d.evidence))}`, "");
    lines.push(`**Fix:** ${markdownCell(safeLine(d.fix))}`, "");
  }
  return lines;
}

function markdownRow(r: CaseResult): string {
  const fix = r.status === "pass" ? "" : r.root_cause ? "see the root cause" : (r.fix ?? "");
  const cells = [r.id, VERDICT[r.status], r.expected, r.got, fix];
  return `| ${cells.map((c, i) => (i === 1 ? c : markdownCell(safeLine(c)))).join(" | ")} |`;
}

/**
 * The report in Markdown (a job summary, a merge-request note): the root cause first, the
 * doctor's diagnosis and its fix, then a table of the cases. Outside text is one line, no markup.
 */
export function markdownReport(report: CheckReport, target: string): string {
  const { summary: s } = report;
  return `${[
    `### ticket-hooks check: ${headline(s, report.interrupted)}`,
    "",
    `Receiver ${markdownCell(safeLine(target))} · ${s.passed} passed, ${s.failed} failed, ${s.inconclusive} inconclusive, ${s.skipped} skipped, ${s.warnings} warning(s) in ${s.duration_ms} ms`,
    "",
    ...markdownCauses(report),
    "| case | verdict | expected | got | fix |",
    "| --- | --- | --- | --- | --- |",
    ...report.results.map(markdownRow),
  ].join("\n")}\n`;
}

function annotation(r: CaseResult): string | null {
  const level =
    r.status === "fail" || r.status === "inconclusive"
      ? "error"
      : r.status === "warn"
        ? "warning"
        : null;
  if (!level) return null;
  const what = { inconclusive: "inconclusive", warn: "warning" }[r.status as string] ?? "failed";
  const fix = r.root_cause ? "see the root cause" : (r.fix ?? "");
  const message = `${r.title}: expected ${r.expected}, got ${r.got}${fix ? `. Fix: ${fix}` : ""}`;
  return `::${level} title=${annotationProperty(`ticket-hooks check: ${r.id} ${what}`)}::${annotationData(safeLine(message))}`;
}

/** One `::error` workflow annotation per failed or inconclusive case (`::warning` for a warning). */
export function githubAnnotations(report: CheckReport): string {
  const out = [
    ...report.rootCauses.map(
      (c) =>
        `::error title=${annotationProperty("ticket-hooks check: root cause")}::${annotationData(safeLine(c.message))}`,
    ),
    ...report.results.map(annotation).filter((a): a is string => a !== null),
  ];
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}
