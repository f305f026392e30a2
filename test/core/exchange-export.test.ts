import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Exchange } from "../../src/core/exchanges/exchange.js";
import { exchangeFile, templateText } from "../../src/core/exchanges/exchange-export.js";
import { receive } from "../../src/core/receiving/receive.js";
import { sign } from "../../src/core/signing/signature.js";
import { writeNewFile } from "../../src/io/export-file.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function exchange(body: string, seq = 3): Exchange {
  const request = {
    method: "POST",
    url: "/",
    headers: { "content-type": "application/json", "x-signature": "t=1,s=00" },
    body: Buffer.from(body),
  };
  return {
    seq,
    receivedAt: new Date(Date.UTC(2026, 0, 1)),
    request,
    verdict: receive(request, {}),
    status: 200,
    forward: null,
    aborted: false,
  };
}

const EVENT =
  '{"event_type":"whitelabel-ticket-created","event_id":"whev_1","n":12345678901234567890,"x":1.0,"data":{"ticket":{"title":"{{env.HOME}}"}}}';

describe("one request written out (the UI's x and h)", () => {
  it("x: the event as a template, values as captured and {{ kept as text", () => {
    const file = exchangeFile(exchange(EVENT), "json", {
      url: "http://127.0.0.1:3000/",
      secret: undefined,
      signatureHeader: "X-Signature",
      timestamp: 1,
    });
    expect(file.base).toBe("whitelabel-ticket-created-whev_1");
    expect(file.ext).toBe(".json");
    expect(file.text).toContain("12345678901234567890");
    expect(file.text).toContain("1.0");
    expect(file.text).toContain('"{{{{env.HOME}}"');
    expect(templateText(Buffer.from("not json"))).toEqual({
      ok: false,
      reason: "the body is not JSON",
    });
    expect(() =>
      exchangeFile(exchange("not json", 9), "json", {
        url: "u",
        secret: undefined,
        signatureHeader: "X-Signature",
        timestamp: 1,
      }),
    ).toThrow("#9 cannot be exported: the body is not JSON");
  });

  it("h: a HAR 1.2 log of the request to the target, signed afresh with the secret", () => {
    const file = exchangeFile(exchange(EVENT), "har", {
      url: "http://127.0.0.1:3000/hooks",
      secret: "s3cr3t-s3cr3t",
      signatureHeader: "X-Signature",
      timestamp: 1_800_000_000,
    });
    expect(file.ext).toBe(".har");
    const har = JSON.parse(file.text);
    expect(har.log.version).toBe("1.2");
    const [entry] = har.log.entries;
    expect(entry.request.url).toBe("http://127.0.0.1:3000/hooks");
    expect(entry.request.postData.text).toBe(EVENT);
    const signature = entry.request.headers.find((h: { name: string }) => h.name === "X-Signature");
    expect(signature.value).toBe(sign("s3cr3t-s3cr3t", Buffer.from(EVENT), 1_800_000_000));
  });

  it("never writes over a file: a second export of the same event is -2", () => {
    const dir = mkdtempSync(join(tmpdir(), "export-file-"));
    dirs.push(dir);
    writeFileSync(join(dir, "a.json"), "mine");
    expect(writeNewFile(dir, "a", ".json", "one")).toBe(join(dir, "a-2.json"));
    expect(writeNewFile(dir, "a", ".json", "two")).toBe(join(dir, "a-3.json"));
    expect(readFileSync(join(dir, "a.json"), "utf8")).toBe("mine");
    expect(readFileSync(join(dir, "a-3.json"), "utf8")).toBe("two");
    expect(() => writeNewFile(join(dir, "missing"), "a", ".json", "x")).toThrow(/ENOENT/);
  });
});
