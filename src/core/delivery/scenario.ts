import { usageError } from "../errors.js";
import { type ComposedEvent, type ComposeOptions, composeEvent } from "../events/compose.js";
import { defaultEntropy } from "../events/ids.js";
import { getPath, parsePath } from "../events/paths.js";
import { renderTemplate } from "../events/placeholders.js";
import { loadTemplate, readTextFile } from "../events/templates.js";
import { isPlainObject, parseJsonOrThrow } from "../json.js";
import { validateEvent } from "../validation/validate.js";

export interface ScenarioStep {
  name: string;
  /** Event name, type or JSON file, as for `send`. */
  event: string;
  /** path → value; values may use placeholders and `{{steps.<name>.<path>}}`. */
  set?: Record<string, unknown>;
  unset?: string[];
  /** Wait before this step. */
  delay_ms?: number;
}

export interface Scenario {
  name: string;
  steps: ScenarioStep[];
}

export interface ScenarioEvent {
  step: string;
  event: ComposedEvent;
  delayMs: number;
}

export const BUILTIN_SCENARIOS = ["lifecycle"] as const;

/** Reads and checks a scenario file: `{ "steps": [...] }` or a bare array of steps. */
export function loadScenarioFile(file: string): Scenario {
  const value = parseJsonOrThrow(readTextFile(file), file);
  const steps = Array.isArray(value) ? value : isPlainObject(value) ? value.steps : undefined;
  if (!Array.isArray(steps) || steps.length === 0) {
    throw usageError("BAD_SCENARIO", `${file}: expected {"steps": [ … ]} with at least one step`);
  }
  const names = new Set<string>();
  const checked = steps.map((raw, i): ScenarioStep => {
    const where = `${file}: step ${i + 1}`;
    if (!isPlainObject(raw)) throw usageError("BAD_SCENARIO", `${where} must be an object`);
    const name = raw.name === undefined ? `step${i + 1}` : raw.name;
    if (typeof name !== "string" || name === "")
      throw usageError("BAD_SCENARIO", `${where}: "name" must be a non-empty string`);
    if (names.has(name))
      throw usageError("BAD_SCENARIO", `${where}: the name "${name}" is used twice`);
    names.add(name);
    if (typeof raw.event !== "string")
      throw usageError(
        "BAD_SCENARIO",
        `${where} ("${name}"): "event" must be an event name, type or file`,
      );
    if (raw.set !== undefined && !isPlainObject(raw.set))
      throw usageError(
        "BAD_SCENARIO",
        `${where} ("${name}"): "set" must be an object of path → value`,
      );
    if (
      raw.unset !== undefined &&
      !(Array.isArray(raw.unset) && raw.unset.every((u) => typeof u === "string"))
    ) {
      throw usageError("BAD_SCENARIO", `${where} ("${name}"): "unset" must be a list of paths`);
    }
    if (raw.delay_ms !== undefined && !(typeof raw.delay_ms === "number" && raw.delay_ms >= 0)) {
      throw usageError("BAD_SCENARIO", `${where} ("${name}"): "delay_ms" must be a number >= 0`);
    }
    return {
      name,
      event: raw.event,
      ...(raw.set ? { set: raw.set as Record<string, unknown> } : {}),
      ...(raw.unset ? { unset: raw.unset as string[] } : {}),
      ...(raw.delay_ms !== undefined ? { delay_ms: raw.delay_ms as number } : {}),
    };
  });
  return { name: file, steps: checked };
}

/**
 * Composes every step in order. `{{steps.NAME.PATH}}` reads the event an earlier step produced
 * (after its own edits); naming a step that is not defined before is an error listing the names.
 */
