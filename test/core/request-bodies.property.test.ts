import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ComposedEvent } from "../../src/core/delivery/compose.js";
import { bodyFactory } from "../../src/core/delivery/requests.js";

// send --count splices a fresh event_id into the rendered bytes instead of re-serialising the
// event (the fast path); the plain way, JSON.stringify of the event with the new id, must give
// exactly the same bytes, whatever the event holds (multi-byte text, nesting, key order).

const composed = (value: unknown): ComposedEvent => ({
  spec: "test",
  file: "test.json",
  origin: "file",
  value,
  validation: { valid: true, errors: [], warnings: [] } as unknown as ComposedEvent["validation"],
});

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom("é", "€", "😀", "中"),
);
const events = fc
  .tuple(
    fc.dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
    fc.dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
    text,
  )
  .map(([before, after, id]) => ({ ...before, event_id: id, ...after }));

describe("bodyFactory().fresh()", () => {
  it("gives the bytes JSON.stringify would give for the event with its new event_id", () => {
    fc.assert(
      fc.property(events, (value) => {
        const factory = bodyFactory(composed(value));
        for (let i = 0; i < 3; i++) {
          const planned = factory.fresh();
          expect(planned.eventId).toMatch(/^whev_[a-z0-9]{17}$/);
          const plain = JSON.stringify({ ...value, event_id: planned.eventId });
          expect(Buffer.from(planned.body).equals(Buffer.from(plain, "utf8"))).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("gives every copy its own event_id", () => {
    const factory = bodyFactory(composed({ event_type: "x", event_id: "whev_0" }));
    const ids = new Set(Array.from({ length: 1000 }, () => factory.fresh().eventId));
    expect(ids.size).toBe(1000);
  });
});
