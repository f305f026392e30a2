import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/cli.js";
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

function scenario(content: unknown): string {
  const file = join(tmp.dir, "flow.json");
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const reply = (status: number, body: unknown) =>
  server.respond((_req, _i, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });

describe("scenario expectations", { timeout: 20_000 }, () => {
  it("expect replaces the default 2xx rule: a 500 passes when 500 is expected", async () => {
    reply(500, { error: "boom" });
    const file = scenario({
      version: 1,
      steps: [{ name: "opened", event: "created", expect: { status: [500, "4xx"] } }],
    });
    const r = await runMain(["scenario", file, "--to", server.url]);
    expect(r.stderr).not.toContain("error:");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ 500  opened");
  });

  it("a failed status check is exit 1 naming the file, the step and the check", async () => {
    reply(404, { error: "no route" });
    const file = scenario({
      steps: [{ name: "opened", event: "created", expect: { status: "2xx" } }],
    });
    const r = await runMain(["scenario", file, "--to", server.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}: step "opened": expected status 2xx, got 404`);
  });

  it("body paths in the --set syntax are compared with the answer's JSON", async () => {
    reply(200, { ok: true, data: { count: 1, items: [{ id: "a" }] } });
    const file = scenario({
      steps: [
        {
          name: "opened",
          event: "created",
          expect: { body: { ok: true, "data.count": 2, "data.items[0].id": "a" } },
        },
      ],
    });
    const r = await runMain(["scenario", file, "--to", server.url, "--json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('step "opened": expected body data.count = 2, got 1');
    expect(r.stderr).not.toContain("items[0]");
    const record = JSON.parse(r.stdout.split("\n")[0] as string);
    expect(record).toMatchObject({ type: "delivery", step: "opened", ok: false, status: 200 });
  });

  it("max_ms fails a slow answer", async () => {
    server.respond((_req, _i, res) => {
      setTimeout(() => res.end("{}"), 50);
    });
    const file = scenario({ steps: [{ name: "opened", event: "created", expect: { max_ms: 5 } }] });
    const r = await runMain(["scenario", file, "--to", server.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/step "opened": expected an answer within 5 ms, took \d+(\.\d)? ms/);
  });
});

describe("probe steps", { timeout: 20_000 }, () => {
  /** A tiny app: counts the distinct deliveries per ticket; GET /tickets/:id tells how many. */
  function app(): void {
    const seen = new Map<string, Set<string>>();
    server.respond((req, _i, res) => {
      res.setHeader("content-type", "application/json");
      if (req.method === "POST") {
        const event = JSON.parse(req.body.toString());
        const ids = seen.get(event.data.ticket.id) ?? new Set<string>();
        ids.add(event.event_id);
        seen.set(event.data.ticket.id, ids);
        res.end('{"ok":true}');
        return;
      }
      const id = /^\/tickets\/(.+)$/.exec(req.url)?.[1] ?? "";
      res.end(
        JSON.stringify({
          events: seen.get(id)?.size ?? 0,
          asked_by: req.headers["x-probe"] ?? null,
        }),
      );
    });
  }

  const flow = (events: number) => ({
    steps: [
      { name: "opened", event: "created", set: { "data.ticket.id": "{{uuid}}" } },
      { name: "again", resend: "opened" },
      {
        name: "state",
        probe: {
          method: "GET",
          url: `${server.url.replace("/webhooks", "")}/tickets/{{steps.opened.data.ticket.id}}`,
          headers: { "X-Probe": "ticket {{steps.opened.data.ticket.id}}" },
        },
        expect: { status: 200, body: { events } },
      },
    ],
  });

  it("proves a duplicate delivery changed state once", async () => {
    app();
    const r = await runMain(["scenario", scenario(flow(1)), "--to", server.url, "--secret", "s"]);
    expect(r.stderr).not.toContain("error:");
    expect(r.code).toBe(0);
    const [first, second, probe] = server.requests;
    expect(second?.body.equals(first?.body as Buffer)).toBe(true);
    const ticket = JSON.parse(first?.body.toString() ?? "").data.ticket.id;
    expect(probe?.method).toBe("GET");
    expect(probe?.url).toBe(`/tickets/${ticket}`);
    expect(probe?.headers["x-probe"]).toBe(`ticket ${ticket}`);
    expect(probe?.headers["x-signature"]).toBeUndefined();
  });

  it("fails naming the probe step when the app's answer differs", async () => {
    app();
    const file = scenario(flow(2));
    const r = await runMain(["scenario", file, "--to", server.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}: step "state": expected body events = 2, got 1`);
  });
});

describe("probe URLs", () => {
  it("a probe to file:// or ftp:// is a usage error (exit 2), nothing sent", async () => {
    for (const url of ["file:///etc/passwd", "ftp://127.0.0.1/x"]) {
      const file = scenario({ steps: [{ name: "look", probe: { url } }] });
      const r = await runMain(["scenario", file, "--to", server.url]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${file}: probe URL "${url}": only http:// and https://`);
    }
    expect(server.requests).toHaveLength(0);
  });
});

describe("scenario files are checked against their schema", { timeout: 20_000 }, () => {
  it("an unknown key is an error naming the file, the step, the key and the closest known key", async () => {
    const file = scenario({
      steps: [{ name: "opened", event: "created", sett: { "data.ticket.title": "x" } }],
    });
    const r = await runMain(["scenario", file, "--to", server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file}: step 1 ("opened"): unknown key "sett" (did you mean "set"?)`,
    );
    expect(server.requests).toHaveLength(0);
  });

  it("names nested keys and every error", async () => {
    const file = scenario({
      version: 1,
      steps: [
        { name: "a", event: "created", expect: { statuss: 200 } },
        { name: "b", event: "created", delay_ms: -1, expect: { status: "200" } },
      ],
    });
    const r = await runMain(["scenario", file, "--to", server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'step 1 ("a"): unknown key "expect.statuss" (did you mean "status"?)',
    );
    expect(r.stderr).toContain('step 2 ("b"): "delay_ms" must be a number >= 0');
    expect(r.stderr).toContain(
      'step 2 ("b"): "expect.status" must be a status (200), a class ("2xx")',
    );
  });

  it("an event-name typo gets a suggestion naming the file and the step", async () => {
    const file = scenario({ steps: [{ name: "opened", event: "creatd" }] });
    const r = await runMain(["scenario", file, "--to", server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file}: step 1 ("opened"): unknown event "creatd" (did you mean "created"?)`,
    );
  });

  it("an unknown version is refused", async () => {
    const file = scenario({ version: 2, steps: [{ event: "created" }] });
    const r = await runMain(["scenario", file, "--to", server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"version" must be equal to constant');
  });
});
