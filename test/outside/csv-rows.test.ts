// The CSV scrub keeps exactly the rows of users not erased, byte for byte, whatever the quoting, line
// endings, byte order mark, empty lines and chunking; the scan counts what the scrub removes. Judged by
// re-slicing the input at row offsets the test computes itself, and semantically by papaparse.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import Papa from "papaparse";
import { scanCsv, scrubCsv } from "../../src/outside/csv-rows.ts";
import { UnreadableError } from "../../src/outside/errors.ts";
import { IdSet } from "../../src/outside/ids.ts";
import { chunked, collect, concatBytes, text, utf8 } from "./chunks.ts";

const idChar = fc.constantFrom("a", "b", "7", " ", ",", '"', "é", "日", "😀");
const userId = fc.array(idChar, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(""));
const otherChar = fc.constantFrom("x", "1", ",", '"', "\n", "\r", " ", "é");
const other = fc.array(otherChar, { maxLength: 5 }).map((cs) => cs.join(""));

// A field as written: quoted when it must be, and sometimes when it need not.
function field(value: string, quoteAnyway: boolean): string {
  const must = /[",\n\r]/.test(value);
  return must || quoteAnyway ? `"${value.replaceAll('"', '""')}"` : value;
}

interface Generated {
  bytes: Uint8Array;
  // Each row's byte range in `bytes`, whether it is the header or an empty line, and its user.
  rows: { start: number; end: number; user?: string }[];
  erased: Set<string>;
  ending: "\n" | "\r\n" | "mixed";
  userColumn: number;
}

const csvInput = fc
  .record({
    pool: fc.uniqueArray(userId, { minLength: 1, maxLength: 8 }),
    erasedMask: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    columns: fc.integer({ min: 1, max: 3 }),
    userColumn: fc.nat(),
    rows: fc.array(
      fc.record({
        user: fc.nat(),
        others: fc.array(other, { minLength: 2, maxLength: 2 }),
        quote: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        crlf: fc.boolean(),
        emptyBefore: fc.boolean(),
      }),
      { maxLength: 25 },
    ),
    ending: fc.constantFrom("\n" as const, "\r\n" as const, "mixed" as const),
    bom: fc.boolean(),
    quoteHeader: fc.boolean(),
    lastNewline: fc.boolean(),
  })
  .map((g): Generated => {
    const userColumn = g.userColumn % g.columns;
    const names = ["ITEM_ID", "TIMESTAMP"].slice(0, g.columns - 1);
    names.splice(userColumn, 0, "USER_ID");
    const end = (crlf: boolean) => (g.ending === "mixed" ? (crlf ? "\r\n" : "\n") : g.ending);
    const parts: { text: string; user?: string }[] = [];
    parts.push({ text: `${g.bom ? "\uFEFF" : ""}${names.map((n) => field(n, g.quoteHeader)).join(",")}` });
    g.rows.forEach((row, r) => {
      (parts[parts.length - 1] as { text: string }).text += end(row.crlf);
      if (row.emptyBefore) parts.push({ text: end(!row.crlf) });
      const user = g.pool[row.user % g.pool.length] as string;
      const values = [...row.others].slice(0, g.columns - 1);
      values.splice(userColumn, 0, user);
      const last = r === g.rows.length - 1;
      parts.push({ text: values.map((v, i) => field(v, row.quote[i] === true)).join(","), user });
      if (last && g.lastNewline) (parts[parts.length - 1] as { text: string }).text += end(row.crlf);
    });
    const rows: Generated["rows"] = [];
    const chunks: Uint8Array[] = [];
    let at = 0;
    for (const part of parts) {
      const bytes = utf8(part.text);
      chunks.push(bytes);
      rows.push({ start: at, end: at + bytes.length, user: part.user });
      at += bytes.length;
    }
    const bytes = concatBytes(chunks);
    const erased = new Set(g.pool.filter((_, i) => g.erasedMask[i]));
    return { bytes, rows, erased, ending: g.ending, userColumn };
  });

const cuts = fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 6 });

async function scrub(bytes: Uint8Array, ids: IdSet, sizes: number[]) {
  const transform = scrubCsv(ids, { maxRowBytes: 4096 });
  const out = await collect(chunked(bytes, sizes).pipeThrough(transform));
  return { out, count: transform.count() };
}

function papaRows(csv: string, newline: string): string[][] {
  const body = csv.startsWith("\uFEFF") ? csv.slice(1) : csv;
  return Papa.parse<string[]>(body, { delimiter: ",", newline: newline as "\n", skipEmptyLines: true }).data;
}

