import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { TicketHooksError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../core/version.js";
import { InspectorApi, type InspectorFeed, problem, type Reply } from "./api.js";
import { EventStreams } from "./stream.js";

/*
 * The web inspector's server: the page and its data, from this process, on a loopback port of its
 * own (never the webhook port, which may be exposed through a tunnel). A local inspector is a
 * target for DNS rebinding and for captured payloads rendered as HTML, so every request must name
 * this host (Host), carry the run's token (the URL's once, then an HttpOnly cookie), and a request
 * that changes anything or streams must come from this page (Origin). Every answer forbids scripts
 * from elsewhere (CSP); the page writes captured text as text only.
 */

export interface InspectorOptions {
  /** Default 127.0.0.1; another address is the caller's choice to warn about. */
  host?: string;
  /** Default DEFAULT_WEB_PORT, then any free port when it is taken. */
  port?: number;
  /** Host names accepted besides localhost, 127.0.0.1, [::1] and the address bound. */
  allowHosts?: readonly string[];
  /** Bytes an event stream may have waiting for a slow page before it is told to resync. */
  streamQueueLimit?: number;
  /** Milliseconds between two batches of new rows sent to the pages, at least (default 250). */
  streamDelayMs?: number;
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
/**
 * The token's cookie, named after the port: browsers share cookies between the ports of one host,
 * so each inspector has its own, and one set by another local page cannot shadow it.
 */
const cookieName = (port: number) => `th_token_${port}`;
/** Bytes a replay or an edit sent from the page may have. */
const MAX_POST = 4 * 1024 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

const ASSETS: Record<string, string> = {
  "/": "text/html; charset=utf-8",
  "/page.js": "text/javascript; charset=utf-8",
  "/page.css": "text/css; charset=utf-8",
};

function answer(
  res: ServerResponse,
  reply: Reply | (Omit<Reply, "body"> & { body: Buffer }),
): void {
  res.writeHead(reply.status, {
    ...SECURITY_HEADERS,
    "content-type": reply.type ?? "text/plain; charset=utf-8",
    ...reply.headers,
  });
  res.end(reply.body);
}

const text = (status: number, body: string): Reply => ({ status, body });

class InspectorServer {
  readonly token = randomBytes(16).toString("hex");
  readonly server: Server;
  private port = 0;
  private readonly streams: EventStreams;
  /** The page's files, as the build put them in dist/web/page/ (read when first asked for). */
  private readonly assets = new Map<string, Buffer>();

  constructor(
    private readonly api: InspectorApi,
    private readonly options: InspectorOptions,
  ) {
    this.streams = new EventStreams(api, {
      queueLimit: options.streamQueueLimit,
      delayMs: options.streamDelayMs,
    });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => answer(res, failure(error)));
    });
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

  /**
   * A request from the page itself. A POST must say so (browsers send Origin with every POST); a
   * GET may have none (a navigation, or the page's own event stream), but not another one.
   */
  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return req.method === "GET" || req.method === "HEAD";
    return origin === `http://${req.headers.host}`;
  }

  /** The token the request carries: the URL's, else each of its cookies of this port's name. */
  private tokensOf(req: IncomingMessage, url: URL): string[] {
    const given = url.searchParams.get("token");
    if (given !== null) return [given];
    const name = cookieName(this.port);
    const found: string[] = [];
    for (const part of (req.headers.cookie ?? "").split(";")) {
      const [key, value] = part.trim().split("=");
      if (key === name && value !== undefined) found.push(value);
    }
    return found;
  }

  /** One of them is this run's (a cookie another page set under the same name changes nothing). */
  private tokenValid(given: readonly string[]): boolean {
    const b = Buffer.from(this.token);
    return given.some((t) => {
      const a = Buffer.from(t);
      return a.length === b.length && timingSafeEqual(a, b);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.hostAllowed(req)) {
      answer(res, text(403, "this inspector answers only on localhost (check the Host header)"));
      return;
    }
    const url = URL.parse(req.url ?? "/", `http://${req.headers.host}`);
    if (url === null) {
      answer(res, text(400, "not a request target this inspector knows"));
      return;
    }
    if (!this.tokenValid(this.tokensOf(req, url))) {
      answer(
        res,
        text(401, "open the inspector with the URL ticket-hooks printed (it holds a token)"),
      );
      return;
    }
    if (!this.originAllowed(req)) {
      answer(res, text(403, "requests from other pages are refused"));
      return;
    }
    if (url.searchParams.has("token")) {
      // The token moves from the URL into a cookie scripts cannot read, and leaves the URL (the
      // rest of the query, the page's filters, stays).
      url.searchParams.delete("token");
      answer(res, {
        status: 303,
        body: "",
        headers: {
          "set-cookie": `${cookieName(this.port)}=${this.token}; HttpOnly; SameSite=Strict; Path=/`,
          location: `${url.pathname}${url.search}`,
        },
      });
      return;
    }
    await this.route(req, res, url);
  }

  /** A request that passed every check, answered by its method and path. */
  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (url.pathname === "/api/stream" && req.method === "GET") {
      this.streams.open(req, res, url, SECURITY_HEADERS);
    } else if (req.method === "POST") {
      answer(res, await this.post(url.pathname, await readBody(req)));
    } else if (req.method !== "GET") {
      answer(res, text(405, "GET and POST only"));
    } else if (url.pathname === "/favicon.ico") {
      answer(res, { status: 204, body: "" });
    } else if (ASSETS[url.pathname]) {
      const name = url.pathname === "/" ? "index.html" : url.pathname.slice(1);
      answer(res, { status: 200, body: this.asset(name), type: ASSETS[url.pathname] as string });
    } else if (url.pathname === "/api/download") {
      this.downloadShown(res, url);
    } else {
      answer(res, this.get(url));
    }
  }

  /** One at a time: each may be tens of MB, held until the browser has read it. */
  private downloadShown(res: ServerResponse, url: URL): void {
    if (this.downloading) {
      answer(
        res,
        problem(429, "a HAR of the shown requests is on its way: try again when it is done"),
      );
      return;
    }
    this.downloading = true;
    res.on("close", () => {
      this.downloading = false;
    });
    answer(res, this.api.downloadShown(url.searchParams));
  }

  private downloading = false;

  private asset(name: string): Buffer {
    let bytes = this.assets.get(name);
    if (!bytes) {
      bytes = readFileSync(join(PACKAGE_ROOT, "dist", "web", "page", name));
      this.assets.set(name, bytes);
    }
    return bytes;
  }

  /** The page's questions. */
  private get(url: URL): Reply {
    const { api } = this;
    const path = url.pathname;
    const params = url.searchParams;
    if (path === "/api/info") return api.info();
    if (path === "/api/rows") return api.rows(params);
    if (path === "/api/diff") return api.diff(seqParam(params, "a"), seqParam(params, "b"));
    const one = /^\/api\/exchanges\/(\d+)(\/curl|\/download)?$/.exec(path);
    if (!one) return text(404, "not found");
    const seq = Number(one[1]);
    if (one[2] === "/curl") return api.curl(seq);
    if (one[2] === "/download") return api.download(seq, params.get("format") ?? "json");
    return api.details(seq);
  }

  /** What the page asks to be done: validate an edit, replay, send an edit. */
  private post(path: string, body: Buffer): Promise<Reply> | Reply {
    const { api } = this;
    if (path === "/api/validate") return api.validate(body.toString("utf8"));
    const one = /^\/api\/exchanges\/(\d+)\/(replay|resend)$/.exec(path);
    if (!one) return text(404, "not found");
    const seq = Number(one[1]);
    return one[2] === "replay" ? api.replay(seq) : api.resend(seq, body);
  }

  async close(): Promise<void> {
    this.streams.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function seqParam(params: URLSearchParams, name: string): number {
  const n = Number(params.get(name));
  if (!Number.isInteger(n) || n < 1) {
    throw new TicketHooksError("BAD_REQUEST", `?${name}= must be a request's number`);
  }
  return n;
}

class TooLarge extends Error {}

/**
 * A POST's body, up to MAX_POST bytes. A longer one is read to its end without being kept, so the
 * page gets its 413 (and a sender that never stops is cut off at 16 times the bound).
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_POST) chunks.push(chunk);
      else if (size > 16 * MAX_POST) req.destroy();
    });
    req.on("end", () =>
      size > MAX_POST ? reject(new TooLarge()) : resolve(Buffer.concat(chunks)),
    );
    req.on("error", reject);
  });
}

/** An error as the page shows it: what the user can act on, never a stack trace. */
function failure(error: unknown): Reply {
  if (error instanceof TooLarge)
    return problem(413, `a body the page sends may have ${MAX_POST} bytes at most`);
  if (error instanceof TicketHooksError) {
    return problem(
      error.code === "NOT_FOUND" ? 404 : error.kind === "usage" ? 400 : 502,
      error.message,
    );
  }
  // A bug: said as one, without the internals of the message.
  return problem(
    500,
    "internal error of the inspector (please report it with the steps that led here)",
  );
}

/** Starts the inspector for `feed`; on the default port when free, else on any free one. */
export async function startInspector(
  feed: InspectorFeed,
  options: InspectorOptions = {},
): Promise<Inspector> {
  const api = new InspectorApi(feed);
  const host = options.host ?? "127.0.0.1";
  const shownHost = host.includes(":") ? `[${host}]` : host;
  // A page opened at the address bound names it in Host.
  const allowHosts = [...(options.allowHosts ?? []), ...(isWildcard(host) ? [] : [shownHost])];
  const server = new InspectorServer(api, { ...options, allowHosts });
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
  const urlHost = isWildcard(host) ? "127.0.0.1" : shownHost;
  return {
    url: `http://${urlHost}:${port}/?token=${server.token}`,
    port,
    fellBack,
    close: () => server.close(),
  };
}

const isWildcard = (host: string) => host === "0.0.0.0" || host === "::" || host === "";
