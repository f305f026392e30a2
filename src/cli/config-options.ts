import { isAbsolute, relative } from "node:path";
import { type Command, InvalidArgumentError, type Option } from "commander";
import { usageError } from "../core/errors.js";
import { SECRET_LIKE_KEY } from "../core/json.js";
import { closest } from "../core/suggest.js";
import { type LoadedConfig, loadConfig } from "./config.js";
import type { CliIo } from "./io.js";
import { SECRET_ENV } from "./options.js";
import { type GlobalOptions, Output } from "./output.js";

// The config file's values as option values: flags > environment > file. Each value is checked
// here (commander checks only the command line) and never echoed: it may be a secret.

function optionKeys(command: Command, into = new Set<string>()): Set<string> {
  for (const option of command.options as readonly Option[]) into.add(option.attributeName());
  for (const sub of command.commands) optionKeys(sub, into);
  return into;
}

/**
 * A config key that is no option of any command is an error naming the key, the file and the
 * closest known key. The other commands are built only when a key is unknown to this one.
 */
function checkConfigKeys(
  program: Command,
  values: Record<string, unknown>,
  file: string,
  allCommands: () => Iterable<Command>,
): void {
  const known = optionKeys(program);
  if (Object.keys(values).every((k) => k === "$schema" || known.has(k))) return;
  for (const command of allCommands()) optionKeys(command, known);
  const key = Object.keys(values).find((k) => k !== "$schema" && !known.has(k));
  if (key === undefined) return;
  const near = closest(key, known);
  throw usageError(
    "UNKNOWN_CONFIG_KEY",
    `${file}: unknown key "${key}"${near ? `: did you mean "${near}"?` : ""}`,
    "Keys are option names in camelCase, e.g. to, secret, signatureHeader, templates.",
  );
}

/** A secret in a file that may be committed, and a key a file may not set, are said. */
function warnAboutConfig(out: Output, file: string, values: Record<string, unknown>): void {
  const forward = values.forward;
  const routeSecret =
    forward !== null &&
    typeof forward === "object" &&
    Object.values(forward).some((r) => typeof r === "object" && r !== null && "secret" in r);
  if (typeof values.secret === "string" || routeSecret) {
    out.warn(
      `${file} contains a secret; keep secrets out of files you commit (use TICKET_HOOKS_SECRET)`,
    );
  }
  if ("allowEnv" in values) {
    out.warn(
      `${file}: "allowEnv" is ignored; a file in the checkout cannot let templates read the environment (use --allow-env or TICKET_HOOKS_ALLOW_ENV)`,
    );
  }
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function shownConfig(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith("..") || isAbsolute(rel) ? file : `./${rel}`;
}

/** A list (`"header": [...]`, for a repeatable option) holds strings only. */
function checkList(key: string, list: readonly unknown[], file: string): void {
  const odd = list.find((item) => typeof item !== "string");
  if (odd === undefined) return;
  const secret = SECRET_LIKE_KEY.test(key);
  throw usageError(
    "BAD_CONFIG",
    `${file}: "${key}" must be a list of strings, got ${describeType(odd)} in it${secret ? " (value not shown)" : ""}`,
    `Write it as a JSON list of strings: "${key}": ["…"].`,
  );
}

/** A config value for an option: a string where a value is taken, parsed as a flag's would be. */
function optionValue(option: Option, key: string, value: unknown, file: string): unknown {
  if (Array.isArray(value)) checkList(key, value, file);
  const takesValue = option.required || option.optional;
  if (takesValue && !option.parseArg && typeof value !== "string" && !option.variadic) {
    const secret = SECRET_LIKE_KEY.test(key);
    throw usageError(
      "BAD_CONFIG",
      `${file}: "${key}" must be a string, got ${describeType(value)}${secret ? " (value not shown)" : ""}`,
      secret
        ? `Quote it, or better, keep it out of the file: set ${SECRET_ENV}.`
        : `Write it as a JSON string: "${key}": "…".`,
    );
  }
  if (!option.parseArg || (typeof value !== "string" && typeof value !== "number")) return value;
  try {
    return option.parseArg(String(value), undefined);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw usageError("BAD_CONFIG", `${file}: "${key}": ${error.message}`);
  }
}

/** The file's values set on one command's options that no flag or variable set. */
function applyTo(
  cmd: Command,
  config: LoadedConfig & { file: string },
  out: Output,
  cwd: string,
): void {
  for (const option of cmd.options as readonly Option[]) {
    const key = option.attributeName();
    if (!(key in config.values) || key === "allowEnv") continue;
    const source = cmd.getOptionValueSource(key);
    if (source === "cli" || source === "env") continue;
    const value = optionValue(option, key, config.values[key], config.file);
    cmd.setOptionValueWithSource(key, value, "config");
    // Where requests go is never decided silently by a file in the checkout.
    if (key === "to" && typeof value === "string") {
      out.note(`sending to ${value} (from ${shownConfig(config.file, cwd)})`);
    }
  }
}

/** Fills options not given as flags or env vars from the config file (flags > env > file). */
export async function applyConfig(
  program: Command,
  command: Command,
  io: CliIo,
  allCommands: () => Iterable<Command>,
): Promise<void> {
  const globals = program.opts<GlobalOptions>();
  const config = loadConfig(globals.config, io.cwd);
  const file = config.file;
  if (!file) return;
  checkConfigKeys(program, config.values, file, allCommands);
  const out = new Output(io, { color: globals.color });
  warnAboutConfig(out, file, config.values);
  // The action's command and its parents (`templates show` takes --templates from `templates`).
  for (let cmd: Command | null = command; cmd && cmd !== program; cmd = cmd.parent) {
    applyTo(cmd, { ...config, file }, out, io.cwd);
  }
}
