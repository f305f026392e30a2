import { type Command, InvalidArgumentError, Option } from "commander";
import { usageError } from "../core/errors.js";
import { ALLOW_ENV_VARIABLE } from "../core/events/placeholders.js";
import { parseWhere, type WhereClause } from "../core/events/where.js";
import { DEFAULT_SIGNATURE_HEADER } from "../core/signing/signature.js";
import type { CliIo } from "./io.js";

export const SECRET_ENV = "TICKET_HOOKS_SECRET";

/** commander's parser for a repeatable option: each value added to the list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

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

function variableNames(value: string): string[] {
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new InvalidArgumentError(`"${name}" is not an environment variable name.`);
    }
  }
  return names;
}

/** `--allow-env NAME[,NAME]` (repeatable): the variables `{{env.NAME}}` may read. */
export function allowEnvOption(): Option {
  return new Option(
    "--allow-env <names>",
    `let {{env.NAME}} read these variables (comma-separated, repeatable; also ${ALLOW_ENV_VARIABLE})`,
  ).argParser((value: string, previous: string[] = []) => [...previous, ...variableNames(value)]);
}

/**
 * The user's allow-list for `{{env.NAME}}`: --allow-env on the command line and
 * TICKET_HOOKS_ALLOW_ENV, never a config file (a checkout must not grant itself the environment).
 */
export function allowedEnv(command: Command, io: CliIo): string[] {
  const fromFlag =
    command.getOptionValueSource("allowEnv") === "cli"
      ? (command.opts<{ allowEnv?: string[] }>().allowEnv ?? [])
      : [];
  let fromEnv: string[] = [];
  const listed = io.env[ALLOW_ENV_VARIABLE];
  if (listed) {
    try {
      fromEnv = variableNames(listed);
    } catch (error) {
      throw usageError("BAD_ALLOW_ENV", `${ALLOW_ENV_VARIABLE}: ${(error as Error).message}`);
    }
  }
  return [...new Set([...fromFlag, ...fromEnv])];
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
      // Commander names the option and the value already: the reason alone, and the example.
      const { message, hint } = error as Error & { hint?: string };
      const prefix = `invalid --where "${value}": `;
      const reason = message.startsWith(prefix) ? message.slice(prefix.length) : message;
      const example = hint ? hint.charAt(0).toLowerCase() + hint.slice(1) : "";
      throw new InvalidArgumentError(example ? `${reason}; ${example}` : reason);
    }
  });
}
