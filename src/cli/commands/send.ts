import { Command, Option } from "commander";
import { type ComposedEvent, invalidEventError } from "../../core/delivery/compose.js";
import { bodyFactory } from "../../core/delivery/requests.js";
import { platformDelaysMs } from "../../core/delivery/retry-schedule.js";
import { composeAll, deliver, type SendOptions } from "../../core/delivery/send.js";
import { varyEvent } from "../../core/delivery/vary.js";
import { TicketHooksError, usageError } from "../../core/errors.js";
import { closestDocumentedPath } from "../../core/events/documented-paths.js";
import { parseAssignment } from "../../core/events/overrides.js";
import { isPlainObject, parseJsonOrThrow } from "../../core/json.js";
import { newSeed, SeededRandom } from "../../core/random.js";
import { validateEvent } from "../../core/validation/validate.js";
import { nodeFiles } from "../../io/adapters.js";
import { readInput } from "../../io/input.js";
import {
  addDeliveryOptions,
  type DeliveryFlags,
  deliveryOptions,
  printDryRun,
  runDeliveries,
  targetFlags,
} from "../deliveries.js";
import type { CliIo } from "../io.js";
import { allowEnvOption, allowedEnv, collect, intArg, templatesOption } from "../options.js";
import { type Output, outputFor } from "../output.js";
import { describeOrigin, templateLookup } from "../template-source.js";

interface SendFlags extends DeliveryFlags {
  set?: string[];
  setString?: string[];
  unset?: string[];
  data?: string;
  fresh?: boolean;
  newTicket?: boolean;
  edit?: boolean;
  skipValidation?: boolean;
  count: number;
  templates?: string;
  retrySchedule?: "platform";
  speed: number;
  vary?: number;
  seed?: number;
}

/** --vary: n valid, unusual variants of the one event given (seeded, so repeatable). */
function variantsOf(
  events: ComposedEvent[],
  count: number,
  seedFlag: number | undefined,
  out: Output,
): ComposedEvent[] {
  const [event] = events;
  if (events.length !== 1 || !event || !isPlainObject(event.value)) {
    throw usageError(
      "BAD_VARY",
      "--vary takes exactly one event (a JSON object)",
      "e.g. send created --vary 50",
    );
  }
  const seed = seedFlag ?? newSeed();
  const variants = varyEvent(event.value, count, new SeededRandom(seed));
  out.note(
    `Seed ${seed}: ${variants.length} variant(s) of ${event.validation.eventType ?? event.spec} (repeat with --seed ${seed})`,
  );
  return variants.map((v, i) => {
    out.note(`  ${i + 1}. ${v.label}`);
    return {
      ...event,
      spec: `${event.spec} (variant ${i + 1})`,
      value: v.value,
      validation: validateEvent(v.value),
    };
  });
}

export function sendCommand(io: CliIo): Command {
  const command = new Command("send")
    .description("send events to a URL exactly as the platform would (POST, JSON, signed)")
    .argument(
      "<events...>",
      "created, updated, assigned, resolved, all, an event type, a JSON file, or - for standard input",
    );
  addVolumeOptions(addEditOptions(command));
  return addDeliveryOptions(command)
    .addHelpText("after", HELP)
    .action(async function (this: Command, specs: string[]) {
      await runSend(this, specs, io);
    });
}

/** What is sent: the event's fields changed, its ids and times made new, edited by hand. */
function addEditOptions(command: Command): Command {
  return command
    .option(
      "--set <path=value>",
      "set a field; value parsed as JSON when valid, else a string (repeatable)",
      collect,
    )
    .option(
      "--set-string <path=value>",
      "set a field to a string, never parsed (repeatable)",
      collect,
    )
    .option("--unset <path>", "remove a field (repeatable)", collect)
    .option("--data <file>", "JSON object deep-merged into each event")
    .option("--fresh", "new event_id, timestamps moved so the newest is now")
    .option("--new-ticket", "like --fresh, plus new ticket and reply ids")
    .option("--edit", "open each event in $VISUAL/$EDITOR before sending")
    .option("--skip-validation", "send events that fail validation (to test a rejection path)")
    .addOption(templatesOption())
    .addOption(allowEnvOption());
}

/** How many are sent, and on which schedule. */
function addVolumeOptions(command: Command): Command {
  return command
    .option(
      "--count <n>",
      "send each event n times (fresh event_id each when n > 1)",
      intArg("--count", 1),
      1,
    )
    .addOption(
      new Option(
        "--retry-schedule <name>",
        "retry every failed answer on the platform's back-off (over ~3 days; see the README)",
      ).choices(["platform"]),
    )
    .option(
      "--vary <n>",
      "send n valid but unusual variants of the event (nulls, unicode, long strings, boundary times…)",
      intArg("--vary", 1, 10_000),
    )
    .option(
      "--seed <n>",
      "seed of --vary (printed when not given)",
      intArg("--seed", 0, 2 ** 32 - 1),
    )
    .option(
      "--speed <factor>",
      "with --retry-schedule: divide its delays by this",
      intArg("--speed", 1),
      1,
    );
}

const HELP = `
Paths look like data.ticket.title or data.ticket.replies[0].text. --data merges first, then
--set, --set-string and --unset apply in that order.

Exit code: 0 every delivery got a 2xx · 1 any failed after its retries · 2 usage error.

Examples:
  $ ticket-hooks send created --to http://localhost:3000/webhooks --secret "$SECRET"
  $ ticket-hooks send all --to http://localhost:3000/webhooks --fresh
  $ ticket-hooks send updated --to $URL --set data.ticket.title="Refund please" --unset data.ticket.subcategory
  $ ticket-hooks send ./my-event.json --to $URL --retries 5 --backoff 200
  $ ticket-hooks send created --to $URL --count 1000 --concurrency 32 --quiet
  $ ticket-hooks send resolved --to $URL --dry-run`;

