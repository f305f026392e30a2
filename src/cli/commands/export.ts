import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import { describeFsError } from "../../core/errors.js";
import type { WhereClause } from "../../core/events/where.js";
import { templateText } from "../../core/exchanges/exchange-export.js";
import { exportBaseName, RunNames } from "../../core/exchanges/export-names.js";
import {
  keepRecord,
  notARecording,
  type RecordedEvent,
  readRecorded,
} from "../../core/recording/recording.js";
import { nodeFiles } from "../../io/adapters.js";
import { type ExportFormat, exportFormat } from "../export-formats.js";
import { eventTypeList } from "../filters.js";
import { ensureFolder } from "../folders.js";
import type { CliIo } from "../io.js";
import { jsonOption, secretOption, signatureHeaderOption, whereOption } from "../options.js";
import { type Output, outputFor } from "../output.js";
import { noteIfPipe } from "../pipes.js";

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
    .addHelpText("after", HELP)
    .action(async function (this: Command, recording: string) {
      await runExport(this, recording, io);
    });
}

const HELP = `
Each event becomes <event_type>-<event_id>.json (another delivery of the same event -2.json, …),
re-indented token by token: no value changes (big numbers, 1.0, key order and duplicate keys
stay). Captured strings stay data: each {{ in them is written {{{{, which renders as a literal {{.
Use one as a template (copy it to ./ticket-hooks/<event_type>.json) or send it directly with
\`ticket-hooks send FILE\`.

Examples:
  $ ticket-hooks export events.ndjson --out ./captured
  $ ticket-hooks export events.ndjson --out ./captured --events resolved --only-valid`;

async function runExport(command: Command, recording: string, io: CliIo): Promise<void> {
  const out = outputFor(command, io);
  const flags = command.opts<ExportFlags>();
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
  let read = 0;
  let unreadable = 0;
  const warn = (m: string) => {
    unreadable++;
    out.warn(m);
  };
  const writer = new TemplateWriter(dir, flags.force === true, out);
  noteIfPipe(recording, out);
  for await (const record of await readRecorded(recording, warn, nodeFiles)) {
    read++;
    if (keepRecord(record, filter)) writer.write(record);
  }
  if (read === 0 && unreadable > 0) throw notARecording(recording, unreadable);
  const skipped = writer.skipped ? `, skipped ${writer.skipped}` : "";
  out.note(`Exported ${writer.written} event(s) to ${dir}${skipped}.`);
}

/** Recorded events written as template files, each under a name of its own in `dir`. */
class TemplateWriter {
  written = 0;
  skipped = 0;
  private readonly names = new RunNames();

  constructor(
    private readonly dir: string,
    private readonly force: boolean,
    private readonly out: Output,
  ) {}

  write(record: RecordedEvent): void {
    const { out } = this;
    const template = templateText(record.body);
    if (!template.ok) {
      this.skip(`${record.where}: ${template.reason}, skipped`);
      return;
    }
    const base = exportBaseName(
      record.eventType ?? "event",
      record.eventId ?? `line-${record.where.split(":").pop()}`,
    );
    const file = join(this.dir, this.names.next(base));
    if (existsSync(file) && !this.force) {
      this.skip(`${file} exists, skipped (--force to overwrite)`);
      return;
    }
    try {
      writeFileSync(file, template.text);
    } catch (error) {
      this.skip(`${record.where}: cannot write ${file}: ${describeFsError(error)}, skipped`);
      return;
    }
    this.written++;
    if (out.json) out.record({ file, event_type: record.eventType, event_id: record.eventId });
    else out.line(file);
  }

  private skip(why: string): void {
    this.out.warn(why);
    this.skipped++;
  }
}
