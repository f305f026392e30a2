import type * as NodeCrypto from "node:crypto";

let loaded: typeof NodeCrypto | undefined;

/**
 * node:crypto, loaded on first use rather than with the CLI: loading it is a few ms of every
 * start-up, which commands that never sign, verify or draw an id (validate, templates, --help,
 * an unsigned dry run) need not pay. Synchronous, like the static import it replaces.
 */
export function nodeCrypto(): typeof NodeCrypto {
  loaded ??= process.getBuiltinModule("node:crypto");
  return loaded;
}
