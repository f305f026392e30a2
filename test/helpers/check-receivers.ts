import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Receivers that trip `check` into false verdicts, written for the tests independently of src/:
 * one that accepts nothing, one whose every answer is 404 (a wrong path), two that keep only one of
 * several `s=` values (a header parsed into an object), and an address where nothing listens.
 */
export type CheckReceiverKind = "accepts-nothing" | "not-found" | "first-s-only" | "last-s-only";

export interface RunningReceiver {
  url: string;
  stop: () => Promise<void>;
}

function verifies(
  header: string | undefined,
  body: Buffer,
  secret: string,
  keep: "first" | "last",
) {
  const parts = (header ?? "").split(",");
  const t = parts.find((p) => p.startsWith("t="))?.slice(2);
  const all = parts.filter((p) => p.startsWith("s=")).map((p) => p.slice(2));
  const s = keep === "first" ? all[0] : all.at(-1);
  if (!t || !/^\d+$/.test(t) || s === undefined) return false;
  if (Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${t}.`).update(body).digest();
  const given = Buffer.from(s, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function startCheckReceiver(
  kind: CheckReceiverKind,
  secret: string,
): Promise<RunningReceiver> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const answer = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      if (kind === "accepts-nothing") return answer(401, { error: "unauthorized" });
      if (kind === "not-found") return answer(404, { error: "Cannot POST" });
      const keep = kind === "first-s-only" ? "first" : "last";
      if (!verifies(req.headers["x-signature"] as string | undefined, body, secret, keep))
        return answer(401, { error: "bad signature" });
      try {
        JSON.parse(body.toString());
      } catch {
        return answer(400, { error: "bad json" });
      }
      answer(200, { ok: true });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/webhooks`,
        stop: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

/** A URL on a port that was free a moment ago and where nothing listens now. */
export async function nothingListening(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}/webhooks`;
}
