import { isAbsolute, relative } from "node:path";
import { Command, InvalidArgumentError, type Option } from "commander";
import { usageError } from "../core/errors.js";
import { SECRET_LIKE_KEY } from "../core/json.js";
import { closest } from "../core/suggest.js";
import { VERSION } from "../core/version.js";
import { safeBlock } from "../terminal/safe-text.js";
import { checkCommand } from "./commands/check.js";
import { demoCommand } from "./commands/demo.js";
import { doctorCommand } from "./commands/doctor.js";
import { exportCommand } from "./commands/export.js";
import { initCommand } from "./commands/init.js";
import { inspectCommand } from "./commands/inspect.js";
import { listenCommand } from "./commands/listen.js";
import { replayCommand } from "./commands/replay.js";
import { scenarioCommand } from "./commands/scenario.js";
import { sendCommand } from "./commands/send.js";
import { signCommand } from "./commands/sign.js";
import { templatesCommand } from "./commands/templates.js";
import { validateCommand } from "./commands/validate.js";
import { verifyCommand } from "./commands/verify.js";
import { loadConfig } from "./config.js";
import type { CliIo } from "./io.js";
import { SECRET_ENV } from "./options.js";
import { type GlobalOptions, Output } from "./output.js";

/**
 * Every command. They are imported statically: in the bundle they then share main.js instead of
 * being spread over some twenty chunks, and a run loads 7 files instead of 26; each file costs a
 * resolution, a read and a compile, measured about 1 ms each, more than compiling the other
 * commands' code (what only some runs need stays lazy: the live UI, undici, the server, the editor).
 */
const COMMANDS: Record<string, (io: CliIo) => Command> = {
  demo: demoCommand,
  send: sendCommand,
  listen: listenCommand,
  replay: replayCommand,
  scenario: scenarioCommand,
  check: checkCommand,
  doctor: doctorCommand,
  export: exportCommand,
  inspect: inspectCommand,
  templates: templatesCommand,
  init: initCommand,
  validate: validateCommand,
  sign: signCommand,
  verify: verifyCommand,
};

/** The command an argv asks for (`help NAME` asks for NAME), if it names one. */
function requested(argv: readonly string[]): string | undefined {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const arg = argv[i] as string;
    if (arg === "--config") i++;
    else if (!arg.startsWith("-")) words.push(arg);
  }
  const name = words[0] === "help" ? words[1] : words[0];
  if (words[0] === "help" && name !== undefined && !Object.hasOwn(COMMANDS, name)) {
    const near = closest(name, Object.keys(COMMANDS));
    throw usageError(
      "UNKNOWN_COMMAND",
      `help: unknown command "${name}"${near ? `: did you mean ${near}?` : ""}`,
      `Commands: ${Object.keys(COMMANDS).join(", ")}.`,
    );
  }
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}

/**
 * Environment variables come from `io.env`, not `process.env` (which commander reads): main(argv, io)
 * then runs with the environment its caller gives, as a test does. A no-op for a real process.
 * Through commander's public API: the value is parsed as a flag's would be, with source "env".
 */
function applyEnv(program: Command, command: Command, io: CliIo): void {
  for (let cmd: Command | null = command; cmd; cmd = cmd.parent) {
    for (const option of cmd.options as readonly Option[]) {
      if (!option.envVar) continue;
      const key = option.attributeName();
      const source = cmd.getOptionValueSource(key);
      if (source === "cli") continue;
      const value = io.env[option.envVar];
      if (value !== undefined)
        cmd.setOptionValueWithSource(key, envValue(cmd, option, value), "env");
      else if (source === "env") cmd.setOptionValueWithSource(key, option.defaultValue, "default");
    }
    if (cmd === program) break;
  }
}

/** An environment variable's value for its option: a flag without a value is set by its presence. */
function envValue(cmd: Command, option: Option, value: string): unknown {
  if (!option.required && !option.optional) return !option.negate;
  if (!option.parseArg) return value;
  try {
    return option.parseArg(value, option.defaultValue);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    return cmd.error(
      `error: option '${option.flags}' value from env '${option.envVar}' is invalid. ${error.message}`,
      { code: "commander.invalidArgument", exitCode: error.exitCode },
    );
  }
}

const SECRET_OPTIONS: Record<string, string> = {
  secret: "--secret",
  forwardSecret: "--forward-secret",
};

/**
 * An empty secret would turn signing or verification off without a word: it is a usage error
 * wherever a secret is taken (from a flag, the environment or a config file).
 */
function refuseEmptySecrets(command: Command): void {
  for (const [key, flag] of Object.entries(SECRET_OPTIONS)) {
    if (!command.options.some((o) => o.attributeName() === key)) continue;
    if (command.getOptionValue(key) !== "") continue;
    const source = command.getOptionValueSource(key);
    const where =
      source === "env"
        ? `${SECRET_ENV} is set but empty`
        : source === "config"
          ? `"${key}" in the config file is empty`
          : `${flag} ""`;
    throw usageError(
      "EMPTY_SECRET",
      `the secret is empty (${where})`,
      `Give the real secret, or leave it out${key === "secret" ? ` (unset ${SECRET_ENV})` : ""} to ${key === "secret" ? "send unsigned or skip verification" : "forward without re-signing"} knowingly.`,
    );
  }
}

