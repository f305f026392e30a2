import { connect } from "node:net";
import { Agent } from "undici";
import { describeNetworkError } from "../core/delivery/http-client.js";
import {
  ANSWER_KEEP_BYTES,
  LOOP_HEADER,
  loopMark,
  utf8Prefix,
} from "../core/receiving/forwarding.js";
import type { Forwarder, ForwardOptions } from "../core/receiving/ports.js";
import { sign } from "../core/signing/signature.js";

const HOP_BY_HOP = new Set([
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "upgrade",
  "proxy-connection",
  "te",
  "trailer",
  // The sender's `Expect: 100-continue` was answered by the listener; undici refuses to send it.
  "expect",
]);

function flatHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** The headers sent on: the request's (hop-by-hop ones dropped), --header, the loop mark, signed. */
function forwardedHeaders(
  options: ForwardOptions,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
  signatureHeaderUsed: string | null,
  resignWith: string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    out[name.toLowerCase()] = value;
  }
  if (options.loopId) out[LOOP_HEADER] = loopMark(headers, options.loopId);
  const secret = resignWith ?? options.secret;
  if (secret) {
    if (signatureHeaderUsed) delete out[signatureHeaderUsed.toLowerCase()];
    out[(signatureHeaderUsed ?? options.signatureHeader).toLowerCase()] = sign(secret, body);
  }
  return out;
}

/** The app's answer body: its first ANSWER_KEEP_BYTES kept, the rest read and counted. */
async function answerBody(stream: AsyncIterable<Buffer>): Promise<{ kept: Buffer; bytes: number }> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    if (keptBytes < ANSWER_KEEP_BYTES) {
      const part = chunk.subarray(0, ANSWER_KEEP_BYTES - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
  }
  return { kept: Buffer.concat(kept), bytes };
}

const since = (started: number) => Math.round((performance.now() - started) * 10) / 10;

/**
 * Forwards the raw body and the original headers to the user's app (keep-alive). Of the app's
 * answer body the first ANSWER_KEEP_BYTES are kept; the rest is read and dropped as it arrives.
 */
export function createForwarder(options: ForwardOptions): Forwarder {
  const url = new URL(options.to);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const agent = new Agent({
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: timeoutMs, ...(options.insecure ? { rejectUnauthorized: false } : {}) },
  });
  return {
    async forward(headers, body, signatureHeaderUsed, call = {}) {
      const out = forwardedHeaders(options, headers, body, signatureHeaderUsed, call.resignWith);
      const started = performance.now();
      try {
        const res = await agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: "POST",
          headers: out,
          body,
        });
        const answer = await answerBody(res.body as AsyncIterable<Buffer>);
        const answerHeaders = flatHeaders(res.headers);
        return {
          status: res.statusCode,
          durationMs: since(started),
          error: null,
          body: utf8Prefix(answer.kept, ANSWER_KEEP_BYTES),
          bodyBytes: answer.bytes,
          headers: answerHeaders,
          contentType: answerHeaders["content-type"],
        };
      } catch (error) {
        return {
          status: null,
          durationMs: since(started),
          error: describeNetworkError(error, { host: url.host, timeoutMs }).message,
          body: "",
          bodyBytes: 0,
          headers: {},
          contentType: undefined,
        };
      }
    },
    // A TCP connection, not a request: the app's logs and handlers see nothing of the probe.
    probe() {
      const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
      const probeMs = Math.min(timeoutMs, 2000);
      return new Promise((resolve) => {
        const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ""), port });
        const done = (error: unknown) => {
          socket.destroy();
          resolve(
            error === null
              ? { up: true, error: null }
              : {
                  up: false,
                  error: describeNetworkError(error, { host: url.host, timeoutMs: probeMs })
                    .message,
                },
          );
        };
        socket.setTimeout(probeMs, () =>
          done(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })),
        );
        socket.once("connect", () => done(null));
        socket.once("error", done);
      });
    },
    close: () => agent.close(),
  };
}
