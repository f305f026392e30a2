import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lines, PAYLOADS, ROOT, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";

const CREATED = join(PAYLOADS, "whitelabel-ticket-created.json");
const COMMANDS = [
  "demo",
  "send",
  "listen",
  "replay",
  "scenario",
  "check",
  "export",
  "templates",
  "init",
  "validate",
  "sign",
  "verify",
];
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe("global behaviour", () => {
  it("--version prints the package version", async () => {
    const r = await runMain(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it("--help lists every command and has examples", async () => {
    const r = await runMain(["--help"]);
    expect(r.code).toBe(0);
    for (const cmd of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, "m"));
    expect(r.stdout).toContain("Examples:");
  });

  it.each(COMMANDS)("%s --help prints its usage and examples, exit 0", async (cmd) => {
    const r = await runMain([cmd, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: ticket-hooks ${cmd}\\b`));
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n\\s+\\$ ticket-hooks ${cmd}\\b`));
    expect(r.stderr).toBe("");
  });

  it("an unknown command exits 2 with a suggestion", async () => {
    const r = await runMain(["valdate"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Did you mean validate?");
  });

  it("an unknown flag exits 2 with a suggestion", async () => {
    const r = await runMain(["sign", CREATED, "--secrte", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Did you mean --secret?");
  });
});

describe("templates", () => {
  it("lists the four with event type, description and file", async () => {
    const r = await runMain(["templates"], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    for (const t of ["created", "updated", "assigned", "resolved"]) {
      expect(r.stdout).toContain(`whitelabel-ticket-${t}.json (bundled)`);
    }
    expect(r.stdout).toContain("A ticket gets reassigned to another agent.");
  });

  it("--json gives one object per template", async () => {
    const r = await runMain(["templates", "--json"], { cwd: tmp.dir });
    const rows = lines(r.stdout).map((l) => JSON.parse(l));
    expect(rows.map((x) => x.name)).toEqual(["created", "updated", "assigned", "resolved"]);
    expect(rows[0]).toMatchObject({ event_type: "whitelabel-ticket-created", origin: "bundled" });
  });

  it("show prints the template bytes and names the file on stderr", async () => {
    const r = await runMain(["templates", "show", "whitelabel-ticket-created"], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(CREATED, "utf8"));
    expect(r.stderr).toContain(`Using template ${CREATED} (bundled)`);
  });

  it("show with an unknown event exits 2 and lists the names", async () => {
    const r = await runMain(["templates", "show", "deleted"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown event "deleted"');
    expect(r.stderr).toContain("created, updated, assigned, resolved");
  });

  it("lookup order: --templates, then env, then ./ticket-hooks/, then bundled", async () => {
    const local = join(tmp.dir, "ticket-hooks");
    const flag = join(tmp.dir, "flag");
    const env = join(tmp.dir, "env");
    for (const d of [local, flag, env]) {
      mkdirSync(d);
      writeFileSync(join(d, "whitelabel-ticket-created.json"), `{"from":"${d}"}`);
    }
    const show = (args: string[], e: Record<string, string> = {}) =>
      runMain(["templates", "show", "created", ...args], { cwd: tmp.dir, env: e });
    expect((await show(["--templates", flag], { TICKET_HOOKS_TEMPLATES: env })).stdout).toContain(
      flag,
    );
    expect((await show([], { TICKET_HOOKS_TEMPLATES: env })).stdout).toContain(env);
    const fromLocal = await show([]);
    expect(fromLocal.stdout).toContain(local);
    expect(fromLocal.stderr).toContain("(from ./ticket-hooks/)");
    // A folder without the event's file falls back to the bundled one, and says so.
    const updated = await runMain(["templates", "show", "updated"], { cwd: tmp.dir });
    expect(updated.stderr).toContain("(bundled)");
  });

  it("--templates pointing nowhere is a clear error", async () => {
    const r = await runMain(["templates", "--templates", join(tmp.dir, "missing")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/templates folder .*missing \(--templates\) does not exist/);
  });

  it("the config file sets templates; env beats it; the flag beats both", async () => {
    const fromConfig = join(tmp.dir, "cfg");
    mkdirSync(fromConfig);
    writeFileSync(join(fromConfig, "whitelabel-ticket-created.json"), '{"from":"config"}');
    writeFileSync(
      join(tmp.dir, "ticket-hooks.config.json"),
      JSON.stringify({ templates: fromConfig }),
    );
    const r = await runMain(["templates", "show", "created"], { cwd: tmp.dir });
    expect(r.stdout).toBe('{"from":"config"}\n');
    expect(r.stderr).toContain("(from the config file)");
    const env = await runMain(["templates", "show", "created"], {
      cwd: tmp.dir,
      env: { TICKET_HOOKS_TEMPLATES: PAYLOADS },
    });
    expect(env.stdout).toBe(readFileSync(CREATED, "utf8"));
  });

  it("a config file with a secret gets a warning", async () => {
    writeFileSync(
      join(tmp.dir, "ticket-hooks.config.json"),
      JSON.stringify({ secret: "s3cr3t-value" }),
    );
    const r = await runMain(["sign", CREATED, "--timestamp", "1700000000"], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("contains a secret");
    expect(r.stderr).not.toContain("s3cr3t-value");
    expect(r.stdout).toMatch(/^X-Signature: t=1700000000,s=[0-9a-f]{64}\n$/);
  });

  it("a broken config file names line and column", async () => {
    writeFileSync(join(tmp.dir, "ticket-hooks.config.json"), '{\n  "to": \n}');
    const r = await runMain(["templates"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ticket-hooks\.config\.json:3:1: invalid JSON/);
  });
});

describe("init", () => {
  it("copies the four templates, then refuses to overwrite without --force", async () => {
    const first = await runMain(["init"], { cwd: tmp.dir });
    expect(first.code).toBe(0);
    const dir = join(tmp.dir, "ticket-hooks");
    expect(lines(first.stdout)).toHaveLength(4);
    expect(readFileSync(join(dir, "whitelabel-ticket-updated.json"), "utf8")).toBe(
      readFileSync(join(PAYLOADS, "whitelabel-ticket-updated.json"), "utf8"),
    );
    writeFileSync(join(dir, "whitelabel-ticket-created.json"), '{"edited":true}');
    const second = await runMain(["init"], { cwd: tmp.dir });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain("already exist");
    expect(second.stderr).toContain("--force");
    expect(readFileSync(join(dir, "whitelabel-ticket-created.json"), "utf8")).toBe(
      '{"edited":true}',
    );
    const forced = await runMain(["init", "--force"], { cwd: tmp.dir });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, "whitelabel-ticket-created.json"), "utf8")).toContain("whev_");
  });

  it("takes a folder argument", async () => {
    const r = await runMain(["init", "custom/dir"], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(existsSync(join(tmp.dir, "custom/dir/whitelabel-ticket-resolved.json"))).toBe(true);
  });
});

describe("validate", () => {
  it("exits 0 for the four bundled templates", async () => {
    const files = ["created", "updated", "assigned", "resolved"].map((e) =>
      join(PAYLOADS, `whitelabel-ticket-${e}.json`),
    );
    const r = await runMain(["validate", ...files]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).filter((l) => l.startsWith("✓ valid"))).toHaveLength(4);
  });

  it("prints every error as path, expected and actual, and exits 1", async () => {
    const event = JSON.parse(readFileSync(CREATED, "utf8"));
    event.data.ticket.is_open = false;
    event.data.ticket.extra_field = 1;
    const file = join(tmp.dir, "bad.json");
    writeFileSync(file, JSON.stringify(event));
    const r = await runMain(["validate", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ invalid");
    expect(r.stdout).toContain("data.ticket.is_open: must be true in whitelabel-ticket-created");
    expect(r.stdout).toContain("expected true, got false");
    expect(r.stdout).toContain("warning data.ticket.extra_field");
    expect(r.stderr).toContain("1 of 1 input(s) invalid");
  });

  it("--json gives one object per input, reading - from stdin", async () => {
    const r = await runMain(["validate", "-", CREATED, "--json"], { input: '{"event_type":"x"}' });
    expect(r.code).toBe(1);
    const [stdin, file] = lines(r.stdout).map((l) => JSON.parse(l));
    expect(stdin).toMatchObject({ input: "-", valid: false, event_type: null });
    expect(stdin.errors[0]).toMatchObject({ path: "event_type", rule: "event-type" });
    expect(file).toEqual({
      input: CREATED,
      valid: true,
      event_type: "whitelabel-ticket-created",
      errors: [],
      warnings: [],
    });
  });

  it("broken JSON names file, line and column and exits 2", async () => {
    const file = join(tmp.dir, "broken.json");
    writeFileSync(file, '{\n  "event_type": "whitelabel-ticket-created",\n  oops\n}');
    const r = await runMain(["validate", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:3:3: invalid JSON`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a missing file exits 2 with one line", async () => {
    const r = await runMain(["validate", join(tmp.dir, "nope.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no such file");
  });

  it("renders placeholders before validating and names the file of an unknown one", async () => {
    const ok = join(tmp.dir, "ok.json");
    const event = JSON.parse(readFileSync(CREATED, "utf8"));
    event.event_id = "{{event_id}}";
    event.data.ticket.created_at = "{{now}}";
    event.data.ticket.updated_at = "{{now}}";
    event.data.ticket.replies = [];
    event.data.ticket.title = "{{env.TITLE}}";
    writeFileSync(ok, JSON.stringify(event));
    expect(
      (await runMain(["validate", ok, "--allow-env", "TITLE"], { env: { TITLE: "Hi" } })).code,
    ).toBe(0);
    const missing = await runMain(["validate", ok, "--allow-env", "TITLE"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${ok}: placeholder {{env.TITLE}} at data.ticket.title`);
    event.data.ticket.title = "{{title}}";
    writeFileSync(ok, JSON.stringify(event));
    const unknown = await runMain(["validate", ok]);
    expect(unknown.stderr).toContain(`${ok}: unknown placeholder {{title}}`);
  });
});

describe("sign and verify", () => {
  // printf '1700000000.' | cat - payloads/whitelabel-ticket-created.json | openssl dgst -sha256 -hmac abc
  const KNOWN = "e9e4044eaec335d6c75ca16b0075232be5c8588fd4055bbf3520863543bd9077";

  it("sign prints the header line for the file's exact bytes", async () => {
    const r = await runMain(["sign", CREATED, "--secret", "abc", "--timestamp", "1700000000"]);
    expect(r).toMatchObject({ code: 0, stdout: `X-Signature: t=1700000000,s=${KNOWN}\n` });
  });

  it("sign reads stdin and the secret from the environment, with --json and a custom header", async () => {
    const r = await runMain(
      [
        "sign",
        "-",
        "--timestamp",
        "1700000000",
        "--json",
        "--signature-header",
        "X-Tamio-Signature",
      ],
      { input: readFileSync(CREATED), env: { TICKET_HOOKS_SECRET: "abc" } },
    );
    expect(JSON.parse(r.stdout)).toMatchObject({
      header: "X-Tamio-Signature",
      value: `t=1700000000,s=${KNOWN}`,
    });
  });

  it("sign without a secret exits 2", async () => {
    const r = await runMain(["sign", CREATED]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("TICKET_HOOKS_SECRET");
  });

  it("verify exits 0 for a valid signature", async () => {
    const args = ["verify", CREATED, "--secret", "abc", "--signature", `t=1700000000,s=${KNOWN}`];
    const r = await runMain([...args, "--now", "1700000100"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ valid");
  });

  it("verify takes the header line sign prints, its name and all", async () => {
    const signed = await runMain(["sign", CREATED, "--secret", "abc", "--timestamp", "1700000000"]);
    const line = signed.stdout.trim();
    const args = ["verify", CREATED, "--secret", "abc", "--signature", line, "--now", "1700000100"];
    const r = await runMain(args);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("✓ valid");
  });

  it.each([
    [["--now", "1700000301"], "timestamp too old", "timestamp_too_old"],
    [["--now", "1699999699"], "timestamp too far in the future", "timestamp_in_future"],
    [
      ["--now", "1700000000", "--secret", "wrong"],
      "no matching signature",
      "no_matching_signature",
    ],
  ])("verify %j fails with %s", async (extra, text, reason) => {
    const args = ["verify", CREATED, "--secret", "abc", "--signature", `t=1700000000,s=${KNOWN}`];
    const r = await runMain([...args, ...extra]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(text);
    const json = await runMain([...args, ...extra, "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, reason });
  });

  it("verify reports malformed headers and missing parts", async () => {
    const base = ["verify", CREATED, "--secret", "abc", "--tolerance", "0", "--signature"];
    expect((await runMain([...base, "nonsense"])).stdout).toContain("malformed signature header");
    expect((await runMain([...base, `s=${KNOWN}`])).stdout).toContain("no t=");
    expect((await runMain([...base, "t=1700000000"])).stdout).toContain("no s=");
  });

  it("--tolerance 0 disables the time check; a bad --tolerance exits 2", async () => {
    const args = ["verify", CREATED, "--secret", "abc", "--signature", `t=1700000000,s=${KNOWN}`];
    expect((await runMain([...args, "--tolerance", "0"])).code).toBe(0);
    const bad = await runMain([...args, "--tolerance", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--tolerance must be a whole number");
  });
});
