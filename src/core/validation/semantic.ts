import { deepEqual, isPlainObject } from "../json.js";
import type { ValidationIssue } from "./types.js";

// Each rule reads only the fields it needs and runs whenever those are present and well-typed,
// schema errors elsewhere or not: one broken field does not hide another rule's finding.

type Obj = Record<string, unknown>;
type Rule = (event: Obj) => ValidationIssue[];

const NONE: ValidationIssue[] = [];

const issue = (
  rule: string,
  path: string,
  message: string,
  expected: string,
  actual: string,
): ValidationIssue => ({ rule, path, message, expected, actual });

const obj = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : undefined;
const dataOf = (event: Obj) => obj(event.data);
const ticketOf = (event: Obj) => obj(dataOf(event)?.ticket);
const typeOf = (event: Obj) => (typeof event.event_type === "string" ? event.event_type : "");

/** The event type must match the payload's shape: only `updated` carries `data.reply`. */
const shapeMatchesType: Rule = (event) => {
  const data = dataOf(event);
  if (!data || !("reply" in data) || typeOf(event) === "whitelabel-ticket-updated") return NONE;
  return [
    issue(
      "event-type-shape",
      "data.reply",
      `only whitelabel-ticket-updated carries a reply, and this is ${typeOf(event)}`,
      "no data.reply",
      "data.reply present",
    ),
  ];
};

const show = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** `updated`: data.reply is the new reply, i.e. the last item of data.ticket.replies. */
const replyIsLast: Rule = (event) => {
  if (typeOf(event) !== "whitelabel-ticket-updated") return NONE;
  const replies = ticketOf(event)?.replies;
  const reply = obj(dataOf(event)?.reply);
  if (!Array.isArray(replies) || !reply) return NONE;
  if (replies.length === 0) {
    return [
      issue(
        "updated-reply-last",
        "data.ticket.replies",
        "is empty, so data.reply cannot be the newest reply",
        "at least one reply, the last equal to data.reply",
        "[]",
      ),
    ];
  }
  const last = obj(replies.at(-1));
  if (!last || deepEqual(last, reply)) return NONE;
  const fields = [...new Set([...Object.keys(last), ...Object.keys(reply)])].filter(
    (k) => !deepEqual(last[k], reply[k]),
  );
  const at = replies.length - 1;
  const shown = fields.slice(0, 3);
  return [
    issue(
      "updated-reply-last",
      "data.reply",
      `differs from the last reply, data.ticket.replies[${at}], in ${fields.join(", ")}`,
      shown.map((k) => `${k} ${k in last ? show(last[k]) : "absent"}`).join(", "),
      shown.map((k) => `${k} ${k in reply ? show(reply[k]) : "absent"}`).join(", "),
    ),
  ];
};

/** `resolved` closes the ticket; every other event is about an open ticket. */
const openState: Rule = (event) => {
  const isOpen = ticketOf(event)?.is_open;
  if (typeof isOpen !== "boolean") return NONE;
  const resolved = typeOf(event) === "whitelabel-ticket-resolved";
  if (isOpen === !resolved) return NONE;
  return [
    issue(
      "open-state",
      "data.ticket.is_open",
      resolved
        ? "must be false in whitelabel-ticket-resolved"
        : `must be true in ${typeOf(event)} (only resolved closes a ticket)`,
      String(!resolved),
      String(isOpen),
    ),
  ];
};

/** `assigned` names the new agent. */
const assignedTeammate: Rule = (event) => {
  const ticket = ticketOf(event);
  if (typeOf(event) !== "whitelabel-ticket-assigned" || !ticket) return NONE;
  if (!("teammate_id" in ticket) || ticket.teammate_id !== null) return NONE;
  return [
    issue(
      "assigned-teammate",
      "data.ticket.teammate_id",
      "must name the new agent in whitelabel-ticket-assigned",
      "a UUID",
      "null",
    ),
  ];
};

const timestampsOrdered: Rule = (event) => {
  const ticket = ticketOf(event);
  const created = num(ticket?.created_at);
  const updated = num(ticket?.updated_at);
  if (created === undefined || updated === undefined || updated >= created) return NONE;
  return [
    issue(
      "updated-after-created",
      "data.ticket.updated_at",
      "is earlier than data.ticket.created_at",
      `>= ${created}`,
      String(updated),
    ),
  ];
};

const repliesNotNewer: Rule = (event) => {
  const ticket = ticketOf(event);
  const updated = num(ticket?.updated_at);
  if (updated === undefined) return NONE;
  const out: ValidationIssue[] = [];
  const replies = Array.isArray(ticket?.replies) ? ticket.replies : [];
  replies.forEach((reply, i) => {
    const at = num(obj(reply)?.created_at);
    if (at !== undefined && at > updated) {
      out.push(
        issue(
          "reply-not-newer",
          `data.ticket.replies[${i}].created_at`,
          `reply ${i} is newer than the ticket's updated_at`,
          `<= ${updated}`,
          String(at),
        ),
      );
    }
  });
  const replyAt = num(obj(dataOf(event)?.reply)?.created_at);
  if (replyAt !== undefined && replyAt > updated) {
    out.push(
      issue(
        "reply-not-newer",
        "data.reply.created_at",
        "is newer than the ticket's updated_at",
        `<= ${updated}`,
        String(replyAt),
      ),
    );
  }
  return out;
};

export const SEMANTIC_RULES: readonly Rule[] = [
  shapeMatchesType,
  replyIsLast,
  openState,
  assignedTeammate,
  timestampsOrdered,
  repliesNotNewer,
];

/** Checks beyond the schema; each rule runs when the fields it reads are present and well-typed. */
export function checkSemantics(event: Obj): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const rule of SEMANTIC_RULES) {
    const found = rule(event);
    if (found.length > 0) issues.push(...found);
  }
  return issues;
}
