// The deletion file's builder (src/deletion/builder.ts) held to a plain model of what it must write: the
// unique ids in order of first sight, packed greedily into files of at most maxFileBytes, each with its
// header. The model is a Set and string concatenation, nothing the builder shares.
import { describe, expect, test } from "bun:test";
import { DeletionFileBuilder } from "../../src/deletion/builder.ts";
import { CsvError } from "../../src/index.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const utf8 = (text: string) => new TextEncoder().encode(text).length;

function build(ids: string[], options: ConstructorParameters<typeof DeletionFileBuilder>[0] = {}) {
  const builder = new DeletionFileBuilder(options);
  for (const [i, id] of ids.entries()) builder.add(id, i + 1);
  return builder.finish();
}

// What the files must be: every id once, where it was first seen, a new file whenever the next line would
// make the current one longer than maxFileBytes.
function model(ids: string[], maxFileBytes: number): string[] {
  const files: string[] = [];
  let file = "USER_ID\n";
  for (const id of new Set(ids)) {
    const line = `${id}\n`;
    if (utf8(file) + utf8(line) > maxFileBytes) {
      files.push(file);
      file = "USER_ID\n";
    }
    file += line;
  }
  return [...files, file];
}

// A deterministic list with many duplicates, some of them far apart.
function list(n: number, seed: number): string[] {
  let x = seed;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  return Array.from({ length: n }, () => `u${next() % (n / 3)}${"é".repeat(next() % 4)}`);
}

describe("DeletionFileBuilder", () => {
  test("files are exactly the model's: duplicates removed across file boundaries, greedy packing", () => {
    for (const [n, max] of [
      [500, 64],
      [2000, 100],
      [5000, 777],
      [300, 4096],
    ] as const) {
      const ids = list(n, n + max);
      const out = build(ids, { maxFileBytes: max });
      const expected = model(ids, max);
      expect(out.files.map(decode)).toEqual(expected);
      expect(out.userCount).toBe(new Set(ids).size);
      expect(out.duplicateCount).toBe(ids.length - new Set(ids).size);
      expect(out.bytes).toBe(expected.reduce((sum, f) => sum + utf8(f), 0));
      for (const file of out.files) expect(file.length).toBeLessThanOrEqual(max);
    }
  });

  test("a duplicate of an id in an earlier file, arriving when the current file is full, starts no file", () => {
    // Each 28-byte line: two fill a 64-byte file with the header (8 + 56).
    const a = "a".repeat(27);
    const b = "b".repeat(27);
    const c = "c".repeat(27);
    const out = build([a, b, a, b, c, a], { maxFileBytes: 64 });
    expect(out.files.map(decode)).toEqual([`USER_ID\n${a}\n${b}\n`, `USER_ID\n${c}\n`]);
    expect([out.userCount, out.duplicateCount]).toEqual([3, 3]);
  });

  test("a duplicate dropped from the batch makes room: the next line stays in the same file", () => {
    // a, b, b: the second b only fits in the count of bytes written, not in what is kept.
    const a = "a".repeat(20);
    const b = "b".repeat(20);
    const c = "c".repeat(20);
    const out = build([a, b, b, c], { maxFileBytes: 8 + 3 * 21 });
    expect(out.files.map(decode)).toEqual([`USER_ID\n${a}\n${b}\n${c}\n`]);
  });

  test("a line exactly at maxFileBytes fits; one byte more is refused, naming its size and line", () => {
    const fits = "x".repeat(64 - 8 - 1);
    const out = build([fits], { maxFileBytes: 64 });
    expect(out.files.map((f) => f.length)).toEqual([64]);
    expect(decode(out.files[0] as Uint8Array)).toBe(`USER_ID\n${fits}\n`);
    // Two such lines are two files, each exactly at the cap.
    expect(build([fits, `${fits.slice(1)}y`], { maxFileBytes: 64 }).files.map((f) => f.length)).toEqual([
      64, 64,
    ]);
    const error = (() => {
      try {
        build(["ok", `${fits}z`], { maxFileBytes: 64 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).line).toBe(2);
    expect((error as CsvError).reason).toBe("a user id of 56 bytes cannot fit in a file of 64 bytes");
    // A quoted id counts its quotes: 54 characters with a comma are 56 bytes written.
    expect(() => build([`${"q".repeat(53)},`], { maxFileBytes: 64 })).toThrow(/of 56 bytes/);
  });

  test("maxFileBytes must be a whole number of at least 64", () => {
    for (const bad of [63, 64.5, Number.NaN]) {
      expect(() => new DeletionFileBuilder({ maxFileBytes: bad })).toThrow(
        `maxFileBytes must be a whole number of at least 64, received ${bad}`,
      );
    }
  });

  test("trimmedCount counts the ids trimIds changed; whitespace alone is skipped, not counted", () => {
    const out = build([" a", "a", "b\u00a0", "b", "  ", "\u3000", "c"], { trimIds: true });
    expect(decode(out.files[0] as Uint8Array)).toBe("USER_ID\na\nb\nc\n");
    expect([out.trimmedCount, out.userCount, out.duplicateCount]).toEqual([2, 3, 2]);
    expect(build(["a", "b"], { trimIds: true }).trimmedCount).toBe(0);
    // Without trimIds nothing is trimmed: the padded id is refused with its line.
    expect(() => build(["a", " b"])).toThrow(/whitespace/);
  });

  test("maxListBytes bounds the output, not the input: a long list of one id is fine, many ids are not", () => {
    const same = build(
      Array.from({ length: 20_000 }, () => "dup"),
      { maxListBytes: 1000 },
    );
    expect([same.userCount, same.duplicateCount, same.bytes]).toEqual([1, 19_999, 12]);
    const many = Array.from({ length: 200 }, (_, i) => `id-${i}`);
    expect(() => build(many, { maxListBytes: 1000 })).toThrow(
      /^the list is larger than 1000 bytes \(received more\)/,
    );
    // A size known beforehand is refused at once.
    expect(() => new DeletionFileBuilder({ maxListBytes: 1000 }, 1001)).toThrow(
      "the list is larger than 1000 bytes (received 1001 bytes)",
    );
  });

  test("an empty id is skipped; a list of nothing is refused at finish", () => {
    expect(decode(build(["", "a", ""]).files[0] as Uint8Array)).toBe("USER_ID\na\n");
    expect(() => build(["", ""])).toThrow("the list holds no user ids");
  });
});
