import { randomBytes } from "node:crypto";
import { type Clock, systemClock, unixSeconds } from "../clock.js";
import { TicketHooksError, usageError } from "../errors.js";
import { sendEdited } from "../exchanges/edited.js";
import type { Exchange, ForwardResult } from "../exchanges/exchange.js";
import { forwardResult } from "../exchanges/forward-result.js";
import { type Counters, RequestLog } from "../exchanges/request-log.js";
import { type EventMatcher, exchangesOf, waitForExchange } from "../exchanges/watch-log.js";
import { isOwnLoop, loopVerdict } from "../receiving/forwarding.js";
import { type PlatformApiOptions, platformApiReply } from "../receiving/platform-api.js";
import type { HttpReply, ListenPorts, Recorder } from "../receiving/ports.js";
import {
  DEFAULT_MAX_BODY,
  type IncomingRequest,
  type ReceiveConfig,
  receive,
  type Verdict,
} from "../receiving/receive.js";
import { type ForwardRoute, ForwardRouter } from "../receiving/router.js";
import type { TargetState } from "../receiving/target-health.js";
import { LineBatch } from "../recording/line-batch.js";
import { LineOutput, type LineSink } from "../recording/line-output.js";
import { DEFAULT_SIGNATURE_HEADER } from "../signing/signature.js";

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
  /** The forward target's last known state (null without one, or before the first probe). */
  readonly target: TargetState | null;
  /** Stops accepting, finishes requests in flight, flushes the recording; resolves the counters. */
  close(): Promise<Counters>;
  /** Requests that could not be recorded (answered 503), so far. */
  readonly notRecorded: number;
  /** `--json` lines dropped because the output's reader was too slow or gone, so far. */
  readonly droppedLines: number;
}

/** Lines are handed over early past this many bytes in one turn. */
const FLUSH_AT = 256 * 1024;

/** The answer when the recording cannot be written: not recorded, so not accepted (the platform retries). */
const NOT_RECORDED: HttpReply = {
  status: 503,
  body: JSON.stringify({
    error: "the recording cannot be written: not accepted, send again later",
  }),
};

/**
 * Starts a local receiver: every request goes through the receive pipeline, and its verdict is
 * answered, logged, recorded and forwarded.
 */
