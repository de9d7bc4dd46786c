// The import guard against the emulator: a source holding suppressed users fails it (objects and counts,
// no id), a scrub makes it pass and leaves every other byte, an unreadable object fails it. What is in S3
// afterwards is read back with the AWS SDK.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ValidationError } from "../../src/errors.ts";
import { guardImport } from "../../src/outside/guard.ts";
import { appendSuppression, SuppressionList } from "../../src/outside/suppression.ts";
import { text } from "./chunks.ts";
import { type S3World, s3World } from "./s3-emulator.ts";

const KEY = new Uint8Array(32).map((_, i) => i * 7 + 1);
const ERASED = ["user-2", "usér-4"];
const dirty = 'USER_ID,ITEM_ID,TIMESTAMP\r\nuser-1,a,1\r\nuser-2,b,2\r\n"usér-4",c,3\r\nuser-22,d,4\r\n';
const dirtyScrubbed = "USER_ID,ITEM_ID,TIMESTAMP\r\nuser-1,a,1\r\nuser-22,d,4\r\n";
const clean = "USER_ID,ITEM_ID,TIMESTAMP\nuser-1,a,1\nuser-3,b,2\n";

describe("guardImport", () => {
  let world: S3World;
  let bucket: string;
  let suppression: SuppressionList;
  beforeAll(async () => {
    world = await s3World();
    bucket = await world.bucket(true);
    await appendSuppression(world.target(), `s3://${bucket}/suppression/`, ERASED, KEY);
    suppression = await SuppressionList.load(world.target(), `s3://${bucket}/suppression/`, KEY);
  });
  afterAll(() => world.running.close());

  test("a source holding suppressed users fails, naming the object and the count, and is left as it was", async () => {
    await world.put(bucket, "imp1/part-1.csv", dirty);
    await world.put(bucket, "imp1/part-2.csv", clean);
    // An import reads a folder's .csv files only: another file there is not imported, so not read.
    await world.put(bucket, "imp1/_manifest.json", '{"files": 2}');
    const report = await guardImport({ s3: world.target(), source: `s3://${bucket}/imp1/`, suppression });
    expect(report.ok).toBe(false);
    expect(report.state).toBe("holds-users");
    expect(report.suppressedRows).toBe(2);
    expect(report.failing.map((o) => [o.key, o.rows, o.matching])).toEqual([["imp1/part-1.csv", 4, 2]]);
    expect(report.objects.find((o) => o.key === "imp1/part-2.csv")?.state).toBe("clean");
    expect(report.objects.map((o) => o.key)).not.toContain("imp1/_manifest.json");
    const json = JSON.stringify(report);
    for (const id of ERASED) expect(json).not.toContain(id);
    expect(text((await world.get(bucket, "imp1/part-1.csv")).bytes)).toBe(dirty);
  });

  test("with scrub, the rows go, every other byte stays, and the source then passes as clean", async () => {
    await world.put(bucket, "imp2/data.csv", dirty, { ContentType: "text/csv", Metadata: { origin: "dwh" } });
    const scrubbed = await guardImport({
      s3: world.target(),
      source: `s3://${bucket}/imp2/data.csv`,
      suppression,
      scrub: true,
    });
    expect(scrubbed.ok).toBe(true);
    expect(scrubbed.suppressedRows).toBe(0);
    const current = scrubbed.objects.filter((o) => !o.noncurrent);
    expect(current.map((o) => [o.state, o.matching])).toEqual([["scrubbed", 2]]);
    const after = await world.get(bucket, "imp2/data.csv");
    expect(text(after.bytes)).toBe(dirtyScrubbed);
    expect(after.contentType).toBe("text/csv");
    expect(after.meta).toEqual({ origin: "dwh" });
    // The version that held them is gone too: only the scrubbed one is left.
    expect((await world.versions(bucket, "imp2/")).versions.map((v) => v.latest)).toEqual([true]);
    const again = await guardImport({
      s3: world.target(),
      source: `s3://${bucket}/imp2/data.csv`,
      suppression,
    });
    expect(again.ok).toBe(true);
    expect(again.state).toBe("clean");
  });

  test("a clean source passes", async () => {
    await world.put(bucket, "imp3/only.csv", clean);
    const report = await guardImport({
      s3: world.target(),
      source: `s3://${bucket}/imp3/only.csv`,
      suppression,
    });
    expect(report.ok).toBe(true);
    expect(report.objects.map((o) => [o.key, o.rows, o.matching])).toEqual([["imp3/only.csv", 2, 0]]);
  });

  test("an object that cannot be read fails the guard: it is not known to be clean", async () => {
    await world.put(bucket, "imp4/no-header.csv", "ITEM_ID,TIMESTAMP\na,1\n");
    const report = await guardImport({ s3: world.target(), source: `s3://${bucket}/imp4/`, suppression });
    expect(report.ok).toBe(false);
    expect(report.failing.map((o) => o.state)).toEqual(["unreadable"]);
    expect(report.failing[0]?.reason).toContain("USER_ID");
    expect(report.suppressedRows).toBe(0);
  });

  test("an older version holding users is reported, but the import reads the current one: it passes", async () => {
    await world.put(bucket, "imp5/data.csv", dirty);
    await world.put(bucket, "imp5/data.csv", clean);
    const report = await guardImport({
      s3: world.target(),
      source: `s3://${bucket}/imp5/data.csv`,
      suppression,
    });
    expect(report.ok).toBe(true);
    expect(report.objects.map((o) => [o.noncurrent, o.state])).toEqual([
      [false, "clean"],
      [true, "holds-users"],
    ]);
  });

  test("a source that cannot be listed fails; a source that is not s3:// is refused naming `source`", async () => {
    const missing = await guardImport({
      s3: world.target(),
      source: "s3://no-such-bucket-x/imp/",
      suppression,
    });
    expect(missing.ok).toBe(false);
    expect(missing.reason).toContain("NoSuchBucket");
    await expect(
      guardImport({ s3: world.target(), source: "/tmp/x.csv", suppression }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(guardImport({ s3: world.target(), source: "/tmp/x.csv", suppression })).rejects.toThrow(
      "source: must look like s3://",
    );
  });
});
