import { fileURLToPath } from "node:url";

export { VERSION } from "../generated/version.js";

/**
 * The package's folder (where payloads/ is). This module is two folders below it wherever it runs:
 * src/core/ (the sources), dist/core/ (the library) and dist/bundle/ (the bundled CLI).
 */
export const PACKAGE_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));
