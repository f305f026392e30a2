import { type Clock, systemClock, unixSeconds } from "../clock.js";
import { cutToColumns } from "../columns.js";
import { usageError } from "../errors.js";
import {
  type ComposedEvent,
  type ComposeOptions,
  composeEvent,
  expandSpecs,
  invalidEventError,
} from "./compose.js";
import {
  type CreateHttpSender,
  describeNetworkError,
  type HttpResponse,
  type HttpSender,
} from "./http-client.js";
import {
  bodyFactory,
  type PlannedRequest,
  type RequestOptions,
  RequestSigner,
} from "./requests.js";
import {
  type DeliveryResult,
  type DeliverySummary,
  SummaryBuilder,
  truncateBody,
} from "./results.js";

export interface DeliverOptions extends RequestOptions {
  /** The receiver's URL (http or https). */
  to: string;
  /** Per attempt, in ms. Default 10000. */
  timeoutMs?: number;
  /** Retries after the first attempt on network errors, timeouts, 5xx and 429. Default 0. */
  retries?: number;
  /** First back-off in ms, doubled each retry. Default 500. */
  backoffMs?: number;
  /** Longest back-off, also the cap on Retry-After. Default 30000. */
  maxBackoffMs?: number;
  /**
   * The wait before each retry, in ms (the platform's schedule, see retry-schedule.ts): replaces
   * retries and back-off, and every non-2xx answer is retried, as the platform does.
   */
  retryDelaysMs?: readonly number[] | undefined;
  /** Times each event is sent; each copy gets a fresh event_id when > 1. Default 1. */
  count?: number;
  /** Requests in flight at once. Default 1. */
  concurrency?: number;
  /** Requests per second at most. */
  rate?: number | undefined;
  /** Skip TLS certificate checks. */
  insecure?: boolean;
  /** Keep every result for the returned `results` (default true; off for large loads). */
  collectResults?: boolean;
  /** Keep response headers in results (default true). */
  keepResponseHeaders?: boolean;
}

export interface SendOptions extends DeliverOptions, ComposeOptions {
  /** Event names, event types, `all`, or paths to JSON files. */
  events: readonly string[];
  /** Send events that fail validation anyway. */
  skipValidation?: boolean;
}

export interface SendDeps {
  createSender: CreateHttpSender;
  /** Time for signatures, back-off and pacing. Default: the system clock. */
  clock?: Clock;
  /** Called with each result as soon as it is known. */
  onResult?: (result: DeliveryResult) => void;
  signal?: AbortSignal;
}

export interface SendResult {
  results: DeliveryResult[];
  summary: DeliverySummary;
}

/** Columns of the receiver's answer quoted in a delivery's error. */
const QUOTED_ANSWER_COLUMNS = 120;

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * A target without a scheme: `localhost`, `127.0.0.1` and `[::1]` mean `http://` (with a note to
 * show); any other host is a usage error suggesting `https://` (the platform only delivers there).
 */
export function resolveTarget(to: string): { to: string; note: string | null } {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(to)) return { to, note: null };
  const host = (to.split(/[/?#]/, 1)[0] ?? "").toLowerCase();
  const hostname = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];
  // Not even a host name: parseTarget says it is not a URL.
  if (!/^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d*)?$/i.test(host)) return { to, note: null };
  if (hostname && LOCAL_HOSTS.has(hostname)) {
    const url = `http://${to}`;
    return { to: url, note: `no scheme in "${to}": using ${url} (a local address)` };
  }
  throw usageError(
    "BAD_URL",
    `"${to}" has no scheme (http:// or https://)`,
    hostname
      ? `Use https://${to} (the platform delivers only to HTTPS), or http:// for a local server.`
      : "Use a full URL, e.g. http://localhost:3000/webhooks",
  );
}

/**
 * A receiver's URL with `user:password@` in it, as curl takes it: the URL without them (what is
 * shown and sent to), and the `Authorization: Basic …` header they make (what is sent).
 */
