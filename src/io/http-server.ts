import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { HttpReply, ReceiverServer, ReceiverServerOptions } from "../core/receiving/ports.js";
import { BUSY_RETRY_AFTER_SECONDS, type IncomingRequest } from "../core/receiving/receive.js";

function snapshot(req: IncomingMessage, body: BodyReader): IncomingRequest {
  const { chunks } = body;
  const request: IncomingRequest = {
    method: req.method ?? "",
    url: req.url ?? "",
    headers: req.headers,
    body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
  };
  if (body.cut === "tooLarge") request.tooLarge = true;
  if (body.cut === "busy") request.busy = true;
  return request;
}

/**
 * A request cut before its end: its first ABORTED_KEEP_BYTES only (a copy, so the chunks it came
 * in are given back), with the number of bytes that had arrived.
 */
function abortedSnapshot(req: IncomingMessage, body: BodyReader): IncomingRequest {
  body.keepStart();
  const request = snapshot(req, body);
  request.receivedBytes = body.received;
  return request;
}

/** Statuses whose answers carry no body and no length (RFC 9110 §6.4.1). */
const NO_BODY = new Set([204, 304]);

/** The headers of an answer to a request whose body was cut: the connection ends with it. */
function cutHeaders(cut: Cut): Record<string, string> | undefined {
  if (cut === null) return undefined;
  return cut === "busy"
    ? { connection: "close", "retry-after": String(BUSY_RETRY_AFTER_SECONDS) }
    : { connection: "close" };
}

function send(res: ServerResponse, reply: HttpReply, cut: Cut): void {
  if (res.destroyed) return;
  if (NO_BODY.has(reply.status)) {
    res.writeHead(reply.status, cutHeaders(cut));
    res.end();
    return;
  }
  const length = String(Buffer.byteLength(reply.body));
  if (reply.headers || cut !== null) {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      ...reply.headers,
      ...cutHeaders(cut),
      "content-length": length,
    };
    res.writeHead(reply.status, headers);
  } else {
    res.writeHead(reply.status, ["content-type", "application/json", "content-length", length]);
  }
  // Head and body leave in one write() call: write() corks the socket until the next tick, and
  // end() would then queue an empty chunk behind them, turning the send into a dearer writev().
  // Uncorking in between sends them at once; end() then has nothing left to add.
  res.write(reply.body);
  res.socket?.uncork();
  res.end();
}

const ignore = () => {};

const EMPTY = Buffer.alloc(0);

/** A request cut before its headers were complete: nothing of it is known. */
const NO_REQUEST: IncomingRequest = { method: "", url: "", headers: {}, body: EMPTY };

