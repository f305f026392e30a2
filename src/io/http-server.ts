import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { HttpReply, ReceiverServer, ReceiverServerOptions } from "../core/receiving/ports.js";
import type { IncomingRequest } from "../core/receiving/receive.js";

function snapshot(
  req: IncomingMessage,
  body: { chunks: Buffer[]; tooLarge: boolean },
): IncomingRequest {
  const { chunks } = body;
  const request: IncomingRequest = {
    method: req.method ?? "",
    url: req.url ?? "",
    headers: req.headers,
    body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
  };
  if (body.tooLarge) request.tooLarge = true;
  return request;
}

/** Statuses whose answers carry no body and no length (RFC 9110 §6.4.1). */
const NO_BODY = new Set([204, 304]);

function send(res: ServerResponse, reply: HttpReply, tooLarge: boolean): void {
  if (res.destroyed) return;
  if (NO_BODY.has(reply.status)) {
    res.writeHead(reply.status, tooLarge ? { connection: "close" } : undefined);
    res.end();
    return;
  }
  const length = String(Buffer.byteLength(reply.body));
  if (reply.headers || tooLarge) {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      ...reply.headers,
      "content-length": length,
    };
    if (tooLarge) headers.connection = "close";
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
  tooLarge: boolean;
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

  constructor(private readonly options: ReceiverServerOptions) {
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
    const body = new BodyReader(this.options.maxBody);
    let finished = false;
    const socket = req.socket;
    this.receiving.add(socket);
    this.answeringOn.add(socket);
    res.once("close", () => this.answeringOn.delete(socket));
    const answer = () => {
      if (finished) return;
      finished = true;
      this.receiving.delete(socket);
      this.answer(res, snapshot(req, body));
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
      const timedOut = `request timed out: the body was not complete within ${this.requestTimeout} ms`;
      this.options.onAborted(snapshot(req, body), status, status === 408 ? timedOut : undefined);
    });
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
    const tooLarge = request.tooLarge === true;
    if (!(reply instanceof Promise)) {
      this.queue(res, reply, tooLarge);
      return;
    }
    reply.catch(() => INTERNAL).then((r) => this.queue(res, r, tooLarge), ignore);
  }

  private queue(res: ServerResponse, reply: HttpReply, tooLarge: boolean): void {
    this.pending.push({ res, reply, tooLarge });
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
        send(p.res, instead ?? p.reply, p.tooLarge);
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

/** A request body's bytes, up to `maxBody`: past it, the rest is not kept (`tooLarge`). */
class BodyReader {
  readonly chunks: Buffer[] = [];
  private size = 0;
  tooLarge = false;

  constructor(private readonly maxBody: number) {}

  /** Keeps a chunk; true when the body just went past the limit (answer now). */
  add(chunk: Buffer): boolean {
    if (this.tooLarge) return false;
    this.size += chunk.length;
    if (this.size <= this.maxBody) {
      this.chunks.push(chunk);
      return false;
    }
    this.tooLarge = true;
    this.chunks.push(chunk.subarray(0, chunk.length - (this.size - this.maxBody)));
    return true;
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
