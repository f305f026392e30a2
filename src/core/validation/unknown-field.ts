import { formatPath, type PathSegment } from "../events/paths.js";
import type { ValidationWarning } from "./types.js";

/** A field not in the documented examples: a warning, since the platform may add fields later. */
export function unknownField(
  path: readonly PathSegment[],
  key: string,
  out: ValidationWarning[],
): void {
  const at = formatPath([...path, key]);
  out.push({ path: at, message: `${at} is not in the documented payload (new field?)` });
}
