// A receiver for the ticketing platform's webhooks: Hono on Node.js (npm install hono @hono/node-server).
// Run: WEBHOOK_SECRET=… node webhook-receiver.mjs   (PORT defaults to 3000)
import { createHmac, timingSafeEqual } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";

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

const app = new Hono();

app.post("/webhooks", bodyLimit({ maxSize: 1024 * 1024 }), async (c) => {
  // The exact bytes (not c.req.json()): the signature covers them, so verify before parsing.
  const raw = Buffer.from(await c.req.arrayBuffer());
  if (!verify(c.req.header("x-signature"), raw)) return c.json({ error: "bad signature" }, 401);
  let event;
  try {
    event = JSON.parse(raw.toString("utf8"));
  } catch {
    return c.json({ error: "invalid JSON" }, 400);
  }
  if (!seen.has(event.event_id)) {
    seen.add(event.event_id);
    setImmediate(() => handle(event)); // work after answering
  }
  return c.json({ ok: true }); // a retry of an event already handled is answered 200 too
});

function handle(event) {
  // Your work here: event.event_type is whitelabel-ticket-created, -updated, -assigned or -resolved.
  console.log(`${event.event_type} ${event.data?.ticket?.id}`);
}

serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: "127.0.0.1" },
  (info) => {
    console.log(`listening on http://127.0.0.1:${info.port}/webhooks`);
  },
);
