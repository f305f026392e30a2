// A receiver for the ticketing platform's webhooks: Node.js, node:http only.
// Run: WEBHOOK_SECRET=… node webhook-receiver.mjs   (PORT defaults to 3000)
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const SECRET = process.env.WEBHOOK_SECRET ?? "";
if (SECRET === "") {
  console.error("WEBHOOK_SECRET is not set: set it to your endpoint's secret");
  process.exit(1);
}
const TOLERANCE_SECONDS = 300;
const seen = new Set(); // event ids already handled: use your database in production

/** True when one s= of `t=<unix>,s=<hex>[,s=<hex>…]` is the HMAC of "<t>.<raw body>". */
function verify(header, rawBody) {
  const parts = String(header ?? "").split(",");
  const t = parts.find((p) => p.startsWith("t="))?.slice(2) ?? "";
  if (!/^\d{1,12}$/.test(t)) return false;
  if (Math.abs(Date.now() / 1000 - Number(t)) > TOLERANCE_SECONDS) return false;
  const expected = createHmac("sha256", SECRET).update(`${t}.`).update(rawBody).digest();
  return parts
    .filter((p) => p.startsWith("s="))
    .map((p) => p.slice(2))
    .some((s) => /^[0-9a-f]{64}$/.test(s) && timingSafeEqual(Buffer.from(s, "hex"), expected));
}

function answer(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/webhooks") {
    return answer(res, 404, { error: "not found" });
  }
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    // Bound what one request may hold.
    if (size > 1024 * 1024) req.destroy();
    else chunks.push(chunk);
  });
  req.on("end", () => {
    const raw = Buffer.concat(chunks); // the exact bytes: verify before parsing
    if (!verify(req.headers["x-signature"], raw)) {
      return answer(res, 401, { error: "bad signature" });
    }
    let event;
    try {
      event = JSON.parse(raw.toString("utf8"));
    } catch {
      return answer(res, 400, { error: "invalid JSON" });
    }
    answer(res, 200, { ok: true }); // answer first, work afterwards
    if (seen.has(event.event_id)) return; // a retry of an event already handled
    seen.add(event.event_id);
    setImmediate(() => handle(event));
  });
});

function handle(event) {
  // Your work here: event.event_type is whitelabel-ticket-created, -updated, -assigned or -resolved.
  console.log(`${event.event_type} ${event.data?.ticket?.id}`);
}

server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/webhooks`);
});
