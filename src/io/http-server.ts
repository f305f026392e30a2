import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { HttpReply, ReceiverServer, ReceiverServerOptions } from "../core/receiving/ports.js";
import type { IncomingRequest } from "../core/receiving/receive.js";

function snapshot(req: IncomingMessage, chunks: Buffer[], tooLarge: boolean): IncomingRequest {
  const request: IncomingRequest = {
    method: req.method ?? "",
    url: req.url ?? "",
    headers: req.headers,
    body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
  };
  if (tooLarge) request.tooLarge = true;
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

/**
 * The node:http adapter: bytes in, the pipeline's answer out. It never throws on any input.
 * Answers wait for the end of the turn of the event loop: `onAnswering` (the recording) goes
 * first, then the turn's answers leave, so an answered request is always a recorded one.
 */
export async function startReceiverServer(options: ReceiverServerOptions): Promise<ReceiverServer> {
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const INTERNAL: HttpReply = {
    status: 500,
    body: JSON.stringify({ error: "internal error in ticket-hooks" }),
  };
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  /** The status the server answered a connection with on its own (a malformed request, a timeout). */
  const answeredBy = new WeakMap<Duplex, number>();
  /** Connections with a request whose body is still coming. */
  const receiving = new WeakSet<Duplex>();

  /** The status a queued answer will reach its client with. */
  const statusSent = ({ res, reply }: Pending): number | null => {
    const socket = res.socket;
    const own = socket ? answeredBy.get(socket) : undefined;
    if (own !== undefined) return own;
    if (!socket || socket.destroyed || !socket.writable) return null;
    return reply.status;
  };
  let pending: Pending[] = [];
  let answering = false;
  const answerTurn = () => {
    answering = false;
    const turn = pending;
    pending = [];
    const sent = turn.map(statusSent);
    let instead: HttpReply | undefined;
    try {
      instead = options.onAnswering?.(
        turn.map((p) => p.reply),
        sent,
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
      done();
    }
  };
  const queue = (res: ServerResponse, reply: HttpReply, tooLarge: boolean) => {
    pending.push({ res, reply, tooLarge });
    if (!answering) {
      answering = true;
      setImmediate(answerTurn);
    }
  };

  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: 5_000,
      // Timeouts are checked this often (node's default, 30 s, cut slow clients up to 30 s late).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, headersTimeout / 10)),
    },
    (req, res) => {
      // Per request: its state and three listeners; everything else is shared (under load, each
      // allocation here is paid tens of thousands of times a second).
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      let finished = false;
      receiving.add(req.socket);
      const answer = () => {
        if (finished) return;
        finished = true;
        receiving.delete(req.socket);
        inFlight++;
        let reply: HttpReply | Promise<HttpReply>;
        try {
          reply = options.onRequest(snapshot(req, chunks, tooLarge));
        } catch {
          reply = INTERNAL;
        }
        if (!(reply instanceof Promise)) {
          queue(res, reply, tooLarge);
          return;
        }
        reply.catch(() => INTERNAL).then((r) => queue(res, r, tooLarge), ignore);
      };
      req.on("data", (chunk: Buffer) => {
        if (tooLarge) return;
        size += chunk.length;
        if (size > options.maxBody) {
          tooLarge = true;
          chunks.push(chunk.subarray(0, chunk.length - (size - options.maxBody)));
          answer();
          return;
        }
        chunks.push(chunk);
      });
      req.on("end", answer);
      req.on("error", ignore);
      req.on("close", () => {
        if (!finished && !req.complete) {
          finished = true;
          receiving.delete(req.socket);
          const status = answeredBy.get(req.socket) ?? null;
          options.onAborted(
            snapshot(req, chunks, tooLarge),
            status,
            status === 408
              ? `request timed out: the body was not complete within ${requestTimeout} ms`
              : undefined,
          );
        }
      });
    },
  );
  const done = () => {
    if (--inFlight === 0) drained?.();
  };
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A client that went away (its end of the connection closed mid-request) is not answered.
    if (!socket.writable || err.code === "HPE_INVALID_EOF_STATE" || err.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const timedOut = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
    const status = timedOut ? 408 : 400;
    answeredBy.set(socket, status);
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
    // node:http keeps the answer in progress on its socket (null or absent when there is none).
    const busy = ((socket as Socket & { _httpMessage?: unknown })._httpMessage ?? null) !== null;
    if (!receiving.has(socket) && !busy) {
      options.onAborted(
        NO_REQUEST,
        status,
        timedOut
          ? `request timed out: the headers were not complete within ${headersTimeout} ms`
          : `malformed HTTP request (${err.code ?? "parse error"})`,
      );
    }
  });
  // CONNECT is not for a webhook receiver: answered 405 instead of a dropped connection.
  server.on("connect", (_req: IncomingMessage, socket: Duplex) => {
    socket.end(
      rawAnswer(405, "Method Not Allowed", "method CONNECT not allowed: the platform sends POST"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: options.host,
    port: address.port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      server.closeIdleConnections();
      await closed;
    },
  };
}
