import type { Diagnosis } from "../core/check/doctor.js";
import { jsonSafe, safeLine } from "../terminal/safe-text.js";
import type { Paint } from "./output.js";

// How a signature doctor's diagnoses are printed, by `doctor` and inside `check`'s report.

export function prettyDiagnosis(d: Diagnosis, c: Paint): string[] {
  return [
    `${c.red("✗ diagnosis")}  ${c.bold(d.id)}  ${safeLine(d.evidence)}`,
    `        fix: ${safeLine(d.fix)}`,
  ];
}

export function diagnosisRecord(d: Diagnosis): string {
  return jsonSafe(
    JSON.stringify({ type: "diagnosis", id: d.id, evidence: d.evidence, fix: d.fix }),
  );
}
