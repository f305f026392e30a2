import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { curlCommand, shellQuote } from "../../src/core/exchanges/curl.js";
import { isTerminalSafe } from "../../src/terminal/safe-text.js";
import { signedAt } from "../helpers/hmac.js";
import { requireTool } from "../helpers/tools.js";
import { WebhookServer } from "../helpers/webhook-server.js";

/** Runs a printed command with bash, as a user pastes it (curl must be installed). */
const run = (command: string) => {
  requireTool("curl", ["--version"], "curl");
  // On stdin, as a pasted line: a 200 KiB body would not fit in one argument of `bash -c`.
  return new Promise<void>((resolve, reject) => {
    const shell = execFile("bash", ["-s"], (error) => (error ? reject(error) : resolve()));
    shell.stdin?.end(command);
  });
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

  it("sends any body byte-exact and never reads a local file a body names", async () => {
    const dir = mkdtempSync(join(tmpdir(), "curl-corpus-"));
    const secretFile = join(dir, "local-secret.txt");
    writeFileSync(secretFile, "LOCAL FILE CONTENT");
    const corpus = [
      Buffer.from(`@${secretFile}`),
      Buffer.from(`{"a":1}\n\t\u0000\u001b[31m\u2028`),
      Buffer.concat([Buffer.from('{"end":"nul"}'), Buffer.from([0])]),
      Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41, 0xc3]),
      Buffer.from(`'"\\ $(touch ${join(dir, "ran")}) \`id\` %s %d %% \\n \\0 \\x41`),
      Buffer.alloc(200 * 1024, "é"),
      Buffer.from(""),
    ];
    const app = await new WebhookServer().start();
    try {
      for (const body of corpus) {
        const command = curlCommand({
          url: app.url,
          headers: { "content-type": "application/json" },
          body,
          signatureHeader: "X-Signature",
          secret: "whsec_curl",
          timestamp: Math.floor(Date.now() / 1000),
        });
        expect(isTerminalSafe(command)).toBe(true);
        await run(command);
      }
      expect(app.requests.map((r) => r.body.toString("hex"))).toEqual(
        corpus.map((b) => b.toString("hex")),
      );
      for (const got of app.requests) {
        expect(signedAt(got.body, got.headers["x-signature"], "whsec_curl")).toBeGreaterThan(1);
      }
    } finally {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sends header bytes as they came and leaves out names that are not HTTP tokens", async () => {
    const app = await new WebhookServer().start();
    try {
      const command = curlCommand({
        url: app.url,
        // As node hands them over: one character a byte (latin-1).
        headers: {
          "x-name": "caf\u00e9 \u00ff",
          "@/etc/passwd": "x",
          "bad name": "y",
          "x-split": "a\r\nx-evil: 1",
        },
        body: Buffer.from("{}"),
        signatureHeader: "X-Signature",
        timestamp: 5,
      });
      expect(command).not.toContain("passwd");
      await run(command);
      expect(app.requests[0]?.headers["x-name"]).toBe("caf\u00e9 \u00ff");
      expect(app.requests[0]?.headers["bad name"]).toBeUndefined();
      expect(app.requests[0]?.headers["x-evil"]).toBeUndefined();
    } finally {
      await app.stop();
    }
  });

  it("fails (non-zero) when the request fails or is answered with an error", async () => {
    const app = await new WebhookServer().start();
    const url = app.url;
    await app.stop();
    const command = curlCommand({
      url,
      headers: {},
      body: Buffer.from("{}"),
      signatureHeader: "X-Signature",
      timestamp: 5,
    });
    await expect(run(command)).rejects.toThrow();
    const failing = await new WebhookServer((_r, _i, res) => {
      res.statusCode = 500;
      res.end("boom");
    }).start();
    try {
      await expect(run(command.replace(url, failing.url))).rejects.toThrow();
      expect(failing.requests).toHaveLength(1);
    } finally {
      await failing.stop();
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
      "printf '{}' | curl -sS --fail-with-body -X POST 'http://x/' -H 'x-signature: t=1,s=abc' --data-binary @-",
    );
  });
});

describe("a body that starts with a dash", () => {
  it("is printed by printf as it is, not read as an option", async () => {
    const { execFileSync } = await import("node:child_process");
    const { printfFormat } = await import("../../src/core/exchanges/curl.js");
    for (const body of ["-v x", "--help", "-"]) {
      const format = printfFormat(Buffer.from(body));
      expect(execFileSync("sh", ["-c", `printf ${format}`]).toString()).toBe(body);
    }
  });
});
