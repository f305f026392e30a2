import { request } from "node:http";
import { connect } from "node:net";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP request with node:http (any method, headers and bytes). */
export function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = { "content-type": "application/json" },
  method = "POST",
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          text += d;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends headers and part of a body, then hangs up. Resolves once the socket is closed. */
export function disconnectMidBody(
  url: string,
  partialBody: string,
  declaredLength: number,
): Promise<void> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${declaredLength}\r\n\r\n${partialBody}`,
        () => socket.destroy(),
      );
    });
    socket.on("close", () => resolve());
    socket.on("error", reject);
  });
}
