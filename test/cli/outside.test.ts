// `scan` and `scrub` on local files, run as users run them: the bundled CLI under Node. Each scrubbed copy
// is compared byte for byte with the input's own rows sliced apart in the test (not by the engine), and no
// erased id may appear in anything the CLI prints.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildNodeCli } from "../support/node-cli.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TMP = mkdtempSync(join(tmpdir(), "pdd-outside-cli-"));
const NODE_CLI = join(ROOT, ".tmp", `cli-outside-test-${process.pid}`, "cli.js");
const ERASED = ["erased-ü-1", 'erased,"q"', "erased-3"];
const USERS = join(TMP, "erased.csv");

beforeAll(async () => {
  await buildNodeCli(NODE_CLI);
  writeFileSync(USERS, 'USER_ID\nerased-ü-1\n"erased,""q"""\nerased-3\n');
});
afterAll(() => {
  rmSync(join(ROOT, ".tmp", `cli-outside-test-${process.pid}`), { recursive: true, force: true });
  rmSync(TMP, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const run = await runProcess(["node", NODE_CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "" },
  });
  for (const id of ERASED) expect(run.stdout + run.stderr).not.toContain(id);
  return run;
}

// Rows as written, each with its own line ending (the last has none), and whether its user is erased.
type Row = [text: string, erased: boolean];
const CSV_ROWS: Row[] = [
  ["ITEM_ID,USER_ID,TIMESTAMP\r\n", false],
  ["i1,kept-1,1\r\n", false],
  ["i2,erased-ü-1,2\r\n", true],
  ['i3,"erased,""q""",3\r\n', true],
  ["i4,erased-3x,4\r\n", false],
  ['"i5, with a comma","kept-2",5\r\n', false],
  ['"multi\r\nline item",erased-3,6\r\n', true],
  ['i7," erased-3",7\r\n', false],
  ["\r\n", false],
  ["i8,erased-3,8", true],
];
const JSONL_ROWS: Row[] = [
  [
    '{"input":{"userId":"kept-1"},"output":{"recommendedItems":["a","b"],"scores":[0.5,0.2]},"error":null}\n',
    false,
  ],
  [
    '{"input":{"userId":"erased-\\u00fc-1"},"output":{"recommendedItems":["a"],"scores":[0.9]},"error":null}\n',
    true,
  ],
  ['{"input":{"userId":"erased-3"},"output":{"recommendedItems":[],"scores":[]},"error":null}\n', true],
  [
    '{"input":{"userId":"erased-3x"},"output":{"recommendedItems":["erased-3"],"scores":[0.1]},"error":null}\n',
    false,
  ],
  ['{"userId":"erased,\\"q\\""}\n', true],
  ['{"userId":"kept-2"}', false],
];
const join_ = (rows: Row[]) => rows.map(([text]) => text).join("");
const kept = (rows: Row[]) =>
  Buffer.from(
    rows
      .filter(([, erased]) => !erased)
      .map(([text]) => text)
      .join(""),
  );
const dataRows = (rows: Row[], header: boolean) =>
  rows.slice(header ? 1 : 0).filter(([text]) => text.trim() !== "");

test("scan counts the erased users' rows in a CSV and a JSON lines file, and names no id", async () => {
  const csv = join(TMP, "interactions.csv");
  const out = join(TMP, "batch-output.json.out");
  writeFileSync(csv, join_(CSV_ROWS));
  writeFileSync(out, join_(JSONL_ROWS));
  const clean = join(TMP, "clean.jsonl");
  writeFileSync(clean, '{"userId":"kept-1"}\n');
  const run = await cli([
    "scan",
    "--users-file",
    USERS,
    "--location",
    csv,
    "--location",
    out,
    "--location",
    clean,
    "--json",
  ]);
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout);
  expect(report.users).toBe(3);
  expect(report.holdsUsers).toBe(true);
  expect(report.locations).toEqual([
    {
      location: csv,
      format: "csv",
      bytes: Buffer.byteLength(join_(CSV_ROWS)),
      rows: dataRows(CSV_ROWS, true).length,
      matchingRows: CSV_ROWS.filter(([, erased]) => erased).length,
      state: "holds-users",
    },
    {
      location: out,
      format: "jsonl",
      bytes: Buffer.byteLength(join_(JSONL_ROWS)),
      rows: JSONL_ROWS.length,
      matchingRows: JSONL_ROWS.filter(([, erased]) => erased).length,
      state: "holds-users",
    },
    { location: clean, format: "jsonl", bytes: 20, rows: 1, matchingRows: 0, state: "clean" },
  ]);
  // The table says the same, for a person.
  const human = await cli(["scan", "--users-file", USERS, "--location", csv]);
  expect(human.code).toBe(0);
  expect(human.stdout).toMatch(/interactions\.csv\s+csv\s+\d+\s+8\s+4\s+holds-users/);
});

