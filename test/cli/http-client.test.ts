import { afterEach, describe, expect, it } from "vitest";
import { createHttpSender } from "../../src/io/http-sender.js";
import { retriedSend, trickledSend } from "../helpers/hostile-sends.js";
import { HostileServer, noAnswer } from "../helpers/hostile-server.js";
import { runMain } from "../helpers/main.js";

// send against receivers that answer too slowly or never: --timeout bounds the whole attempt.
// How precisely it fires, and answers of hundreds of MB, are measured in test/slow/ (they depend
// on the machine's speed and memory).

let server: HostileServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe("--timeout", () => {
  it("an attempt with no answer fails when its timeout fires", async () => {
    server = await new HostileServer(noAnswer).start();
    const sender = createHttpSender({ origin: server.origin, timeoutMs: 100, connections: 1 });
    try {
      await expect(sender.post("/hooks", {}, "{}")).rejects.toMatchObject({
        code: "ATTEMPT_TIMEOUT",
      });
    } finally {
      await sender.close();
    }
  });

  it("bounds the whole attempt: a body trickled one byte at a time does not extend it", async () => {
    const sent = await trickledSend();
    server = sent.server;
    expect(sent.delivery).toMatchObject({
      status: null,
      ok: false,
      error: "timed out after 300 ms",
    });
    expect(sent.result.code).toBe(1);
  });

  it("each retry gets its own bound and the sender stays usable after a timeout", async () => {
    const sent = await retriedSend();
    server = sent.server;
    expect(sent.delivery).toMatchObject({ status: 200, ok: true, attempts: 3 });
    expect(sent.result.code).toBe(0);
  });
});

describe("interim answers (1xx)", () => {
  it("103 Early Hints before the answer is skipped: the final 200 counts", async () => {
    server = await new HostileServer((_req, res) => {
      res.writeEarlyHints({ link: "</a.css>; rel=preload" });
      res.end("ok");
    }).start();
    const r = await runMain(["send", "created", "--to", server.url, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim().split("\n")[0] as string)).toMatchObject({ status: 200 });
  });

  it("an unasked-for 100 Continue is named, not taken for a closed connection", async () => {
    server = await new HostileServer((_req, res) => {
      res.writeContinue();
      res.end("ok");
    }).start();
    const r = await runMain(["send", "created", "--to", server.url]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("answered 100 Continue to a request without Expect: 100-continue");
    expect(r.stdout).not.toContain("before it answered");
  });
});
