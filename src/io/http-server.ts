import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
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

function send(res: ServerResponse, reply: HttpReply, tooLarge: boolean): void {
  if (res.destroyed) return;
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

/** The node:http adapter: bytes in, the pipeline's answer out. It never throws on any input. */
export async function startReceiverServer(options: ReceiverServerOptions): Promise<ReceiverServer> {
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const INTERNAL: HttpReply = {
    status: 500,
    body: JSON.stringify({ error: "internal error in ticket-hooks" }),
  };
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      keepAliveTimeout: 5_000,
    },
    (req, res) => {
      // Per request: its state and three listeners; everything else is shared (under load, each
      // allocation here is paid tens of thousands of times a second).
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      let finished = false;
      const answer = () => {
        if (finished) return;
        finished = true;
        inFlight++;
        let reply: HttpReply | Promise<HttpReply>;
        try {
          reply = options.onRequest(snapshot(req, chunks, tooLarge));
        } catch {
          reply = INTERNAL;
        }
        if (!(reply instanceof Promise)) {
          send(res, reply, tooLarge);
          done();
          return;
        }
        reply
          .catch(() => INTERNAL)
          .then((r) => send(res, r, tooLarge))
          .catch(ignore)
          .finally(done);
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
          options.onAborted(snapshot(req, chunks, tooLarge));
        }
      });
    },
  );
  const done = () => {
    if (--inFlight === 0) drained?.();
  };
  server.on("clientError", (_err, socket) => {
    if (socket.writable)
      socket.end(
        'HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"malformed HTTP request"}',
      );
    else socket.destroy();
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
