// The web inspector's server, over real sockets: who it answers (Host, token, Origin), the
// headers every answer carries, the event stream resumed from Last-Event-ID, and a page that
// does not read being told to resync instead of growing the listener's memory.
import { request } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RequestLog } from "../../src/core/exchanges/request-log.js";
import { type Inspector, startInspector } from "../../src/web/server.js";
import { feedOf } from "../helpers/web.js";
import { exchange } from "../ui/ui-harness.js";

let inspector: Inspector | undefined;
afterEach(async () => {
  await inspector?.close();
  inspector = undefined;
});

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function started(log: RequestLog, limit?: number) {
  inspector = await startInspector(feedOf(log), {
    port: 0,
    ...(limit === undefined ? {} : { streamQueueLimit: limit }),
  });
  const token = new URL(inspector.url).searchParams.get("token") as string;
  const port = inspector.port;
  const host = `127.0.0.1:${port}`;
  return { port, host, token, cookie: `th_token_${port}=${token}` };
}

/** Opens the stream, then `add`s rows; resolves the first event that carries rows. */
function firstBatch(
  { port, host, cookie }: { port: number; host: string; cookie: string },
  add: () => void,
): Promise<string> {
  return new Promise<string>((resolve) => {
    const headers = { host, cookie };
    const req = request(
      { host: "127.0.0.1", port, path: "/api/stream?after=0", headers, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d: string) => {
          text += d;
          if (text.includes('"count"') && text.endsWith("\n\n")) {
            req.destroy();
            resolve(text);
          }
        });
        add();
      },
    );
    req.end();
  });
}

