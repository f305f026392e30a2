import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/core/error-codes.js";

// Error codes are one typed list (the compiler refuses any other); this keeps the list honest:
// every code in it is raised somewhere, once named.

const SRC = join(import.meta.dirname, "..", "..", "src");

function sourceText(dir: string): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "generated" ? "" : sourceText(path);
      return /\.tsx?$/.test(entry.name) && entry.name !== "error-codes.ts"
        ? readFileSync(path, "utf8")
        : "";
    })
    .join("\n");
}

describe("error codes", () => {
  it("every code in the list is raised somewhere in src/, and none twice in the list", () => {
    const text = sourceText(SRC);
    expect(ERROR_CODES.filter((code) => !text.includes(`"${code}"`))).toEqual([]);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});
