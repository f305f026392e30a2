import { createHash } from "node:crypto";

/** File names are kept within this many bytes (the limit of common file systems is 255). */
const NAME_LIMIT = 255;
/** Room kept for `-<n>.json`. */
const SUFFIX_ROOM = 16;

/**
 * A name part safe in any file system: letters, digits, `.`, `_` and `-` stay; every other byte is
 * written `%XX` (and `%` itself `%25`), so distinct inputs give distinct names (`a/b` is `a%2Fb`,
 * `a_b` stays `a_b`). A leading dot is escaped too: no hidden files, no `..`.
 */
export function fileNamePart(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out.startsWith(".") ? `%2E${out.slice(1)}` : out;
}

/**
 * The base name (without `.json`) for an exported event, within the file-name limit: a name too
 * long is cut and ends with a hash of the whole, so two long names still differ.
 */
export function exportBaseName(eventType: string, eventId: string): string {
  const base = `${fileNamePart(eventType)}-${fileNamePart(eventId)}`;
  const room = NAME_LIMIT - SUFFIX_ROOM;
  if (base.length <= room) return base;
  const hash = createHash("sha256").update(base).digest("hex").slice(0, 12);
  return `${base.slice(0, room - hash.length - 1)}~${hash}`;
}

/** Hands out the file names of one export run: a name this run already wrote gets `-2`, `-3`… */
export class RunNames {
  private readonly used = new Set<string>();

  /** The first of `base.json`, `base-2.json`, … not yet written by this run. */
  next(base: string): string {
    for (let n = 1; ; n++) {
      const name = n === 1 ? `${base}.json` : `${base}-${n}.json`;
      if (!this.used.has(name)) {
        this.used.add(name);
        return name;
      }
    }
  }
}
