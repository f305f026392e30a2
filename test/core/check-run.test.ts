import { createHmac, timingSafeEqual } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CaseResult } from "../../src/core/check/report.js";
import { runCheck } from "../../src/core/check/run.js";
import type { CreateHttpSender, HttpResponse } from "../../src/core/delivery/http-client.js";
import { bundled } from "../helpers/lookup.js";

const SECRET = "whsec_unit_check";

interface Flaws {
  acceptsForged?: boolean;
  ignoresTimestamps?: boolean;
  crashesOnBadJson?: boolean;
}

/** A receiver written here, independently of src/, answering through a fake HttpSender. */
function fakeReceiver(flaws: Flaws = {}) {
  const seen: Array<{ path: string; headers: Record<string, string>; body: string }> = [];
  let closed = false;
  const verify = (header: string | undefined, body: string): boolean => {
    const parts = (header ?? "").split(",");
    const t = parts.find((p) => p.startsWith("t="))?.slice(2);
    const sigs = parts.filter((p) => p.startsWith("s=")).map((p) => Buffer.from(p.slice(2), "hex"));
    if (!t || !/^\d+$/.test(t) || sigs.length === 0) return false;
    if (!flaws.ignoresTimestamps && Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
    const expected = createHmac("sha256", SECRET).update(`${t}.${body}`).digest();
    return sigs.some((s) => s.length === expected.length && timingSafeEqual(s, expected));
  };
  const createSender: CreateHttpSender = () => ({
    async post(path, headers, raw): Promise<HttpResponse> {
      const body = raw.toString();
      seen.push({ path, headers, body });
      const answer = (status: number) => ({ status, headers: {}, body: `{"status":${status}}` });
      if (!flaws.acceptsForged && !verify(headers["X-Signature"], body)) return answer(401);
      try {
        JSON.parse(body);
      } catch {
        return answer(flaws.crashesOnBadJson ? 500 : 400);
      }
      return answer(200);
    },
    async close() {
      closed = true;
    },
  });
  return { createSender, seen, closed: () => closed };
}

const failedIds = (results: CaseResult[]) =>
  results.filter((r) => r.status === "fail").map((r) => r.id);

describe("runCheck", () => {
  it("a correct receiver passes all 20 cases, reported one by one in order", async () => {
    const receiver = fakeReceiver();
    const reported: string[] = [];
    const { results, summary } = await runCheck(
      { ...bundled, to: "http://receiver.test/hooks?k=1", secret: SECRET },
      { createSender: receiver.createSender, onCase: (r) => reported.push(r.id) },
    );
    expect(failedIds(results)).toEqual([]);
    expect(results.map((r) => r.id)).toEqual(reported);
    expect(reported.slice(0, 4)).toEqual([
      "valid-created",
      "valid-updated",
      "valid-assigned",
      "valid-resolved",
    ]);
    expect(reported.at(-1)).toBe("slow-response");
    expect(summary).toMatchObject({ total: 20, passed: 20, failed: 0, skipped: 0, warnings: 0 });
    expect(new Set(receiver.seen.map((r) => r.path))).toEqual(new Set(["/hooks?k=1"]));
    expect(receiver.closed()).toBe(true);
  });

  it.each<[string, Flaws, string[]]>([
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
    ["ignores timestamps", { ignoresTimestamps: true }, ["stale-timestamp", "future-timestamp"]],
    ["answers 500 to bad JSON", { crashesOnBadJson: true }, ["invalid-json"]],
  ])(
    "a receiver that %s fails exactly those cases, each with a fix",
    async (_name, flaws, expected) => {
      const { results, summary } = await runCheck(
        { ...bundled, to: "http://receiver.test/", secret: SECRET },
        { createSender: fakeReceiver(flaws).createSender },
      );
      expect(failedIds(results)).toEqual(expected);
      expect(summary.failed).toBe(expected.length);
      for (const r of results.filter((x) => x.status === "fail")) {
        expect(r.fix).toEqual(expect.any(String));
        expect(r.got).toMatch(/^\d{3}/);
      }
    },
  );

  it("without a secret the signature cases are skipped, and nothing is sent for them", async () => {
    const receiver = fakeReceiver({ acceptsForged: true });
    const { results, summary } = await runCheck(
      { ...bundled, to: "http://receiver.test/" },
      { createSender: receiver.createSender },
    );
    const skipped = results.filter((r) => r.status === "skip");
    expect(skipped.map((r) => r.id)).toEqual([
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
    expect(skipped.every((r) => r.answers.length === 0)).toBe(true);
    expect(summary).toMatchObject({ skipped: 11, failed: 0 });
  });

  it("--only and --skip choose cases; an unknown id is a usage error listing them all", async () => {
    const only = await runCheck(
      {
        ...bundled,
        to: "http://receiver.test/",
        secret: SECRET,
        only: ["tampered-body", "valid-created"],
      },
      { createSender: fakeReceiver().createSender },
    );
    expect(only.results.map((r) => r.id)).toEqual(["valid-created", "tampered-body"]);
    const skip = await runCheck(
      {
        ...bundled,
        to: "http://receiver.test/",
        secret: SECRET,
        skip: ["slow-response", "invalid-json"],
      },
      { createSender: fakeReceiver().createSender },
    );
    expect(skip.results.map((r) => r.id)).not.toContain("invalid-json");
    expect(skip.summary.total).toBe(18);
    await expect(
      runCheck(
        { ...bundled, to: "http://receiver.test/", only: ["nope"] },
        { createSender: fakeReceiver().createSender },
      ),
    ).rejects.toMatchObject({
      code: "UNKNOWN_CASE",
      kind: "usage",
      message: "--only: unknown case id(s) nope",
      hint: expect.stringContaining("valid-created"),
    });
  });

  it("an unreachable receiver stops the run after the first attempt, naming the cause", async () => {
    let attempts = 0;
    const createSender: CreateHttpSender = () => ({
      post: async () => {
        attempts++;
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      },
      close: async () => {},
    });
    await expect(
      runCheck(
        {
          ...bundled,
          to: "http://127.0.0.1:1/",
          secret: SECRET,
          only: ["valid-created", "slow-response"],
        },
        { createSender },
      ),
    ).rejects.toMatchObject({
      kind: "failed",
      message: expect.stringContaining("nothing listening at 127.0.0.1:1 (connection refused)"),
    });
    expect(attempts).toBe(1);
  });

  it("answers slower than slowMs are a warning, never a failure", async () => {
    const { results, summary } = await runCheck(
      {
        ...bundled,
        to: "http://receiver.test/",
        secret: SECRET,
        only: ["valid-created", "slow-response"],
        slowMs: -1,
      },
      { createSender: fakeReceiver().createSender },
    );
    expect(results.find((r) => r.id === "slow-response")).toMatchObject({
      status: "warn",
      got: expect.stringMatching(/^1 slow: valid-created /),
    });
    expect(summary).toMatchObject({ failed: 0, warnings: 1 });
  });
});