describe("the web inspector's server", () => {
  it("answers only with the run's token, and moves it from the URL to an HttpOnly cookie", async () => {
    const { port, host, token, cookie } = await started(new RequestLog());
    expect((await get(port, "/", { host })).status).toBe(401);
    expect((await get(port, "/?token=wrong", { host })).status).toBe(401);
    const first = await get(port, `/?token=${token}`, { host });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe("/");
    expect(String(first.headers["set-cookie"])).toBe(
      `th_token_${port}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    );
    // A cookie of the same name set by another local page (cookies ignore ports) shadows nothing.
    const shadowed = await get(port, "/api/info", {
      host,
      cookie: `th_token_${port}=tossed; ${cookie}`,
    });
    expect(shadowed.status).toBe(200);
    // The token's URL on any path keeps that path.
    const deep = await get(port, `/api/info?token=${token}&x=1`, { host });
    expect(deep.headers.location).toBe("/api/info?x=1");
    const page = await get(port, "/", { host, cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/page.js"');
  });

  it("refuses another Host (DNS rebinding) and another Origin on the stream", async () => {
    const { port, cookie } = await started(new RequestLog());
    const rebound = await get(port, "/api/rows", { host: `evil.example:${port}`, cookie });
    expect(rebound.status).toBe(403);
    expect((await get(port, "/", { host: `localhost:${port}`, cookie })).status).toBe(200);
    const host = `127.0.0.1:${port}`;
    const other = await get(port, "/api/stream", { host, cookie, origin: "http://evil.example" });
    expect(other.status).toBe(403);
  });

  it("every answer forbids other scripts, sniffing and referrers", async () => {
    const { port, host, cookie } = await started(new RequestLog());
    for (const path of ["/", "/page.js", "/api/rows", "/nope"]) {
      const got = await get(port, path, { host, cookie });
      expect(got.headers["content-security-policy"], path).toContain("default-src 'none'");
      expect(got.headers["content-security-policy"]).toContain("script-src 'self'");
      expect(got.headers["x-content-type-options"]).toBe("nosniff");
      expect(got.headers["referrer-policy"]).toBe("no-referrer");
    }
    const refused = await get(port, "/", { host });
    expect(refused.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  });

  it("the stream resumes after Last-Event-ID: what was missed first, then what comes", async () => {
    const log = new RequestLog();
    for (let i = 1; i <= 3; i++) log.add(exchange(i, "created", `Ticket ${i}`));
    const { port, host, cookie } = await started(log);
    const events: string[] = [];
    const done = new Promise<void>((resolve) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/api/stream",
          headers: { host, cookie, "last-event-id": "2" },
          agent: false,
        },
        (res) => {
          res.setEncoding("utf8").on("data", (d: string) => {
            events.push(...[...d.matchAll(/^id: (\d+)$/gm)].map((m) => m[1] as string));
            if (events.includes("4")) {
              req.destroy();
              resolve();
            }
          });
          // Once connected, a new exchange arrives.
          setImmediate(() => log.add(exchange(4, "resolved", "Ticket 4")));
        },
      );
      req.end();
    });
    await done;
    expect(events).toEqual(["3", "4"]);
  });

  it("a burst comes as one event: every row counted, the newest sent whole", async () => {
    const log = new RequestLog(5000);
    const got = await firstBatch(await started(log), () => {
      for (let i = 1; i <= 500; i++) log.add(exchange(i, "created", `Ticket ${i}`));
    });
    const event = /id: (\d+)\ndata: (.*)\n\n/.exec(got);
    expect(event?.[1]).toBe("500");
    const data = JSON.parse(event?.[2] as string);
    expect(data.count).toBe(500);
    expect(data.rows.map((r: { seq: number }) => r.seq)).toEqual(
      Array.from({ length: 100 }, (_, i) => 401 + i),
    );
  });

  it("a log that lets go of its oldest rows says so: the list's length and its first row", async () => {
    const log = new RequestLog(10);
    const got = await firstBatch(await started(log), () => {
      for (let i = 1; i <= 25; i++) log.add(exchange(i, "created", `Ticket ${i}`));
    });
    const data = JSON.parse(/data: (.*)\n\n/.exec(got)?.[1] as string);
    expect(data).toMatchObject({ count: 10, total: 10, first: 16 });
  });

  it("a page that does not read is told to resync and let go, its queue bounded", async () => {
    const log = new RequestLog(5000);
    const { port, host, cookie } = await started(log, 64 * 1024);
    const socket = connect(port, "127.0.0.1");
    socket.write(`GET /api/stream HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\n\r\n`);
    // The stream is open (its head has come), then the page stops reading.
    let got = "";
    socket.setEncoding("utf8");
    got += await new Promise<string>((resolve) => socket.once("data", resolve));
    socket.pause();
    const title = "x".repeat(10_000);
    for (let i = 1; i <= 2000; i++) log.add(exchange(i, "created", `${title}${i}`));
    socket.on("data", (d: string) => {
      got += d;
    });
    socket.resume();
    await new Promise((resolve) => socket.once("end", resolve));
    expect(got).toContain("event: resync");
    // Far fewer than the 2,000 rows (20 MB) were queued for it.
    expect((got.match(/^id: /gm) ?? []).length).toBeLessThan(2000);
  });
});

describe("listen --web", () => {
  it("says the inspector's URL once (and as a --json line), and closes it on Ctrl-C", async () => {
    const { startMain } = await import("../helpers/main.js");
    const main = startMain(["listen", "--port", "0", "--web", "--web-port", "0", "--json"]);
    const [, url] = (await main.waitFor(
      /Web inspector: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})/,
      "stderr",
    )) as string[];
    await main.waitFor(/"type":"web"/, "stdout");
    const web = JSON.parse(
      main
        .stdout()
        .split("\n")
        .find((l) => l.includes('"type":"web"')) as string,
    );
    expect(web.url).toBe(url);
    const port = Number(new URL(url as string).port);
    expect((await get(port, "/", { host: `127.0.0.1:${port}` })).status).toBe(401);
    main.signals.send("SIGINT");
    expect((await main.done).code).toBe(0);
    await expect(get(port, "/", { host: `127.0.0.1:${port}` })).rejects.toThrow(
      /ECONNREFUSED|hang up/,
    );
  });
});

describe("listen --web-port taken", () => {
  it("is an error naming the port, and the listener does not stay up", async () => {
    const { createServer } = await import("node:net");
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", () => resolve()));
    const port = (taken.address() as { port: number }).port;
    try {
      const { runMain } = await import("../helpers/main.js");
      const r = await runMain(["listen", "--port", "0", "--web", "--web-port", String(port)]);
      // As a taken --port is.
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `cannot start the web inspector on port ${port}: it is in use (EADDRINUSE)`,
      );
      // Said before any "Ready": a script waiting for it is not misled.
      expect(r.stderr).not.toContain("Ready");
    } finally {
      taken.close();
    }
  });
});
