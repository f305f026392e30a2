import { existsSync } from "node:fs";
import { Command } from "commander";
import {
  BUILTIN_SCENARIOS,
  composeScenario,
  lifecycleScenario,
  loadScenarioFile,
  type ScenarioAction,
} from "../../core/delivery/scenario.js";
import { planSteps, runScenario } from "../../core/delivery/scenario-run.js";
import { TicketHooksError, usageError } from "../../core/errors.js";
import { invalidEventError } from "../../core/events/compose.js";
import {
  addDeliveryOptions,
  type DeliveryFlags,
  deliveryOptions,
  printDryRun,
  requireTarget,
  runDeliveries,
} from "../deliveries.js";
import type { CliIo } from "../io.js";
import { allowEnvOption, allowedEnv, templatesOption } from "../options.js";
import { outputFor } from "../output.js";
import { templateLookup } from "../template-source.js";

interface ScenarioFlags extends DeliveryFlags {
  skipValidation?: boolean;
  templates?: string;
}

export function scenarioCommand(io: CliIo): Command {
  const command = new Command("scenario")
    .description(
      "play a sequence of coherent events: a ticket's whole lifecycle, or your own steps",
    )
    .argument("<scenario>", `a built-in (${BUILTIN_SCENARIOS.join(", ")}) or a scenario JSON file`)
    .option("--skip-validation", "send steps that fail validation")
    .addOption(templatesOption())
    .addOption(allowEnvOption());
  addDeliveryOptions(command).addHelpText(
    "after",
    `
lifecycle: created → a client reply (updated) → assigned → an agent reply (updated) → resolved,
one ticket id, replies accumulating, timestamps increasing and ending now.

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
    const to = flags.dryRun && !flags.to ? "http://localhost:3000/" : requireTarget(flags.to);
    const compose = {
      lookup: templateLookup(this, io),
      env: io.env,
      allowEnv: allowedEnv(this, io),
    };
    let steps: ScenarioAction[];
    if ((BUILTIN_SCENARIOS as readonly string[]).includes(name) && !existsSync(name)) {
      steps = lifecycleScenario(compose);
    } else if (existsSync(name)) {
      steps = composeScenario(loadScenarioFile(name), compose);
    } else {
      throw usageError(
        "UNKNOWN_SCENARIO",
        `unknown scenario "${name}" (and no such file)`,
        `Built-in: ${BUILTIN_SCENARIOS.join(", ")}; or give a path to a scenario JSON file.`,
      );
    }
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
    const planned = planSteps(steps);
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
