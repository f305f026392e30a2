import { randomBytes } from "node:crypto";
import { Command } from "commander";
import { composeAll, deliver } from "../../core/delivery/send.js";
import { TicketHooksError } from "../../core/errors.js";
import type { Listener } from "../../core/listener/listen.js";
import { listen } from "../../core/listener/listen.js";
import { LineEncoder } from "../../core/recording/line-encoder.js";
import { maskSecret } from "../../core/signing/signature.js";
import { createSender, listenPorts, nodeFiles } from "../../io/adapters.js";
import { DeliveryPrinter } from "../delivery-printer.js";
import type { CliIo } from "../io.js";
import { exchangeLines, summaryLine } from "../listen-printer.js";
import { jsonOption } from "../options.js";
import { type Output, outputFor } from "../output.js";
import { signalExitCode, untilSignal } from "../signals.js";

export function demoCommand(io: CliIo): Command {
  return new Command("demo")
    .description("start a local listener, send it the four events over real HTTP, show both sides")
    .option("--keep-open", "leave the listener running afterwards (Ctrl-C to stop)")
    .option("-s, --secret <secret>", "use this secret instead of one generated for this run")
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `
Nothing leaves this machine: the listener binds to 127.0.0.1 on a free port and uses a secret
generated for this run. Exit code 0 when all four events were delivered, verified and valid.

Examples:
  $ ticket-hooks demo
  $ ticket-hooks demo --keep-open     # prints the URL and secret to send more events with`,
    )
    .action(async function (this: Command) {
      const out = outputFor(this, io);
      const flags = this.opts<{ keepOpen?: boolean; secret?: string }>();
      const keepOpen = flags.keepOpen === true;
      const given = flags.secret !== undefined;
      const secret = flags.secret ?? `whsec_${randomBytes(18).toString("hex")}`;
      const encoder = new LineEncoder();
      const listener = await listen(
        { port: 0, secret },
        {
          ...listenPorts,
          clock: io.clock,
          onExchange: (ex) => {
            if (out.json) out.line(encoder.line(ex));
            else
              for (const l of exchangeLines(ex, out.c)) out.line(`${out.c.cyan("listen ›")} ${l}`);
          },
        },
      );
      try {
        await runDemo(out, listener, secret, keepOpen, given);
      } finally {
        await listener.close();
      }
    });
}

/** Sends the four events to the listener through real HTTP and checks what it saw. */
async function runDemo(
  out: Output,
  listener: Listener,
  secret: string,
  keepOpen: boolean,
  given: boolean,
) {
  if (out.json) out.record({ type: "ready", url: listener.url });
  out.note(
    `Listener ready on ${listener.url} (secret ${maskSecret(secret)}, ${given ? "from --secret" : "generated for this demo"})`,
  );
  const events = composeAll({
    events: ["all"],
    to: listener.url,
    fresh: true,
    lookup: { cwd: out.io.cwd, env: out.io.env, files: nodeFiles },
    env: out.io.env,
  });
  for (const e of events) out.note(`Using template ${e.file}`);
  const printer = new DeliveryPrinter(out, { total: events.length });
  const sent = await deliver(
    events,
    { to: listener.url, secret },
    {
      createSender,
      clock: out.io.clock,
      onResult: (r) => {
        if (out.json) printer.result(r);
        else
          out.line(
            `${out.c.magenta("send   ›")} ${r.ok ? out.c.green(`✓ ${r.status}`) : out.c.red(`✗ ${r.status ?? "ERR"}`)}  ${r.event_type}  ${r.event_id}  ${r.duration_ms}ms`,
          );
      },
    },
  );
  printer.summary(sent.summary, true);
  const { counters } = listener.log;
  const ok =
    sent.summary.ok === events.length &&
    counters.valid === events.length &&
    counters.rejected === 0;
  out.note(`Listener: ${summaryLine(counters)}`);
  if (keepOpen) {
    // The user asked to keep sending: the generated secret is theirs to use (a local,
    // throw-away listener on 127.0.0.1). One given with --secret they already know.
    const shown = given ? '"$SECRET" (the one you gave)' : secret;
    // Listening for Ctrl-C before saying so: a Ctrl-C right after the note stops the demo.
    const stopped = untilSignal(out.io.signals, (signal) => out.io.exit(signalExitCode(signal)));
    out.note(
      `Still listening on ${listener.url}. Try:\n  ticket-hooks send resolved --to ${listener.url} --secret ${shown}\n(send without --secret to see a 401). Ctrl-C to stop.`,
    );
    await stopped;
  }
  if (!ok) {
    throw new TicketHooksError("DEMO_FAILED", "the demo did not see four valid, verified events", {
      kind: "failed",
    });
  }
  if (!out.json) out.note("Demo passed: four events sent, signed, verified and valid.");
}
