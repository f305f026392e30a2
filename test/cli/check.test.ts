import { readFileSync } from "node:fs";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lines, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { type ReceiverFlaws, startReceiver } from "../helpers/receivers.js";

const SECRET = "whsec_check";
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
  tmp.cleanup();
});

async function check(flaws: ReceiverFlaws, extra: string[] = []) {
  receiver = await startReceiver(SECRET, flaws);
  const r = await runMain([
    "check",
    "--to",
    receiver.url,
    "--secret",
    SECRET,
    "--reporter",
    "json",
    ...extra,
  ]);
  const records = lines(r.stdout).map((l) => JSON.parse(l));
  const failed = records.filter((x) => x.type === "case" && x.status === "fail").map((x) => x.id);
  return { r, records, failed };
}

describe("check", () => {
  it("a correct receiver passes every case (exit 0)", async () => {
    const { r, records, failed } = await check({});
    expect(failed).toEqual([]);
    expect(r.code).toBe(0);
    const cases = records.filter((x) => x.type === "case");
    expect(cases).toHaveLength(20);
    expect(cases.every((c) => c.status === "pass")).toBe(true);
    expect(records.at(-1)).toMatchObject({ type: "summary", total: 20, passed: 20, failed: 0 });
  });

  it.each<[string, ReceiverFlaws, string[]]>([
    [
      "accepts forged signatures",
      { acceptsForged: true },
      [
        "wrong-secret",
        "missing-signature",
        "malformed-signature",
        "stale-timestamp",
        "future-timestamp",
        "tampered-body",
        "empty-digest",
        "truncated-digest",
        "long-digest",
      ],
    ],
    ["re-serialises before verifying", { reserializes: true }, ["reformatted-body"]],
    ["answers 500 to bad JSON", { crashesOnBadJson: true }, ["invalid-json"]],
    ["ignores timestamps", { ignoresTimestamps: true }, ["stale-timestamp", "future-timestamp"]],
  ])("a receiver that %s fails exactly the right cases", async (_name, flaws, expected) => {
    const { r, records, failed } = await check(flaws);
    expect(failed).toEqual(expected);
    expect(r.code).toBe(1);
    for (const id of expected) {
      const c = records.find((x) => x.id === id);
      expect(c.fix).toEqual(expect.any(String));
      expect(c.got).toMatch(/^\d{3}/);
    }
    expect(r.stderr).toContain(`case(s) failed: ${expected.join(", ")}`);
  });

  it("the pretty report says expected, got and how to fix", async () => {
    receiver = await startReceiver(SECRET, { ignoresTimestamps: true });
    const r = await runMain(["check", "--to", receiver.url, "--secret", SECRET]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ FAIL {2}stale-timestamp {2}.*expected 4xx, got 200/);
    expect(r.stdout).toContain("fix: Reject signatures whose t= is more than 5 minutes old");
    expect(r.stdout).toMatch(/✓ pass {2}tampered-body/);
    expect(r.stdout).toMatch(/2 failed — 18 passed, 2 failed/);
  });

  it("without --secret the signature cases are skipped with a note", async () => {
    receiver = await startReceiver(SECRET, { acceptsForged: true });
    const r = await runMain(["check", "--to", receiver.url, "--reporter", "json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("no --secret: the signature cases are skipped");
    const skipped = lines(r.stdout)
      .map((l) => JSON.parse(l))
      .filter((x) => x.status === "skip")
      .map((x) => x.id);
    expect(skipped).toEqual([
      "wrong-secret",
      "missing-signature",
      "malformed-signature",
      "stale-timestamp",
      "future-timestamp",
      "tampered-body",
      "empty-digest",
      "truncated-digest",
      "long-digest",
      "key-rotation",
      "reformatted-body",
    ]);
  });

  it("--only and --skip choose cases; an unknown id is exit 2 with the list", async () => {
    const only = await check({}, ["--only", "valid-created,tampered-body"]);
    expect(only.records.filter((x) => x.type === "case").map((x) => x.id)).toEqual([
      "valid-created",
      "tampered-body",
    ]);
    await receiver?.stop();
    const skip = await check({}, ["--skip", "slow-response,duplicate-delivery"]);
    const ids = skip.records.filter((x) => x.type === "case").map((x) => x.id);
    expect(ids).toHaveLength(18);
    expect(ids).not.toContain("duplicate-delivery");
    await receiver?.stop();
    const bad = await runMain(["check", "--to", "http://127.0.0.1:1/", "--only", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown case id(s) nope");
    expect(bad.stderr).toContain("valid-created");
    const typo = await runMain(["check", "--to", "http://127.0.0.1:1/", "--only", "wrong-secrt"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(`unknown case id(s) wrong-secrt (did you mean "wrong-secret"?)`);
  });

  it("writes a well-formed JUnit report to --output", async () => {
    receiver = await startReceiver(SECRET, { reserializes: true });
    const file = join(tmp.dir, "report.xml");
    const r = await runMain([
      "check",
      "--to",
      receiver.url,
      "--secret",
      SECRET,
      "--reporter",
      "junit",
      "--output",
      file,
    ]);
    expect(r.code).toBe(1);
    const xml = readFileSync(file, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toMatch(/<testsuites name="ticket-hooks check" tests="20" failures="1"/);
    expect(xml).toContain('<testcase classname="ticket-hooks.check" name="reformatted-body:');
    expect(xml).toContain("<failure message=");
    expect(r.stdout).toContain("✗ FAIL  reformatted-body");
  });

  it("a slow receiver gets a warning, not a failure", async () => {
    receiver = await startReceiver(SECRET);
    const r = await runMain([
      "check",
      "--to",
      receiver.url,
      "--secret",
      SECRET,
      "--only",
      "valid-created,slow-response",
      "--slow-ms",
      "1",
      "--reporter",
      "json",
    ]);
    const slow = lines(r.stdout)
      .map((l) => JSON.parse(l))
      .find((x) => x.id === "slow-response");
    // Loopback answers take more than 1 ms only sometimes; the case must be warn or pass, never fail.
    expect(["warn", "pass"]).toContain(slow.status);
    expect(r.code).toBe(0);
  });

  it("a dead receiver stops the run with the cause", async () => {
    const r = await runMain([
      "check",
      "--to",
      "http://127.0.0.1:1/hooks",
      "--secret",
      SECRET,
      "--only",
      "valid-created",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nothing listening at 127.0.0.1:1 (connection refused)");
  });
});
