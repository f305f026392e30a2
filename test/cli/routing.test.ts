import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sign } from "../../src/core/signing/signature.js";
import { signedAt } from "../helpers/hmac.js";
import { post } from "../helpers/http.js";
import { type RunningMain, runMain, startMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

/*
 * listen --forward EVENTS=URL: each event type reaches its own app (in-process listener, real
 * node:http apps on port 0); types with no route are answered by the listener itself.
 */

const JSON_HEADERS = { "content-type": "application/json" };
const body = (type: string) => JSON.stringify({ event_type: `whitelabel-ticket-${type}`, n: 1 });

const running: RunningMain[] = [];
const apps: WebhookServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    r.signals.send("SIGINT");
    await r.done;
  }
  for (const app of apps.splice(0)) await app.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startApp(name: string) {
  const app = await new WebhookServer((_r, _i, res) => {
    res.setHeader("content-type", "text/plain");
    res.end(`from ${name}`);
  }).start();
  apps.push(app);
  return app;
}

async function startListener(args: string[], cwd?: string) {
  const main = startMain(["listen", "--json", "--port", "0", ...args], cwd ? { cwd } : {});
  running.push(main);
  const [, url] = (await main.waitFor(/"type":"ready","url":"([^"]+)"/, "stdout")) as string[];
  return { url: url as string, main };
}

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "routing-"));
  dirs.push(dir);
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("listen --forward EVENTS=URL", () => {
  it("sends each event type to its route's app; unrouted types are answered by the listener", async () => {
    const a = await startApp("a");
    const b = await startApp("b");
    const { url, main } = await startListener([
      "--forward",
      `created,assigned=${a.url}/a`,
      "--forward",
      `whitelabel-ticket-resolved=${b.url}/b`,
    ]);
    expect((await post(url, body("created"), JSON_HEADERS)).body).toBe("from a");
    expect((await post(url, body("assigned"), JSON_HEADERS)).body).toBe("from a");
    expect((await post(url, body("resolved"), JSON_HEADERS)).body).toBe("from b");
    const own = await post(url, body("updated"), JSON_HEADERS);
    expect(own.status).toBe(200);
    expect(own.body).not.toMatch(/from/);
    expect(a.requests.map((r) => [r.url, JSON.parse(r.body.toString()).event_type])).toEqual([
      ["/webhooks/a", "whitelabel-ticket-created"],
      ["/webhooks/a", "whitelabel-ticket-assigned"],
    ]);
    expect(b.requests.map((r) => r.url)).toEqual(["/webhooks/b"]);
    expect(main.stderr()).toContain("Other events are answered here");
  });

  it("--forward-to takes every event without a route", async () => {
    const a = await startApp("a");
    const rest = await startApp("rest");
    const { url } = await startListener([
      "--forward",
      `resolved=${a.url}`,
      "--forward-to",
      rest.url,
    ]);
    expect((await post(url, body("resolved"), JSON_HEADERS)).body).toBe("from a");
    expect((await post(url, body("created"), JSON_HEADERS)).body).toBe("from rest");
    expect(rest.requests).toHaveLength(1);
  });

  it("re-signs each route with its own secret (--forward-secret-for), others with --forward-secret", async () => {
    const a = await startApp("a");
    const b = await startApp("b");
    const { url } = await startListener([
      "--secret",
      "listener-secret",
      "--forward",
      `created=${a.url}`,
      "--forward",
      `resolved=${b.url}`,
      "--forward-secret-for",
      "resolved=secret-b=with=equals",
      "--forward-secret",
      "default-app-secret",
    ]);
    for (const type of ["created", "resolved"]) {
      const raw = Buffer.from(body(type));
      const signature = sign("listener-secret", raw);
      const answer = await post(url, raw, { ...JSON_HEADERS, "x-signature": signature });
      expect(answer.status).toBe(200);
    }
    const [toA] = a.requests;
    const [toB] = b.requests;
    expect(
      signedAt(toA?.body as Buffer, toA?.headers["x-signature"], "default-app-secret"),
    ).not.toBe(false);
    expect(
      signedAt(toB?.body as Buffer, toB?.headers["x-signature"], "secret-b=with=equals"),
    ).not.toBe(false);
    expect(signedAt(toB?.body as Buffer, toB?.headers["x-signature"], "default-app-secret")).toBe(
      false,
    );
  });

  it("takes the routes as a map in the config file (a URL, or {url, secret})", async () => {
    const a = await startApp("a");
    const b = await startApp("b");
    const dir = tempDir();
    writeFileSync(
      join(dir, "ticket-hooks.config.json"),
      JSON.stringify({
        forward: {
          "created,assigned": `${a.url}/a`,
          resolved: { url: `${b.url}/b`, secret: "config-route-secret" },
        },
      }),
    );
    const { url, main } = await startListener([], dir);
    expect((await post(url, body("assigned"), JSON_HEADERS)).body).toBe("from a");
    expect((await post(url, body("resolved"), JSON_HEADERS)).body).toBe("from b");
    const toB = b.requests[0];
    expect(
      signedAt(toB?.body as Buffer, toB?.headers["x-signature"], "config-route-secret"),
    ).not.toBe(false);
    expect(main.stderr()).not.toContain("config-route-secret");
    expect(main.stderr()).toContain("contains a secret");
  });

  it("follows each route's app health: a route whose app is down has its own target line", async () => {
    const a = await startApp("a");
    const downPort = await freePort();
    const { url, main } = await startListener([
      "--forward",
      `created=${a.url}`,
      "--forward",
      `resolved=http://127.0.0.1:${downPort}/b`,
    ]);
    await main.waitFor(
      new RegExp(`"type":"target","url":"http://127.0.0.1:${downPort}/b","up":false`),
      "stdout",
    );
    expect(main.stdout()).not.toContain(`"url":"${a.url}","up":false`);
    expect((await post(url, body("created"), JSON_HEADERS)).body).toBe("from a");
    const down = await post(url, body("resolved"), JSON_HEADERS);
    expect(down.status).toBe(502);
    expect(JSON.parse(down.body).error).toContain(
      `forwarding to http://127.0.0.1:${downPort}/b failed`,
    );
  });

  it("refuses a route to the listener's own address", async () => {
    const port = await freePort();
    const app = await startApp("a");
    const result = await runMain([
      "listen",
      "--port",
      String(port),
      "--forward",
      `created=${app.url}`,
      "--forward",
      `resolved=http://localhost:${port}/x`,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `--forward resolved=http://localhost:${port}/x is this listener's own address`,
    );
  });
});

describe("bad routes are usage errors", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["no =", ["--forward", "http://localhost:3000/a"], /expected EVENTS=URL/],
    ["no URL", ["--forward", "created="], /expected EVENTS=URL/],
    ["no events", ["--forward", ",created=http://localhost:3000/"], /name the events before "="/],
    ["unknown event", ["--forward", "closed=http://localhost:3000/"], /unknown event "closed"/],
    [
      "bad URL",
      ["--forward", "created=ftp://localhost/"],
      /--forward created=ftp:\/\/localhost\/: unsupported URL scheme/,
    ],
    [
      "one event routed twice",
      [
        "--forward",
        "created=http://localhost:3000/",
        "--forward",
        "whitelabel-ticket-created=http://localhost:3001/",
      ],
      /whitelabel-ticket-created is already routed by --forward created=/,
    ],
    [
      "a secret for no route",
      [
        "--forward",
        "created=http://localhost:3000/",
        "--forward-secret-for",
        "resolved=s3cret-value",
      ],
      /--forward-secret-for resolved: no --forward resolved=URL route/,
    ],
    ["a secret without =", ["--forward-secret-for", "resolved"], /expected EVENTS=SECRET/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const result = await runMain(["listen", "--port", "0", ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain("s3cret-value");
    });
  }

  it("a config map with a bad value", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "ticket-hooks.config.json"),
      JSON.stringify({
        forward: { created: { to: "http://localhost:3000/", secret: "hidden-one" } },
      }),
    );
    const result = await runMain(["listen", "--port", "0"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `"forward": "created" must be a URL or {"url": "…", "secret": "…"}`,
    );
    expect(result.stderr).not.toContain("hidden-one");
  });
});
