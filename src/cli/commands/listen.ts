import { renameSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { describeFsError, failure, TicketHooksError } from "../../core/errors.js";
import type { ExchangeActions } from "../../core/exchanges/actions.js";
import type { Exchange } from "../../core/exchanges/exchange.js";
import { type Listener, type ListenOptions, listen } from "../../core/listener/listen.js";
import { listenActions } from "../../core/listener/listen-actions.js";
import { VERIFY_SIGNATURE_PATH } from "../../core/receiving/platform-api.js";
import { maskSecret } from "../../core/signing/signature.js";
import { listenPorts } from "../../io/adapters.js";
import { UI_KEYS } from "../../ui/layout.js";
import type { Inspector } from "../../web/server.js";
import { AppHealth } from "../app-health.js";
import { parseHeader } from "../deliveries.js";
import { eventTypeList } from "../filters.js";
import { ensureFolder } from "../folders.js";
import type { CliIo } from "../io.js";
import { type ListenFlags, listenOptions, routesLabel } from "../listen-options.js";
import { printExchange, summaryLine } from "../listen-printer.js";
import { loadUi, uiPorts } from "../load-ui.js";
import {
  collect,
  intArg,
  jsonOption,
  secretOption,
  signatureHeaderOption,
  whereOption,
} from "../options.js";
import { type Output, outputFor } from "../output.js";
import { onStopSignal } from "../signals.js";
import { addWebOptions, checkWebFlags, openWeb } from "../web.js";

function urlPath(value: string): string {
  if (!value.startsWith("/")) throw new InvalidArgumentError("--path must start with /.");
  return value;
}

export function listenCommand(io: CliIo): Command {
  const command = new Command("listen").description(
    "receive events locally: verify, validate, show, record and forward them",
  );
  return addWebOptions(
    addForwardOptions(addReceiveOptions(command)).option(
      "--no-ui",
      "plain lines even on a terminal",
    ),
    "the requests (beside the terminal UI or the lines)",
  )
    .option(
      "--export-dir <dir>",
      "where the UI's x (JSON template) and h (HAR) keys write files",
      ".",
    )
    .option(
      "--ready-file <path>",
      "once ready, write {url, web, pid} as JSON to this file (removed on exit): for scripts that start listen in the background",
    )
    .option(
      "--platform-api",
      "also answer the platform's POST /v2/webhook-endpoints/verify-signature (see the README)",
    )
    .option("--platform-api-key <key>", "with --platform-api: accept only this API key")
    .option(
      "--platform-api-key-header <name>",
      "with --platform-api: the header carrying the API key (default Authorization: Bearer)",
    )
    .addOption(jsonOption())
    .addHelpText("after", HELP)
    .action(async function (this: Command) {
      await runListen(this, io);
    });
}

/** Where and how requests are received and checked. */
function addReceiveOptions(command: Command): Command {
  return command
    .option("-p, --port <port>", "port; 0 picks a free one", intArg("--port", 0, 65535), 4000)
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option("--path <path>", "path events are posted to", urlPath, "/")
    .addOption(secretOption("endpoint secret; requests must be signed with it"))
    .addOption(signatureHeaderOption())
    .option(
      "--tolerance <seconds>",
      "maximum signature age; 0 disables the check",
      intArg("--tolerance", 0),
      300,
    )
    .option("--max-body <bytes>", "largest body accepted", intArg("--max-body", 1), 1024 * 1024)
    .option(
      "--max-held <bytes>",
      "body bytes all requests still arriving may hold together; past it, 503 (default: 64 MiB or 4 × --max-body)",
      intArg("--max-held", 1),
    )
    .option(
      "--status <code>",
      "status to answer accepted events with",
      // 1xx are not final answers: a client would wait for one for ever.
      intArg("--status", 200, 599),
      200,
    )
    .option("--delay <ms>", "wait before answering (a slow endpoint)", intArg("--delay", 0), 0)
    .option("--reject-invalid", "answer schema-invalid events 422 (default: accept them, flagged)")
    .option("--events <list>", "only show and forward these, e.g. created,resolved", eventTypeList)
    .addOption(whereOption())
    .option("--record <file>", "append every request to this NDJSON file");
}

/** Where accepted events are forwarded, and how. */
function addForwardOptions(command: Command): Command {
  return command
    .option("--forward-to <url>", "forward accepted events to your app; senders get its answer")
    .option("--forward-secret <secret>", "re-sign forwarded events with this secret")
    .option(
      "--forward <events=url>",
      "forward these events to this app, e.g. created,assigned=http://localhost:3000/a (repeatable; others go to --forward-to, or are answered here)",
      collect,
    )
    .option(
      "--forward-secret-for <events=secret>",
      "re-sign the --forward route with these events with this secret (repeatable)",
      collect,
    )
    .option(
      "-H, --header <header>",
      'add "Name: value" to forwarded requests (repeatable)',
      parseHeader,
    )
    .option("--insecure", "accept a self-signed certificate from an https --forward-to target");
}

const HELP = `
${UI_KEYS}

Answers: 404 wrong path · 405 not POST · 415 not JSON · 413 too large · 401 missing, malformed,
stale, future or wrong signature (with --secret) · 400 unparsable JSON · 422 invalid event (with
--reject-invalid) · otherwise --status (200), or your app's answer with --forward-to (502 if it
is down). Ctrl-C stops, finishes requests in flight, flushes the recording and prints a summary.

Examples:
  $ ticket-hooks listen --secret "$SECRET"
  $ ticket-hooks listen --port 0 --json --record events.ndjson
  $ ticket-hooks listen --path /webhooks --forward-to http://localhost:3000/webhooks --secret "$SECRET"
  $ ticket-hooks listen --forward created,assigned=http://localhost:3000/a --forward resolved=http://localhost:4000/b
  $ ticket-hooks listen --status 500 --delay 2000       # a failing, slow endpoint
  $ ticket-hooks listen --secret "$SECRET" --forward-to http://localhost:3000/webhooks --web   # and a page`;

/** listen: start, say where, run until Ctrl-C (or q in the UI), stop and sum up. */
async function runListen(command: Command, io: CliIo): Promise<void> {
  const out = outputFor(command, io);
  const given = command.opts<ListenFlags>();
  checkWebFlags(given);
  const options = listenOptions(given);
  // From here on, --forward-to is shown as it is sent to: without a `user:password@`.
  const flags = { ...given, ...(options.forwardTo ? { forwardTo: options.forwardTo } : {}) };
  if (flags.host === "0.0.0.0" || flags.host === "::" || flags.host === "") {
    out.warn(
      `binding to all interfaces (${flags.host || "*"}): anyone on your network can send to this listener`,
    );
  }
  const useUi = !out.json && flags.ui && io.stdout.isTTY === true && io.stdin.isTTY === true;
  const exportDir = resolve(io.cwd, flags.exportDir ?? ".");
  if (useUi) ensureFolder(flags.exportDir ?? ".", exportDir);
  const health = new AppHealth(out, useUi);
  const listener = await startListener(
    options,
    io,
    out,
    { useUi, web: flags.web === true },
    health,
  );
  const actions = listenActions(listener, {
    url: listener.url,
    secret: flags.secret,
    signatureHeader: flags.signatureHeader,
  });
  // The page first: "Ready" means all of it is (a taken --web-port fails before it).
  const inspector = flags.web
    ? await startWeb(listener, actions, flags, out).catch(async (error) => {
        await listener.close();
        throw error;
      })
    : undefined;
  if (flags.readyFile) {
    const ready = { url: listener.url, web: inspector?.url ?? null };
    await writeReadyFile(io, flags.readyFile, ready).catch(async (error) => {
      await inspector?.close();
      await listener.close();
      throw error;
    });
  }
  if (out.json) out.record({ type: "ready", url: listener.url });
  announce(out, flags, options, listener.url);
  health.ready();
  let stop = untilStopped(io, out, flags);
  if (useUi) {
    const { runListenUi } = await loadUi();
    const info = {
      url: listener.url,
      secret: flags.secret,
      // With routes, the header names them; each row goes to its own route's app.
      forwardTo: routesLabel(options.forwardRoutes, flags.forwardTo),
      exportDir,
      target: health,
    };
    stop = Promise.race([stop, runListenUi(listener, actions, info, uiPorts(io))]);
  }
  await stop;
  out.note("\nStopping: finishing requests in flight (Ctrl-C again to force)…");
  await inspector?.close();
  if (flags.readyFile) removeReadyFile(io, flags.readyFile);
  await closeListener(listener, out, flags);
}

/**
 * --ready-file: the listener's address, written whole or not at all (a temporary file renamed),
 * so a script that waits for the file never reads half of it.
 */
async function writeReadyFile(
  io: CliIo,
  file: string,
  ready: { url: string; web: string | null },
): Promise<void> {
  const path = resolve(io.cwd, file);
  const partial = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(partial, `${JSON.stringify({ ...ready, pid: process.pid })}\n`);
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new TicketHooksError(
      "WRITE_FAILED",
      `cannot write --ready-file ${file}: ${describeFsError(error)}`,
    );
  }
}