export async function listen(options: ListenOptions = {}, deps: ListenDeps): Promise<Listener> {
  if (options.status !== undefined && !(options.status >= 200 && options.status <= 599)) {
    throw usageError(
      "BAD_STATUS",
      `status ${options.status} cannot be answered: give 200 to 599 (1xx are not final answers)`,
    );
  }
  const recorder: Recorder | undefined = options.record
    ? await deps.openRecorder(options.record)
    : undefined;
  // This listener's id on the requests it forwards: one that comes back is a loop (508).
  const loopId = randomBytes(6).toString("hex");
  const routes: ForwardRoute[] = [...(options.forwardRoutes ?? [])];
  if (options.forwardTo) {
    routes.push({
      events: null,
      url: options.forwardTo,
      label: `--forward-to ${options.forwardTo}`,
    });
  }
  const router = await ForwardRouter.create(
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
  ).catch(async (error) => {
    await recorder?.close();
    throw error;
  });
  const log = new RequestLog(options.keep ?? 1000);
  const stripEvent = options.retainEvents === false && log.limit > 0;
  const clock = deps.clock ?? systemClock;
  let seq = 0;

  // Lines are encoded once, into one buffer per turn of the event loop, for the recording and the
  // --json output alike: one write each per turn, whatever the load. The HTTP adapter hands over
  // each turn's answers before it sends them (`onAnswering`): their lines are written first, so
  // every request whose answer left is in the file, even after a kill -9.
  const output = deps.output
    ? new LineOutput(deps.output, (e) => deps.onError?.(e), options.outputQueueLimit)
    : undefined;
  const batch = recorder || output ? new LineBatch() : undefined;
  /** The exchanges whose lines are in `batch`, in order. */
  let turn: Exchange[] = [];
  /** The recording failed once: said once, counted after. */
  let recordingFailed = false;
  let notRecorded = 0;
  let recorded = 0;
  let flushScheduled = false;
  /** Writes the turn's lines; false when the recording could not take them. */
  const flush = (): boolean => {
    flushScheduled = false;
    const exchanges = turn;
    turn = [];
    let ok = true;
    batch?.drain((all, shown) => {
      const error = recorder?.write(all) ?? null;
      if (error) {
        ok = false;
        notRecorded += exchanges.length;
        if (!recordingFailed) {
          recordingFailed = true;
          deps.onError?.(
            new TicketHooksError(
              "RECORD_FAILED",
              `${error.message}: answering 503 until it can be written (${recorded} request(s) recorded so far)`,
              { kind: "failed" },
            ),
          );
        }
        return true;
      }
      recorded += exchanges.length;
      // The output takes a copy: the batch's buffer takes the next turn's lines.
      output?.write(shown);
      return true;
    });
    if (!ok) {
      // Not recorded, so not accepted: what the clients get (503) is what --json shows.
      for (const ex of exchanges) if (ex.status !== null && !ex.aborted) ex.status = 503;
      if (output && batch) {
        for (const ex of exchanges) batch.add(ex, !ex.verdict.filtered);
        batch.drain((_all, shown) => {
          output.write(shown);
          return true;
        });
      }
    }
    for (const ex of exchanges) {
      log.add(stripEvent ? { ...ex, verdict: { ...ex.verdict, event: undefined } } : ex);
      deps.onExchange?.(ex);
    }
    return ok;
  };

  /** An exchange whose answer is settled: its line goes into this turn's batch. */
  const finish = (ex: Exchange) => {
    if (!batch) {
      log.add(stripEvent ? { ...ex, verdict: { ...ex.verdict, event: undefined } } : ex);
      deps.onExchange?.(ex);
      return;
    }
    batch.add(ex, !ex.verdict.filtered);
    turn.push(ex);
    if (batch.size > FLUSH_AT) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  /** Before a turn's answers leave: their lines, with the status each client gets, are written. */
  const onAnswering = (
    replies: readonly HttpReply[],
    sent: readonly (number | null)[],
  ): HttpReply | undefined => {
    for (let i = 0; i < replies.length; i++) {
      const ex = replies[i]?.note as Exchange | undefined;
      if (!ex) continue;
      ex.status = sent[i] ?? null;
      if (batch) {
        batch.add(ex, !ex.verdict.filtered);
        turn.push(ex);
      } else finish(ex);
    }
    if (!batch) return undefined;
    return flush() ? undefined : NOT_RECORDED;
  };

  const forward = async (
    request: IncomingRequest,
    verdict: Verdict,
    receivedAt: Date,
  ): Promise<HttpReply> => {
    if (options.delayMs) await clock.sleep(options.delayMs);
    let status = verdict.status;
    let body = verdict.responseBody;
    let headers: Record<string, string> | undefined;
    let forwarded: ForwardResult | null = null;
    const target = router.targetFor(verdict.eventType);
    if (target && !verdict.rejected && !verdict.filtered) {
      const reply = await target.forwarder.forward(
        request.headers,
        request.body,
        verdict.signature.header,
      );
      forwarded = forwardResult(reply);
      target.health.observe(reply.status, reply.error);
      if (reply.status === null) {
        status = 502;
        body = JSON.stringify({
          error: `forwarding to ${target.url} failed: ${reply.error}`,
        });
      } else {
        status = reply.status;
        body = reply.body;
        if (reply.contentType) headers = { "content-type": reply.contentType };
      }
    }
    const note: Exchange = {
      seq: ++seq,
      receivedAt,
      request,
      verdict,
      status,
      forward: forwarded,
      aborted: false,
    };
    return { status, body, note, ...(headers ? { headers } : {}) };
  };

  /** Answers at once when there is nothing to wait for (no --delay, nothing to forward). */
  const handle = (request: IncomingRequest): HttpReply | Promise<HttpReply> => {
    if (options.platformApi) {
      const api = options.platformApi === true ? {} : options.platformApi;
      const reply = platformApiReply(
        request,
        options.secret,
        { ...api, listenerSignatureHeader: options.signatureHeader },
        unixSeconds(clock),
      );
      if (reply) return reply;
    }
    const receivedAt = new Date(clock.now());
    let verdict = receive(request, options, unixSeconds(clock));
    const target = router.targetFor(verdict.eventType);
    if (target && isOwnLoop(request.headers, loopId)) {
      verdict = loopVerdict(verdict, target.label);
    }
    if (options.delayMs || (target && !verdict.rejected && !verdict.filtered)) {
      return forward(request, verdict, receivedAt);
    }
    const note: Exchange = {
      seq: ++seq,
      receivedAt,
      request,
      verdict,
      status: verdict.status,
      forward: null,
      aborted: false,
    };
    return { status: verdict.status, body: verdict.responseBody, note };
  };

  const server = await deps
    .startServer({
      host: options.host ?? "127.0.0.1",
      port: options.port ?? 4000,
      maxBody: options.maxBody ?? DEFAULT_MAX_BODY,
      ...(options.headersTimeoutMs ? { headersTimeoutMs: options.headersTimeoutMs } : {}),
      ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      onRequest: handle,
      onAnswering,
      onAborted: (request, status, reason) => {
        let verdict = receive(request, options, unixSeconds(clock));
        if (reason !== undefined && status !== null) {
          verdict = {
            ...verdict,
            status,
            error: reason,
            rejected: true,
            responseBody: JSON.stringify({ error: reason }),
          };
        }
        finish({
          seq: ++seq,
          receivedAt: new Date(clock.now()),
          request,
          verdict,
          status,
          forward: null,
          aborted: true,
        });
      },
    })
    .catch(async (error: NodeJS.ErrnoException) => {
      await recorder?.close();
      await router.close();
      const where = `${options.host ?? "127.0.0.1"}:${options.port ?? 4000}`;
      if (error.code === "EADDRINUSE") {
        throw new TicketHooksError(
          "PORT_IN_USE",
          `port ${options.port} is already in use on ${options.host ?? "127.0.0.1"}`,
          {
            hint: "Choose another with --port, or --port 0 for any free port.",
          },
        );
      }
      throw new TicketHooksError("LISTEN_FAILED", `cannot listen on ${where}: ${error.message}`);
    });

  const itself = router.pointingAtItself(server.host, server.port);
  if (itself) {
    await server.close();
    await recorder?.close();
    await router.close();
    const flag = itself.label.split(" ")[0];
    throw usageError(
      "FORWARD_TO_SELF",
      `${itself.label} is this listener's own address: every request would come back to it`,
      `Point ${flag} at your app (another port), e.g. http://localhost:3000/webhooks.`,
    );
  }

  await router.start();

  const host = server.host.includes(":") ? `[${server.host}]` : server.host;
  const url = `http://${host}:${server.port}${options.path ?? "/"}`;

  return {
    url,
    host: server.host,
    port: server.port,
    log,
    events: exchangesOf(log),
    get droppedLines() {
      return output?.dropped ?? 0;
    },
    get notRecorded() {
      return notRecorded;
    },
    waitFor(match, { timeout = 10_000 } = {}) {
      return waitForExchange(log, match, timeout);
    },
    async replay(exchange) {
      const target = router.targetFor(exchange.verdict.eventType);
      if (!target) {
        return {
          status: null,
          duration_ms: 0,
          error: router.empty ? "no --forward-to target" : "no route for this event type",
          headers: {},
          body: "",
          body_bytes: 0,
          body_truncated: false,
        };
      }
      const reply = await target.forwarder.forward(
        exchange.request.headers,
        exchange.request.body,
        exchange.verdict.signature.header,
        { resignWith: target.secret ?? options.secret },
      );
      target.health.observe(reply.status, reply.error);
      return forwardResult(reply);
    },
    async resend(original, body) {
      const sent = await sendEdited(original, body, {
        config: options,
        nowMs: clock.now(),
        send: (request, verdict) => {
          const target = router.targetFor(verdict.eventType);
          return target
            ? target.forwarder.forward(request.headers, body, original.verdict.signature.header, {
                resignWith: target.secret ?? options.secret,
              })
            : null;
        },
      });
      const ex: Exchange = { seq: ++seq, ...sent };
      // Shown, not counted or recorded: the listener did not receive it.
      log.add(ex, { counted: false });
      return ex;
    },
    forwardTargetFor(exchange) {
      const target = router.targetFor(exchange.verdict.eventType);
      return target ? { url: target.url, secret: target.secret } : undefined;
    },
    get target() {
      return router.targets[0]?.health.state ?? null;
    },
    async close() {
      await server.close();
      await router.close();
      flush();
      await recorder?.close();
      return { ...log.counters };
    },
  };
}
