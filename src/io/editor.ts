import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TicketHooksError, usageError } from "../core/errors.js";

/**
 * Opens text in $VISUAL / $EDITOR (run through the shell, so `code --wait` works) and returns what
 * the user saved. The temp file is removed afterwards.
 */
export function editText(
  text: string,
  name: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const editor = env.VISUAL || env.EDITOR;
  if (!editor) {
    throw usageError(
      "NO_EDITOR",
      "--edit needs an editor",
      "Set VISUAL or EDITOR, e.g. EDITOR=nano.",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "ticket-hooks-edit-"));
  const file = join(dir, name);
  try {
    writeFileSync(file, text);
    const result = spawnSync(`${editor} "${file}"`, {
      shell: true,
      stdio: "inherit",
      env: { ...env },
    });
    if (result.error || result.status !== 0) {
      throw new TicketHooksError(
        "EDITOR_FAILED",
        `the editor (${editor}) ${result.error ? `could not start: ${result.error.message}` : `exited with code ${result.status}`}; nothing was sent`,
      );
    }
    return readFileSync(file, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * editText without blocking the event loop (a listener keeps answering while the editor is open):
 * resolves with what the user saved, or rejects as editText throws.
 */
export async function editTextAsync(
  text: string,
  name: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const editor = env.VISUAL || env.EDITOR;
  if (!editor) {
    throw usageError("NO_EDITOR", "e needs an editor", "Set VISUAL or EDITOR, e.g. EDITOR=nano.");
  }
  const dir = mkdtempSync(join(tmpdir(), "ticket-hooks-edit-"));
  const file = join(dir, name);
  try {
    writeFileSync(file, text);
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(`${editor} "${file}"`, {
        shell: true,
        stdio: "inherit",
        env: { ...env },
      });
      child.on("error", reject);
      child.on("exit", (status) => resolve(status));
    }).catch((error: Error) => {
      throw new TicketHooksError(
        "EDITOR_FAILED",
        `the editor (${editor}) could not start: ${error.message}; nothing was sent`,
      );
    });
    if (code !== 0) {
      throw new TicketHooksError(
        "EDITOR_FAILED",
        `the editor (${editor}) exited with code ${code}; nothing was sent`,
      );
    }
    return readFileSync(file, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
