// The id set matches exact UTF-8 bytes: what a Set of the same strings says, from either way of building it.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { serializeUserIds } from "../../src/index.ts";
import { IdSet } from "../../src/outside/ids.ts";
import { utf8 } from "./chunks.ts";

const idChar = fc.constantFrom("a", "b", "Z", "0", '"', ",", " ", "é", "日", "😀", "\uFEFF");
const id = fc.array(idChar, { maxLength: 8 }).map((cs) => cs.join(""));

describe("IdSet", () => {
  test("has and hasBytes agree with a Set of the same strings, for ids and near misses", () => {
    fc.assert(
      fc.property(fc.array(id, { maxLength: 60 }), fc.array(id, { maxLength: 30 }), (ids, probes) => {
        const set = IdSet.of(ids);
        const reference = new Set(ids.filter((i) => i !== ""));
        expect(set.size).toBe(reference.size);
        for (const probe of [...ids, ...probes, ...ids.map((i) => ` ${i}`), ...ids.map((i) => i.slice(1))]) {
          const want = reference.has(probe);
          expect(set.has(probe)).toBe(want);
          // The same bytes inside a larger buffer, as a field inside a row.
          const bytes = utf8(`x,${probe},y`);
          expect(set.hasBytes(bytes, 2, bytes.length - 2)).toBe(want);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("built from the deletion flow's prepared files, it holds exactly the ids prepared", async () => {
    const safe = id.filter((i) => i.trim() === i);
    await fc.assert(
      fc.asyncProperty(fc.array(safe, { minLength: 1, maxLength: 60 }), async (ids) => {
        fc.pre(ids.some((i) => i !== ""));
        const prepared = await serializeUserIds(ids, { maxFileBytes: 128 });
        const set = IdSet.fromDeletionFiles(prepared.files);
        const reference = new Set(ids.filter((i) => i !== ""));
        expect(set.size).toBe(reference.size);
        expect(prepared.files.length).toBeGreaterThanOrEqual(1);
        for (const i of reference) expect(set.has(i)).toBe(true);
        // A quoted id's quotes are not part of it; a header is not an id.
        for (const i of reference) expect(set.has(`"${i}"`)).toBe(reference.has(`"${i}"`));
        expect(set.has("USER_ID")).toBe(reference.has("USER_ID"));
      }),
      { numRuns: 200 },
    );
  });

  test("a padded id is another id; empty ids are left out; growth keeps every id", () => {
    const set = IdSet.of(["a", "", "a,b", 'say "hi"']);
    expect(set.size).toBe(3);
    expect(set.has("a")).toBe(true);
    expect(set.has(" a")).toBe(false);
    expect(set.has("a ")).toBe(false);
    expect(set.has("A")).toBe(false);
    expect(set.has("")).toBe(false);
    expect(set.has('"a,b"')).toBe(false);
    expect(set.has('say "hi"')).toBe(true);
    const many = Array.from({ length: 50_000 }, (_, i) => `user-${i}`);
    const big = IdSet.of(many);
    expect(big.size).toBe(50_000);
    expect(many.every((i) => big.has(i))).toBe(true);
    expect(big.has("user-50000")).toBe(false);
  });

  test("a set of 100,000 ids from a prepared file answers as a Set does, for its ids and for others", async () => {
    // Large enough that the bit filter in front of the index has many words and is rebuilt as it grows: a
    // filter bit left unset would keep an erased user's row.
    const erased = Array.from({ length: 100_000 }, (_, i) => `user-${i * 20 + 7}`);
    const set = IdSet.fromDeletionFiles((await serializeUserIds(erased)).files);
    const reference = new Set(erased);
    let found = 0;
    for (let n = 0; n < 2_000_000; n += 3) {
      const probe = `user-${n}`;
      const bytes = utf8(`${probe},item`);
      expect(set.hasBytes(bytes, 0, bytes.length - 5)).toBe(reference.has(probe));
      if (reference.has(probe)) found++;
    }
    expect(found).toBeGreaterThan(30_000);
    expect(erased.every((i) => set.has(i))).toBe(true);
  });
});
