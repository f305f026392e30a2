import { Command, InvalidArgumentError, Option } from "commander";
import { replayPlan } from "../../core/delivery/replay.js";
import { deliverPlanned } from "../../core/delivery/send.js";
import type { WhereClause } from "../../core/events/where.js";
import { notARecording, readRecorded } from "../../core/receiving/recording.js";
import {
  addDeliveryOptions,
  type DeliveryFlags,
  deliveryOptions,
  printDryRun,
  requireTarget,
  runDeliveries,
} from "../deliveries.js";
import { commaList, eventTypeList, timeArg } from "../filters.js";
import type { CliIo } from "../io.js";
import { intArg, whereOption } from "../options.js";
import { outputFor } from "../output.js";

interface ReplayFlags extends DeliveryFlags {
  keepSignature?: boolean;
  events?: string[];
  where?: WhereClause[];
  ids?: string[];
  since?: number;
  until?: number;
  onlyValid?: boolean;
  includeRejected?: boolean;
  delay?: number;
  timing: "fast" | "original";
  speed: number;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError("--speed must be a number > 0.");
  return n;
}

export function replayCommand(io: CliIo): Command {
  const command = new Command("replay")
    .description("re-send recorded events byte for byte, re-signed with a fresh timestamp")
    .argument("<source>", "a `listen --record` file, or a folder of JSON files")
    .option("--keep-signature", "send the recorded signature header instead of signing afresh")
    .option("--events <list>", "only these event types, e.g. created,resolved", eventTypeList)
    .option("--ids <list>", "only these event ids (comma-separated)", commaList)
    .addOption(whereOption())
    .option(
      "--since <time>",
      "only events received at or after (ISO or Unix seconds)",
      timeArg("--since"),
    )
    .option("--until <time>", "only events received at or before", timeArg("--until"))
    .option("--only-valid", "only events that validated when recorded")
    .option("--include-rejected", "also requests the listener turned away (401, 400, …)")
    .option("--delay <ms>", "wait this long between sends", intArg("--delay", 0))
    .addOption(
      new Option("--timing <mode>", "fast, or original: the recorded gaps")
        .choices(["fast", "original"])
        .default("fast"),
    )
    .option("--speed <factor>", "with --timing original: divide the gaps by this", positive, 1);
  addDeliveryOptions(command).addHelpText(
    "after",
    `
The file is streamed: a million recorded events replay in constant memory. A cut or broken line is
skipped with a warning naming its line number. Output, --json, the summary, --dry-run and exit
codes are those of send.

Examples:
  $ ticket-hooks replay events.ndjson --to http://localhost:3000/webhooks --secret "$SECRET"
  $ ticket-hooks replay events.ndjson --to $URL --events resolved --only-valid
  $ ticket-hooks replay events.ndjson --to $URL --timing original --speed 10
  $ ticket-hooks replay events.ndjson --to $URL --keep-signature     # stale signatures: expect 401s
  $ ticket-hooks replay ./exported/ --to $URL --concurrency 8`,
  );
  return command.action(async function (this: Command, source: string) {
    const out = outputFor(this, io);
    const flags = this.opts<ReplayFlags>();
    const to = flags.dryRun && !flags.to ? "http://localhost:3000/" : requireTarget(flags.to);
    const options = {
      ...deliveryOptions({ ...flags, to }),
      source,
      keepSignature: flags.keepSignature === true,
      events: flags.events ? new Set(flags.events) : undefined,
      ids: flags.ids ? new Set(flags.ids) : undefined,
      where: flags.where,
      since: flags.since,
      until: flags.until,
      onlyValid: flags.onlyValid === true,
      includeRejected: flags.includeRejected === true,
      delayMs: flags.delay,
      timing: flags.timing,
      speed: flags.speed,
    };
    // The first warnings are shown; past ten, only counted (a wrong file would flood stderr).
    let broken = 0;
    const warn = (message: string) => {
      if (++broken <= 10) out.warn(message);
    };
    let read = 0;
    const records = await readRecorded(source, warn, flags.signatureHeader);
    async function* counted() {
      for await (const record of records) {
        read++;
        yield record;
      }
    }
    out.note(`Replaying ${source}`);
    const plan = replayPlan(counted(), options);
    const finish = () => {
      if (broken > 10) out.warn(`${broken - 10} more unreadable line(s) skipped`);
      if (read === 0 && broken > 0) throw notARecording(source, broken);
    };
    if (flags.dryRun) {
      await printDryRun(out, plan, flags, to);
      finish();
      return;
    }
    try {
      await runDeliveries(out, flags, 0, (deps) => deliverPlanned(plan, options, deps));
    } finally {
      finish();
    }
  });
}
