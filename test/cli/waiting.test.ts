// Waiting for the app instead of `sleep 5`: --wait on send, scenario and check, and
// listen --ready-file for scripts that start a listener in the background.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { VirtualClock } from "../helpers/clock.js";
import { runMain, startMain } from "../helpers/main.js";
import { freePort } from "../helpers/tmux.js";
import { WebhookServer } from "../helpers/webhook-server.js";

let app: WebhookServer | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe("--wait", () => {
  it("send waits for an app that starts later, says so, then sends", async () => {
    const port = await freePort();
    const main = startMain([
      "send",
      "created",
      "--to",
      `http://127.0.0.1:${port}/webhooks`,
      "--wait",
      "20s",
    ]);
    await main.waitFor(/Waiting up to 20s for http:\/\/127\.0\.0\.1:\d+ to answer…/);
    app = await new WebhookServer().start(port);
    const r = await main.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/answered \(200\) after/);
    expect(app.requests.filter((q) => q.method === "POST")).toHaveLength(1);
  });

  it("check gives up after the duration: one line naming what was tried, exit 1", async () => {
    const port = await freePort();
    const clock = new VirtualClock();
    const r = await runMain(["check", "--to", `http://127.0.0.1:${port}/`, "--wait", "3s"], {
      clock,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `http://127\\.0\\.0\\.1:${port}/ did not answer within 3s: \\d+ attempt\\(s\\), the last: nothing listening at 127\\.0\\.0\\.1:${port} \\(connection refused\\)`,
      ),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("scenario waits too; any answer counts (a webhook path may answer GET with 404)", async () => {
    app = await new WebhookServer((req, _i, res) =>
      res.writeHead(req.method === "GET" ? 404 : 200).end(),
    ).start();
    const r = await runMain(["scenario", "lifecycle", "--to", app.url, "--wait", "5s"], {
      clock: new VirtualClock(),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/answered \(404\) after/);
  });

  it("a duration that is not one is a usage error", async () => {
    const r = await runMain(["send", "created", "--to", "http://127.0.0.1:9/", "--wait", "soon"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--wait takes a duration up to 30m: 30s, 2m, 500ms");
  });
});

describe("listen --ready-file", () => {
  it("is written whole once the listener is ready, and removed when it stops", async () => {
    const dir = tempDir();
    const file = join(dir.dir, "listen.json");
    const main = startMain([
      "listen",
      "--port",
      "0",
      "--ready-file",
      file,
      "--web",
      "--web-port",
      "0",
    ]);
    await main.waitFor(/Ready: listening on (\S+)/);
    const ready = JSON.parse(readFileSync(file, "utf8"));
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(ready.web).toMatch(/\/\?token=[0-9a-f]{32}$/);
    expect(ready.pid).toBe(process.pid);
    main.signals.send("SIGINT");
    expect((await main.done).code).toBe(0);
    expect(existsSync(file)).toBe(false);
    dir.cleanup();
  });

  it("a file that cannot be written stops the listener with the reason", async () => {
    const r = await runMain([
      "listen",
      "--port",
      "0",
      "--ready-file",
      "/nonexistent/dir/ready.json",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot write --ready-file \/nonexistent\/dir\/ready\.json: /);
  });
});
