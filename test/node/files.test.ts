// The Node edge's file source: read in 1 MiB pieces into one reused buffer, so the result must equal preparing
// the same text whole, and the file must be open only while it is read, however the preparation ends.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CsvError, prepareDeletionCsv } from "../../src/index.ts";
import { fileSource } from "../../src/node/index.ts";

const dir = mkdtempSync(join(tmpdir(), "users-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// About 3.4 MB: several reads, lines cut at read boundaries, duplicates and a quoted row now and then.
const lines = ["USER_ID,SOURCE"];
for (let i = 0; i < 150_000; i++) {
  const id = `user-${(i % 140_000).toString().padStart(8, "0")}`;
  lines.push(i % 997 === 0 ? `"${id}","a, b"` : `${id},web`);
}
const text = `${lines.join("\n")}\n`;
const openFiles = () => readdirSync("/proc/self/fd").length;

test("a file read in pieces gives the same files as its text whole, with its size known", async () => {
  const path = join(dir, "users.csv");
  writeFileSync(path, text);
  const source = await fileSource(path);
  expect(source.size).toBe(Buffer.byteLength(text));
  const fromFile = await prepareDeletionCsv([source]);
  const whole = await prepareDeletionCsv(text);
  expect(fromFile.userCount).toBe(140_000);
  expect(fromFile.duplicateCount).toBe(10_000);
  expect(fromFile.files).toEqual(whole.files);
});

test.skipIf(process.platform !== "linux")(
  "the file is closed after a bad line stops the reading",
  async () => {
    const path = join(dir, "bad.csv");
    writeFileSync(path, `${text}a,b,c\n${text.slice(15)}`);
    const before = openFiles();
    const error = await prepareDeletionCsv([await fileSource(path)]).catch((e) => e);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).line).toBe(lines.length + 1);
    expect(openFiles()).toBe(before);
  },
);

test("a file that does not exist is an error before anything is read", async () => {
  await expect(fileSource(join(dir, "missing.csv"))).rejects.toThrow(/ENOENT/);
});

test.skipIf(process.platform !== "linux")(
  "several sources hold no file open until read, and one at a time while read; errors name the file",
  async () => {
    const paths = ["a.csv", "b.csv", "c.csv"].map((name, i) => {
      const path = join(dir, name);
      writeFileSync(path, i === 1 ? 'USER_ID\nuser-1\n"open quote\n' : `USER_ID\nuser-${i}\n`);
      return path;
    });
    const before = openFiles();
    const sources = [];
    for (const path of paths) sources.push(await fileSource(path));
    expect(openFiles()).toBe(before);
    const error = await prepareDeletionCsv(sources).catch((e) => e);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).file).toBe("b.csv");
    expect(openFiles()).toBe(before);
  },
);
