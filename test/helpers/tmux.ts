// A tmux server of a test's own, for the tests that need a real terminal: keys are sent as a
// terminal would send them, and the screen is read back with capture-pane.
import { execFileSync, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { terminalEnv } from "./cli.js";

export interface TmuxSession {
  /** Runs a tmux command on this test's server; its stdout. */
  tmux: (...args: string[]) => string;
  /** The session's screen, as text. */
  screen: () => string;
  /** Resolves with the screen once it passes the test (tmux has no change event: it is polled). */
  screenWhere: (test: (text: string) => boolean, what: string) => Promise<string>;
  kill: () => void;
}

export function tmuxSession(name: string, session: string, waitMs = 15_000): TmuxSession {
  const socket = `ticket-hooks-${name}-${process.pid}`;
  const tmux = (...args: string[]) =>
    execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8", env: terminalEnv() });
  const screen = () => tmux("capture-pane", "-p", "-t", session);
  const screenWhere = async (test: (text: string) => boolean, what: string) => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const text = screen();
      if (test(text)) return text;
      if (Date.now() > deadline) throw new Error(`screen never showed ${what}:\n${text}`);
      await new Promise<void>((resolve) => setTimeout(resolve, 25));
    }
  };
  return {
    tmux,
    screen,
    screenWhere,
    kill: () => spawnSync("tmux", ["-L", socket, "kill-server"]),
  };
}

/** A port free a moment ago (for a process that must be told its port before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
