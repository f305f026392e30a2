import { InvalidArgumentError, Option } from "commander";
import { parseWhere, type WhereClause } from "../core/events/where.js";
import { DEFAULT_SIGNATURE_HEADER } from "../core/signing/signature.js";

export const SECRET_ENV = "TICKET_HOOKS_SECRET";

export function jsonOption(): Option {
  return new Option("--json", "print results as NDJSON, one object per line");
}

export function secretOption(description = "endpoint secret used to sign/verify"): Option {
  return new Option("-s, --secret <secret>", description).env(SECRET_ENV);
}

export function signatureHeaderOption(): Option {
  return new Option("--signature-header <name>", "signature header name").default(
    DEFAULT_SIGNATURE_HEADER,
  );
}

export function templatesOption(): Option {
  return new Option(
    "--templates <dir>",
    "templates folder (default: ./ticket-hooks/ when it exists, else the bundled ones)",
  ).env("TICKET_HOOKS_TEMPLATES");
}

/** Parses a whole number within bounds, for commander's argParser. */
export function intArg(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `${name} must be a whole number${max === Number.MAX_SAFE_INTEGER ? ` >= ${min}` : ` from ${min} to ${max}`}.`,
      );
    }
    return n;
  };
}

/** `--where PATH=VALUE`, repeatable: only events whose value at PATH is VALUE. */
export function whereOption(): Option {
  return new Option(
    "--where <path=value>",
    "only events whose value at PATH is VALUE, e.g. data.ticket.id=tkt_123 (repeatable)",
  ).argParser((value: string, previous: WhereClause[] | undefined) => {
    try {
      return [...(previous ?? []), parseWhere(value)];
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  });
}
