// Receivers for the benchmarks, each run in its own process:
//   node servers.mjs sink       — reads the body, answers 200 (the least a server can do)
//   node servers.mjs verifying  — checks the HMAC, JSON.parses the body, answers 200
//   node servers.mjs discard    — reads the body and keeps none of it, answers 200 (holds nothing)
// Prints {"port":N} once listening. Both count the requests that arrive: a line "report" on stdin
// prints {"count","seconds","rate"} — the rate between the first and the last arrival since the
// previous report — and starts counting afresh. Throughput is measured where requests land, not by
// the sender's own clock.
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

let count = 0;
let first = 0;
let last = 0;

const server = createServer((req, res) => {
  if (kind === "discard") {
    req.resume();
    req.on("end", () => res.end());
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    last = performance.now();
    if (count++ === 0) first = last;
    res.statusCode = kind === "verifying" ? verifying(req, Buffer.concat(chunks)) : 200;
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => {
  input += d;
  for (let nl = input.indexOf("\n"); nl !== -1; nl = input.indexOf("\n")) {
    input = input.slice(nl + 1);
    const seconds = (last - first) / 1000;
    process.stdout.write(
      `${JSON.stringify({ count, seconds, rate: seconds > 0 ? (count - 1) / seconds : 0 })}\n`,
    );
    count = 0;
  }
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
