import { join } from "node:path";
import { TicketHooksError } from "../errors.js";
import { bodyMatchesWhere, type WhereClause } from "../events/where.js";
import type { Files } from "../files.js";
import { isPlainObject, tryParseJson } from "../json.js";
import { findSignature } from "../receiving/receive.js";
import { DEFAULT_SIGNATURE_HEADER } from "../signing/signature.js";
import { validateEvent } from "../validation/validate.js";
import {
  BinaryInput,
  DEFAULT_MAX_LINE,
  type FileLine,
  LineSplitter,
  notText,
  refuseBinary,
} from "./lines.js";
import { type RecordedLine, readRecordedLine } from "./recorded-line.js";

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

/**
 * A line that is not a recorded request, in its place among the records of a batch: its warning
 * is given when a reader gets to it, not when its chunk is read (a replay's warnings then come
 * between the requests around them, and an interrupted one warns only of lines it reached).
 */
export interface SkippedLine {
  skipped: string;
}

export type RecordingItem = RecordedEvent | SkippedLine;

export const isSkipped = (item: RecordingItem): item is SkippedLine => "skipped" in item;

function recordedEvent(
  read: RecordedLine,
  where: string,
  signatureHeader: string | null,
): RecordedEvent {
  const record = read.fields;
  const validation = isPlainObject(record.validation) ? record.validation : null;
  const at = typeof record.received_at === "string" ? Date.parse(record.received_at) : Number.NaN;
  return {
    where,
    receivedAt: Number.isNaN(at) ? null : at,
    body: read.body,
    eventType: typeof record.event_type === "string" ? record.event_type : null,
    eventId: typeof record.event_id === "string" ? record.event_id : null,
    valid: validation ? validation.valid === true : null,
    rejected: record.rejected === true || record.aborted === true,
    signature: signatureHeader === null ? undefined : signatureOf(record, signatureHeader),
  };
}

/** The signature header's value as recorded: the one the listener checked, else any that looks like one. */
function signatureOf(record: Record<string, unknown>, signatureHeader: string): string | undefined {
  const headers = isPlainObject(record.headers) ? (record.headers as Record<string, string>) : {};
  const sig = isPlainObject(record.signature) ? record.signature : {};
  const named = typeof sig.header === "string" ? headers[sig.header.toLowerCase()] : undefined;
  return named ?? findSignature(headers, signatureHeader)?.value;
}

/**
 * The lines of a byte stream (see LineSplitter), a chunk's worth at a time (one step per chunk,
 * not one promise per line: replay's hot path); a chunk is read only when the consumer asks for
 * more. A NUL byte ends the reading with an error: a recording is text, so the input is not one
 * (`/dev/zero` would otherwise be read for ever, one endless line).
 */
export async function* lineBatches(
  stream: AsyncIterable<Buffer>,
  maxLine = DEFAULT_MAX_LINE,
): AsyncGenerator<FileLine[]> {
  const splitter = new LineSplitter(maxLine);
  let offset = 0;
  for await (const chunk of stream) {
    refuseBinary(chunk, offset);
    offset += chunk.length;
    const batch = splitter.push(chunk);
    if (batch.length > 0) yield batch;
  }
  const last = splitter.end();
  if (last !== null) yield [last];
}

export interface ReadRecordingOptions {
  signatureHeader?: string | undefined;
  /** Lines longer than this many bytes are skipped with a warning. Default 64 MiB. */
  maxLine?: number | undefined;
  /**
   * Whether each record's signature header is looked for (default true). A replay that signs
   * afresh never reads it: looking through the headers for one is 1–2 µs a line.
   */
  signatures?: boolean | undefined;
}

/** The records of batches one by one, each skipped line's warning given in its place. */
async function* eachOf(
  batches: AsyncIterable<RecordingItem[]>,
  warn: WarningSink,
): AsyncGenerator<RecordedEvent> {
  for await (const batch of batches) {
    for (const item of batch) {
      if (isSkipped(item)) warn(item.skipped);
      else yield item;
    }
  }
}

/** The recorded requests of a stream of recording bytes (`file` names it in messages). */
export function recordedEvents(
  stream: AsyncIterable<Buffer>,
  file: string,
  warn: WarningSink,
  options: ReadRecordingOptions = {},
): AsyncGenerator<RecordedEvent> {
  return eachOf(recordBatches(stream, file, options), warn);
}

