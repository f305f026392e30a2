import { readFileSync, statSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { ChaosLog, type ChaosSpec, chaosStream, parseChaos } from "../../core/delivery/chaos.js";
import { ReplayPlan, type ReplayTally } from "../../core/delivery/replay.js";
import type { PlannedRequest } from "../../core/delivery/requests.js";
import { deliverPlanned, type PlanSource } from "../../core/delivery/send.js";
import { TicketHooksError, usageError } from "../../core/errors.js";
import type { WhereClause } from "../../core/events/where.js";
import { isPlainObject, tryParseJson } from "../../core/json.js";
import { newSeed, SeededRandom } from "../../core/random.js";
import { DEFAULT_MAX_LINE } from "../../core/recording/lines.js";
import { notARecording, readRecordedBatches } from "../../core/recording/recording.js";
import { nodeFiles } from "../../io/adapters.js";
import {
  addDeliveryOptions,
  type DeliveryFlags,
  deliveryOptions,
  printDryRun,
  runDeliveries,
  targetFlags,
} from "../deliveries.js";
import { commaList, eventTypeList, timeArg } from "../filters.js";
import type { CliIo } from "../io.js";
import { intArg, whereOption } from "../options.js";
import { outputFor } from "../output.js";
import { noteIfPipe } from "../pipes.js";

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
  maxLine: number;
  chaos?: ChaosSpec;
  seed?: number;
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
    .option("--keep-signature", "send the recorded signature header instead of signing afresh");
  addPacingOptions(addFilterOptions(command));
  return addDeliveryOptions(command)
    .addHelpText("after", HELP)
    .action(async function (this: Command, source: string) {
      await runReplay(this, source, io);
    });
}

/** Which recorded requests are sent. */
function addFilterOptions(command: Command): Command {
  return command
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
    .option("--include-rejected", "also requests the listener turned away (401, 400, …)");
}

/** When they are sent, how the file is read, and how the delivery is disturbed. */
function addPacingOptions(command: Command): Command {
  return command
    .option("--delay <ms>", "wait this long between sends", intArg("--delay", 0))
    .addOption(
      new Option("--timing <mode>", "fast, or original: the recorded gaps")
        .choices(["fast", "original"])
        .default("fast"),
    )
    .option("--speed <factor>", "with --timing original: divide the gaps by this", positive, 1)
    .option(
      "--max-line <bytes>",
      "skip recording lines longer than this, with a warning",
      intArg("--max-line", 1),
      DEFAULT_MAX_LINE,
    )
    .option(
      "--chaos <spec>",
      "disturb the delivery: duplicate=P,reorder=N,jitter=MS (reproducible with --seed)",
      parseChaos,
    )
    .option(
      "--seed <n>",
      "seed of --chaos (printed when not given)",
      intArg("--seed", 0, 2 ** 32 - 1),
    );
}

const HELP = `
The file is streamed: a million recorded events replay in constant memory. A cut or broken line, or
one longer than --max-line (default 64 MiB), is skipped with a warning naming its line number. Output, --json, the summary, --dry-run and exit
codes are those of send.

Examples:
  $ ticket-hooks replay events.ndjson --to http://localhost:3000/webhooks --secret "$SECRET"
  $ ticket-hooks replay events.ndjson --to $URL --events resolved --only-valid
  $ ticket-hooks replay events.ndjson --to $URL --timing original --speed 10
  $ ticket-hooks replay events.ndjson --to $URL --keep-signature     # stale signatures: expect 401s
  $ ticket-hooks replay ./exported/ --to $URL --concurrency 8`;

/** The replay's options from the flags. */
function replayOptions(flags: ReplayFlags, source: string, to: string) {
  return {
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
}

/** 12_000_000 ms → "3 h 20 min"; under an hour, minutes and seconds. */
function spokenDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return s > 0 ? `${m} min ${s} s` : `${m} min`;
}

/** replay: the recording streamed into requests (disturbed with --chaos), shown or delivered. */
async function runReplay(command: Command, source: string, io: CliIo): Promise<void> {
  const out = outputFor(command, io);
  const flags = targetFlags(command.opts<ReplayFlags>(), out);
  const { to } = flags;
  const options = {
    ...replayOptions(flags, source, to),
    onLongWait: (ms: number) =>
      out.note(
        `waiting ${spokenDuration(ms)} before the next event (the recorded gap${flags.speed === 1 ? "" : ` ÷ --speed ${flags.speed}`}): --speed N or --timing fast shortens it, Ctrl-C stops`,
      ),
  };
  // The first warnings are shown; past ten, only counted (a wrong file would flood stderr).
  let broken = 0;
  const warn = (message: string) => {
    if (++broken <= 10) out.warn(message);
  };
  rejectSingleEvent(source, to);
  noteIfPipe(source, out);
  const records = await readRecordedBatches(source, warn, nodeFiles, {
    signatureHeader: flags.signatureHeader,
    maxLine: flags.maxLine,
    signatures: options.keepSignature,
  });
  out.note(`Replaying ${source}`);
  const tally: ReplayTally = { read: 0, matched: 0 };
  let plan: PlanSource & AsyncIterable<PlannedRequest> = new ReplayPlan(
    records,
    options,
    tally,
    warn,
  );
  const chaos = flags.chaos;
  const seed = flags.seed ?? newSeed();
  const log = new ChaosLog();
  if (chaos) {
    out.note(`Seed ${seed} (repeat this run with --seed ${seed})`);
    plan = chaosStream(plan, chaos, new SeededRandom(seed), io.clock, (d) => log.add(d));
  }
  const finish = () => {
    if (chaos) out.note(log.summary(seed, chaos));
    if (broken > 10) out.warn(`${broken - 10} more unreadable line(s) skipped`);
    if (tally.rejected) {
      out.note(
        `${tally.rejected} request(s) the listener rejected (401, 400, …) were skipped: --include-rejected replays them too`,
      );
    }
    judgeReplay(source, tally, broken);
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
}

/** Nothing read (not a recording), or nothing matched the filters: the replay failed. */
function judgeReplay(source: string, tally: ReplayTally, broken: number): void {
  if (tally.read === 0 && broken > 0) throw notARecording(source, broken);
  if (tally.read > 0 && tally.matched === 0) {
    throw new TicketHooksError(
      "NOTHING_MATCHED",
      `0 of ${tally.read} recorded requests matched; nothing was replayed`,
      {
        kind: "failed",
        hint: "Check the filters (--events, --ids, --since, --until, --only-valid); rejected requests need --include-rejected.",
      },
    );
  }
}

/** A file holding one event (not a recording) is meant for `send`: say so before reading it. */
function rejectSingleEvent(source: string, to: string): void {
  let text: string;
  try {
    const stat = statSync(source);
    if (!stat.isFile() || stat.size > 1024 * 1024) return;
    text = readFileSync(source, "utf8");
  } catch {
    return; // readRecorded reports an unreadable source.
  }
  const parsed = tryParseJson(text);
  if (!parsed.ok || !isPlainObject(parsed.value)) return;
  const value = parsed.value;
  if (typeof value.event_type !== "string" || "received_at" in value) return;
  throw usageError(
    "NOT_A_RECORDING",
    `${source} holds a single event, not a recording`,
    `To send it: ticket-hooks send ${source} --to ${to}`,
  );
}
