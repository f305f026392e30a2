// The GitHub Action (action.yml): read with a YAML parser and run step by step as the runner
// would (bash -eo pipefail, inputs through `env:`, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as temp
// files), against a local receiver. `npx` is a stand-in that runs this checkout's CLI (the package
// is not on the registry) and records which version was asked for. Then its outputs, its job
// summary and its exit code. Also: no `${{ }}` inside a script (the code-injection pattern).

import { spawn } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BIN, ROOT, tempDir } from "../helpers/cli.js";
import { startReceiver } from "../helpers/receivers.js";

const SECRET = "whsec_action_0123456789";

interface ActionStep {
  id?: string;
  shell: string;
  env?: Record<string, string>;
  run: string;
}
interface Action {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as Action;

/** `${{ inputs.X }}` and `${{ github.action_ref }}`, as the runner fills them in. */
function expand(value: string, inputs: Record<string, string>, ref: string): string {
  return value.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) => {
    if (name.startsWith("inputs.")) return inputs[name.slice(7)] ?? "";
    if (name === "github.action_ref") return ref;
    throw new Error(`action.yml uses \${{ ${name} }}, which this test does not fill in`);
  });
}

interface Run {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  npx: string;
}

let dir: ReturnType<typeof tempDir>;
let receiver: { url: string; stop: () => Promise<void> };

/** Runs the action's steps in order with these inputs; resolves what the runner would see. */
async function runAction(given: Record<string, string>, ref = "v0.1.0"): Promise<Run> {
  const inputs = Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [name, given[name] ?? spec.default ?? ""]),
  );
  const files = {
    output: join(dir.dir, `output-${Math.random()}`),
    summary: join(dir.dir, "summary.md"),
  };
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");
  let stdout = "";
  let code = 0;
  for (const step of action.runs.steps) {
    const script = join(dir.dir, "step.sh");
    writeFileSync(script, step.run);
    const env = {
      PATH: `${join(dir.dir, "bin")}:${process.env.PATH}`,
      HOME: dir.dir,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      NO_COLOR: "1",
      ...Object.fromEntries(
        Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, inputs, ref)]),
      ),
    };
    // shell: bash runs `bash --noprofile --norc -eo pipefail {0}`.
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
      env,
      cwd: dir.dir,
    });
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.resume();
    code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? -1)));
    if (code !== 0) break;
  }
  const outputs = Object.fromEntries(
    readFileSync(files.output, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return {
    code,
    stdout,
    outputs,
    summary: readFileSync(files.summary, "utf8"),
    npx: readFileSync(join(dir.dir, "npx.log"), "utf8"),
  };
}

describe("the GitHub Action", () => {
  beforeAll(async () => {
    dir = tempDir();
    receiver = await startReceiver(SECRET);
    // npx: the version asked for is recorded, then this checkout's CLI runs.
    const shim = join(dir.dir, "bin", "npx");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir.dir, "bin"));
    writeFileSync(
      shim,
      `#!/bin/bash\n[ "$1" = "--yes" ] && shift\necho "$1" > "${join(dir.dir, "npx.log")}"\nshift\nexec "${process.execPath}" "${BIN}" "$@"\n`,
    );
    chmodSync(shim, 0o755);
  });
  afterAll(async () => {
    await receiver?.stop();
    dir?.cleanup();
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
  it("is a composite action whose scripts hold no ${{ }}: every input goes through env", () => {
    expect(action.runs.using).toBe("composite");
    for (const step of action.runs.steps) {
      expect(step.run).not.toContain("${{");
      expect(step.shell).toBe("bash");
    }
    const envValues = action.runs.steps.flatMap((s) => Object.values(s.env ?? {})).join(" ");
    for (const name of Object.keys(action.inputs)) {
      expect(envValues, name).toContain(`\${{ inputs.${name} }}`);
    }
    expect(Object.keys(action.outputs)).toEqual(["exit-code", "report"]);
  });

  it("check passes a conforming receiver: exit-code 0, the JUnit report, the job summary", async () => {
    const run = await runAction({
      to: receiver.url,
      secret: SECRET,
      junit: "check.xml",
      wait: "10s",
    });
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ "exit-code": "0", report: "check.xml" });
    expect(run.npx.trim()).toBe("ticket-hooks@0.1.0");
    expect(run.summary).toMatch(/^### ticket-hooks check: ✅ all 20 passed/);
    expect(readFileSync(join(dir.dir, "check.xml"), "utf8")).toContain(
      '<testsuite name="webhook receiver',
    );
    expect(run.stdout).not.toMatch(/^::error/m);
  });

  it("a receiver with another secret: exit-code 1, annotations, the step fails", async () => {
    const run = await runAction({ to: receiver.url, secret: "whsec_not_the_one_99999" }, "main");
    expect(run.code).toBe(1);
    expect(run.outputs["exit-code"]).toBe("1");
    expect(run.npx.trim()).toBe("ticket-hooks@latest");
    expect(run.stdout).toMatch(
      /^::error title=ticket-hooks check%3A root cause::valid signed events are rejected/m,
    );
    expect(run.summary).toContain("**Root cause:**");
  });

  it("send and scenario run too, each with its summary; junit with send is refused", async () => {
    const sent = await runAction({ to: receiver.url, secret: SECRET, command: "send created" });
    expect(sent.code).toBe(0);
    expect(sent.summary).toContain("### ticket-hooks send created: passed");
    const scenario = await runAction({
      to: receiver.url,
      secret: SECRET,
      command: "scenario lifecycle",
    });
    expect(scenario.code).toBe(0);
    const refused = await runAction({ to: receiver.url, command: "send created", junit: "x.xml" });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain(
      "::error title=ticket-hooks::the junit input works with check and scenario",
    );
  });
});
