import { describe, expect, test } from "bun:test";
import Papa from "papaparse";
import { CsvError, DataDeletionError, prepareDeletionCsv, serializeUserIds } from "../../src/index.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

// The independent reader: papaparse's own parse of the whole output file.
function readBack(files: Uint8Array[]): string[] {
  return files.flatMap((file) => {
    const text = decode(file);
    expect(text.startsWith("USER_ID\n")).toBe(true);
    expect(text.endsWith("\n")).toBe(true);
    expect(text.includes("\r")).toBe(false);
    expect(file[0]).not.toBe(0xef);
    const rows = Papa.parse<string[]>(text, { delimiter: ",", skipEmptyLines: true }).data;
    expect(rows[0]).toEqual(["USER_ID"]);
    for (const row of rows) expect(row.length).toBe(1);
    return rows.slice(1).map((r) => r[0] as string);
  });
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

describe("prepareDeletionCsv", () => {
  test("keeps only USER_ID among other columns, exactly, drops empty lines and duplicates", async () => {
    const out = await prepareDeletionCsv("ITEM_ID,USER_ID,TIMESTAMP\ni1,u1,1\n\ni2,u2,2\ni3,u1,3\n");
    expect(readBack(out.files)).toEqual(["u1", "u2"]);
    expect(out.userCount).toBe(2);
    expect(out.duplicateCount).toBe(1);
    expect(out.trimmedCount).toBe(0);
    expect(out.rows).toBe(3);
    expect(out.bytes).toBe(out.files[0]?.length as number);
  });

  test("an id with whitespace around it is refused, naming its line and never the id", async () => {
    for (const csv of [
      "ITEM_ID,USER_ID\ni1,u1\ni2, secret-user \n",
      'USER_ID\nu1\n" secret-user"\n',
      "USER_ID\nu1\nsecret-user\u00a0\n",
      "USER_ID\nu1\n\tsecret-user\n",
      "USER_ID\nu1\n   \n",
    ]) {
      const error = await prepareDeletionCsv(csv).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CsvError);
      expect((error as CsvError).line).toBe(3);
      expect(String((error as Error).message)).toMatch(/whitespace: Personalize stores ids exactly/);
      expect(String((error as Error).message)).not.toContain("secret-user");
    }
  });

  test("ids keep inner spaces and, under trimIds, lose outer ones, counted", async () => {
    const exact = await prepareDeletionCsv("USER_ID\nspaced user\nplain\n");
    expect(readBack(exact.files)).toEqual(["spaced user", "plain"]);
    const trimmed = await prepareDeletionCsv("USER_ID,X\n u1 ,a\nu1,b\n\u3000u2,c\n  ,d\n", {
      trimIds: true,
    });
    expect(readBack(trimmed.files)).toEqual(["u1", "u2"]);
    expect(trimmed.trimmedCount).toBe(2);
    expect(trimmed.duplicateCount).toBe(1);
  });

  test("a list over maxListBytes is refused: before reading when its size is known, at the cap when streamed", async () => {
    let pulled = 0;
    const big = new Blob(["USER_ID\n", "a\n".repeat(1000)]);
    const known = await prepareDeletionCsv(big, { maxListBytes: 1000 }).catch((e: unknown) => e);
    expect(known).toBeInstanceOf(CsvError);
    expect(String(known)).toMatch(/larger than 1000 bytes \(received 2008 bytes\).*split it/);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode(pulled === 1 ? "USER_ID\n" : `u${pulled}\n`.repeat(100)));
      },
    });
    const streamed = await prepareDeletionCsv(stream, { maxListBytes: 5000 }).catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(CsvError);
    expect(String(streamed)).toMatch(/larger than 5000 bytes/);
    expect(pulled).toBeLessThan(20);
    await expect(
      serializeUserIds(
        Array.from({ length: 200 }, (_, i) => `id-${i}`),
        { maxListBytes: 500 },
      ),
    ).rejects.toThrow(/larger than 500 bytes/);
  });

  test("BOM and CRLF", async () => {
    const out = await prepareDeletionCsv(
      new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("USER_ID\r\na\r\nb\r\n")]),
    );
    expect(decode(out.files[0] as Uint8Array)).toBe("USER_ID\na\nb\n");
  });

  test("quoted fields, with commas, quotes and a quoted field spanning the header columns", async () => {
    const out = await prepareDeletionCsv(
      'USER_ID,NOTE\n"a,1","x"\n"say ""hi""",y\nplain,"multi\nline note"\n',
    );
    expect(readBack(out.files)).toEqual(["a,1", 'say "hi"', "plain"]);
    expect(decode(out.files[0] as Uint8Array)).toBe('USER_ID\n"a,1"\n"say ""hi"""\nplain\n');
  });

  test("a quote inside an unquoted id is taken literally (as papaparse does) and quoted on output", async () => {
    const out = await prepareDeletionCsv('USER_ID\na"b"c\n');
    expect(readBack(out.files)).toEqual(['a"b"c']);
    expect(decode(out.files[0] as Uint8Array)).toBe('USER_ID\n"a""b""c"\n');
  });

  test("ids that look like spreadsheet formulas are kept as they are", async () => {
    const out = await prepareDeletionCsv("=cmd|' /C calc'!A0\n+1\n@x\n-2\n", { headerless: true });
    expect(readBack(out.files)).toEqual(["=cmd|' /C calc'!A0", "+1", "@x", "-2"]);
  });

  test("headerless lists need the option; auto detects", async () => {
    await expect(prepareDeletionCsv("a\nb\n")).rejects.toThrow(/line 1: the header has no USER_ID column/);
    expect(readBack((await prepareDeletionCsv("a\nb\n", { headerless: "auto" })).files)).toEqual(["a", "b"]);
    expect(readBack((await prepareDeletionCsv("user_id\nb\n", { headerless: "auto" })).files)).toEqual(["b"]);
  });

  const bad: [string, string | Uint8Array, RegExp, object?][] = [
    ["an empty file", "", /the file is empty/],
    ["a header alone", "USER_ID\n", /header but no user ids/],
    ["a wrong header", "USERID\nx\n", /line 1: the header has no USER_ID column/],
    ["a ragged row", "USER_ID,B\nx,1\ny\n", /line 3: found 1 fields where 2 are expected/],
    ["an unquoted comma in a one-column file", "USER_ID\na,b\n", /line 2: .*quote ids that contain a comma/],
    ["an unterminated quote", 'USER_ID\n"abc\nd\n', /line 2: .*unterminated quote/],
    ["text after a closing quote", 'USER_ID\n"ab"c\n', /line 2: malformed quoted field: Trailing quote/],
    [
      "an id over 256 characters",
      `USER_ID\nok\n${"x".repeat(257)}\n`,
      /line 3: .*at most 256 characters.*found 257/,
    ],
    ["a NUL byte", "USER_ID\na\u0000b\n", /line 2: .*control characters, found \\u0000/],
    [
      "invalid UTF-8",
      new Uint8Array([0x55, 0x53, 0x45, 0x52, 0x5f, 0x49, 0x44, 10, 0x61, 10, 0xc3, 0x28, 10]),
      /line 3: the file is not valid UTF-8/,
    ],
    ["UTF-16", new Uint8Array([0xff, 0xfe, 0x55, 0, 0x53, 0]), /line 1: .*UTF-16/],
    ["a 2 MB single line", "x".repeat(2 << 20), /line 1: the line is longer than/],
    ["USER_ID twice", "USER_ID,USER_ID\na,b\n", /line 1: the header names USER_ID twice/],
  ];
  for (const [label, input, message, options] of bad) {
    test(`rejects ${label} with a CsvError naming the line`, async () => {
      const error = await prepareDeletionCsv(input, options).catch((e) => e);
      expect(error).toBeInstanceOf(CsvError);
      expect(error).toBeInstanceOf(DataDeletionError);
      expect(error.message).toMatch(message);
    });
  }

  test("collect mode lists bad lines with their numbers and keeps the rest", async () => {
    const out = await prepareDeletionCsv(`USER_ID\na\n${"y".repeat(300)}\nb\nc,d\n`, {
      invalidLines: "collect",
    });
    expect(readBack(out.files)).toEqual(["a", "b"]);
    expect(out.invalid.map((e) => e.line)).toEqual([3, 5]);
  });

  test("a byte stream whose chunks split lines and multi-byte characters", async () => {
    const text = "USER_ID\nälpha\nβeta\n日本\nälpha\n";
    const bytes = new TextEncoder().encode(text);
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.slice(i, i + 1));
    const out = await prepareDeletionCsv(streamOf(chunks));
    expect(readBack(out.files)).toEqual(["älpha", "βeta", "日本"]);
    expect(out.duplicateCount).toBe(1);
  });

  test("an async iterable of chunks; anything else is a CsvError saying what was received", async () => {
    async function* chunks() {
      yield new TextEncoder().encode("USER_ID\nu-1\nu-");
      yield new TextEncoder().encode("2\nu-1\n");
    }
    const out = await prepareDeletionCsv(chunks());
    expect([out.userCount, out.duplicateCount]).toEqual([2, 1]);
    for (const bad of [42, null, {}, [1, 2]]) {
      const error = await prepareDeletionCsv(bad as never).catch((e) => e);
      expect(error).toBeInstanceOf(CsvError);
      expect(String(error.message)).toMatch(/CSV source must be .*received (number|object|undefined)/);
    }
  });

  test("a Blob", async () => {
    const out = await prepareDeletionCsv(new Blob(["USER_ID\nz\n"]));
    expect(readBack(out.files)).toEqual(["z"]);
  });

  test("splits into files under maxFileBytes, each with its header, no id in two files", async () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `user-${i}`);
    const out = await prepareDeletionCsv(`USER_ID\n${ids.join("\n")}\n`, { maxFileBytes: 4096 });
    expect(out.files.length).toBeGreaterThan(10);
    for (const file of out.files) expect(file.length).toBeLessThanOrEqual(4096);
    expect(readBack(out.files)).toEqual(ids);
    expect(out.bytes).toBe(out.files.reduce((n, f) => n + f.length, 0));
  });

  test("a streamed 50 MB list (~1.35 M ids with duplicates and quoted fields)", async () => {
    const encoder = new TextEncoder();
    let produced = 0;
    let lines = 0;
    const target = 50 * 1024 * 1024;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("USER_ID,SOURCE\n"));
      },
      pull(controller) {
        if (produced >= target) return controller.close();
        const parts: string[] = [];
        for (let i = 0; i < 10_000; i++, lines++) {
          const id = lines % 10 === 9 ? `user-${lines - 5}` : `user-${lines}`;
          parts.push(lines % 1000 === 0 ? `"${id}","quoted, field"` : `${id},src-${lines % 7}`);
        }
        const chunk = encoder.encode(`${parts.join("\n")}\n`);
        produced += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const out = await prepareDeletionCsv(stream, { maxFileBytes: 100 * 1024 * 1024 });
    expect(lines).toBeGreaterThan(1_300_000);
    expect(out.rows).toBe(lines);
    expect(out.duplicateCount).toBe(lines / 10);
    expect(out.userCount).toBe(lines - lines / 10);
    const text = decode(out.files[0] as Uint8Array);
    expect(text.slice(0, 30)).toBe("USER_ID\nuser-0\nuser-1\nuser-2\nu");
    expect(text.split("\n").length - 2).toBe(out.userCount);
  });
});

