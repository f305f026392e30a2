import { dataSchemas } from "../../generated/data-schemas.js";
import { findEvent } from "../events/catalogue.js";
import { formatPath, getPath, type PathSegment, setPath } from "../events/paths.js";
import { isPlainObject } from "../json.js";
import type { SeededRandom } from "../random.js";
import { validateEvent } from "../validation/validate.js";

// `send created --vary 50 --seed 7`: valid but unusual events, derived from the JSON Schema (its
// $refs resolved at build time: generated/data-schemas.ts). The schema says which fields are
// strings, which may be null and which are Unix timestamps; each variant applies one to three
// edge cases to such fields and is kept only when it still passes validate. A seeded PRNG
// (core/random.ts) makes the same seed give the same events.

type Schema = Record<string, unknown>;
type Slot = { path: PathSegment[]; kind: "string" | "nullable" | "timestamp" };

/** What the schema says of the value at `path` itself: nullable, a timestamp, a plain string. */
function slotsHere(
  value: unknown,
  schema: Schema,
  variants: Schema[],
  path: PathSegment[],
  out: Slot[],
): void {
  const types = variants.flatMap((v) => (Array.isArray(v.type) ? v.type : [v.type]));
  if (types.includes("null") && path.length > 0) out.push({ path, kind: "nullable" });
  if (schema.unixSeconds) out.push({ path, kind: "timestamp" });
  const plainString = types.includes("string") && !variants.some((v) => v.format || v.pattern);
  if (plainString && typeof value === "string") out.push({ path, kind: "string" });
}

/** The slots of an event the schema describes: strings, nullable fields, timestamps. */
function slots(value: unknown, schema: Schema, path: PathSegment[], out: Slot[]): void {
  const variants = Array.isArray(schema.anyOf) ? (schema.anyOf as Schema[]) : [schema];
  slotsHere(value, schema, variants, path, out);
  const object = variants.find((v) => isPlainObject(v.properties));
  if (object && isPlainObject(value)) {
    for (const [key, sub] of Object.entries(object.properties as Record<string, Schema>))
      if (key in value) slots(value[key], sub, [...path, key], out);
  }
  const array = variants.find((v) => v.type === "array" && isPlainObject(v.items));
  if (array && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++)
      slots(value[i], array.items as Schema, [...path, i], out);
  }
}

const UNUSUAL_STRINGS: ReadonlyArray<[string, string]> = [
  ["emoji", "Billing 🎫🔥 broken again 👍🏽👨‍👩‍👧"],
  ["right-to-left", "لا أستطيع تغيير إعدادات الفوترة"],
  ["mixed direction", "Refund ‏שלום‎ order #42 ‮reversed‬"],
  ["combining marks", "Cafe\u0301 cre\u0300me Zalgo: t̷̢̛e̵̡͝x̴̨̛t̸̢͘"],
  ["CJK", "請求設定を変更できません 无法更改账单"],
  ["empty", ""],
  ["whitespace only", " \t "],
  ["quotes and escapes", 'He said "\\u0000" and \\n, </script><b>'],
  ["control characters", "line one\nline two\r\n\ttabbed\u0007"],
];

/** Boundary Unix times (seconds): the epoch, the last 32-bit second, the first after it, 2100. */
const BOUNDARY_TIMES = [0, 2_147_483_647, 2_147_483_648, 4_102_444_800];

type Obj = Record<string, unknown>;

/** Sets a value only where the field still exists (an earlier edit may have removed it). */
function replace(event: Obj, path: PathSegment[], value: unknown): boolean {
  if (getPath(event, path) === undefined) return false;
  setPath(event, path, value);
  relinkReply(event);
  return true;
}

interface Mutation {
  label: string;
  apply(event: Obj, random: SeededRandom): boolean;
}

const ticketOf = (event: Obj): Obj | undefined => {
  const data = event.data;
  return isPlainObject(data) && isPlainObject(data.ticket) ? data.ticket : undefined;
};

function reply(template: unknown, i: number, at: number, random: SeededRandom): Obj {
  const base = isPlainObject(template) ? template : {};
  const id = random.entropy().uuid();
  return {
    ...base,
    id,
    text: `Reply ${i + 1}`,
    is_client_reply: i % 2 === 0,
    created_at: at,
    assets: null,
  };
}

