// The public API of ticket-hooks. Only what is exported here is promised. The core takes its I/O
// as parameters; here, at the edge, the real adapters are filled in as defaults.

import type { SendDeps, SendOptions, SendResult } from "./core/delivery/send.js";
import { send as sendWith } from "./core/delivery/send.js";
import { usageError } from "./core/errors.js";
import {
  type RenderOptions,
  renderTemplate as renderTemplateWith,
} from "./core/events/placeholders.js";
import {
  type LoadedTemplate,
  loadTemplate as loadTemplateWith,
  resolveTemplateDir as resolveTemplateDirWith,
  type TemplateDir,
  type TemplateLookup,
} from "./core/events/templates.js";
import type { ListenDeps, Listener, ListenOptions } from "./core/listener/listen.js";
import { listen as listenWith } from "./core/listener/listen.js";
import { listenActions } from "./core/listener/listen-actions.js";
import { maskSecret } from "./core/signing/signature.js";
import { createSender, listenPorts, nodeFiles } from "./io/adapters.js";
import { type Inspector, type InspectorOptions, startInspector } from "./web/server.js";

export type { Clock } from "./core/clock.js";
export { systemClock } from "./core/clock.js";
export type { DeliveryResult, DeliverySummary } from "./core/delivery/results.js";
export type { SendDeps, SendOptions, SendResult } from "./core/delivery/send.js";
export { ERROR_CODES, type ErrorCode } from "./core/error-codes.js";
export { type ErrorKind, ExitCode, TicketHooksError } from "./core/errors.js";
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
export { PLACEHOLDERS, type RenderOptions } from "./core/events/placeholders.js";
export { SCHEMAS_DIR, schemaFile } from "./core/events/schemas.js";
export {
  BUNDLED_TEMPLATES_DIR,
  type LoadedTemplate,
  type TemplateDir,
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
export type { ExchangeActions } from "./core/exchanges/actions.js";
export type { Exchange, ForwardResult } from "./core/exchanges/exchange.js";
export type { Counters } from "./core/exchanges/request-log.js";
export type {
  EventMatcher,
  ListenDeps,
  Listener,
  ListenOptions,
} from "./core/listener/listen.js";
export { listenActions } from "./core/listener/listen-actions.js";
export {
  type IncomingRequest,
  type ReceiveConfig,
  receive,
  type SignatureVerdict,
  type Verdict,
} from "./core/receiving/receive.js";
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
export type { InspectorFeed } from "./web/api.js";
export {
  DEFAULT_WEB_PORT,
  type Inspector,
  type InspectorOptions,
  startInspector,
} from "./web/server.js";

/** The template lookup of this process: its working folder, its environment, its files. */
function processLookup(lookup: Partial<TemplateLookup>): TemplateLookup {
  return { cwd: process.cwd(), env: process.env, files: nodeFiles, ...lookup };
}

/** The folder templates are read from (`--templates`, TICKET_HOOKS_TEMPLATES, ./ticket-hooks/, bundled). */
export function resolveTemplateDir(lookup: Partial<TemplateLookup> = {}): TemplateDir {
  return resolveTemplateDirWith(processLookup(lookup));
}

/** Reads and parses the template of an event (short name or type), placeholders not rendered. */
export function loadTemplate(
  nameOrType: string,
  lookup: Partial<TemplateLookup> = {},
): LoadedTemplate {
  return loadTemplateWith(nameOrType, processLookup(lookup));
}

/** Renders a template's placeholders; `{{env.NAME}}` reads this process's environment by default. */
export function renderTemplate(
  value: unknown,
  options: Omit<RenderOptions, "env"> & Partial<Pick<RenderOptions, "env">> = {},
): unknown {
  return renderTemplateWith(value, { env: process.env, ...options });
}

/**
 * Composes and sends events as the platform would; resolves with every delivery's result. For a
 * user's own tests: `const { results } = await send({ events: ["created"], to: url, secret })`.
 */
export function send(
  options: Omit<SendOptions, "lookup" | "env"> & Partial<Pick<SendOptions, "lookup" | "env">>,
  deps: Partial<SendDeps> = {},
): Promise<SendResult> {
  const full = {
    ...options,
    lookup: options.lookup ?? processLookup({}),
    env: options.env ?? process.env,
  };
  return sendWith(full, { createSender, ...deps });
}

/** `web`: a boolean, or the inspector's options (a port from 0 to 65535). */
function checkWebOption(web: unknown): void {
  const bad = (why: string) => usageError("BAD_OPTION", `web (--web): ${why}`);
  if (web === undefined || typeof web === "boolean") return;
  if (typeof web !== "object" || web === null)
    throw bad("expected true, false or the inspector's options");
  const port = (web as InspectorOptions).port;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw bad(`port must be a whole number from 0 to 65535, got ${String(port)}`);
  }
}

/** The listener, with its web inspector when `web` asked for one. */
export interface WebListener extends Listener {
  /** The web inspector (`web: true`): its `url` holds the run's token. */
  readonly web: Inspector | null;
}

/**
 * Starts a local receiver that verifies, validates, records and forwards (see the README). With
 * `web` (true, or the inspector's options), also the web inspector on a loopback port of its own,
 * closed with the listener.
 */
export async function listen(
  options: ListenOptions & { web?: boolean | InspectorOptions } = {},
  deps: Partial<ListenDeps> = {},
): Promise<WebListener> {
  const { web, ...rest } = options;
  checkWebOption(web);
  const listener = await listenWith(rest, { ...listenPorts, ...deps });
  if (!web) return Object.assign(listener, { web: null });
  const inspector = await startInspector(
    {
      source: listener.log,
      actions: listenActions(listener, {
        url: listener.url,
        secret: rest.secret,
        signatureHeader: rest.signatureHeader,
      }),
      kind: "listen",
      title: listener.url,
      secret: rest.secret ? maskSecret(rest.secret) : null,
      checkSecret: rest.secret,
      sendsTo: (ex) => listener.forwardTargetFor(ex)?.url ?? null,
    },
    web === true ? {} : web,
  ).catch(async (error) => {
    await listener.close();
    throw error;
  });
  const close = listener.close.bind(listener);
  return Object.assign(listener, {
    web: inspector,
    async close() {
      await inspector.close();
      return close();
    },
  });
}
