import { Pool } from "undici";
import {
  attemptTimeoutError,
  type HttpResponse,
  type HttpSender,
  type HttpSenderOptions,
  keptBodyText,
  RESPONSE_KEEP_BYTES,
} from "../core/delivery/http-client.js";

// The reference for http-sender.ts, written the obvious way (undici's promise-and-stream
// `request()`, an AbortSignal for the timeout). Not used by the CLI: a property test checks that
// the fast sender answers exactly as this one does.

/** The plain sender: same contract as createHttpSender, the simple way. */
export function createPlainHttpSender(options: HttpSenderOptions): HttpSender {
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: {
      timeout: options.timeoutMs,
      ...(options.insecure ? { rejectUnauthorized: false } : {}),
    },
  });
  return {
    async post(path, headers, body): Promise<HttpResponse> {
      const controller = new AbortController();
      const timeout = attemptTimeoutError(options.timeoutMs);
      const timer = setTimeout(() => controller.abort(timeout), options.timeoutMs);
      try {
        const res = await pool.request({
          method: "POST",
          path,
          headers,
          body,
          signal: controller.signal,
        });
        const kept: Buffer[] = [];
        let size = 0;
        let cut = false;
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          const room = RESPONSE_KEEP_BYTES - size;
          if (chunk.length > room) cut = true;
          if (room > 0) {
            const part = chunk.subarray(0, room);
            kept.push(Buffer.from(part));
            size += part.length;
          }
        }
        const headersOut: Record<string, string | string[] | undefined> = {};
        for (const [name, value] of Object.entries(res.headers)) headersOut[name] = value;
        return {
          status: res.statusCode,
          headers: headersOut,
          body: keptBodyText(Buffer.concat(kept), cut),
        };
      } catch (error) {
        throw controller.signal.aborted ? timeout : error;
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => pool.close(),
  };
}
