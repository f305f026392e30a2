import { appendFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import { describeFsError, TicketHooksError, usageError } from "../core/errors.js";
import { safeBlock, safeLine } from "../terminal/safe-text.js";
import type { CliIo } from "./io.js";
import type { Output } from "./output.js";

/*
 * Where a report goes: `--reporter KIND[:FILE]`, repeatable, as vitest and jest take them. Each
 * reporter writes its text to its file, or to stdout; at most one may hold stdout (the pretty
 * report steps aside for it). `github` writes workflow annotations (to stdout, else stderr) and
 * appends its Markdown summary to $GITHUB_STEP_SUMMARY when the runner sets it.
 */

export const REPORTER_KINDS = ["pretty", "json", "junit", "github", "markdown"] as const;
export type ReporterKind = (typeof REPORTER_KINDS)[number];

export interface ReporterSpec {
  kind: ReporterKind;
  /** The file it writes (as given), or undefined for the console. */
  file?: string;
}

/** commander's parser for a repeatable --reporter KIND[:FILE]. */
export function collectReporter(
  value: string,
  previous: ReporterSpec[] | undefined,
): ReporterSpec[] {
  const colon = value.indexOf(":");
  const kind = (colon === -1 ? value : value.slice(0, colon)) as ReporterKind;
  const file = colon === -1 ? undefined : value.slice(colon + 1);
  if (!REPORTER_KINDS.includes(kind)) {
    throw new InvalidArgumentError(
      `unknown reporter "${kind}": one of ${REPORTER_KINDS.join(", ")}, each with an optional :FILE`,
    );
  }
  if (file === "")
    throw new InvalidArgumentError(`--reporter ${kind}: give a file after the colon`);
  return [...(previous ?? []), file === undefined ? { kind } : { kind, file }];
}

/**
 * The reporters of a run: those given (pretty when none), `--json` as json on stdout, and the
 * older `--output FILE` as the file of the one reporter given without one.
 */
export function reportersOf(flags: {
  reporter?: ReporterSpec[];
  json?: boolean;
  output?: string;
}): ReporterSpec[] {
  let specs = [...(flags.reporter ?? [])];
  if (flags.json) specs.push({ kind: "json" });
  if (specs.length === 0) specs = [{ kind: "pretty" }];
  if (flags.output) {
    const bare = specs.filter((s) => s.file === undefined && s.kind !== "github");
    const target = bare.find((s) => s.kind !== "pretty") ?? bare[0];
    if (!target) throw usageError("BAD_REPORTER", "--output: every reporter already has its file");
    target.file = flags.output;
    // The console keeps the pretty report when the file takes another one.
    if (target.kind !== "pretty" && !specs.some((s) => s.kind === "pretty"))
      specs.unshift({ kind: "pretty" });
  }
  const onStdout = specs.filter(
    (s) => s.file === undefined && s.kind !== "pretty" && s.kind !== "github",
  );
  if (onStdout.length > 1) {
    throw usageError(
      "BAD_REPORTER",
      `${onStdout.map((s) => s.kind).join(" and ")} cannot both write to stdout: give one a file (--reporter ${onStdout[1]?.kind}:FILE)`,
    );
  }
  const files = specs.filter((s) => s.file !== undefined).map((s) => s.file);
  if (new Set(files).size !== files.length) {
    throw usageError("BAD_REPORTER", "two reporters write the same file: give each its own");
  }
  return specs;
}

/** Whether a reporter other than pretty writes to stdout (then pretty stays off it). */
export function stdoutTaken(specs: readonly ReporterSpec[]): boolean {
  return specs.some((s) => s.file === undefined && s.kind !== "pretty" && s.kind !== "github");
}

/** What a run's reporters write: its text for each kind, and the pretty report on the console. */
export interface Reportable {
  text(kind: ReporterKind): string;
  /** The Markdown summary github appends to $GITHUB_STEP_SUMMARY. */
  summary(): string;
  /** Prints the pretty report on stdout (a command without one leaves it out). */
  pretty?(): void;
}

/**
 * The report, once per reporter: to its file, or to the console. Pretty goes to stdout unless
 * another reporter (or the command's own lines) holds it; github's annotations go to stdout,
 * else stderr, and its summary to $GITHUB_STEP_SUMMARY.
 */
export function writeReports(
  specs: readonly ReporterSpec[],
  report: Reportable,
  out: Pick<Output, "note">,
  io: CliIo,
  /** The command prints its own lines on stdout (scenario's --json). */
  stdoutHeld = false,
): void {
  const taken = stdoutTaken(specs) || stdoutHeld;
  for (const s of specs) {
    if (s.file) {
      writeReportFile(io, s.file, report.text(s.kind));
      out.note(`Report written to ${s.file} (${s.kind})`);
    } else if (s.kind === "github") {
      (taken ? io.stderr : io.stdout).write(report.text("github"));
    } else if (s.kind !== "pretty") {
      io.stdout.write(report.text(s.kind));
    } else if (!taken) {
      report.pretty?.();
    }
    if (s.kind === "github") appendStepSummary(io, report.summary());
  }
}

/** Outside text as one line (a failure's message, an annotation), 300 characters at most. */
export function oneLine(text: string): string {
  const line = safeLine(text).replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** A report's text written to its file; a file that cannot be written is said plainly. */
export function writeReportFile(io: CliIo, shown: string, text: string): void {
  try {
    writeFileSync(resolve(io.cwd, shown), text);
  } catch (error) {
    throw new TicketHooksError("WRITE_FAILED", `cannot write ${shown}: ${describeFsError(error)}`);
  }
}

/** The Markdown summary appended to the job's summary page, when GitHub Actions runs this. */
export function appendStepSummary(io: CliIo, markdown: string): void {
  const file = io.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    appendFileSync(file, `${markdown}\n`);
  } catch (error) {
    throw new TicketHooksError(
      "WRITE_FAILED",
      `cannot append to $GITHUB_STEP_SUMMARY (${file}): ${describeFsError(error)}`,
    );
  }
}

/** A workflow command's data: `%`, CR and LF escaped as the runner reads them. */
export function annotationData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A workflow command's property value: also `:` and `,`. */
export function annotationProperty(text: string): string {
  return annotationData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** Outside text in a Markdown table cell: one line, no markup, no HTML. */
export function markdownCell(text: string): string {
  const cut = text.replace(/\s+/g, " ").slice(0, 300);
  return cut
    .replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c] as string)
    .replace(/[\\`*_[\]|#]/g, (c) => `\\${c}`);
}

/** Outside text in XML: escaped for a terminal first (ESC, C1, bidi shown as \u001b), then for XML. */
export function xml(text: string): string {
  return (
    safeBlock(text)
      .replace(
        /[<>&"']/g,
        (ch) =>
          ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[ch] as string,
      )
      // Characters XML 1.0 cannot hold at all.
      .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, "\uFFFD")
  );
}
