import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { type Listener, listen } from "../../src/index.js";
import { post } from "../helpers/http.js";

let listener: Listener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

describe("listen's --json output", () => {
  it("a sink that keeps the chunks it is given never sees them written over", async () => {
    // A PassThrough keeps every chunk as given (no copy) until read: writableLength says 0 at
    // once, yet the bytes are still held. Lines handed over must never be reused.
    const sink = new PassThrough();
    const kept: Buffer[] = [];
    sink.on("data", (chunk: Buffer) => kept.push(chunk));
    listener = await listen({ port: 0 }, { output: sink });
    const titles = Array.from({ length: 60 }, (_, i) => `title ${i} ${"x".repeat(i * 37)}`);
    for (const title of titles) {
      // One request per turn: each turn's lines are a batch of their own.
      await post(listener.url, JSON.stringify({ event_type: "custom", title }));
    }
    await listener.close();
    listener = undefined;
    const lines = Buffer.concat(kept).toString("utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).body.title)).toEqual(titles);
  });

  it("a stalled reader's lines are dropped past the limit and counted; the listener goes on", async () => {
    const stalled = new PassThrough({ highWaterMark: 1 }); // never read
    const warnings: string[] = [];
    listener = await listen(
      { port: 0, outputQueueLimit: 2048 },
      { output: stalled, onError: (e) => warnings.push(e.message) },
    );
    for (let i = 0; i < 20; i++) {
      const answer = await post(listener.url, JSON.stringify({ event_type: "custom", n: i }));
      expect(answer.status).toBe(200);
    }
    expect(listener.droppedLines).toBeGreaterThan(0);
    expect(warnings.filter((w) => w.includes("not being read"))).toHaveLength(1);
  });
});
