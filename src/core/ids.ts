import { randomBytes, randomUUID } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A fresh event id of the documented shape: `whev_` + 17 lower-case letters or digits. */
export function newEventId(): string {
  const bytes = randomBytes(17);
  let id = "whev_";
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
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
  uuid: randomUUID,
  eventId: newEventId,
  now: () => Math.floor(Date.now() / 1000),
};
