// What the listener needs from the outside world. Declared here, implemented in io/ (node:http,
// the file system, undici): the core never imports an adapter.
import type { HeaderMap, IncomingRequest } from "./receive.js";

/** The answer the HTTP adapter writes for a request. */
export interface HttpReply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface ReceiverServerOptions {
  host: string;
  port: number;
  /** Bytes kept of a body; past this, `tooLarge` is set and the rest is not stored. */
  maxBody: number;
  /** Time a client has to send its headers (slowloris guard). */
  headersTimeoutMs?: number;
  /** Time a client has to send the whole request. */
  requestTimeoutMs?: number;
  /** Answers a complete request, at once or later. A failure becomes a 500 there. */
  onRequest: (req: IncomingRequest) => HttpReply | Promise<HttpReply>;
  /** A request whose client went away before its body was complete. */
  onAborted: (req: IncomingRequest) => void;
}

export interface ReceiverServer {
  host: string;
  port: number;
  /** Stops accepting, waits for requests in flight, then closes idle connections. */
  close(): Promise<void>;
}

export type StartReceiverServer = (options: ReceiverServerOptions) => Promise<ReceiverServer>;

export interface Recorder {
  /** Appends whole NDJSON lines (each ending with its newline), at once. */
  write(lines: Uint8Array): void;
  /** Closes the file; throws the write error, if recording failed. */
  close(): Promise<void>;
}

export type OpenRecorder = (file: string, onError?: (error: Error) => void) => Promise<Recorder>;

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
