import { Agent, request } from "undici";
import { describeNetworkError } from "../core/delivery/http-client.js";
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
]);

/** Forwards the raw body and the original headers to the user's app (keep-alive). */
export function createForwarder(options: ForwardOptions): Forwarder {
  const url = new URL(options.to);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const agent = new Agent({
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: timeoutMs },
  });
  return {
    async forward(headers, body, signatureHeaderUsed) {
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (value === undefined || HOP_BY_HOP.has(name)) continue;
        out[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      if (options.secret) {
        if (signatureHeaderUsed) delete out[signatureHeaderUsed.toLowerCase()];
        out[(signatureHeaderUsed ?? options.signatureHeader).toLowerCase()] = sign(
          options.secret,
          body,
        );
      }
      const started = performance.now();
      try {
        const res = await request(url, { method: "POST", headers: out, body, dispatcher: agent });
        const text = await res.body.text();
        const contentType = res.headers["content-type"];
        return {
          status: res.statusCode,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          error: null,
          body: text,
          contentType: Array.isArray(contentType) ? contentType[0] : contentType,
        };
      } catch (error) {
        return {
          status: null,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          error: describeNetworkError(error, { host: url.host, timeoutMs }).message,
          body: "",
          contentType: undefined,
        };
      }
    },
    close: () => agent.close(),
  };
}
