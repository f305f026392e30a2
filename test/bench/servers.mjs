// Receivers for the benchmarks, each run in its own process:
//   node servers.mjs sink       — reads the body, answers 200 (the least a server can do)
//   node servers.mjs verifying  — checks the HMAC, JSON.parses the body, answers 200
// Prints {"port":N} once listening.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const [kind = "sink", secret = "bench-secret"] = process.argv.slice(2);

function verifying(req, body) {
  const header = String(req.headers["x-signature"] ?? "");
  const m = /^t=(\d+),s=([0-9a-f]{64})$/.exec(header);
  if (!m) return 401;
  const expected = createHmac("sha256", secret).update(`${m[1]}.`).update(body).digest();
  if (!timingSafeEqual(expected, Buffer.from(m[2], "hex"))) return 401;
  if (Math.abs(Date.now() / 1000 - Number(m[1])) > 300) return 401;
  try {
    JSON.parse(body.toString("utf8"));
  } catch {
    return 400;
  }
  return 200;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    res.statusCode = kind === "verifying" ? verifying(req, Buffer.concat(chunks)) : 200;
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
