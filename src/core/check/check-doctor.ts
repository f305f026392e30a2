import type { Clock } from "../clock.js";
import type { CreateHttpSender } from "../delivery/http-client.js";
import { TicketHooksError } from "../errors.js";
import { type Diagnosis, runDoctor } from "./doctor.js";
import type { CaseResult, CheckOptions } from "./report.js";

/**
 * check's hook into the signature doctor: when every valid, signed event the run sent was
 * answered and rejected, the doctor's diagnoses say why (undefined when it did not run).
 */
export async function diagnoseRejections(
  options: CheckOptions,
  deps: { createSender: CreateHttpSender; clock?: Clock },
  results: readonly CaseResult[],
): Promise<Diagnosis[] | undefined> {
  if (!options.secret) return undefined;
  const valid = results.filter((r) => r.id.startsWith("valid-") && r.status !== "skip");
  const rejected = (r: CaseResult) =>
    r.status === "fail" && r.answers.length > 0 && r.answers.every((a) => a.status !== null);
  if (valid.length === 0 || !valid.every(rejected)) return undefined;
  try {
    const { diagnoses } = await runDoctor(
      {
        ...options,
        secret: options.secret,
        signatureHeader: options.signatureHeader,
      },
      deps,
    );
    return diagnoses;
  } catch (error) {
    if (error instanceof TicketHooksError) return undefined;
    throw error;
  }
}
