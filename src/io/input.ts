import { readFile } from "node:fs/promises";
import type { Readable } from "node:stream";
import { describeFsError, TicketHooksError } from "../core/errors.js";

export interface Input {
  /** `-` for standard input, else the path as given. */
  name: string;
  bytes: Buffer;
}

/** Reads a file, or standard input for `-`, as exact bytes. fs errors become one-line errors. */
export async function readInput(name: string, stdin: Readable): Promise<Input> {
  if (name === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
    return { name, bytes: Buffer.concat(chunks) };
  }
  try {
    return { name, bytes: await readFile(name) };
  } catch (error) {
    throw new TicketHooksError(
      "UNREADABLE_FILE",
      `cannot read ${name}: ${describeFsError(error)}`,
      {
        cause: error,
      },
    );
  }
}
