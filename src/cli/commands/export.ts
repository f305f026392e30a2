import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import { describeFsError, usageError } from "../../core/errors.js";
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
import { exportK6, type K6Flags } from "../export-k6.js";
import { eventTypeList } from "../filters.js";
import { ensureFolder } from "../folders.js";
import type { CliIo } from "../io.js";
import {
  allowEnvOption,
  allowedEnv,
  intArg,
  jsonOption,
  secretOption,
  signatureHeaderOption,
  templatesOption,
  whereOption,
} from "../options.js";
import { type Output, outputFor } from "../output.js";
import { noteIfPipe } from "../pipes.js";
import { templateLookup } from "../template-source.js";

interface ExportFlags extends Omit<K6Flags, "signatureHeader" | "to"> {
  out: string;
  events?: string[];
  where?: WhereClause[];
  onlyValid?: boolean;
  includeRejected?: boolean;
  force?: boolean;
  json?: boolean;
  format: ExportFormat | "k6";
  to?: string;
  secret?: string;
  signatureHeader: string;
}

export function exportCommand(io: CliIo): Command {
  return new Command("export")
    .description(
      "turn recorded events into template files, a curl script or HAR; or events into a k6 script",
    )
    .argument(
      "<source...>",
      "a `listen --record` file; with --format k6 also a scenario (built-in or file) or events",
    )
    .requiredOption("-o, --out <dir>", "folder to write the JSON files to")
    .option("--events <list>", "only these event types", eventTypeList)
    .addOption(whereOption())
    .option("--only-valid", "only events that validated when recorded")
    .option("--include-rejected", "also requests the listener turned away")
    .option("-f, --force", "overwrite files that already exist")
    .addOption(
      new Option(
        "--format <format>",
        "json files, a curl script, a HAR log, or a k6 script (load from k6 or k6-operator)",
      )
        .choices(["json", "curl", "har", "k6"])
        .default("json"),
    )
    .option("--to <url>", "with --format curl|har|k6: where the requests are sent")
    .option(
      "--rate <n>",
      "with --format k6: iterations a second (default; -e RATE= overrides)",
      intArg("--rate", 1),
      10,
    )
    .option("--duration <d>", "with --format k6: how long (default; -e DURATION= overrides)", "30s")
    .option(
      "--vus <n>",
      "with --format k6: virtual users allocated (-e VUS= overrides)",
      intArg("--vus", 1),
      10,
    )
    .addOption(secretOption("with --format curl|har: sign each request afresh with this secret"))
    .addOption(signatureHeaderOption())
    .addOption(jsonOption())
    .addHelpText("after", HELP)
    .addOption(templatesOption())
    .addOption(allowEnvOption())
    .action(async function (this: Command, sources: string[]) {
      await runExport(this, sources, io);
    });
}

const HELP = `
Each event becomes <event_type>-<event_id>.json (another delivery of the same event -2.json, …),
re-indented token by token: no value changes (big numbers, 1.0, key order and duplicate keys
stay). Captured strings stay data: each {{ in them is written {{{{, which renders as a literal {{.
Use one as a template (copy it to ./ticket-hooks/<event_type>.json) or send it directly with
\`ticket-hooks send FILE\`.

--format k6 writes ticket-hooks.k6.js: each iteration sends the events in order, each signed
afresh with k6's crypto (a fresh timestamp, and fresh event ids for events from templates);
the secret comes from the environment (k6 run -e TICKET_HOOKS_SECRET=…).

Examples:
  $ ticket-hooks export events.ndjson --out ./captured
  $ ticket-hooks export events.ndjson --out ./captured --events resolved --only-valid
  $ ticket-hooks export lifecycle --format k6 --out ./load --to http://staging.example/webhooks --rate 50`;

async function runExport(command: Command, sources: string[], io: CliIo): Promise<void> {
  const out = outputFor(command, io);
  const flags = command.opts<ExportFlags>();
  const dir = resolve(io.cwd, flags.out);
  ensureFolder(flags.out, dir);
  if (flags.format === "k6") {
    const compose = {
      lookup: templateLookup(command, io),
      env: io.env,
      allowEnv: allowedEnv(command, io),
    };
    await exportK6(sources, dir, flags, compose, out, io);
    return;
  }
  const [recording] = sources;
  if (sources.length !== 1 || recording === undefined) {
    throw usageError(
      "BAD_FORMAT",
      `--format ${flags.format} exports one recording (several sources are for --format k6)`,
    );
  }
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
