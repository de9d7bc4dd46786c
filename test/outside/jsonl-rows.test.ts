// The JSON lines scrub: a batch inference line of an erased user is left out, a segment line loses the erased
// users from its list (only that line re-serialised), every other byte stays; the scan counts the same.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { UnreadableError } from "../../src/outside/errors.ts";
import { IdSet } from "../../src/outside/ids.ts";
import { scanJsonl, scrubJsonl } from "../../src/outside/jsonl-rows.ts";
import { chunked, collect, concatBytes, text, utf8 } from "./chunks.ts";

const idChar = fc.constantFrom("a", "b", "7", " ", ",", '"', "\\", "é", "日", "😀");
const userId = fc.array(idChar, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(""));

// JSON as a writer might put it: compact or spaced, non-ASCII raw or escaped as \uXXXX.
function write(value: unknown, spaced: boolean, escapeUnicode: boolean): string {
  let json = JSON.stringify(value, null, spaced ? 1 : undefined).replaceAll("\n", "");
  if (escapeUnicode)
    json = json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return json;
}

type Kind = "input" | "output" | "segment" | "blank";
interface Line {
  kind: Kind;
  users: number[];
  spaced: boolean;
  escapeUnicode: boolean;
  crlf: boolean;
}

const jsonlInput = fc.record({
  pool: fc.uniqueArray(userId, { minLength: 1, maxLength: 8 }),
  erasedMask: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  lines: fc.array(
    fc.record({
      kind: fc.constantFrom<Kind>("input", "output", "segment", "blank"),
      users: fc.array(fc.nat(), { maxLength: 5 }),
      spaced: fc.boolean(),
      escapeUnicode: fc.boolean(),
      crlf: fc.boolean(),
    }),
    { maxLength: 20 },
  ),
  bom: fc.boolean(),
  lastNewline: fc.boolean(),
});

function lineValue(line: Line, pool: string[]): unknown {
  const user = (i: number) => pool[i % pool.length] as string;
  if (line.kind === "input") return { userId: user(line.users[0] ?? 0) };
  if (line.kind === "output")
    return {
      input: { userId: user(line.users[0] ?? 0) },
      output: { recommendedItems: line.users.map(user), scores: line.users.map((i) => i / 7) },
      error: null,
    };
  return {
    input: { itemId: user(line.users[0] ?? 0) },
    output: { recommendedUsers: line.users.map(user) },
    error: null,
  };
}

const cuts = fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 6 });

async function scrub(bytes: Uint8Array, ids: IdSet, sizes: number[]) {
  const transform = scrubJsonl(ids);
  const out = await collect(chunked(bytes, sizes).pipeThrough(transform));
  return { out, count: transform.count() };
}

describe("scrubJsonl and scanJsonl", () => {
  test("for any batch JSON lines and any chunking, erased users go and every other byte stays", async () => {
    const seen = { dropped: 0, shortened: 0, escaped: 0 };
    await fc.assert(
      fc.asyncProperty(jsonlInput, cuts, async (g, sizes) => {
        const erased = new Set(g.pool.filter((_, i) => g.erasedMask[i]));
        const input: Uint8Array[] = [];
        const expected: Uint8Array[] = [];
        const want = { rows: 0, matching: 0, entries: 0 };
        for (const [n, line] of g.lines.entries()) {
          const ending = n === g.lines.length - 1 && !g.lastNewline ? "" : line.crlf ? "\r\n" : "\n";
          const bom = n === 0 && g.bom ? "\uFEFF" : "";
          const value = lineValue(line, g.pool);
          const body =
            line.kind === "blank"
              ? line.spaced
                ? " \t"
                : ""
              : write(value, line.spaced, line.escapeUnicode);
          const original = utf8(bom + body + ending);
          input.push(original);
          if (line.kind === "blank") {
            expected.push(original);
            continue;
          }
          want.rows++;
          const v = value as {
            userId?: string;
            input: { userId?: string };
            output: { recommendedUsers: string[] };
          };
          const user = v.userId ?? v.input.userId;
          if (user !== undefined) {
            if (erased.has(user)) {
              want.matching++;
              seen.dropped++;
              if (body.includes("\\")) seen.escaped++;
              continue;
            }
            expected.push(original);
            continue;
          }
          const list = v.output.recommendedUsers;
          const kept = list.filter((u) => !erased.has(u));
          if (kept.length === list.length) {
            expected.push(original);
            continue;
          }
          want.matching++;
          want.entries += list.length - kept.length;
          seen.shortened++;
          expected.push(
            utf8(bom + JSON.stringify({ ...v, output: { ...v.output, recommendedUsers: kept } }) + ending),
          );
        }
        const bytes = concatBytes(input);
        const ids = IdSet.of(erased);
        const { out, count } = await scrub(bytes, ids, sizes);
        expect(text(out)).toBe(text(concatBytes(expected)));
        expect(out).toEqual(concatBytes(expected));
        expect(count).toEqual(want);
        expect(await scanJsonl(chunked(bytes, [...sizes].reverse()), ids)).toEqual(want);
        const again = await scrub(out, ids, sizes);
        expect(again.out).toEqual(out);
        expect(again.count.matching).toBe(0);
      }),
      { numRuns: 500 },
    );
    for (const n of Object.values(seen)) expect(n).toBeGreaterThan(50);
  });

  test("a segment list loses only its erased users; an item id equal to an erased id is not a user", async () => {
    const input = utf8(
      [
        '{"input": {"itemId": "u1"}, "output": {"recommendedUsers": ["u1", "u2", " u1", "u3"]}, "error": null}',
        '{"input":{"userId":"u2"},"output":{"recommendedItems":["u1"],"scores":[0.5]},"error":null}',
        '{"userId":"u1"}',
        '{"userId":" u1"}',
        "",
        '{"userId":"u\\u0031"}',
      ].join("\r\n"),
    );
    const ids = IdSet.of(["u1", "u3"]);
    const { out, count } = await scrub(input, ids, [5]);
    expect(text(out)).toBe(
      [
        '{"input":{"itemId":"u1"},"output":{"recommendedUsers":["u2"," u1"]},"error":null}',
        '{"input":{"userId":"u2"},"output":{"recommendedItems":["u1"],"scores":[0.5]},"error":null}',
        '{"userId":" u1"}',
        "",
        "",
      ].join("\r\n"),
    );
    expect(count).toEqual({ rows: 5, matching: 3, entries: 2 });
  });

  test("a line that may hold an erased id but is not JSON is unreadable, by line number only", async () => {
    const input = utf8('{"userId":"ok"}\n{"userId":"secret-u1",\n');
    const error = await scanJsonl(chunked(input, [4]), IdSet.of(["secret-u1"])).catch((e) => e);
    expect(error).toBeInstanceOf(UnreadableError);
    expect(error.message).toBe("line 2: the line is not JSON (JSON lines hold one JSON value per line)");
    // Without an erased id in it, the line is not parsed and passes as it is.
    expect(await scanJsonl(chunked(input, [4]), IdSet.of(["other"]))).toEqual({
      rows: 2,
      matching: 0,
      entries: 0,
    });
  });
});
