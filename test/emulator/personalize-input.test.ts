// What a deletion job reads from S3, on its own (the job itself is tested in state.test.ts; an import's
// source in import-source.test.ts).
import { describe, expect, test } from "bun:test";
import { readDeletionInput } from "../../src/emulator/personalize/input.ts";
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
