import { describe, expect, it } from "vitest";
import { applyChaos, chaosStream, parseChaos } from "../../src/core/delivery/chaos.js";
import { SeededRandom } from "../../src/core/random.js";
import { VirtualClock } from "../helpers/clock.js";

const items = Array.from({ length: 200 }, (_, i) => i);

describe("--chaos", () => {
  it("parses the spec and refuses unknown keys with a suggestion", () => {
    expect(parseChaos("duplicate=0.1,reorder=5,jitter=200ms")).toEqual({
      duplicate: 0.1,
      reorder: 5,
      jitterMs: 200,
    });
    expect(parseChaos("jitter=2s").jitterMs).toBe(2000);
    expect(() => parseChaos("duplicat=0.1")).toThrow(
      'unknown key "duplicat" (did you mean "duplicate"?)',
    );
    expect(() => parseChaos("duplicate=2")).toThrow("a probability from 0 to 1");
  });

  it("the same seed gives the same order, copies and delays; another seed does not", () => {
    const spec = parseChaos("duplicate=0.1,reorder=5,jitter=200ms");
    const a = applyChaos(items, spec, new SeededRandom(7));
    const b = applyChaos(items, spec, new SeededRandom(7));
    const c = applyChaos(items, spec, new SeededRandom(8));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("copies about the asked share, keeps every item, and moves none far", () => {
    const spec = parseChaos("duplicate=0.1,reorder=5");
    const out = applyChaos(items, spec, new SeededRandom(1));
    const copies = out.filter((d) => d.copy).length;
    expect(copies).toBeGreaterThan(5);
    expect(copies).toBeLessThan(40);
    expect(
      out
        .filter((d) => !d.copy)
        .map((d) => d.index)
        .sort((x, y) => x - y),
    ).toEqual(items);
    const originals = out.filter((d) => !d.copy);
    expect(originals.map((d) => d.index)).not.toEqual(items);
    // At most `reorder` items overtake one; copies ahead of it shift it by a few more.
    const moved = originals.map((d, position) => Math.abs(position - d.index));
    expect(Math.max(...moved)).toBeLessThanOrEqual(5 + copies);
    const late = out.map(
      (d, position) => position - d.index - out.slice(0, position).filter((x) => x.copy).length,
    );
    expect(Math.max(...late)).toBeLessThanOrEqual(5);
    expect(out.every((d) => d.jitterMs === 0)).toBe(true);
  });

  it("reorder=0 and no duplicates keep the input as it was", () => {
    const out = applyChaos(items, parseChaos("jitter=50ms"), new SeededRandom(3));
    expect(out.map((d) => d.index)).toEqual(items);
    expect(out.every((d) => d.jitterMs >= 0 && d.jitterMs <= 50)).toBe(true);
  });

  it("a stream sleeps each jitter on the clock, in virtual time", async () => {
    const clock = new VirtualClock();
    async function* source() {
      yield* items.slice(0, 20);
    }
    const got: number[] = [];
    const spec = parseChaos("jitter=100ms,reorder=2");
    for await (const i of chaosStream(source(), spec, new SeededRandom(5), clock)) got.push(i);
    const expected = applyChaos(items.slice(0, 20), spec, new SeededRandom(5));
    expect(got).toEqual(expected.map((d) => d.item));
    expect(clock.sleeps).toEqual(expected.map((d) => d.jitterMs).filter((ms) => ms > 0));
  });
});
