import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// Receivers that answer the way a broken or hostile one would: enormous bodies, one byte at a time,
// or never. Real sockets on port 0; every timer and socket is released by stop().

export type HostileBehaviour = (
  req: IncomingMessage,
  res: ServerResponse,
  server: HostileServer,
) => void;

export class HostileServer {
  private server: Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Bytes of response body written, across requests. */
  bodyBytesWritten = 0;
  /** Responses whose body was written to the end. */
  finished = 0;
  requests = 0;

  constructor(private readonly behaviour: HostileBehaviour) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.requests++;
      req.resume();
      req.on("end", () => this.behaviour(req, res, this));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return this;
  }

  get origin(): string {
    const { port } = (this.server?.address() as AddressInfo) ?? { port: 0 }; // started first
    return `http://127.0.0.1:${port}`;
  }

  get url(): string {
    return `${this.origin}/hooks`;
  }

  every(ms: number, tick: () => void): void {
    const timer = setInterval(tick, ms);
    this.timers.add(timer);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** 200 with a body of `bytes` (written as fast as the client reads, never all in memory). */
export const hugeAnswer =
  (bytes: number, fill = "x"): HostileBehaviour =>
  (_req, res, server) => {
    const chunk = Buffer.alloc(64 * 1024, fill);
    res.writeHead(200, { "content-type": "text/plain", "content-length": String(bytes) });
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= part.length;
        server.bodyBytesWritten += part.length;
        if (!res.write(part)) {
          res.once("drain", pump);
          return;
        }
      }
      res.end(() => {
        server.finished++;
      });
    };
    pump();
  };

/** 200, then one byte of body every `ms`, never ending. */
export const trickledAnswer =
  (ms: number): HostileBehaviour =>
  (_req, res, server) => {
    res.writeHead(200, { "content-type": "text/plain" });
    server.every(ms, () => {
      if (!res.destroyed) res.write("x");
    });
  };

/** Reads the request and never answers. */
export const noAnswer: HostileBehaviour = () => {};
