import { Command, InvalidArgumentError, type Option } from "commander";
import { usageError } from "../core/errors.js";
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
import { applyConfig } from "./config-options.js";
import type { CliIo } from "./io.js";
import { SECRET_ENV } from "./options.js";

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
    for (const option of cmd.options as readonly Option[]) applyEnvTo(cmd, option, io.env);
    if (cmd === program) break;
  }
}

/** One option's variable from `env`, unless a flag set it; a value commander took from
 * process.env but `env` lacks goes back to the default. */
function applyEnvTo(cmd: Command, option: Option, env: CliIo["env"]): void {
  if (!option.envVar) return;
  const key = option.attributeName();
  const source = cmd.getOptionValueSource(key);
  if (source === "cli") return;
  const value = env[option.envVar];
  if (value !== undefined) cmd.setOptionValueWithSource(key, envValue(cmd, option, value), "env");
  else if (source === "env") cmd.setOptionValueWithSource(key, option.defaultValue, "default");
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
    await applyConfig(program, actionCommand, io, () =>
      Object.values(COMMANDS).map((factory) => factory(io)),
    );
    refuseEmptySecrets(actionCommand);
  });
  configureTree(program, io);
  return program;
}
