// The README doc-test: every command line of README.md's ```sh blocks is run, in order, and its exit
// code asserted, so an example in the README cannot be wrong. Conventions (also in CONTRIBUTING.md):
//
// - A line is `ticket-hooks ARGS` or `npx ticket-hooks ARGS`, run in-process through main(). Lines
//   that are only a `# comment`, right below one, are the output the README shows for it: each
//   must match a line the command printed (numbers, times, event ids and hex digests may differ;
//   `…` stands for text left out).
// - `$URL` and `$SECRET` stand for a local listener started for this test and its secret; they, and
//   any other `$NAME` below (`$SIG`), come from the environment the lines run with, which also sets
//   TICKET_HOOKS_URL and TICKET_HOOKS_SECRET. `http://localhost:3000/webhooks` (the reader's app)
//   points at that listener too.
// - `cat FILE | ticket-hooks …` and `ticket-hooks … < FILE` give FILE as standard input. Anything
//   else a shell would do (other pipes, `>`, `&&`) runs with a real shell against the built bin.
//   `NAME=value` words before the command set that line's environment.
// - Waits (--delay, --timing original, a step's delay_ms, back-off) run on a VirtualClock: no real time.
// - The expected exit code is 0, unless the line's trailing comment says `(exit N)`.
// - `listen` and `--keep-open` lines run until they say they are ready, then get a Ctrl-C.
// - The lines run in a temporary folder holding the files they name (FIXTURES below), with a
//   ticket-hooks.config.json setting `port: 0`, so a `listen` without `--port` does not take 4000.
// - `npm install && …` lines set the project up: `npm install` is skipped (the suite runs in a
//   checkout already installed); the rest is run when it is a ticket-hooks command, skipped when it
//   is `npm test` (this suite running itself).
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Listener, listen } from "../../src/index.js";
import { BIN, PAYLOADS, ROOT, tempDir } from "../helpers/cli.js";
import { VirtualClock } from "../helpers/clock.js";
import { post } from "../helpers/http.js";
import { type MainResult, runMain, startMain } from "../helpers/main.js";
import { plan, READY, shellWords, shLines, shownPattern } from "../helpers/readme-lines.js";

const SECRET = "whsec_readme_doc_test";
const template = (name: string) =>
  readFileSync(join(PAYLOADS, `whitelabel-ticket-${name}.json`), "utf8");

// ---------------------------------------------------------------------------------------------

const tmp = tempDir();
let target: Listener;
let env: Record<string, string>;
const APP = "http://localhost:3000/webhooks";

/** The files the README's examples name, made the way a user would have them. */
async function prepareFixtures(dir: string): Promise<void> {
  writeFileSync(join(dir, "ticket-hooks.config.json"), JSON.stringify({ port: 0 }));
  writeFileSync(join(dir, "my-event.json"), template("created"));
  writeFileSync(join(dir, "other.json"), template("resolved"));
  writeFileSync(join(dir, "event.json"), template("created"));
  writeFileSync(join(dir, "body.json"), template("resolved"));
  // The README's own scenario file example.
  writeFileSync(
    join(dir, "my-flow.json"),
    JSON.stringify({
      steps: [
        { name: "opened", event: "created", set: { "data.ticket.id": "{{uuid}}" } },
        {
          name: "closed",
          event: "resolved",
          delay_ms: 500,
          set: { "data.ticket.id": "{{steps.opened.data.ticket.id}}" },
        },
      ],
    }),
  );
  // A recording made through listen --record, of the four events signed ten minutes ago (so their
  // signatures are stale, as a recording's are after a while).
  const recorder = await listen({ port: 0, record: join(dir, "events.ndjson") });
  const t = Math.floor(Date.now() / 1000) - 600;
  for (const name of ["created", "updated", "assigned", "resolved"]) {
    const body = JSON.stringify(JSON.parse(template(name)));
    const s = createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex");
    const answer = await post(recorder.url, body, {
      "content-type": "application/json",
      "x-signature": `t=${t},s=${s}`,
    });
    expect(answer.status).toBe(200);
  }
  await recorder.close();
}

