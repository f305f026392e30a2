import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateEvent } from "../../src/core/validation/validate.js";
import { tempDir } from "../helpers/cli.js";
import { VirtualClock } from "../helpers/clock.js";
import { runMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

let server: WebhookServer;
let tmp: ReturnType<typeof tempDir>;
beforeEach(async () => {
  server = await new WebhookServer().start();
  tmp = tempDir();
});
afterEach(async () => {
  await server.stop();
  tmp.cleanup();
});

describe("scenario lifecycle", () => {
  it("plays one coherent ticket life, every event valid", async () => {
    const r = await runMain(["scenario", "lifecycle", "--to", server.url, "--secret", "s"]);
    expect(r.code).toBe(0);
    const events = server.requests.map((q) => JSON.parse(q.body.toString()));
    expect(events.map((e) => e.event_type)).toEqual([
      "whitelabel-ticket-created",
      "whitelabel-ticket-updated",
      "whitelabel-ticket-assigned",
      "whitelabel-ticket-updated",
      "whitelabel-ticket-resolved",
    ]);
    for (const e of events) expect(validateEvent(e)).toMatchObject({ valid: true, errors: [] });
    expect(new Set(events.map((e) => e.data.ticket.id)).size).toBe(1);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(5);
    const replies = events.map((e) => e.data.ticket.replies.length);
    expect(replies).toEqual([2, 3, 3, 4, 4]);
    expect(events[1].data.reply).toEqual(events[1].data.ticket.replies.at(-1));
    expect(events[1].data.reply.is_client_reply).toBe(true);
    expect(events[3].data.reply.is_client_reply).toBe(false);
    expect(events[3].data.ticket.replies.slice(0, 3)).toEqual(events[1].data.ticket.replies);
    expect(events.map((e) => e.data.ticket.teammate_id === null)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(new Set(events.slice(2).map((e) => e.data.ticket.teammate_id)).size).toBe(1);
    const updated = events.map((e) => e.data.ticket.updated_at);
    for (let i = 1; i < updated.length; i++) expect(updated[i]).toBeGreaterThan(updated[i - 1]);
    expect(events.map((e) => e.data.ticket.is_open)).toEqual([true, true, true, true, false]);
    expect(r.stderr).toContain("created → client-reply → assigned → agent-reply → resolved");
  });
});

describe("scenario files", () => {
  it("steps refer to earlier steps' values", async () => {
    const file = join(tmp.dir, "flow.json");
    writeFileSync(
      file,
      JSON.stringify({
        steps: [
          {
            name: "opened",
            event: "created",
            set: {
              event_id: "{{event_id}}",
              "data.ticket.id": "{{uuid}}",
              "data.ticket.title": "Flow {{env.FLOW}}",
            },
          },
          {
            name: "closed",
            event: "resolved",
            delay_ms: 10,
            set: {
              "data.ticket.id": "{{steps.opened.data.ticket.id}}",
              "data.ticket.title": "{{steps.opened.data.ticket.title}}",
              "data.ticket.created_at": "{{steps.opened.data.ticket.created_at}}",
            },
          },
        ],
      }),
    );
    const clock = new VirtualClock();
    const r = await runMain(["scenario", file, "--to", server.url], {
      env: { FLOW: "42", TICKET_HOOKS_ALLOW_ENV: "FLOW" },
      clock,
    });
    expect(r.code).toBe(0);
    expect(clock.sleeps).toEqual([10]); // the second step's delay_ms
    const [opened, closed] = server.requests.map((q) => JSON.parse(q.body.toString()));
    expect(opened.data.ticket.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(closed.data.ticket.id).toBe(opened.data.ticket.id);
    expect(closed.data.ticket.title).toBe("Flow 42");
    expect(closed.data.ticket.created_at).toBe(opened.data.ticket.created_at);
    expect(typeof closed.data.ticket.created_at).toBe("number");
  });

  it("a reference to an unknown step is exit 2 and lists the step names", async () => {
    const file = join(tmp.dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({
        steps: [
          { name: "opened", event: "created" },
          { name: "assigned", event: "assigned" },
          {
            name: "closed",
            event: "resolved",
            set: { "data.ticket.id": "{{steps.openned.data.ticket.id}}" },
          },
        ],
      }),
    );
    const r = await runMain(["scenario", file, "--to", server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'step "closed" refers to {{steps.openned.data.ticket.id}}, but no step "openned" comes before it',
    );
    expect(r.stderr).toContain('Steps before "closed": opened, assigned.');
    expect(server.requests).toHaveLength(0);
  });

  it("an invalid step is refused; a missing scenario is exit 2", async () => {
    const file = join(tmp.dir, "invalid.json");
    writeFileSync(
      file,
      JSON.stringify([{ name: "x", event: "resolved", set: { "data.ticket.is_open": true } }]),
    );
    const r = await runMain(["scenario", file, "--to", server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('step "x":');
    // Every validation error is listed, as send lists them.
    expect(r.stderr).toMatch(/\n {2}data\.ticket\.is_open: .*\(expected false, got true\)\n/);
    expect(r.stderr).toContain("--skip-validation");
    expect(server.requests).toHaveLength(0);
    const missing = await runMain(["scenario", "lifecycel", "--to", server.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Built-in: lifecycle");
  });
});
