import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Exchange } from "../core/exchanges/exchange.js";
import { PACKAGE_ROOT } from "../core/version.js";
import { pageDetails, pageRow } from "./rows.js";

/*
 * The web inspector's server: the page and its data, from this process, on a loopback port of its
 * own (never the webhook port, which may be exposed through a tunnel). A local inspector is a
 * target for DNS rebinding and for captured payloads rendered as HTML, so every request must
 * name this host (Host), carry the run's token (the URL's once, then an HttpOnly cookie), and a
 * request that changes anything or streams must come from this page (Origin). Every answer
 * forbids scripts from elsewhere (CSP); the page writes captured text as text only.
 */

/** What the inspector shows: the listener's request log, as the terminal UI reads it. */
export interface InspectorSource {
  readonly entries: readonly Exchange[];
  /** Calls `listener` with each exchange as it is added; returns how to stop. */
  subscribe(listener: (exchange: Exchange) => void): () => void;
}

export interface InspectorOptions {
  /** Default 127.0.0.1; another address is the caller's choice to warn about. */
  host?: string;
  /** Default DEFAULT_WEB_PORT, then any free port when it is taken. */
  port?: number;
  /** Host names accepted besides localhost, 127.0.0.1 and [::1]. */
  allowHosts?: readonly string[];
  /** Bytes an event stream may have waiting for a slow page before it is told to resync. */
  streamQueueLimit?: number;
}

export interface Inspector {
  /** The page's address with the run's token, to open once. */
  url: string;
  port: number;
  /** Whether the default port was taken and another one was chosen. */
  fellBack: boolean;
  close(): Promise<void>;
}

/** The inspector's usual port (ngrok's is 4040). */
export const DEFAULT_WEB_PORT = 4041;
const COOKIE = "th_token";
const STREAM_QUEUE_LIMIT = 1024 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

const ASSETS: Record<string, string> = {
  "/page.js": "text/javascript; charset=utf-8",
  "/page.css": "text/css; charset=utf-8",
};

function answer(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  type = "text/plain; charset=utf-8",
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, ...extra });
  res.end(body);
}

class InspectorServer {
  readonly token = randomBytes(16).toString("hex");
  readonly server: Server;
  private port = 0;
  private readonly streams = new Set<ServerResponse>();
  /** The page's files, as the build put them in dist/web/page/ (read when first asked for). */
  private readonly assets = new Map<string, Buffer>();

  constructor(
    private readonly source: InspectorSource,
    private readonly options: InspectorOptions,
  ) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  /** The Host header names this server: a rebinding page's request names its own domain. */
  private hostAllowed(req: IncomingMessage): boolean {
    const names = ["localhost", "127.0.0.1", "[::1]", ...(this.options.allowHosts ?? [])];
    return names.some((name) => req.headers.host === `${name}:${this.port}`);
  }

