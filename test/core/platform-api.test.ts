import { afterEach, describe, expect, it } from "vitest";
import { type Listener, listen, sign } from "../../src/index.js";
import { fixedClock } from "../helpers/clock.js";
import { post } from "../helpers/http.js";

let listener: Listener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

const BODY = '{"event_id":"whev_abcdefghijklmnopq","event_type":"whitelabel-ticket-created"}';
const NOW = 1_800_000_000;
const INVALID = { status: 400, valid: false, errors: ["invalid payload"] };

async function api(headers: Record<string, string>, body = BODY) {
  const url = new URL("/v2/webhook-endpoints/verify-signature", listener?.url).href;
  const answer = await post(url, body, headers);
  return { status: answer.status, body: JSON.parse(answer.body) };
}

describe("listen({ platformApi }): the platform's verify-signature API, offline", () => {
  it("answers 200 for a valid signature and 400 invalid payload otherwise", async () => {
    listener = await listen(
      { port: 0, secret: "s3cret", platformApi: true },
      { clock: fixedClock(NOW) },
    );
    const key = { authorization: "Bearer key_123" };
    expect(await api({ ...key, "x-signature": sign("s3cret", BODY, NOW) })).toEqual({
      status: 200,
      body: { status: 200, valid: true },
    });
    expect(await api({ ...key, "x-signature": sign("other", BODY, NOW) })).toEqual({
      status: 400,
      body: INVALID,
    });
    expect(await api({ ...key, "x-signature": sign("s3cret", `${BODY} `, NOW) })).toEqual({
      status: 400,
      body: INVALID,
    });
    expect(await api(key)).toEqual({ status: 400, body: INVALID });
  });

  it("refuses signatures older than 5 minutes", async () => {
    listener = await listen(
      { port: 0, secret: "s3cret", platformApi: true },
      { clock: fixedClock(NOW) },
    );
    const key = { authorization: "Bearer k" };
    expect((await api({ ...key, "x-signature": sign("s3cret", BODY, NOW - 299) })).status).toBe(
      200,
    );
    expect(await api({ ...key, "x-signature": sign("s3cret", BODY, NOW - 301) })).toEqual({
      status: 400,
      body: INVALID,
    });
  });

  it("needs an API key; the key, its header and the signature header are configurable", async () => {
    listener = await listen(
      {
        port: 0,
        secret: "s3cret",
        signatureHeader: "Tamio-Signature",
        platformApi: { apiKey: "key_ok", apiKeyHeader: "X-Api-Key" },
      },
      { clock: fixedClock(NOW) },
    );
    const signature = { "tamio-signature": sign("s3cret", BODY, NOW) };
    expect((await api(signature)).status).toBe(401);
    expect((await api({ ...signature, "x-api-key": "wrong" })).status).toBe(401);
    expect(await api({ ...signature, "x-api-key": "key_ok" })).toEqual({
      status: 200,
      body: { status: 200, valid: true },
    });
  });

  it("leaves the webhook path alone, and is off by default", async () => {
    listener = await listen({ port: 0, secret: "s3cret" }, { clock: fixedClock(NOW) });
    const answer = await api({
      authorization: "Bearer k",
      "x-signature": sign("s3cret", BODY, NOW),
    });
    expect(answer.status).toBe(404);
  });
});
