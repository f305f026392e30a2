import { join, resolve } from "node:path";
import { usageError } from "../errors.js";
import type { Files } from "../files.js";
import { parseJsonOrThrow } from "../json.js";
import { PACKAGE_ROOT } from "../version.js";
import { type EventInfo, getEvent } from "./catalogue.js";

/** The four documented examples shipped with the package. */
export const BUNDLED_TEMPLATES_DIR = `${join(PACKAGE_ROOT, "payloads")}/`;
/** Folder `ticket-hooks init` creates and the lookup picks up when present. */
export const DEFAULT_LOCAL_TEMPLATES_DIR = "ticket-hooks";
export const TEMPLATES_ENV = "TICKET_HOOKS_TEMPLATES";

export type TemplateOrigin = "flag" | "env" | "config" | "local" | "bundled";

export interface TemplateLookup {
  /** `--templates DIR` (or config). Wins over everything else. */
  templatesDir?: string | undefined;
  /** Where templatesDir came from, for messages. Default "flag". */
  templatesOrigin?: TemplateOrigin;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  files: Files;
}

export interface TemplateDir {
  dir: string;
  origin: TemplateOrigin;
}

/** `--templates`, else TICKET_HOOKS_TEMPLATES, else ./ticket-hooks/ when it exists, else bundled. */
export function resolveTemplateDir(lookup: TemplateLookup): TemplateDir {
  const { cwd, env, files } = lookup;
  const check = (dir: string, origin: TemplateOrigin, how: string): TemplateDir => {
    const abs = resolve(cwd, dir);
    if (!files.exists(abs)) {
      throw usageError(
        "TEMPLATES_NOT_FOUND",
        `templates folder ${abs} (${how}) does not exist`,
        "Create it with `ticket-hooks init DIR`, or point to an existing folder.",
      );
    }
    return { dir: abs, origin };
  };
  if (lookup.templatesDir) {
    const origin = lookup.templatesOrigin ?? "flag";
    return check(lookup.templatesDir, origin, origin === "flag" ? "--templates" : origin);
  }
  const fromEnv = env[TEMPLATES_ENV];
  if (fromEnv) return check(fromEnv, "env", TEMPLATES_ENV);
  const local = resolve(cwd, DEFAULT_LOCAL_TEMPLATES_DIR);
  if (files.exists(local)) return { dir: local, origin: "local" };
  return { dir: BUNDLED_TEMPLATES_DIR, origin: "bundled" };
}

export function templateFileName(event: EventInfo): string {
  return `${event.type}.json`;
}

export interface LoadedTemplate {
  event: EventInfo;
  /** Absolute path of the file read. */
  file: string;
  origin: TemplateOrigin;
  /** The file's exact text. */
  text: string;
  /** Parsed JSON, placeholders not yet rendered. */
  value: unknown;
}

/** Which file serves an event: the chosen folder's, or the bundled one when the folder lacks it. */
export function templateFile(
  event: EventInfo,
  dir: TemplateDir,
  files: Files,
): { file: string; origin: TemplateOrigin } {
  const file = join(dir.dir, templateFileName(event));
  if (dir.origin === "bundled" || files.exists(file)) return { file, origin: dir.origin };
  return { file: join(BUNDLED_TEMPLATES_DIR, templateFileName(event)), origin: "bundled" };
}

/** Reads and parses the template of an event (short name or type). Broken JSON names line and column. */
export function loadTemplate(nameOrType: string, lookup: TemplateLookup): LoadedTemplate {
  const event = getEvent(nameOrType);
  const { file, origin } = templateFile(event, resolveTemplateDir(lookup), lookup.files);
  const text = lookup.files.readText(file);
  return { event, file, origin, text, value: parseJsonOrThrow(text, file) };
}
