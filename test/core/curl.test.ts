import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { curlCommand, shellQuote } from "../../src/core/exchanges/curl.js";
import { isTerminalSafe } from "../../src/terminal/safe-text.js";
import { signedAt } from "../helpers/hmac.js";
import { requireTool } from "../helpers/tools.js";
import { WebhookServer } from "../helpers/webhook-server.js";

/** Runs a printed command with bash, as a user pastes it (curl must be installed). */
const run = (command: string) => {
  requireTool("curl", ["--version"], "curl");
  return new Promise<void>((resolve, reject) =>
    execFile("bash", ["-c", command], (error) => (error ? reject(error) : resolve())),
  );
};

describe("curl commands", () => {
  it("shellQuote keeps plain text readable and escapes what a terminal could act on", () => {
    expect(shellQuote("héllo wörld 中文 😀")).toBe("'héllo wörld 中文 😀'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    const hostile = shellQuote("a\u001b]0;x\u0007\nb\u202e'\\");
    expect(hostile.startsWith("$'")).toBe(true);
    expect(isTerminalSafe(hostile)).toBe(true);
    expect(hostile).not.toContain("\n");
  });

  it("runs as printed: the app gets the exact bytes, the headers and a fresh valid signature", async () => {
    const app = await new WebhookServer().start();
    try {
      const body = Buffer.from(
        '{"title":"it\'s \\u001b 中文 😀\\n","x":"\u202e"}\n\t\u0001',
        "utf8",
      );
      const command = curlCommand({
        url: app.url,
        headers: {
          host: "127.0.0.1:4000",
          "content-type": "application/json",
          "content-length": "3",
          "x-signature": "t=1,s=old",
          "x-trace": "abc",
          "x-ticket-hooks-forwarded-by": "1234",
        },
        body,
        signatureHeader: "X-Signature",
        signatureHeaderUsed: "x-signature",
        secret: "whsec_curl",
        timestamp: Math.floor(Date.now() / 1000),
      });
      expect(isTerminalSafe(command)).toBe(true);
      await run(command);
      const got = app.requests[0];
      expect(got?.body.equals(body)).toBe(true);
      expect(got?.headers["x-trace"]).toBe("abc");
      expect(got?.headers["x-ticket-hooks-forwarded-by"]).toBeUndefined();
      expect(signedAt(body, got?.headers["x-signature"], "whsec_curl")).toBeGreaterThan(1);
    } finally {
      await app.stop();
    }
  });

  it("without a secret the received headers are kept as they were", () => {
    const command = curlCommand({
      url: "http://x/",
      headers: { "x-signature": "t=1,s=abc" },
      body: Buffer.from("{}"),
      signatureHeader: "X-Signature",
      timestamp: 5,
    });
    expect(command).toBe(
      "curl -sS -X POST 'http://x/' -H 'x-signature: t=1,s=abc' --data-binary '{}'",
    );
  });
});
