import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type CheckReceiverKind,
  nothingListening,
  type RunningReceiver,
  startCheckReceiver,
} from "../helpers/check-receivers.js";
import { lines, tempDir } from "../helpers/cli.js";
import { runMain, startMain } from "../helpers/main.js";
import { startReceiver } from "../helpers/receivers.js";
import { requireTool } from "../helpers/tools.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const SECRET = "whsec_verdicts";
const XSD = "/work/shared/reference/junit-10.xsd";
const NEGATIVE = [
  "wrong-secret",
  "missing-signature",
  "malformed-signature",
  "stale-timestamp",
  "future-timestamp",
  "tampered-body",
  "empty-digest",
  "truncated-digest",
  "long-digest",
  "invalid-json",
];

let receiver: RunningReceiver | undefined;
let server: WebhookServer | undefined;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  await receiver?.stop();
  await server?.stop();
  receiver = undefined;
  server = undefined;
  tmp.cleanup();
});

type Rec = Record<string, unknown> & {
  type: string;
  id?: string;
  status?: string;
  fix?: string;
  answers?: unknown[];
};

async function checkJson(url: string, extra: string[] = []) {
  const r = await runMain(["check", "--to", url, "--secret", SECRET, "--json", ...extra]);
  const records = lines(r.stdout).map((l) => JSON.parse(l) as Rec);
  const cases = records.filter((x) => x.type === "case");
  const byStatus = (s: string) => cases.filter((c) => c.status === s).map((c) => c.id);
  return { r, records, cases, byStatus };
}

async function flawed(kind: CheckReceiverKind) {
  receiver = await startCheckReceiver(kind, SECRET);
  return receiver.url;
}

/** Throws (with xmllint's message) when the report does not validate against the JUnit XSD. */
function validateJunit(file: string): void {
  requireTool("xmllint", ["--version"], "libxml2-utils");
  execFileSync("xmllint", ["--noout", "--schema", XSD, file], { stdio: "pipe" });
}

