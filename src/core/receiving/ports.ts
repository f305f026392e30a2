// What the listener needs from the outside world. Declared here, implemented in io/ (node:http,
// the file system, undici): the core never imports an adapter.
import type { HeaderMap, IncomingRequest } from "./receive.js";

/** The answer the HTTP adapter writes for a request. */
export interface HttpReply {
  status: number;
  body: string;
  headers?: Record<string, string>;
  /** The core's own note on the request, handed back untouched in `onAnswering`. */
  note?: unknown;
}

export interface ReceiverServerOptions {
  host: string;
  port: number;
  /** Bytes kept of a body; past this, `tooLarge` is set and the rest is not stored. */
  maxBody: number;
  /**
   * Body bytes all requests still arriving may hold together; a request that would go past it is
   * answered 503 with `Retry-After` and its connection closed. Default: 64 MiB or 4 × maxBody.
   */
  maxHeldBytes?: number;
  /** The bound of maxHeldBytes was reached, for the first time (said once). */
  onBusy?: (limit: number) => void;
  /** Time a client has to send its headers (slowloris guard). */
  headersTimeoutMs?: number;
  /** Time a client has to send the whole request. */
  requestTimeoutMs?: number;
  /** Answers a complete request, at once or later. A failure becomes a 500 there. */
  onRequest: (req: IncomingRequest) => HttpReply | Promise<HttpReply>;
  /**
   * Called once per turn of the event loop, BEFORE that turn's answers are written (so what is
   * answered is recorded first), with the answers and the status each will actually reach its
   * client with: the reply's own, or the one the server already sent on that connection (400
   * for a malformed request behind it, 408 for a timeout), or null when the connection is gone.
   * Returns an answer to send instead of each of them (503 when they could not be recorded).
   */
  onAnswering?: (
    replies: readonly HttpReply[],
    sent: readonly (number | null)[],
  ) => HttpReply | undefined;
  /**
   * A request cut before it was complete: its client went away (`status` null), or the server
   * answered it on its own (408 when the headers or the body took longer than allowed). A
   * request cut before its headers were complete comes with an empty method and no headers.
   * Its body holds the first ABORTED_KEEP_BYTES at most (`receivedBytes` says how many came);
   * `reason` says what happened, in one line.
   */
  onAborted: (req: IncomingRequest, status: number | null, reason?: string) => void;
}

export interface ReceiverServer {
  host: string;
  port: number;
  /** Stops accepting, waits for requests in flight, then closes idle connections. */
  close(): Promise<void>;
}

export type StartReceiverServer = (options: ReceiverServerOptions) => Promise<ReceiverServer>;

export interface Recorder {
  /**
   * Appends whole NDJSON lines (each ending with its newline), at once. Returns null when they
   * are written, or the error: then none of them is in the file (what was written is taken
   * back), and the next call tries again.
   */
  write(lines: Uint8Array): Error | null;
  close(): Promise<void>;
}

export type OpenRecorder = (file: string) => Promise<Recorder>;

export interface ForwardOptions {
  /** The app's URL. */
  to: string;
  /** Re-sign for the app with this secret (the signature header is replaced). */
  secret?: string | undefined;
  /** The header to (re)write the signature into. */
  signatureHeader: string;
  timeoutMs?: number;
  /** Marks every forwarded request with this listener's id (see forwarding.ts, LOOP_HEADER). */
  loopId?: string;
  /** Headers added to every forwarded request (`-H`). */
  headers?: Readonly<Record<string, string>>;
  /** Accept any certificate from an https target (self-signed). */
  insecure?: boolean;
}

export interface ForwardReply {
  status: number | null;
  durationMs: number;
  error: string | null;
  /** The start of the app's answer body (at most ANSWER_KEEP_BYTES), whole UTF-8 characters. */
  body: string;
  /** Bytes of the app's answer body in all (the rest was read and discarded as it arrived). */
  bodyBytes: number;
  headers: Record<string, string>;
  contentType: string | undefined;
}

export interface ForwardCallOptions {
  /** Re-sign now (fresh timestamp) with this secret, whatever the forwarder's own. */
  resignWith?: string | undefined;
}

export interface Forwarder {
  forward(
    headers: HeaderMap,
    body: Buffer,
    signatureHeaderUsed: string | null,
    call?: ForwardCallOptions,
  ): Promise<ForwardReply>;
  /** Whether the target answers HTTP at all (any status is an answer). */
  probe(): Promise<{ up: boolean; error: string | null }>;
  close(): Promise<void>;
}

export type CreateForwarder = (options: ForwardOptions) => Forwarder | Promise<Forwarder>;

/** The adapters `listen()` runs on; the library and the CLI pass the real ones (io/). */
export interface ListenPorts {
  startServer: StartReceiverServer;
  openRecorder: OpenRecorder;
  createForwarder: CreateForwarder;
}
