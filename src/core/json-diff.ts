import { formatPath, type PathSegment } from "./events/paths.js";
import { isPlainObject } from "./json.js";

/*
 * Two JSON values compared by path, not by line: which paths one has and the other lacks, and
 * which hold different values. Key order is no difference. Iterative (outside data may be nested
 * a million levels deep) and bounded: past `limit` differences it stops and says so. A key only
 * one side has is listed where its object is met; the shared keys' differences follow.
 */

export interface JsonChange {
  /** The `--set`/`--where` path syntax: `data.ticket.title`, `$` for the whole value. */
  path: string;
  kind: "added" | "removed" | "changed";
  /** The value on each side, shown short (`{…3 keys}` for an object): absent on the side without it. */
  before?: string;
  after?: string;
}

export interface JsonDiff {
  changes: JsonChange[];
  /** More differences than `limit`: the rest were not listed. */
  truncated: boolean;
}

const PREVIEW = 200;

/** A value in a few characters: a scalar as JSON (cut at 200), a container by its size. */
export function previewJson(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `[…${value.length} items]`;
  if (isPlainObject(value)) {
    const n = Object.keys(value).length;
    return n === 0 ? "{}" : `{…${n} keys}`;
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > PREVIEW ? `${text.slice(0, PREVIEW)}…` : text;
}

const kindOf = (v: unknown) =>
  Array.isArray(v) ? "array" : isPlainObject(v) ? "object" : "scalar";

export function diffJson(before: unknown, after: unknown, limit = 1000): JsonDiff {
  const changes: JsonChange[] = [];
  const stack: Pair[] = [[[], before, after]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (changes.length >= limit) return { changes: changes.slice(0, limit), truncated: true };
    const [path, a, b] = item;
    const kind = kindOf(a);
    if (kind !== kindOf(b) || (kind === "scalar" && a !== b)) {
      changes.push({
        path: formatPath(path),
        kind: "changed",
        before: previewJson(a),
        after: previewJson(b),
      });
    } else if (kind !== "scalar") {
      compareKeys(path, a as Container, b as Container, stack, changes);
    }
  }
  // One object's keys may have gone past the limit at once.
  return changes.length > limit
    ? { changes: changes.slice(0, limit), truncated: true }
    : { changes, truncated: false };
}

type Container = Record<string, unknown>;
type Pair = [PathSegment[], unknown, unknown];

/**
 * The keys of two objects (or arrays): one only one side has is a change now; shared ones are
 * pushed to be compared (last first, so they come out in key order).
 */
function compareKeys(
  path: PathSegment[],
  a: Container,
  b: Container,
  stack: Pair[],
  changes: JsonChange[],
) {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i] as string;
    const at = [...path, Array.isArray(a) ? Number(key) : key];
    const inA = Object.hasOwn(a, key);
    const inB = Object.hasOwn(b, key);
    if (inA && inB) stack.push([at, a[key], b[key]]);
    else if (inA)
      changes.push({ path: formatPath(at), kind: "removed", before: previewJson(a[key]) });
    else changes.push({ path: formatPath(at), kind: "added", after: previewJson(b[key]) });
  }
}