describe("check verdicts", () => {
  it("the reference receiver still passes every case, key rotation in both orders", async () => {
    receiver = await startReceiver(SECRET);
    const { r, cases, byStatus } = await checkJson(receiver.url);
    expect(r.code).toBe(0);
    expect(cases).toHaveLength(20);
    expect(byStatus("pass")).toHaveLength(20);
    expect(cases.find((c) => c.id === "key-rotation")?.answers).toHaveLength(2);
  });

  it("a receiver that accepts nothing: root cause first, negative cases inconclusive, exit 1", async () => {
    const { r, records, byStatus, cases } = await checkJson(await flawed("accepts-nothing"));
    expect(r.code).toBe(1);
    expect(records[0]).toMatchObject({ type: "root_cause", id: "valid-rejected" });
    expect(String(records[0]?.message)).toContain("valid signed events are rejected");
    expect(byStatus("pass")).toEqual([]);
    expect(byStatus("inconclusive")).toEqual([
      ...NEGATIVE.slice(0, 9),
      "out-of-order",
      "invalid-json",
      "slow-response",
    ]);
    const dup = cases.find((c) => c.id === "duplicate-delivery");
    expect(dup?.status).toBe("fail");
    expect(dup?.fix).toContain("first delivery, a valid signed event, was rejected");
    expect(dup?.fix).not.toContain("Deduplicate");
    expect(r.stderr).toContain("12 inconclusive");
    expect(r.stderr).toContain("root cause: valid signed events are rejected");
  });

  it("the pretty report leads with the root cause", async () => {
    const url = await flawed("accepts-nothing");
    const r = await runMain(["check", "--to", url, "--secret", SECRET]);
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^Root cause: valid signed events are rejected: valid-created got 401/);
    expect(r.stdout).toMatch(/\? inconclusive {2}wrong-secret/);
    expect(r.stdout).not.toMatch(/✓ pass/);
    // Said once: the cases under it point at it instead of repeating it.
    expect(r.stdout.match(/valid signed events are rejected/g)).toHaveLength(1);
    expect(r.stdout.match(/see the root cause above/g)?.length).toBeGreaterThan(10);
  });

  it("a wrong path (every answer 404): --only wrong-secret runs the valid counterpart and is inconclusive", async () => {
    const url = await flawed("not-found");
    const { r, records, cases } = await checkJson(url, ["--only", "wrong-secret"]);
    expect(r.code).toBe(1);
    expect(records[0]).toMatchObject({ type: "root_cause", id: "wrong-path" });
    expect(cases.map((c) => [c.id, c.status])).toEqual([
      ["valid-created", "fail"],
      ["wrong-secret", "inconclusive"],
    ]);
  });

  it("a wrong path fails or leaves inconclusive every case: none passes", async () => {
    const { r, byStatus } = await checkJson(await flawed("not-found"));
    expect(r.code).toBe(1);
    expect(byStatus("pass")).toEqual([]);
    expect(byStatus("inconclusive")).toEqual([
      ...NEGATIVE.slice(0, 9),
      "out-of-order",
      "invalid-json",
      "slow-response",
    ]);
  });

  it.each<[CheckReceiverKind, string]>([
    // First answer: s=<old>,s=<valid>; second: s=<valid>,s=<old>.
    ["first-s-only", '401 {"error":"bad signature"}; then 200'],
    ["last-s-only", '200 {"ok":true}; then 401'],
  ])("a receiver that keeps only one s= (%s) fails key-rotation only", async (kind, got) => {
    const { r, byStatus, cases } = await checkJson(await flawed(kind));
    expect(r.code).toBe(1);
    expect(byStatus("fail")).toEqual(["key-rotation"]);
    expect(byStatus("inconclusive")).toEqual([]);
    expect(String(cases.find((c) => c.id === "key-rotation")?.got)).toContain(got);
  });

  it("nothing listening: one line naming the cause, no case hints, exit 1", async () => {
    const url = await nothingListening();
    const r = await runMain(["check", "--to", url, "--secret", SECRET]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const errors = lines(r.stderr).filter((l) => !/^(note|Using templates)/i.test(l));
    expect(errors).toEqual([
      expect.stringMatching(
        /check stopped: cannot reach .*: nothing listening at .* \(connection refused\)$/,
      ),
    ]);
    expect(r.stderr).not.toContain("fix:");
  });

  it("nothing listening with --output: the report is still written, one failed case", async () => {
    const url = await nothingListening();
    const file = join(tmp.dir, "unreachable.xml");
    const args = ["check", "--to", url, "--secret", SECRET, "--reporter", "junit"];
    const r = await runMain([...args, "--output", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/check stopped: cannot reach/);
    validateJunit(file);
    const xml = readFileSync(file, "utf8");
    expect(xml).toMatch(/tests="1"[^>]*failures="1"|failures="1"[^>]*tests="1"/);
    expect(xml).toContain("receiver-reachable");
    expect(xml).toContain("connection refused");
    const json = join(tmp.dir, "unreachable.ndjson");
    expect((await runMain(["check", "--to", url, "--json", "--output", json])).code).toBe(1);
    const cases = lines(readFileSync(json, "utf8")).map((l) => JSON.parse(l));
    expect(cases.find((c) => c.id === "receiver-reachable")?.status).toBe("fail");
  });

  it("429 (or 503) to a forged request is no rejection: inconclusive, with a rate-limit hint", async () => {
    server = await new WebhookServer((_req, i, res) => {
      res.statusCode = i === 0 ? 200 : 429;
      if (i > 0) res.setHeader("retry-after", "30");
      res.end();
    }).start();
    const only = "wrong-secret,stale-timestamp,tampered-body,missing-signature";
    const { r, cases, byStatus } = await checkJson(server.url, ["--only", only]);
    expect(r.code).not.toBe(0);
    expect(byStatus("pass")).toEqual(["valid-created"]);
    expect(byStatus("inconclusive").sort()).toEqual(only.split(",").sort());
    const hint = String(cases.find((c) => c.id === "wrong-secret")?.fix);
    expect(hint).toContain("429");
    expect(hint).toMatch(/rate limit/i);
    expect(hint).toContain("Retry-After");
  });

  it("a rejection passes only when a valid control right after it is accepted", async () => {
    // Accepts the first request, then rejects everything with 401: no forged request was told
    // apart from a valid one.
    server = await new WebhookServer((_req, i, res) => {
      res.statusCode = i === 0 ? 200 : 401;
      res.end();
    }).start();
    const only = "wrong-secret,stale-timestamp,tampered-body,missing-signature";
    const { r, cases, byStatus } = await checkJson(server.url, ["--only", only]);
    expect(r.code).not.toBe(0);
    expect(byStatus("pass")).toEqual(["valid-created"]);
    expect(byStatus("inconclusive").sort()).toEqual(only.split(",").sort());
    expect(String(cases.find((c) => c.id === "wrong-secret")?.fix)).toMatch(
      /valid control sent right after it was answered 401/,
    );
  });

  it("slow-response does not pass when requests got no answer", async () => {
    server = await new WebhookServer((_req, _i, res) => res.socket?.destroy()).start();
    const { r, cases } = await checkJson(server.url, ["--only", "out-of-order,slow-response"]);
    expect(r.code).toBe(1);
    expect(cases.find((c) => c.id === "slow-response")?.status).toBe("fail");
  });

  it("JUnit validates against the JUnit XSD, inconclusive cases as failures", async () => {
    const url = await flawed("accepts-nothing");
    const file = join(tmp.dir, "report.xml");
    const r = await runMain([
      "check",
      "--to",
      url,
      "--secret",
      SECRET,
      "--reporter",
      "junit",
      "-o",
      file,
    ]);
    expect(r.code).toBe(1);
    validateJunit(file);
    const xml = readFileSync(file, "utf8");
    expect(xml).toMatch(/<failure message="inconclusive: /);
    expect(xml).toMatch(/<testsuites [^>]*failures="20"/);
    expect(xml).not.toMatch(/<testsuites[^>]* skipped=/);
    // Without a secret (skipped cases) it validates too.
    await receiver?.stop();
    const reference = await startReceiver(SECRET, { acceptsForged: true });
    receiver = reference;
    const file2 = join(tmp.dir, "skips.xml");
    const r2 = await runMain(["check", "--to", reference.url, "--reporter", "junit", "-o", file2]);
    expect(r2.code).toBe(0);
    validateJunit(file2);
    expect(readFileSync(file2, "utf8")).toContain("<skipped ");
  });

  it("an --output that cannot be written is an error before any case runs", async () => {
    server = await new WebhookServer().start();
    const bad = join(tmp.dir, "missing", "report.xml");
    const r = await runMain(["check", "--to", server.url, "--secret", SECRET, "-o", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot write the report to");
    expect(server.requests).toHaveLength(0);
    const r2 = await runMain(["check", "--to", server.url, "-o", tmp.dir]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("it is a folder");
    expect(server.requests).toHaveLength(0);
  });

  it("Ctrl-C prints the partial report, writes --output, exit 130", async () => {
    let held: (() => void) | undefined;
    server = await new WebhookServer((_req, index, res) => {
      if (index === 2) held = () => res.end("ok");
      else res.end("ok");
    }).start();
    const file = join(tmp.dir, "partial.json");
    writeFileSync(file, "old");
    const run = startMain(["check", "--to", server.url, "--secret", SECRET, "--json", "-o", file]);
    await server.waitFor(3);
    run.signals.send("SIGINT");
    held?.();
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/✓ pass {2}valid-created/);
    expect(r.stdout).toContain("interrupted");
    const records = lines(readFileSync(file, "utf8")).map((l) => JSON.parse(l) as Rec);
    expect(records.filter((x) => x.type === "case").map((x) => x.id)).toEqual([
      "valid-created",
      "valid-updated",
      "valid-assigned",
    ]);
    expect(records.at(-1)).toMatchObject({ type: "summary", interrupted: true });
    expect(server.requests).toHaveLength(3);
  });

  it("on a terminal, the cases run are shown on stderr and cleared before the report", async () => {
    receiver = await startReceiver(SECRET);
    const r = await runMain(["check", "--to", receiver.url, "--secret", SECRET], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("checked 1: valid-created");
    expect(r.stderr.endsWith("checked 20: slow-response\r\x1b[K")).toBe(true);
    expect(r.stdout).not.toContain("checked");
  });

  it("check --help lists --json", async () => {
    const r = await runMain(["check", "--help"]);
    expect(r.stdout).toContain("--json");
  });
});
