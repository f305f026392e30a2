import { type KnownShape, knownFields } from "../../generated/known-fields.js";
import { closest } from "../suggest.js";

/** Every documented field path of an event type, arrays as `[]` (`data.ticket.replies[].text`). */
export function documentedPaths(eventType: string): string[] {
  const out: string[] = [];
  const walk = (shape: KnownShape, prefix: string) => {
    for (const [key, child] of Object.entries(shape)) {
      const path = key === "[]" ? `${prefix}[]` : prefix ? `${prefix}.${key}` : key;
      out.push(path);
      if (child) walk(child, path);
    }
  };
  const shape = knownFields[eventType];
  if (shape) walk(shape, "");
  return out;
}

/**
 * For an edited path that no documented field has (`data.ticket.titel`), the closest documented
 * one, with the user's array indexes kept; undefined when the path is documented or nothing is near.
 */
export function closestDocumentedPath(path: string, eventType: string): string | undefined {
  const general = path.replace(/\[\d+\]/g, "[]");
  const paths = documentedPaths(eventType);
  if (paths.length === 0 || paths.includes(general)) return undefined;
  const near = closest(general, paths);
  if (near === undefined) return undefined;
  const indexes = [...path.matchAll(/\[(\d+)\]/g)].map((m) => m[1]);
  return near.replace(/\[\]/g, () => `[${indexes.shift() ?? 0}]`);
}
