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
import type { DeliveryResult } from "../../core/delivery/results.js";
import { composeScenario, loadScenarioFile } from "../../core/delivery/scenario.js";
import { type PlannedStep, planSteps, runScenario } from "../../core/delivery/scenario-run.js";
import { TicketHooksError, usageError } from "../../core/errors.js";
import { newSeed, SeededRandom } from "../../core/random.js";
import { nodeFiles } from "../../io/adapters.js";
import {
  addDeliveryOptions,
  type DeliveryFlags,
  deliveryOptions,
  printDryRun,
  runDeliveries,
  targetFlags,
} from "../deliveries.js";
import type { CliIo } from "../io.js";
import { allowEnvOption, allowedEnv, intArg, templatesOption } from "../options.js";
import { type Output, outputFor } from "../output.js";
import { collectReporter, type ReporterSpec, writeReports } from "../reporters.js";
import {
  type ScenarioRun,
  scenarioAnnotations,
  scenarioJunit,
  scenarioMarkdown,
  stepLines,
} from "../scenario-reporters.js";
import { templateLookup } from "../template-source.js";

interface ScenarioFlags extends DeliveryFlags {
  reporter?: ReporterSpec[];
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
    .option(
      "--reporter <kind[:file]>",
      "also report for CI: junit, github (annotations and $GITHUB_STEP_SUMMARY) or markdown, to stdout or :FILE (repeatable)",
      collectReporter,
    )
    .addOption(templatesOption())
    .addOption(allowEnvOption());
  return addDeliveryOptions(command, { load: false })
    .addHelpText("after", HELP)
    .action(async function (this: Command, name: string) {
      await runScenarioCommand(this, name, io);
    });
}

const HELP = `
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
  $ ticket-hooks scenario lifecycle --dry-run`;

/** The steps disturbed by --chaos: copies, another order, jitter added to their waits. */
function chaosSteps(
  planned: PlannedStep[],
  chaos: ChaosSpec,
  seed: number,
  out: Output,
): PlannedStep[] {
  const log = new ChaosLog();
  const steps = applyChaos(planned, chaos, new SeededRandom(seed)).map((d) => {
    log.add(d);
    const step = d.copy ? `${d.item.action.step} (chaos copy)` : d.item.action.step;
    return { ...d.item, action: { ...d.item.action, step }, waitMs: d.item.waitMs + d.jitterMs };
  });
  out.note(log.summary(seed, chaos));
  return steps;
}

/** An invalid step stops the run (unless --skip-validation), named by its step. */
function refuseInvalid(planned: readonly PlannedStep[]): void {
  const invalid = planned.map((p) => p.action).find((s) => s.event && !s.event.validation.valid);
  if (!invalid?.event) return;
  const error = invalidEventError(invalid.event);
  throw new TicketHooksError(error.code, `step "${invalid.step}": ${error.message}`, {
    details: error.details,
    ...(error.hint ? { hint: error.hint } : {}),
  });
}

/** scenario: the steps planned (a file or a built-in), checked, then shown or run. */
async function runScenarioCommand(command: Command, name: string, io: CliIo): Promise<void> {
  const out = outputFor(command, io);
  const flags = targetFlags(command.opts<ScenarioFlags>(), out);
  const { to } = flags;
  const compose = {
    lookup: templateLookup(command, io),
    env: io.env,
    allowEnv: allowedEnv(command, io),
  };
  const seed = flags.seed ?? newSeed();
  let planned = existsSync(name)
    ? planSteps(composeScenario(loadScenarioFile(name, nodeFiles), compose))
    : builtinScenario(name, { ...compose, seed, speed: flags.speed });
  if (isBuiltin(name) || flags.chaos)
    out.note(`Seed ${seed} (repeat this run with --seed ${seed})`);
  if (flags.chaos) planned = chaosSteps(planned, flags.chaos, seed, out);
  if (!flags.skipValidation) refuseInvalid(planned);
  const steps = planned.map((p) => p.action);
  out.note(`Scenario ${name}: ${steps.map((s) => s.step).join(" → ")}`);
  for (const file of new Set(steps.flatMap((s) => (s.event ? [s.event.file] : [])))) {
    out.note(`Using ${file}`);
  }
  if (flags.dryRun) {
    const requests = planned.flatMap((p) => (p.request ? [p.request] : []));
    await printDryRun(out, requests, flags, to);
    return;
  }
  const options = { ...deliveryOptions({ ...flags, to }), concurrency: 1, source: name };
  const reporters = scenarioReporters(flags);
  const results: DeliveryResult[] = [];
  const started = io.clock.now();
  try {
    await runDeliveries(out, flags, planned.length, (deps) =>
      runScenario(planned, options, {
        ...deps,
        onResult: (r) => {
          if (reporters.length > 0) results.push(r);
          deps.onResult(r);
        },
      }),
    );
  } finally {
    if (reporters.length > 0) {
      const file = existsSync(name) ? name : null;
      const lines = file
        ? stepLines(
            nodeFiles.readText(file),
            loadScenarioFile(file, nodeFiles).steps.map((s) => s.name),
          )
        : new Map();
      writeScenarioReports(
        reporters,
        { name, file, lines, results, duration_ms: io.clock.now() - started },
        out,
        io,
      );
    }
  }
}

/** --reporter for a scenario: junit, github, markdown (its lines, or --json, are its own report). */
function scenarioReporters(flags: ScenarioFlags): ReporterSpec[] {
  const specs = flags.reporter ?? [];
  const other = specs.find((s) => s.kind === "pretty" || s.kind === "json");
  if (other) {
    throw usageError(
      "BAD_REPORTER",
      `scenario prints its own lines (and --json): --reporter takes junit, github or markdown, not ${other.kind}`,
    );
  }
  const onStdout = specs.filter((s) => s.file === undefined && s.kind !== "github");
  if (onStdout.length > 0 && flags.json) {
    throw usageError(
      "BAD_REPORTER",
      `--json holds stdout: give --reporter ${onStdout[0]?.kind} a file (${onStdout[0]?.kind}:FILE)`,
    );
  }
  return specs;
}

function writeScenarioReports(
  reporters: readonly ReporterSpec[],
  run: ScenarioRun,
  out: Output,
  io: CliIo,
): void {
  const text = (kind: string) =>
    kind === "junit"
      ? scenarioJunit(run)
      : kind === "markdown"
        ? scenarioMarkdown(run)
        : scenarioAnnotations(run);
  writeReports(reporters, { text, summary: () => scenarioMarkdown(run) }, out, io, out.json);
}