function optionKeys(command: Command, into = new Set<string>()): Set<string> {
  for (const option of command.options as readonly Option[]) into.add(option.attributeName());
  for (const sub of command.commands) optionKeys(sub, into);
  return into;
}

/**
 * A config key that is no option of any command is an error naming the key, the file and the
 * closest known key. The other commands are loaded only when a key is unknown to this one.
 */
async function checkConfigKeys(
  program: Command,
  values: Record<string, unknown>,
  file: string,
  io: CliIo,
): Promise<void> {
  let known = optionKeys(program);
  let unknown = Object.keys(values).filter((k) => k !== "$schema" && !known.has(k));
  if (unknown.length === 0) return;
  known = new Set(known);
  for (const factory of Object.values(COMMANDS)) optionKeys(factory(io), known);
  unknown = unknown.filter((k) => !known.has(k));
  const [key] = unknown;
  if (key === undefined) return;
  const near = closest(key, known);
  throw usageError(
    "UNKNOWN_CONFIG_KEY",
    `${file}: unknown key "${key}"${near ? `: did you mean "${near}"?` : ""}`,
    "Keys are option names in camelCase, e.g. to, secret, signatureHeader, templates.",
  );
}

/** Fills options not given as flags or env vars from the config file (flags > env > file). */
async function applyConfig(program: Command, command: Command, io: CliIo): Promise<void> {
  const globals = program.opts<GlobalOptions>();
  const config = loadConfig(globals.config, io.cwd);
  if (!config.file) return;
  await checkConfigKeys(program, config.values, config.file, io);
  const out = new Output(io, { color: globals.color });
  const forward = config.values.forward;
  const routeSecret =
    forward !== null &&
    typeof forward === "object" &&
    Object.values(forward).some((r) => typeof r === "object" && r !== null && "secret" in r);
  if (typeof config.values.secret === "string" || routeSecret) {
    out.warn(
      `${config.file} contains a secret; keep secrets out of files you commit (use TICKET_HOOKS_SECRET)`,
    );
  }
  if ("allowEnv" in config.values) {
    out.warn(
      `${config.file}: "allowEnv" is ignored; a file in the checkout cannot let templates read the environment (use --allow-env or TICKET_HOOKS_ALLOW_ENV)`,
    );
  }
  // The action's command and its parents (`templates show` takes --templates from `templates`).
  for (let cmd: Command | null = command; cmd && cmd !== program; cmd = cmd.parent) {
    for (const option of cmd.options as readonly Option[]) {
      const key = option.attributeName();
      if (!(key in config.values) || key === "allowEnv") continue;
      const source = cmd.getOptionValueSource(key);
      if (source === "cli" || source === "env") continue;
      let value = config.values[key];
      // Values are checked here (commander checks only the command line); a value is never
      // echoed: it may be a secret.
      const takesValue = option.required || option.optional;
      if (takesValue && !option.parseArg && typeof value !== "string" && !option.variadic) {
        throw usageError(
          "BAD_CONFIG",
          `${config.file}: "${key}" must be a string, got ${describeType(value)}${SECRET_LIKE_KEY.test(key) ? " (value not shown)" : ""}`,
          SECRET_LIKE_KEY.test(key)
            ? `Quote it, or better, keep it out of the file: set ${SECRET_ENV}.`
            : `Write it as a JSON string: "${key}": "…".`,
        );
      }
      if (option.parseArg && (typeof value === "string" || typeof value === "number")) {
        try {
          value = option.parseArg(String(value), undefined);
        } catch (error) {
          if (!(error instanceof InvalidArgumentError)) throw error;
          throw usageError("BAD_CONFIG", `${config.file}: "${key}": ${error.message}`);
        }
      }
      cmd.setOptionValueWithSource(key, value, "config");
      // Where requests go is never decided silently by a file in the checkout.
      if (key === "to" && typeof value === "string") {
        out.note(`sending to ${value} (from ${shownConfig(config.file, io.cwd)})`);
      }
    }
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

function configureTree(command: Command, io: CliIo): void {
  command
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(safeBlock(s)),
    });
  for (const sub of command.commands) configureTree(sub, io);
}

export async function buildProgram(io: CliIo, argv: readonly string[] = []): Promise<Command> {
  const program = new Command("ticket-hooks")
    .description(
      "Test the code that receives the ticketing platform's webhooks: send signed events, " +
        "listen, validate and verify — fully local.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .option("--config <file>", "config file (default: ./ticket-hooks.config.json when present)")
    .option("--debug", "print stack traces of unexpected errors")
    .option("--no-color", "never colour the output")
    .addHelpText(
      "after",
      `
Examples:
  $ ticket-hooks demo
  $ ticket-hooks send created --to http://localhost:3000/webhooks --secret "$SECRET"
  $ ticket-hooks templates
  $ ticket-hooks validate payloads/whitelabel-ticket-created.json
  $ ticket-hooks sign event.json --secret "$TICKET_HOOKS_SECRET"

Exit codes: 0 ok · 1 a check, delivery or verification failed · 2 usage or input error.`,
    );
  const only = requested(argv);
  const names = only ? [only] : Object.keys(COMMANDS);
  for (const name of names) program.addCommand((COMMANDS[name] as (io: CliIo) => Command)(io));
  program.hook("preAction", async (_root, actionCommand) => {
    applyEnv(program, actionCommand, io);
    await applyConfig(program, actionCommand, io);
    refuseEmptySecrets(actionCommand);
  });
  configureTree(program, io);
  return program;
}
