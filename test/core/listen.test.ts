import { afterEach, describe, expect, it } from "vitest";
import { type Listener, listen, send } from "../../src/index.js";

let listener: Listener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

describe("listen() library API", () => {
  it("gives url and port, waitFor by name or predicate, and events as an async iterator", async () => {
    listener = await listen({ port: 0, secret: "s" });
    expect(listener.url).toBe(`http://127.0.0.1:${listener.port}/`);
    const iterator = listener.events[Symbol.asyncIterator]();
    const waiting = listener.waitFor("resolved", { timeout: 5000 });
    await send({ events: ["created", "resolved"], to: listener.url, secret: "s" });
    const resolved = await waiting;
    expect(resolved.verdict.eventType).toBe("whitelabel-ticket-resolved");
    expect(resolved.verdict.signature.status).toBe("valid");
    const first = await iterator.next();
    expect(first.value?.verdict.eventType).toBe("whitelabel-ticket-created");
    await iterator.return?.();
    const byPredicate = await listener.waitFor(
      (ex) => ex.verdict.eventId === "whev_o48n74r1vsv642vex",
    );
    expect(byPredicate.status).toBe(200);
    const counters = await listener.close();
    listener = undefined;
    expect(counters).toMatchObject({ received: 2, valid: 2, rejected: 0 });
  });

  it("waitFor rejects after its timeout", async () => {
    listener = await listen({ port: 0 });
    await expect(listener.waitFor("assigned", { timeout: 50 })).rejects.toThrow(
      "no matching event within 50 ms",
    );
  });
});
