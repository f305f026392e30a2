import { resolve } from "node:path";
import { Command } from "commander";
import { unixSeconds } from "../../core/clock.js";
import { parseTarget } from "../../core/delivery/send.js";
import { describeFsError, TicketHooksError, usageError } from "../../core/errors.js";
import { bodyMatchesWhere, type WhereClause } from "../../core/events/where.js";
import { curlFor, type ExchangeActions } from "../../core/exchanges/actions.js";
import { sendEdited } from "../../core/exchanges/edited.js";
import type { ForwardResult } from "../../core/exchanges/exchange.js";
import type { HarTarget } from "../../core/exchanges/exchange-export.js";
import { NO_FILTER } from "../../core/exchanges/exchange-query.js";
import { forwardResult } from "../../core/exchanges/forward-result.js";
import type { Forwarder } from "../../core/receiving/ports.js";
import { whereLineCheck } from "../../core/recording/line-match.js";
import { BinaryInput, DEFAULT_MAX_LINE, notText } from "../../core/recording/lines.js";
import { RecordingIndex } from "../../core/recording/recording-index.js";
import { RecordingSource } from "../../core/recording/recording-source.js";
import { maskSecret } from "../../core/signing/signature.js";
import { listenPorts, nodeFiles } from "../../io/adapters.js";
import { UI_KEYS } from "../../ui/layout.js";
import { ensureFolder } from "../folders.js";
import type { CliIo } from "../io.js";
import { loadUi, uiPorts } from "../load-ui.js";
import { intArg, secretOption, signatureHeaderOption, whereOption } from "../options.js";
import { type Output, outputFor } from "../output.js";
import { signalExitCode, untilSignal } from "../signals.js";
import { addWebOptions, checkWebFlags, openWeb, type WebFlags } from "../web.js";

interface InspectFlags extends WebFlags {
  where?: WhereClause[];
  maxLine: number;
  to?: string;
  secret?: string;
  signatureHeader: string;
  exportDir?: string;
}

const NO_TARGET: ForwardResult = {
  status: null,
  duration_ms: 0,
  error: "no --to URL to send to",
  headers: {},
  body: "",
  body_bytes: 0,
  body_truncated: false,
};

export function inspectCommand(io: CliIo): Command {
  const command = new Command("inspect")
    .description(
      "browse a recording in the live UI or a web page: search, filter, replay, edit, export",
    )
    .argument("<recording>", "a `listen --record` file")
    .option(
      "--to <url>",
      "where r (replay) and e (edit and send) send the selected request, re-signed with --secret",
    )
    .addOption(
      secretOption("re-sign replays, edits, curl commands and HAR exports with this secret"),
    )
    .addOption(signatureHeaderOption())
    .addOption(whereOption())
    .option("--export-dir <dir>", "where x (JSON template) and h (HAR) write files", ".")
    .option(
      "--max-line <bytes>",
      "show recording lines longer than this as too long, without reading them",
      intArg("--max-line", 1),
      DEFAULT_MAX_LINE,
    );
  return addWebOptions(command, "the recording (instead of the terminal UI; no terminal needed)")
    .addHelpText("after", HELP)
    .action(async function (this: Command, file: string) {
      await runInspect(this, file, io);
    });
}

const HELP = `
${UI_KEYS}

Opens the recording in the same UI as listen (with --web, in the web inspector: a page served
on a loopback port until Ctrl-C). The first rows show at once:
the lines are indexed (their byte offsets) in the background and read from disk as they are
shown, and a search or filter runs in the background too, keeping only where its matches are
(the footer shows how far it has come). A file is read as replay reads it: one with a NUL byte is
no recording; lines that are not UTF-8 JSON objects (or were cut short) are skipped; a line longer
than --max-line (64 MiB) is a row that says so. Rows sent with e are added after the recording's; the
recording itself is never written.

Examples:
  $ ticket-hooks inspect events.ndjson
  $ ticket-hooks inspect events.ndjson --where data.ticket.id=4711
  $ ticket-hooks inspect events.ndjson --to http://localhost:3000/webhooks --secret "$SECRET"
  $ ticket-hooks inspect events.ndjson --web            # in a browser instead (no terminal needed)`;

