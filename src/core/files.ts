// What the core reads from the file system: templates, event and scenario files, recordings.
// Declared here, implemented on node:fs in io/files.ts and passed in; the core never imports
// node:fs. Every method turns a failure into a one-line TicketHooksError naming the path.

/** A regular file opened for reads at any offset (`inspect`'s index of a recording). */
export interface RandomAccessFile {
  /** The file's size when it was opened. */
  readonly size: number;
  /** Reads `length` bytes at `position` into `into`; returns how many were read. */
  read(into: Buffer, length: number, position: number): number;
  close(): void;
}

export interface Files {
  /** Whether anything exists at the path. */
  exists(path: string): boolean;
  /** A UTF-8 file's text. */
  readText(path: string): string;
  /** A file's bytes. */
  readBytes(path: string): Promise<Buffer>;
  /** Whether the path is a folder (false for a file); an error when nothing can be read there. */
  isFolder(path: string): Promise<boolean>;
  /** The names in a folder. */
  list(dir: string): Promise<string[]>;
  /** A file's bytes in chunks; the file is opened (or the error thrown) at the first one. */
  chunks(path: string): AsyncIterable<Buffer>;
  /** A regular file for reads at any offset: a usage error for a folder, a pipe or a device. */
  openRandom(path: string): RandomAccessFile;
}
