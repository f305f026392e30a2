import { describe, expect, it } from "vitest";
import { sign } from "../../src/core/signing/signature.js";
import { post } from "../helpers/http.js";
import { startMain } from "../helpers/main.js";

describe("listen --platform-api", { timeout: 20_000 }, () => {
  it("answers the platform's verify-signature API with the listener's secret", async () => {
    const run = startMain([
      "listen",
      "--port",
      "0",
      "--secret",
      "s3cret",
      "--no-ui",
      "--platform-api",
      "--platform-api-key",
      "key_1",
    ]);
    const [, base] = await run.waitFor(/Platform API: POST (http:\/\/\S+)/);
    const body = '{"event_id":"whev_abcdefghijklmnopq"}';
    const now = Math.floor(Date.now() / 1000);
    const valid = await post(base as string, body, {
      authorization: "Bearer key_1",
      "x-signature": sign("s3cret", body, now),
    });
    expect(valid.status).toBe(200);
    const stale = await post(base as string, body, {
      authorization: "Bearer key_1",
      "x-signature": sign("s3cret", body, now - 600),
    });
    expect(stale.status).toBe(400);
    expect(JSON.parse(stale.body)).toEqual({
      status: 400,
      valid: false,
      errors: ["invalid payload"],
    });
    const noKey = await post(base as string, body, { "x-signature": sign("s3cret", body, now) });
    expect(noKey.status).toBe(401);
    run.signals.send("SIGINT");
    expect((await run.done).code).toBe(0);
  });
});
