// The public API of ticket-hooks. Only what is exported here is promised.

export type { DeliveryResult, DeliverySummary } from "./core/delivery/results.js";
export { type SendDeps, type SendOptions, type SendResult, send } from "./core/delivery/send.js";
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
} from "./core/events/catalogue.js";
export { newEventId } from "./core/events/ids.js";
export { PLACEHOLDERS, type RenderOptions, renderTemplate } from "./core/events/placeholders.js";
export { SCHEMAS_DIR, schemaFile } from "./core/events/schemas.js";
export {
  BUNDLED_TEMPLATES_DIR,
  type LoadedTemplate,
  loadTemplate,
  resolveTemplateDir,
  type TemplateLookup,
} from "./core/events/templates.js";
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
} from "./core/events/types.js";
export type { Exchange, ForwardResult } from "./core/receiving/exchange.js";
export {
  type EventMatcher,
  type ListenDeps,
  type Listener,
  type ListenOptions,
  listen,
} from "./core/receiving/listen.js";
export {
  type IncomingRequest,
  type ReceiveConfig,
  receive,
  type SignatureVerdict,
  type Verdict,
} from "./core/receiving/receive.js";
export type { Counters } from "./core/receiving/request-log.js";
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
} from "./core/signing/signature.js";
export {
  type ValidationIssue,
  type ValidationResult,
  type ValidationWarning,
  validateEvent,
} from "./core/validation/validate.js";
