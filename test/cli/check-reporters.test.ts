// check's reports for CI: several reporters in one run, each to its place; GitHub annotations and
// the job summary ($GITHUB_STEP_SUMMARY); Markdown; JUnit as its consumers read it (validated
// against the JUnit XSD, parsed by junit2json). A receiver's hostile answer stays data in each.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parse } from "junit2json";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { requireTool } from "../helpers/tools.js";

const SECRET = "whsec_reporters_0123456789";
const XSD = "/work/shared/reference/junit-10.xsd";
/** What the receiver answers to everything: a 401 whose body is hostile text over two lines. */
const HOSTILE = '{"error":"bad <img src=x onerror=alert(1)> 100%\\n::error::forged | `x`"}';

let server: Server;
let url: string;
let tmp: ReturnType<typeof tempDir>;

beforeEach(async () => {
  tmp = tempDir();
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(401, { "content-type": "application/json" }).end(HOSTILE));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  tmp.cleanup();
});

describe("check --reporter, several at once", () => {
  it("pretty on the console, JUnit to a file, GitHub annotations and the job summary", async () => {
    const xml = join(tmp.dir, "check.xml");
    const summary = join(tmp.dir, "summary.md");
    const r = await runMain(
      [
        "check",
        "--to",
        url,
        "--secret",
        SECRET,
        "--reporter",
        "pretty",
        "--reporter",
        `junit:${xml}`,
        "--reporter",
        "github",
      ],
      { env: { GITHUB_STEP_SUMMARY: summary } },
    );
    expect(r.code).toBe(1);
    // The console: the pretty report, and one annotation per failed or inconclusive case.
    expect(r.stdout).toContain("Root cause:");
    const annotations = r.stdout.split("\n").filter((l) => l.startsWith("::"));
    expect(annotations[0]).toMatch(/^::error title=ticket-hooks check%3A root cause::/);
    expect(
      annotations.some((l) =>
        l.startsWith("::error title=ticket-hooks check%3A valid-created failed::"),
      ),
    ).toBe(true);
    // The answer's own "::error::" and line break cannot start a command of their own.
    expect(r.stdout).not.toMatch(/^::error::forged/m);
    expect(annotations.every((l) => !l.slice(2).includes("\n"))).toBe(true);
    expect(annotations.join("\n")).toContain("100%25");
    // The job summary: root cause first, then the table; the answer is one escaped line.
    const md = readFileSync(summary, "utf8");
    expect(md).toMatch(/^### ticket-hooks check: ❌ \d+ of \d+ failed/);
    expect(md.indexOf("**Root cause:**")).toBeLessThan(md.indexOf("| case | verdict |"));
    expect(md).toContain("| valid-created | ❌ fail |");
    expect(md).not.toContain("<img");
    expect(md).toContain("&lt;img src=x onerror=alert(1)&gt;");
    // The JUnit file: valid against the XSD, read by a JUnit library.
    requireTool("xmllint", ["--version"], "libxml2-utils");
    execFileSync("xmllint", ["--noout", "--schema", XSD, xml], { stdio: "pipe" });
    const report = (await parse(readFileSync(xml, "utf8"))) as {
      testsuite: Array<{
        name: string;
        testcase: Array<{ name: string; failure?: Array<{ message: string }> }>;
      }>;
    };
    const suite = report.testsuite[0];
    expect(suite?.name).toBe(`webhook receiver ${url}`);
    const names = suite?.testcase.map((t) => t.name) ?? [];
    expect(new Set(names).size).toBe(names.length);
    const failures = suite?.testcase.flatMap((t) => t.failure ?? []) ?? [];
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) expect(f.message).not.toMatch(/\n/);
  });

  it("markdown to stdout, json to a file; two reporters on stdout are a usage error", async () => {
    const ndjson = join(tmp.dir, "check.ndjson");
    const r = await runMain([
      "check",
      "--to",
      url,
      "--secret",
      SECRET,
      "--reporter",
      "markdown",
      "--reporter",
      `json:${ndjson}`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^### ticket-hooks check:/);
    expect(r.stdout).not.toContain("Root cause:\u0020"); // pretty stepped aside
    expect(readFileSync(ndjson, "utf8").split("\n")[0]).toMatch(/"type":"root_cause"/);
    const both = await runMain(["check", "--to", url, "--reporter", "json", "--reporter", "junit"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(
      "json and junit cannot both write to stdout: give one a file (--reporter junit:FILE)",
    );
    const unknown = await runMain(["check", "--to", url, "--reporter", "tap"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'unknown reporter "tap": one of pretty, json, junit, github, markdown',
    );
  });
});