function rawAnswer(status: number, reason: string, error: string): string {
  const body = JSON.stringify({ error });
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

interface Pending {
  res: ServerResponse;
  reply: HttpReply;
  cut: Cut;
}

const INTERNAL: HttpReply = {
  status: 500,
  body: JSON.stringify({ error: "internal error in ticket-hooks" }),
};

/**
 * The node:http adapter: bytes in, the pipeline's answer out. It never throws on any input.
 * Answers wait for the end of the turn of the event loop: `onAnswering` (the recording) goes
 * first, then the turn's answers leave, so an answered request is always a recorded one.
 */
class ReceiverHttpServer {
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private pending: Pending[] = [];
  private answering = false;
  /** The status the server answered a connection with on its own (a malformed request, a timeout). */
  private readonly answeredBy = new WeakMap<Duplex, number>();
  /** Connections with a request whose body is still coming. */
  private readonly receiving = new WeakSet<Duplex>();
  /** Connections with a request read and not yet answered to the end. */
  private readonly answeringOn = new WeakSet<Duplex>();
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly server: Server;
  private readonly held: HeldBytes;

  constructor(private readonly options: ReceiverServerOptions) {
    this.held = new HeldBytes(
      options.maxHeldBytes ?? defaultMaxHeldBytes(options.maxBody),
      options.onBusy,
    );
    this.headersTimeout = options.headersTimeoutMs ?? 10_000;
    this.requestTimeout = options.requestTimeoutMs ?? 30_000;
    this.server = createServer(
      {
        headersTimeout: this.headersTimeout,
        requestTimeout: this.requestTimeout,
        keepAliveTimeout: 5_000,
        // Timeouts are checked this often (node's default, 30 s, cut slow clients up to 30 s late).
        connectionsCheckingInterval: Math.max(50, Math.min(1000, this.headersTimeout / 10)),
      },
      (req, res) => this.request(req, res),
    );
    this.server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) =>
      this.clientError(err, socket),
    );
    // CONNECT is not for a webhook receiver: answered 405 instead of a dropped connection.
    this.server.on("connect", (_req: IncomingMessage, socket: Duplex) => {
      socket.end(
        rawAnswer(405, "Method Not Allowed", "method CONNECT not allowed: the platform sends POST"),
      );
    });
  }

  /**
   * Per request: its state and four listeners; everything else is shared (under load, each
   * allocation here is paid tens of thousands of times a second).
   */
  private request(req: IncomingMessage, res: ServerResponse): void {
    const body = new BodyReader(this.options.maxBody, this.held);
    let finished = false;
    const socket = req.socket;
    this.receiving.add(socket);
    this.answeringOn.add(socket);
    res.once("close", () => this.answeringOn.delete(socket));
    const answer = () => {
      if (finished) return;
      finished = true;
      this.receiving.delete(socket);
      const request = snapshot(req, body);
      body.release();
      this.answer(res, request);
    };
    req.on("data", (chunk: Buffer) => {
      if (body.add(chunk)) answer();
    });
    req.on("end", answer);
    req.on("error", ignore);
    req.on("close", () => {
      if (finished || req.complete) return;
      finished = true;
      this.receiving.delete(socket);
      const status = this.answeredBy.get(socket) ?? null;
      const request = abortedSnapshot(req, body);
      body.release();
      this.options.onAborted(request, status, this.abortReason(status, request));
    });
  }

  /** Why a request's body stopped short, with how much of it is kept. */
  private abortReason(status: number | null, request: IncomingRequest): string {
    const received = request.receivedBytes ?? request.body.length;
    const kept =
      request.body.length < received ? `; its first ${request.body.length} bytes recorded` : "";
    if (status === 408) {
      return `request timed out: the body was not complete within ${this.requestTimeout} ms (${received} bytes arrived${kept})`;
    }
    if (status === 400) return `malformed HTTP request after ${received} bytes of the body${kept}`;
    return `client disconnected after ${received} bytes of the body${kept}`;
  }

  /** The pipeline's reply, at once or later, queued for the end of the turn. */
  private answer(res: ServerResponse, request: IncomingRequest): void {
    this.inFlight++;
    let reply: HttpReply | Promise<HttpReply>;
    try {
      reply = this.options.onRequest(request);
    } catch {
      reply = INTERNAL;
    }
    const cut: Cut = request.busy ? "busy" : request.tooLarge ? "tooLarge" : null;
    if (!(reply instanceof Promise)) {
      this.queue(res, reply, cut);
      return;
    }
    reply.catch(() => INTERNAL).then((r) => this.queue(res, r, cut), ignore);
  }

  private queue(res: ServerResponse, reply: HttpReply, cut: Cut): void {
    this.pending.push({ res, reply, cut });
    if (!this.answering) {
      this.answering = true;
      setImmediate(() => this.answerTurn());
    }
  }

  /** The status a queued answer will reach its client with. */
  private statusSent({ res, reply }: Pending): number | null {
    const socket = res.socket;
    const own = socket ? this.answeredBy.get(socket) : undefined;
    if (own !== undefined) return own;
    if (!socket || socket.destroyed || !socket.writable) return null;
    return reply.status;
  }

  /** The turn's answers: recorded first (`onAnswering`), then sent. */
  private answerTurn(): void {
    this.answering = false;
    const turn = this.pending;
    this.pending = [];
    let instead: HttpReply | undefined;
    try {
      instead = this.options.onAnswering?.(
        turn.map((p) => p.reply),
        turn.map((p) => this.statusSent(p)),
      );
    } catch {
      instead = INTERNAL;
    }
    for (const p of turn) {
      try {
        send(p.res, instead ?? p.reply, p.cut);
      } catch {
        // A connection that failed under us: nothing more to send on it.
      }
      if (--this.inFlight === 0) this.drained?.();
    }
  }

  private clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    // A client that went away (its end of the connection closed mid-request) is not answered.
    if (!socket.writable || err.code === "HPE_INVALID_EOF_STATE" || err.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const timedOut = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
    const status = timedOut ? 408 : 400;
    this.answeredBy.set(socket, status);
    socket.write(
      timedOut
        ? rawAnswer(408, "Request Timeout", "request timed out")
        : rawAnswer(400, "Bad Request", "malformed HTTP request"),
    );
    // Closed once the answer is out, whatever the client does (as node:http does by default).
    (socket as Socket).destroySoon();
    // A request whose body was still coming is recorded when its connection closes; one that
    // was complete is recorded with this status when answered. Otherwise nothing of a request
    // was read: it is recorded here.
    if (this.receiving.has(socket) || this.answeringOn.has(socket)) return;
    this.options.onAborted(
      NO_REQUEST,
      status,
      timedOut
        ? `request timed out: the headers were not complete within ${this.headersTimeout} ms`
        : `malformed HTTP request (${err.code ?? "parse error"})`,
    );
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.server.closeIdleConnections();
    await closed;
  }
}

