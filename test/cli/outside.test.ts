// `scan` and `scrub` on local files, run as users run them: the bundled CLI under Node. Each scrubbed copy
// is compared byte for byte with the input's own rows sliced apart in the test (not by the engine), and no
// erased id may appear in anything the CLI prints.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type S3World, s3World } from "../outside/s3-emulator.ts";
import { buildNodeCli } from "../support/node-cli.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TMP = mkdtempSync(join(tmpdir(), "pdd-outside-cli-"));
const NODE_CLI = join(ROOT, ".tmp", `cli-outside-test-${process.pid}`, "cli.js");
const ERASED = ["erased-ü-1", 'erased,"q"', "erased-3"];
const USERS = join(TMP, "erased.csv");

let world: S3World;
beforeAll(async () => {
  world = await s3World();
  await buildNodeCli(NODE_CLI);
  writeFileSync(USERS, 'USER_ID\nerased-ü-1\n"erased,""q"""\nerased-3\n');
});
afterAll(() => {
  world.running.close();
  rmSync(join(ROOT, ".tmp", `cli-outside-test-${process.pid}`), { recursive: true, force: true });
  rmSync(TMP, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const run = await runProcess(["node", NODE_CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
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

test("scrub of an s3:// location is in place: --output is refused, before the users file is read", async () => {
  const run = await cli([
    "scrub",
    "--users-file",
    join(TMP, "not-there.csv"),
    "--location",
    "s3://bucket/in.csv",
    "--output",
    join(TMP, "o.csv"),
  ]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain("s3://bucket/in.csv is scrubbed in place");
  expect(run.stderr).not.toContain("not-there");
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

// The emulator's S3, reached as users reach theirs: keys in the environment, --s3-endpoint-url.
const S3_ENV = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };
const s3cli = (args: string[]) => cli([...args, "--s3-endpoint-url", world.running.endpoint], S3_ENV);

test("scan of S3 locations: every version of a folder's objects, S3's prefix (folder_test/ too), a local file beside; nothing written", async () => {
  const B = await world.bucket(true);
  const v1 = await world.put(B, "data/interactions.csv", join_(CSV_ROWS));
  await world.put(B, "data/interactions.csv", join_(CSV_ROWS.slice(0, 3)));
  await world.put(B, "data_test/out.json.out", join_(JSONL_ROWS));
  const local = join(TMP, "beside.csv");
  writeFileSync(local, join_(CSV_ROWS));
  const before = await world.versions(B);
  const run = await s3cli([
    "scan",
    "--users-file",
    USERS,
    "--location",
    `s3://${B}/data/`,
    "--location",
    `s3://${B}/data`,
    "--location",
    local,
    "--json",
  ]);
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout);
  const [folder, prefix, file] = report.locations;
  expect(folder).toMatchObject({ state: "holds-users", rows: 8 + 2, matchingRows: 4 + 1 });
  expect(
    folder.objects.map((o: { noncurrent: boolean; matching: number }) => [o.noncurrent, o.matching]),
  ).toEqual([
    [false, 1],
    [true, 4],
  ]);
  expect(folder.objects[1].versionId).toBe(v1.VersionId);
  expect(prefix.objects.map((o: { key: string }) => o.key)).toEqual([
    "data/interactions.csv",
    "data/interactions.csv",
    "data_test/out.json.out",
  ]);
  expect(prefix.objects[2]).toMatchObject({ rows: 6, matching: 3 });
  expect(file).toMatchObject({ location: local, state: "holds-users", rows: 8, matchingRows: 4 });
  expect(report.holdsUsers).toBe(true);
  expect(await world.versions(B)).toEqual(before);
  const human = await s3cli(["scan", "--users-file", USERS, "--location", `s3://${B}/data/`]);
  expect(human.stdout).toContain("data/interactions.csv (noncurrent");
}, 60_000);

test("scrub of an S3 folder: in place, no erased user in any version, every other byte kept; a re-run has nothing to do", async () => {
  const B = await world.bucket(true);
  await world.put(B, "in/interactions.csv", join_(CSV_ROWS.slice(0, 4)), { ContentType: "text/csv" });
  await world.put(B, "in/interactions.csv", join_(CSV_ROWS), {
    ContentType: "text/csv",
    Metadata: { source: "crm" },
  });
  await world.put(B, "in/batch.jsonl", join_(JSONL_ROWS));
  const run = await s3cli(["scrub", "--users-file", USERS, "--location", `s3://${B}/in/`, "--json"]);
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout);
  expect(report).toMatchObject({ state: "scrubbed", objectsRewritten: 2, versionsDeleted: 3 });
  const after = await world.versions(B);
  expect(after.versions.length).toBe(2);
  // The versions left are the scrubbed ones ("erased-3x" and " erased-3" are other users: not a substring test).
  const expected: Record<string, Buffer> = {
    "in/interactions.csv": kept(CSV_ROWS),
    "in/batch.jsonl": kept(JSONL_ROWS),
  };
  for (const v of after.versions)
    expect(Buffer.from((await world.get(B, v.key, v.id)).bytes).equals(expected[v.key] as Buffer)).toBe(true);
  const csv = await world.get(B, "in/interactions.csv");
  expect(Buffer.from(csv.bytes)).toEqual(kept(CSV_ROWS));
  expect(csv.contentType).toBe("text/csv");
  expect(csv.meta).toEqual({ source: "crm" });
  expect(Buffer.from((await world.get(B, "in/batch.jsonl")).bytes)).toEqual(kept(JSONL_ROWS));
  const again = await s3cli(["scrub", "--users-file", USERS, "--location", `s3://${B}/in/`]);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain("nothing written");
  expect(await world.versions(B)).toEqual(after);
}, 60_000);

test("scrub of an S3 location with an object it cannot read exits 3, says why, and still scrubs the rest", async () => {
  const B = await world.bucket(false);
  await world.put(B, "mixed/no-header.csv", "ITEM_ID\ni1\n");
  await world.put(B, "mixed/ok.csv", join_(CSV_ROWS));
  const run = await s3cli(["scrub", "--users-file", USERS, "--location", `s3://${B}/mixed/`]);
  expect(run.code).toBe(3);
  expect(run.stdout).toContain("none is named USER_ID");
  expect(run.stdout).toContain("not done");
  expect(Buffer.from((await world.get(B, "mixed/ok.csv")).bytes)).toEqual(kept(CSV_ROWS));
}, 60_000);
