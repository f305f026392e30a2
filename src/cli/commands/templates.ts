import { relative } from "node:path";
import { Command } from "commander";
import { EVENTS, getEvent } from "../../core/events/catalogue.js";
import { renderTemplate } from "../../core/events/placeholders.js";
import { loadTemplate, resolveTemplateDir, templateFile } from "../../core/events/templates.js";
import { nodeFiles } from "../../io/adapters.js";
import { jsonSafe, safeBlock } from "../../terminal/safe-text.js";
import type { CliIo } from "../io.js";
import { allowEnvOption, allowedEnv, jsonOption, templatesOption } from "../options.js";
import { outputFor } from "../output.js";
import { describeOrigin, templateLookup } from "../template-source.js";

export function templatesCommand(io: CliIo): Command {
  const list = new Command("templates")
    .description("list the four event templates and which file each one uses")
    .addOption(templatesOption())
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `
Examples:
  $ ticket-hooks templates
  $ ticket-hooks templates show created
  $ ticket-hooks templates --json`,
    )
    .action(function (this: Command) {
      listTemplates(this, io);
    });
  list
    .command("show")
    .description("print one template exactly as stored (placeholders kept unless --render)")
    .argument("<event>", "short name (created) or event type (whitelabel-ticket-created)")
    .option("--render", "replace the placeholders and print the event as it would be sent")
    .addOption(allowEnvOption())
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `
Examples:
  $ ticket-hooks templates show updated
  $ ticket-hooks templates show whitelabel-ticket-resolved --render`,
    )
    .action(function (this: Command, name: string) {
      showTemplate(this, name, io);
    });
  return list;
}

/** templates: each event, its template file and where that file comes from. */
function listTemplates(command: Command, io: CliIo): void {
  const out = outputFor(command, io);
  const dir = resolveTemplateDir(templateLookup(command, io));
  const rows = EVENTS.map((event) => ({ event, ...templateFile(event, dir, nodeFiles) }));
  if (out.json) {
    for (const { event, file, origin } of rows) {
      out.record({
        name: event.name,
        event_type: event.type,
        description: event.description,
        file,
        origin,
      });
    }
    return;
  }
  const nameWidth = Math.max(...rows.map((r) => r.event.name.length));
  const typeWidth = Math.max(...rows.map((r) => r.event.type.length));
  for (const { event, file, origin } of rows) {
    const shown = relative(io.cwd, file).startsWith("..") ? file : relative(io.cwd, file);
    out.line(
      `${out.c.bold(event.name.padEnd(nameWidth))}  ${event.type.padEnd(typeWidth)}  ${event.description}`,
    );
    out.line(`${" ".repeat(nameWidth + 2)}${out.c.dim(`${shown} (${describeOrigin(origin)})`)}`);
  }
}

/** templates show: one template as stored, or rendered with --render. */
function showTemplate(command: Command, name: string, io: CliIo): void {
  const out = outputFor(command, io);
  getEvent(name);
  const template = loadTemplate(name, templateLookup(command, io));
  out.note(`Using template ${template.file} (${describeOrigin(template.origin)})`);
  const render = command.opts<{ render?: boolean }>().render === true;
  const rendered = () =>
    renderTemplate(template.value, {
      source: template.file,
      env: io.env,
      allowEnv: allowedEnv(command, io),
    });
  if (out.json) {
    out.record({
      file: template.file,
      origin: template.origin,
      event: render ? rendered() : template.value,
    });
    return;
  }
  if (render) {
    out.line(jsonSafe(JSON.stringify(rendered(), null, 2)));
    return;
  }
  // A template folder is a file from the checkout: shown through the sanitiser.
  const text = safeBlock(template.text);
  io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}