export function composeScenario(scenario: Scenario, options: ComposeOptions = {}): ScenarioEvent[] {
  const produced = new Map<string, unknown>();
  return scenario.steps.map((step) => {
    const resolve = (name: string): unknown => {
      if (!name.startsWith("steps.")) return undefined;
      const [, stepName = "", ...rest] = name.split(".");
      if (!produced.has(stepName)) {
        const before = [...produced.keys()];
        throw usageError(
          "UNKNOWN_STEP",
          `${scenario.name}: step "${step.name}" refers to {{${name}}}, but no step "${stepName}" comes before it`,
          before.length
            ? `Steps before "${step.name}": ${before.join(", ")}.`
            : `"${step.name}" is the first step; it cannot refer to others.`,
        );
      }
      const path = rest.join(".");
      const value =
        path === "" ? produced.get(stepName) : getPath(produced.get(stepName), parsePath(path));
      if (value === undefined) {
        throw usageError(
          "UNKNOWN_STEP_PATH",
          `${scenario.name}: step "${step.name}" refers to {{${name}}}, but step "${stepName}" has no ${path}`,
        );
      }
      return value;
    };
    const set = Object.entries(step.set ?? {}).map(
      ([path, value]) =>
        [
          path,
          renderTemplate(value, {
            source: `${scenario.name} (step "${step.name}")`,
            resolve,
            ...(options.env ? { env: options.env } : {}),
            ...(options.allowEnv ? { allowEnv: options.allowEnv } : {}),
          }),
        ] as const,
    );
    const event = composeEvent(step.event, {
      ...options,
      overrides: { set, unset: step.unset ?? [] },
    });
    produced.set(step.name, event.value);
    return { step: step.name, event, delayMs: step.delay_ms ?? 0 };
  });
}

type Obj = Record<string, unknown>;

/**
 * One ticket's whole life: created, a client reply, assigned, an agent reply, resolved. One ticket
 * id; replies accumulate; data.reply is the newest reply; teammate_id set from the assignment on;
 * updated_at increasing; is_open false at the end. Timestamps end now.
 */
export function lifecycleScenario(options: ComposeOptions = {}): ScenarioEvent[] {
  const entropy = { ...defaultEntropy, ...options.entropy };
  const template = loadTemplate("created", options.lookup);
  const base = renderTemplate(template.value, {
    source: template.file,
    ...(options.env ? { env: options.env } : {}),
    ...(options.allowEnv ? { allowEnv: options.allowEnv } : {}),
  }) as Obj;
  const t0 = entropy.now() - 240;
  const ticket = structuredClone((base.data as Obj).ticket) as Obj;
  ticket.id = entropy.uuid();
  ticket.created_at = t0;
  ticket.updated_at = t0;
  ticket.is_open = true;
  ticket.teammate_id = null;
  ticket.replies = ((ticket.replies as Obj[]) ?? []).map((r) => ({
    ...r,
    id: entropy.uuid(),
    created_at: t0,
  }));
  const reply = (text: string, fromClient: boolean, at: number) => ({
    id: entropy.uuid(),
    text,
    is_client_reply: fromClient,
    created_at: at,
    assets: null,
  });
  const snapshot = (type: string, newReply?: Obj): ComposedEvent => {
    const data: Obj = { ticket: structuredClone(ticket) };
    if (newReply) data.reply = structuredClone(newReply);
    const value = {
      ...base,
      event_id: entropy.eventId(),
      event_type: `whitelabel-ticket-${type}`,
      data,
    };
    return {
      spec: `lifecycle ${type}`,
      file: template.file,
      origin: template.origin,
      value,
      validation: validateEvent(value),
    };
  };
  const steps: ScenarioEvent[] = [];
  const push = (step: string, event: ComposedEvent) => steps.push({ step, event, delayMs: 0 });

  push("created", snapshot("created"));
  const clientReply = reply(
    "I still cannot change my billing settings. Can you help?",
    true,
    t0 + 60,
  );
  (ticket.replies as Obj[]).push(clientReply);
  ticket.updated_at = t0 + 60;
  push("client-reply", snapshot("updated", clientReply));
  ticket.teammate_id = entropy.uuid();
  ticket.updated_at = t0 + 120;
  push("assigned", snapshot("assigned"));
  const agentReply = reply(
    "I have reset your billing settings; please try again.",
    false,
    t0 + 180,
  );
  (ticket.replies as Obj[]).push(agentReply);
  ticket.updated_at = t0 + 180;
  push("agent-reply", snapshot("updated", agentReply));
  ticket.is_open = false;
  ticket.updated_at = t0 + 240;
  push("resolved", snapshot("resolved"));
  return steps;
}
