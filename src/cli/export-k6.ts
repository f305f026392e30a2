import { isUtf8 } from "node:buffer";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { builtinScenario, isBuiltin } from "../core/delivery/builtin-scenarios.js";
import { type K6Request, k6Script } from "../core/delivery/k6-script.js";
import { composeScenario, loadScenarioFile } from "../core/delivery/scenario.js";
import { type PlannedStep, planSteps } from "../core/delivery/scenario-run.js";
import { describeFsError, TicketHooksError, usageError } from "../core/errors.js";
import { tryParseJson } from "../core/json.js";
import { newSeed } from "../core/random.js";
import { readRecorded } from "../core/recording/recording.js";
import { VERSION } from "../core/version.js";
import { nodeFiles } from "../io/adapters.js";
import type { CliIo } from "./io.js";
import type { Output } from "./output.js";

/*
 * `export SOURCE… --format k6`: a k6 script from templates (event names, types or files), a
 * scenario (a built-in or a file) or a recording. See core/delivery/k6-script.ts for the script.
 */

export interface K6Flags {
  rate: number;
  duration: string;
  vus: number;
  to?: string;
  signatureHeader: string;
  force?: boolean;
}

type Compose = Parameters<typeof composeScenario>[1];

/** What the sources are: one scenario, one recording, or events. */
async function requestsOf(
  sources: readonly string[],
  compose: Compose,
  out: Output,
): Promise<K6Request[]> {
  const [first] = sources;
  if (sources.length === 1 && first !== undefined) {
    if (isBuiltin(first))
      return fromPlan(builtinScenario(first, { ...compose, seed: newSeed() }), out);
    const kind = existsSync(first) ? fileKind(first) : "events";
    if (kind === "scenario")
      return fromPlan(planSteps(composeScenario(loadScenarioFile(first, nodeFiles), compose)), out);
    if (kind === "recording") return fromRecording(first, out);
  }
  // Event names, types or template files: one step each, in the order given.
  const scenario = {
    name: sources.join(" "),
    steps: sources.map((s, i) => ({ name: `step${i + 1}`, event: s })),
  };
  return fromPlan(planSteps(composeScenario(scenario, compose)), out);
}

/** A JSON array or an object with "steps": a scenario; a recorded line or no JSON: a recording;
 * other JSON: an event. */
function fileKind(file: string): "scenario" | "events" | "recording" {
  const parsed = tryParseJson(nodeFiles.readText(file));
  if (!parsed.ok) return "recording";
  const v = parsed.value as Record<string, unknown> | null;
  if (Array.isArray(v) || (typeof v === "object" && v !== null && "steps" in v)) return "scenario";
  // A recording of one request is one JSON line too.
  return v?.type === "request" && "body_encoding" in v ? "recording" : "events";
}

function fromPlan(plan: readonly PlannedStep[], out: Output): K6Request[] {
  const probes = plan.filter((p) => !p.request).length;
  if (probes > 0) out.warn(`${probes} probe step(s) left out: the k6 script sends events only`);
  return plan.flatMap((p) =>
    p.request
      ? [
          {
            body: String(p.request.body),
            freshId: p.request.eventId,
            label: `step ${p.action.step}`,
          },
        ]
      : [],
  );
}

async function fromRecording(file: string, out: Output): Promise<K6Request[]> {
  const requests: K6Request[] = [];
  let skipped = 0;
  for await (const r of await readRecorded(file, (m) => out.warn(m), nodeFiles)) {
    if (r.rejected) continue;
    if (!isUtf8(r.body)) {
      skipped++;
      continue;
    }
    requests.push({ body: r.body.toString("utf8"), freshId: null, label: r.where });
  }
  if (skipped > 0)
    out.warn(`${skipped} recorded body(ies) not UTF-8 left out: a k6 script holds text`);
  return requests;
}

/** Writes the script into `dir`; says where, and how to run it. */
export async function exportK6(
  sources: readonly string[],
  dir: string,
  flags: K6Flags,
  compose: Compose,
  out: Output,
  _io: CliIo,
): Promise<void> {
  const requests = await requestsOf(sources, compose, out);
  if (requests.length === 0)
    throw usageError("NO_EVENTS", `${sources.join(" ")}: no event to send`);
  const file = join(dir, "ticket-hooks.k6.js");
  if (existsSync(file) && !flags.force) {
    throw usageError("WOULD_OVERWRITE", `${file} exists: --force overwrites it`);
  }
  const text = k6Script(requests, {
    source: sources.join(" "),
    target: flags.to ?? "http://localhost:3000/webhooks",
    signatureHeader: flags.signatureHeader,
    rate: flags.rate,
    duration: flags.duration,
    vus: flags.vus,
    version: VERSION,
  });
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new TicketHooksError("WRITE_FAILED", `cannot write ${file}: ${describeFsError(error)}`);
  }
  if (out.json) out.record({ file, requests: requests.length });
  else out.line(file);
  out.note(
    `${requests.length} request(s) an iteration. Run: k6 run -e TICKET_HOOKS_SECRET=… -e TARGET=URL ${file}`,
  );
}
