import { type Clock, unixSeconds } from "../clock.js";
import { sendEdited } from "../exchanges/edited.js";
import type { Exchange, ForwardResult } from "../exchanges/exchange.js";
import { forwardResult } from "../exchanges/forward-result.js";
import { isOwnLoop, loopVerdict } from "../receiving/forwarding.js";
import { type PlatformApiOptions, platformApiReply } from "../receiving/platform-api.js";
import type { HttpReply } from "../receiving/ports.js";
import {
  type IncomingRequest,
  type ReceiveConfig,
  Receiver,
  type Verdict,
} from "../receiving/receive.js";
import type { ForwardRouter } from "../receiving/router.js";

/*
 * How the listener answers a request: the platform's API when it is asked, else the receive
 * pipeline's verdict, the loop guard, and the app's answer when the event is forwarded. Each
 * handled request becomes an exchange, numbered in arrival order, handed back in the reply's note.
 */

export interface AnswererOptions extends ReceiveConfig {
  /** Wait this long before answering (a slow endpoint). */
  delayMs?: number | undefined;
  /** Also answer the platform's POST /v2/webhook-endpoints/verify-signature. */
  platformApi?: boolean | PlatformApiOptions | undefined;
}

const NO_TARGET = (error: string): ForwardResult => ({
  status: null,
  duration_ms: 0,
  error,
  headers: {},
  body: "",
  body_bytes: 0,
  body_truncated: false,
});

export class Answerer {
  private seq = 0;
  private readonly receiver: Receiver;

  constructor(
    private readonly options: AnswererOptions,
    private readonly router: ForwardRouter,
    private readonly loopId: string,
    private readonly clock: Clock,
  ) {
    this.receiver = new Receiver(options);
  }

  /** Answers at once when there is nothing to wait for (no --delay, nothing to forward). */
  handle(request: IncomingRequest): HttpReply | Promise<HttpReply> {
    const api = this.platformReply(request);
    if (api) return api;
    const receivedAt = new Date(this.clock.now());
    let verdict = this.receiver.receive(request, unixSeconds(this.clock));
    const target = this.router.targetFor(verdict.eventType);
    if (target && isOwnLoop(request.headers, this.loopId)) {
      verdict = loopVerdict(verdict, target.label);
    }
    if (this.options.delayMs || (target && !verdict.rejected && !verdict.filtered)) {
      return this.forward(request, verdict, receivedAt);
    }
    const note = this.exchange(request, verdict, receivedAt, verdict.status, null);
    return { status: verdict.status, body: verdict.responseBody, note };
  }

  /** A request its client cut off (or the server answered itself: 400, 408, 413). */
  aborted(request: IncomingRequest, status: number | null, reason: string | undefined): Exchange {
    let verdict = this.receiver.receive(request, unixSeconds(this.clock));
    if (reason !== undefined) {
      verdict = {
        ...verdict,
        status: status ?? verdict.status,
        error: reason,
        rejected: true,
        responseBody: JSON.stringify({ error: reason }),
      };
    }
    const ex = this.exchange(request, verdict, new Date(this.clock.now()), status, null);
    return { ...ex, aborted: true };
  }

  /** A received event sent to its forward target again, re-signed with a fresh timestamp. */
  async replay(exchange: Exchange): Promise<ForwardResult> {
    const target = this.router.targetFor(exchange.verdict.eventType);
    if (!target) {
      return NO_TARGET(
        this.router.empty ? "no --forward-to target" : "no route for this event type",
      );
    }
    const reply = await target.forwarder.forward(
      exchange.request.headers,
      exchange.request.body,
      exchange.verdict.signature.header,
      { resignWith: target.secret ?? this.options.secret },
    );
    target.health.observe(reply.status, reply.error);
    return forwardResult(reply);
  }

  /** An edited body sent in place of a received event's: a new exchange, linked to it. */
  async resend(original: Exchange, body: Buffer): Promise<Exchange> {
    const sent = await sendEdited(original, body, {
      config: this.options,
      nowMs: this.clock.now(),
      send: (request, verdict) => {
        const target = this.router.targetFor(verdict.eventType);
        return target
          ? target.forwarder.forward(request.headers, body, original.verdict.signature.header, {
              resignWith: target.secret ?? this.options.secret,
            })
          : null;
      },
    });
    return { seq: ++this.seq, ...sent };
  }

  private platformReply(request: IncomingRequest): HttpReply | null {
    const { platformApi } = this.options;
    if (!platformApi) return null;
    const reply = platformApiReply(
      request,
      this.options.secret,
      {
        ...(platformApi === true ? {} : platformApi),
        listenerSignatureHeader: this.options.signatureHeader,
      },
      unixSeconds(this.clock),
    );
    return reply ?? null;
  }

  /** The answer after --delay, with the app's answer when the event goes to one. */
  private async forward(
    request: IncomingRequest,
    verdict: Verdict,
    receivedAt: Date,
  ): Promise<HttpReply> {
    if (this.options.delayMs) await this.clock.sleep(this.options.delayMs);
    const target = this.router.targetFor(verdict.eventType);
    if (!target || verdict.rejected || verdict.filtered) {
      const note = this.exchange(request, verdict, receivedAt, verdict.status, null);
      return { status: verdict.status, body: verdict.responseBody, note };
    }
    const reply = await target.forwarder.forward(
      request.headers,
      request.body,
      verdict.signature.header,
    );
    target.health.observe(reply.status, reply.error);
    const forwarded = forwardResult(reply);
    if (reply.status === null) {
      const body = JSON.stringify({ error: `forwarding to ${target.url} failed: ${reply.error}` });
      return {
        status: 502,
        body,
        note: this.exchange(request, verdict, receivedAt, 502, forwarded),
      };
    }
    const note = this.exchange(request, verdict, receivedAt, reply.status, forwarded);
    const headers = reply.contentType ? { headers: { "content-type": reply.contentType } } : {};
    return { status: reply.status, body: reply.body, note, ...headers };
  }

  private exchange(
    request: IncomingRequest,
    verdict: Verdict,
    receivedAt: Date,
    status: number | null,
    forward: ForwardResult | null,
  ): Exchange {
    return { seq: ++this.seq, receivedAt, request, verdict, status, forward, aborted: false };
  }
}
