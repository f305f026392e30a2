import { Command, type Option } from "commander";
import { VERSION } from "../core/version.js";
import { checkCommand } from "./commands/check.js";
import { demoCommand } from "./commands/demo.js";
import { exportCommand } from "./commands/export.js";
import { initCommand } from "./commands/init.js";
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
import { Output } from "./output.js";

export interface GlobalOptions {
  config?: string;
  debug?: boolean;
  color?: boolean;
}

/** Fills options not given as flags or env vars from the config file (flags > env > file). */
function applyConfig(program: Command, command: Command, io: CliIo): void {
  const globals = program.opts<GlobalOptions>();
  const config = loadConfig(globals.config, io.cwd);
  if (!config.file) return;
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

export function buildProgram(io: CliIo): Command {
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
  program.addCommand(demoCommand(io));
  program.addCommand(sendCommand(io));
  program.addCommand(listenCommand(io));
  program.addCommand(replayCommand(io));
  program.addCommand(scenarioCommand(io));
  program.addCommand(checkCommand(io));
  program.addCommand(exportCommand(io));
  program.addCommand(templatesCommand(io));
  program.addCommand(initCommand(io));
  program.addCommand(validateCommand(io));
  program.addCommand(signCommand(io));
  program.addCommand(verifyCommand(io));
  program.hook("preAction", (_root, actionCommand) => applyConfig(program, actionCommand, io));
  configureTree(program, io);
  return program;
}

/** Output for an action: colour from the global --no-color, --json from the command. */
export function outputFor(command: Command, io: CliIo): Output {
  const globals = command.optsWithGlobals<GlobalOptions & { json?: boolean }>();
  return new Output(io, { json: globals.json === true, color: globals.color });
}
