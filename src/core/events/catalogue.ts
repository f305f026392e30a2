import { usageError } from "../errors.js";

/** The platform's four ticket events, in lifecycle order. From the platform's documentation. */
export const EVENTS = [
  {
    name: "created",
    type: "whitelabel-ticket-created",
    description: "A ticket is created.",
  },
  {
    name: "updated",
    type: "whitelabel-ticket-updated",
    description: "A new reply was added to a ticket by the client or the agent.",
  },
  {
    name: "assigned",
    type: "whitelabel-ticket-assigned",
    description: "A ticket gets reassigned to another agent.",
  },
  {
    name: "resolved",
    type: "whitelabel-ticket-resolved",
    description: "A ticket gets resolved by the client or the agent.",
  },
] as const;

export type EventInfo = (typeof EVENTS)[number];
export type EventName = EventInfo["name"];
export type EventType = EventInfo["type"];

export const EVENT_TYPES: readonly EventType[] = EVENTS.map((e) => e.type);
export const EVENT_NAMES: readonly EventName[] = EVENTS.map((e) => e.name);

/** Finds an event by short name (`created`) or full type (`whitelabel-ticket-created`). */
export function findEvent(nameOrType: string): EventInfo | undefined {
  const key = nameOrType.trim().toLowerCase();
  return EVENTS.find((e) => e.name === key || e.type === key);
}

export function isEventType(value: unknown): value is EventType {
  return typeof value === "string" && (EVENT_TYPES as readonly string[]).includes(value);
}

/** Like findEvent, but an unknown name is a usage error listing the known ones. */
export function getEvent(nameOrType: string): EventInfo {
  const event = findEvent(nameOrType);
  if (event) return event;
  throw usageError(
    "UNKNOWN_EVENT",
    `unknown event "${nameOrType}"`,
    `Use one of: ${EVENT_NAMES.join(", ")} (or the full types, e.g. ${EVENTS[0].type}).`,
  );
}
