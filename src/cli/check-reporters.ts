import type { Diagnosis } from "../core/check/doctor.js";
import type { CaseResult, CheckSummary } from "../core/check/run.js";
import { jsonSafe, safeBlock, safeLine } from "../terminal/safe-text.js";
import { diagnosisRecord } from "./diagnoses.js";
import type { Paint } from "./output.js";

/** A case's lines; `got` quotes the receiver's answer, so the text passes the sanitiser. */
export function prettyCase(r: CaseResult, c: Paint): string[] {
  const mark = {
    pass: c.green("✓ pass"),
    fail: c.red("✗ FAIL"),
    skip: c.dim("- skip"),
    warn: c.yellow("! warn"),
  }[r.status];
  const lines = [
    `${mark}  ${c.bold(r.id)}  ${safeLine(`${r.title}: expected ${r.expected}, got ${r.got}`)}`,
  ];
  if (r.fix && r.status !== "pass")
    lines.push(
      `        ${r.status === "skip" ? c.dim(safeLine(r.fix)) : `fix: ${safeLine(r.fix)}`}`,
    );
  return lines;
}

export function prettySummary(s: CheckSummary, c: Paint): string {
  const verdict = s.failed > 0 ? c.red(`${s.failed} failed`) : c.green("all passed");
  return `${verdict} — ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped, ${s.warnings} warning(s) in ${s.duration_ms} ms`;
}

export function jsonLines(
  results: readonly CaseResult[],
  summary: CheckSummary,
  diagnoses: readonly Diagnosis[] = [],
): string {
  return `${[...results.map((r) => jsonSafe(JSON.stringify({ type: "case", ...r }))), ...diagnoses.map((d) => jsonSafe(diagnosisRecord(d))), jsonSafe(JSON.stringify({ type: "summary", ...summary }))].join("\n")}\n`;
}

// Escaped for a terminal first (ESC, C1 and bidi controls shown as \u001b), then for XML.
const xml = (s: string) =>
  safeBlock(s)
    .replace(
      /[<>&"']/g,
      (ch) =>
        ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[ch] as string,
    )
    // Characters XML 1.0 cannot hold at all.
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, "\uFFFD");

/** A JUnit XML report: one testcase per case; failures carry the answer and the fix. */
export function junit(
  results: readonly CaseResult[],
  summary: CheckSummary,
  target: string,
): string {
  const cases = results.map((r) => {
    const head = `    <testcase classname="ticket-hooks.check" name="${xml(`${r.id}: ${r.title}`)}" time="${(r.duration_ms / 1000).toFixed(3)}">`;
    if (r.status === "fail") {
      return `${head}\n      <failure message="${xml(`expected ${r.expected}, got ${r.got}`)}" type="${xml(r.id)}">${xml(`expected ${r.expected}, got ${r.got}\nfix: ${r.fix ?? ""}`)}</failure>\n    </testcase>`;
    }
    if (r.status === "skip")
      return `${head}\n      <skipped message="${xml(r.fix ?? "skipped")}"/>\n    </testcase>`;
    if (r.status === "warn")
      return `${head}\n      <system-out>${xml(`warning: ${r.got}\n${r.fix ?? ""}`)}</system-out>\n    </testcase>`;
    return `${head}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ticket-hooks check" tests="${summary.total}" failures="${summary.failed}" skipped="${summary.skipped}" time="${(summary.duration_ms / 1000).toFixed(3)}">`,
    `  <testsuite name="${xml(`webhook receiver ${target}`)}" tests="${summary.total}" failures="${summary.failed}" errors="0" skipped="${summary.skipped}" time="${(summary.duration_ms / 1000).toFixed(3)}" timestamp="${new Date().toISOString()}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
