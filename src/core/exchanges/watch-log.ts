import { findEvent } from "../events/catalogue.js";
import type { Exchange } from "./exchange.js";
import type { RequestLog } from "./request-log.js";

/** An event name or type (`resolved`, `whitelabel-ticket-resolved`), or a predicate. */
export type EventMatcher = string | ((exchange: Exchange) => boolean);

function matcher(match: EventMatcher): (ex: Exchange) => boolean {
  if (typeof match === "function") return match;
  const type = findEvent(match)?.type ?? match;
  return (ex) => ex.verdict.eventType === type;
}

/** Every exchange added to the log from now on, as an async iterator. */
export function exchangesOf(log: RequestLog): AsyncIterable<Exchange> {
  return {
    [Symbol.asyncIterator]() {
      const queue: Exchange[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = log.subscribe((ex) => {
        queue.push(ex);
        wake?.();
      });
      return {
        async next() {
          while (queue.length === 0) await new Promise<void>((r) => (wake = r));
          return { value: queue.shift() as Exchange, done: false };
        },
        async return() {
          unsubscribe();
          return { value: undefined, done: true };
        },
      };
    },
  };
}

/** The first exchange of the log (already there or coming) that matches, within `timeout` ms. */
export function waitForExchange(
  log: RequestLog,
  match: EventMatcher,
  timeout: number,
): Promise<Exchange> {
  const test = matcher(match);
  const seen = log.entries.find(test);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no matching event within ${timeout} ms`));
    }, timeout);
    const unsubscribe = log.subscribe((ex) => {
      if (!test(ex)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(ex);
    });
  });
}
