import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Webhook receivers written for the tests, independently of src/: one correct reference, and
 * broken ones, each with one classic mistake.
 */
export interface ReceiverFlaws {
  /** Never checks the signature. */
  acceptsForged?: boolean;
  /** Verifies the HMAC over JSON.stringify(JSON.parse(body)) instead of the raw bytes. */
  reserializes?: boolean;
  /** Lets the JSON parse error escape: 500 on bad JSON. */
  crashesOnBadJson?: boolean;
  /** Checks the HMAC but not the timestamp's age. */
  ignoresTimestamps?: boolean;
  /** Answers this many ms late (a slow handler). */
  delayMs?: number;
}

function verify(
  header: string | undefined,
  body: Buffer,
  secret: string,
  flaws: ReceiverFlaws,
): boolean {
  const parts = (header ?? "").split(",");
  const t = parts.find((p) => p.startsWith("t="))?.slice(2);
  const sigs = parts.filter((p) => p.startsWith("s=")).map((p) => p.slice(2));
  if (!t || !/^\d+$/.test(t) || sigs.length === 0) return false;
  if (!flaws.ignoresTimestamps && Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  let signed: Buffer | string = body;
  if (flaws.reserializes) {
    try {
      signed = JSON.stringify(JSON.parse(body.toString()));
    } catch {
      return false;
    }
  }
  const expected = createHmac("sha256", secret).update(`${t}.`).update(signed).digest();
  return sigs.some((s) => {
    const given = Buffer.from(s, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export function startReceiver(
  secret: string,
  flaws: ReceiverFlaws = {},
): Promise<{ url: string; stop: () => Promise<void> }> {
  const seen = new Set<string>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const answer = (status: number, payload: unknown) => {
        const write = () => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(payload));
        };
        if (flaws.delayMs) setTimeout(write, flaws.delayMs);
        else write();
      };
      if (
        !flaws.acceptsForged &&
        !verify(req.headers["x-signature"] as string | undefined, body, secret, flaws)
      ) {
        answer(401, { error: "bad signature" });
        return;
      }
      let event: { event_id?: string };
      if (flaws.crashesOnBadJson) {
        try {
          event = JSON.parse(body.toString());
        } catch {
          answer(500, { error: "Internal Server Error" });
          return;
        }
      } else {
        try {
          event = JSON.parse(body.toString());
        } catch {
          answer(400, { error: "bad json" });
          return;
        }
      }
      const duplicate = seen.has(String(event.event_id));
      seen.add(String(event.event_id));
      answer(200, { ok: true, duplicate });
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