test("scan reports what it cannot read, with why, and still scans the rest", async () => {
  const noHeader = join(TMP, "no-user-column.csv");
  writeFileSync(noHeader, "ITEM_ID,TIMESTAMP\ni1,1\n");
  const notJson = join(TMP, "broken.jsonl");
  writeFileSync(notJson, '{"userId":"kept-1"}\n{"userId":"erased-3"\n');
  const unknown = join(TMP, "dump.parquet");
  writeFileSync(unknown, `PAR1 "erased-3"\n`);
  const good = join(TMP, "good.csv");
  writeFileSync(good, "USER_ID\nerased-3\nkept-1\n");
  const run = await cli([
    "scan",
    "--users-file",
    USERS,
    "--json",
    ...[noHeader, notJson, unknown, join(TMP, "missing.csv"), good].flatMap((l) => ["--location", l]),
  ]);
  expect(run.code).toBe(0);
  const states = JSON.parse(run.stdout).locations.map((l: { state: string; why?: string }) => [
    l.state,
    l.why,
  ]);
  expect(states[0]).toEqual(["unreadable", expect.stringContaining("none is named USER_ID")]);
  expect(states[1]).toEqual(["unreadable", expect.stringMatching(/^line 2: the line is not JSON/)]);
  expect(states[2]).toEqual(["unreadable", expect.stringContaining("unknown format")]);
  expect(states[3]).toEqual(["unreadable", expect.stringContaining("ENOENT")]);
  expect(states[4]).toEqual(["holds-users", undefined]);
  // --format reads a file whose name says nothing.
  const forced = await cli([
    "scan",
    "--users-file",
    USERS,
    "--location",
    unknown,
    "--format",
    "jsonl",
    "--json",
  ]);
  expect(JSON.parse(forced.stdout).locations[0].why).toMatch(/not JSON/);
});

test("scrub writes the CSV without the erased users' rows, every other byte as it was", async () => {
  const input = join(TMP, "small.csv");
  const output = join(TMP, "small.scrubbed.csv");
  writeFileSync(input, join_(CSV_ROWS));
  const run = await cli(["scrub", "--users-file", USERS, "--location", input, "--output", output, "--json"]);
  expect(run.code).toBe(0);
  expect(readFileSync(output)).toEqual(kept(CSV_ROWS));
  const report = JSON.parse(run.stdout);
  expect(report).toMatchObject({ rows: 8, rowsRemoved: 4, outputBytes: kept(CSV_ROWS).length });
  // Idempotent: the scrubbed copy holds no one.
  const again = await cli(["scan", "--users-file", USERS, "--location", output, "--json"]);
  expect(JSON.parse(again.stdout).locations[0]).toMatchObject({ state: "clean", matchingRows: 0, rows: 4 });
});

test("scrub of a file over several read chunks (1 MiB each) keeps every other byte", async () => {
  const rows: Row[] = [["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n", false]];
  for (let i = 0; i < 100_000; i++) {
    const erased = i % 7 === 3;
    const user = erased ? ERASED[i % 3] : `user-${i}`;
    const field = user?.includes(",") ? `"${user.replaceAll('"', '""')}"` : user;
    rows.push([
      `${field},item-${i % 977},${1_700_000_000 + i},${i % 5 === 0 ? '"click, then view"' : "view"}\n`,
      erased,
    ]);
  }
  const input = join(TMP, "large.csv");
  const output = join(TMP, "large.scrubbed.csv");
  writeFileSync(input, join_(rows));
  expect(Buffer.byteLength(join_(rows))).toBeGreaterThan(3 * 1024 * 1024);
  const run = await cli(["scrub", "--users-file", USERS, "--location", input, "--output", output, "--json"]);
  expect(run.code).toBe(0);
  expect(readFileSync(output).equals(kept(rows))).toBe(true);
  expect(JSON.parse(run.stdout).rowsRemoved).toBe(rows.filter(([, e]) => e).length);
}, 60_000);

