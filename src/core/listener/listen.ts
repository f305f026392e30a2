import { randomBytes } from "node:crypto";
import { type Clock, systemClock } from "../clock.js";
import { TicketHooksError, usageError } from "../errors.js";
import type { Exchange, ForwardResult } from "../exchanges/exchange.js";
import { type Counters, RequestLog } from "../exchanges/request-log.js";
import { type EventMatcher, exchangesOf, waitForExchange } from "../exchanges/watch-log.js";
import type { PlatformApiOptions } from "../receiving/platform-api.js";
import type { ListenPorts } from "../receiving/ports.js";
import { DEFAULT_MAX_BODY, type ReceiveConfig } from "../receiving/receive.js";
import { type ForwardRoute, ForwardRouter } from "../receiving/router.js";
import type { TargetState } from "../receiving/target-health.js";
import type { LineSink } from "../recording/line-output.js";
import { DEFAULT_SIGNATURE_HEADER } from "../signing/signature.js";
import { Answerer } from "./answerer.js";
import { TurnWriter } from "./turn-writer.js";

export interface ListenOptions extends ReceiveConfig {
  /** Default 4000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Wait this long before answering (to simulate a slow endpoint). */
  delayMs?: number;
  /** Append every request to this NDJSON file. */
  record?: string | undefined;
  /** Forward accepted events to the user's app; the sender gets the app's answer. */
  forwardTo?: string | undefined;
  /** Re-sign forwarded events with this secret. */
  forwardSecret?: string | undefined;
  /**
   * Forward these event types to their own app (`--forward EVENTS=URL`); types with no route go
   * to `forwardTo`, or are answered by the listener without one.
   */
  forwardRoutes?: readonly ForwardRoute[] | undefined;
  /** Headers added to forwarded requests. */
  forwardHeaders?: Readonly<Record<string, string>> | undefined;
  /** Accept a self-signed certificate from an https forward target. */
  forwardInsecure?: boolean;
  forwardTimeoutMs?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /**
   * Body bytes all requests still arriving may hold together; past it, a request is answered 503
   * with `Retry-After`. Default: 64 MiB, or 4 × maxBody when that is more.
   */
  maxHeldBytes?: number;
  /** Exchanges kept in memory. Default 1000. */
  keep?: number;
  /**
   * Keep each kept exchange's parsed event (default true). The CLI's live UI sets false and
   * re-parses the body it shows, so 1,000 large events never sit in memory twice.
   */
  retainEvents?: boolean;
  /** Bytes of --json output waiting for a slow reader before lines are dropped. Default 16 MiB. */
  outputQueueLimit?: number;
  /** Also answer the platform's POST /v2/webhook-endpoints/verify-signature (platform-api.ts). */
  platformApi?: boolean | PlatformApiOptions;
}

export interface ListenDeps extends ListenPorts {
  /** Called with each exchange as it is handled. */
  onExchange?: (exchange: Exchange) => void;
  /**
   * The `--json` output (stdout): NDJSON lines of the exchanges not filtered out by `events`, in
   * whole lines, at most one write per turn of the event loop; the bytes are the recording's. Its
   * back-pressure is handled here (see LineOutput): a stalled reader's lines are dropped past
   * `outputQueueLimit`, a reader gone stops the output, never the listener.
   */
  output?: LineSink;
  onError?: (error: Error) => void;
  /** Something the user should know that is not an error (said once, e.g. the first 503 busy). */
  onWarning?: (message: string) => void;
  /** The forward target went up or down (probed at start, then followed through forwards). */
  onTarget?: (state: TargetState) => void;
  /** Time for signature checks, arrival times and --delay. Default: the system clock. */
  clock?: Clock;
}

export type { EventMatcher } from "../exchanges/watch-log.js";