function removeReadyFile(io: CliIo, file: string): void {
  rmSync(resolve(io.cwd, file), { force: true });
}

/**
 * The web inspector beside the listener, on a loopback port of its own, fed by the same request
 * log as the terminal UI: its URL (with the run's token) said once.
 */
async function startWeb(
  listener: Listener,
  actions: ExchangeActions,
  flags: ListenFlags,
  out: Output,
): Promise<Inspector> {
  return openWeb(
    {
      source: listener.log,
      actions,
      kind: "listen",
      title: listener.url,
      secret: flags.secret ? maskSecret(flags.secret) : null,
      checkSecret: flags.secret,
      sendsTo: (ex) => listener.forwardTargetFor(ex)?.url ?? null,
    },
    flags,
    out,
  );
}

/**
 * The listener, printing as it goes: NDJSON lines with --json, a line per request without the
 * UI. Only the live UI and the web inspector show past requests: without them nothing is kept,
 * so every request's objects die young (cheap for the garbage collector under load).
 */
function startListener(
  options: ListenOptions,
  io: CliIo,
  out: Output,
  { useUi, web }: { useUi: boolean; web: boolean },
  health: AppHealth,
): Promise<Listener> {
  const printing = {
    onExchange: (ex: Exchange) => {
      if (!ex.verdict.filtered) printExchange(out, ex);
    },
  };
  return listen(
    { ...options, keep: useUi || web ? 1000 : 0, retainEvents: false },
    {
      ...listenPorts,
      clock: io.clock,
      ...(out.json ? { output: io.stdout } : useUi ? {} : printing),
      onError: (error) => out.warn(error.message),
      onWarning: (message) => out.warn(message),
      onTarget: health.observe,
    },
  );
}

