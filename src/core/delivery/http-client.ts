// What delivery needs from an HTTP client. Declared here, implemented in io/ (undici): the core
// never imports an adapter.

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The start of the body: RESPONSE_KEEP_BYTES at most, the rest discarded as it arrived. */
  body: string;
}

/** Response bytes kept per answer; a receiver answering 1 GB costs this much, and its status counts. */
export const RESPONSE_KEEP_BYTES = 64 * 1024;

export interface HttpSender {
  post(path: string, headers: Record<string, string>, body: string | Buffer): Promise<HttpResponse>;
  /** Any method (a scenario's probe of the developer's app); no body when undefined. */
  request?(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface HttpSenderOptions {
  /** Origin, e.g. `http://127.0.0.1:3000`. */
  origin: string;
  /** Bounds a whole attempt: waiting for a connection, connecting, the answer's headers and body. */
  timeoutMs: number;
  /** Keep-alive connections to open at most. */
  connections: number;
  /** Skip TLS certificate checks. */
  insecure?: boolean;
}

/** Opens a client to one origin (may load its module first). */
export type CreateHttpSender = (options: HttpSenderOptions) => HttpSender | Promise<HttpSender>;

/** The code of the error an attempt fails with when its timeout fires. */
export const ATTEMPT_TIMEOUT = "ATTEMPT_TIMEOUT";

export function attemptTimeoutError(timeoutMs: number): Error {
  return Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: ATTEMPT_TIMEOUT });
}

/** The kept bytes as text; when the rest was `cut`, without a character cut in half at the end. */
export function keptBodyText(bytes: Buffer, cut: boolean): string {
  let end = bytes.length;
  if (!cut) return bytes.toString("utf8");
  // Back up over a last character whose bytes did not all arrive (UTF-8 lead byte + continuations).
  let back = 0;
  while (back < 3 && end - back - 1 >= 0 && ((bytes[end - back - 1] as number) & 0xc0) === 0x80)
    back++;
  const lead = bytes[end - back - 1];
  if (lead !== undefined && lead >= 0xc0) {
    const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (back + 1 < size) end -= back + 1;
  }
  return bytes.toString("utf8", 0, end);
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|EPROTO$)/;
/** Certificate problems: the only TLS failures --insecure helps with. */
const CERT_CODES = /^(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_TLS_CERT_)/;

/** The first line of a system message, without OpenSSL's "<hex>:error:…:" prefix. */
function firstLine(message: string): string {
  const line = message.split(/\r?\n/, 1)[0] ?? "";
  const openssl = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/.exec(line);
  return (openssl?.[1] ?? line).trim();
}

export type FailureKind = "refused" | "dns" | "tls" | "timeout" | "reset" | "network";

/** One line naming the cause of a network failure, and whether a retry may help. */
export function describeNetworkError(
  error: unknown,
  context: { host: string; timeoutMs: number },
): { kind: FailureKind; message: string } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code ?? "";
  if (code === "ECONNREFUSED") {
    return {
      kind: "refused",
      message: `nothing listening at ${context.host} (connection refused)`,
    };
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return { kind: "dns", message: `DNS name not found: ${context.host.replace(/:\d+$/, "")}` };
  }
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "ERR_SSL_PACKET_LENGTH_TOO_LONG") {
    return {
      kind: "tls",
      message: `the server at ${context.host} does not speak TLS; use http://`,
    };
  }
  if (CERT_CODES.test(code)) {
    return {
      kind: "tls",
      message: `TLS certificate not accepted: ${firstLine(err.message)} (${code}); --insecure skips certificate checks`,
    };
  }
  if (TLS_CODES.test(code)) {
    return { kind: "tls", message: `TLS handshake with ${context.host} failed (${code})` };
  }
  if (
    code === ATTEMPT_TIMEOUT ||
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT" ||
    code === "UND_ERR_CONNECT_TIMEOUT" ||
    code === "ETIMEDOUT"
  ) {
    return { kind: "timeout", message: `timed out after ${context.timeoutMs} ms` };
  }
  // undici closes the connection on a 100 Continue nobody asked for (the request carries no
  // Expect: 100-continue); other interim answers (102, 103) are skipped.
  if (code === "UND_ERR_SOCKET" && err.message === "bad response") {
    return {
      kind: "network",
      message: `${context.host} answered 100 Continue to a request without Expect: 100-continue, and the connection was dropped: answer with the final status only`,
    };
  }
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") {
    return { kind: "reset", message: `connection closed by ${context.host} before it answered` };
  }
  return { kind: "network", message: `${firstLine(err.message)}${code ? ` (${code})` : ""}` };
}
