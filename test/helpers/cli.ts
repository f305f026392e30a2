import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = join(ROOT, "bin", "ticket-hooks.js");
export const PAYLOADS = join(ROOT, "payloads");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  /** Its own process group, so that signalGroup() reaches every process of it, as Ctrl-C does. */
  group?: boolean;
}

/** The test process's environment, without colours or ticket-hooks settings unless a test sets them. */
function childEnv(options: RunOptions): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...options.env };
  for (const key of [
    "TICKET_HOOKS_SECRET",
    "TICKET_HOOKS_TEMPLATES",
    "TICKET_HOOKS_URL",
    "FORCE_COLOR",
  ]) {
    if (!(options.env && key in options.env)) delete env[key];
  }
  return env;
}

/** Runs the built CLI in a child process and collects its output and exit code. */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const env = childEnv(options);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** A temporary folder removed after the test. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "ticket-hooks-test-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

export interface RunningCli {
  pid: number;
  stdoutLines: string[];
  stderr: () => string;
  /** Resolves with the first stdout line matching, as it arrives. */
  waitForLine(test: (line: string) => boolean): Promise<string>;
  /** Resolves when stderr contains the text. */
  waitForStderr(text: string): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  /** The signal to the whole process group (needs `group: true`). */
  signalGroup(sig: NodeJS.Signals): void;
  exited: Promise<CliResult>;
}

/** Starts the built CLI and lets the test talk to it while it runs (listen, demo --keep-open). */
export function startCli(args: string[], options: RunOptions = {}): RunningCli {
  const env = childEnv(options);
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env,
    stdio: ["pipe", "pipe", "pipe"],
    detached: options.group === true,
  });
  const stdoutLines: string[] = [];
  let partial = "";
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    partial += d;
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    stdoutLines.push(...parts);
    wake();
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    wake();
  });
  const exited = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => {
      wake();
      resolve({ code, signal, stdout, stderr });
    });
  });
  const until = <T>(check: () => T | undefined, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const attempt = () => {
        const found = check();
        if (found !== undefined) {
          waiters.delete(attempt);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          waiters.delete(attempt);
          reject(new Error(`process ended before ${what}; stderr: ${stderr}`));
        }
      };
      waiters.add(attempt);
      attempt();
    });
  return {
    pid: child.pid as number,
    stdoutLines,
    stderr: () => stderr,
    waitForLine: (test) => until(() => stdoutLines.find(test), "the expected line"),
    waitForStderr: (text) =>
      until(() => (stderr.includes(text) ? true : undefined), `"${text}" on stderr`).then(() => {}),
    signal: (sig) => child.kill(sig),
    signalGroup: (sig) => process.kill(-(child.pid as number), sig),
    exited,
  };
}

/**
 * The environment for a program in a real terminal (tmux): without the CI markers, which make Ink
 * draw only the last frame (is-in-ci), as in CI itself.
 */
export function terminalEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key === "CI" || key === "CONTINUOUS_INTEGRATION" || key.startsWith("CI_")) delete env[key];
  }
  return env;
}
