/**
 * A recording line read the plain way, as the property tests' reference: the whole line parsed,
 * the body's bytes taken from `body_start` up to the closing `}` for a body embedded as JSON,
 * else decoded from the `body` string as `body_encoding` says. "blank" for white space, null for
 * anything that is not a JSON object with a `body`.
 */
export function plainRecordedLine(
  line: Buffer | string,
): { fields: Record<string, unknown>; body: Buffer } | "blank" | null {
  const bytes = typeof line === "string" ? Buffer.from(line, "utf8") : line;
  const text = bytes.toString("utf8");
  if (text.trim() === "") return "blank";
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) return null;
  const fields = record as Record<string, unknown>;
  if (!("body" in fields)) return null;
  if (fields.body_encoding === "json" && typeof fields.body_start === "number") {
    return { fields, body: bytes.subarray(fields.body_start, bytes.length - 1) };
  }
  const body = typeof fields.body === "string" ? fields.body : "";
  return { fields, body: Buffer.from(body, fields.body_encoding === "base64" ? "base64" : "utf8") };
}
