import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PAYLOADS } from "../helpers/cli.js";
import { signedAt } from "../helpers/hmac.js";
import { post } from "../helpers/http.js";
import { runMain, startMain } from "../helpers/main.js";
import { requireTool } from "../helpers/tools.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const SECRET = "whsec_export_formats";
const template = JSON.parse(readFileSync(join(PAYLOADS, "whitelabel-ticket-created.json"), "utf8"));
const BODIES = [
  JSON.stringify({ ...template, event_id: "whev_fmt1" }),
  JSON.stringify({
    ...template,
    event_id: "whev_fmt2",
    data: { ...template.data, ticket: { ...template.data.ticket, title: "l'imprimante 中文 😀" } },
  }),
];

let dir: string;
let app: WebhookServer;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "export-formats-"));
  app = await new WebhookServer().start();
});
afterEach(async () => {
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The bodies posted to a real `listen --record`, unsigned. */
async function recording(bodies: ReadonlyArray<string | Buffer> = BODIES): Promise<string> {
  const file = join(dir, "rec.ndjson");
  const main = startMain(["listen", "--port", "0", "--json", "--record", file]);
  const [, url] = (await main.waitFor(/"url":"([^"]+)"/, "stdout")) as string[];
  for (const body of bodies) await post(url as string, body);
  main.signals.send("SIGINT");
  await main.done;
  return file;
}

describe("export --format curl|har", () => {
  it("curl: a script of ready-to-run commands, signed now, that send the exact bytes", async () => {
    const file = await recording();
    const out = join(dir, "out");
    const result = await runMain([
      "export",
      file,
      "--out",
      out,
      "--format",
      "curl",
      "--to",
      app.url,
      "--secret",
      SECRET,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Wrote 2 request(s)");
    const script = join(out, "requests.sh");
    requireTool("curl", ["--version"], "curl");
    await new Promise<void>((resolve, reject) =>
      execFile("bash", [script], (error) => (error ? reject(error) : resolve())),
    );
    expect(app.requests.map((r) => r.body.toString("utf8"))).toEqual(BODIES);
    for (const r of app.requests) {
      expect(signedAt(r.body, r.headers["x-signature"], SECRET)).not.toBe(false);
    }
  });

  it("curl: any recorded body arrives byte-exact; the script fails when a request fails", async () => {
    const local = join(dir, "local.txt");
    writeFileSync(local, "LOCAL FILE CONTENT");
    const corpus = [
      Buffer.from(`@${local}`),
      Buffer.concat([Buffer.from('{"end":"nul"}'), Buffer.from([0])]),
      Buffer.alloc(1024 * 1024, "a"),
      Buffer.from([0xff, 0xfe, 0x80, 0x41, 0xc3]),
      Buffer.from(`{"q":"'\\"' $(touch ${join(dir, "ran")}) %s \\n"}`),
    ];
    const file = await recording(corpus);
    const out = join(dir, "out");
    const args = ["export", file, "--out", out, "--format", "curl", "--to", app.url];
    args.push("--include-rejected");
    expect((await runMain([...args, "--secret", SECRET])).code).toBe(0);
    requireTool("curl", ["--version"], "curl");
    const script = join(out, "requests.sh");
    const run = () =>
      new Promise<{ code: number; stderr: string }>((resolve) =>
        execFile("bash", [script], (error, _stdout, stderr) =>
          resolve({ code: typeof error?.code === "number" ? error.code : 0, stderr }),
        ),
      );
    const first = await run();
    expect(first.code).toBe(0);
    expect(app.requests.map((r) => r.body.toString("hex"))).toEqual(
      corpus.map((b) => b.toString("hex")),
    );
    await app.stop();
    const down = await run();
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain("5 of 5 request(s) failed");
    app = await new WebhookServer().start();
  });

  it("har: a HAR 1.2 log with each request's exact body and a fresh signature", async () => {
    const file = await recording();
    const out = join(dir, "out");
    const result = await runMain([
      "export",
      file,
      "--out",
      out,
      "--format",
      "har",
      "--to",
      app.url,
      "--secret",
      SECRET,
    ]);
    expect(result.code).toBe(0);
    const har = JSON.parse(readFileSync(join(out, "recording.har"), "utf8"));
    expect(har.log.version).toBe("1.2");
    expect(har.log.entries).toHaveLength(2);
    for (const [i, entry] of har.log.entries.entries()) {
      expect(entry.request).toMatchObject({ method: "POST", url: app.url });
      expect(entry.request.postData.text).toBe(BODIES[i]);
      const signature = entry.request.headers.find(
        (h: { name: string }) => h.name === "X-Signature",
      )?.value;
      expect(signedAt(Buffer.from(BODIES[i] as string), signature, SECRET)).not.toBe(false);
    }
  });

  it("curl and har need --to", async () => {
    const file = await recording();
    const result = await runMain(["export", file, "--out", dir, "--format", "curl"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("needs --to URL");
  });
});
