import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { systemClock, unixSeconds } from "../core/clock.js";
import { describeFsError, TicketHooksError, usageError } from "../core/errors.js";
import { curlCommand } from "../core/exchanges/curl.js";
import { type HarEntry, harEntry, harLog } from "../core/exchanges/har.js";
import {
  keepRecord,
  notARecording,
  type RecordedEvent,
  type RecordFilter,
  readRecorded,
} from "../core/recording/recording.js";
import { VERSION } from "../core/version.js";
import { nodeFiles } from "../io/adapters.js";
import type { Output } from "./output.js";
import { noteIfPipe } from "./pipes.js";

export type ExportFormat = "json" | "curl" | "har";

export interface FormatExport {
  format: Exclude<ExportFormat, "json">;
  recording: string;
  dir: string;
  filter: RecordFilter;
  /** Where the commands or entries send to. */
  to: string | undefined;
  secret: string | undefined;
  signatureHeader: string;
}

/** A recorded event as a curl command, signed now (or with its recorded signature, no secret). */
function curlOf(
  record: RecordedEvent,
  options: FormatExport,
  to: string,
  timestamp: number,
): string {
  const kept =
    record.signature && !options.secret ? { [options.signatureHeader]: record.signature } : {};
  return curlCommand({
    url: to,
    headers: { "content-type": "application/json", ...kept },
    body: record.body,
    signatureHeader: options.signatureHeader,
    secret: options.secret,
    timestamp,
  });
}

function harOf(
  record: RecordedEvent,
  options: FormatExport,
  to: string,
  timestamp: number,
): HarEntry {
  return harEntry(record, {
    url: to,
    secret: options.secret,
    signatureHeader: options.signatureHeader,
    timestamp,
    creator: { name: "ticket-hooks", version: VERSION },
  });
}

/** A bash script that runs every command, then exits 1 (saying how many) if any failed. */
function curlScript(commands: readonly string[], origin: string): string {
  const n = commands.length;
  return [
    "#!/usr/bin/env bash",
    `# ${n} request(s) ${origin}`,
    "failed=0",
    ...commands.map((command) => `${command} || failed=$((failed + 1))`),
    `if [ "$failed" -gt 0 ]; then echo "$failed of ${n} request(s) failed" >&2; exit 1; fi`,
    "",
  ].join("\n");
}

/**
 * `export --format curl|har`: every kept record as a curl command (`requests.sh`, one per line,
 * signed now) or a HAR 1.2 log (`recording.har`), written into the output folder.
 */
export async function exportFormat(out: Output, options: FormatExport): Promise<void> {
  if (!options.to) {
    throw usageError(
      "MISSING_TARGET",
      `--format ${options.format} needs --to URL: where the requests are to be sent`,
      "e.g. --to http://localhost:3000/webhooks",
    );
  }
  const to = options.to;
  const timestamp = unixSeconds(systemClock);
  let read = 0;
  let unreadable = 0;
  const commands: string[] = [];
  const entries: HarEntry[] = [];
  noteIfPipe(options.recording, out);
  const records = await readRecorded(
    options.recording,
    (m) => {
      unreadable++;
      out.warn(m);
    },
    nodeFiles,
    { signatureHeader: options.signatureHeader },
  );
  for await (const record of records) {
    read++;
    if (!keepRecord(record, options.filter)) continue;
    if (options.format === "curl") commands.push(curlOf(record, options, to, timestamp));
    else entries.push(harOf(record, options, to, timestamp));
  }
  if (read === 0 && unreadable > 0) throw notARecording(options.recording, unreadable);
  const file = join(options.dir, options.format === "curl" ? "requests.sh" : "recording.har");
  const text =
    options.format === "curl"
      ? curlScript(commands, `from ${JSON.stringify(options.recording)}, signed at ${timestamp}`)
      : harLog(entries, { name: "ticket-hooks", version: VERSION });
  try {
    writeFileSync(file, text, { mode: options.format === "curl" ? 0o755 : 0o644 });
  } catch (error) {
    throw new TicketHooksError("WRITE_FAILED", `cannot write ${file}: ${describeFsError(error)}`);
  }
  const count = options.format === "curl" ? commands.length : entries.length;
  out.note(`Wrote ${count} request(s) to ${file}`);
}
