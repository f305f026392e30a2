// Makes dist/ (and src/generated/) fresh: rebuilds when a source, a payload or package.json is
// newer than the build. `npm test` runs it first, and the cli and slow projects' global setup runs
// it again (for `npx vitest` alone): a test never runs a stale build, and a fresh one is never
// rebuilt. The unit project runs from the sources and needs only src/generated/ (freshGenerated).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUILT = join(ROOT, "dist", "bundle", "main.js");

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // The build writes src/generated/: it is output, not a source.
    if (path === join(ROOT, "src", "generated")) continue;
    const mtime = entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    if (mtime > latest) latest = mtime;
  }
  return latest;
}

export function isStale() {
  if (!existsSync(BUILT)) return true;
  const built = statSync(BUILT).mtimeMs;
  const sources = [join(ROOT, "src"), join(ROOT, "payloads"), join(ROOT, "package.json")];
  return sources.some((source) =>
    statSync(source).isDirectory() ? newest(source) > built : statSync(source).mtimeMs > built,
  );
}

export default function setup() {
  if (!isStale()) return;
  process.stderr.write("[fresh-build] src/ changed since the last build: npm run build\n");
  execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
}

const GENERATED = join(ROOT, "src", "generated", "version.ts");

/**
 * What the tests that run from the sources need of the build: src/generated/, made anew (about a
 * second) when a schema, the code generator or package.json is newer than it.
 */
export function freshGenerated() {
  const inputs = [join(ROOT, "payloads"), join(ROOT, "src", "codegen"), join(ROOT, "package.json")];
  const made = existsSync(GENERATED) ? statSync(GENERATED).mtimeMs : 0;
  const stale = inputs.some((input) =>
    statSync(input).isDirectory() ? newest(input) > made : statSync(input).mtimeMs > made,
  );
  if (!stale) return;
  process.stderr.write("[fresh-build] a schema changed: node src/codegen/generate.mjs\n");
  execFileSync(process.execPath, [join(ROOT, "src", "codegen", "generate.mjs")], {
    cwd: ROOT,
    stdio: "inherit",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) setup();
