// vitest global setup of the `cli` project: the tests that spawn bin/ticket-hooks.js run the build
// in dist/, so it is rebuilt first whenever a source is newer than it. A test never runs a stale
// build.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUILT = join(ROOT, "dist", "bundle", "main.js");

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    if (mtime > latest) latest = mtime;
  }
  return latest;
}

export function isStale(): boolean {
  if (!existsSync(BUILT)) return true;
  const built = statSync(BUILT).mtimeMs;
  const sources = [join(ROOT, "src"), join(ROOT, "payloads"), join(ROOT, "package.json")];
  return sources.some((source) =>
    statSync(source).isDirectory() ? newest(source) > built : statSync(source).mtimeMs > built,
  );
}

export default function setup(): void {
  if (!isStale()) return;
  process.stderr.write("[fresh-build] src/ changed since the last build: npm run build\n");
  execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
}
