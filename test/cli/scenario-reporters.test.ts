// scenario's reports for CI: JUnit with the scenario file and each step's line on its cases,
// GitHub annotations on that line, the job summary, Markdown; --reporter json is refused (the
// scenario's own --json is that).

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "junit2json";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stepLines } from "../../src/cli/scenario-reporters.js";
import { tempDir } from "../helpers/cli.js";
import { VirtualClock } from "../helpers/clock.js";
import { runMain } from "../helpers/main.js";
import { requireTool } from "../helpers/tools.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const XSD = "/work/shared/reference/junit-10.xsd";
const FLOW = `{
  "steps": [
    { "name": "opened", "event": "created" },
    {
      "name": "assigned",
      "event": "assigned",
      "expect": { "status": 201 }
    },
    { "name": "closed", "event": "resolved" }
  ]
}
`;

let app: WebhookServer;
let tmp: ReturnType<typeof tempDir>;
beforeEach(async () => {
  tmp = tempDir();
  app = await new WebhookServer().start();
});
afterEach(async () => {
  await app.stop();
  tmp.cleanup();
});

describe("scenario --reporter", () => {
  it("finds each step's line in the file (an object or a bare array)", () => {
    expect([...stepLines(FLOW, ["opened", "assigned", "closed"]).values()]).toEqual([3, 4, 9]);
    expect([
      ...stepLines('[\n {"event":"created"},\n\n {"event":"resolved"}]', [
        "step1",
        "step2",
      ]).values(),
    ]).toEqual([2, 4]);
  });

  it("JUnit cases carry the file and the step's line; GitHub annotates that line", async () => {
    const flow = join(tmp.dir, "flow.json");
    writeFileSync(flow, FLOW);
    const xml = join(tmp.dir, "scenario.xml");
    const summary = join(tmp.dir, "summary.md");
    const r = await runMain(
      ["scenario", flow, "--to", app.url, "--reporter", `junit:${xml}`, "--reporter", "github"],
      {
        env: { GITHUB_STEP_SUMMARY: summary },
        clock: new VirtualClock(),
      },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `^::error file=${flow.replace(/[/.]/g, "\\$&")},line=4,title=ticket-hooks scenario .*2\\. assigned`,
        "m",
      ),
    );
    requireTool("xmllint", ["--version"], "libxml2-utils");
    execFileSync("xmllint", ["--noout", "--schema", XSD, xml], { stdio: "pipe" });
    const report = (await parse(readFileSync(xml, "utf8"))) as {
      testsuite: Array<{
        name: string;
        testcase: Array<{ name: string; file?: string; line?: number; failure?: unknown[] }>;
      }>;
    };
    const cases = report.testsuite[0]?.testcase ?? [];
    expect(cases.map((c) => [c.name, c.line])).toEqual([
      ["1. opened (whitelabel-ticket-created)", 3],
      ["2. assigned (whitelabel-ticket-assigned)", 4],
      ["3. closed (whitelabel-ticket-resolved)", 9],
    ]);
    expect(cases[1]?.file).toBe(flow);
    expect(cases.filter((c) => c.failure)).toHaveLength(1);
    expect(readFileSync(summary, "utf8")).toMatch(
      /^### ticket-hooks scenario .*: ❌ 1 of 3 failed/,
    );
  });

  it("a built-in in Markdown; --reporter json is refused", async () => {
    const r = await runMain(
      ["scenario", "lifecycle", "--to", app.url, "--reporter", "markdown", "--quiet"],
      { clock: new VirtualClock() },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/### ticket-hooks scenario lifecycle: ✅ all \d+ passed/);
    const refused = await runMain(["scenario", "lifecycle", "--to", app.url, "--reporter", "json"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--reporter takes junit, github or markdown, not json");
  });
});
