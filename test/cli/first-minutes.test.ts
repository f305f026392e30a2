import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PAYLOADS, tempDir } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { runMain, startMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const CREATED = join(PAYLOADS, "whitelabel-ticket-created.json");
let tmp: ReturnType<typeof tempDir>;
let server: WebhookServer | undefined;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  tmp.cleanup();
});

describe("event-name typos", () => {
  it.each([
    ["send", "creatd", "--dry-run"],
    ["validate", "creatd"],
    ["send", "resloved", "--dry-run"],
  ])("%s %s suggests the event name", async (...argv) => {
    const r = await runMain(argv, { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /unknown event "\w+" \(and no such file\): did you mean (created|resolved)\?/,
    );
    expect(r.stderr).not.toContain("cannot read");
  });
});

describe("ticket-hooks.config.json", () => {
  it("an unknown key is an error naming the key, the file and the closest known key", async () => {
    writeFileSync(join(tmp.dir, "ticket-hooks.config.json"), '{ "signatureHeder": "X-Sig" }');
    const r = await runMain(["send", "created", "--dry-run"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${join(tmp.dir, "ticket-hooks.config.json")}: unknown key "signatureHeder": did you mean "signatureHeader"?`,
    );
  });

  it("a key of another command is not an error", async () => {
    writeFileSync(
      join(tmp.dir, "ticket-hooks.config.json"),
      '{ "forwardTo": "http://127.0.0.1:1/" }',
    );
    const r = await runMain(["send", "created", "--dry-run"], { cwd: tmp.dir });
    expect(r.code).toBe(0);
  });
});

it("--set with a typo in a documented path warns naming the closest path", async () => {
  const r = await runMain(["send", "created", "--dry-run", "--set", "data.ticket.titel=x"], {
    cwd: tmp.dir,
  });
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(
    "--set data.ticket.titel: not a documented field; did you mean data.ticket.title?",
  );
  const indexed = await runMain(
    ["send", "updated", "--dry-run", "--set", "data.ticket.replies[1].txt=x"],
    { cwd: tmp.dir },
  );
  expect(indexed.stderr).toContain("did you mean data.ticket.replies[1].text?");
});

describe("file-system errors are translated", () => {
  it("init FILE says it is a file and asks for a folder", async () => {
    writeFileSync(join(tmp.dir, "my-event.json"), "{}");
    const r = await runMain(["init", "my-event.json"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("my-event.json exists and is a file: give a folder");
    expect(r.stderr).not.toContain("EEXIST");
  });

  it("export --out FILE says it is a file and asks for a folder", async () => {
    writeFileSync(join(tmp.dir, "my-event.json"), "{}");
    writeFileSync(join(tmp.dir, "rec.ndjson"), "");
    const r = await runMain(["export", "rec.ndjson", "--out", "my-event.json"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("my-event.json exists and is a file: give a folder");
    expect(r.stderr).not.toContain("EEXIST");
  });
});

describe("help and options", () => {
  it("help nope says the command is unknown", async () => {
    const r = await runMain(["help", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "nope"');
    const typo = await runMain(["help", "sned"]);
    expect(typo.stderr).toContain("did you mean send?");
  });

  it.each([
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
  ])("%s --help lists --json", async (command) => {
    const r = await runMain([command, "--help"]);
    expect(r.stdout).toMatch(/^\s+--json\b/m);
  });

  it("scenario does not offer --concurrency or --rate", async () => {
    const help = await runMain(["scenario", "--help"]);
    expect(help.stdout).not.toMatch(/--concurrency|--rate/);
    const r = await runMain(["scenario", "lifecycle", "--dry-run", "--rate", "5"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--rate'");
  });
});

it("send - reads an event from standard input", async () => {
  server = await new WebhookServer().start();
  const input = readFileSync(CREATED);
  const r = await runMain(["send", "-", "--to", server.url], { input });
  expect(r.code).toBe(0);
  expect(server.requests).toHaveLength(1);
  expect(JSON.parse(server.requests[0]?.body.toString() ?? "")).toEqual(
    JSON.parse(input.toString()),
  );
  expect(r.stderr).toContain("Using file <stdin>");
});

describe("replay", () => {
  it("--ids that match nothing says 0 of N recorded requests matched", async () => {
    server = await new WebhookServer().start();
    const file = join(tmp.dir, "rec.ndjson");
    const listener = startMain(["listen", "--port", "0", "--json", "--record", file]);
    const [, url] = await listener.waitFor(/"ready".*"url":"([^"]+)"/, "stdout");
    for (let i = 0; i < 2; i++) await post(url as string, readFileSync(CREATED));
    listener.signals.send("SIGINT");
    expect((await listener.done).code).toBe(0);
    const r = await runMain(["replay", file, "--to", server.url, "--ids", "nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("0 of 2 recorded requests matched");
    expect(server.requests).toHaveLength(0);
  });

  it("a single event (not a recording) suggests send", async () => {
    const r = await runMain(["replay", CREATED, "--to", "http://127.0.0.1:1/"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("holds a single event, not a recording");
    expect(r.stderr).toContain(`ticket-hooks send ${CREATED}`);
  });
});

it("a second Ctrl-C on listen says what it abandons", async () => {
  // The app behind the listener never answers: the request stays in flight.
  server = await new WebhookServer(() => {}).start();
  const record = join(tmp.dir, "rec.ndjson");
  const listener = startMain([
    "listen",
    "--port",
    "0",
    "--json",
    "--record",
    record,
    "--forward-to",
    server.url,
  ]);
  const [, url] = await listener.waitFor(/"ready".*"url":"([^"]+)"/, "stdout");
  // The request stays unanswered: the forced stop abandons it (its client sees the socket close).
  void post(url as string, readFileSync(CREATED)).catch(() => null);
  await server.waitFor(1);
  listener.signals.send("SIGINT");
  await listener.waitFor(/Stopping/);
  listener.signals.send("SIGINT");
  const r = await listener.done;
  expect(r.code).toBe(130);
  expect(r.stderr).toContain("Ctrl-C again: stopping now; requests in flight go unanswered");
  expect(r.stderr).toContain(`their forwards to ${server.url} are cut off`);
  expect(r.stderr).toContain(`lines not yet written to ${record} are lost`);
});
