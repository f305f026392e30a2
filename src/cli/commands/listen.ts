import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { parseTarget } from "../../core/delivery/send.js";
import { failure, usageError } from "../../core/errors.js";
import type { WhereClause } from "../../core/events/where.js";
import type { Exchange } from "../../core/exchanges/exchange.js";
import type { ListenOptions } from "../../core/listener/listen.js";
import { listen } from "../../core/listener/listen.js";
import { VERIFY_SIGNATURE_PATH } from "../../core/receiving/platform-api.js";
import { type ForwardRoute, routeEvents } from "../../core/receiving/router.js";
import type { TargetState } from "../../core/receiving/target-health.js";
import { maskSecret } from "../../core/signing/signature.js";
import { listenPorts } from "../../io/adapters.js";
import { UI_KEYS } from "../../ui/layout.js";
import { parseHeader } from "../deliveries.js";
import { eventTypeList } from "../filters.js";
import { ensureFolder } from "../folders.js";
import type { CliIo } from "../io.js";
import { printExchange, summaryLine } from "../listen-printer.js";
import { loadUi, uiPorts } from "../load-ui.js";
import {
  intArg,
  jsonOption,
  secretOption,
  signatureHeaderOption,
  whereOption,
} from "../options.js";
import { outputFor } from "../output.js";
import { onStopSignal } from "../signals.js";

function urlPath(value: string): string {
  if (!value.startsWith("/")) throw new InvalidArgumentError("--path must start with /.");
  return value;
}

