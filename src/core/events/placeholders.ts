import { usageError } from "../errors.js";
import { isPlainObject } from "../json.js";
import { type Entropy, systemEntropy } from "./ids.js";
import { formatPath, type PathSegment } from "./paths.js";

export const PLACEHOLDERS = ["{{uuid}}", "{{now}}", "{{event_id}}", "{{env.NAME}}"] as const;

/** The variable holding the endpoint secret: `{{env.…}}` never expands it, allowed or not. */
export const SECRET_VARIABLE = "TICKET_HOOKS_SECRET";
/** The environment variable holding a comma-separated allow-list (as `--allow-env`). */
export const ALLOW_ENV_VARIABLE = "TICKET_HOOKS_ALLOW_ENV";

export interface RenderOptions {
  /** Names the template in error messages. */
  source?: string;
  /** Where `{{env.NAME}}` is read from (the variables allowed only). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * The variables `{{env.NAME}}` may read, given by the user (never by a file in the checkout).
   * Default: none. A template asking for another variable is a usage error naming it.
   */
  allowEnv?: Iterable<string>;
  entropy?: Partial<Entropy>;
  /** Extra placeholders, e.g. `steps.opened.data.ticket.id` in scenarios. */
  resolve?: (name: string) => unknown;
}

/** `{{{{` is a literal `{{` (the escape); otherwise `{{ name }}` is a placeholder. */
const PATTERN = /\{\{\{\{|\{\{\s*([^{}]*?)\s*\}\}/g;
const ESCAPE = "{{{{";
const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;

/** One rendering of a template: `{{now}}` and `{{event_id}}` are the same wherever they stand. */
class Renderer {
  private readonly entropy: Entropy;
  private readonly allowed: ReadonlySet<string>;
  private readonly source: string;
  private eventId: string | undefined;
  private now: number | undefined;

  constructor(private readonly options: RenderOptions) {
    this.entropy = { ...systemEntropy(), ...options.entropy };
    this.allowed = new Set(options.allowEnv ?? []);
    this.source = options.source ?? "template";
  }

  walk(node: unknown, path: PathSegment[]): unknown {
    if (typeof node === "string") return this.string(node, path);
    if (Array.isArray(node)) return node.map((item, i) => this.walk(item, [...path, i]));
    if (!isPlainObject(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = this.walk(v, [...path, k]);
    return out;
  }

  /** A string: a placeholder standing alone keeps its value's type; others are put in as text. */
  private string(node: string, path: PathSegment[]): unknown {
    if (!node.includes("{{")) return node;
    const whole = WHOLE.exec(node);
    if (whole) return this.lookup(whole[1] ?? "", path);
    return node.replace(PATTERN, (match, name: string | undefined) => {
      if (match === ESCAPE || name === undefined) return "{{";
      const v = this.lookup(name, path);
      return typeof v === "string" ? v : JSON.stringify(v);
    });
  }

  private lookup(name: string, path: PathSegment[]): unknown {
    if (name === "uuid") return this.entropy.uuid();
    if (name === "now") {
      this.now ??= this.entropy.now();
      return this.now;
    }
    if (name === "event_id") {
      this.eventId ??= this.entropy.eventId();
      return this.eventId;
    }
    if (name.startsWith("env.")) return this.env(name, path);
    const extra = this.options.resolve?.(name);
    if (extra !== undefined) return extra;
    throw usageError(
      "UNKNOWN_PLACEHOLDER",
      `${this.source}: unknown placeholder {{${name}}} at ${formatPath(path)}`,
      `Known placeholders: ${PLACEHOLDERS.join(", ")}.`,
    );
  }

  /**
   * `{{env.NAME}}`. A template is data anyone can ship (a checkout, a captured event): it reads
   * the environment only where the user said so, and never the secret.
   */
  private env(name: string, path: PathSegment[]): string {
    const key = name.slice(4);
    const at = `${this.source}: placeholder {{${name}}} at ${formatPath(path)}`;
    if (key === SECRET_VARIABLE) {
      throw usageError(
        "SECRET_ENV",
        `${at}: ${SECRET_VARIABLE} never expands in a template`,
        "The secret signs requests; it is never put into a body. Remove the placeholder.",
      );
    }
    if (!this.allowed.has(key)) {
      throw usageError(
        "ENV_NOT_ALLOWED",
        `${at}: environment variable ${key} is not allowed`,
        `Allow it with --allow-env ${key} (or ${ALLOW_ENV_VARIABLE}=${key}) if you trust this template; a template never reads the environment unless you say so.`,
      );
    }
    const found = this.options.env[key];
    if (found === undefined) {
      throw usageError(
        "MISSING_ENV",
        `${at}: environment variable ${key} is not set`,
        `Set ${key} or remove the placeholder.`,
      );
    }
    return found;
  }
}

/**
 * Replaces placeholders in every string of a parsed template. No code is evaluated: only the
 * names above are known. `{{now}}` standing alone as a value becomes a number; `{{event_id}}` is
 * one id per rendering; `{{uuid}}` is fresh at each occurrence.
 */
export function renderTemplate(value: unknown, options: RenderOptions): unknown {
  return new Renderer(options).walk(value, []);
}

/** True when any string in the value contains a placeholder. */
export function hasPlaceholders(value: unknown): boolean {
  if (typeof value === "string") return value.includes("{{");
  if (Array.isArray(value)) return value.some(hasPlaceholders);
  if (isPlainObject(value)) return Object.values(value).some(hasPlaceholders);
  return false;
}

/**
 * Text written so that no placeholder in it is ever expanded: each `{{` becomes `{{{{`, which
 * renders back as `{{`. For captured data written as a template (export), so it stays data.
 */
export function escapeTemplateText(text: string): string {
  return text.replaceAll("{{", ESCAPE);
}
