import { afterEach, describe, expect, it } from "vitest";
import { createHttpSender } from "../../src/io/http-sender.js";
import { HostileServer, noAnswer, trickledAnswer } from "../helpers/hostile-server.js";
import { runMain } from "../helpers/main.js";

// send against receivers that answer too slowly or never: --timeout bounds the whole attempt.
// How precisely it fires, and answers of hundreds of MB, are measured in test/slow/ (they depend
// on the machine's speed and memory).

let server: HostileServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const deliveries = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((r) => r.type === "delivery");

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
    server = await new HostileServer(trickledAnswer(20)).start();
    const { code, stdout } = await runMain([
      "send",
      "created",
      "--to",
      server.url,
      "--timeout",
      "300",
      "--json",
    ]);
    const [delivery] = deliveries(stdout);
    expect(delivery).toMatchObject({ status: null, ok: false, error: "timed out after 300 ms" });
    expect(code).toBe(1);
  });

  it("each retry gets its own bound and the sender stays usable after a timeout", async () => {
    let calls = 0;
    server = await new HostileServer((_req, res) => {
      calls++;
      if (calls > 2) res.end("late but fine");
    }).start();
    const { code, stdout } = await runMain([
      "send",
      "created",
      "--to",
      server.url,
      "--timeout",
      "150",
      "--retries",
      "2",
      "--backoff",
      "0",
      "--json",
    ]);
    const [delivery] = deliveries(stdout);
    expect(delivery).toMatchObject({ status: 200, ok: true, attempts: 3 });
    expect(code).toBe(0);
  });
});
