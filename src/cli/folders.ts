import { mkdirSync, statSync } from "node:fs";
import { describeFsError, TicketHooksError, usageError } from "../core/errors.js";

/**
 * Creates the folder `absolute` (given by the user as `shown`) if needed. A file in the way is a
 * usage error that says so, not the system's EEXIST or ENOTDIR.
 */
export function ensureFolder(shown: string, absolute: string): void {
  let isFile = false;
  try {
    isFile = !statSync(absolute).isDirectory();
  } catch {
    // Does not exist yet (or cannot be seen): mkdir below says why if it fails.
  }
  if (isFile) {
    throw usageError("NOT_A_FOLDER", `${shown} exists and is a file: give a folder`);
  }
  try {
    mkdirSync(absolute, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TicketHooksError(
      "WRITE_FAILED",
      code === "ENOTDIR" || code === "EEXIST"
        ? `cannot create the folder ${shown}: a part of its path is a file`
        : `cannot create the folder ${shown}: ${describeFsError(error)}`,
    );
  }
}
