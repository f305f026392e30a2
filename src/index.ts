// The public API of ticket-hooks. Only what is exported here is promised.

export type { DeliveryResult, DeliverySummary } from "./core/delivery.js";
export { CliError, ExitCode } from "./core/errors.js";
export {
  EVENT_NAMES,
  EVENT_TYPES,
  EVENTS,
  type EventInfo,
  type EventName,
  type EventType,
  findEvent,
  getEvent,
} from "./core/events.js";
export type { Exchange, ForwardResult } from "./core/exchange.js";
export { newEventId } from "./core/ids.js";
export {
  type EventMatcher,
  type ListenDeps,
  type Listener,
  type ListenOptions,
  listen,
} from "./core/listen.js";
export { PLACEHOLDERS, type RenderOptions, renderTemplate } from "./core/placeholders.js";
export {
  type IncomingRequest,
  type ReceiveConfig,
  receive,
  type SignatureVerdict,
  type Verdict,
} from "./core/receive.js";
export type { Counters } from "./core/request-log.js";
export { SCHEMAS_DIR, schemaFile } from "./core/schemas.js";
export { type SendDeps, type SendOptions, type SendResult, send } from "./core/send.js";
export {
  computeSignature,
  DEFAULT_SIGNATURE_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
  maskSecret,
  sign,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyResult,
  verify,
} from "./core/signature.js";
export {
  BUNDLED_TEMPLATES_DIR,
  type LoadedTemplate,
  loadTemplate,
  resolveTemplateDir,
  type TemplateLookup,
} from "./core/templates.js";
export type {
  Asset,
  Client,
  Reply,
  Ticket,
  TicketAssignedEvent,
  TicketCreatedEvent,
  TicketEvent,
  TicketResolvedEvent,
  TicketUpdatedEvent,
} from "./core/types.js";
export {
  type ValidationIssue,
  type ValidationResult,
  type ValidationWarning,
  validateEvent,
} from "./core/validate.js";
