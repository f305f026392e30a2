import { afterEach, describe, expect, it } from "vitest";
import { type SignatureBug, startBuggyReceiver } from "../helpers/buggy-receivers.js";
import { startCheckReceiver } from "../helpers/check-receivers.js";
import { runMain } from "../helpers/main.js";

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function receiver(bug: SignatureBug, secret = "s3cret-key") {
  const r = await startBuggyReceiver(secret, bug);
  stop = r.stop;
  return r.url;
}

describe("ticket-hooks doctor", { timeout: 20_000 }, () => {
  it("exits 0 and says so when nothing is wrong", async () => {
    const url = await receiver({ kind: "none" });
    const r = await runMain(["doctor", "--to", url, "--secret", "s3cret-key"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ none of the bugs probed for");
    expect(r.stdout).toMatch(/accepted t= from (29[89]|30[0-2]) s old/);
  });

  it("a receiver comparing a prefix of the digest (startsWith) is named: partial-digest", async () => {
    const url = await receiver({ kind: "prefix-compare" });
    const r = await runMain(["doctor", "--to", url, "--secret", "s3cret-key"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ diagnosis  partial-digest");
    expect(r.stdout).toContain("an empty digest");
    expect(r.stdout).toContain("timingSafeEqual");
    const check = await runMain(["check", "--to", url, "--secret", "s3cret-key", "--json"]);
    const cases = check.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((c) => c.type === "case");
    const status = (id: string) => cases.find((c) => c.id === id)?.status;
    expect(status("empty-digest")).toBe("fail");
    expect(status("truncated-digest")).toBe("fail");
    expect(status("long-digest")).toBe("pass");
    expect(status("wrong-secret")).toBe("pass");
  });

  it("a receiver that reads only the first (or last) s= is named: key-rotation, as check names it", async () => {
    for (const kind of ["first-s-only", "last-s-only"] as const) {
      const r = await startCheckReceiver(kind, "s3cret-key");
      stop = r.stop;
      const doctor = await runMain(["doctor", "--to", r.url, "--secret", "s3cret-key"]);
      expect(doctor.code, kind).toBe(1);
      expect(doctor.stdout).toContain("✗ diagnosis  key-rotation");
      expect(doctor.stdout).not.toContain("no signature bug found");
      await r.stop();
      stop = undefined;
    }
  });

  it("the all-clear says what was probed, never more", async () => {
    const url = await receiver({ kind: "none" });
    const r = await runMain(["doctor", "--to", url, "--secret", "s3cret-key"]);
    expect(r.stdout).toMatch(
      /✓ none of the bugs probed for: re-serialised body, partial digest, key rotation \(s= order\), tolerance, clock skew \(\d+ probes\)/,
    );
  });

  it("exits 1 naming the diagnosis, its evidence and fix", async () => {
    const url = await receiver({ kind: "digest-encoding", encoding: "base64" });
    const r = await runMain(["doctor", "--to", url, "--secret", "s3cret-key"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ diagnosis  digest-encoding  rejected the documented signature");
    expect(r.stdout).toContain("the digest in base64 (200)");
    expect(r.stdout).toContain("fix: s= is the lower-case hex digest");
    expect(r.stderr).toContain("error: doctor: digest-encoding");
  });

  it("--reporter json prints one diagnosis record per finding and a summary", async () => {
    const url = await receiver({ kind: "timestamp-unit" });
    const r = await runMain([
      "doctor",
      "--to",
      url,
      "--secret",
      "s3cret-key",
      "--reporter",
      "json",
    ]);
    expect(r.code).toBe(1);
    const records = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records[0]).toMatchObject({ type: "diagnosis", id: "timestamp-unit" });
    expect(records[0].evidence).toContain("milliseconds");
    expect(records.at(-1)).toMatchObject({ type: "summary", diagnoses: 1, unexplained: null });
  });

  it("is a usage error (exit 2) without a secret", async () => {
    const r = await runMain(["doctor", "--to", "http://127.0.0.1:9/"], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("doctor needs a secret");
  });

  it("runs inside check when valid, signed events are rejected", async () => {
    const url = await receiver({ kind: "header-name", header: "Tamio-Signature" });
    const r = await runMain(["check", "--to", url, "--secret", "s3cret-key", "--json"]);
    expect(r.code).toBe(1);
    const records = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const diagnoses = records.filter((x) => x.type === "diagnosis");
    expect(diagnoses.map((d) => d.id)).toEqual(["header-name"]);
    expect(diagnoses[0].evidence).toContain("Tamio-Signature");
    const pretty = await runMain(["check", "--to", url, "--secret", "s3cret-key"]);
    expect(pretty.stdout).toContain("✗ diagnosis  header-name");
  });

  it("check on a correct receiver runs no doctor", async () => {
    const url = await receiver({ kind: "none" });
    const r = await runMain(["check", "--to", url, "--secret", "s3cret-key", "--json"]);
    expect(r.stdout).not.toContain('"type":"diagnosis"');
  });
});

describe("doctor against a path that is not the webhook route", () => {
  it("stops after the baseline with one line about the path", async () => {
    const r = await startCheckReceiver("not-found", "s3cret-key");
    try {
      const doctor = await runMain(["doctor", "--to", `${r.url}wrong`, "--secret", "s3cret-key"]);
      expect(doctor.code).toBe(1);
      expect(doctor.stdout).toMatch(/answered 404: \/\S*wrong is probably not your webhook route/);
      expect(doctor.stderr).toContain("1 probes sent");
      const json = await runMain([
        "doctor",
        "--to",
        `${r.url}wrong`,
        "--secret",
        "s3cret-key",
        "--json",
      ]);
      expect(JSON.parse(json.stdout.trim().split("\n").at(-1) as string)).toMatchObject({
        type: "summary",
        probes: 1,
      });
    } finally {
      await r.stop();
    }
  });
});
