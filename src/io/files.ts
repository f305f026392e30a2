import {
  closeSync,
  createReadStream,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { describeFsError, TicketHooksError, usageError } from "../core/errors.js";
import type { Files, RandomAccessFile } from "../core/files.js";

// The core's Files port on node:fs.

function unreadable(path: string, error: unknown): TicketHooksError {
  return new TicketHooksError("UNREADABLE_FILE", `cannot read ${path}: ${describeFsError(error)}`, {
    cause: error,
  });
}

/** Read 256 KiB at a time: a quarter of the read calls of 64 KiB (1–2 µs per replayed event). */
const CHUNK = 256 * 1024;

async function* chunks(path: string): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (error) => reject(unreadable(path, error)));
  });
  try {
    yield* stream as AsyncIterable<Buffer>;
  } finally {
    stream.destroy();
  }
}

function notAFile(path: string, folder: boolean): TicketHooksError {
  return usageError(
    "NOT_A_FILE",
    folder
      ? `${path} is a folder: give a recording (a \`listen --record\` file)`
      : `${path} is not a regular file (a pipe or a device): give a recording file`,
  );
}

function openRandom(path: string): RandomAccessFile {
  // Checked before opening: opening a pipe waits for a writer.
  const before = statSync(path);
  if (!before.isFile()) throw notAFile(path, before.isDirectory());
  const fd = openSync(path, "r");
  const opened = fstatSync(fd);
  if (!opened.isFile()) {
    closeSync(fd);
    throw notAFile(path, opened.isDirectory());
  }
  return {
    size: opened.size,
    read: (into, length, position) => readSync(fd, into, 0, length, position),
    close: () => closeSync(fd),
  };
}

/** A read of `path` whose failure is the one-line error that names it. */
async function reading<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw unreadable(path, error);
  }
}

export const nodeFiles: Files = {
  exists: (path) => existsSync(path),
  readText(path) {
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      throw unreadable(path, error);
    }
  },
  readBytes: (path) => reading(path, () => readFile(path)),
  isFolder: (path) => reading(path, async () => (await stat(path)).isDirectory()),
  list: (dir) => reading(dir, () => readdir(dir)),
  chunks,
  openRandom,
};
