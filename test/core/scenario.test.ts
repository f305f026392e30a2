import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  composeScenario,
  lifecycleScenario,
  loadScenarioFile,
} from "../../src/core/delivery/scenario.js";
import { nodeFiles } from "../../src/io/files.js";
import { tempDir } from "../helpers/cli.js";
import { lookupIn } from "../helpers/lookup.js";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

let n = 0;
const entropy = {
  now: () => 2_000_000_000,
  eventId: () => `whev_${String(++n).padStart(17, "0")}`,
  uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
};
const lookup = () => lookupIn(tmp.dir);
type Ev = {
  event_id: string;
  event_type: string;
  data: {
    reply?: { id: string; is_client_reply: boolean };
    ticket: {
      id: string;
      title: string;
      is_open: boolean;
      teammate_id: string | null;
      created_at: number;
      updated_at: number;
      replies: Array<{ id: string; created_at: number }>;
    };
  };
};

describe("lifecycleScenario", () => {
  it("one ticket's life: five valid events, coherent from one to the next", () => {
    const steps = lifecycleScenario({ lookup: lookup(), env: {}, entropy });
    expect(steps.map((s) => s.step)).toEqual([
      "created",
      "client-reply",
      "assigned",
      "agent-reply",
      "resolved",
    ]);
    for (const s of steps) expect(s.event.validation).toMatchObject({ valid: true, errors: [] });
    const events = steps.map((s) => s.event.value as Ev);
    expect(events.map((e) => e.event_type.replace("whitelabel-ticket-", ""))).toEqual([
      "created",
      "updated",
      "assigned",
      "updated",
      "resolved",
    ]);
    expect(new Set(events.map((e) => e.data.ticket.id)).size).toBe(1);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(5);
    expect(events.map((e) => e.data.ticket.replies.length)).toEqual([2, 3, 3, 4, 4]);
    expect(events[1]?.data.reply).toEqual(events[1]?.data.ticket.replies.at(-1));
    expect(events[1]?.data.reply?.is_client_reply).toBe(true);
    expect(events[3]?.data.reply?.is_client_reply).toBe(false);
    expect(events.map((e) => e.data.ticket.teammate_id !== null)).toEqual([
      false,
      false,
      true,
      true,
      true,
    ]);
    expect(events.map((e) => e.data.ticket.updated_at)).toEqual([
      2_000_000_000 - 240,
      2_000_000_000 - 180,
      2_000_000_000 - 120,
      2_000_000_000 - 60,
      2_000_000_000,
    ]);
    expect(events.map((e) => e.data.ticket.is_open)).toEqual([true, true, true, true, false]);
    expect(steps.every((s) => s.delayMs === 0)).toBe(true);
  });
});

describe("composeScenario", () => {
  it("steps read earlier steps' values; delays are kept", () => {
    const steps = composeScenario(
      {
        name: "flow",
        steps: [
          {
            name: "opened",
            event: "created",
            set: { "data.ticket.id": "{{uuid}}", "data.ticket.title": "Flow {{env.N}}" },
          },
          {
            name: "closed",
            event: "resolved",
            delay_ms: 500,
            set: {
              "data.ticket.id": "{{steps.opened.data.ticket.id}}",
              "data.ticket.title": "{{steps.opened.data.ticket.title}} (closed)",
              "data.ticket.created_at": "{{steps.opened.data.ticket.created_at}}",
            },
          },
        ],
      },
      { lookup: lookup(), env: { N: "7" }, allowEnv: ["N"] },
    );
    const [opened, closed] = steps.map((s) => s.event?.value as Ev);
    expect(opened?.data.ticket.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(closed?.data.ticket.id).toBe(opened?.data.ticket.id);
    expect(closed?.data.ticket.title).toBe("Flow 7 (closed)");
    expect(closed?.data.ticket.created_at).toBe(opened?.data.ticket.created_at); // a number, not text
    expect(steps.map((s) => s.delayMs)).toEqual([0, 500]);
  });

  it("a reference to a step that does not come before lists the ones that do", () => {
    const compose = () =>
      composeScenario(
        {
          name: "flow",
          steps: [
            { name: "a", event: "created" },
            {
              name: "b",
              event: "resolved",
              set: { "data.ticket.id": "{{steps.c.data.ticket.id}}" },
            },
            { name: "c", event: "created" },
          ],
        },
        { lookup: lookup(), env: {} },
      );
    expect(compose).toThrow(
      expect.objectContaining({
        code: "UNKNOWN_STEP",
        message:
          'flow: step "b" refers to {{steps.c.data.ticket.id}}, but no step "c" comes before it',
        hint: 'Steps before "b": a.',
      }),
    );
  });

  it("a path the earlier step does not have is an error", () => {
    expect(() =>
      composeScenario(
        {
          name: "flow",
          steps: [
            { name: "a", event: "created" },
            { name: "b", event: "resolved", set: { "data.ticket.x": "{{steps.a.data.nope}}" } },
          ],
        },
        { lookup: lookup(), env: {} },
      ),
    ).toThrow('step "a" has no data.nope');
  });

  it("an invalid step is composed with its validation errors (the caller refuses it)", () => {
    const [step] = composeScenario(
      {
        name: "flow",
        steps: [{ name: "x", event: "resolved", set: { "data.ticket.is_open": true } }],
      },
      { lookup: lookup(), env: {} },
    );
    expect(step?.event?.validation.valid).toBe(false);
  });
});

describe("loadScenarioFile", () => {
  it("takes {steps} or a bare array, names unnamed steps, and checks each field", () => {
    const file = join(tmp.dir, "s.json");
    writeFileSync(
      file,
      JSON.stringify([{ event: "created" }, { name: "b", event: "resolved", delay_ms: 5 }]),
    );
    expect(loadScenarioFile(file, nodeFiles).steps).toEqual([
      { name: "step1", event: "created" },
      { name: "b", event: "resolved", delay_ms: 5 },
    ]);
    for (const [steps, message] of [
      [[], "with at least one step"],
      [[{ name: "a", event: 1 }], '"event" must be an event name'],
      [[{ event: "created", delay_ms: -1 }], '"delay_ms" must be a number >= 0'],
      [
        [
          { name: "a", event: "created" },
          { name: "a", event: "created" },
        ],
        'the name "a" is used twice',
      ],
      [[{ event: "created", set: [] }], '"set" must be an object'],
    ] as const) {
      writeFileSync(file, JSON.stringify({ steps }));
      expect(() => loadScenarioFile(file, nodeFiles)).toThrow(message);
    }
  });
});