/** What the listener does, said once it is ready. */
function announce(out: Output, flags: ListenFlags, options: ListenOptions, url: string): void {
  if (flags.secret) {
    out.note(`Ready: listening on ${url}`);
    out.note(
      `Verifying signatures in ${flags.signatureHeader} with secret ${maskSecret(flags.secret)}`,
    );
  } else {
    out.note(
      `Ready: listening on ${url} — signatures are NOT checked (no --secret): any request is accepted`,
    );
  }
  if (flags.record) out.note(`Recording to ${flags.record}`);
  announceForwarding(out, flags, options);
  if (flags.platformApi)
    out.note(
      `Platform API: POST ${new URL(VERIFY_SIGNATURE_PATH, url).href} (point your API base URL at ${new URL("/", url).href})`,
    );
  if (flags.insecure) out.warn("--insecure: the forward target's certificate is not checked");
}

function announceForwarding(out: Output, flags: ListenFlags, options: ListenOptions): void {
  for (const route of options.forwardRoutes ?? []) {
    const resigned = route.secret ? ` (re-signed with ${maskSecret(route.secret)})` : "";
    out.note(`Forwarding ${(route.events ?? []).join(", ")} to ${route.url}${resigned}`);
  }
  if (flags.forwardTo) {
    out.note(
      options.forwardRoutes
        ? `Forwarding every other event to ${flags.forwardTo}`
        : `Forwarding to ${flags.forwardTo}`,
    );
  } else if (options.forwardRoutes) {
    out.note("Other events are answered here (no --forward-to)");
  }
}

/** Resolves on Ctrl-C; a second one does not wait: it says what it abandons and ends the run. */
function untilStopped(io: CliIo, out: Output, flags: ListenFlags): Promise<unknown> {
  return new Promise<void>((resolve) => {
    onStopSignal(
      io.signals,
      () => resolve(),
      () => {
        const lost = ["requests in flight go unanswered"];
        if (flags.forwardTo) lost.push(`their forwards to ${flags.forwardTo} are cut off`);
        if (flags.record) lost.push(`lines not yet written to ${flags.record} are lost`);
        out.warn(`Ctrl-C again: stopping now; ${lost.join(", ")}`);
        io.exit(130);
      },
    );
  });
}

/** Stops the listener and sums up; a failure when requests could not be recorded. */
async function closeListener(listener: Listener, out: Output, flags: ListenFlags): Promise<void> {
  const counters = await listener.close();
  out.note(`Summary: ${summaryLine(counters)}`);
  if (listener.droppedLines > 0)
    out.warn(`${listener.droppedLines} --json line(s) dropped: stdout was not being read`);
  if (!flags.record) return;
  const lost = listener.notRecorded;
  out.note(`Recorded ${counters.received - lost} request(s) to ${flags.record}`);
  if (lost > 0) {
    throw failure(
      "RECORD_FAILED",
      `${lost} request(s) could not be recorded to ${flags.record} (answered 503)`,
      "Free some space (or fix the file's permissions) and send them again.",
    );
  }
}
