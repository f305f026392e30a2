import type { Command } from "commander";
import type { TemplateLookup } from "../core/events/templates.js";
import { nodeFiles } from "../io/adapters.js";
import type { CliIo } from "./io.js";

const ORIGINS = { cli: "flag", env: "env", config: "config" } as const;

/** The template lookup for a command with a --templates option, keeping where the folder came from. */
export function templateLookup(command: Command, io: CliIo): TemplateLookup {
  // `templates show` reads the option of its parent command.
  let owner: Command | null = command;
  while (owner && !owner.options.some((o) => o.attributeName() === "templates"))
    owner = owner.parent;
  const dir = owner?.opts<{ templates?: string }>().templates;
  const source = owner?.getOptionValueSource("templates");
  // The folder from TICKET_HOOKS_TEMPLATES came through the option (commander reads the variable).
  const lookup: TemplateLookup = { cwd: io.cwd, env: {}, files: nodeFiles };
  if (dir) {
    lookup.templatesDir = dir;
    lookup.templatesOrigin = ORIGINS[source as keyof typeof ORIGINS] ?? "flag";
  }
  return lookup;
}

export function describeOrigin(origin: string): string {
  switch (origin) {
    case "flag":
      return "from --templates";
    case "env":
      return "from TICKET_HOOKS_TEMPLATES";
    case "config":
      return "from the config file";
    case "local":
      return "from ./ticket-hooks/";
    default:
      return "bundled";
  }
}
