// Ids in any form made into deletion files (src/deletion/file.ts): serializeUserIds, with papaparse as the
// independent reader of what it writes, and prepareUsers' three ways in.
import { describe, expect, test } from "bun:test";
import Papa from "papaparse";
import { type PreparedDeletionFile, prepareUsers } from "../../src/deletion/file.ts";
import { CsvError, serializeUserIds } from "../../src/index.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

// The independent reader: papaparse's own parse of each output file.
function readBack(files: Uint8Array[]): string[] {
  return files.flatMap((file) => {
    const rows = Papa.parse<string[]>(decode(file), { delimiter: ",", skipEmptyLines: true }).data;
    expect(rows[0]).toEqual(["USER_ID"]);
    return rows.slice(1).map((r) => r[0] as string);
  });
}

describe("serializeUserIds", () => {
  test("arrays, iterables and async iterables", async () => {
    async function* gen() {
      yield "a";
      yield "b c";
      yield "a";
      yield "";
    }
    for (const source of [["a", "b c", "a", ""], new Set(["a", "b c", ""]), gen()]) {
      const out = await serializeUserIds(source as Iterable<string>);
      expect(readBack(out.files)).toEqual(["a", "b c"]);
    }
  });

  test("ids are exact: padded ones refused unless trimIds, lone surrogates always", async () => {
    await expect(serializeUserIds(["a", " spaced-user "])).rejects.toThrow(
      /user id number 2: the user id has leading and trailing whitespace/,
    );
    const trimmed = await serializeUserIds(["a", " spaced-user "], { trimIds: true });
    expect(readBack(trimmed.files)).toEqual(["a", "spaced-user"]);
    expect(trimmed.trimmedCount).toBe(1);
    for (const trimIds of [false, true]) {
      await expect(serializeUserIds(["a", "x\ud800y"], { trimIds })).rejects.toThrow(
        /user id number 2: .*not well-formed Unicode/,
      );
    }
    // A surrogate pair is one character, and fine.
    const emoji = await serializeUserIds(["\u{1F600}"]);
    expect(readBack(emoji.files)).toEqual(["\u{1F600}"]);
  });

  test("non-strings and bad ids name their position", async () => {
    await expect(serializeUserIds(["a", 3 as unknown as string])).rejects.toThrow(
      /user id number 2 must be a string/,
    );
    await expect(serializeUserIds(["a", "b\nc"])).rejects.toThrow(/user id number 2: .*control characters/);
    await expect(serializeUserIds([])).rejects.toThrow(CsvError);
  });
});

describe("prepareUsers", () => {
  test("a prepared file passes through as it is, and is not prepared again", async () => {
    const prepared = await serializeUserIds(["a", "b"]);
    expect(await prepareUsers(prepared, { maxFileBytes: 64 })).toBe(prepared);
  });

  test("a function is called once and its file returned as it is (the options, maxListBytes: 1 here, are its own business)", async () => {
    const made: PreparedDeletionFile = await serializeUserIds(["z"]);
    let calls = 0;
    const out = await prepareUsers(
      async () => {
        calls++;
        return made;
      },
      { maxListBytes: 1 },
    );
    expect([out, calls]).toEqual([made, 1]);
  });

  test("ids are serialized with the options: trimIds and maxFileBytes take effect", async () => {
    const ids = Array.from({ length: 40 }, (_, i) => ` user-${i} `);
    const out = await prepareUsers(ids, { trimIds: true, maxFileBytes: 100 });
    expect(out.files.length).toBeGreaterThan(1);
    expect(readBack(out.files)).toEqual(ids.map((id) => id.trim()));
    expect(out.trimmedCount).toBe(40);
    await expect(prepareUsers(ids)).rejects.toThrow(CsvError);
  });
});
