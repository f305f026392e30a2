// {{env.NAME}} expands only what the user allowed (--allow-env, TICKET_HOOKS_ALLOW_ENV), never
// because a file in the checkout says so, and never the secret's own variable.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { receive } from "../../src/core/receiving/receive.js";
import { exchangeLine } from "../../src/core/recording/line-encoder.js";
import { PAYLOADS, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const CREATED_TYPE = "whitelabel-ticket-created";
const VALUE = "s3cr3t-value-from-the-environment";

let tmp: ReturnType<typeof tempDir>;
let server: WebhookServer;
beforeEach(async () => {
  tmp = tempDir();
  server = await new WebhookServer().start();
});
afterEach(async () => {
  await server.stop();
  tmp.cleanup();
});

/** The bundled created event with its title set to `title`, as a template folder and a file. */
function withTitle(title: string): { dir: string; file: string } {
  const event = JSON.parse(readFileSync(join(PAYLOADS, `${CREATED_TYPE}.json`), "utf8"));
  event.data.ticket.title = title;
  const dir = join(tmp.dir, "ticket-hooks");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${CREATED_TYPE}.json`), JSON.stringify(event));
  const file = join(tmp.dir, "event.json");
  writeFileSync(file, JSON.stringify(event));
  return { dir, file };
}

const sentTitles = () =>
  server.requests.map((r) => JSON.parse(r.body.toString()).data.ticket.title as string);

describe("{{env.NAME}} needs an allow-list", () => {
  it("a variable not allowed is a usage error naming it and how to allow it; nothing is sent", async () => {
    const { file } = withTitle("{{env.AWS_SECRET_ACCESS_KEY}}");
    const r = await runMain(["send", file, "--to", server.url], {
      env: { AWS_SECRET_ACCESS_KEY: VALUE },
      cwd: tmp.dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("environment variable AWS_SECRET_ACCESS_KEY is not allowed");
    expect(r.stderr).toContain("--allow-env AWS_SECRET_ACCESS_KEY");
    expect(r.stderr).toContain("TICKET_HOOKS_ALLOW_ENV=AWS_SECRET_ACCESS_KEY");
    expect(r.stderr).not.toContain(VALUE);
    expect(server.requests).toHaveLength(0);
  });

  it("--allow-env (repeatable, comma-separated) and TICKET_HOOKS_ALLOW_ENV allow it", async () => {
    const { file } = withTitle("{{env.TITLE_A}} {{env.TITLE_B}}");
    const env = { TITLE_A: "Printer", TITLE_B: "on fire" };
    const flags = await runMain(
      ["send", file, "--to", server.url, "--allow-env", "OTHER,TITLE_A", "--allow-env", "TITLE_B"],
      { env, cwd: tmp.dir },
    );
    expect(flags.code, flags.stderr).toBe(0);
    const fromEnv = await runMain(["send", file, "--to", server.url], {
      env: { ...env, TICKET_HOOKS_ALLOW_ENV: "TITLE_A, TITLE_B" },
      cwd: tmp.dir,
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    // One from each source adds up.
    const both = await runMain(["send", file, "--to", server.url, "--allow-env", "TITLE_A"], {
      env: { ...env, TICKET_HOOKS_ALLOW_ENV: "TITLE_B" },
      cwd: tmp.dir,
    });
    expect(both.code, both.stderr).toBe(0);
    expect(sentTitles()).toEqual(["Printer on fire", "Printer on fire", "Printer on fire"]);
  });

  it("the secret's own variable never expands, even when allowed", async () => {
    const { file } = withTitle("{{env.TICKET_HOOKS_SECRET}}");
    const secret = "whsec_never_in_a_body_1234";
    const r = await runMain(
      ["send", file, "--to", server.url, "--allow-env", "TICKET_HOOKS_SECRET"],
      {
        env: { TICKET_HOOKS_SECRET: secret, TICKET_HOOKS_ALLOW_ENV: "TICKET_HOOKS_SECRET" },
        cwd: tmp.dir,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("TICKET_HOOKS_SECRET never expands");
    expect(r.stderr).not.toContain(secret);
    expect(server.requests).toHaveLength(0);
  });

  it("a checkout's config cannot allow variables, and its `to` is named on stderr", async () => {
    withTitle("{{env.AWS_SECRET_ACCESS_KEY}}");
    writeFileSync(
      join(tmp.dir, "ticket-hooks.config.json"),
      JSON.stringify({ to: server.url, allowEnv: ["AWS_SECRET_ACCESS_KEY"] }),
    );
    const r = await runMain(["send", "created"], {
      env: { AWS_SECRET_ACCESS_KEY: VALUE },
      cwd: tmp.dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`sending to ${server.url} (from ./ticket-hooks.config.json)`);
    expect(r.stderr).toContain('"allowEnv" is ignored');
    expect(r.stderr).toContain("AWS_SECRET_ACCESS_KEY is not allowed");
    expect(server.requests).toHaveLength(0);
  });

  it("a `to` from the config file is named even when all goes well", async () => {
    writeFileSync(join(tmp.dir, "ticket-hooks.config.json"), JSON.stringify({ to: server.url }));
    const r = await runMain(["send", "created"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`sending to ${server.url} (from ./ticket-hooks.config.json)`);
    // A --to on the command line is the user's own: no note.
    const flag = await runMain(["send", "created", "--to", server.url], { cwd: tmp.dir });
    expect(flag.stderr).not.toContain("sending to");
  });

  it("the {{{{ escape still renders a literal {{", async () => {
    const { file } = withTitle("{{{{env.HOME}}");
    const r = await runMain(["send", file, "--to", server.url], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(sentTitles()).toEqual(["{{env.HOME}}"]);
  });
});

describe("captured text is never expanded", () => {
  it("a received title {{env.TICKET_HOOKS_SECRET}}, exported and sent, is sent as written", async () => {
    const event = JSON.parse(readFileSync(join(PAYLOADS, `${CREATED_TYPE}.json`), "utf8"));
    const typed = "{{env.TICKET_HOOKS_SECRET}} {{env.HOME}} {{uuid}} {{{{";
    event.data.ticket.title = typed;
    const request = {
      method: "POST",
      url: "/",
      headers: { "content-type": "application/json" },
      body: Buffer.from(JSON.stringify(event)),
    };
    const line = exchangeLine({
      seq: 1,
      receivedAt: new Date(),
      request,
      verdict: receive(request, {}),
      status: 200,
      forward: null,
      aborted: false,
    });
    const recording = join(tmp.dir, "events.ndjson");
    writeFileSync(recording, `${line}\n`);
    const out = join(tmp.dir, "exported");
    const exported = await runMain(["export", recording, "--out", out]);
    expect(exported.code, exported.stderr).toBe(0);
    const file = exported.stdout.trim();
    const secret = "whsec_exported_and_sent_1";
    const sent = await runMain(["send", file, "--to", server.url, "--allow-env", "HOME"], {
      env: { TICKET_HOOKS_SECRET: secret, HOME: "/home/someone" },
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sentTitles()).toEqual([typed]);
    expect(server.requests[0]?.body.toString()).not.toContain(secret);
  });
});

describe("every command that renders templates takes --allow-env", () => {
  it("scenario", async () => {
    const flow = join(tmp.dir, "flow.json");
    writeFileSync(
      flow,
      JSON.stringify({
        steps: [{ name: "opened", event: "created", set: { "data.ticket.title": "{{env.FLOW}}" } }],
      }),
    );
    const denied = await runMain(["scenario", flow, "--to", server.url], {
      env: { FLOW: "flow 42" },
      cwd: tmp.dir,
    });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain("--allow-env FLOW");
    const allowed = await runMain(["scenario", flow, "--to", server.url, "--allow-env", "FLOW"], {
      env: { FLOW: "flow 42" },
      cwd: tmp.dir,
    });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(sentTitles()).toEqual(["flow 42"]);
  });

  it("validate", async () => {
    const { file } = withTitle("{{env.TITLE}}");
    const denied = await runMain(["validate", file], { env: { TITLE: "Hi" } });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain("--allow-env TITLE");
    const allowed = await runMain(["validate", file, "--allow-env", "TITLE"], {
      env: { TITLE: "Hi" },
    });
    expect(allowed.code, allowed.stderr).toBe(0);
  });

  it("templates show --render", async () => {
    withTitle("{{env.TITLE}}");
    const args = ["templates", "show", "created", "--render"];
    const denied = await runMain(args, { env: { TITLE: "Hi there" }, cwd: tmp.dir });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain("--allow-env TITLE");
    const allowed = await runMain([...args, "--allow-env", "TITLE"], {
      env: { TITLE: "Hi there" },
      cwd: tmp.dir,
    });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout).data.ticket.title).toBe("Hi there");
  });

  it("doctor", async () => {
    withTitle("{{env.TITLE}}");
    const args = ["doctor", "--to", server.url, "--secret", "whsec_doctor_env_1"];
    const denied = await runMain(args, { env: { TITLE: "Doctored" }, cwd: tmp.dir });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain("--allow-env TITLE");
    expect(server.requests).toHaveLength(0);
    const allowed = await runMain([...args, "--allow-env", "TITLE"], {
      env: { TITLE: "Doctored" },
      cwd: tmp.dir,
    });
    expect(allowed.code, allowed.stderr).not.toBe(2);
    expect(sentTitles()[0]).toBe("Doctored");
  });

  it("check", async () => {
    withTitle("{{env.TITLE}}");
    const args = ["check", "--to", server.url, "--only", "valid-created"];
    const denied = await runMain(args, { env: { TITLE: "Checked" }, cwd: tmp.dir });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain("--allow-env TITLE");
    expect(server.requests).toHaveLength(0);
    const allowed = await runMain([...args, "--allow-env", "TITLE"], {
      env: { TITLE: "Checked" },
      cwd: tmp.dir,
    });
    expect(allowed.code, allowed.stderr + allowed.stdout).toBe(0);
    expect(sentTitles()).toEqual(["Checked"]);
  });
});