export function splitCredentials(to: string): {
  to: string;
  authorization: string | null;
  user: string | null;
} {
  let url: URL;
  try {
    url = new URL(to);
  } catch {
    return { to, authorization: null, user: null };
  }
  if (url.username === "" && url.password === "") return { to, authorization: null, user: null };
  const user = safeDecode(url.username);
  const pair = `${user}:${safeDecode(url.password)}`;
  url.username = "";
  url.password = "";
  return { to: url.href, authorization: `Basic ${Buffer.from(pair).toString("base64")}`, user };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function parseTarget(target: string): URL {
  const { to } = resolveTarget(target);
  let url: URL;
  try {
    url = new URL(to);
  } catch {
    // A secret given where the URL belongs (`--to whsec_…`, a misplaced config value) is not
    // echoed: what looks like no URL at all is not shown.
    const shown =
      /^whsec_/i.test(to) || !/[:/.]/.test(to) || to.includes("@")
        ? "(value not shown)"
        : `"${to}"`;
    throw usageError(
      "BAD_URL",
      `not a URL: ${shown}`,
      "Use a full URL, e.g. http://localhost:3000/webhooks",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usageError(
      "BAD_URL",
      `unsupported URL scheme "${url.protocol}" in ${to}`,
      "Use http:// or https://.",
    );
  }
  return url;
}

/** Composes every event and refuses invalid ones unless skipValidation. */
export function composeAll(options: SendOptions): ComposedEvent[] {
  const specs = expandSpecs(options.events);
  if (specs.length === 0)
    throw usageError("NO_EVENTS", "no event to send", "Name one, e.g. created, or all.");
  const composed = specs.map((spec) => composeEvent(spec, options));
  if (!options.skipValidation) {
    const bad = composed.find((c) => !c.validation.valid);
    if (bad) throw invalidEventError(bad);
  }
  return composed;
}

function retryAfterMs(response: HttpResponse, clockMs: number): number | undefined {
  const raw = response.headers["retry-after"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - clockMs);
}

const retryable = (status: number) => status >= 500 || status === 429;

/** Where planned requests come from: a plain or async iterator (replay streams a file). */
export interface PlanSource {
  next(): IteratorResult<PlannedRequest> | Promise<IteratorResult<PlannedRequest>>;
}

/** What one attempt got: the receiver's answer (none on a network error), and what failed. */
interface Attempted {
  response: HttpResponse | undefined;
  error: string | null;
}

/**
 * One target's deliveries: each request signed at each attempt (unless it carries a signature to
 * keep) and retried with back-off, or on the platform's schedule.
 */
class Delivery {
  readonly url: URL;
  private readonly path: string;
  private readonly timeoutMs: number;
  private readonly schedule: readonly number[] | undefined;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly keepHeaders: boolean;
  private readonly signer: RequestSigner;

  constructor(
    options: DeliverOptions,
    private readonly sender: HttpSender,
    private readonly clock: Clock,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.url = parseTarget(options.to);
    this.path = `${this.url.pathname}${this.url.search}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.schedule = options.retryDelaysMs;
    this.retries = this.schedule ? this.schedule.length : (options.retries ?? 0);
    this.backoffMs = options.backoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.keepHeaders = options.keepResponseHeaders !== false;
    this.signer = new RequestSigner(options);
  }

  /** A request delivered: attempts until a 2xx, the retries run out, or the run is stopped. */
  async deliver(request: PlannedRequest): Promise<DeliveryResult> {
    const started = performance.now();
    let attempts = 0;
    let outcome: Attempted;
    for (;;) {
      attempts++;
      outcome = await this.attempt(request);
      const wait = this.nextWait(outcome, attempts);
      if (wait === null || this.signal?.aborted) break;
      await this.clock.sleep(wait, this.signal);
    }
    return this.resultOf(request, outcome, attempts, started);
  }

  private async attempt(request: PlannedRequest): Promise<Attempted> {
    try {
      const headers =
        request.signature === undefined
          ? this.signer.headers(request.body, unixSeconds(this.clock))
          : this.signer.headersWith(request.signature);
      const response = await this.sender.post(this.path, headers, request.body);
      const ok = response.status >= 200 && response.status < 300;
      return { response, error: ok ? null : `HTTP ${response.status}` };
    } catch (err) {
      const { message } = describeNetworkError(err, {
        host: this.url.host,
        timeoutMs: this.timeoutMs,
      });
      return { response: undefined, error: message };
    }
  }

  /**
   * Milliseconds before the next attempt, or null when there is none: a 2xx, no retries left, or
   * (without the platform's schedule, which retries every failure) an answer not worth retrying.
   * A Retry-After is honoured up to the longest back-off.
   */
  private nextWait({ response, error }: Attempted, attempts: number): number | null {
    if (error === null || attempts > this.retries) return null;
    if (this.schedule) return this.schedule[attempts - 1] ?? 0;
    const backoff = Math.min(this.backoffMs * 2 ** (attempts - 1), this.maxBackoffMs);
    if (!response) return backoff;
    if (!retryable(response.status)) return null;
    return Math.min(retryAfterMs(response, this.clock.now()) ?? backoff, this.maxBackoffMs);
  }

  private resultOf(
    request: PlannedRequest,
    { response, error }: Attempted,
    attempts: number,
    started: number,
  ): DeliveryResult {
    const body = response ? truncateBody(response.body) : null;
    const said = response && error !== null && body ? body.replace(/\s+/g, " ").trim() : "";
    return {
      event_type: request.eventType,
      event_id: request.eventId,
      method: "POST",
      url: this.url.href,
      status: response?.status ?? null,
      ok: error === null,
      attempts,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      // Cut by display width (wide characters take two columns), with a marker, never inside one.
      error: said ? `${error}: ${cutToColumns(said, QUOTED_ANSWER_COLUMNS)}` : error,
      response_body: body,
      response_headers: this.keepHeaders ? (response?.headers ?? null) : null,
    };
  }
}

/** Waits until a paced request is due (`dueMs` after `from`); false when stopped meanwhile. */
async function due(
  request: PlannedRequest,
  from: number,
  clock: Clock,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (request.dueMs === undefined) return true;
  const wait = from + request.dueMs - clock.now();
  if (wait <= 0) return true;
  await clock.sleep(wait, signal);
  return !signal?.aborted;
}

/**
 * Sends planned requests as the platform would: POST, JSON, signed at each attempt (unless the
 * request carries a signature to keep), retried with back-off, `concurrency` at a time, each not
 * before its `dueMs`.
 */
export async function deliverPlanned(
  source: PlanSource,
  options: DeliverOptions,
  deps: SendDeps,
): Promise<SendResult> {
  const url = parseTarget(options.to);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const clock = deps.clock ?? systemClock;
  const sender = await deps.createSender({
    origin: url.origin,
    timeoutMs: options.timeoutMs ?? 10_000,
    connections: concurrency,
    ...(options.insecure ? { insecure: true } : {}),
  });
  const delivery = new Delivery(options, sender, clock, deps.signal);
  const collect = options.collectResults !== false;
  const results: Array<[number, DeliveryResult]> = [];
  const summary = new SummaryBuilder();
  let pulled = 0;
  const startedAt = performance.now();
  const pacedFrom = clock.now();
  const worker = async () => {
    while (!deps.signal?.aborted) {
      const step = source.next();
      const item = step instanceof Promise ? await step : step;
      if (item.done) return;
      const index = pulled++;
      if (!(await due(item.value, pacedFrom, clock, deps.signal))) return;
      const result = await delivery.deliver(item.value);
      if (collect) results.push([index, result]);
      summary.add(result);
      deps.onResult?.(result);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await sender.close();
  }
  return {
    results: results.sort((a, b) => a[0] - b[0]).map(([, r]) => r),
    summary: summary.build(performance.now() - startedAt),
  };
}

/** The requests for composed events: each `count` times (fresh event_id when > 1), at `rate`. */
export function planEvents(
  events: readonly ComposedEvent[],
  options: DeliverOptions,
): Iterator<PlannedRequest> {
  const factories = events.map(bodyFactory);
  const count = options.count ?? 1;
  const total = factories.length * count;
  let i = 0;
  return {
    next() {
      if (i >= total) return { done: true, value: undefined };
      const factory = factories[i % factories.length] as ReturnType<typeof bodyFactory>;
      const planned = count > 1 ? factory.fresh() : factory.first;
      const value = options.rate ? { ...planned, dueMs: (i * 1000) / options.rate } : planned;
      i++;
      return { done: false, value };
    },
  };
}

/** Sends composed events as the platform would: POST, JSON, signed at each attempt, retried. */
export function deliver(
  events: readonly ComposedEvent[],
  options: DeliverOptions,
  deps: SendDeps,
): Promise<SendResult> {
  return deliverPlanned(planEvents(events, options), options, deps);
}

/**
 * Composes and sends events; resolves with every delivery's result. For a user's own tests:
 * `const { results } = await send({ events: ["created"], to: url, secret })`.
 */
export async function send(options: SendOptions, deps: SendDeps): Promise<SendResult> {
  parseTarget(options.to);
  return deliver(composeAll(options), options, deps);
}
