import type { Exchange } from "./exchange.js";

export interface Counters {
  received: number;
  valid: number;
  invalid: number;
  rejected: number;
  forwarded: number;
  filtered: number;
}

export type LogListener = (exchange: Exchange) => void;

/**
 * The listener's model, outside any UI: the last `limit` exchanges, counters over all of them,
 * and subscribers (the terminal UI, the line printer, `events()` of the library API).
 */
export class RequestLog {
  readonly counters: Counters = {
    received: 0,
    valid: 0,
    invalid: 0,
    rejected: 0,
    forwarded: 0,
    filtered: 0,
  };
  private items: Exchange[] = [];
  private listeners = new Set<LogListener>();

  constructor(readonly limit = 1000) {}

  add(exchange: Exchange): void {
    const c = this.counters;
    c.received++;
    const { verdict } = exchange;
    if (verdict.rejected) c.rejected++;
    if (verdict.validation) {
      if (verdict.validation.valid) c.valid++;
      else c.invalid++;
    }
    if (verdict.filtered) c.filtered++;
    if (exchange.forward && exchange.forward.status !== null) c.forwarded++;
    if (this.limit > 0) {
      this.items.push(exchange);
      // Trim in batches: one copy per `limit` additions instead of one per request.
      if (this.items.length >= this.limit * 2) this.items = this.items.slice(-this.limit);
    }
    if (this.listeners.size > 0) for (const listener of this.listeners) listener(exchange);
  }

  /** The kept exchanges (the last `limit`), oldest first. */
  get entries(): readonly Exchange[] {
    if (this.items.length > this.limit) this.items = this.items.slice(-this.limit);
    return this.items;
  }

  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
