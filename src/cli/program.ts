import { Command, type Option } from "commander";
import { usageError } from "../core/errors.js";
import { closest } from "../core/suggest.js";
import { VERSION } from "../core/version.js";
import { loadConfig } from "./config.js";
import type { CliIo } from "./io.js";
import { type GlobalOptions, Output } from "./output.js";

/**
 * Every command, loaded on demand: a run loads the module of the command it runs and no other
 * (start-up is spent loading modules). Root help and unknown names load them all.
 */
const COMMANDS: Record<string, () => Promise<(io: CliIo) => Command>> = {
  demo: async () => (await import("./commands/demo.js")).demoCommand,
  send: async () => (await import("./commands/send.js")).sendCommand,
  listen: async () => (await import("./commands/listen.js")).listenCommand,
  replay: async () => (await import("./commands/replay.js")).replayCommand,
  scenario: async () => (await import("./commands/scenario.js")).scenarioCommand,
  check: async () => (await import("./commands/check.js")).checkCommand,
  export: async () => (await import("./commands/export.js")).exportCommand,
  templates: async () => (await import("./commands/templates.js")).templatesCommand,
  init: async () => (await import("./commands/init.js")).initCommand,
  validate: async () => (await import("./commands/validate.js")).validateCommand,
  sign: async () => (await import("./commands/sign.js")).signCommand,
  verify: async () => (await import("./commands/verify.js")).verifyCommand,
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
  for (const load of Object.values(COMMANDS)) optionKeys((await load())(io), known);
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
  if (typeof config.values.secret === "string") {
    out.warn(
      `${config.file} contains a secret; keep secrets out of files you commit (use TICKET_HOOKS_SECRET)`,
    );
  }
  // The action's command and its parents (`templates show` takes --templates from `templates`).
  for (let cmd: Command | null = command; cmd && cmd !== program; cmd = cmd.parent) {
    for (const option of cmd.options as readonly Option[]) {
      const key = option.attributeName();
      if (!(key in config.values)) continue;
      const source = cmd.getOptionValueSource(key);
      if (source === "cli" || source === "env") continue;
      let value = config.values[key];
      if (option.parseArg && (typeof value === "string" || typeof value === "number")) {
        value = option.parseArg(String(value), undefined);
      }
      cmd.setOptionValueWithSource(key, value, "config");
    }
  }
}

function configureTree(command: Command, io: CliIo): void {
  command
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
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
  const factories = await Promise.all(
    names.map((name) => (COMMANDS[name] as () => Promise<(io: CliIo) => Command>)()),
  );
  for (const factory of factories) program.addCommand(factory(io));
  program.hook("preAction", (_root, actionCommand) => applyConfig(program, actionCommand, io));
  configureTree(program, io);
  return program;
}