interface ListenFlags {
  exportDir?: string;
  port: number;
  host: string;
  path: string;
  secret?: string;
  signatureHeader: string;
  tolerance: number;
  maxBody: number;
  status: number;
  delay: number;
  rejectInvalid?: boolean;
  events?: string[];
  where?: WhereClause[];
  record?: string;
  forwardTo?: string;
  forwardSecret?: string;
  /** `EVENTS=URL` specs from the command line, or the config file's map. */
  forward?: string[] | Record<string, unknown>;
  forwardSecretFor?: string[];
  header?: Array<[string, string]>;
  insecure?: boolean;
  json?: boolean;
  ui: boolean;
  platformApi?: boolean;
  platformApiKey?: string;
  platformApiKeyHeader?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const ROUTE_HINT =
  'Write --forward EVENTS=URL, e.g. --forward created,assigned=http://localhost:3000/hooks (in the config file: "forward": {"created,assigned": "http://…", "resolved": {"url": "http://…", "secret": "…"}}).';

/** `EVENTS=X` → [EVENTS, X], split at the first "=" (URLs and secrets may hold more). */
function splitSpec(spec: string, flag: string): [string, string] {
  const at = spec.indexOf("=");
  if (at <= 0 || at === spec.length - 1) {
    throw usageError(
      "BAD_ROUTE",
      `${flag} ${JSON.stringify(spec)}: expected EVENTS=${flag === "--forward" ? "URL" : "SECRET"}`,
      ROUTE_HINT,
    );
  }
  return [spec.slice(0, at), spec.slice(at + 1)];
}

function eventsKey(types: readonly string[]): string {
  return [...types].sort().join(",");
}

/** Where events go, for the UI header: `created,assigned → URL · resolved → URL2 · others → URL3`. */
export function routesLabel(
  routes: readonly ForwardRoute[] | undefined,
  forwardTo: string | undefined,
): string | undefined {
  if (!routes || routes.length === 0) return forwardTo;
  const parts = routes.map(
    (r) =>
      `${(r.events ?? []).map((t) => t.replace(/^whitelabel-ticket-/, "")).join(",")} → ${r.url}`,
  );
  if (forwardTo) parts.push(`others → ${forwardTo}`);
  return parts.join(" · ");
}

/** --forward / --forward-secret-for, or the config file's "forward" map → routes. */
export function forwardRoutes(flags: ListenFlags): ForwardRoute[] {
  const routes: ForwardRoute[] = [];
  const add = (events: string, url: string, label: string, secret?: string) => {
    const types = routeEvents(events, label);
    try {
      parseTarget(url);
    } catch (error) {
      throw usageError("BAD_ROUTE", `${label}: ${(error as Error).message}`, ROUTE_HINT);
    }
    if (secret === "") {
      throw usageError(
        "EMPTY_SECRET",
        `${label}: the secret is empty`,
        "Give the real secret, or leave it out to use --forward-secret.",
      );
    }
    routes.push({ events: types, url, label, ...(secret !== undefined ? { secret } : {}) });
  };
  const given = flags.forward;
  if (Array.isArray(given)) {
    for (const spec of given) {
      const [events, url] = splitSpec(spec, "--forward");
      add(events, url, `--forward ${events}=${url}`);
    }
  } else if (given !== undefined) {
    if (given === null || typeof given !== "object") {
      throw usageError(
        "BAD_CONFIG",
        `"forward" in the config file must be a map of events to URLs`,
        ROUTE_HINT,
      );
    }
    for (const [events, value] of Object.entries(given)) {
      const label = `"forward": "${events}"`;
      if (typeof value === "string") add(events, value, label);
      else if (
        value !== null &&
        typeof value === "object" &&
        typeof (value as { url?: unknown }).url === "string" &&
        ["undefined", "string"].includes(typeof (value as { secret?: unknown }).secret) &&
        Object.keys(value).every((k) => k === "url" || k === "secret")
      ) {
        const route = value as { url: string; secret?: string };
        add(events, route.url, label, route.secret);
      } else {
        throw usageError(
          "BAD_CONFIG",
          `${label} must be a URL or {"url": "…", "secret": "…"} (value not shown)`,
          ROUTE_HINT,
        );
      }
    }
  }
  for (const spec of flags.forwardSecretFor ?? []) {
    const at = spec.indexOf("=");
    const events = at > 0 ? spec.slice(0, at) : spec;
    // The secret is never echoed.
    if (at <= 0 || at === spec.length - 1) {
      throw usageError(
        "BAD_ROUTE",
        `--forward-secret-for ${JSON.stringify(events)}=…: expected EVENTS=SECRET (value not shown)`,
        'e.g. --forward resolved=http://localhost:4000/hooks --forward-secret-for resolved="$APP_SECRET"',
      );
    }
    const key = eventsKey(routeEvents(events, `--forward-secret-for ${events}`));
    const route = routes.find((r) => r.events && eventsKey(r.events) === key);
    if (!route) {
      throw usageError(
        "BAD_ROUTE",
        `--forward-secret-for ${events}: no --forward ${events}=URL route to give it to`,
        "Name the same events as in the --forward route, e.g. --forward resolved=URL --forward-secret-for resolved=SECRET.",
      );
    }
    route.secret = spec.slice(at + 1);
  }
  return routes;
}
export function listenOptions(flags: ListenFlags): ListenOptions {
  if (flags.forwardTo) parseTarget(flags.forwardTo);
  const routes = forwardRoutes(flags);
  return {
    port: flags.port,
    host: flags.host,
    path: flags.path,
    secret: flags.secret,
    signatureHeader: flags.signatureHeader,
    tolerance: flags.tolerance,
    maxBody: flags.maxBody,
    status: flags.status,
    delayMs: flags.delay,
    rejectInvalid: flags.rejectInvalid === true,
    events: flags.events ? new Set(flags.events) : undefined,
    where: flags.where,
    record: flags.record,
    forwardTo: flags.forwardTo,
    forwardSecret: flags.forwardSecret,
    ...(routes.length > 0 ? { forwardRoutes: routes } : {}),
    ...(flags.platformApi
      ? {
          platformApi: {
            apiKey: flags.platformApiKey,
            ...(flags.platformApiKeyHeader ? { apiKeyHeader: flags.platformApiKeyHeader } : {}),
          },
        }
      : {}),
    forwardHeaders: flags.header ? Object.fromEntries(flags.header) : undefined,
    forwardInsecure: flags.insecure === true,
  };
}

export function listenCommand(io: CliIo): Command {
  return new Command("listen")
    .description("receive events locally: verify, validate, show, record and forward them")
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
    .option("--record <file>", "append every request to this NDJSON file")
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
    .option("--insecure", "accept a self-signed certificate from an https --forward-to target")
    .option("--no-ui", "plain lines even on a terminal")
    .option(
      "--export-dir <dir>",
      "where the UI's x (JSON template) and h (HAR) keys write files",
      ".",
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
    .addHelpText(
      "after",
      `
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
  $ ticket-hooks listen --status 500 --delay 2000       # a failing, slow endpoint`,
    )
    .action(async function (this: Command) {
      const out = outputFor(this, io);
      const flags = this.opts<ListenFlags>();
      const options = listenOptions(flags);
      if (flags.host === "0.0.0.0" || flags.host === "::" || flags.host === "") {
        out.warn(
          `binding to all interfaces (${flags.host || "*"}): anyone on your network can send to this listener`,
        );
      }
      const useUi = !out.json && flags.ui && io.stdout.isTTY === true && io.stdin.isTTY === true;
      const exportDir = resolve(io.cwd, flags.exportDir ?? ".");
      if (useUi) ensureFolder(flags.exportDir ?? ".", exportDir);
      // The forward target's health: a --json line and a warning on each change, and the UI header.
      const targetWatchers = new Set<() => void>();
      // The targets down now (one per --forward route's URL, and --forward-to).
      const downTargets = new Set<string>();
      let targetDown = false;
      // The start probe answers before the ready line, which must stay first: it waits.
      let ready = false;
      const before: TargetState[] = [];
      const onTarget = (state: TargetState) => {
        if (!ready) {
          before.push(state);
          return;
        }
        // --json says when the app is down, and when it is back (an app up from the start is silent).
        if (out.json && state.up === downTargets.has(state.url)) {
          out.record({ type: "target", url: state.url, up: state.up, error: state.error });
        }
        if (!useUi) {
          if (state.up) out.note(`The app at ${state.url} answers.`);
          else out.warn(`The app at ${state.url} is down: ${state.error}`);
        }
        if (state.up) downTargets.delete(state.url);
        else downTargets.add(state.url);
        targetDown = downTargets.size > 0;
        for (const watcher of targetWatchers) watcher();
      };
      // Only the live UI shows past requests: without it nothing is kept, so every request's
      // objects die young (cheap for the garbage collector under load).
      const listener = await listen(
        { ...options, keep: useUi ? 1000 : 0, retainEvents: false },
        {
          ...listenPorts,
          clock: io.clock,
          ...(out.json
            ? { output: io.stdout }
            : useUi
              ? {}
              : {
                  onExchange: (ex: Exchange) => {
                    if (!ex.verdict.filtered) printExchange(out, ex);
                  },
                }),
          onError: (error) => out.warn(error.message),
          onTarget,
        },
      );
      if (out.json) out.record({ type: "ready", url: listener.url });
      ready = true;
      if (flags.secret) {
        out.note(`Ready: listening on ${listener.url}`);
        out.note(
          `Verifying signatures in ${flags.signatureHeader} with secret ${maskSecret(flags.secret)}`,
        );
      } else {
        out.note(
          `Ready: listening on ${listener.url} — signatures are NOT checked (no --secret): any request is accepted`,
        );
      }
      if (flags.record) out.note(`Recording to ${flags.record}`);
      for (const route of options.forwardRoutes ?? []) {
        out.note(
          `Forwarding ${(route.events ?? []).join(", ")} to ${route.url}${route.secret ? ` (re-signed with ${maskSecret(route.secret)})` : ""}`,
        );
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
      if (flags.platformApi)
        out.note(
          `Platform API: POST ${new URL(VERIFY_SIGNATURE_PATH, listener.url).href} (point your API base URL at ${new URL("/", listener.url).href})`,
        );
      if (flags.insecure) out.warn("--insecure: the forward target's certificate is not checked");
      for (const state of before) onTarget(state);
      let stop: Promise<unknown> = new Promise<void>((resolve) => {
        onStopSignal(
          io.signals,
          () => resolve(),
          () => {
            // A second Ctrl-C does not wait: say what it abandons, as send does.
            const lost = ["requests in flight go unanswered"];
            if (flags.forwardTo) lost.push(`their forwards to ${flags.forwardTo} are cut off`);
            if (flags.record) lost.push(`lines not yet written to ${flags.record} are lost`);
            out.warn(`Ctrl-C again: stopping now; ${lost.join(", ")}`);
            io.exit(130);
          },
        );
      });
      if (useUi) {
        const { runListenUi } = await loadUi();
        stop = Promise.race([
          stop,
          runListenUi(
            listener,
            {
              url: listener.url,
              secret: flags.secret,
              // With routes, the header names them; each row goes to its own route's app.
              forwardTo: routesLabel(options.forwardRoutes, flags.forwardTo),
              forwardSecret: flags.forwardSecret,
              signatureHeader: flags.signatureHeader,
              exportDir,
              target: {
                isDown: () => targetDown,
                subscribe: (watcher) => {
                  targetWatchers.add(watcher);
                  return () => targetWatchers.delete(watcher);
                },
              },
            },
            uiPorts(io),
          ),
        ]);
      }
      await stop;
      out.note("\nStopping: finishing requests in flight (Ctrl-C again to force)…");
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
    });
}
