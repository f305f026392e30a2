import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { composeEvent } from "../../src/core/delivery/compose.js";
import { varyEvent } from "../../src/core/delivery/vary.js";
import { SeededRandom } from "../../src/core/random.js";
import { validateEvent } from "../../src/core/validation/validate.js";
import { bundled } from "../helpers/lookup.js";

const base = (name: string) => composeEvent(name, bundled).value as Record<string, unknown>;

describe("--vary", () => {
  it.each(["created", "updated", "assigned", "resolved"])(
    "%s: 50 variants, every one valid",
    (name) => {
      const variants = varyEvent(base(name), 50, new SeededRandom(7));
      expect(variants).toHaveLength(50);
      for (const v of variants) expect(validateEvent(v.value).errors).toEqual([]);
      expect(new Set(variants.map((v) => v.value.event_id)).size).toBe(50);
    },
  );

  it("the same seed gives the same events; another seed other ones", () => {
    const a = varyEvent(base("updated"), 50, new SeededRandom(7));
    const b = varyEvent(base("updated"), 50, new SeededRandom(7));
    const c = varyEvent(base("updated"), 50, new SeededRandom(8));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it("covers the schema's edge cases: nulls, unicode, long strings and replies, boundary times", () => {
    const labels = varyEvent(base("created"), 50, new SeededRandom(7))
      .map((v) => v.label)
      .join("\n");
    for (const kind of [
      "null data.ticket.teammate_id",
      "null data.ticket.subcategory",
      "emoji string",
      "right-to-left string",
      "long string",
      "boundary timestamps",
      "empty replies",
      "many replies",
    ])
      expect(labels).toContain(kind);
    const values = varyEvent(base("created"), 50, new SeededRandom(7)).map((v) => v.value);
    const titles = values.map((v) => (v.data as { ticket: { title: string } }).ticket.title);
    expect(titles.some((t) => t.length >= 100_000)).toBe(true);
  });

  it("every variant is valid whatever the seed (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.constantFrom("created", "updated", "assigned", "resolved"),
        (seed, name) => {
          for (const v of varyEvent(base(name), 10, new SeededRandom(seed)))
            expect(validateEvent(v.value).errors).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