  /** A request from the page itself (or with no Origin, as a top-level navigation has none). */
  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    return origin === `http://${req.headers.host}`;
  }

  private tokenOf(req: IncomingMessage, url: URL): string | null {
    const given = url.searchParams.get("token");
    if (given !== null) return given;
    for (const part of (req.headers.cookie ?? "").split(";")) {
      const [name, value] = part.trim().split("=");
      if (name === COOKIE && value !== undefined) return value;
    }
    return null;
  }

  private tokenValid(given: string | null): boolean {
    if (given === null) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (!this.hostAllowed(req)) {
      answer(res, 403, "this inspector answers only on localhost (check the Host header)");
      return;
    }
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    if (!this.tokenValid(this.tokenOf(req, url))) {
      answer(res, 401, "open the inspector with the URL ticket-hooks printed (it holds a token)");
      return;
    }
    if (!this.originAllowed(req)) {
      answer(res, 403, "requests from other pages are refused");
      return;
    }
    if (url.searchParams.has("token")) {
      // The token moves from the URL into a cookie scripts cannot read, and leaves the URL.
      answer(res, 303, "", "text/plain", {
        "set-cookie": `${COOKIE}=${this.token}; HttpOnly; SameSite=Strict; Path=/`,
        location: "/",
      });
      return;
    }
    this.route(req, res, url);
  }

  private route(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (url.pathname === "/api/stream" && req.method === "GET") {
      this.stream(req, res, url);
      return;
    }
    const reply = req.method === "GET" ? this.get(url.pathname) : ([405, "GET only"] as const);
    answer(res, reply[0], reply[1], reply[2]);
  }

  private asset(name: string): Buffer {
    let bytes = this.assets.get(name);
    if (!bytes) {
      bytes = readFileSync(join(PACKAGE_ROOT, "dist", "web", "page", name));
      this.assets.set(name, bytes);
    }
    return bytes;
  }

  /** The answer to a GET: [status, body, content type]. */
  private get(path: string): readonly [number, string | Buffer, string?] {
    if (path === "/") return [200, this.asset("index.html"), "text/html; charset=utf-8"];
    const type = ASSETS[path];
    if (type) return [200, this.asset(path.slice(1)), type];
    if (path === "/api/exchanges") {
      return [200, JSON.stringify(this.source.entries.map(pageRow)), "application/json"];
    }
    const one = /^\/api\/exchanges\/(\d+)$/.exec(path);
    if (!one) return [404, "not found"];
    const seq = Number(one[1]);
    const ex = this.source.entries.find((e) => e.seq === seq);
    if (!ex) return [404, JSON.stringify({ error: `no request #${seq}` }), "application/json"];
    return [200, JSON.stringify(pageDetails(ex)), "application/json"];
  }

  /**
   * Server-sent events: each new exchange as a row, with its seq as the event id. A page that
   * reconnects sends Last-Event-ID (or opens with `?after=SEQ`) and gets what it missed first. A page that does not read (a
   * hidden or slow tab) is told to resync once its queue passes the limit, and dropped.
   */
  private stream(req: IncomingMessage, res: ServerResponse, url: URL): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      connection: "keep-alive",
    });
    const limit = this.options.streamQueueLimit ?? STREAM_QUEUE_LIMIT;
    let stop = () => {};
    const send = (ex: Exchange) => {
      if (res.writableEnded) return;
      if (res.writableLength > limit) {
        // Let go of it: it reloads the list (`resync`) when it reads again.
        stop();
        res.end("event: resync\ndata: {}\n\n", () => res.socket?.destroy());
        return;
      }
      res.write(`id: ${ex.seq}\ndata: ${JSON.stringify(pageRow(ex))}\n\n`);
    };
    // Resumed after the last row the page has: from a reconnect's Last-Event-ID, else from
    // `after` (the page's list, fetched before the stream opened: nothing falls between).
    const last = Number(
      req.headers["last-event-id"] ?? url.searchParams.get("after") ?? Number.NaN,
    );
    if (Number.isInteger(last)) for (const ex of this.source.entries) if (ex.seq > last) send(ex);
    // Each event leaves at once (no waiting to fill a packet).
    res.socket?.setNoDelay(true);
    res.write(": connected\n\n");
    stop = this.source.subscribe(send);
    this.streams.add(res);
    res.on("close", () => {
      stop();
      this.streams.delete(res);
    });
  }

  async close(): Promise<void> {
    for (const res of this.streams) res.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Starts the inspector for `source`; on the default port when free, else on any free one. */
export async function startInspector(
  source: InspectorSource,
  options: InspectorOptions = {},
): Promise<Inspector> {
  const server = new InspectorServer(source, options);
  const host = options.host ?? "127.0.0.1";
  const wanted = options.port ?? DEFAULT_WEB_PORT;
  let port: number;
  let fellBack = false;
  try {
    port = await server.listen(wanted, host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || options.port !== undefined) {
      throw error;
    }
    port = await server.listen(0, host);
    fellBack = true;
  }
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost === "127.0.0.1" ? "127.0.0.1" : shownHost}:${port}/?token=${server.token}`,
    port,
    fellBack,
    close: () => server.close(),
  };
}
