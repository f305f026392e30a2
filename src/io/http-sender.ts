import { Pool } from "undici";
import type { HttpSender, HttpSenderOptions } from "../core/delivery/http-client.js";

/** A keep-alive undici Pool to one origin. */
export function createHttpSender(options: HttpSenderOptions): HttpSender {
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: {
      timeout: options.timeoutMs,
      ...(options.insecure ? { rejectUnauthorized: false } : {}),
    },
  });
  return {
    async post(path, headers, body) {
      const res = await pool.request({ method: "POST", path, headers, body });
      return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
    },
    async request(method, path, headers, body) {
      const res = await pool.request({
        method,
        path,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
    },
    close: () => pool.close(),
  };
}
