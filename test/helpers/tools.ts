import { spawnSync } from "node:child_process";

/**
 * A program a test needs from the machine (tmux, xmllint): when it is missing the test fails,
 * naming the Debian package to install, instead of passing without checking anything. `.ci/run`
 * installs them.
 */
export function requireTool(command: string, versionArgs: string[], debianPackage: string): void {
  if (spawnSync(command, versionArgs).status === 0) return;
  throw new Error(
    `${command} is not installed: this test needs it (apt-get install ${debianPackage}; .ci/run installs it)`,
  );
}
