import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { describeFsError, TicketHooksError } from "../../core/errors.js";
import type { WhereClause } from "../../core/events/where.js";
import { tryParseJson } from "../../core/json.js";
import { keepRecord, notARecording, readRecorded } from "../../core/receiving/recording.js";
import { eventTypeList } from "../filters.js";
import type { CliIo } from "../io.js";
import { jsonOption, whereOption } from "../options.js";
import { outputFor } from "../output.js";

interface ExportFlags {
  out: string;
  events?: string[];
  where?: WhereClause[];
  onlyValid?: boolean;
  includeRejected?: boolean;
  force?: boolean;
  json?: boolean;
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
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `
Each event becomes <event_type>-<event_id>.json, pretty-printed with its key order kept. Use one
as a template (copy it to ./ticket-hooks/<event_type>.json) or send it directly with
\`ticket-hooks send FILE\`.

Examples:
  $ ticket-hooks export events.ndjson --out ./captured
  $ ticket-hooks export events.ndjson --out ./captured --events resolved --only-valid`,
    )
    .action(async function (this: Command, recording: string) {
      const out = outputFor(this, io);
      const flags = this.opts<ExportFlags>();
      const dir = resolve(io.cwd, flags.out);
      try {
        mkdirSync(dir, { recursive: true });
      } catch (error) {
        throw new TicketHooksError(
          "WRITE_FAILED",
          `cannot create ${dir}: ${describeFsError(error)}`,
        );
      }
      const filter = {
        events: flags.events ? new Set(flags.events) : undefined,
        where: flags.where,
        onlyValid: flags.onlyValid === true,
        includeRejected: flags.includeRejected === true,
      };
      let written = 0;
      let skipped = 0;
      let read = 0;
      let unreadable = 0;
      const warn = (m: string) => {
        unreadable++;
        out.warn(m);
      };
      for await (const record of await readRecorded(recording, warn)) {
        read++;
        if (!keepRecord(record, filter)) continue;
        const parsed = tryParseJson(record.body.toString("utf8"));
        if (!parsed.ok) {
          out.warn(`${record.where}: the body is not JSON, skipped`);
          skipped++;
          continue;
        }
        const base =
          `${record.eventType ?? "event"}-${record.eventId ?? `line-${record.where.split(":").pop()}`}`.replace(
            /[^\w.-]/g,
            "_",
          );
        const file = join(dir, `${base}.json`);
        if (existsSync(file) && !flags.force) {
          out.warn(`${file} exists, skipped (--force to overwrite)`);
          skipped++;
          continue;
        }
        writeFileSync(file, `${JSON.stringify(parsed.value, null, 2)}\n`);
        written++;
        if (out.json) out.record({ file, event_type: record.eventType, event_id: record.eventId });
        else out.line(file);
      }
      if (read === 0 && unreadable > 0) throw notARecording(recording, unreadable);
      out.note(`Exported ${written} event(s) to ${dir}${skipped ? `, skipped ${skipped}` : ""}.`);
    });
}
