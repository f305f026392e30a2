import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EVENTS } from "../../src/core/events/catalogue.js";
import type { PathSegment } from "../../src/core/events/paths.js";
import { loadTemplate } from "../../src/core/events/templates.js";
import type { ValidationWarning } from "../../src/core/validation/types.js";
import { unknownField } from "../../src/core/validation/unknown-field.js";
import { type KnownShape, knownFields } from "../../src/generated/known-fields.js";
import { unknownFieldWalkers } from "../../src/generated/unknown-field-walkers.js";
import { BUNDLED } from "../helpers/lookup.js";

/** The plain walk over the tree of documented fields: the reference for the generated walkers. */
function reference(
  value: unknown,
  shape: KnownShape,
  path: PathSegment[],
  out: ValidationWarning[],
) {
  if (Array.isArray(value)) {
    const items = shape["[]"];
    if (!items) return;
    for (const [i, item] of value.entries()) reference(item, items, [...path, i], out);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  for (const key in value) {
    const sub = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (sub === undefined) unknownField(path, key, out);
    else if (sub !== null)
      reference((value as Record<string, unknown>)[key], sub, [...path, key], out);
  }
}

/** A copy of `value` with a random key added or a random value replaced, somewhere inside. */
const mutated = (value: unknown) =>
  fc
    .record({
      seed: fc.nat(),
      key: fc.string({ maxLength: 6 }),
      replace: fc.jsonValue({ maxDepth: 2 }),
    })
    .map(({ seed, key, replace }) => {
      const copy = structuredClone(value) as Record<string, unknown>;
      const nodes: Record<string, unknown>[] = [];
      const collect = (v: unknown) => {
        if (typeof v !== "object" || v === null) return;
        nodes.push(v as Record<string, unknown>);
        for (const child of Object.values(v)) collect(child);
      };
      collect(copy);
      const node = nodes[seed % nodes.length] as Record<string, unknown>;
      const keys = Object.keys(node);
      // An array takes no new keys (a key "length" would break it): one of its items changes.
      if (Array.isArray(node)) {
        if (node.length > 0) node[seed % node.length] = replace;
      } else if (seed % 2 === 0 || keys.length === 0) node[key] = replace;
      else node[keys[seed % keys.length] as string] = replace;
      return copy;
    });

describe("generated unknown-field walkers", () => {
  for (const event of EVENTS) {
    it(`find exactly what the plain walk finds (${event.name})`, () => {
      const template = loadTemplate(event.name, BUNDLED).value;
      const walk = unknownFieldWalkers[event.type];
      const shape = knownFields[event.type];
      if (!walk || !shape) throw new Error(`no walker for ${event.type}`);
      fc.assert(
        fc.property(fc.array(mutated(template), { minLength: 1, maxLength: 3 }), (values) => {
          for (const value of values) {
            const got: ValidationWarning[] = [];
            const want: ValidationWarning[] = [];
            walk(value, [], got);
            reference(value, shape, [], want);
            expect(got).toEqual(want);
          }
        }),
        { numRuns: 300 },
      );
      const clean: ValidationWarning[] = [];
      walk(template, [], clean);
      expect(clean).toEqual([]);
    });
  }
});
