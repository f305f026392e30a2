import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { spawnListener } from "../helpers/listener-process.js";

// The `slow` project: memory bounds of the listener, measured on a real process (peak RSS).

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  tmp.cleanup();
});

describe("a stalled --json reader", () => {
  it("costs the listener at most its 16 MB output queue: peak RSS under 200 MB for 36 MB sent", async () => {
    const l = await spawnListener(join(tmp.dir, "stalled.ndjson"));
    const body = JSON.stringify({ event_type: "x", pad: "p".repeat(900_000) });
    for (let i = 0; i < 40; i++) expect((await post(l.url, body)).status).toBe(200);
    const rss = l.peakRss();
    l.child.kill("SIGTERM");
    l.child.stdout.resume();
    expect(await l.exited).toBe(0);
    expect(rss).toBeLessThan(200);
  }, 60_000);
});
