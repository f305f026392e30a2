// export --format k6: the script is run in Node with small stand-ins for k6's modules (k6/http
// sends a real request, k6/crypto computes a real HMAC), against a receiver that verifies every
// signature: so the signatures are proven, not assumed. k6 itself cannot be installed here.

import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verify } from "../../src/core/signing/signature.js";
import { listen } from "../../src/index.js";
import { tempDir } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { runMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const SECRET = "whsec_k6_0123456789abcdef";

/** k6's modules, as much of them as the script uses: http.post is synchronous, as in k6. */
const STANDINS: Record<string, string> = {
  "package.json": JSON.stringify({
    name: "k6",
    type: "module",
    exports: { ".": "./index.js", "./http": "./http.js", "./crypto": "./crypto.js" },
  }),
  "index.js":
    "export const checks = []; export function check(res, tests) { for (const [name, t] of Object.entries(tests)) checks.push([name, t(res)]); return true; }",
  "crypto.js":
    'import { createHmac } from "node:crypto"; export default { hmac: (alg, key, data, enc) => createHmac(alg, key).update(data).digest(enc) };',
  "http.js": `import { execFileSync } from "node:child_process";
const SEND = 'const [url, headers] = process.argv.slice(1); let body = ""; process.stdin.on("data", (d) => (body += d)); process.stdin.on("end", async () => { const r = await fetch(url, { method: "POST", headers: JSON.parse(headers), body }); process.stdout.write(String(r.status)); });';
export default { post(url, body, params) { const status = Number(execFileSync(process.execPath, ["-e", SEND, url, JSON.stringify(params.headers)], { input: body })); return { status }; } };`,
};

let app: WebhookServer;
let tmp: ReturnType<typeof tempDir>;
beforeEach(async () => {
  tmp = tempDir();
  app = await new WebhookServer((req, _i, res) => {
    const ok = verify(SECRET, req.body, String(req.headers["x-signature"])).ok;
    res.writeHead(ok ? 200 : 401).end();
  }).start();
  const k6 = join(tmp.dir, "node_modules", "k6");
  mkdirSync(k6, { recursive: true });
  for (const [file, text] of Object.entries(STANDINS)) writeFileSync(join(k6, file), text);
});
afterEach(async () => {
  await app.stop();
  tmp.cleanup();
});

/** Runs a k6 script's setup and N iterations in its own process (its http.post blocks). */
const RUNNER = `globalThis.__ENV = JSON.parse(process.env.K6_ENV);
const script = await import(process.argv[2]);
const { checks } = await import("k6");
let error = null;
try { script.setup(); for (let i = 0; i < Number(process.argv[3]); i++) script.default(); }
catch (e) { error = String(e.message); }
console.log(JSON.stringify({ options: script.options, checks, error }));`;

/** Exports, then runs the script's setup and `iterations` iterations; resolves what was checked. */
async function exportAndRun(
  sources: string[],
  iterations: number,
  env: Record<string, string> = { TICKET_HOOKS_SECRET: SECRET },
) {
  const out = join(tmp.dir, `out-${Math.random().toString(36).slice(2)}`);
  const r = await runMain(["export", ...sources, "--format", "k6", "--out", out, "--to", app.url]);
  expect(r.code, r.stderr).toBe(0);
  const script = join(tmp.dir, `script-${Math.random().toString(36).slice(2)}.mjs`);
  copyFileSync(join(out, "ticket-hooks.k6.js"), script);
  writeFileSync(join(tmp.dir, "runner.mjs"), RUNNER);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(tmp.dir, "runner.mjs"), pathToFileURL(script).href, String(iterations)],
    { cwd: tmp.dir, env: { ...process.env, K6_ENV: JSON.stringify(env) } },
  );
  return JSON.parse(stdout) as {
    options: { scenarios: { webhooks: Record<string, unknown> } };
    checks: Array<[string, boolean]>;
    error: string | null;
  };
}

describe("export --format k6", () => {
  it("a scenario: every request signed afresh and accepted, in order, fresh ids each iteration", async () => {
    const run = await exportAndRun(["lifecycle"], 2);
    expect(run.error).toBeNull();
    const posted = app.requests.filter((q) => q.method === "POST");
    expect(posted.length).toBeGreaterThan(2);
    expect(run.checks.every(([, ok]) => ok)).toBe(true);
    const types = posted.map((q) => JSON.parse(q.body.toString()).event_type);
    const half = posted.length / 2;
    expect(types.slice(0, half)).toEqual(types.slice(half));
    expect(types[0]).toBe("whitelabel-ticket-created");
    const ids = posted.map((q) => JSON.parse(q.body.toString()).event_id);
    expect(new Set(ids.slice(0, half)).size).toBe(new Set(ids).size - half);
    expect(run.options.scenarios.webhooks).toMatchObject({
      executor: "constant-arrival-rate",
      rate: 10,
      duration: "30s",
    });
  });

  it("events by name, and a recording byte for byte", async () => {
    await exportAndRun(["created", "resolved"], 1);
    expect(app.requests.map((q) => JSON.parse(q.body.toString()).event_type)).toEqual([
      "whitelabel-ticket-created",
      "whitelabel-ticket-resolved",
    ]);
    const recording = join(tmp.dir, "rec.ndjson");
    const recorder = await listen({ port: 0, record: recording });
    const body = '{"event_type":"whitelabel-ticket-updated", "spaced" : 1.0}';
    await post(recorder.url, body, { "content-type": "application/json" });
    await recorder.close();
    await exportAndRun([recording], 1);
    expect(app.requests.at(-1)?.body.toString()).toBe(body);
    expect(app.requests.at(-1)?.headers["x-signature"]).toMatch(/^t=\d+,s=[0-9a-f]{64}$/);
  });

  it("without a secret the script refuses to start; several sources are for k6 only", async () => {
    const run = await exportAndRun(["created"], 1, {});
    expect(run.error).toMatch(/set TICKET_HOOKS_SECRET/);
    expect(app.requests).toHaveLength(0);
    const r = await runMain(["export", "a.ndjson", "b.ndjson", "--out", join(tmp.dir, "o")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--format json exports one recording");
  });
});
