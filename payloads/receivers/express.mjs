// A receiver for the ticketing platform's webhooks: Express (npm install express).
// Run: WEBHOOK_SECRET=… node webhook-receiver.mjs   (PORT defaults to 3000)
import { createHmac, timingSafeEqual } from "node:crypto";
import express from "express";

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

const app = express();

// express.raw(), not express.json(): the signature covers the exact bytes, so verify before parsing.
app.post("/webhooks", express.raw({ type: "application/json", limit: "1mb" }), (req, res) => {
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (!verify(req.get("x-signature"), raw)) return res.status(401).json({ error: "bad signature" });
  let event;
  try {
    event = JSON.parse(raw.toString("utf8"));
  } catch {
    return res.status(400).json({ error: "invalid JSON" });
  }
  res.status(200).json({ ok: true }); // answer first, work afterwards
  if (seen.has(event.event_id)) return; // a retry of an event already handled
  seen.add(event.event_id);
  setImmediate(() => handle(event));
});

function handle(event) {
  // Your work here: event.event_type is whitelabel-ticket-created, -updated, -assigned or -resolved.
  console.log(`${event.event_type} ${event.data?.ticket?.id}`);
}

const server = app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/webhooks`);
});
