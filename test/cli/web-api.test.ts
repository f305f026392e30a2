// The web inspector's API over real sockets, with a real listener forwarding to a real app: the
// filters of the list, replays and edits sent re-signed (only to the app listen was started
// with), the diff, the downloads, validation as the page types, and who may ask (Origin on every
// POST, a bounded body). Then `inspect --web` and the --web-host / --web-allow-host flags.

import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign, verify } from "../../src/core/signing/signature.js";
import { listen, type WebListener } from "../../src/index.js";
import { eventBody } from "../browser/events.js";
import { tempDir } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { runMain, startMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const SECRET = "whsec_web_api_0123456789";
const APP_SECRET = "whsec_web_api_app_987654";

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The page's requests: its Host, its cookie, and (for a POST) its Origin unless told otherwise. */
function pageClient(webUrl: string) {
  const url = new URL(webUrl);
  const token = url.searchParams.get("token") as string;
  const host = `127.0.0.1:${url.port}`;
  const send = (
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<Got> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: Number(url.port),
          method,
          path,
          headers: { host, cookie: `th_token_${url.port}=${token}`, ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  return {
    port: Number(url.port),
    get: (path: string) => send("GET", path),
    post: (
      path: string,
      body = "",
      headers: Record<string, string> = { origin: `http://${host}` },
    ) => send("POST", path, body, headers),
    json: async (path: string) => JSON.parse((await send("GET", path)).body),
  };
}

let app: WebhookServer;
let listener: WebListener;
let page: ReturnType<typeof pageClient>;
let n = 0;

async function sendEvent(fields: { type?: string; title?: string } = {}, secret = SECRET) {
  const { body } = eventBody(++n, fields);
  await post(listener.url, body, {
    "content-type": "application/json",
    "x-signature": sign(secret, body, Math.floor(Date.now() / 1000)),
  });
  return (await listener.waitFor((ex) => ex.request.body.toString() === body)).seq;
}

describe("the web inspector's API", () => {
  beforeAll(async () => {
    app = await new WebhookServer((req, _i, res) =>
      res.writeHead(req.body.includes("Broken printer") ? 500 : 200).end("{}"),
    ).start();
    listener = await listen({
      port: 0,
      secret: SECRET,
      forwardTo: app.url,
      forwardSecret: APP_SECRET,
      web: { port: 0 },
    });
    page = pageClient(listener.web?.url as string);
    await sendEvent({ title: "Printer on fire" });
    await sendEvent({ type: "resolved", title: "Coffee machine" });
    await sendEvent({ title: "Broken printer" });
    await sendEvent({ title: "Forged" }, "whsec_someone_else_123456");
  });
  afterAll(async () => {
    await listener?.close();
    await app?.stop();
  });

  it("lists windows of the rows a filter shows: search, type, verdict, status, --where", async () => {
    const seqs = async (query: string) =>
      ((await page.json(`/api/rows?${query}`)).rows as Array<{ seq: number }>).map((r) => r.seq);
    expect(await seqs("")).toEqual([1, 2, 3, 4]);
    expect(await seqs("q=printer")).toEqual([1, 3]);
    expect(await seqs("type=whitelabel-ticket-resolved")).toEqual([2]);
    expect(await seqs("verdict=rejected")).toEqual([4]);
    expect(await seqs("status=4xx")).toEqual([4]);
    expect(await seqs("status=5xx")).toEqual([3]);
    expect(await seqs("verdict=forward%20failed")).toEqual([3]);
    expect(await seqs(`where=${encodeURIComponent("data.ticket.title=Coffee machine")}`)).toEqual([
      2,
    ]);
    const window = await page.json("/api/rows?start=1&count=2");
    expect(window).toMatchObject({ total: 4, start: 1, newest_seq: 4 });
    expect(window.rows.map((r: { seq: number }) => r.seq)).toEqual([2, 3]);
    const bad = await page.get("/api/rows?where=nothing");
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/expected PATH=VALUE/);
    expect((await page.get("/api/rows?verdict=sideways")).status).toBe(400);
  });

  it("a signature that fails is explained when the sender made a classic mistake", async () => {
    const { body } = eventBody(++n, { title: "Signed alone" });
    const t = Math.floor(Date.now() / 1000);
    const digest = createHmac("sha256", SECRET).update(body).digest("hex");
    await post(listener.url, body, {
      "content-type": "application/json",
      "x-signature": `t=${t},s=${digest}`,
    });
    const seq = (await listener.waitFor((ex) => ex.request.body.toString() === body)).seq;
    const d = await page.json(`/api/exchanges/${seq}`);
    expect(d.signature.status).toBe("invalid");
    expect(d.signature_diagnosis).toMatchObject({ id: "signed-string" });
    expect(JSON.stringify(d)).not.toContain(SECRET);
  });

  it("rows carry at most 300 characters of a text; the details have the whole", async () => {
    const title = "t".repeat(1_000_000);
    const seq = await sendEvent({ title });
    const { rows } = await page.json(`/api/rows?start=${seq - 1}&count=1`);
    expect(rows[0].title).toBe(`${"t".repeat(300)}…`);
    expect((await page.json(`/api/exchanges/${seq}`)).body).toContain(title);
  });

  it("a request's details, and a clear 404 for one that is not there", async () => {
    const d = await page.json("/api/exchanges/1");
    expect(d).toMatchObject({ seq: 1, signature: { status: "valid", header: "X-Signature" } });
    // In the order they came (the test's client sends these two first).
    expect(d.headers.slice(0, 2).map((h: string[]) => h[0])).toEqual([
      "content-type",
      "x-signature",
    ]);
    expect(d.body_editable).toContain('\n  "event_type": "whitelabel-ticket-created"');
    expect(d.sends_to).toBe(app.url);
    const missing = await page.get("/api/exchanges/999");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error).toBe("no request #999 (it may have left the log)");
  });

  it("replays re-signed to the app listen forwards to: a new row, linked to the first", async () => {
    const before = app.requests.length;
    const got = await page.post("/api/exchanges/1/replay");
    expect(got.status).toBe(200);
    const row = JSON.parse(got.body);
    expect(row).toMatchObject({ edited_from: 1, replayed: true, forward_status: 200 });
    const sent = app.requests[before];
    expect(sent?.body.equals(listener.log.entries[0]?.request.body as Buffer)).toBe(true);
    expect(verify(APP_SECRET, sent?.body as Buffer, String(sent?.headers["x-signature"])).ok).toBe(
      true,
    );
  });

  it("sends an edit as typed, re-signed; refuses one that is not JSON, saying where", async () => {
    const text = (await page.json("/api/exchanges/2")).body_editable as string;
    const edited = text.replace("Coffee machine", "Coffee machine, fixed");
    const before = app.requests.length;
    const got = await page.post("/api/exchanges/2/resend", edited);
    expect(JSON.parse(got.body)).toMatchObject({ edited_from: 2, replayed: false });
    expect(app.requests[before]?.body.toString()).toBe(edited);
    const broken = await page.post("/api/exchanges/2/resend", "{ nope");
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body).error).toMatch(/not JSON \(line 1, column 3/);
    expect(app.requests.length).toBe(before + 1);
  });

  it("validates as the page types: where the JSON breaks, or each rule by path", async () => {
    const broken = JSON.parse((await page.post("/api/validate", '{"a":\n  1,,}')).body);
    expect(broken.parse_error).toMatchObject({ line: 2, column: 5 });
    const text = (await page.json("/api/exchanges/1")).body_editable as string;
    const wrong = JSON.parse(
      (await page.post("/api/validate", text.replace('"is_open": true', '"is_open": "yes"'))).body,
    );
    expect(wrong.valid).toBe(false);
    expect(wrong.errors.map((e: { path: string }) => e.path)).toContain("data.ticket.is_open");
  });

  it("diffs two requests by JSON path, and their headers by name", async () => {
    const d = await page.json("/api/diff?a=1&b=3");
    expect(d.body.mode).toBe("json");
    expect(d.body.changes).toContainEqual({
      path: "data.ticket.title",
      kind: "changed",
      a: '"Printer on fire"',
      b: '"Broken printer"',
    });
    expect(d.headers.find((h: { name: string }) => h.name === "x-signature").same).toBe(false);
    expect((await page.get("/api/diff?a=1")).status).toBe(400);
  });

  it("downloads one request (JSON template, HAR) or every one shown (HAR)", async () => {
    const one = await page.get("/api/exchanges/2/download?format=json");
    expect(one.headers["content-disposition"]).toMatch(
      /^attachment; filename="whitelabel-ticket-resolved-whev_page\d+\.json"$/,
    );
    expect(JSON.parse(one.body).data.ticket.title).toBe("Coffee machine");
    const har = JSON.parse((await page.get("/api/exchanges/2/download?format=har")).body);
    expect(har.log.entries[0].request.url).toBe(app.url);
    const printers = (await page.json("/api/rows?q=printer")).total as number;
    const shown = await page.get("/api/download?format=har&q=printer");
    expect(shown.headers["x-requests"]).toBe(String(printers));
    expect(JSON.parse(shown.body).log.entries).toHaveLength(printers);
    expect((await page.get("/api/exchanges/2/download?format=xml")).status).toBe(400);
  });

  it("answers a POST only from its own page (Origin), and up to 4 MiB", async () => {
    expect((await page.post("/api/exchanges/1/replay", "", {})).status).toBe(403);
    const other = await page.post("/api/exchanges/1/replay", "", { origin: "http://evil.example" });
    expect(other.status).toBe(403);
    const huge = await page.post("/api/validate", "x".repeat(5 * 1024 * 1024));
    expect(huge.status).toBe(413);
  });

  it("each page's stream carries only the rows its filter shows", async () => {
    const newest = (await page.json("/api/rows")).newest_seq as number;
    const got: string[] = [];
    const done = new Promise<void>((resolve) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: page.port,
          path: `/api/stream?after=${newest}&q=printer`,
          headers: {
            host: `127.0.0.1:${page.port}`,
            cookie: `th_token_${page.port}=${new URL(listener.web?.url as string).searchParams.get("token")}`,
          },
        },
        (res) => {
          res.setEncoding("utf8").on("data", (d: string) => {
            got.push(d);
            if (d.includes("Printer again")) {
              req.destroy();
              resolve();
            }
          });
          void sendEvent({ title: "Not this one" }).then(() =>
            sendEvent({ title: "Printer again" }),
          );
        },
      );
      req.end();
    });
    await done;
    const text = got.join("");
    expect(text).toContain("Printer again");
    expect(text).not.toContain("Not this one");
  });
});