/** Re-points data.reply at the last reply, as the `updated` rules require. */
function relinkReply(event: Obj): void {
  const data = event.data as Obj;
  const replies = ticketOf(event)?.replies;
  if ("reply" in data && Array.isArray(replies) && replies.length > 0)
    data.reply = structuredClone(replies.at(-1));
}

/** Edge cases of the fields the schema describes: nulls, unusual strings, boundary times. */
function fieldMutations(found: readonly Slot[]): Mutation[] {
  const strings = found.filter((s) => s.kind === "string");
  const withText = (label: string, text: () => string): Mutation => ({
    label,
    apply: (e, random) => {
      const slot = random.pick(strings);
      return slot ? replace(e, slot.path, text()) : false;
    },
  });
  return [
    ...found
      .filter((s) => s.kind === "nullable")
      .map((slot) => ({
        label: `null ${formatPath(slot.path)}`,
        apply: (e: Obj) => replace(e, slot.path, null),
      })),
    ...UNUSUAL_STRINGS.map(([label, text]) => withText(`${label} string`, () => text)),
    withText("long string (100 000 characters)", () =>
      "Lorem ipsum dolor sit amet, ".repeat(3572).slice(0, 100_000),
    ),
    {
      label: "boundary timestamps",
      apply: (e, random) => {
        const at = random.pick(BOUNDARY_TIMES);
        for (const slot of found.filter((s) => s.kind === "timestamp")) {
          if (getPath(e, slot.path) !== undefined) setPath(e, slot.path, at);
        }
        return true;
      },
    },
  ];
}

/** Edge cases of the ticket's replies: none, hundreds, attachments on each. */
function replyMutations(): Mutation[] {
  return [
    {
      label: "empty replies",
      apply: (e) => {
        const ticket = ticketOf(e);
        if (!ticket || "reply" in (e.data as Obj)) return false;
        ticket.replies = [];
        return true;
      },
    },
    {
      label: "many replies",
      apply: (e, random) => {
        const ticket = ticketOf(e);
        if (!ticket || !Array.isArray(ticket.replies)) return false;
        const n = random.int(50, 300);
        const end = typeof ticket.updated_at === "number" ? ticket.updated_at : 0;
        const start = typeof ticket.created_at === "number" ? ticket.created_at : end;
        const first = (ticket.replies as unknown[])[0];
        ticket.replies = Array.from({ length: n }, (_, i) =>
          reply(first, i, start + Math.floor(((end - start) * i) / n), random),
        );
        relinkReply(e);
        return true;
      },
    },
    {
      label: "attachments",
      apply: (e) => {
        const replies = ticketOf(e)?.replies;
        if (!Array.isArray(replies) || replies.length === 0) return false;
        for (const r of replies)
          if (isPlainObject(r))
            r.assets = [
              { id: "att_1", name: "screenshot 🖼.png", size: 0, url: "https://example.com/a" },
            ];
        relinkReply(e);
        return true;
      },
    },
  ];
}

function mutations(event: Obj): Mutation[] {
  const found: Slot[] = [];
  const type = typeof event.event_type === "string" ? findEvent(event.event_type) : undefined;
  const data = type ? dataSchemas[type.type] : undefined;
  if (data) slots(event.data, data, ["data"], found);
  return [...fieldMutations(found), ...replyMutations()];
}

export interface Variant {
  value: Obj;
  /** What is unusual about it, e.g. "null data.ticket.subcategory, emoji string". */
  label: string;
}

/**
 * `count` valid variants of an event, each with one to three edge cases applied and a new
 * event_id from the seeded source; a variant that would not pass validate is drawn again.
 */
export function varyEvent(base: Obj, count: number, random: SeededRandom): Variant[] {
  const candidates = mutations(base);
  const ids = random.entropy();
  const out: Variant[] = [];
  for (let attempts = 0; out.length < count && attempts < count * 20; attempts++) {
    const value = structuredClone(base);
    value.event_id = ids.eventId();
    const labels: string[] = [];
    for (let k = random.int(1, 3); k > 0; k--) {
      const mutation = random.pick(candidates);
      if (mutation.apply(value, random)) labels.push(mutation.label);
    }
    if (labels.length > 0 && validateEvent(value).valid)
      out.push({ value, label: [...new Set(labels)].join(", ") });
  }
  return out;
}
