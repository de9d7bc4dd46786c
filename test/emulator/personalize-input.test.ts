// What the emulated Personalize reads from S3, on its own: an import's rows from a file or a folder, and
// why it cannot read them (a deletion job's reading is tested through the job in state.test.ts).
import { describe, expect, test } from "bun:test";
import { readDeletionInput, readImportRows } from "../../src/emulator/personalize/input.ts";
import type { ObjectSource } from "../../src/emulator/state-types.ts";

function source(files: Record<string, string>): ObjectSource {
  const objects = new Map(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)]));
  return {
    async list(bucket, prefix) {
      return bucket === "b" ? [...objects.keys()].filter((k) => k.startsWith(prefix)).sort() : undefined;
    },
    async get(bucket, key) {
      return bucket === "b" ? objects.get(key) : undefined;
    },
  };
}

const HEADER = "USER_ID,ITEM_ID,TIMESTAMP\n";

describe("readImportRows", () => {
  test("a file's rows, ids as written", async () => {
    const rows = await readImportRows(source({ "in/a.csv": `${HEADER}" u1",i1,5\n` }), "s3://b/in/a.csv");
    expect(rows).toEqual([{ userId: " u1", itemId: "i1", timestamp: 5 }]);
  });

  test("a folder: every file under it, in key order", async () => {
    const files = {
      "in/2.csv": `${HEADER}u2,i,2\n`,
      "in/1.csv": `${HEADER}u1,i,1\n`,
      "other.csv": `${HEADER}x,i,9\n`,
    };
    const rows = await readImportRows(source(files), "s3://b/in/");
    expect(rows).toEqual([
      { userId: "u1", itemId: "i", timestamp: 1 },
      { userId: "u2", itemId: "i", timestamp: 2 },
    ]);
  });

  test.each([
    ["a location that is not s3://bucket/key", "b/in/a.csv", "Invalid S3 location: b/in/a.csv"],
    ["a file that is not there", "s3://b/in/none.csv", "Input file not found at s3://b/in/none.csv"],
    ["a bucket that cannot be read", "s3://nope/in/", "S3 bucket nope does not exist or is not accessible."],
    [
      "a row whose timestamp is not a number",
      "s3://b/bad.csv",
      "s3://b/bad.csv: seed file, row 2: USER_ID, ITEM_ID and a numeric TIMESTAMP are required",
    ],
  ])("%s fails with the reason", async (_label, location, reason) => {
    const files = { "in/a.csv": `${HEADER}u1,i1,5\n`, "bad.csv": `${HEADER}u1,i1,soon\n` };
    expect(await readImportRows(source(files), location)).toEqual({ failureReason: reason });
  });
});

describe("readDeletionInput", () => {
  test("the ids of every file in a folder, exactly as written", async () => {
    const files = { "del/1.csv": 'USER_ID\nu1\n" u2"\n', "del/2.csv": "USER_ID\nu3\n" };
    const read = await readDeletionInput(source(files), "s3://b/del/", 1024);
    expect(read).toEqual({ userIds: new Set(["u1", " u2", "u3"]) });
  });

  test("an empty folder is a file not found, naming the permissions to check", async () => {
    const read = await readDeletionInput(source({}), "s3://b/del/", 1024);
    expect("failureReason" in read && read.failureReason).toContain("s3:GetObject and s3:ListBucket");
  });
});
