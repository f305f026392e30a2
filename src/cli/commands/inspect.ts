import { Command } from "commander";
import { parseTarget } from "../../core/delivery/send.js";
import { describeFsError, usageError } from "../../core/errors.js";
import { bodyMatchesWhere, type WhereClause } from "../../core/events/where.js";
import type { ForwardResult } from "../../core/receiving/exchange.js";
import { forwardResult } from "../../core/receiving/forwarding.js";
import { RecordingIndex } from "../../core/receiving/recording-index.js";
import { listenPorts } from "../../io/adapters.js";
import type { CliIo } from "../io.js";
import { secretOption, signatureHeaderOption, whereOption } from "../options.js";
import { outputFor } from "../output.js";

interface InspectFlags {
  where?: WhereClause[];
  to?: string;
  secret?: string;
  signatureHeader: string;
}

export function inspectCommand(io: CliIo): Command {
  return new Command("inspect")
    .description("browse a recording in the live UI: search, filter, replay, copy as curl")
    .argument("<recording>", "a `listen --record` file")
    .option("--to <url>", "where r replays the selected request to (re-signed with --secret)")
    .addOption(secretOption("re-sign replays and curl commands with this secret"))
    .addOption(signatureHeaderOption())
    .addOption(whereOption())
    .addHelpText(
      "after",
      `
Opens the recording in the same UI as listen (keys: see the README). Lines are indexed once (their
byte offsets) and read from disk as they are shown: a recording of millions of lines opens in
about a second and holds a few MB.

Examples:
  $ ticket-hooks inspect events.ndjson
  $ ticket-hooks inspect events.ndjson --to http://localhost:3000/webhooks --secret "$SECRET"`,
    )
    .action(async function (this: Command, file: string) {
      const out = outputFor(this, io);
      const flags = this.opts<InspectFlags>();
      if (flags.to) parseTarget(flags.to);
      if (io.stdout.isTTY !== true || io.stdin.isTTY !== true) {
        throw usageError(
          "NOT_A_TERMINAL",
          "inspect is interactive: run it in a terminal",
          `To read a recording in a script, use replay --dry-run or export (${file}).`,
        );
      }
      let index: RecordingIndex;
      try {
        index = RecordingIndex.open(file);
      } catch (error) {
        throw usageError(
          "CANNOT_READ",
          `cannot read ${file}: ${describeFsError(error as NodeJS.ErrnoException)}`,
        );
      }
      const where = flags.where;
      // Every line is read once for --where (slower to open than the offsets alone).
      if (where) index = index.filter((ex) => bodyMatchesWhere(ex.request.body, where));
      const forwarder = flags.to
        ? await listenPorts.createForwarder({
            to: flags.to,
            secret: flags.secret,
            signatureHeader: flags.signatureHeader,
          })
        : undefined;
      try {
        const { runInspectUi } = await import("../../ui/run.js");
        await runInspectUi(index.source(), {
          file,
          to: flags.to,
          secret: flags.secret,
          signatureHeader: flags.signatureHeader,
          onReplay: async (ex): Promise<ForwardResult> => {
            if (!forwarder) {
              return forwardResult({
                status: null,
                durationMs: 0,
                error: "no --to URL to replay to",
                headers: {},
                body: "",
                bodyBytes: 0,
                contentType: undefined,
              });
            }
            const reply = await forwarder.forward(
              ex.request.headers,
              ex.request.body,
              ex.verdict.signature.header,
              { resignWith: flags.secret },
            );
            return forwardResult(reply);
          },
        });
      } finally {
        await forwarder?.close();
        index.close();
      }
      out.note(`Inspected ${index.length} request(s) from ${file}`);
    });
}
