import { nodeCrypto } from "../node-crypto.js";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

// Random bytes are drawn 4 KiB at a time: one system call per 240 ids, not one per id.
let pool = Buffer.alloc(0);
let offset = 0;

/** A fresh event id of the documented shape: `whev_` + 17 lower-case letters or digits. */
export function newEventId(): string {
  if (offset + 17 > pool.length) {
    pool = nodeCrypto().randomBytes(4096);
    offset = 0;
  }
  let id = "whev_";
  // 252 = 7 × 36: bytes at or above it are skipped so every character is equally likely.
  while (id.length < 22) {
    if (offset >= pool.length) {
      pool = nodeCrypto().randomBytes(4096);
      offset = 0;
    }
    const byte = pool[offset++] as number;
    if (byte < 252) id += ALPHABET[byte % 36];
  }
  return id;
}

/** Sources of randomness and time, injectable so tests are deterministic. */
export interface Entropy {
  uuid: () => string;
  eventId: () => string;
  /** Unix seconds. */
  now: () => number;
}

export const defaultEntropy: Entropy = {
  uuid: () => nodeCrypto().randomUUID(),
  eventId: newEventId,
  now: () => Math.floor(Date.now() / 1000),
};
