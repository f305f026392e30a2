import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// Folders are rooms: what one holds may use another's, never both ways round. Biome's
// noImportCycles catches a cycle between files; this catches one between folders (events ↔
// validation, delivery ↔ receiving), which no file cycle shows. Type-only imports count: a folder
// that needs another's types depends on it. The build's output (src/generated/) counts as part of
// the folder whose code it is: a generated validator is validation.

const ROOT = join(import.meta.dirname, "..", "..");
const SRC = join(ROOT, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Whose code each generated file is (src/codegen/generate.mjs writes them). */
const GENERATED_HOME: Record<string, string> = {
  "validators.ts": "core/validation",
  "first-error-validators.ts": "core/validation",
  "unknown-field-walkers.ts": "core/validation",
  "known-fields.ts": "core/events",
  "event-types.ts": "core/events",
  "data-schemas.ts": "core/delivery",
  "version.ts": "core",
};

/** The folder a file belongs to, from src/: `core/events`, `cli`, and `core` for core's own files. */
function folderOf(file: string): string {
  const folder = relative(SRC, dirname(file)).split("\\").join("/");
  if (folder !== "generated") return folder;
  const home = GENERATED_HOME[basename(file).replace(/\.js$/, ".ts")];
  if (home === undefined) throw new Error(`${file}: say in GENERATED_HOME whose code it is`);
  return home;
}

/** Folder → the folders its files import from (relative imports only). */
function folderGraph(files: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const target = resolve(dirname(file), fileName);
      const to = folderOf(target);
      // A folder's subfolder is part of it (cli/commands uses cli, and cli uses cli/commands).
      if (to !== from && !to.startsWith(`${from}/`) && !from.startsWith(`${to}/`)) edges.add(to);
    }
  }
  return graph;
}

/** Each cycle of folders, as the path from a folder back to itself (shortest, one per folder). */
function folderCycles(graph: Map<string, Set<string>>): string[] {
  const cycles = new Set<string>();
  for (const start of graph.keys()) {
    // Breadth-first from start's neighbours, back to start.
    const previous = new Map<string, string>();
    const queue = [...(graph.get(start) ?? [])];
    for (const next of queue) previous.set(next, start);
    while (queue.length > 0) {
      const at = queue.shift() as string;
      if (at === start) {
        const path = [start];
        for (let p = previous.get(start) as string; p !== start; p = previous.get(p) as string)
          path.unshift(p);
        path.unshift(start);
        const rotated = rotate(path.slice(0, -1));
        cycles.add([...rotated, rotated[0]].join(" → "));
        break;
      }
      for (const next of graph.get(at) ?? []) {
        if (previous.has(next)) continue;
        previous.set(next, at);
        queue.push(next);
      }
    }
  }
  return [...cycles].sort();
}

/** A cycle written from its alphabetically first folder, so each is listed once. */
function rotate(path: string[]): string[] {
  const first = path.indexOf([...path].sort()[0] as string);
  return [...path.slice(first), ...path.slice(0, first)];
}

describe("folders depend one way", () => {
  it("no two folders of src/ import from each other, directly or around a circle", () => {
    expect(folderCycles(folderGraph(sourceFiles(SRC)))).toEqual([]);
  });

  it("finds a cycle of two and of three folders", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["a", "c"])],
      ["c", new Set(["d"])],
      ["d", new Set(["e"])],
      ["e", new Set(["c"])],
    ]);
    expect(folderCycles(graph)).toEqual(["a → b → a", "c → d → e → c"]);
  });
});
