import { StringDecoder } from "node:string_decoder";
import type { HeaderMap, Verdict } from "./receive.js";

/*
 * What forwarding to the user's app adds around the receive pipeline: the app's answer kept
 * within bounds, and the loop guard (a listener forwarding to itself, directly or through others).
 */

/** Bytes of the app's answer body kept (the rest is read and discarded as it arrives). */
export const ANSWER_KEEP_BYTES = 64 * 1024;

/**
 * Forwarded requests carry the ids of the listeners they went through; a listener that sees its
 * own id answers 508 instead of forwarding again.
 */
export const LOOP_HEADER = "x-ticket-hooks-forwarded-by";

/** The longest prefix of `bytes` that is whole UTF-8 characters, at most `max` bytes, as text. */
export function utf8Prefix(bytes: Buffer, max: number): string {
  const decoder = new StringDecoder("utf8");
  return decoder.write(bytes.length > max ? bytes.subarray(0, max) : bytes);
}

/** The value of LOOP_HEADER on a request forwarded by `id` (appended to what it carried). */
export function loopMark(headers: HeaderMap, id: string): string {
  const seen = headers[LOOP_HEADER];
  const before = Array.isArray(seen) ? seen.join(", ") : seen;
  return before ? `${before}, ${id}` : id;
}

/** True when the request was already forwarded by the listener with this id. */
export function isOwnLoop(headers: HeaderMap, id: string): boolean {
  const seen = headers[LOOP_HEADER];
  const all = Array.isArray(seen) ? seen.join(",") : (seen ?? "");
  return all.split(",").some((part) => part.trim() === id);
}

/** The verdict for a request that came back to the listener that forwarded it. */
export function loopVerdict(verdict: Verdict, route: string): Verdict {
  const error = `forwarding loop: this request was already forwarded by this listener (${route} leads back to it)`;
  return {
    ...verdict,
    status: 508,
    rejected: true,
    error,
    responseBody: JSON.stringify({ error }),
  };
}

const LOCAL = /^(localhost|127(\.\d{1,3}){3}|::1|0\.0\.0\.0|::|\[::1\]|\[::\])$/i;

/** True when `target` (a URL) is the listener's own host and port. */
export function pointsAtItself(target: string, host: string, port: number): boolean {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false;
  }
  const targetPort = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  if (targetPort !== port) return false;
  const targetHost = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const ownHost = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (targetHost === ownHost) return true;
  return LOCAL.test(targetHost) && LOCAL.test(ownHost);
}