describe("scrubCsv and scanCsv", () => {
  test("for any CSV and any chunking, the scrub keeps exactly the rows without an erased user, byte for byte", async () => {
    // How often the interesting cases came up, so that a generator gone dull fails the test.
    const seen = { removed: 0, kept: 0, quotedNewline: 0, bom: 0 };
    await fc.assert(
      fc.asyncProperty(csvInput, cuts, async (g, sizes) => {
        const ids = IdSet.of(g.erased);
        const { out, count } = await scrub(g.bytes, ids, sizes);
        const kept = g.rows.filter((r) => r.user === undefined || !g.erased.has(r.user));
        const expected = concatBytes(kept.map((r) => g.bytes.subarray(r.start, r.end)));
        expect(out).toEqual(expected);
        const data = g.rows.filter((r) => r.user !== undefined);
        const matching = data.filter((r) => g.erased.has(r.user as string)).length;
        expect(count).toEqual({ rows: data.length, matching });
        if (matching > 0) seen.removed++;
        if (matching < data.length) seen.kept++;
        if (/"[^",]*\n/.test(text(g.bytes))) seen.quotedNewline++;
        if (g.bytes[0] === 0xef) seen.bom++;
        expect(await scanCsv(chunked(g.bytes, [...sizes].reverse()), ids)).toEqual({
          rows: data.length,
          matching,
        });
        if (g.ending !== "mixed") {
          // An independent parser reads the same rows out of the input, less the erased ones, and no others.
          const before = papaRows(text(g.bytes), g.ending);
          const after = papaRows(text(out), g.ending);
          expect(after).toEqual(
            before.filter((row, i) => i === 0 || !g.erased.has(row[g.userColumn] as string)),
          );
          expect(before.length - after.length).toBe(matching);
        }
        // Scrubbing again finds nothing left.
        const again = await scrub(out, ids, sizes);
        expect(again.out).toEqual(out);
        expect(again.count.matching).toBe(0);
      }),
      { numRuns: 500 },
    );
    for (const n of Object.values(seen)) expect(n).toBeGreaterThan(50);
  });

  test("a quoted id is compared unquoted; a padded id is another user; quoted newlines and CRLF stay", async () => {
    const input = utf8(
      '\uFEFFITEM_ID,"USER_ID"\r\n' +
        'i1,"a,b"\r\n' +
        "i2, a\r\n" +
        'i3,"say ""hi"""\r\n' +
        "\r\n" +
        '"multi\nline",a\r\n' +
        '"multi\r\nline",keep\n' +
        'i4,"a"\r\n' +
        "i5,a",
    );
    const ids = IdSet.of(["a,b", "a", 'say "hi"']);
    for (const sizes of [[], [1], [2, 3], [7]]) {
      const { out, count } = await scrub(input, ids, sizes);
      expect(text(out)).toBe('\uFEFFITEM_ID,"USER_ID"\r\ni2, a\r\n\r\n"multi\r\nline",keep\n');
      expect(count).toEqual({ rows: 7, matching: 5 });
    }
  });

  test("an input without a USER_ID header is unreadable, saying so without echoing the header", async () => {
    for (const header of ["user_id,ITEM_ID\nu1,i1\n", "USERID\n", "\nUSER_ID\n", "u-secret-1,i1\n"]) {
      const error = await scanCsv(chunked(utf8(header), [3]), IdSet.of(["x"])).catch((e) => e);
      expect(error).toBeInstanceOf(UnreadableError);
      expect(error.message).toContain("none is named USER_ID");
      expect(error.message).not.toContain("u-secret-1");
    }
    expect(await scanCsv(chunked(new Uint8Array(0), []), IdSet.of(["x"]))).toEqual({ rows: 0, matching: 0 });
    expect(await scanCsv(chunked(utf8("USER_ID"), []), IdSet.of(["x"]))).toEqual({ rows: 0, matching: 0 });
  });

  test("an unclosed quote stops at maxRowBytes instead of holding the rest of the input", async () => {
    const input = utf8(`USER_ID,ITEM_ID\nu1,"never closed\n${"u2,i\n".repeat(2000)}`);
    const error = await scrub(input, IdSet.of(["u1"]), [100]).catch((e) => e);
    expect(error).toBeInstanceOf(UnreadableError);
    expect(error.message).toContain("maxRowBytes");
  });
});
