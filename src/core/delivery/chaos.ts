import type { Clock } from "../clock.js";
import { usageError } from "../errors.js";
import type { SeededRandom } from "../random.js";
import { didYouMeanSuffix } from "../suggest.js";

/** `--chaos duplicate=0.1,reorder=5,jitter=200ms`: how a delivery is disturbed, as networks do. */
export interface ChaosSpec {
  /** Probability (0–1) that an item is delivered a second time. */
  duplicate: number;
  /** How many items may be held back and overtaken (a window; 0 keeps the order). */
  reorder: number;
  /** Each item waits a random 0..jitterMs first. */
  jitterMs: number;
}

const KEYS = ["duplicate", "reorder", "jitter"] as const;

/** One `key=value` of --chaos, set in `spec`. */
function setChaos(spec: ChaosSpec, key: string, value: string): void {
  const bad = (expected: string) =>
    usageError("BAD_CHAOS", `--chaos: ${key}=${value}: expected ${expected}`);
  if (key === "duplicate") {
    const p = Number(value);
    if (value === "" || !(p >= 0 && p <= 1)) throw bad("a probability from 0 to 1");
    spec.duplicate = p;
  } else if (key === "reorder") {
    if (!/^\d+$/.test(value)) throw bad("a whole number of positions");
    spec.reorder = Number(value);
  } else if (key === "jitter") {
    const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value);
    if (!m) throw bad("a duration such as 200ms or 2s");
    spec.jitterMs = Number(m[1]) * (m[2] === "s" ? 1000 : 1);
  } else {
    throw usageError(
      "BAD_CHAOS",
      `--chaos: unknown key "${key}"${didYouMeanSuffix(key, KEYS)}`,
      "Use duplicate=P, reorder=N and jitter=MS, e.g. --chaos duplicate=0.1,reorder=5,jitter=200ms.",
    );
  }
}

export function parseChaos(text: string): ChaosSpec {
  const spec: ChaosSpec = { duplicate: 0, reorder: 0, jitterMs: 0 };
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key = "", value = ""] = part.split("=", 2).map((s) => s.trim());
    setChaos(spec, key, value);
  }
  return spec;
}

export function describeChaos(spec: ChaosSpec): string {
  return `duplicate=${spec.duplicate},reorder=${spec.reorder},jitter=${spec.jitterMs}ms`;
}

/** One item as chaos delivers it: which input (0-based), whether a copy, and its extra wait. */
export interface ChaosDelivery<T> {
  item: T;
  index: number;
  copy: boolean;
  jitterMs: number;
}

/**
 * Disturbs a sequence with a seeded random source: items wait in a window of `reorder` places and
 * leave it in random order; `duplicate` adds a copy to the window; each leaving item draws its
 * jitter. The same seed and input give the same order, copies and delays. Streams: it holds at
 * most reorder + 2 items.
 */
export class ChaosShuffler<T> {
  private readonly window: Array<{ item: T; index: number; copy: boolean; since: number }> = [];
  private count = 0;
  private taken = 0;

  constructor(
    private readonly spec: ChaosSpec,
    private readonly random: SeededRandom,
  ) {}

  /** Takes the next input; returns what leaves the window now. */
  push(item: T): ChaosDelivery<T>[] {
    const index = this.count++;
    this.window.push({ item, index, copy: false, since: this.taken });
    if (this.spec.duplicate > 0 && this.random.next() < this.spec.duplicate)
      this.window.push({ item, index, copy: true, since: this.taken });
    const out: ChaosDelivery<T>[] = [];
    while (this.window.length > this.spec.reorder) out.push(this.take());
    return out;
  }

  /** The rest, at the end of the input. */
  flush(): ChaosDelivery<T>[] {
    const out: ChaosDelivery<T>[] = [];
    while (this.window.length > 0) out.push(this.take());
    return out;
  }

  private take(): ChaosDelivery<T> {
    // The oldest leaves once `reorder` others have overtaken it: no item moves further.
    const oldest = this.window[0];
    const overdue = oldest !== undefined && this.taken - oldest.since >= this.spec.reorder;
    const at =
      this.spec.reorder > 0 && !overdue ? Math.floor(this.random.next() * this.window.length) : 0;
    const held = this.window.splice(at, 1)[0] as { item: T; index: number; copy: boolean };
    this.taken++;
    const jitterMs = this.spec.jitterMs > 0 ? this.random.int(0, this.spec.jitterMs) : 0;
    return { item: held.item, index: held.index, copy: held.copy, jitterMs };
  }
}

/** All of a (short) sequence through chaos. */
export function applyChaos<T>(
  items: readonly T[],
  spec: ChaosSpec,
  random: SeededRandom,
): ChaosDelivery<T>[] {
  const shuffler = new ChaosShuffler<T>(spec, random);
  return [...items.flatMap((item) => shuffler.push(item)), ...shuffler.flush()];
}

/** A stream through chaos; each item's jitter is slept on the clock before it is handed on. */
export async function* chaosStream<T>(
  items: AsyncIterable<T>,
  spec: ChaosSpec,
  random: SeededRandom,
  clock: Clock,
  onDelivery?: (d: ChaosDelivery<T>) => void,
): AsyncGenerator<T> {
  const shuffler = new ChaosShuffler<T>(spec, random);
  const emit = async function* (ready: ChaosDelivery<T>[]) {
    for (const d of ready) {
      if (d.jitterMs > 0) await clock.sleep(d.jitterMs);
      onDelivery?.(d);
      yield d.item;
    }
  };
  for await (const item of items) yield* emit(shuffler.push(item));
  yield* emit(shuffler.flush());
}

/** One line showing what chaos did, for the output (the first 30 deliveries in full). */
export class ChaosLog {
  private readonly shown: string[] = [];
  private total = 0;
  private copies = 0;
  private jitterMs = 0;

  add(d: { index: number; copy: boolean; jitterMs: number }): void {
    this.total++;
    if (d.copy) this.copies++;
    this.jitterMs += d.jitterMs;
    if (this.shown.length < 30)
      this.shown.push(
        `#${d.index + 1}${d.copy ? " (copy)" : ""}${d.jitterMs ? ` +${d.jitterMs}ms` : ""}`,
      );
  }

  summary(seed: number, spec: ChaosSpec): string {
    const more = this.total > this.shown.length ? `, … ${this.total - this.shown.length} more` : "";
    return `Chaos ${describeChaos(spec)}, seed ${seed}: ${this.total} deliveries, ${this.copies} copies, ${this.jitterMs} ms of jitter; order: ${this.shown.join(", ")}${more}`;
  }
}
