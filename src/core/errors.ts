/** Exit codes, one table for every command (also in the README). */
export const ExitCode = {
  ok: 0,
  /** What was checked, sent or verified failed. */
  failed: 1,
  /** Usage or input error: unknown flag, unreadable file, bad JSON, bad option value. */
  usage: 2,
  /** A bug in ticket-hooks itself. */
  internal: 70,
} as const;

export interface CliErrorOptions {
  hint?: string;
  /** Extra lines printed under the message (e.g. each validation error). */
  details?: readonly string[];
  exitCode?: number;
  cause?: unknown;
}

/**
 * The one error family shown to users: a stable `code`, a one-line message, a hint of what to do
 * next and the exit code. Anything thrown that is not a CliError is a bug.
 */
export class CliError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;
  readonly details: readonly string[];

  constructor(code: string, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CliError";
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.details = options.details ?? [];
  }
}

/** Input the user gave us cannot be used (a file, a flag value, a template). Exit 2. */
export function usageError(code: string, message: string, hint?: string): CliError {
  return new CliError(code, message, hint === undefined ? {} : { hint });
}

/** A one-line reason for a failed file-system call. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file or folder";
    case "EISDIR":
      return "it is a folder, not a file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a part of the path is not a folder";
    default:
      return code ?? String(error);
  }
}