export interface Listener {
  url: string;
  host: string;
  port: number;
  log: RequestLog;
  /** Every exchange from now on, as it is handled. */
  events: AsyncIterable<Exchange>;
  /** The first exchange (already received or coming) whose event matches. */
  waitFor(match: EventMatcher, options?: { timeout?: number }): Promise<Exchange>;
  /**
   * Sends a received event to the forward target again, re-signed with a fresh timestamp (with
   * the forward secret, else the listener's secret).
   */
  replay(exchange: Exchange): Promise<ForwardResult>;
  /**
   * Sends an edited body in place of a received event's to the forward target, signed afresh; the
   * result is a new exchange in the log (not in the recording), linked to the original.
   */
  resend(original: Exchange, body: Buffer): Promise<Exchange>;
  /**
   * Where an exchange is forwarded (its route's URL and re-signing secret); undefined when the
   * listener answers its event type itself.
   */
  forwardTargetFor(exchange: Exchange): { url: string; secret: string | undefined } | undefined;
  /** It forwards requests (has a --forward-to target or routes). */
  readonly forwards: boolean;
  /** The forward target's last known state (null without one, or before the first probe). */
  readonly target: TargetState | null;
  /** Stops accepting, finishes requests in flight, flushes the recording; resolves the counters. */
  close(): Promise<Counters>;
  /** Requests that could not be recorded (answered 503), so far. */
  readonly notRecorded: number;
  /** `--json` lines dropped because the output's reader was too slow or gone, so far. */
  readonly droppedLines: number;
}

/**
 * Starts a local receiver: every request goes through the receive pipeline, and its verdict is
 * answered (Answerer), recorded and shown (TurnWriter), logged and forwarded.
 */
export async function listen(options: ListenOptions = {}, deps: ListenDeps): Promise<Listener> {
  checkStatus(options.status);
  const recorder = options.record ? await deps.openRecorder(options.record) : undefined;
  // This listener's id on the requests it forwards: one that comes back is a loop (508).
  const loopId = randomBytes(6).toString("hex");
  const router = await createRouter(options, deps, loopId).catch(async (error) => {
    await recorder?.close();
    throw error;
  });
  const log = new RequestLog(options.keep ?? 1000);
  const clock = deps.clock ?? systemClock;
  const writer = new TurnWriter({
    recorder,
    output: deps.output,
    outputQueueLimit: options.outputQueueLimit,
    log,
    stripEvents: options.retainEvents === false && log.limit > 0,
    onExchange: deps.onExchange,
    onError: deps.onError,
  });
  const answerer = new Answerer(options, router, loopId, clock);
  const server = await deps
    .startServer({
      host: options.host ?? "127.0.0.1",
      port: options.port ?? 4000,
      maxBody: options.maxBody ?? DEFAULT_MAX_BODY,
      ...(options.maxHeldBytes ? { maxHeldBytes: options.maxHeldBytes } : {}),
      onBusy: (limit) => deps.onWarning?.(busyWarning(limit)),
      ...(options.headersTimeoutMs ? { headersTimeoutMs: options.headersTimeoutMs } : {}),
      ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      onRequest: (request) => answerer.handle(request),
      onAnswering: (replies, sent) => writer.answering(replies, sent),
      onAborted: (request, status, reason) =>
        writer.finish(answerer.aborted(request, status, reason)),
    })
    .catch(async (error: NodeJS.ErrnoException) => {
      await recorder?.close();
      await router.close();
      throw listenError(error, options);
    });
  const closeAll = async () => {
    await server.close();
    await router.close();
    writer.flush();
    await recorder?.close();
  };
  await refuseForwardToSelf(router, server, closeAll);
  await router.start();
  const host = server.host.includes(":") ? `[${server.host}]` : server.host;
  const url = `http://${host}:${server.port}${options.path ?? "/"}`;
  return listenerOf({ url, server, log, writer, answerer, router, closeAll });
}

interface ListenerParts {
  url: string;
  server: { host: string; port: number };
  log: RequestLog;
  writer: TurnWriter;
  answerer: Answerer;
  router: ForwardRouter;
  closeAll: () => Promise<void>;
}

