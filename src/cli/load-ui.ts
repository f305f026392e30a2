import { writeNewFile } from "../io/export-file.js";
import { withTerminalHandedOver } from "../io/terminal-handover.js";
import { osc52 } from "../terminal/clipboard.js";
import type { UiPorts } from "../ui/run.js";
import type { CliIo } from "./io.js";

/** The live UI's editor, files and clipboard, on this process's terminal and environment. */
export function uiPorts(io: CliIo): UiPorts {
  return {
    // Loaded when the editor is first opened: it brings node:child_process, which no other run needs.
    // The editor gets the terminal whole, and what it leaves pending is drained (vim's answers).
    edit: async (text, name) => {
      const { editTextAsync } = await import("../io/editor.js");
      return withTerminalHandedOver(io.stdin, io.stdout, () => editTextAsync(text, name, io.env));
    },
    writeNewFile,
    copy(text) {
      // OSC 52, where stdout is a terminal that understands escape sequences.
      if (io.stdout.isTTY && io.env.TERM !== "dumb") io.stdout.write(osc52(text));
    },
    cwd: io.cwd,
  };
}

/**
 * Loads the live UI (Ink and React) on first use. React runs its production build unless
 * NODE_ENV says otherwise: its development build checks every element it makes, which costs
 * a large recording's UI most of its time. React reads NODE_ENV when it is loaded, so it is set
 * for the import alone: programs started later (the editor of `e`) do not inherit it.
 */
export async function loadUi(): Promise<typeof import("../ui/run.js")> {
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV ??= "production";
  try {
    return await import("../ui/run.js");
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
  }
}
