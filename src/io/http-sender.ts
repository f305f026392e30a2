import { type Dispatcher, Pool } from "undici";
import {
  attemptTimeoutError,
  type HttpResponse,
  type HttpSender,
  type HttpSenderOptions,
  keptBodyText,
  RESPONSE_KEEP_BYTES,
} from "../core/delivery/http-client.js";

// The sender on undici's lowest public layer: `Pool.dispatch()` with a handler object per request
// in flight, reused from one request to the next. Compared with `pool.request()` this saves a
// promise, a Readable stream and several objects per request (send's hot path), and it gives the
// two guarantees the stream API makes awkward:
// - the response body is kept up to RESPONSE_KEEP_BYTES and the rest discarded as it arrives, so a
//   1 GB answer costs 64 KiB and its status still counts;
// - one timer bounds the whole attempt (queueing, connect, headers, body) and fires on time: undici's
//   own header/body timeouts tick on a coarse clock (a 100 ms timeout fired at ~1 s) and restart on
//   every byte (a server trickling one byte a second never timed out).
// It earns its place: twice the rate of a plain request() and a stream (npm run bench). A property
// test pins it to a plain model of what it must answer (test/cli/http-sender.property.test.ts).
// The handler uses undici 7's own dispatch hooks (onConnect, onHeaders, onData, onComplete,
// onError): typed @deprecated in favour of onRequestStart/onResponseStart/…, which undici 7 itself
// adapts to these with two objects and an eager header parse per request (UnwrapHandler). They
// stay through undici 7 (semver); moving to the new hooks belongs with moving to undici 8.

/** A response whose headers are parsed from undici's raw pairs only if someone reads them. */
class DispatchedResponse implements HttpResponse {
  private parsed: Record<string, string | string[] | undefined> | undefined;
  constructor(
    readonly status: number,
    private readonly raw: Buffer[] | null,
    readonly body: string,
  ) {}

  get headers(): Record<string, string | string[] | undefined> {
    if (this.parsed === undefined) this.parsed = parseRawHeaders(this.raw);
    return this.parsed;
  }
}

export function parseRawHeaders(
  raw: readonly (Buffer | string)[] | null,
): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  if (!raw) return headers;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = String(raw[i]).toLowerCase();
    const value = String(raw[i + 1]);
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else headers[name] = [previous, value];
  }
  return headers;
}

/**
 * One request in flight (undici's handler protocol). Back in the free list once undici is done with
 * it; a request given up on by the timer is aborted and its handler not reused.
 */
class Attempt implements Dispatcher.DispatchHandler {
  private resolve: ((response: HttpResponse) => void) | null = null;
  private reject: ((error: Error) => void) | null = null;
  private abortRequest: ((error: Error) => void) | null = null;
  private timer: NodeJS.Timeout | undefined;
  private timedOut: Error | null = null;
  private status = 0;
  private rawHeaders: Buffer[] | null = null;
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private cut = false;
  /** Bound once: the timer callback, not a closure per request. */
  private readonly onTimeout = () => this.expire();

  constructor(
    private readonly timeoutMs: number,
    private readonly release: (attempt: Attempt) => void,
  ) {}

  start(resolve: (response: HttpResponse) => void, reject: (error: Error) => void): void {
    this.resolve = resolve;
    this.reject = reject;
    // One timer per handler, re-armed for each attempt: no timer object per request. While the
    // handler is idle it is unref'd and its firing ignored.
    if (this.timer === undefined) this.timer = setTimeout(this.onTimeout, this.timeoutMs);
    else this.timer.refresh().ref();
  }

  /** Stops the timer for good (the sender is closing). */
  dispose(): void {
    clearTimeout(this.timer);
  }

  private expire(): void {
    if (this.reject === null) {
      this.timer?.unref();
      return;
    }
    this.timedOut = attemptTimeoutError(this.timeoutMs);
    this.fail(this.timedOut);
    // Aborts now if the request reached a socket, else as soon as undici hands it one.
    this.abortRequest?.(this.timedOut);
  }

  private fail(error: Error): void {
    const reject = this.reject;
    if (reject === null) return;
    this.resolve = this.reject = null;
    this.timer?.unref();
    reject(error);
  }

  private reset(): void {
    this.abortRequest = null;
    this.status = 0;
    this.rawHeaders = null;
    if (this.kept.length > 0) this.kept = [];
    this.keptBytes = 0;
    this.cut = false;
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.timedOut) abort(this.timedOut);
    else this.abortRequest = abort;
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    this.status = status;
    this.rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    const room = RESPONSE_KEEP_BYTES - this.keptBytes;
    if (room > 0) {
      // A copy of what is kept: a view would pin undici's whole read buffer.
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.kept.push(Buffer.from(part));
      this.keptBytes += part.length;
      if (part !== chunk) this.cut = true;
    } else {
      this.cut = true;
    }
    return true;
  }

  onComplete(): void {
    const resolve = this.resolve;
    if (resolve !== null) {
      this.resolve = this.reject = null;
      this.timer?.unref();
      resolve(
        new DispatchedResponse(
          this.status,
          this.rawHeaders,
          this.keptBytes === 0
            ? ""
            : keptBodyText(Buffer.concat(this.kept, this.keptBytes), this.cut),
        ),
      );
    }
    this.done();
  }

  onError(error: Error): void {
    this.fail(error);
    this.done();
  }

  private done(): void {
    if (this.timedOut !== null) return; // given up on: not reused
    this.reset();
    this.release(this);
  }
}

/** A keep-alive undici Pool to one origin. */
export function createHttpSender(options: HttpSenderOptions): HttpSender {
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    // The attempt's own timer bounds everything; undici's timers would only fire late.
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: {
      timeout: options.timeoutMs,
      ...(options.insecure ? { rejectUnauthorized: false } : {}),
    },
  });
  const free: Attempt[] = [];
  const release = (attempt: Attempt) => {
    free.push(attempt);
  };
  return {
    post(path, headers, body) {
      const attempt = free.pop() ?? new Attempt(options.timeoutMs, release);
      return new Promise<HttpResponse>((resolve, reject) => {
        attempt.start(resolve, reject);
        pool.dispatch({ method: "POST", path, headers, body }, attempt);
      });
    },
    async close() {
      await pool.close();
      for (const attempt of free) attempt.dispose();
    },
    request(method, path, headers, body) {
      const attempt = free.pop() ?? new Attempt(options.timeoutMs, release);
      return new Promise<HttpResponse>((resolve, reject) => {
        attempt.start(resolve, reject);
        pool.dispatch(
          {
            method: method as Dispatcher.HttpMethod,
            path,
            headers,
            ...(body === undefined ? {} : { body }),
          },
          attempt,
        );
      });
    },
  };
}