test("scrub of JSON lines drops the erased users' lines, escaped ids included", async () => {
  const input = join(TMP, "inference.json.out");
  const output = join(TMP, "inference.scrubbed.out");
  writeFileSync(input, join_(JSONL_ROWS));
  const run = await cli(["scrub", "--users-file", USERS, "--location", input, "--output", output, "--json"]);
  expect(run.code).toBe(0);
  expect(readFileSync(output)).toEqual(kept(JSONL_ROWS));
  expect(JSON.parse(run.stdout)).toMatchObject({
    format: "jsonl",
    rows: 6,
    rowsRemoved: 3,
    rowsRewritten: 0,
  });
});

test("scrub refuses to clobber: the input as output, an existing output without --overwrite", async () => {
  const input = join(TMP, "guarded.csv");
  const output = join(TMP, "guarded.out.csv");
  writeFileSync(input, join_(CSV_ROWS));
  const same = await cli([
    "scrub",
    "--users-file",
    USERS,
    "--location",
    input,
    "--output",
    join(TMP, ".", "guarded.csv"),
  ]);
  expect(same.code).toBe(2);
  expect(same.stderr).toContain("--output must be another file than --location");
  expect(readFileSync(input, "utf8")).toBe(join_(CSV_ROWS));
  writeFileSync(output, "precious\n");
  const taken = await cli(["scrub", "--users-file", USERS, "--location", input, "--output", output]);
  expect(taken.code).toBe(2);
  expect(taken.stderr).toContain(`--output ${output} already exists; give --overwrite`);
  expect(readFileSync(output, "utf8")).toBe("precious\n");
  const replaced = await cli([
    "scrub",
    "--users-file",
    USERS,
    "--location",
    input,
    "--output",
    output,
    "--overwrite",
  ]);
  expect(replaced.code).toBe(0);
  expect(readFileSync(output)).toEqual(kept(CSV_ROWS));
});

test("scrub of an unreadable input exits 2 and leaves no output, partial or whole", async () => {
  const dir = mkdtempSync(join(TMP, "unreadable-"));
  // The error comes late, past the first MiB already written: a line with an erased id that is not JSON.
  const late = join(dir, "late.jsonl");
  writeFileSync(late, `${'{"userId":"kept-1"}\n'.repeat(100_000)}{"userId":"erased-3",\n`);
  const noHeader = join(dir, "bad.csv");
  writeFileSync(noHeader, "ITEM_ID\ni1\n");
  const output = join(dir, "out.jsonl");
  const run = await cli(["scrub", "--users-file", USERS, "--location", late, "--output", output]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain("cannot be scrubbed (nothing written): line 100001: the line is not JSON");
  const csv = await cli([
    "scrub",
    "--users-file",
    USERS,
    "--location",
    noHeader,
    "--output",
    join(dir, "out.csv"),
  ]);
  expect(csv.code).toBe(2);
  expect(csv.stderr).toContain("none is named USER_ID");
  expect(readdirSync(dir).sort()).toEqual(["bad.csv", "late.jsonl"]);
});

test("an s3:// location is refused with a usage error, before the users file is read", async () => {
  for (const args of [
    ["scan", "--users-file", join(TMP, "not-there.csv"), "--location", "s3://bucket/interactions.csv"],
    [
      "scrub",
      "--users-file",
      join(TMP, "not-there.csv"),
      "--location",
      "s3://bucket/in.csv",
      "--output",
      join(TMP, "o.csv"),
    ],
  ]) {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("S3 locations come with the erasure's outside stage");
    expect(run.stderr).not.toContain("not-there");
  }
  const none = await cli([
    "scrub",
    "--users-file",
    USERS,
    "--location",
    "a.csv",
    "--location",
    "b.csv",
    "--output",
    "c.csv",
  ]);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain("give exactly one --location to scrub, received 2");
});