/** The running listener, as its callers see it. */
function listenerOf({
  url,
  server,
  log,
  writer,
  answerer,
  router,
  closeAll,
}: ListenerParts): Listener {
  return {
    url,
    host: server.host,
    port: server.port,
    log,
    events: exchangesOf(log),
    get droppedLines() {
      return writer.droppedLines;
    },
    get notRecorded() {
      return writer.notRecorded;
    },
    waitFor: (match, { timeout = 10_000 } = {}) => waitForExchange(log, match, timeout),
    replay: (exchange) => answerer.replay(exchange),
    async resend(original, body) {
      const ex = await answerer.resend(original, body);
      // Shown, not counted or recorded: the listener did not receive it.
      log.add(ex, { counted: false });
      return ex;
    },
    forwardTargetFor(exchange) {
      const target = router.targetFor(exchange.verdict.eventType);
      return target ? { url: target.url, secret: target.secret } : undefined;
    },
    forwards: !router.empty,
    get target() {
      return router.targets[0]?.health.state ?? null;
    },
    async close() {
      await closeAll();
      return { ...log.counters };
    },
  };
}

function busyWarning(limit: number): string {
  return `request bodies in progress hold ${limit} bytes, the most allowed: further requests are answered 503 with Retry-After until they end (--max-held raises the bound)`;
}

function checkStatus(status: number | undefined): void {
  if (status !== undefined && !(status >= 200 && status <= 599)) {
    throw usageError(
      "BAD_STATUS",
      `status ${status} cannot be answered: give 200 to 599 (1xx are not final answers)`,
    );
  }
}

/** The forward routes (`--forward EVENTS=URL`, then `--forward-to` for the rest), started. */
function createRouter(
  options: ListenOptions,
  deps: ListenDeps,
  loopId: string,
): Promise<ForwardRouter> {
  const routes: ForwardRoute[] = [...(options.forwardRoutes ?? [])];
  if (options.forwardTo) {
    routes.push({
      events: null,
      url: options.forwardTo,
      label: `--forward-to ${options.forwardTo}`,
    });
  }
  return ForwardRouter.create(
    routes,
    {
      loopId,
      ...(options.forwardHeaders ? { headers: options.forwardHeaders } : {}),
      ...(options.forwardInsecure ? { insecure: true } : {}),
      signatureHeader: options.signatureHeader ?? DEFAULT_SIGNATURE_HEADER,
      ...(options.forwardTimeoutMs ? { timeoutMs: options.forwardTimeoutMs } : {}),
    },
    options.forwardSecret,
    deps.createForwarder,
    (s) => deps.onTarget?.(s),
  );
}

/** Why the server could not start, for the user. */
function listenError(error: NodeJS.ErrnoException, options: ListenOptions): TicketHooksError {
  const host = options.host ?? "127.0.0.1";
  if (error.code === "EADDRINUSE") {
    return new TicketHooksError(
      "PORT_IN_USE",
      `port ${options.port} is already in use on ${host}`,
      {
        hint: "Choose another with --port, or --port 0 for any free port.",
      },
    );
  }
  return new TicketHooksError(
    "LISTEN_FAILED",
    `cannot listen on ${host}:${options.port ?? 4000}: ${error.message}`,
  );
}

/** A forward target that is this listener itself would send every request back to it. */
async function refuseForwardToSelf(
  router: ForwardRouter,
  server: { host: string; port: number },
  closeAll: () => Promise<void>,
): Promise<void> {
  const itself = router.pointingAtItself(server.host, server.port);
  if (!itself) return;
  await closeAll();
  const flag = itself.label.split(" ")[0];
  throw usageError(
    "FORWARD_TO_SELF",
    `${itself.label} is this listener's own address: every request would come back to it`,
    `Point ${flag} at your app (another port), e.g. http://localhost:3000/webhooks.`,
  );
}
