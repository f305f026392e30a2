import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Receivers with one signature bug each, written independently of src/ (the doctor must name the
 * bug from the outside). With no bug, a correct receiver: X-Signature, "<t>.<raw body>", secret as
 * UTF-8, lower-case hex, |now - t| <= 300 s.
 */
export type SignatureBug =
  | { kind: "none" }
  | { kind: "header-name"; header: string }
  | { kind: "signed-string"; separator: string | null }
  | { kind: "reserialized-body" }
  | { kind: "timestamp-unit" }
  | { kind: "digest-encoding"; encoding: "base64" | "upper-hex" }
  | { kind: "secret-encoding"; key: "base64" | "strip-whsec" | "add-whsec" }
  | { kind: "clock-skew"; offsetSeconds: number }
  | { kind: "tolerance"; oldSeconds: number; aheadSeconds: number | null }
  | { kind: "prefix-compare" };

function accepted(bug: SignatureBug, secret: string, header: string | undefined, raw: Buffer) {
  // Any of several s= values may match (a secret rotation).
  const m = /^t=(\d+)((?:,s=[^,]*)+)$/.exec(header ?? "");
  if (!m) return false;
  const [, t = "", list = ""] = m;
  const given = list.slice(3).split(",s=");
  const nowMs = Date.now() + (bug.kind === "clock-skew" ? bug.offsetSeconds * 1000 : 0);
  const age = bug.kind === "timestamp-unit" ? (nowMs - Number(t)) / 1000 : nowMs / 1000 - Number(t);
  const oldest = bug.kind === "tolerance" ? bug.oldSeconds : 300;
  const ahead = bug.kind === "tolerance" ? (bug.aheadSeconds ?? Infinity) : 300;
  if (age > oldest || -age > ahead) return false;
  let key: string | Buffer = secret;
  if (bug.kind === "secret-encoding") {
    if (bug.key === "base64") key = Buffer.from(secret, "base64");
    if (bug.key === "strip-whsec") key = secret.replace(/^whsec_/, "");
    if (bug.key === "add-whsec") key = `whsec_${secret}`;
  }
  let body: Buffer | string = raw;
  if (bug.kind === "reserialized-body") body = JSON.stringify(JSON.parse(raw.toString()));
  const prefix =
    bug.kind === "signed-string" ? (bug.separator === null ? "" : `${t}${bug.separator}`) : `${t}.`;
  const digest = createHmac("sha256", key).update(prefix).update(body).digest();
  return given.some((s) => matches(bug, digest, s));
}

function matches(bug: SignatureBug, digest: Buffer, s: string): boolean {
  if (bug.kind === "digest-encoding") {
    return bug.encoding === "base64"
      ? s === digest.toString("base64")
      : s === digest.toString("hex").toUpperCase();
  }
  // The bug: the expected digest only has to start with what was given (an empty s= too).
  if (bug.kind === "prefix-compare") return digest.toString("hex").startsWith(s);
  const bytes = Buffer.from(s, "hex");
  return bytes.length === digest.length && timingSafeEqual(bytes, digest);
}

export async function startBuggyReceiver(
  secret: string,
  bug: SignatureBug,
): Promise<{ url: string; requests: () => number; stop: () => Promise<void> }> {
  let requests = 0;
  const headerName = bug.kind === "header-name" ? bug.header.toLowerCase() : "x-signature";
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests++;
      const value = req.headers[headerName];
      let ok = false;
      try {
        ok = accepted(
          bug,
          secret,
          typeof value === "string" ? value : undefined,
          Buffer.concat(chunks),
        );
      } catch {
        ok = false;
      }
      res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
      res.end(JSON.stringify(ok ? { ok: true } : { error: "invalid signature" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    requests: () => requests,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
