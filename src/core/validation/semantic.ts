import type { TicketEvent } from "../events/types.js";
import type { ValidationIssue } from "./types.js";

type Rule = (event: TicketEvent) => ValidationIssue[];

const NONE: ValidationIssue[] = [];

const issue = (
  rule: string,
  path: string,
  message: string,
  expected: string,
  actual: string,
): ValidationIssue => ({ rule, path, message, expected, actual });

/** The event type must match the payload's shape: only `updated` carries `data.reply`. */
const shapeMatchesType: Rule = (event) => {
  const hasReply = "reply" in event.data;
  if (event.event_type !== "whitelabel-ticket-updated" && hasReply) {
    return [
      issue(
        "event-type-shape",
        "data.reply",
        `${event.event_type} carries data.reply, which only whitelabel-ticket-updated has`,
        "no data.reply",
        "data.reply present",
      ),
    ];
  }
  return NONE;
};

/** `updated`: data.reply is the new reply, i.e. the last item of data.ticket.replies. */
const replyIsLast: Rule = (event) => {
  if (event.event_type !== "whitelabel-ticket-updated") return NONE;
  const last = event.data.ticket.replies.at(-1);
  if (last === undefined) {
    return [
      issue(
        "updated-reply-last",
        "data.ticket.replies",
        "whitelabel-ticket-updated has no replies, so data.reply cannot be the newest one",
        "at least one reply, the last equal to data.reply",
        "[]",
      ),
    ];
  }
  if (!deepEqual(last, event.data.reply)) {
    return [
      issue(
        "updated-reply-last",
        "data.reply",
        "data.reply must equal the last item of data.ticket.replies",
        `reply ${last.id}`,
        `reply ${event.data.reply.id}`,
      ),
    ];
  }
  return NONE;
};

/** `resolved` closes the ticket; every other event is about an open ticket. */
const openState: Rule = (event) => {
  const resolved = event.event_type === "whitelabel-ticket-resolved";
  if (event.data.ticket.is_open === !resolved) return NONE;
  return [
    issue(
      "open-state",
      "data.ticket.is_open",
      resolved
        ? "whitelabel-ticket-resolved must have data.ticket.is_open false"
        : `${event.event_type} must have data.ticket.is_open true (only resolved closes a ticket)`,
      String(!resolved),
      String(event.data.ticket.is_open),
    ),
  ];
};

/** `assigned` names the new agent. */
const assignedTeammate: Rule = (event) => {
  if (event.event_type !== "whitelabel-ticket-assigned" || event.data.ticket.teammate_id !== null) {
    return NONE;
  }
  return [
    issue(
      "assigned-teammate",
      "data.ticket.teammate_id",
      "whitelabel-ticket-assigned must name the new agent in data.ticket.teammate_id",
      "a UUID",
      "null",
    ),
  ];
};

const timestampsOrdered: Rule = (event) => {
  const { created_at, updated_at } = event.data.ticket;
  if (updated_at >= created_at) return NONE;
  return [
    issue(
      "updated-after-created",
      "data.ticket.updated_at",
      "data.ticket.updated_at is earlier than data.ticket.created_at",
      `>= ${created_at}`,
      String(updated_at),
    ),
  ];
};

const repliesNotNewer: Rule = (event) => {
  const { replies, updated_at } = event.data.ticket;
  const out: ValidationIssue[] = [];
  replies.forEach((reply, i) => {
    if (reply.created_at > updated_at) {
      out.push(
        issue(
          "reply-not-newer",
          `data.ticket.replies[${i}].created_at`,
          `reply ${i} is newer than the ticket's updated_at`,
          `<= ${updated_at}`,
          String(reply.created_at),
        ),
      );
    }
  });
  if ("reply" in event.data && event.data.reply.created_at > updated_at) {
    out.push(
      issue(
        "reply-not-newer",
        "data.reply.created_at",
        "data.reply is newer than the ticket's updated_at",
        `<= ${updated_at}`,
        String(event.data.reply.created_at),
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

/** Checks beyond the schema. Call only with a schema-valid event. */
export function checkSemantics(event: TicketEvent): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const rule of SEMANTIC_RULES) {
    const found = rule(event);
    if (found.length > 0) issues.push(...found);
  }
  return issues;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}
