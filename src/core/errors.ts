import type { ErrorCode } from "./error-codes.js";

/**
 * What went wrong, for the user. Each kind is one exit code, mapped in one place (cli/main.ts):
 * - `usage`: the input cannot be used (a flag, a file, a template, a URL) — exit 2;
 * - `failed`: what was checked, sent or verified failed — exit 1;
 * - `interrupted`: stopped by Ctrl-C before the end — exit 130;
 * - `internal`: a bug in ticket-hooks — exit 70.
 */
export type ErrorKind = "usage" | "failed" | "interrupted" | "internal";

export type { ErrorCode } from "./error-codes.js";

/** Exit codes, one table for every command (also in the README). */
export const ExitCode = {
  ok: 0,
  /** What was checked, sent or verified failed. */
  failed: 1,
  /** Usage or input error: unknown flag, unreadable file, bad JSON, bad option value. */
  usage: 2,
  /** A bug in ticket-hooks itself. */
  internal: 70,
  /** Interrupted (Ctrl-C) before the end. */
  interrupted: 130,
} as const;

export interface TicketHooksErrorOptions {
  hint?: string;
  /** Extra lines printed under the message (e.g. each validation error). */
  details?: readonly string[];
  /** Default `usage`. */
  kind?: ErrorKind;
  cause?: unknown;
}

/**
 * The one error family shown to users, and what library users catch: a stable `code`, a one-line
 * message, a hint of what to do next and its kind. Anything thrown that is not one is a bug.
 */
export class TicketHooksError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly kind: ErrorKind;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: TicketHooksErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TicketHooksError";
    this.code = code;
    this.hint = options.hint;
    this.kind = options.kind ?? "usage";
    this.details = options.details ?? [];
  }
}

/** Input the user gave us cannot be used (a file, a flag value, a template). Exit 2. */
export function usageError(code: ErrorCode, message: string, hint?: string): TicketHooksError {
  return new TicketHooksError(code, message, hint === undefined ? {} : { hint });
}

/** What was checked, sent or verified failed. Exit 1. */
export function failure(code: ErrorCode, message: string, hint?: string): TicketHooksError {
  return new TicketHooksError(code, message, { kind: "failed", ...(hint ? { hint } : {}) });
}

/** A one-line reason for a failed file-system call. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file or folder";
    case "EISDIR":
      return "it is a folder, not a file";
    case "EEXIST":
      return "it already exists";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a part of the path is not a folder, or it is a file where a folder is needed";
    case "ENOSPC":
      return "no space left on the device";
    case "EROFS":
      return "the file system is read-only";
    case "EMFILE":
    case "ENFILE":
      return "too many open files";
    default:
      return code ?? String(error);
  }
}
