// A receiver for the ticketing platform's webhooks: Fastify (npm install fastify).
// Run: WEBHOOK_SECRET=… node webhook-receiver.mjs   (PORT defaults to 3000)
import { createHmac, timingSafeEqual } from "node:crypto";
import Fastify from "fastify";

const SECRET = process.env.WEBHOOK_SECRET ?? "";
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

const app = Fastify({ bodyLimit: 1024 * 1024 });

// The body as a Buffer, not parsed: the signature covers the exact bytes.
app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) => {
  done(null, body);
});

app.post("/webhooks", async (req, reply) => {
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (!verify(req.headers["x-signature"], raw)) {
    return reply.code(401).send({ error: "bad signature" });
  }
  let event;
  try {
    event = JSON.parse(raw.toString("utf8"));
  } catch {
    return reply.code(400).send({ error: "invalid JSON" });
  }
  if (!seen.has(event.event_id)) {
    seen.add(event.event_id);
    setImmediate(() => handle(event)); // work after answering
  }
  return { ok: true }; // a retry of an event already handled is answered 200 too
});

function handle(event) {
  // Your work here: event.event_type is whitelabel-ticket-created, -updated, -assigned or -resolved.
  console.log(`${event.event_type} ${event.data?.ticket?.id}`);
}

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: "127.0.0.1" });
console.log(`listening on ${address}/webhooks`);
