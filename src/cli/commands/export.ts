import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import { describeFsError } from "../../core/errors.js";
import type { WhereClause } from "../../core/events/where.js";
import { templateText } from "../../core/exchanges/exchange-export.js";
import { exportBaseName, RunNames } from "../../core/exchanges/export-names.js";
import { keepRecord, notARecording, readRecorded } from "../../core/recording/recording.js";
import { nodeFiles } from "../../io/adapters.js";
import { type ExportFormat, exportFormat } from "../export-formats.js";
import { eventTypeList } from "../filters.js";
import { ensureFolder } from "../folders.js";
import type { CliIo } from "../io.js";
import { jsonOption, secretOption, signatureHeaderOption, whereOption } from "../options.js";
import { outputFor } from "../output.js";

interface ExportFlags {
  out: string;
  events?: string[];
  where?: WhereClause[];
  onlyValid?: boolean;
  includeRejected?: boolean;
  force?: boolean;
  json?: boolean;
  format: ExportFormat;
  to?: string;
  secret?: string;
  signatureHeader: string;
}

export function exportCommand(io: CliIo): Command {
  return new Command("export")
    .description("turn recorded events into editable template files")
    .argument("<recording>", "a `listen --record` file")
    .requiredOption("-o, --out <dir>", "folder to write the JSON files to")
    .option("--events <list>", "only these event types", eventTypeList)
    .addOption(whereOption())
    .option("--only-valid", "only events that validated when recorded")
    .option("--include-rejected", "also requests the listener turned away")
    .option("-f, --force", "overwrite files that already exist")
    .addOption(
      new Option("--format <format>", "json files, a curl script, or a HAR log")
        .choices(["json", "curl", "har"])
        .default("json"),
    )
    .option("--to <url>", "with --format curl|har: where the requests are sent")
    .addOption(secretOption("with --format curl|har: sign each request afresh with this secret"))
    .addOption(signatureHeaderOption())
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `
Each event becomes <event_type>-<event_id>.json (another delivery of the same event -2.json, …),
re-indented token by token: no value changes (big numbers, 1.0, key order and duplicate keys
stay). Captured strings stay data: each {{ in them is written {{{{, which renders as a literal {{.
Use one as a template (copy it to ./ticket-hooks/<event_type>.json) or send it directly with
\`ticket-hooks send FILE\`.

Examples:
  $ ticket-hooks export events.ndjson --out ./captured
  $ ticket-hooks export events.ndjson --out ./captured --events resolved --only-valid`,
    )
    .action(async function (this: Command, recording: string) {
      const out = outputFor(this, io);
      const flags = this.opts<ExportFlags>();
      const dir = resolve(io.cwd, flags.out);
      ensureFolder(flags.out, dir);
      const filter = {
        events: flags.events ? new Set(flags.events) : undefined,
        where: flags.where,
        onlyValid: flags.onlyValid === true,
        includeRejected: flags.includeRejected === true,
      };
      if (flags.format !== "json") {
        await exportFormat(out, {
          format: flags.format,
          recording,
          dir,
          filter,
          to: flags.to,
          secret: flags.secret,
          signatureHeader: flags.signatureHeader,
        });
        return;
      }
      let written = 0;
      let skipped = 0;
      let read = 0;
      let unreadable = 0;
      const warn = (m: string) => {
        unreadable++;
        out.warn(m);
      };
      const names = new RunNames();
      for await (const record of await readRecorded(recording, warn, nodeFiles)) {
        read++;
        if (!keepRecord(record, filter)) continue;
        const template = templateText(record.body);
        if (!template.ok) {
          out.warn(`${record.where}: ${template.reason}, skipped`);
          skipped++;
          continue;
        }
        const base = exportBaseName(
          record.eventType ?? "event",
          record.eventId ?? `line-${record.where.split(":").pop()}`,
        );
        const file = join(dir, names.next(base));
        if (existsSync(file) && !flags.force) {
          out.warn(`${file} exists, skipped (--force to overwrite)`);
          skipped++;
          continue;
        }
        try {
          writeFileSync(file, template.text);
        } catch (error) {
          out.warn(`${record.where}: cannot write ${file}: ${describeFsError(error)}, skipped`);
          skipped++;
          continue;
        }
        written++;
        if (out.json) out.record({ file, event_type: record.eventType, event_id: record.eventId });
        else out.line(file);
      }
      if (read === 0 && unreadable > 0) throw notARecording(recording, unreadable);
      out.note(`Exported ${written} event(s) to ${dir}${skipped ? `, skipped ${skipped}` : ""}.`);
    });
}
