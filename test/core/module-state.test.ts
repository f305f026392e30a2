import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The suite runs its files in one process (`isolate: false`), which holds only while no module of
// src/ keeps state of its own between calls: no `let` or `var` at a module's top level. State
// lives in objects the caller creates (an EventIdSource, a LineEncoder), never in the module.

const SRC = join(import.meta.dirname, "..", "..", "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** `file:line name` for each `let` or `var` declared at the top level of a module. */
function moduleVariables(file: string, text = readFileSync(file, "utf8")): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    if (
      (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using)) ===
      ts.NodeFlags.Const
    )
      continue;
    for (const declaration of list.declarations) {
      const line = source.getLineAndCharacterOfPosition(declaration.getStart()).line + 1;
      found.push(`${relative(SRC, file)}:${line} ${declaration.name.getText()}`);
    }
  }
  return found;
}

describe("no module-level mutable state in src/", () => {
  it("no module declares a top-level let or var", () => {
    expect(sourceFiles(SRC).flatMap((f) => moduleVariables(f))).toEqual([]);
  });

  it("the check finds a top-level let and var, not one inside a function", () => {
    const text = "let a = 1;\nvar b;\nconst c = 2;\nfunction f() { let d = 3; return d; }\n";
    expect(moduleVariables(join(SRC, "x.ts"), text)).toEqual(["x.ts:1 a", "x.ts:2 b"]);
  });
});
