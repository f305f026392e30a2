import { connect } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Listener, listen } from "../../src/index.js";
import { createHttpSender } from "../../src/io/http-sender.js";
import { tempDir } from "../helpers/cli.js";
import { retriedSend, trickledSend } from "../helpers/hostile-sends.js";
import { HostileServer, noAnswer } from "../helpers/hostile-server.js";
import { runMain } from "../helpers/main.js";

// The `slow` project: how precisely time bounds fire, measured in wall time. The default run
// checks that each bound fires; how close to its value depends on the machine's load.

let server: HostileServer | undefined;
let listener: Listener | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await listener?.close();
  listener = undefined;
});

describe("--timeout fires on time", () => {
  it.each([100, 250, 500, 2000])(
    "within 100 ms of %i ms when no answer comes",
    async (timeoutMs) => {
      server = await new HostileServer(noAnswer).start();
      const sender = createHttpSender({ origin: server.origin, timeoutMs, connections: 1 });
      const started = performance.now();
      let took = Number.NaN;
      try {
        // Timed to the rejection itself, not to closing the pool afterwards.
        const attempt = sender.post("/hooks", {}, "{}").finally(() => {
          took = performance.now() - started;
        });
        await expect(attempt).rejects.toMatchObject({ code: "ATTEMPT_TIMEOUT" });
      } finally {
        await sender.close();
      }
      expect(took).toBeGreaterThanOrEqual(timeoutMs - 1);
      expect(took).toBeLessThan(timeoutMs + 100);
    },
  );

  it("a body trickled one byte at a time does not extend the attempt", async () => {
    const sent = await trickledSend();
    server = sent.server;
    expect(sent.delivery?.duration_ms).toBeGreaterThanOrEqual(299);
    expect(sent.delivery?.duration_ms).toBeLessThan(400);
  });

  it("each retry gets its own bound", async () => {
    const sent = await retriedSend();
    server = sent.server;
    expect(sent.delivery).toMatchObject({ attempts: 3 });
    expect(sent.delivery?.duration_ms).toBeLessThan(2 * 150 + 200);
  });
});

/** Resolves with what the server sent back on a connection that sent `text` and went quiet. */
function quietClient(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let answer = "";
  socket.setEncoding("utf8").on("data", (d: string) => {
    answer += d;
  });
  socket.write(text);
  return new Promise((resolve) => socket.on("close", () => resolve(answer)));
}

describe("the listener's request timeouts fire on time", () => {
  it("trickled headers are cut at the headers timeout", async () => {
    const tmp = tempDir();
    try {
      listener = await listen({
        port: 0,
        record: join(tmp.dir, "slow.ndjson"),
        headersTimeoutMs: 300,
        requestTimeoutMs: 600,
      });
      const started = Date.now();
      const answer = await quietClient(listener.url, "POST / HTTP/1.1\r\nHost: x\r\n");
      const took = Date.now() - started;
      expect(answer).toMatch(/^HTTP\/1.1 408/);
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(1500);
    } finally {
      await listener?.close();
      listener = undefined;
      tmp.cleanup();
    }
  });

  it("a trickled body is cut at the request timeout", async () => {
    listener = await listen({ port: 0, headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const started = Date.now();
    const answer = await quietClient(
      listener.url,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"event',
    );
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("replay ends promptly", () => {
  it("on /dev/zero: well within 5 s", async () => {
    const started = Date.now();
    const result = await runMain(["replay", "/dev/zero", "--to", "http://127.0.0.1:9/"]);
    expect(result.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