/** A line of a recording as an item: its recorded event, a line skipped (and why), or none. */
function itemOf(
  line: FileLine,
  file: string,
  maxLine: number,
  signatureHeader: string | null,
): RecordingItem | null {
  const at = `${file}:${line.number}`;
  if (line.bytes === null) {
    return { skipped: `${at}: line longer than ${maxLine} bytes (--max-line), skipped` };
  }
  const read = readRecordedLine(line.bytes);
  if (read === "blank") return null;
  if (read === null) {
    return { skipped: `${at}: not a complete recorded request (cut or broken line), skipped` };
  }
  return recordedEvent(read, at, signatureHeader);
}

/** recordedEvents, a chunk's worth of lines at a time. */
export async function* recordBatches(
  stream: AsyncIterable<Buffer>,
  file: string,
  options: ReadRecordingOptions = {},
): AsyncGenerator<RecordingItem[]> {
  const maxLine = options.maxLine ?? DEFAULT_MAX_LINE;
  const signatureHeader =
    options.signatures === false ? null : (options.signatureHeader ?? DEFAULT_SIGNATURE_HEADER);
  try {
    for await (const lines of lineBatches(stream, maxLine)) {
      const batch: RecordingItem[] = [];
      for (const line of lines) {
        const item = itemOf(line, file, maxLine, signatureHeader);
        if (item !== null) batch.push(item);
      }
      if (batch.length > 0) yield batch;
    }
  } catch (error) {
    if (!(error instanceof BinaryInput)) throw error;
    throw notText(file, error);
  }
}

async function* onesOf<T>(items: AsyncIterable<T>): AsyncGenerator<T[]> {
  for await (const item of items) yield [item];
}

/** The *.json files of a folder, by name, each sent as its exact bytes. */
export async function* readEventFolder(
  dir: string,
  warn: WarningSink,
  files: Files,
): AsyncGenerator<RecordedEvent> {
  const names = (await files.list(dir)).filter((n) => n.endsWith(".json")).sort();
  if (names.length === 0) warn(`${dir} holds no .json files`);
  for (const name of names) {
    const file = join(dir, name);
    const body = await files.readBytes(file);
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
  files: Files,
  options: ReadRecordingOptions = {},
): Promise<AsyncGenerator<RecordedEvent>> {
  return eachOf(await readRecordedBatches(source, warn, files, options), warn);
}

/**
 * readRecorded, a chunk of a recording (or one file of a folder) at a time: replay's hot path.
 */
export async function readRecordedBatches(
  source: string,
  warn: WarningSink,
  files: Files,
  options: ReadRecordingOptions = {},
): Promise<AsyncGenerator<RecordingItem[]>> {
  return (await files.isFolder(source))
    ? onesOf(readEventFolder(source, warn, files))
    : recordBatches(files.chunks(source), source, options);
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

/** Whether a value is in the set (none, when there is no set to be in). */
const within = (set: ReadonlySet<string> | undefined, value: string | null): boolean =>
  set === undefined || (value !== null && set.has(value));

/** Whether an arrival time is within [since, until] (an unknown time is not, when either is set). */
function inTime(at: number | null, since: number | undefined, until: number | undefined): boolean {
  if (since === undefined && until === undefined) return true;
  return (
    at !== null && (since === undefined || at >= since) && (until === undefined || at <= until)
  );
}

export function keepRecord(r: RecordedEvent, f: RecordFilter): boolean {
  if (r.rejected && !f.includeRejected) return false;
  if (f.onlyValid && r.valid !== true) return false;
  if (!within(f.events, r.eventType) || !within(f.ids, r.eventId)) return false;
  if (!inTime(r.receivedAt, f.since, f.until)) return false;
  return !f.where || bodyMatchesWhere(r.body, f.where);
}

/** The error for a source from which not one recorded request could be read. */
export function notARecording(source: string, unreadable: number): TicketHooksError {
  return new TicketHooksError(
    "NOT_A_RECORDING",
    `no recorded request could be read from ${source} (${unreadable} unreadable line(s))`,
    { hint: "Give a file written by `ticket-hooks listen --record`, or a folder of JSON files." },
  );
}