/** send: compose the events, check them, then show them (--dry-run) or deliver them. */
async function runSend(command: Command, specs: string[], io: CliIo): Promise<void> {
  const out = outputFor(command, io);
  const flags = targetFlags(command.opts<SendFlags>(), out);
  const { to } = flags;
  const options = await sendOptions(command, io, specs, { ...flags, to });
  if (options.retryDelaysMs) {
    const faster = flags.speed > 1 ? `, ${flags.speed}× faster` : "";
    const delays = options.retryDelaysMs.map((ms) => `${Math.round(ms * 10) / 10}ms`).join(", ");
    out.note(`Retries on the platform's schedule (our assumption)${faster}: ${delays}`);
  }
  const events = await eventsToSend(options, flags, out, io);
  if (flags.dryRun) {
    await printDryRun(
      out,
      events.map((e) => bodyFactory(e).first),
      flags,
      to,
    );
    return;
  }
  await runDeliveries(out, flags, events.length * flags.count, (deps) =>
    deliver(events, options, deps),
  );
}

/** The send options of the flags: --data read, standard input read once, edits parsed. */
async function sendOptions(
  command: Command,
  io: CliIo,
  specs: string[],
  flags: SendFlags & { to: string },
): Promise<SendOptions> {
  const data = flags.data
    ? parseJsonOrThrow(nodeFiles.readText(flags.data), flags.data)
    : undefined;
  if (data !== undefined && !isPlainObject(data)) {
    throw usageError("BAD_DATA", `--data ${flags.data} must hold a JSON object`);
  }
  if (specs.filter((s) => s === "-").length > 1) {
    throw usageError("STDIN_TWICE", "standard input (-) can be read only once");
  }
  const stdin = specs.includes("-")
    ? (await readInput("-", io.stdin)).bytes.toString("utf8")
    : undefined;
  return {
    ...deliveryOptions(flags),
    ...(stdin === undefined ? {} : { stdin }),
    ...(flags.retrySchedule === "platform" ? { retryDelaysMs: platformDelaysMs(flags.speed) } : {}),
    events: specs,
    count: flags.count,
    lookup: templateLookup(command, io),
    env: io.env,
    allowEnv: allowedEnv(command, io),
    overrides: {
      ...(data === undefined ? {} : { data }),
      set: [
        ...(flags.set ?? []).map((s) => parseAssignment(s)),
        ...(flags.setString ?? []).map((s) => parseAssignment(s, true)),
      ],
      unset: flags.unset ?? [],
    },
    fresh: flags.fresh === true,
    newTicket: flags.newTicket === true,
    skipValidation: flags.skipValidation === true,
  };
}

/** The events composed, edited (--edit) and varied (--vary), checked, with their warnings said. */
async function eventsToSend(
  options: SendOptions,
  flags: SendFlags,
  out: Output,
  io: CliIo,
): Promise<ComposedEvent[]> {
  let events = composeAll({ ...options, skipValidation: true });
  for (const e of events) {
    const from = e.origin === "file" ? "" : ` (${describeOrigin(e.origin)})`;
    out.note(`Using ${e.origin === "file" ? "file" : "template"} ${e.file}${from}`);
  }
  if (flags.edit) {
    // Loaded only for --edit: it brings node:child_process, a few ms of every start-up.
    const { editText } = await import("../../io/editor.js");
    events = events.map((e) => editEvent(e, io, editText));
  }
  if (flags.vary !== undefined) events = variantsOf(events, flags.vary, flags.seed, out);
  const invalid = events.find((e) => !e.validation.valid);
  if (invalid && !options.skipValidation) throw invalidEventError(invalid);
  for (const e of events) {
    for (const w of e.validation.warnings) out.warn(`${e.file}: ${w.message}`);
  }
  warnTypos(out, events, [
    ...(options.overrides?.set ?? []).map(([path]) => ["--set", path] as const),
    ...(options.overrides?.unset ?? []).map((path) => ["--unset", path] as const),
  ]);
  return events;
}

function editEvent(
  event: ComposedEvent,
  io: CliIo,
  editText: typeof import("../../io/editor.js").editText,
): ComposedEvent {
  const edited = editText(`${JSON.stringify(event.value, null, 2)}\n`, "event.json", io.env);
  let value: unknown;
  try {
    value = parseJsonOrThrow(edited, `${event.file} (as edited)`);
  } catch (error) {
    if (error instanceof TicketHooksError) {
      throw new TicketHooksError(error.code, `${error.message}; nothing was sent`, {
        hint: "Run again with --edit and fix the JSON.",
      });
    }
    throw error;
  }
  return { ...event, value, validation: validateEvent(value) };
}

/** An edited path near a documented one (`data.ticket.titel`) is probably a typo: say which. */
function warnTypos(
  out: Output,
  events: readonly ComposedEvent[],
  edits: ReadonlyArray<readonly [string, string]>,
): void {
  const types = [
    ...new Set(events.map((e) => e.validation.eventType).filter((t) => t !== undefined)),
  ];
  for (const [flag, path] of edits) {
    const near = types.map((t) => closestDocumentedPath(path, t)).find((p) => p !== undefined);
    if (near) out.warn(`${flag} ${path}: not a documented field; did you mean ${near}?`);
  }
}