const startedIn = process.cwd();
beforeAll(async () => {
  await prepareFixtures(tmp.dir);
  // File arguments are read relative to the process's working directory (io.cwd is used for the
  // template lookup and the config file only): the lines run in the fixtures' folder.
  process.chdir(tmp.dir);
  target = await listen({ port: 0, secret: SECRET });
  const body = readFileSync(join(tmp.dir, "body.json"));
  const t = Math.floor(Date.now() / 1000);
  const sig = `t=${t},s=${createHmac("sha256", SECRET).update(`${t}.`).update(body).digest("hex")}`;
  env = {
    URL: target.url,
    SECRET,
    SIG: sig,
    TICKET_HOOKS_URL: target.url,
    TICKET_HOOKS_SECRET: SECRET,
  };
});
afterAll(async () => {
  process.chdir(startedIn);
  await target?.close();
  tmp.cleanup();
});

/** Runs a line a shell must run, with `ticket-hooks` (and `npx ticket-hooks`) the built bin. */
function runShell(script: string): MainResult {
  const prelude = `ticket-hooks() { "${process.execPath}" "${BIN}" "$@"; }\nnpx() { if [ "$1" = ticket-hooks ]; then shift; ticket-hooks "$@"; else command npx "$@"; fi; }\n`;
  // bash: a function name with a dash is not POSIX sh.
  const r = spawnSync("bash", ["-c", prelude + script.replaceAll(APP, target.url)], {
    cwd: tmp.dir,
    env: { ...process.env, ...env, NO_COLOR: "1" },
    encoding: "utf8",
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function runLine(
  text: string,
): Promise<{ result: MainResult; expected: number; how: string }> {
  const p = plan(text, env);
  if (p.kind === "skip")
    return { result: { code: 0, stdout: "", stderr: "" }, expected: 0, how: `skipped: ${p.why}` };
  if (p.kind === "shell") return { result: runShell(p.script), expected: p.expected, how: "sh" };
  const argv = p.argv.map((a) => a.replaceAll(APP, target.url));
  const options = {
    cwd: tmp.dir,
    env: { ...env, ...p.env },
    // Waits (--delay, --timing original, delay_ms, back-off) take no real time; the clock starts now
    // so signatures stay within the listener's tolerance.
    clock: new VirtualClock(Date.now()),
    ...(p.stdinFile ? { input: readFileSync(join(tmp.dir, p.stdinFile)) } : {}),
  };
  if (!p.longRunning)
    return { result: await runMain(argv, options), expected: p.expected, how: "main" };
  const running = startMain(argv, options);
  const [, url] = await running.waitFor(READY);
  // Ready, and answering.
  const answer = await post(url as string, "{}", { "content-type": "application/json" });
  expect(answer.status).toBeGreaterThanOrEqual(200);
  running.signals.send("SIGINT");
  return { result: await running.done, expected: p.expected, how: "main, stopped with Ctrl-C" };
}

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const LINES = shLines(README);

describe("README.md", () => {
  it("has command lines in ```sh blocks to run", () => {
    expect(LINES.length).toBeGreaterThan(30);
  });

  it("shows output for the demo, check and sign examples", () => {
    const shownFor = (command: string) =>
      LINES.filter((l) => l.text.includes(command)).flatMap((l) => l.shown);
    expect(shownFor("npx ticket-hooks demo").length).toBeGreaterThan(0);
    expect(shownFor("ticket-hooks check --to").length).toBeGreaterThan(0);
    expect(shownFor("ticket-hooks sign event.json").length).toBeGreaterThan(0);
  });

  it.each(LINES)(
    "line $line: $text",
    async ({ line, text, shown }) => {
      const { result, expected, how } = await runLine(text);
      const printed = `${result.stdout}\n${result.stderr}`.split("\n");
      const why = `README.md:${line} (${how}):\n  ${text}\n--- stdout\n${result.stdout.slice(-2000)}\n--- stderr\n${result.stderr.slice(-2000)}`;
      expect(result.code, `exited ${result.code}, expected ${expected}: ${why}`).toBe(expected);
      for (const output of shown) {
        const pattern = shownPattern(output);
        expect(
          printed.some((l) => pattern.test(l)),
          `the README shows "${output}", which it did not print: ${why}`,
        ).toBe(true);
      }
    },
    30_000,
  );
});

describe("the doc-test's own rules", () => {
  const vars = { URL: "http://h/x", SECRET: "s e" };
  it("splits words as a shell does and keeps the comment apart", () => {
    expect(
      shellWords(
        `ticket-hooks send updated --to $URL --set data.ticket.title="Refund please" -s "$SECRET" # expect 401s (exit 1)`,
        vars,
      ),
    ).toEqual({
      words: [
        "ticket-hooks",
        "send",
        "updated",
        "--to",
        "http://h/x",
        "--set",
        "data.ticket.title=Refund please",
        "-s",
        "s e",
      ],
      comment: "expect 401s (exit 1)",
      operators: [],
    });
    expect(shellWords("a 'b c'\\ d x#y", vars).words).toEqual(["a", "b c d", "x#y"]);
    expect(() => shellWords("a $NOPE", vars)).toThrow("$NOPE is not set");
  });

  it("plans stdin from `cat F |` and `< F`, an exit code from (exit N), a shell otherwise", () => {
    expect(plan("cat event.json | ticket-hooks validate -", vars)).toMatchObject({
      kind: "main",
      argv: ["validate", "-"],
      stdinFile: "event.json",
      expected: 0,
    });
    expect(plan("ticket-hooks verify - --tolerance 0 < body.json  # (exit 1)", vars)).toMatchObject(
      {
        kind: "main",
        argv: ["verify", "-", "--tolerance", "0"],
        stdinFile: "body.json",
        expected: 1,
      },
    );
    expect(plan("npm install && npx ticket-hooks demo", vars)).toMatchObject({
      kind: "main",
      argv: ["demo"],
    });
    expect(plan("npm install && npm test", vars)).toMatchObject({ kind: "skip" });
    expect(plan("ticket-hooks templates --json | head -1", vars)).toMatchObject({ kind: "shell" });
    expect(plan("ticket-hooks listen --port 0", vars)).toMatchObject({ longRunning: true });
    expect(plan("ticket-hooks demo --keep-open", vars)).toMatchObject({ longRunning: true });
    expect(plan("A=1 B='x y' ticket-hooks templates", vars)).toMatchObject({
      kind: "main",
      argv: ["templates"],
      env: { A: "1", B: "x y" },
    });
  });

  it("runs a line a shell must run with bash, against the built bin", () => {
    const piped = runShell("ticket-hooks templates --json | head -n 1");
    expect(piped.code, piped.stderr).toBe(0);
    expect(JSON.parse(piped.stdout).name).toBe("created");
    const npx = runShell("npx ticket-hooks --version && echo done");
    expect(npx.stdout).toMatch(/^\d+\.\d+\.\d+\ndone\n$/);
  });

  it("reads shown output below its line, with what changes from run to run as patterns", () => {
    const lines = shLines(
      `\`\`\`sh\nticket-hooks sign x\n# X: t=1732550000,s=${"ab".repeat(32)}\n\`\`\`\n`,
    );
    expect(lines).toEqual([
      { line: 2, text: "ticket-hooks sign x", shown: [`X: t=1732550000,s=${"ab".repeat(32)}`] },
    ]);
    const pattern = shownPattern(lines[0]?.shown[0] ?? "");
    expect(pattern.test(`X: t=42,s=${"0f".repeat(32)}`)).toBe(true);
    expect(pattern.test("X: t=42,s=nothex")).toBe(false);
    const elided = shownPattern("✓ 200  whev_smubxmspa6fcf6dvl  11.8ms …");
    expect(elided.test("✓ 200  whev_0123456789abcdefg  0.7ms  and more")).toBe(true);
    expect(elided.test("✗ 500  whev_0123456789abcdefg  0.7ms")).toBe(false);
  });

  it("finds the URL of a listen or demo --keep-open that is ready", () => {
    expect(READY.exec("Ready: listening on http://127.0.0.1:4/x\n")?.[1]).toBe(
      "http://127.0.0.1:4/x",
    );
    expect(READY.exec("Still listening on http://127.0.0.1:4/. Try:\n")?.[1]).toBe(
      "http://127.0.0.1:4/",
    );
  });
});
