// The deletion CSV's byte-level reading (csv-bytes.ts) against papaparse reading the whole file as text:
// for any list of plain, quoted, padded, non-ASCII and duplicate ids in any chunking, the same deletion file,
// counts included.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import Papa from "papaparse";
import { prepareDeletionCsv } from "../../src/index.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const idChar = fc.constantFrom("a", "b", "7", "-", "_", ",", '"', " ", "é", "日");
const rawId = fc.array(idChar, { minLength: 0, maxLength: 6 }).map((cs) => cs.join(""));
const field = (value: string, quoted: boolean): string =>
  quoted || /[",]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
const row = fc.record({
  id: rawId,
  quoted: fc.boolean(),
  pad: fc.constantFrom("", " ", "  "),
  other: fc.constantFrom("web", "web, mobile", ""),
});

// What the deletion file must hold, from papaparse's reading of the whole text.
function expected(text: string, trimIds: boolean) {
  const rows = Papa.parse<string[]>(text, {
    delimiter: ",",
    newline: text.includes("\r\n") ? "\r\n" : "\n",
  }).data;
  const column = (rows[0] as string[]).indexOf("USER_ID");
  const seen = new Set<string>();
  let count = 0;
  let duplicates = 0;
  let trimmed = 0;
  for (const fields of rows.slice(1)) {
    if (fields.length === 1 && fields[0] === "") continue;
    count++;
    const raw = fields[column] as string;
    const id = trimIds ? raw.trim() : raw;
    if (id === "") continue;
    if (id !== raw) trimmed++;
    if (seen.has(id)) duplicates++;
    else seen.add(id);
  }
  const lines = [...seen].map((id) => `${/[",]/.test(id) ? `"${id.replaceAll('"', '""')}"` : id}\n`);
  return { file: `USER_ID\n${lines.join("")}`, rows: count, duplicates, trimmed, users: seen.size };
}

async function prepared(text: string, cuts: number[], trimIds: boolean) {
  const bytes = encoder.encode(text);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.slice(at, p));
    at = p;
  }
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return prepareDeletionCsv(stream, { trimIds, maxFileBytes: 1 << 20 });
}

describe("the deletion CSV read as bytes", () => {
  test("for any list of plain, quoted, padded and duplicate ids in any chunking, papaparse's reading", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (rows, idFirst, crlf, cuts) => {
          // Ids repeat: every other row takes an earlier row's id.
          const ids = rows.map((r, i) => (i % 2 === 1 ? (rows[i >> 1] as { id: string }).id : r.id));
          fc.pre(ids.some((id) => id.trim() !== ""));
          const end = crlf ? "\r\n" : "\n";
          const header = idFirst ? "USER_ID,SOURCE" : "SOURCE,USER_ID";
          const lines = rows.map((r, i) => {
            const id = field(`${r.pad}${ids[i]}${r.pad}`, r.quoted);
            const other = field(r.other, false);
            return idFirst ? `${id},${other}` : `${other},${id}`;
          });
          const text = `${header}${end}${lines.join(end)}${end}`;
          const want = expected(text, true);
          const got = await prepared(text, cuts, true);
          expect(got.files.map((f) => decoder.decode(f)).join("")).toBe(want.file);
          expect([got.rows, got.userCount, got.duplicateCount, got.trimmedCount]).toEqual([
            want.rows,
            want.users,
            want.duplicates,
            want.trimmed,
          ]);
        },
      ),
      { numRuns: 400 },
    );
  });

  test("without trimIds, a padded id is refused naming its line, whether quoted or not", async () => {
    for (const [text, line] of [
      ["USER_ID,SOURCE\na,web\n b,web\n", 3],
      ['USER_ID,SOURCE\na,web\nc,web\n"b ",web\n', 4],
      ['SOURCE,USER_ID\r\nweb,a\r\nweb," b"\r\n', 3],
    ] as const) {
      const error = await prepared(text, [], false).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(`line ${line}`);
      expect((error as Error).message).toContain("whitespace");
    }
  });
});
