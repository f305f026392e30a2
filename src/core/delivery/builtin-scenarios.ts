import { usageError } from "../errors.js";
import { SeededRandom } from "../random.js";
import { didYouMeanSuffix } from "../suggest.js";
import type { ComposeOptions } from "./compose.js";
import { bodyFactory } from "./requests.js";
import { platformDelaysMs } from "./retry-schedule.js";
import { lifecycleScenario, type ScenarioAction } from "./scenario.js";
import { type PlannedStep, planSteps } from "./scenario-run.js";

export const BUILTIN_SCENARIOS = [
  "lifecycle",
  "duplicates",
  "out-of-order",
  "retry-storm",
] as const;
export type BuiltinScenario = (typeof BUILTIN_SCENARIOS)[number];

export const BUILTIN_DESCRIPTIONS: Record<BuiltinScenario, string> = {
  lifecycle: "created → a client reply → assigned → an agent reply → resolved, one ticket",
  duplicates: "the lifecycle with each event delivered 2–3 times (same event_id, fresh signatures)",
  "out-of-order": "the lifecycle's events shuffled",
  "retry-storm":
    "the lifecycle, each event redelivered 1–3 times on the platform's back-off (compressed by --speed), as after failed answers",
};

export interface BuiltinOptions extends ComposeOptions {
  seed: number;
  /** retry-storm: the platform's delays are divided by this. Default 1000. */
  speed?: number;
}

export function isBuiltin(name: string): name is BuiltinScenario {
  return (BUILTIN_SCENARIOS as readonly string[]).includes(name);
}

const named = (action: ScenarioAction, step: string): ScenarioAction => ({ ...action, step });

/**
 * A built-in scenario's steps. The seed decides everything random (ids, copies, order), so the
 * same seed gives the same run; timestamps still end now.
 */
export function builtinScenario(name: string, options: BuiltinOptions): PlannedStep[] {
  if (!isBuiltin(name)) {
    throw usageError(
      "UNKNOWN_SCENARIO",
      `unknown scenario "${name}" (and no such file)${didYouMeanSuffix(name, BUILTIN_SCENARIOS)}`,
      `Built-in: ${BUILTIN_SCENARIOS.join(", ")}; or give a path to a scenario JSON file.`,
    );
  }
  const random = new SeededRandom(options.seed);
  const life = lifecycleScenario({
    ...options,
    entropy: { ...options.entropy, ...random.entropy() },
  });
  switch (name) {
    case "lifecycle":
      return planSteps(life);
    case "duplicates":
      return planSteps(
        life.flatMap((action) => {
          const copies = random.int(2, 3);
          return Array.from({ length: copies }, (_, i) =>
            i === 0 ? action : named(action, `${action.step} (copy ${i + 1})`),
          );
        }),
      );
    case "out-of-order": {
      let order = random.shuffle(life);
      while (order.every((a, i) => a === life[i])) order = random.shuffle(life);
      return planSteps(order);
    }
    case "retry-storm": {
      const delays = platformDelaysMs(options.speed ?? 1000);
      const timeline: Array<{ at: number; action: ScenarioAction }> = [];
      life.forEach((action, index) => {
        timeline.push({ at: index, action });
        let at = index;
        for (let r = 1, retries = random.int(1, 3); r <= retries; r++) {
          at += delays[r - 1] as number;
          timeline.push({ at, action: named(action, `${action.step} (retry ${r})`) });
        }
      });
      timeline.sort((a, b) => a.at - b.at);
      let previous = 0;
      return timeline.map(({ at, action }) => {
        const waitMs = Math.max(0, at - previous);
        previous = at;
        return {
          action,
          waitMs,
          ...(action.event ? { request: bodyFactory(action.event).first } : {}),
        };
      });
    }
  }
}
