import { InvalidArgumentError, Option } from "commander";
import { describeNetworkError } from "../core/delivery/http-client.js";
import { parseTarget } from "../core/delivery/send.js";
import { TicketHooksError } from "../core/errors.js";
import { createSender } from "../io/adapters.js";
import type { CliIo } from "./io.js";
import type { Output } from "./output.js";

/*
 * `--wait DURATION`: before the first request, wait until the target accepts a connection and
 * answers (any HTTP status: a webhook endpoint may answer a GET 404 or 405), saying so on stderr.
 * No more `sleep 5` or wait-on in a workflow. If it never answers: one line naming what was tried.
 */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
/** The longest wait: a CI job that waits longer is waiting for something else. */
const MOST_MS = 30 * 60_000;

/** `30s`, `2m`, `500ms`, or seconds without a unit. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * (UNITS[m[2] ?? "s"] as number) : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0 || ms > MOST_MS) {
    throw new InvalidArgumentError(
      "--wait takes a duration up to 30m: 30s, 2m, 500ms (a number alone is seconds).",
    );
  }
  return Math.round(ms);
}

export function waitOption(): Option {
  return new Option(
    "--wait <duration>",
    "first wait until the target answers (up to this long: 30s, 2m), then start",
  ).argParser(parseDuration);
}

const shown = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/**
 * Waits until `to` answers an HTTP request, for at most `ms`; throws (exit 1) when it does not.
 * Tries at once, then every 250 ms, slowing to once a second.
 */
export async function waitForTarget(
  to: string,
  ms: number,
  io: CliIo,
  out: Output,
  options: { insecure?: boolean } = {},
): Promise<void> {
  const url = parseTarget(to);
  const started = io.clock.now();
  const deadline = started + ms;
  let tries = 0;
  let last = "";
  let pause = 250;
  out.note(`Waiting up to ${shown(ms)} for ${url.origin} to answer…`);
  for (;;) {
    tries++;
    const left = deadline - io.clock.now();
    const attempt = await answerOf(url, Math.max(1, Math.min(2000, left)), options.insecure);
    if (attempt.status !== null) {
      out.note(
        `${url.origin} answered (${attempt.status}) after ${shown(io.clock.now() - started)}`,
      );
      return;
    }
    last = attempt.error;
    if (io.clock.now() + pause > deadline) break;
    await io.clock.sleep(pause);
    pause = Math.min(1000, pause * 2);
  }
  throw new TicketHooksError(
    "UNREACHABLE",
    `${url.href} did not answer within ${shown(ms)}: ${tries} attempt(s), the last: ${last}`,
    {
      kind: "failed",
      hint: "Is the app started, on this port? A longer --wait gives it more time.",
    },
  );
}

/** One GET of the URL: its status, or why there was none. */
async function answerOf(
  url: URL,
  timeoutMs: number,
  insecure: boolean | undefined,
): Promise<{ status: number; error: "" } | { status: null; error: string }> {
  const sender = await createSender({
    origin: url.origin,
    timeoutMs,
    connections: 1,
    ...(insecure ? { insecure: true } : {}),
  });
  try {
    const answer = await sender.request?.("GET", `${url.pathname}${url.search}`, {}, undefined);
    return answer ? { status: answer.status, error: "" } : { status: null, error: "no client" };
  } catch (error) {
    return {
      status: null,
      error: describeNetworkError(error, { host: url.host, timeoutMs }).message,
    };
  } finally {
    await sender.close();
  }
}
