import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventIdSource, newEventId } from "../../src/core/events/ids.js";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** The plain way: each byte below 252 is one character (byte % 36), in order, 17 to an id. */
function plainIds(bytes: readonly number[], count: number): string[] {
  const chars = bytes.filter((b) => b < 252).map((b) => ALPHABET[b % 36]);
  return Array.from(
    { length: count },
    (_, i) => `whev_${chars.slice(i * 17, i * 17 + 17).join("")}`,
  );
}

describe("EventIdSource: ids from a pool of random bytes", () => {
  it("gives the ids a byte-per-id draw would, whatever the pool size", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 200, maxLength: 600 }),
        fc.integer({ min: 1, max: 64 }),
        (bytes, poolSize) => {
          const usable = bytes.filter((b) => b < 252).length;
          const count = Math.floor(usable / 17);
          let at = 0;
          const draw = (size: number) => {
            const part = Uint8Array.from(bytes.slice(at, at + size));
            at += size;
            return part;
          };
          const source = new EventIdSource(poolSize, draw);
          const ids = Array.from({ length: count }, () => source.next());
          expect(ids).toEqual(plainIds(bytes, count));
        },
      ),
    );
  });

  it("an id has the documented shape, and two are never the same", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newEventId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^whev_[a-z0-9]{17}$/);
  });
});