/** Why a body stopped being kept before its end: past `maxBody`, or past the shared bound. */
type Cut = "tooLarge" | "busy" | null;

/** Bytes of an aborted request's body that are kept (and recorded): its start, to see what it was. */
export const ABORTED_KEEP_BYTES = 16 * 1024;

/** The bound on body bytes held by all requests still arriving: 64 MiB, or 4 bodies at most. */
export function defaultMaxHeldBytes(maxBody: number): number {
  return Math.max(64 * 1024 * 1024, 4 * maxBody);
}

/**
 * Body bytes held by all requests still arriving, together. Past `limit`, the request that would
 * go over is turned away (503) instead of holding more: a thousand clients that each send most of
 * a large body and wait cannot take the machine's memory. `onBusy` hears of the first time.
 */
class HeldBytes {
  private bytes = 0;
  private said = false;

  constructor(
    private readonly limit: number,
    private readonly onBusy: ((limit: number) => void) | undefined,
  ) {}

  /** Takes `n` bytes if they fit; false (and the first time, onBusy) when they do not. */
  take(n: number): boolean {
    if (this.bytes + n <= this.limit) {
      this.bytes += n;
      return true;
    }
    if (!this.said) {
      this.said = true;
      this.onBusy?.(this.limit);
    }
    return false;
  }

  give(n: number): void {
    this.bytes -= n;
  }
}

/**
 * A request body's bytes, up to `maxBody` and while the shared bound allows: past either, the
 * rest is not kept (`cut`), and the request is answered at once.
 */
class BodyReader {
  chunks: Buffer[] = [];
  /** Bytes that arrived, kept or not. */
  received = 0;
  /** Bytes kept, and taken from the shared bound until `release()`. */
  private size = 0;
  cut: Cut = null;

  constructor(
    private readonly maxBody: number,
    private readonly held: HeldBytes,
  ) {}

  /** Keeps a chunk; true when the body was just cut (answer now). */
  add(chunk: Buffer): boolean {
    this.received += chunk.length;
    if (this.cut !== null) return false;
    const room = this.maxBody - this.size;
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    if (!this.held.take(kept.length)) {
      this.cut = "busy";
      // Only the start is kept, for the record; the rest of what is held is given back now.
      this.keepStart();
      this.release();
      return true;
    }
    this.size += kept.length;
    this.chunks.push(kept);
    if (kept === chunk) return false;
    this.cut = "tooLarge";
    return true;
  }

  /**
   * Keeps the first ABORTED_KEEP_BYTES only, copied (only those bytes are copied), so the chunks
   * they came in are let go.
   */
  keepStart(): void {
    let total = 0;
    for (const chunk of this.chunks) total += chunk.length;
    this.chunks = [Buffer.concat(this.chunks, Math.min(total, ABORTED_KEEP_BYTES))];
  }

  /** Gives the kept bytes back to the shared bound (the request is answered or gone). */
  release(): void {
    this.held.give(this.size);
    this.size = 0;
  }
}

export async function startReceiverServer(options: ReceiverServerOptions): Promise<ReceiverServer> {
  const receiver = new ReceiverHttpServer(options);
  const { server } = receiver;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return { host: options.host, port: address.port, close: () => receiver.close() };
}
