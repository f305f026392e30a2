import { type Clock, systemClock } from "../clock.js";
import { usageError } from "../errors.js";
import { unmet } from "./expectations.js";
import { describeNetworkError } from "./http-client.js";
import { bodyFactory, type PlannedRequest } from "./requests.js";
import { type DeliveryResult, SummaryBuilder, truncateBody } from "./results.js";
import type { ProbeRequest, ScenarioAction } from "./scenario.js";
import { type DeliverOptions, deliverPlanned, type SendDeps, type SendResult } from "./send.js";

export interface ScenarioRunOptions extends DeliverOptions {
  /** The scenario's file or built-in name, for messages. */
  source: string;
}

/** A planned step: what to send (after its wait), and the expectation its answer must meet. */
export interface PlannedStep {
  action: ScenarioAction;
  /** Wait before this step, ms (delay_ms, or chaos jitter). */
  waitMs: number;
  /** The request of an event step (its body; the signature is made at sending). */
  request?: PlannedRequest;
}

/** Steps in order, each waiting its delay: the plan when no chaos reorders or copies them. */
export function planSteps(actions: readonly ScenarioAction[]): PlannedStep[] {
  return actions.map((action) => ({
    action,
    waitMs: action.delayMs,
    ...(action.event ? { request: bodyFactory(action.event).first } : {}),
  }));
}

async function runProbe(
  probe: ProbeRequest,
  options: ScenarioRunOptions,
  deps: SendDeps,
): Promise<DeliveryResult> {
  let url: URL;
  try {
    url = new URL(probe.url);
  } catch {
    throw usageError("BAD_PROBE", `${options.source}: probe URL "${probe.url}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usageError(
      "BAD_PROBE",
      `${options.source}: probe URL "${probe.url}": only http:// and https:// can be probed`,
    );
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const sender = await deps.createSender({
    origin: url.origin,
    timeoutMs,
    connections: 1,
    ...(options.insecure ? { insecure: true } : {}),
  });
  const headers = { ...probe.headers };
  if (probe.body !== undefined && !Object.keys(headers).some((h) => /^content-type$/i.test(h)))
    headers["content-type"] = "application/json";
  const started = performance.now();
  const base = { event_type: null, event_id: null, method: probe.method, url: url.href };
  const request = sender.request?.bind(sender);
  try {
    if (!request) throw new Error("this HTTP client cannot send probes (it has no request())");
    const res = await request(probe.method, `${url.pathname}${url.search}`, headers, probe.body);
    return {
      ...base,
      status: res.status,
      ok: res.status >= 200 && res.status < 300,
      attempts: 1,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      error: null,
      response_body: truncateBody(res.body),
      response_headers: options.keepResponseHeaders === false ? null : res.headers,
    };
  } catch (error) {
    return {
      ...base,
      status: null,
      ok: false,
      attempts: 1,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      error: describeNetworkError(error, { host: url.host, timeoutMs }).message,
      response_body: null,
      response_headers: null,
    };
  } finally {
    await sender.close();
  }
}

/** A step's answer judged by its `expect`: not ok, with an error naming where, when it fails. */
function judged(result: DeliveryResult, action: ScenarioAction, source: string): DeliveryResult {
  const where = `${source}: step "${action.step}"`;
  if (result.status === null) {
    return { ...result, step: action.step, ok: false, error: `${where}: ${result.error}` };
  }
  const failed = unmet(action.expect, {
    status: result.status,
    body: result.response_body,
    duration_ms: result.duration_ms,
  });
  return {
    ...result,
    step: action.step,
    ok: failed.length === 0,
    error: failed.length > 0 ? `${where}: ${failed.join("; ")}` : null,
  };
}

/** One step: the probe called, or the event delivered as `send` would; undefined when stopped. */
async function runStep(
  { action, request }: PlannedStep,
  options: ScenarioRunOptions,
  deps: SendDeps & { clock: Clock },
): Promise<DeliveryResult | undefined> {
  if (action.probe) return runProbe(action.probe, options, deps);
  const sent = await deliverPlanned(
    [request as PlannedRequest].values(),
    { ...options, concurrency: 1, collectResults: true },
    {
      createSender: deps.createSender,
      clock: deps.clock,
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
  );
  return sent.results[0];
}

/**
 * Runs a scenario's steps one after the other: event steps are delivered as `send` would (signed
 * at sending, retried), probes call the developer's app. Each answer is judged by the step's
 * `expect` (default: a 2xx); a failed check makes the result not ok, its error naming the
 * scenario, the step and the check.
 */
export async function runScenario(
  steps: readonly PlannedStep[],
  options: ScenarioRunOptions,
  deps: SendDeps,
): Promise<SendResult> {
  const clock = deps.clock ?? systemClock;
  const summary = new SummaryBuilder();
  const results: DeliveryResult[] = [];
  const startedAt = performance.now();
  for (const step of steps) {
    if (deps.signal?.aborted) break;
    if (step.waitMs > 0) await clock.sleep(step.waitMs, deps.signal);
    if (deps.signal?.aborted) break;
    const answered = await runStep(step, options, { ...deps, clock });
    if (answered === undefined) break;
    const result = judged(answered, step.action, options.source);
    results.push(result);
    summary.add(result);
    deps.onResult?.(result);
  }
  return { results, summary: summary.build(performance.now() - startedAt) };
}
