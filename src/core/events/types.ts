// The event types are generated from payloads/schemas (src/codegen/generate.mjs), never written twice.
import type {
  TicketAssignedEvent,
  TicketCreatedEvent,
  TicketResolvedEvent,
  TicketUpdatedEvent,
} from "../../generated/event-types.js";

export type {
  Asset,
  Client,
  Reply,
  Ticket,
  TicketAssignedEvent,
  TicketCreatedEvent,
  TicketResolvedEvent,
  TicketUpdatedEvent,
} from "../../generated/event-types.js";

export type TicketEvent =
  | TicketCreatedEvent
  | TicketUpdatedEvent
  | TicketAssignedEvent
  | TicketResolvedEvent;
