import { afterEach, describe, expect, it } from "vitest";
import { judgeWindow, runDoctor } from "../../src/core/check/doctor.js";
import { createSender } from "../../src/io/adapters.js";
import { type SignatureBug, startBuggyReceiver } from "../helpers/buggy-receivers.js";
import { bundled } from "../helpers/lookup.js";

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function diagnose(bug: SignatureBug, secret = "s3cret-key") {
  const receiver = await startBuggyReceiver(secret, bug);
  stop = receiver.stop;
  const result = await runDoctor({ ...bundled, to: receiver.url, secret }, { createSender });
  return { ...result, ids: result.diagnoses.map((d) => d.id), sent: receiver.requests() };
}

describe("signature doctor", { timeout: 20_000 }, () => {
  it("finds nothing wrong with a correct receiver", async () => {
    const r = await diagnose({ kind: "none" });
    expect(r.ids).toEqual([]);
    expect(r.unexplained).toBeNull();
    expect(r.baseline).toEqual({ status: 200, accepted: true });
    expect(r.probes).toBe(r.sent);
  });

  it.each<[string, SignatureBug, string?]>([
    ["header-name", { kind: "header-name", header: "Tamio-Signature" }],
    ["header-name", { kind: "header-name", header: "X-Webhook-Signature" }],
    ["signed-string", { kind: "signed-string", separator: null }],
    ["signed-string", { kind: "signed-string", separator: ":" }],
    ["reserialized-body", { kind: "reserialized-body" }],
    ["timestamp-unit", { kind: "timestamp-unit" }],
    ["digest-encoding", { kind: "digest-encoding", encoding: "base64" }],
    ["digest-encoding", { kind: "digest-encoding", encoding: "upper-hex" }],
    ["secret-encoding", { kind: "secret-encoding", key: "base64" }, "c2VjcmV0LWtleS0xMjM="],
    ["secret-encoding", { kind: "secret-encoding", key: "strip-whsec" }, "whsec_abc123"],
    ["secret-encoding", { kind: "secret-encoding", key: "add-whsec" }, "abc123"],
    ["clock-skew", { kind: "clock-skew", offsetSeconds: 120 }],
    ["clock-skew", { kind: "clock-skew", offsetSeconds: -3600 }],
    ["tolerance", { kind: "tolerance", oldSeconds: 3600, aheadSeconds: 300 }],
    ["tolerance", { kind: "tolerance", oldSeconds: 300, aheadSeconds: null }],
    ["tolerance", { kind: "tolerance", oldSeconds: 60, aheadSeconds: 60 }],
  ])("names %s for %j, and nothing else", async (id, bug, secret) => {
    const r = await diagnose(bug, secret);
    expect(r.ids).toEqual([id]);
    expect(r.unexplained).toBeNull();
    expect(r.diagnoses[0]?.evidence).toBeTruthy();
  });

  it("gives the header the receiver reads as evidence", async () => {
    const r = await diagnose({ kind: "header-name", header: "X-Tamio-Signature" });
    expect(r.diagnoses[0]?.evidence).toContain("X-Tamio-Signature");
    expect(r.diagnoses[0]?.evidence).toContain(
      "rejected the documented signature in X-Signature (401)",
    );
  });

  it("estimates a clock's offset by bisecting t", async () => {
    const ahead = await diagnose({ kind: "clock-skew", offsetSeconds: 1000 });
    const offset = Number(/off by about ([+-]\d+) s/.exec(ahead.diagnoses[0]?.evidence ?? "")?.[1]);
    expect(Math.abs(offset - 1000)).toBeLessThanOrEqual(2);
  });

  it("states how old a signature the receiver accepts", async () => {
    const r = await diagnose({ kind: "tolerance", oldSeconds: 3600, aheadSeconds: 300 });
    const old = Number(/from (\d+) s old/.exec(r.diagnoses[0]?.evidence ?? "")?.[1]);
    expect(Math.abs(old - 3600)).toBeLessThanOrEqual(2);
  });

  it("says when no known bug explains the rejections", async () => {
    const r = await diagnose({ kind: "header-name", header: "X-Hub-Signature-256" });
    expect(r.ids).toEqual([]);
    expect(r.unexplained).toMatch(/none of the \d+ variants tried was accepted/);
  });

  it("a receiver with another secret (or none) is told to use the same secret", async () => {
    const url = await startBuggyReceiver("the-receivers-own-secret", { kind: "none" });
    try {
      const r = await runDoctor(
        { ...bundled, to: url.url, secret: "a-different-secret" },
        { createSender },
      );
      expect(r.unexplained).toMatch(/verifies with another secret than --secret, or with none/);
    } finally {
      await url.stop();
    }
  });
});

describe("judgeWindow", { timeout: 20_000 }, () => {
  it("reads skew from a shifted 600 s window and tolerance from a wider one", () => {
    expect(judgeWindow({ oldest: -300, newest: 300 })).toBeNull();
    expect(judgeWindow({ oldest: -180, newest: 420 })?.id).toBe("clock-skew");
    expect(judgeWindow({ oldest: -300, newest: 0 })?.evidence).toContain(
      "refuses any signature from the future",
    );
    expect(judgeWindow({ oldest: null, newest: 300 })?.evidence).toContain("no age limit");
  });
});
