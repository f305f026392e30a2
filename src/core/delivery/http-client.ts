// What delivery needs from an HTTP client. Declared here, implemented in io/ (undici): the core
// never imports an adapter.

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

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
  /** Per attempt: connect, headers and body each. */
  timeoutMs: number;
  /** Keep-alive connections to open at most. */
  connections: number;
  /** Skip TLS certificate checks. */
  insecure?: boolean;
}

/** Opens a client to one origin (may load its module first). */
export type CreateHttpSender = (options: HttpSenderOptions) => HttpSender | Promise<HttpSender>;

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|EPROTO$)/;

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
  if (TLS_CODES.test(code)) {
    return {
      kind: "tls",
      message: `TLS error: ${err.message} (${code}); --insecure skips certificate checks`,
    };
  }
  if (
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT" ||
    code === "UND_ERR_CONNECT_TIMEOUT" ||
    code === "ETIMEDOUT"
  ) {
    return { kind: "timeout", message: `timed out after ${context.timeoutMs} ms` };
  }
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") {
    return { kind: "reset", message: `connection closed by ${context.host} before it answered` };
  }
  return { kind: "network", message: `${err.message}${code ? ` (${code})` : ""}` };
}
