import { existsSync } from "node:fs";
import { Command } from "commander";
import {
  BUILTIN_DESCRIPTIONS,
  BUILTIN_SCENARIOS,
  builtinScenario,
  isBuiltin,
} from "../../core/delivery/builtin-scenarios.js";
import { applyChaos, ChaosLog, type ChaosSpec, parseChaos } from "../../core/delivery/chaos.js";
import { invalidEventError } from "../../core/delivery/compose.js";
import { composeScenario, loadScenarioFile } from "../../core/delivery/scenario.js";
import { type PlannedStep, planSteps, runScenario } from "../../core/delivery/scenario-run.js";
import { TicketHooksError } from "../../core/errors.js";
import { newSeed, SeededRandom } from "../../core/random.js";
import { nodeFiles } from "../../io/adapters.js";
import {
  addDeliveryOptions,
  type DeliveryFlags,
  deliveryOptions,
  printDryRun,
  requireTarget,
  runDeliveries,
} from "../deliveries.js";
import type { CliIo } from "../io.js";
import { allowEnvOption, allowedEnv, intArg, templatesOption } from "../options.js";
import { outputFor } from "../output.js";
import { templateLookup } from "../template-source.js";

interface ScenarioFlags extends DeliveryFlags {
  skipValidation?: boolean;
  templates?: string;
  seed?: number;
  speed: number;
  chaos?: ChaosSpec;
}

export function scenarioCommand(io: CliIo): Command {
  const command = new Command("scenario")
    .description(
      "play a sequence of coherent events: a ticket's whole lifecycle, or your own steps",
    )
    .argument("<scenario>", `a built-in (${BUILTIN_SCENARIOS.join(", ")}) or a scenario JSON file`)
    .option("--skip-validation", "send steps that fail validation")
    .option(
      "--seed <n>",
      "seed of the built-ins' ids, copies and order (printed when not given)",
      intArg("--seed", 0, 2 ** 32 - 1),
    )
    .option(
      "--chaos <spec>",
      "disturb the delivery: duplicate=P,reorder=N,jitter=MS (reproducible with --seed)",
      parseChaos,
    )
    .option(
      "--speed <factor>",
      "retry-storm: divide the platform's retry delays by this",
      intArg("--speed", 1),
      1000,
    )
    .addOption(templatesOption())
    .addOption(allowEnvOption());
  addDeliveryOptions(command, { load: false }).addHelpText(
    "after",
    `
Built-in scenarios (--seed N repeats one exactly):
${BUILTIN_SCENARIOS.map((b) => `  ${b}: ${BUILTIN_DESCRIPTIONS[b]}`).join("\n")}

A scenario file lists steps, sent in order:
  { "steps": [
    { "name": "opened", "event": "created", "set": { "data.ticket.id": "{{uuid}}" } },
    { "name": "closed", "event": "resolved", "delay_ms": 500,
      "set": { "data.ticket.id": "{{steps.opened.data.ticket.id}}" } } ] }
Values may use {{uuid}}, {{now}}, {{event_id}}, {{env.NAME}} and {{steps.NAME.PATH}}.

Examples:
  $ ticket-hooks scenario lifecycle --to http://localhost:3000/webhooks --secret "$SECRET"
  $ ticket-hooks scenario ./my-flow.json --to $URL --json
  $ ticket-hooks scenario lifecycle --dry-run`,
  );
  return command.action(async function (this: Command, name: string) {
    const out = outputFor(this, io);
    const flags = this.opts<ScenarioFlags>();
    const to = flags.dryRun && !flags.to ? "http://localhost:3000/" : requireTarget(flags.to, out);
    const compose = {
      lookup: templateLookup(this, io),
      env: io.env,
      allowEnv: allowedEnv(this, io),
    };
    let planned: PlannedStep[];
    const seed = flags.seed ?? newSeed();
    if (existsSync(name)) {
      planned = planSteps(composeScenario(loadScenarioFile(name, nodeFiles), compose));
    } else {
      planned = builtinScenario(name, { ...compose, seed, speed: flags.speed });
    }
    if (isBuiltin(name) || flags.chaos)
      out.note(`Seed ${seed} (repeat this run with --seed ${seed})`);
    if (flags.chaos) {
      const log = new ChaosLog();
      planned = applyChaos(planned, flags.chaos, new SeededRandom(seed)).map((d) => {
        log.add(d);
        const step = d.copy ? `${d.item.action.step} (chaos copy)` : d.item.action.step;
        return {
          ...d.item,
          action: { ...d.item.action, step },
          waitMs: d.item.waitMs + d.jitterMs,
        };
      });
      out.note(log.summary(seed, flags.chaos));
    }
    const steps = planned.map((p) => p.action);
    const invalid = steps.find((s) => s.event && !s.event.validation.valid);
    if (invalid?.event && !flags.skipValidation) {
      const error = invalidEventError(invalid.event);
      throw new TicketHooksError(error.code, `step "${invalid.step}": ${error.message}`, {
        details: error.details,
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
    out.note(`Scenario ${name}: ${steps.map((s) => s.step).join(" → ")}`);
    for (const file of new Set(steps.flatMap((s) => (s.event ? [s.event.file] : []))))
      out.note(`Using ${file}`);
    if (flags.dryRun) {
      await printDryRun(
        out,
        planned.flatMap((p) => (p.request ? [p.request] : [])),
        flags,
        to,
      );
      return;
    }
    const options = { ...deliveryOptions({ ...flags, to }), concurrency: 1, source: name };
    await runDeliveries(out, flags, planned.length, (deps) => runScenario(planned, options, deps));
  });
}
