import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Unix seconds when it arrived. */
  at: number;
  /** performance.now() when it arrived. */
  atMs: number;
}

export type Responder = (req: ReceivedRequest, index: number, res: ServerResponse) => void;

/** A tiny real HTTP server on port 0 that records every request (after smee-client's tests). */
export class WebhookServer {
  readonly requests: ReceivedRequest[] = [];
  private server: Server | undefined;
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  constructor(private responder: Responder = (_r, _i, res) => res.end("ok")) {}

  respond(responder: Responder): void {
    this.responder = responder;
  }

  /** Listens on `port` (default: any free one). */
  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const received: ReceivedRequest = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks),
          at: Math.floor(Date.now() / 1000),
          atMs: performance.now(),
        };
        const index = this.requests.push(received) - 1;
        this.responder(received, index, res);
        this.waiters = this.waiters.filter((w) => {
          if (this.requests.length >= w.n) w.resolve();
          return this.requests.length < w.n;
        });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, "127.0.0.1", resolve));
    return this;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error("server not started");
    const { port } = address;
    return `http://127.0.0.1:${port}/webhooks`;
  }

  /** Resolves once n requests have arrived. */
  waitFor(n: number): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
