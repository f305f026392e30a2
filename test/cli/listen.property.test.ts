import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Listener, listen } from "../../src/index.js";
import { tempDir } from "../helpers/cli.js";
import { post } from "../helpers/http.js";

const STATUS_MAP = new Set([200, 400, 401, 404, 405, 413, 415, 422]);
let listener: Listener;
const tmp = tempDir();
const file = join(tmp.dir, "fuzz.ndjson");

beforeAll(async () => {
  listener = await listen({ port: 0, path: "/hooks", secret: "s", maxBody: 2000, record: file });
});
afterAll(async () => {
  await listener.close();
  tmp.cleanup();
});

describe("the real server under random requests", () => {
  it("always answers from the status map, never crashes, records every request", async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("POST", "PUT", "GET", "DELETE"),
        fc.constantFrom("/hooks", "/", "/hooks/x", "/hooks?x=1"),
        fc.constantFrom(
          "application/json",
          "text/plain",
          "application/json; charset=utf-8",
          "application/vnd.x+json",
        ),
        fc.dictionary(fc.stringMatching(/^x-[a-z]{1,8}$/), fc.stringMatching(/^[ -~]{0,40}$/), {
          maxKeys: 4,
        }),
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b)),
          fc.json().map((s) => Buffer.from(s)),
        ),
        async (method, path, type, extra, body) => {
          const answer = await post(
            listener.url.replace("/hooks", path),
            body,
            { "content-type": type, ...extra },
            method,
          );
          sent++;
          expect(STATUS_MAP.has(answer.status)).toBe(true);
          expect(() => JSON.parse(answer.body)).not.toThrow();
        },
      ),
      { numRuns: 150 },
    );
    expect(listener.log.counters.received).toBe(sent);
    await listener.close();
    const recorded = readFileSync(file, "utf8").trim().split("\n");
    expect(recorded).toHaveLength(sent);
    listener = await listen({ port: 0 });
  });
});
