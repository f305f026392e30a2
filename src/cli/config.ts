import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describeFsError, TicketHooksError, usageError } from "../core/errors.js";
import { isPlainObject, parseJsonOrThrow, SECRET_LIKE_KEY } from "../core/json.js";

export const CONFIG_FILE = "ticket-hooks.config.json";

export interface LoadedConfig {
  file: string | undefined;
  values: Record<string, unknown>;
}

/**
 * Reads `--config FILE`, else ./ticket-hooks.config.json when present. Keys are option names in
 * camelCase (`to`, `templates`, `signatureHeader`, …). A missing explicit file is an error.
 */
export function loadConfig(explicit: string | undefined, cwd: string): LoadedConfig {
  const file = explicit ? resolve(cwd, explicit) : resolve(cwd, CONFIG_FILE);
  if (!explicit && !existsSync(file)) return { file: undefined, values: {} };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new TicketHooksError(
      "UNREADABLE_CONFIG",
      `cannot read config ${file}: ${describeFsError(error)}`,
    );
  }
  // A config may hold a secret (`"secret": whsec_…` unquoted, say): its parse errors quote nothing.
  const values = parseJsonOrThrow(text, file, { redact: SECRET_LIKE_KEY.test(text) });
  if (!isPlainObject(values)) {
    throw usageError("BAD_CONFIG", `${file}: the config must be a JSON object of option values`);
  }
  return { file, values };
}
