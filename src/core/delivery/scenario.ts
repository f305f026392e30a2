import { usageError } from "../errors.js";
import { type Entropy, systemEntropy } from "../events/ids.js";
import { getPath, parsePath } from "../events/paths.js";
import { renderTemplate } from "../events/placeholders.js";
import { loadTemplate } from "../events/templates.js";
import { validateEvent } from "../validation/validate.js";
import { type ComposedEvent, type ComposeOptions, composeEvent } from "./compose.js";
import type { Expectation } from "./expectations.js";
import type { ProbeSpec, Scenario, ScenarioStep } from "./scenario-file.js";

export type { ProbeSpec, Scenario, ScenarioStep } from "./scenario-file.js";
export { loadScenarioFile, SCENARIO_VERSION } from "./scenario-file.js";

/** A request to the developer's own app, placeholders rendered. */
export interface ProbeRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A step that delivers an event. */
export interface ScenarioEvent {
  step: string;
  event: ComposedEvent;
  delayMs: number;
  expect?: Expectation;
  probe?: undefined;
}

/** A step that calls the developer's app and checks its answer. */
export interface ScenarioProbe {
  step: string;
  probe: ProbeRequest;
  delayMs: number;
  expect?: Expectation;
  event?: undefined;
}

export type ScenarioAction = ScenarioEvent | ScenarioProbe;

/** `{{steps.NAME.PATH}}` in a step: what an earlier step's event holds there. */
function stepReference(
  scenario: Scenario,
  step: ScenarioStep,
  produced: ReadonlyMap<string, ComposedEvent>,
): (name: string) => unknown {
  return (name) => {
    if (!name.startsWith("steps.")) return undefined;
    const [, stepName = "", ...rest] = name.split(".");
    const earlier = produced.get(stepName);
    if (!earlier) {
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
    const value = path === "" ? earlier.value : getPath(earlier.value, parsePath(path));
    if (value === undefined) {
      throw usageError(
        "UNKNOWN_STEP_PATH",
        `${scenario.name}: step "${step.name}" refers to {{${name}}}, but step "${stepName}" has no ${path}`,
      );
    }
    return value;
  };
}

/** A probe step's request, its placeholders rendered. */
function probeOf(probe: ProbeSpec, render: (value: unknown) => unknown): ProbeRequest {
  const headers = Object.fromEntries(
    Object.entries(probe.headers ?? {}).map(([k, v]) => [k, String(render(v))]),
  );
  const body = probe.body === undefined ? undefined : render(probe.body);
  return {
    method: (probe.method ?? "GET").toUpperCase(),
    url: String(render(probe.url)),
    headers,
    body: body === undefined || typeof body === "string" ? body : JSON.stringify(body),
  };
}

/**
 * Composes every step in order. `{{steps.NAME.PATH}}` reads the event an earlier step produced
 * (after its own edits); naming a step that is not defined before is an error listing the names.
 */
export function composeScenario(scenario: Scenario, options: ComposeOptions): ScenarioAction[] {
  const produced = new Map<string, ComposedEvent>();
  return scenario.steps.map((step): ScenarioAction => {
    const render = (value: unknown) =>
      renderTemplate(value, {
        source: `${scenario.name} (step "${step.name}")`,
        resolve: stepReference(scenario, step, produced),
        env: options.env,
        ...(options.allowEnv ? { allowEnv: options.allowEnv } : {}),
      });
    const common = {
      step: step.name,
      delayMs: step.delay_ms ?? 0,
      ...(step.expect ? { expect: step.expect } : {}),
    };
    if (step.probe) return { ...common, probe: probeOf(step.probe, render) };
    const event =
      step.resend !== undefined
        ? (produced.get(step.resend) as ComposedEvent)
        : composeEvent(step.event as string, {
            ...options,
            overrides: {
              set: Object.entries(step.set ?? {}).map(
                ([path, value]) => [path, render(value)] as const,
              ),
              unset: step.unset ?? [],
            },
          });
    produced.set(step.name, event);
    return { ...common, event };
  });
}

type Obj = Record<string, unknown>;

/**
 * One ticket's whole life: created, a client reply, assigned, an agent reply, resolved. One ticket
 * id; replies accumulate; data.reply is the newest reply; teammate_id set from the assignment on;
 * updated_at increasing; is_open false at the end. Timestamps end now.
 */
/** The template's ticket, made new: its id, open, unassigned, its replies re-dated to `t0`. */
function freshTicket(base: Obj, entropy: Entropy, t0: number): Obj {
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
  return ticket;
}

export function lifecycleScenario(options: ComposeOptions): ScenarioEvent[] {
  const entropy = { ...systemEntropy(), ...options.entropy };
  const template = loadTemplate("created", options.lookup);
  const base = renderTemplate(template.value, {
    source: template.file,
    env: options.env,
    ...(options.allowEnv ? { allowEnv: options.allowEnv } : {}),
  }) as Obj;
  const t0 = entropy.now() - 240;
  const ticket = freshTicket(base, entropy, t0);
  const steps: ScenarioEvent[] = [];
  /** The ticket as it is now, in an event of this type (with the reply just added). */
  const push = (step: string, type: string, newReply?: Obj) => {
    const data: Obj = { ticket: structuredClone(ticket) };
    if (newReply) data.reply = structuredClone(newReply);
    const value = {
      ...base,
      event_id: entropy.eventId(),
      event_type: `whitelabel-ticket-${type}`,
      data,
    };
    const event: ComposedEvent = {
      spec: `lifecycle ${type}`,
      file: template.file,
      origin: template.origin,
      value,
      validation: validateEvent(value),
    };
    steps.push({ step, event, delayMs: 0 });
  };
  /** A reply added to the ticket at `at`. */
  const reply = (text: string, fromClient: boolean, at: number): Obj => {
    const added = {
      id: entropy.uuid(),
      text,
      is_client_reply: fromClient,
      created_at: at,
      assets: null,
    };
    (ticket.replies as Obj[]).push(added);
    ticket.updated_at = at;
    return added;
  };
  push("created", "created");
  const clientText = "I still cannot change my billing settings. Can you help?";
  push("client-reply", "updated", reply(clientText, true, t0 + 60));
  ticket.teammate_id = entropy.uuid();
  ticket.updated_at = t0 + 120;
  push("assigned", "assigned");
  const agentText = "I have reset your billing settings; please try again.";
  push("agent-reply", "updated", reply(agentText, false, t0 + 180));
  ticket.is_open = false;
  ticket.updated_at = t0 + 240;
  push("resolved", "resolved");
  return steps;
}
