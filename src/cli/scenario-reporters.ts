import type { DeliveryResult } from "../core/delivery/results.js";
import { safeLine } from "../terminal/safe-text.js";
import { annotationData, annotationProperty, markdownCell, oneLine, xml } from "./reporters.js";

/*
 * A scenario's run as CI tools read it: each delivery a test case (its step, its answer), with
 * the scenario file and the step's line where the scenario is a file (GitHub annotates that
 * line; mikepenz/action-junit-report reads `file` and `line` from JUnit).
 */

export interface ScenarioRun {
  /** The scenario's name (a built-in) or file, as given. */
  name: string;
  /** The file the steps come from, or null for a built-in. */
  file: string | null;
  /** A step's line in the file, by its name (the first step of that name). */
  lines: ReadonlyMap<string, number>;
  results: readonly DeliveryResult[];
  duration_ms: number;
}

/**
 * The line each step of a scenario file starts on (`{"steps": [...]}` or a bare array), keyed by
 * the step names in the file's order (as the scenario names them: `name`, else `stepN`).
 */
export function stepLines(text: string, names: readonly string[]): Map<string, number> {
  const starts: number[] = [];
  let depth = 0;
  // The steps' array: the root itself, or the value of the root's "steps".
  let stepsDepth = text.trimStart().startsWith("[") ? 1 : -1;
  for (const { c, i, line } of outsideStrings(text)) {
    if (c === "}" || c === "]") depth--;
    if (c !== "{" && c !== "[") continue;
    if (depth === stepsDepth) starts.push(line);
    if (
      depth === 1 &&
      stepsDepth === -1 &&
      /"steps"\s*:\s*$/.test(text.slice(Math.max(0, i - 64), i))
    ) {
      stepsDepth = 2;
    }
    depth++;
  }
  return new Map(names.map((name, n) => [name, starts[n] ?? 1]));
}

/** The characters of a JSON text that are not inside a string, with their line. */
function* outsideStrings(text: string): Generator<{ c: string; i: number; line: number }> {
  let line = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\n") line++;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else yield { c, i, line };
  }
}

const caseName = (r: DeliveryResult, i: number) =>
  `${i + 1}. ${r.step ?? "step"} (${r.event_type ?? r.method})`;
function where(run: ScenarioRun, r: DeliveryResult): { file?: string; line?: number } {
  if (run.file === null) return {};
  const base = (r.step ?? "").replace(/ \(chaos copy\)$/, "");
  return { file: run.file, line: run.lines.get(base) ?? 1 };
}

/** JUnit: one suite for the scenario, one case per delivery, `file` and `line` on each. */
export function scenarioJunit(run: ScenarioRun): string {
  const failures = run.results.filter((r) => !r.ok).length;
  const time = (run.duration_ms / 1000).toFixed(3);
  const cases = run.results.map((r, i) => {
    const at = where(run, r);
    const place = at.file ? ` file="${xml(at.file)}" line="${at.line}"` : "";
    const head = `    <testcase classname="ticket-hooks.scenario" name="${xml(caseName(r, i))}" time="${(r.duration_ms / 1000).toFixed(3)}"${place}>`;
    if (r.ok) return `${head}</testcase>`;
    const message = oneLine(r.error ?? `answered ${r.status}`);
    return `${head}\n      <failure message="${xml(message)}" type="delivery">${xml(`${r.error ?? ""}\n${r.response_body ?? ""}`)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ticket-hooks scenario" tests="${run.results.length}" failures="${failures}" errors="0" time="${time}">`,
    `  <testsuite name="${xml(`scenario ${run.name}`)}" tests="${run.results.length}" failures="${failures}" errors="0" skipped="0" time="${time}" timestamp="${new Date().toISOString()}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

/** `::error file=…,line=…,title=…::` for each delivery that failed. */
export function scenarioAnnotations(run: ScenarioRun): string {
  const out = run.results.flatMap((r, i) => {
    if (r.ok) return [];
    const at = where(run, r);
    const place = at.file ? `file=${annotationProperty(at.file)},line=${at.line},` : "";
    const title = annotationProperty(`ticket-hooks scenario ${run.name}: ${caseName(r, i)}`);
    return [
      `::error ${place}title=${title}::${annotationData(oneLine(r.error ?? `answered ${r.status}`))}`,
    ];
  });
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}

/** The run in Markdown: a headline and a table of the deliveries. */
export function scenarioMarkdown(run: ScenarioRun): string {
  const failed = run.results.filter((r) => !r.ok).length;
  const head =
    failed > 0
      ? `❌ ${failed} of ${run.results.length} failed`
      : `✅ all ${run.results.length} passed`;
  return `${[
    `### ticket-hooks scenario ${markdownCell(safeLine(run.name))}: ${head}`,
    "",
    "| step | verdict | status | error |",
    "| --- | --- | --- | --- |",
    ...run.results.map(
      (r, i) =>
        `| ${markdownCell(safeLine(caseName(r, i)))} | ${r.ok ? "✅ pass" : "❌ fail"} | ${r.status ?? "no answer"} | ${markdownCell(oneLine(r.error ?? ""))} |`,
    ),
  ].join("\n")}\n`;
}
