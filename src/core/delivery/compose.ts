import { TicketHooksError, usageError } from "../errors.js";
import { EVENT_NAMES, EVENTS, findEvent } from "../events/catalogue.js";
import { freshen } from "../events/freshen.js";
import type { Entropy } from "../events/ids.js";
import { applyOverrides, type Overrides } from "../events/overrides.js";
import { renderTemplate } from "../events/placeholders.js";
import { loadTemplate, type TemplateLookup, type TemplateOrigin } from "../events/templates.js";
import { parseJsonOrThrow } from "../json.js";
import { didYouMean } from "../suggest.js";
import { type ValidationResult, validateEvent } from "../validation/validate.js";

export interface ComposeOptions {
  /** Where templates are looked up, and the files event specs are read from. */
  lookup: TemplateLookup;
  overrides?: Overrides;
  /** New event_id, timestamps moved so the newest is now. */
  fresh?: boolean;
  /** Also new ticket and reply ids (implies fresh). */
  newTicket?: boolean;
  /** Where `{{env.NAME}}` placeholders are read from. */
  env: Readonly<Record<string, string | undefined>>;
  /** The variables `{{env.NAME}}` may read (see RenderOptions.allowEnv). */
  allowEnv?: readonly string[];
  entropy?: Partial<Entropy>;
  /** The text of standard input, for the spec `-`. */
  stdin?: string;
}

export interface ComposedEvent {
  /** What the user asked for: `created`, `whitelabel-ticket-created` or a path. */
  spec: string;
  /** The file the event came from. */
  file: string;
  origin: TemplateOrigin | "file";
  /** The event as it will be sent (placeholders rendered, overrides applied). */
  value: unknown;
  validation: ValidationResult;
  /** Invalid only because of --data/--set/--unset: the event without them is valid. */
  invalidByEdits?: boolean;
}

const hasEdits = (o: Overrides | undefined): boolean =>
  o !== undefined &&
  (o.data !== undefined || (o.set?.length ?? 0) > 0 || (o.unset?.length ?? 0) > 0);

/** `all` expands to the four events in lifecycle order. */
export function expandSpecs(specs: readonly string[]): string[] {
  return specs.flatMap((s) => (s.trim().toLowerCase() === "all" ? [...EVENT_NAMES] : [s]));
}

export function looksLikePath(spec: string): boolean {
  return spec.includes("/") || spec.includes("\\") || spec.toLowerCase().endsWith(".json");
}

/** Where a spec's event comes from, as written: standard input, a template or a file. */
function sourceOf(
  spec: string,
  options: ComposeOptions,
): { file: string; origin: ComposedEvent["origin"]; raw: unknown } {
  const { files } = options.lookup;
  if (spec === "-" && options.stdin !== undefined) {
    return { file: "<stdin>", origin: "file", raw: parseJsonOrThrow(options.stdin, "<stdin>") };
  }
  if (findEvent(spec) && !files.exists(spec)) {
    const template = loadTemplate(spec, options.lookup);
    return { file: template.file, origin: template.origin, raw: template.value };
  }
  if (files.exists(spec) || looksLikePath(spec)) {
    return { file: spec, origin: "file", raw: parseJsonOrThrow(files.readText(spec), spec) };
  }
  throw unknownEventError(spec);
}

/** Turns one spec (event name, type or JSON file) into the event to send. */
export function composeEvent(spec: string, options: ComposeOptions): ComposedEvent {
  const { file, origin, raw } = sourceOf(spec, options);
  const rendered = renderTemplate(raw, {
    source: file,
    env: options.env,
    ...(options.allowEnv ? { allowEnv: options.allowEnv } : {}),
    ...(options.entropy ? { entropy: options.entropy } : {}),
  });
  let value = applyOverrides(rendered, options.overrides ?? {});
  if (options.fresh || options.newTicket) {
    value = freshen(value, {
      newTicket: options.newTicket === true,
      ...(options.entropy ? { entropy: options.entropy } : {}),
    });
  }
  const validation = validateEvent(value);
  if (!validation.valid && hasEdits(options.overrides) && validateEvent(rendered).valid) {
    return { spec, file, origin, value, validation, invalidByEdits: true };
  }
  return { spec, file, origin, value, validation };
}

/** An event name that is neither a known event nor a file, with the closest name when one is near. */
export function unknownEventError(spec: string): TicketHooksError {
  const suggestion = didYouMean(spec, [...EVENT_NAMES, ...EVENTS.map((e) => e.type), "all"]);
  return usageError(
    "UNKNOWN_EVENT",
    `unknown event "${spec}" (and no such file)${suggestion ? `: ${suggestion}` : ""}`,
    `Use one of: ${EVENT_NAMES.join(", ")}, all, an event type such as ${EVENTS[0].type}, or a path to a JSON file.`,
  );
}

/** The refusal for an invalid event, listing every error. */
export function invalidEventError(event: ComposedEvent): TicketHooksError {
  const { validation } = event;
  const type = validation.eventType ?? "event";
  const count = `${validation.errors.length} error(s)`;
  return new TicketHooksError(
    "INVALID_EVENT",
    event.invalidByEdits
      ? `your data/set/unset edits (--data/--set/--unset) made the ${type} from ${event.file} invalid (${count}); nothing was sent`
      : `${event.file} is not a valid ${type} (${count}); nothing was sent`,
    {
      details: validation.errors.map(
        (e) => `${e.path}: ${e.message} (expected ${e.expected}, got ${e.actual})`,
      ),
      hint: event.invalidByEdits
        ? "The template itself is valid: fix the edits, or pass --skip-validation to send it anyway (e.g. to test a receiver's rejection path)."
        : "Fix the event, or pass --skip-validation to send it anyway (e.g. to test a receiver's rejection path).",
    },
  );
}
