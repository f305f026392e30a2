import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verify } from "../../src/core/signing/signature.js";
import { type Listener, listen } from "../../src/index.js";
import { tempDir } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { runMain } from "../helpers/main.js";

let listener: Listener | undefined;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  await listener?.close();
  listener = undefined;
  tmp.cleanup();
});

const BODY = '{"event_type":"whitelabel-ticket-created"}';
const hmac = (t: string, body: string) =>
  createHmac("sha256", "secret").update(`${t}.${body}`).digest("hex");

describe("wrong answers", () => {
  it("--status 100 and 101 are refused at start", async () => {
    for (const status of ["100", "101"]) {
      const result = await runMain(["listen", "--port", "0", "--status", status, "--no-ui"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--status must be a whole number from 200 to 599/);
    }
    await expect(listen({ port: 0, status: 101 })).rejects.toThrow(/1xx are not final answers/);
  });

  it("204 and 304 are sent without a body or a Content-Length", async () => {
    for (const status of [204, 304]) {
      listener = await listen({ port: 0, status });
      const answer = await new Promise<{ status: number; headers: Record<string, unknown> }>(
        (resolve, reject) => {
          const req = request(
            listener?.url as string,
            { method: "POST", headers: { "content-type": "application/json" } },
            (res) => {
              res.resume();
              res.on("end", () =>
                resolve({ status: res.statusCode ?? 0, headers: { ...res.headers } }),
              );
            },
          );
          req.on("error", reject);
          req.end(BODY);
        },
      );
      expect(answer.status).toBe(status);
      expect(answer.headers["content-length"]).toBeUndefined();
      expect(answer.headers["transfer-encoding"]).toBeUndefined();
      await listener.close();
      listener = undefined;
    }
  });

  it("CONNECT is answered 405, not dropped", async () => {
    listener = await listen({ port: 0 });
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(listener?.port as number, "127.0.0.1");
      let text = "";
      socket.setEncoding("utf8").on("data", (d: string) => {
        text += d;
      });
      socket.on("close", () => resolve(text));
      socket.write("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    });
    expect(answer).toMatch(/^HTTP\/1.1 405/);
  });

  it("a body that is not UTF-8, or starts with a BOM, is a 400 naming the problem", async () => {
    listener = await listen({ port: 0 });
    const latin1 = await post(listener.url, Buffer.from('{"title":"caf\xe9"}', "latin1"));
    expect(latin1.status).toBe(400);
    expect(JSON.parse(latin1.body).error).toMatch(/not valid UTF-8/);
    const bom = await post(
      listener.url,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(BODY)]),
    );
    expect(bom.status).toBe(400);
    const error = JSON.parse(bom.body).error as string;
    expect(error).toMatch(/byte order mark \(U\+FEFF/);
    expect(error).not.toContain("\ufeff");
  });

  it("signature parsing is strict: 64 hex digits per s=, bounded t=, HMAC over the header's digits", () => {
    const now = 1_732_550_000;
    const t = String(now);
    const good = hmac(t, BODY);
    expect(verify("secret", BODY, `t=${t},s=${good}`, { now }).ok).toBe(true);
    expect(verify("secret", BODY, `t=${t},s=${good}ZZZ`, { now })).toMatchObject({ ok: false });
    expect(verify("secret", BODY, `t=${t},s=${good}0`, { now })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/exactly 64 hex digits/),
    });
    // A digest of the wrong shape is a malformed header, not a signature that fails to match.
    expect(verify("secret", BODY, "t=1,s=abc", { tolerance: 0 })).toMatchObject({
      ok: false,
      reason: "malformed_header",
      message:
        "malformed signature header: s= must be exactly 64 hex digits (an HMAC-SHA256), got 3 character(s)",
    });
    const huge = "1".repeat(30);
    const result = verify("secret", BODY, `t=${huge},s=${hmac(huge, BODY)}`, { tolerance: 0 });
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/30 digits/) });
    expect(JSON.stringify(result)).not.toMatch(/e\+/);
    // Leading zeros: the HMAC is over the digits as sent.
    const padded = `0${t}`;
    expect(verify("secret", BODY, `t=${padded},s=${hmac(padded, BODY)}`, { now }).ok).toBe(true);
    expect(verify("secret", BODY, `t=${padded},s=${good}`, { now }).ok).toBe(false);
  });

  it("validate and send of a 20k-deep file: exit 2 with a message", async () => {
    const file = join(tmp.dir, "deep.json");
    writeFileSync(
      file,
      `{"event_type":"whitelabel-ticket-created","x":${"[".repeat(20_000)}${"]".repeat(20_000)}}`,
    );
    const validated = await runMain(["validate", file]);
    expect(validated.code).toBe(2);
    expect(validated.stderr).toMatch(/nested deeper than 1000 levels/);
    const sent = await runMain(["send", file, "--to", "http://127.0.0.1:9/"]);
    expect(sent.code).toBe(2);
    expect(sent.stderr).toMatch(/nested deeper than 1000 levels/);
  });
});