describe("several files", () => {
  test("are merged with duplicates removed across them; errors name the file and line", async () => {
    const out = await prepareDeletionCsv(
      [
        { name: "a.csv", source: "USER_ID,X\nu1,1\nu2,2\n" },
        { name: "b.txt", source: "u2\nu3\n" },
      ],
      { headerless: "auto" },
    );
    expect(readBack(out.files)).toEqual(["u1", "u2", "u3"]);
    expect(out.duplicateCount).toBe(1);
    const error = await prepareDeletionCsv(
      [
        { name: "a.csv", source: "USER_ID\nu1\n" },
        { name: "b.csv", source: `USER_ID\nok\n${"x".repeat(300)}\n` },
      ],
      {},
    ).catch((e) => e);
    expect(error).toBeInstanceOf(CsvError);
    expect(error.message).toMatch(/^b\.csv line 3: a user id must be at most 256 characters/);
    expect(error.file).toBe("b.csv");
  });
});

test("UTF-8 validation names the line of a surrogate or overlong sequence (RFC 3629 ranges)", async () => {
  const bytes = new Uint8Array([...new TextEncoder().encode("USER_ID\nu1\n"), 0xed, 0xa0, 0x80, 10]);
  const error = await prepareDeletionCsv(bytes).catch((e) => e);
  expect(error.line).toBe(3);
});
