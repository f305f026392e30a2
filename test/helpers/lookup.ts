import type { TemplateLookup } from "../../src/core/events/templates.js";
import { nodeFiles } from "../../src/io/files.js";

/** The bundled templates only: no local folder, no environment. */
export const BUNDLED: TemplateLookup = { cwd: "/nonexistent", env: {}, files: nodeFiles };

/** Templates looked up from `cwd` (its ./ticket-hooks/ folder when it has one). */
export const lookupIn = (cwd: string): TemplateLookup => ({ cwd, env: {}, files: nodeFiles });

/** Compose options for the bundled templates, with an empty environment. */
export const bundled = { lookup: BUNDLED, env: {} };
