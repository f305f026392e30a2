import { usageError } from "../errors.js";
import { isPlainObject, ownValue, setOwn } from "../json.js";

export type PathSegment = string | number;

/** `["data","ticket","replies",0,"text"]` → `data.ticket.replies[0].text`; the root is `$`. */
export function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return "$";
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Ajv's instancePath (`/data/ticket/replies/0`) → segments. */
export function fromPointer(pointer: string): PathSegment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Parses `data.ticket.replies[0].text` (also `a["odd key"]`) into segments. */
export function parsePath(text: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|(\.)/gy;
  let expectSegment = true;
  re.lastIndex = 0;
  while (re.lastIndex < text.length) {
    const match = re.exec(text);
    if (match === null || (match[4] !== undefined && expectSegment)) break; // `..`, a leading `.`
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(`"${match[3]}"`) as string);
    expectSegment = match[4] !== undefined;
  }
  if (re.lastIndex !== text.length || segments.length === 0 || expectSegment) {
    throw usageError(
      "BAD_PATH",
      `invalid path "${text}"`,
      "Use dots and brackets, e.g. data.ticket.title or data.ticket.replies[0].text.",
    );
  }
  return segments;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** The container a path segment is set in: an array for an index, an object for a name. */
function containerFor(
  node: unknown,
  seg: PathSegment,
  here: string,
  whole: string,
): Record<string | number, unknown> {
  if (typeof seg !== "number") {
    if (!isPlainObject(node)) {
      throw usageError(
        "BAD_PATH",
        `cannot set ${whole}: ${here} is ${describe(node)}, not an object`,
      );
    }
    return node;
  }
  if (!Array.isArray(node)) {
    throw usageError(
      "BAD_PATH",
      `cannot index ${here} with [${seg}]: it is ${describe(node)}, not an array`,
    );
  }
  if (seg > node.length) {
    throw usageError(
      "BAD_PATH",
      `index [${seg}] is past the end of ${here} (length ${node.length})`,
    );
  }
  return node as unknown as Record<number, unknown>;
}

/** Sets a value at a path, creating objects on the way; a path through a non-object is an error. */
export function setPath(root: unknown, path: readonly PathSegment[], value: unknown): void {
  let node = root;
  path.forEach((seg, i) => {
    const container = containerFor(node, seg, formatPath(path.slice(0, i)), formatPath(path));
    if (i === path.length - 1) {
      setOwn(container, seg, value);
      return;
    }
    if (ownValue(container, seg) === undefined) {
      setOwn(container, seg, typeof path[i + 1] === "number" ? [] : {});
    }
    node = ownValue(container, seg);
  });
}

/** Removes the value at a path. Returns false when there was nothing to remove. */
export function unsetPath(root: unknown, path: readonly PathSegment[]): boolean {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i] as PathSegment;
    if (Array.isArray(node) && typeof seg === "number") node = node[seg];
    else if (isPlainObject(node) && typeof seg === "string") node = ownValue(node, seg);
    else return false;
  }
  const lastSeg = path[path.length - 1] as PathSegment;
  if (Array.isArray(node) && typeof lastSeg === "number" && lastSeg < node.length) {
    node.splice(lastSeg, 1);
    return true;
  }
  if (isPlainObject(node) && typeof lastSeg === "string" && Object.hasOwn(node, lastSeg)) {
    delete node[lastSeg];
    return true;
  }
  return false;
}

export function getPath(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const seg of path) {
    if (Array.isArray(node) && typeof seg === "number") node = node[seg];
    else if (isPlainObject(node) && typeof seg === "string") node = ownValue(node, seg);
    else return undefined;
  }
  return node;
}
