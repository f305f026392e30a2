// The README's example receivers (payloads/receivers/, written by `init --receiver`), each run as
// a real receiver in its own runtime and checked by `check` and `doctor`: all cases pass. A
// runtime that is missing fails its test, naming the Debian package (.ci/run installs them).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RECEIVER_EXAMPLES, RECEIVERS_DIR } from "../../src/cli/receivers.js";
import { lines, ROOT, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { requireTool } from "../helpers/tools.js";

const SECRET = "whsec_example_receivers_0123";

/** How each runs here (PORT=0: a free port, which it prints), and the tool it needs. */
const RUNS: Record<
  string,
  { argv: (file: string) => string[]; tool?: [string, string[], string] }
> = {
  node: { argv: (f) => [process.execPath, f] },
  express: { argv: (f) => [process.execPath, f] },
  hono: { argv: (f) => [process.execPath, f] },
  python: { argv: (f) => ["python3", f], tool: ["python3", ["--version"], "python3"] },
  go: { argv: (f) => ["go", "run", f], tool: ["go", ["version"], "golang-go"] },
  php: { argv: (f) => ["php", "-S", "127.0.0.1:0", f], tool: ["php", ["--version"], "php-cli"] },
};

let child: ChildProcess | undefined;
let scratch: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  // The whole process group: `go run` starts the built receiver as a process of its own.
  if (child?.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  child = undefined;
  scratch?.cleanup();
  scratch = undefined;
});

/** Starts an example; resolves its webhook URL once it says where it listens. */
function start(kind: string, source: string): Promise<string> {
  const run = RUNS[kind];
  if (!run) throw new Error(`no way to run ${kind}`);
  if (run.tool) requireTool(...run.tool);
  const [command, ...args] = run.argv(join(RECEIVERS_DIR, source));
  scratch = tempDir();
  const proc = spawn(command as string, args, {
    // ROOT: express and fastify resolve from the project's node_modules.
    cwd: ROOT,
    // TMPDIR: what an example keeps on disk (PHP's handled event ids) goes away with the test.
    env: { ...process.env, WEBHOOK_SECRET: SECRET, PORT: "0", TMPDIR: scratch.dir },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child = proc;
  return new Promise((resolve, reject) => {
    let said = "";
    const look = (chunk: Buffer) => {
      said += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(said);
      const php = /Development Server \((http:\/\/[^)]+)\) started/.exec(said);
      if (listening) resolve(listening[1] as string);
      else if (php) resolve(`${php[1]}/webhooks`);
    };
    proc.stdout?.on("data", look);
    proc.stderr?.on("data", look);
    proc.on("error", reject);
    proc.on("exit", (code) => reject(new Error(`${kind} exited ${code}: ${said}`)));
  });
}

describe("the example receivers", () => {
  for (const example of RECEIVER_EXAMPLES) {
    it(`${example.kind}: check passes every case, doctor finds none of its bugs`, async () => {
      const url = await start(example.kind, example.source);
      const check = await runMain(["check", "--to", url, "--secret", SECRET, "--json"]);
      const cases = lines(check.stdout)
        .map((l) => JSON.parse(l))
        .filter((r) => r.type === "case");
      expect(cases.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${c.got}`)).toEqual([]);
      expect(cases).toHaveLength(20);
      expect(check.code).toBe(0);
      const doctor = await runMain(["doctor", "--to", url, "--secret", SECRET]);
      expect(doctor.code).toBe(0);
      expect(doctor.stdout).toContain("✓ none of the bugs probed for");
    }, 60_000);
  }
});

describe("an example receiver without its secret", () => {
  it("refuses to start, saying which variable to set (node, python)", () => {
    for (const [command, file] of [
      [process.execPath, "node-http.mjs"],
      ["python3", "python.py"],
    ] as const) {
      const r = spawnSync(command, [join(RECEIVERS_DIR, file)], {
        env: { ...process.env, WEBHOOK_SECRET: "", PORT: "0" },
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(r.status, file).toBe(1);
      expect(r.stderr).toContain("WEBHOOK_SECRET is not set");
    }
  });
});

describe("init --receiver", () => {
  it("writes the example into the project, says how to run and check it, never overwrites", async () => {
    const tmp = tempDir();
    try {
      const r = await runMain(["init", "--receiver", "express"], { cwd: tmp.dir });
      expect(r.code).toBe(0);
      const file = join(tmp.dir, "webhook-receiver.mjs");
      expect(r.stdout.trim()).toBe(file);
      expect(readFileSync(file, "utf8")).toBe(
        readFileSync(join(RECEIVERS_DIR, "express.mjs"), "utf8"),
      );
      expect(r.stderr).toContain("npm install express");
      expect(r.stderr).toContain('WEBHOOK_SECRET="$TICKET_HOOKS_SECRET" node webhook-receiver.mjs');
      expect(r.stderr).toContain("npx ticket-hooks check --to http://127.0.0.1:3000/webhooks");
      expect(r.stderr).toContain("npx ticket-hooks doctor --to http://127.0.0.1:3000/webhooks");
      const again = await runMain(["init", "--receiver", "node"], { cwd: tmp.dir });
      expect(again.code).toBe(2);
      expect(again.stderr).toContain("already exists");
      const python = await runMain(["init", "--receiver", "python", "app"], { cwd: tmp.dir });
      expect(python.stdout.trim()).toBe(join(tmp.dir, "app", "webhook_receiver.py"));
      // The steps name the file from where they are pasted.
      expect(python.stderr).toContain("python3 app/webhook_receiver.py");
      // Go's goes into a folder of its own (a module's main.go would clash with its main).
      const go = await runMain(["init", "--receiver", "go"], { cwd: tmp.dir });
      expect(go.stdout.trim()).toBe(join(tmp.dir, "webhook-receiver", "webhook_receiver.go"));
      expect(go.stderr).toContain("go run webhook-receiver/webhook_receiver.go");
      const bad = await runMain(["init", "--receiver", "rust"], { cwd: tmp.dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/Allowed choices are node, express, hono, python, go, php/);
    } finally {
      tmp.cleanup();
    }
  });
});

describe("the README's receivers", () => {
  it("are the files init --receiver writes, every one of them", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const shown = [
      ...readme.matchAll(/<!-- receiver: payloads\/receivers\/(\S+) -->\n```\w+\n([\s\S]*?)\n```/g),
    ];
    expect(shown.map((m) => m[1]).sort()).toEqual(RECEIVER_EXAMPLES.map((r) => r.source).sort());
    for (const [, source, code] of shown) {
      expect(`${code}\n`, source).toBe(readFileSync(join(RECEIVERS_DIR, source as string), "utf8"));
    }
  });
});