describe("replay and edit without an app to send to", () => {
  it("are refused with what to do (409), never sent elsewhere", async () => {
    const alone = await listen({ port: 0, web: { port: 0 } });
    try {
      const client = pageClient(alone.web?.url as string);
      const { body } = eventBody(99);
      await post(alone.url, body, { "content-type": "application/json" });
      await alone.waitFor(() => true);
      const got = await client.post("/api/exchanges/1/replay");
      expect(got.status).toBe(409);
      expect(JSON.parse(got.body).error).toBe(
        "replay and edit send to your app: start listen with --forward-to URL",
      );
    } finally {
      await alone.close();
    }
  });
});

describe("inspect --web", () => {
  it("serves a recording's rows without a terminal, until Ctrl-C", async () => {
    const dir = tempDir();
    const file = join(dir.dir, "events.ndjson");
    const recorder = await listen({ port: 0, record: file });
    for (let i = 1; i <= 3; i++) {
      await post(recorder.url, eventBody(100 + i, { title: `Recorded ${i}` }).body, {
        "content-type": "application/json",
      });
    }
    await recorder.close();
    // A fourth line whose verdict is of the wrong shape (a recording is outside data).
    const lines = readFileSync(file, "utf8").split("\n");
    writeFileSync(
      file,
      `${lines.slice(0, 3).join("\n")}\n${lines[2]?.replace('"errors":[]', '"errors":7 ')}\n`,
    );
    const main = startMain(["inspect", file, "--web", "--web-port", "0"]);
    try {
      const [, url] = (await main.waitFor(/Web inspector: (\S+)/, "stderr")) as string[];
      const client = pageClient(url as string);
      const rows = await client.json("/api/rows");
      expect(rows.total).toBe(4);
      expect(rows.rows[2].title).toBe("Recorded 3");
      const odd = await client.get("/api/exchanges/4");
      expect(odd.status).toBe(200);
      expect(JSON.parse(odd.body).validation_errors).toEqual([]);
      const info = await client.json("/api/info");
      expect(info).toMatchObject({
        kind: "inspect",
        cannot_send: expect.stringMatching(/--to URL/),
      });
    } finally {
      main.signals.send("SIGINT");
    }
    const r = await main.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Inspected 4 request(s) from ${file}\n`);
    dir.cleanup();
  });
});

describe("--web-host and --web-allow-host", () => {
  it("another address is warned about and answers under its own name; names can be added", async () => {
    const main = startMain([
      "listen",
      "--port",
      "0",
      "--web",
      "--web-port",
      "0",
      "--web-host",
      "127.0.0.2",
      "--web-allow-host",
      "inspector.test",
    ]);
    try {
      const [, url] = (await main.waitFor(/Web inspector: (\S+)/, "stderr")) as string[];
      expect(main.stderr()).toMatch(/the web inspector binds 127\.0\.0\.2, not only this machine/);
      const port = new URL(url as string).port;
      const token = new URL(url as string).searchParams.get("token");
      const status = (host: string) =>
        new Promise<number>((resolve, reject) => {
          request(
            {
              host: "127.0.0.2",
              port: Number(port),
              path: "/api/info",
              headers: { host, cookie: `th_token_${port}=${token}` },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          )
            .on("error", reject)
            .end();
        });
      expect(await status(`127.0.0.2:${port}`)).toBe(200);
      expect(await status(`inspector.test:${port}`)).toBe(200);
      expect(await status(`evil.example:${port}`)).toBe(403);
    } finally {
      main.signals.send("SIGINT");
    }
    expect((await main.done).code).toBe(0);
  });

  it("--web-port without --web is an error, not ignored; so is a bad web option in the library", async () => {
    const r = await runMain(["listen", "--port", "0", "--web-port", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--web-port need --web (the web inspector is off without it)");
    await expect(listen({ port: 0, web: { port: 99_999 } })).rejects.toThrow(
      "web (--web): port must be a whole number from 0 to 65535, got 99999",
    );
  });

  it("a bad --web-host is an error naming it", async () => {
    const r = await runMain([
      "listen",
      "--port",
      "0",
      "--web",
      "--web-host",
      "no.such.host.invalid",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /cannot start the web inspector at no\.such\.host\.invalid: no such address \(ENOTFOUND\)/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
