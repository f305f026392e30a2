import { statSync } from "node:fs";
import type { Output } from "./output.js";

/**
 * A recording read from a named pipe (`replay <(…)`, a FIFO) waits, silently, for a writer to
 * open it: say so first.
 */
export function noteIfPipe(path: string, out: Output): void {
  try {
    if (statSync(path).isFIFO()) {
      out.note(`${path} is a pipe: waiting for a writer (Ctrl-C to stop)`);
    }
  } catch {
    // Missing or unreadable: the reader says why.
  }
}
