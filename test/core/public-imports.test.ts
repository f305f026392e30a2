import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// Only a dependency's published entry points are imported: a path inside it (`pkg/lib/…`,
// `pkg/dist/…`) moves with any release, and the bundle resolves it against whatever version the
// user's install picked.

const ROOT = join(import.meta.dirname, "..", "..");
const SRC = join(ROOT, "src");

/**
 * Subpaths a package documents as its entry points without declaring `exports` (so no map says
 * so): where its documentation tells users to import them.
 */
const DOCUMENTED_SUBPATHS: Record<string, string> = {
  // https://ajv.js.org/standalone.html: `import standaloneCode from "ajv/dist/standalone"`.
  "ajv/dist/standalone/index.js": "ajv's standalone code generation (build step only)",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mjs|js)$/.test(entry.name) ? [path] : [];
  });
}

/** Every module a file imports, requires or loads with import(), as written. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** "pkg/sub/path" → ["pkg", "./sub/path"]; "@scope/pkg/x" → ["@scope/pkg", "./x"]. */
function splitSpecifier(specifier: string): [string, string | null] {
  const parts = specifier.split("/");
  const size = specifier.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, size).join("/");
  const rest = parts.slice(size).join("/");
  return [name, rest === "" ? null : `./${rest}`];
}

/** Whether the package's `exports` map declares this subpath (exactly or by a `*` pattern). */
function exported(name: string, subpath: string): boolean {
  const manifest = JSON.parse(
    readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8"),
  ) as { exports?: unknown };
  const map = manifest.exports;
  if (map === null || typeof map !== "object") return false;
  return Object.keys(map).some((key) => {
    if (key === subpath) return true;
    const star = key.indexOf("*");
    return (
      star !== -1 && subpath.startsWith(key.slice(0, star)) && subpath.endsWith(key.slice(star + 1))
    );
  });
}

function deepImports(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
      const [name, subpath] = splitSpecifier(specifier);
      if (subpath === null || Object.hasOwn(DOCUMENTED_SUBPATHS, specifier)) continue;
      if (!exported(name, subpath)) found.push(`${relative(ROOT, file)}: ${specifier}`);
    }
  }
  return found;
}

describe("dependencies are used through their entry points", () => {
  it("no file in src/ imports a path inside a dependency", () => {
    expect(deepImports()).toEqual([]);
  });

  it("the check sees a deep import, a require() and an import() alike", () => {
    const text = `import Pool from "undici/lib/dispatcher/pool.js";
const a = require("ajv/dist/runtime/ucs2length");
const b = await import("ink/build/index.js");
const text = 'require("not/an/import")';`;
    const info = ts.preProcessFile(text, true, true);
    expect(info.importedFiles.map((f) => f.fileName)).toEqual([
      "undici/lib/dispatcher/pool.js",
      "ajv/dist/runtime/ucs2length",
      "ink/build/index.js",
    ]);
    expect(exported("undici", "./lib/dispatcher/pool.js")).toBe(false);
    expect(exported("ink", "./build/index.js")).toBe(false);
  });
});
