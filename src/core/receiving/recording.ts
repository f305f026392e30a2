import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describeFsError, TicketHooksError } from "../errors.js";
import { bodyMatchesWhere, type WhereClause } from "../events/where.js";
import { isPlainObject, tryParseJson } from "../json.js";
import { DEFAULT_SIGNATURE_HEADER } from "../signing/signature.js";
import { validateEvent } from "../validation/validate.js";
import { recordedBody } from "./exchange.js";
import { findSignature } from "./receive.js";

/** One event read back from a `listen --record` file or a folder of JSON files. */
export interface RecordedEvent {
  /** `file:line` or the file name, for messages. */
  where: string;
  /** Arrival time in ms since the epoch, when recorded. */
  receivedAt: number | null;
  /** The exact bytes that were received. */
  body: Buffer;
  eventType: string | null;
  eventId: string | null;
  /** Whether the event validated when recorded (or now, for folders); null for non-JSON bodies. */
  valid: boolean | null;
  /** Turned away by the listener (404/405/415/413/401/400/422) or cut off by the client. */
  rejected: boolean;
  /** The signature header value as received, if any. */
  signature: string | undefined;
}

export type WarningSink = (message: string) => void;

function fromRecord(
  record: Record<string, unknown>,
  where: string,
  signatureHeader: string,
  line: string,
): RecordedEvent {
  const headers = isPlainObject(record.headers) ? (record.headers as Record<string, string>) : {};
  const sig = isPlainObject(record.signature) ? record.signature : {};
  const named = typeof sig.header === "string" ? headers[sig.header.toLowerCase()] : undefined;
  const validation = isPlainObject(record.validation) ? record.validation : null;
  const at = typeof record.received_at === "string" ? Date.parse(record.received_at) : Number.NaN;
  return {
    where,
    receivedAt: Number.isNaN(at) ? null : at,
    body: recordedBody(record, line),
    eventType: typeof record.event_type === "string" ? record.event_type : null,
    eventId: typeof record.event_id === "string" ? record.event_id : null,
    valid: validation ? validation.valid === true : null,
    rejected: record.rejected === true || record.aborted === true,
    signature: named ?? findSignature(headers, signatureHeader)?.value,
  };
}

/**
 * The lines of a file, pulled from the stream as they are consumed: nothing is read ahead of the
 * consumer (readline's iterator buffers without limit when the consumer is slower than the disk).
 */
async function* fileLines(stream: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream) {
    const text = rest + chunk.toString("utf8");
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      yield text.slice(start, nl > start && text[nl - 1] === "\r" ? nl - 1 : nl);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== "") yield rest;
}

/** Streams a recording line by line (constant memory). Broken or cut lines are skipped with a warning. */
export async function* readRecordingFile(
  file: string,
  warn: WarningSink,
  signatureHeader = DEFAULT_SIGNATURE_HEADER,
): AsyncGenerator<RecordedEvent> {
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (error) =>
      reject(
        new TicketHooksError("UNREADABLE_FILE", `cannot read ${file}: ${describeFsError(error)}`),
      ),
    );
  });
  let n = 0;
  for await (const line of fileLines(stream)) {
    n++;
    if (line.trim() === "") continue;
    const parsed = tryParseJson(line);
    if (!parsed.ok || !isPlainObject(parsed.value) || !("body" in parsed.value)) {
      warn(`${file}:${n}: not a complete recorded request (cut or broken line), skipped`);
      continue;
    }
    yield fromRecord(parsed.value, `${file}:${n}`, signatureHeader, line);
  }
}

/** The *.json files of a folder, by name, each sent as its exact bytes. */
export async function* readEventFolder(
  dir: string,
  warn: WarningSink,
): AsyncGenerator<RecordedEvent> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".json")).sort();
  if (names.length === 0) warn(`${dir} holds no .json files`);
  for (const name of names) {
    const file = join(dir, name);
    const body = await readFile(file);
    const parsed = tryParseJson(body.toString("utf8"));
    if (!parsed.ok) {
      warn(
        `${file}:${parsed.error.line}:${parsed.error.column}: invalid JSON (${parsed.error.message}), skipped`,
      );
      continue;
    }
    const value = isPlainObject(parsed.value) ? parsed.value : {};
    yield {
      where: file,
      receivedAt: null,
      body,
      eventType: typeof value.event_type === "string" ? value.event_type : null,
      eventId: typeof value.event_id === "string" ? value.event_id : null,
      valid: validateEvent(parsed.value).valid,
      rejected: false,
      signature: undefined,
    };
  }
}

/** A recording file or a folder of JSON files. */
export async function readRecorded(
  source: string,
  warn: WarningSink,
  signatureHeader?: string,
): Promise<AsyncGenerator<RecordedEvent>> {
  let isDir: boolean;
  try {
    isDir = (await stat(source)).isDirectory();
  } catch (error) {
    throw new TicketHooksError(
      "UNREADABLE_FILE",
      `cannot read ${source}: ${describeFsError(error)}`,
    );
  }
  return isDir ? readEventFolder(source, warn) : readRecordingFile(source, warn, signatureHeader);
}

export interface RecordFilter {
  /** Event types to keep. */
  events?: ReadonlySet<string> | undefined;
  /** Event ids to keep. */
  ids?: ReadonlySet<string> | undefined;
  /** ms since the epoch, inclusive. */
  since?: number | undefined;
  until?: number | undefined;
  onlyValid?: boolean;
  includeRejected?: boolean;
  /** `--where` clauses the body must match. */
  where?: readonly WhereClause[] | undefined;
}

export function keepRecord(r: RecordedEvent, f: RecordFilter): boolean {
  if (r.rejected && !f.includeRejected) return false;
  if (f.onlyValid && r.valid !== true) return false;
  if (f.events && !(r.eventType !== null && f.events.has(r.eventType))) return false;
  if (f.ids && !(r.eventId !== null && f.ids.has(r.eventId))) return false;
  if (f.since !== undefined && (r.receivedAt === null || r.receivedAt < f.since)) return false;
  if (f.until !== undefined && (r.receivedAt === null || r.receivedAt > f.until)) return false;
  if (f.where && !bodyMatchesWhere(r.body, f.where)) return false;
  return true;
}

/** The error for a source from which not one recorded request could be read. */
export function notARecording(source: string, unreadable: number): TicketHooksError {
  return new TicketHooksError(
    "NOT_A_RECORDING",
    `no recorded request could be read from ${source} (${unreadable} unreadable line(s))`,
    { hint: "Give a file written by `ticket-hooks listen --record`, or a folder of JSON files." },
  );
}