/** inspect: the recording opened in the live UI, until the user quits; then what was seen. */
async function runInspect(command: Command, file: string, io: CliIo): Promise<void> {
  const out = outputFor(command, io);
  const flags = command.opts<InspectFlags>();
  checkWebFlags(flags);
  if (flags.to) parseTarget(flags.to);
  if (file.trim() === "") throw usageError("NO_RECORDING", "give a recording file to inspect");
  // A file that cannot be read is said first: that is what to fix, terminal or not.
  openIndex(file, io.cwd, flags.maxLine).close();
  if (!flags.web && (io.stdout.isTTY !== true || io.stdin.isTTY !== true)) {
    throw usageError(
      "NOT_A_TERMINAL",
      "inspect is interactive: run it in a terminal",
      `To read a recording in a script, use replay --dry-run or export (${file}); for a web page, inspect --web.`,
    );
  }
  const exportDir = resolve(io.cwd, flags.exportDir ?? ".");
  if (flags.exportDir !== undefined) ensureFolder(flags.exportDir, exportDir);
  const index = openIndex(file, io.cwd, flags.maxLine);
  const where = flags.where;
  const source = new RecordingSource(
    index,
    where
      ? { keep: (ex) => bodyMatchesWhere(ex.request.body, where), keepLine: whereLineCheck(where) }
      : {},
  );
  const forwarder = flags.to
    ? await listenPorts.createForwarder({
        to: flags.to,
        secret: flags.secret,
        signatureHeader: flags.signatureHeader,
      })
    : undefined;
  const actions = inspectActions(flags, source, forwarder, io);
  try {
    if (flags.web) {
      await serveWeb(source, actions, file, flags, out, io);
    } else {
      const { runInspectUi } = await loadUi();
      await runInspectUi(
        source,
        actions,
        { file, to: flags.to, secret: flags.secret, exportDir },
        uiPorts(io),
      );
    }
  } finally {
    source.close();
    await forwarder?.close();
    index.close();
  }
  out.note(inspectedLine(source, file, flags.to));
}

/** The recording as a web page, until Ctrl-C. */
async function serveWeb(
  source: RecordingSource,
  actions: ExchangeActions,
  file: string,
  flags: InspectFlags,
  out: Output,
  io: CliIo,
): Promise<void> {
  const inspector = await openWeb(
    {
      source,
      actions,
      kind: "inspect",
      title: file,
      secret: flags.secret ? maskSecret(flags.secret) : null,
      checkSecret: flags.secret,
      sendsTo: () => flags.to ?? null,
    },
    flags,
    out,
  );
  out.note("Press Ctrl-C to stop.");
  // The file is read in the background from now on, as the terminal UI has it read once shown,
  // not only once a page opens.
  const reading = source.subscribe(() => {});
  await untilSignal(io.signals, (signal) => io.exit(signalExitCode(signal)));
  reading();
  await inspector.close();
}

/** The recording opened, and its first chunk indexed: a file that is no text is refused here. */
function openIndex(file: string, cwd: string, maxLine: number): RecordingIndex {
  try {
    const index = RecordingIndex.start(resolve(cwd, file), nodeFiles, maxLine);
    try {
      index.indexMore();
    } catch (error) {
      index.close();
      throw error;
    }
    return index;
  } catch (error) {
    if (error instanceof BinaryInput) throw notText(file, error);
    if (error instanceof TicketHooksError) throw error;
    throw usageError(
      "CANNOT_READ",
      `cannot read ${file}: ${describeFsError(error as NodeJS.ErrnoException)}`,
    );
  }
}

/** Where curl commands and HAR entries of `inspect` point without `--to`. */
const DEFAULT_TARGET = "http://localhost:3000/";

/** What r, e, c, x and h do (and the page's buttons): send the request (or its edit) to --to. */
function inspectActions(
  flags: InspectFlags,
  source: RecordingSource,
  forwarder: Forwarder | undefined,
  io: CliIo,
): ExchangeActions {
  const harTarget = (): HarTarget => ({
    url: flags.to ?? DEFAULT_TARGET,
    secret: flags.secret,
    signatureHeader: flags.signatureHeader,
    timestamp: unixSeconds(io.clock),
  });
  const checkSend = () => {
    if (flags.secret === undefined) {
      throw usageError(
        "NO_SECRET",
        "an edit is signed before it is sent: start inspect with --secret (the recorded signature would not match the edited body)",
      );
    }
    source.checkAppend();
  };
  return {
    cannotSend: forwarder ? null : "replay and edit send to your app: start inspect with --to URL",
    replay: async (ex) => {
      if (!forwarder) return NO_TARGET;
      const reply = await forwarder.forward(
        ex.request.headers,
        ex.request.body,
        ex.verdict.signature.header,
        { resignWith: flags.secret },
      );
      return forwardResult(reply);
    },
    checkSend,
    resend: async (original, body) => {
      checkSend();
      const sent = await sendEdited(original, body, {
        config: { path: original.request.url.split("?")[0] ?? "/" },
        nowMs: io.clock.now(),
        send: forwarder
          ? (request) =>
              forwarder.forward(request.headers, body, original.verdict.signature.header, {
                resignWith: flags.secret,
              })
          : null,
      });
      return source.append((seq) => ({ seq, ...sent }));
    },
    curl: (ex) => curlFor(ex, harTarget()),
    curlSigned: () => flags.secret !== undefined,
    curlNote: flags.to ? null : `to ${DEFAULT_TARGET}, a placeholder: give --to`,
    harTarget,
  };
}

/** What was inspected, said when the UI closes (and where it stopped, when before the end). */
function inspectedLine(source: RecordingSource, file: string, to: string | undefined): string {
  const sent = source.sent ? `; sent ${source.sent} edited event(s) to ${to}` : "";
  // Quit before the file was read (or searched for --where) to its end: say so.
  const read = source.view(NO_FILTER).progress;
  const partial = read === null ? "" : ` (quit at ${Math.floor(read * 100)}% of the file)`;
  const count = source.counters.received.toLocaleString("en-US");
  return `Inspected ${count} request(s) from ${file}${partial}${sent}`;
}
