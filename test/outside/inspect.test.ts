// inspectLocation against the emulator, judged with the AWS SDK: a scan writes nothing; a scrub leaves no
// erased user in any version and every other byte as it was (the expected bytes are cut apart here, line by
// line, not by the engine), Content-Type and metadata kept; a write that races another writer never
// clobbers it; a failed multipart rewrite leaves the original and no upload; a re-run is clean; what cannot
// be read is reported with why; and no report holds an id.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { IdSet } from "../../src/outside/ids.ts";
import { inspectLocation } from "../../src/outside/inspect.ts";
import type { LocationReport, ObjectReport } from "../../src/outside/types.ts";
import { type S3World, s3ErrorResponse, s3World } from "./s3-emulator.ts";

const MiB = 1024 * 1024;
const ERASED = ["erased-ü-1", "erased-2"];
const users = IdSet.of(ERASED);
let world: S3World;
beforeAll(async () => {
  world = await s3World();
});
afterAll(() => world.running.close());

const enc = (text: string) => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
// The kept lines of a CSV whose USER_ID is the first column, unquoted: computed apart from the engine.
const keptCsv = (text: string) =>
  text
    .split(/(?<=\n)/)
    .filter((line, i) => i === 0 || !ERASED.includes(line.slice(0, line.indexOf(","))))
    .join("");
const holdsNone = (text: string) => ERASED.every((id) => !text.includes(id));
const noIds = (report: LocationReport) => {
  expect(holdsNone(JSON.stringify(report))).toBe(true);
  return report;
};
const byKey = (report: LocationReport, key: string) => report.objects.filter((o) => o.key === key);

const CSV_V1 = "USER_ID,ITEM_ID,TIMESTAMP\r\nerased-2,i0,1\r\nkept-1,i1,2\r\n";
const CSV_V2 =
  'USER_ID,ITEM_ID,TIMESTAMP\r\nkept-1,i1,2\r\nerased-ü-1,i2,3\r\n"kept-2","i, with comma",4\r\nerased-2,i3,5\r\nkept-3,i4,6';
const INFERENCE =
  '{"input":{"userId":"kept-1"},"output":{"recommendedItems":["a"],"scores":[0.5]},"error":null}\n' +
  '{"input":{"userId":"erased-2"},"output":{"recommendedItems":["b"],"scores":[0.4]},"error":null}\n';
const SEGMENT =
  '{"input":{"itemId":"i1"},"output":{"recommendedUsers":["kept-1","erased-2","erased-ü-1"]},"error":null}\n' +
  '{"input":{"itemId":"i2"},"output":{"recommendedUsers":["kept-2"]},"error":null}\n';
const META = { ContentType: "text/csv", Metadata: { team: "ml", source: "crm export" } };

async function seed() {
  const B = await world.bucket(true);
  const v1 = await world.put(B, "data/interactions.csv", CSV_V1, META);
  const v2 = await world.put(B, "data/interactions.csv", CSV_V2, META);
  const clean = await world.put(B, "data/clean.csv", "USER_ID,ITEM_ID\nkept-1,i\n");
  await world.put(B, "data/batch/out.json.out", INFERENCE, { ContentType: "application/json" });
  await world.put(B, "data/segment/out.jsonl", SEGMENT);
  return { B, v1: v1.VersionId as string, v2: v2.VersionId as string, clean: clean.VersionId as string };
}

test("a scan counts every version's rows and matching rows, and writes nothing", async () => {
  const { B, v1, v2 } = await seed();
  const before = await world.versions(B);
  const seen: ObjectReport[] = [];
  const report = noIds(
    await inspectLocation(world.target(), { kind: "given", location: `s3://${B}/data/` }, users, {
      onObject: (o) => seen.push(o),
    }),
  );
  expect(report.state).toBe("holds-users");
  expect(seen).toEqual(report.objects);
  expect(byKey(report, "data/interactions.csv")).toEqual([
    {
      key: "data/interactions.csv",
      versionId: v2,
      noncurrent: false,
      bytes: enc(CSV_V2).length,
      rows: 5,
      matching: 2,
      state: "holds-users",
    },
    {
      key: "data/interactions.csv",
      versionId: v1,
      noncurrent: true,
      bytes: enc(CSV_V1).length,
      rows: 2,
      matching: 1,
      state: "holds-users",
    },
  ]);
  expect(byKey(report, "data/clean.csv")[0]).toMatchObject({ rows: 1, matching: 0, state: "clean" });
  expect(byKey(report, "data/batch/out.json.out")[0]).toMatchObject({ rows: 2, matching: 1 });
  expect(byKey(report, "data/segment/out.jsonl")[0]).toMatchObject({
    rows: 2,
    matching: 1,
    matchingEntries: 2,
  });
  expect(await world.versions(B)).toEqual(before);
});

test("a scrub leaves no erased user in any version, every other byte, the type and metadata kept; a re-run is clean", async () => {
  const { B, v1, v2, clean } = await seed();
  const report = noIds(
    await inspectLocation(world.target(), { kind: "given", location: `s3://${B}/data/` }, users, {
      scrub: true,
    }),
  );
  expect(report.state).toBe("scrubbed");
  const after = await world.versions(B);
  // Every version left, read back through the SDK, holds none of them.
  for (const v of after.versions) expect(holdsNone(dec((await world.get(B, v.key, v.id)).bytes))).toBe(true);
  const interactions = after.versions.filter((v) => v.key === "data/interactions.csv");
  expect(interactions.length).toBe(1);
  const now = await world.get(B, "data/interactions.csv");
  expect(dec(now.bytes)).toBe(keptCsv(CSV_V2));
  expect(dec(now.bytes)).toBe(
    'USER_ID,ITEM_ID,TIMESTAMP\r\nkept-1,i1,2\r\n"kept-2","i, with comma",4\r\nkept-3,i4,6',
  );
  expect(now.contentType).toBe(META.ContentType);
  expect(now.meta).toEqual(META.Metadata);
  const [current, older] = byKey(report, "data/interactions.csv");
  expect(current).toMatchObject({
    versionId: v2,
    state: "scrubbed",
    matching: 2,
    scrubbedVersionId: now.versionId,
    versionsDeleted: [v2],
  });
  expect(older).toMatchObject({ versionId: v1, noncurrent: true, state: "scrubbed", versionsDeleted: [v1] });
  // The clean object was not rewritten: its one version is the one put.
  expect(after.versions.filter((v) => v.key === "data/clean.csv").map((v) => v.id)).toEqual([clean]);
  expect(dec((await world.get(B, "data/batch/out.json.out")).bytes)).toBe(`${INFERENCE.split("\n")[0]}\n`);
  expect((await world.get(B, "data/batch/out.json.out")).contentType).toBe("application/json");
  expect(
    JSON.parse(dec((await world.get(B, "data/segment/out.jsonl")).bytes).split("\n")[0] as string).output
      .recommendedUsers,
  ).toEqual(["kept-1"]);

  const again = noIds(
    await inspectLocation(world.target(), { kind: "given", location: `s3://${B}/data/` }, users, {
      scrub: true,
    }),
  );
  expect(again.state).toBe("clean");
  expect(again.objects.every((o) => o.state === "clean" && o.matching === 0)).toBe(true);
  expect(await world.versions(B)).toEqual(after);
});

test("an unversioned bucket: the scrub replaces the object, nothing to delete", async () => {
  const B = await world.bucket(false);
  await world.put(B, "one.csv", CSV_V2, META);
  const report = noIds(
    await inspectLocation(world.target(), { kind: "given", location: `s3://${B}/one.csv` }, users, {
      scrub: true,
    }),
  );
  expect(report.objects).toEqual([
    { key: "one.csv", noncurrent: false, bytes: enc(CSV_V2).length, rows: 5, matching: 2, state: "scrubbed" },
  ]);
  expect(dec((await world.get(B, "one.csv")).bytes)).toBe(keptCsv(CSV_V2));
});

test("someone writing between the read and the write is not clobbered: the scrub starts over from their version", async () => {
  const B = await world.bucket(true);
  const first = await world.put(B, "race.csv", CSV_V2, META);
  const THEIRS = "USER_ID,ITEM_ID,TIMESTAMP\r\ntheirs-1,new,9\r\nerased-2,new,10\r\ntheirs-2,new,11\r\n";
  let raced = false;
  const target = world.target(async (url, init, send) => {
    if (init.method === "PUT" && new Headers(init.headers).has("if-match") && !raced) {
      raced = true;
      await world.put(B, "race.csv", THEIRS, META);
    }
    return send(url, init);
  });
  const report = noIds(
    await inspectLocation(target, { kind: "given", location: `s3://${B}/race.csv` }, users, { scrub: true }),
  );
  expect(raced).toBe(true);
  const now = await world.get(B, "race.csv");
  // Their rows survive (without the erased one); nothing of the version read first came back.
  expect(dec(now.bytes)).toBe(keptCsv(THEIRS));
  const [object] = report.objects;
  expect(object?.state).toBe("scrubbed");
  expect(object?.versionId).not.toBe(first.VersionId);
  expect(object?.versionsDeleted).toContain(first.VersionId as string);
  const left = await world.versions(B);
  expect(left.versions.map((v) => v.id)).toEqual([now.versionId as string]);
});

test("an object rewritten by someone else at every try is reported holds-users with why; their bytes survive", async () => {
  const B = await world.bucket(false);
  await world.put(B, "busy.csv", CSV_V2);
  let writes = 0;
  const target = world.target(async (url, init, send) => {
    if (init.method === "PUT" && new Headers(init.headers).has("if-match"))
      await world.put(B, "busy.csv", `USER_ID\nerased-2\ntheirs-${++writes}\n`);
    return send(url, init);
  });
  const report = noIds(
    await inspectLocation(target, { kind: "given", location: `s3://${B}/busy.csv` }, users, { scrub: true }),
  );
  expect(writes).toBe(3);
  expect(report.state).toBe("holds-users");
  expect(report.objects[0]?.reason).toContain("changed while being scrubbed");
  expect(dec((await world.get(B, "busy.csv")).bytes)).toBe("USER_ID\nerased-2\ntheirs-3\n");
});

test("a multipart rewrite failing at its 2nd part leaves the original and no upload; the object still holds users, with why", async () => {
  const B = await world.bucket(true);
  const lines = ["USER_ID,ITEM_ID\n"];
  for (let i = 0; lines.length < 400_000; i++)
    lines.push(`${i % 1000 === 0 ? "erased-2" : `kept-${i}`},item-${i}\n`);
  const original = lines.join("");
  expect(original.length).toBeGreaterThan(6 * MiB);
  const put = await world.put(B, "big.csv", original);
  const target = world.target((url, init, send) =>
    new URL(url).searchParams.get("partNumber") === "2"
      ? Promise.resolve(s3ErrorResponse(403, "AccessDenied", "Access Denied"))
      : send(url, init),
  );
  const report = noIds(
    await inspectLocation(target, { kind: "given", location: `s3://${B}/big.csv` }, users, {
      scrub: true,
      partBytes: 5 * MiB,
    }),
  );
  expect(report.state).toBe("holds-users");
  expect(report.objects[0]).toMatchObject({ state: "holds-users", matching: 400 });
  expect(report.objects[0]?.reason).toContain("s3:PutObject");
  expect(await world.uploads(B)).toBe(0);
  const now = await world.get(B, "big.csv");
  expect(now.versionId).toBe(put.VersionId as string);
  expect(dec(now.bytes) === original).toBe(true);
  // Without the failure, the same scrub goes through in parts.
  const done = noIds(
    await inspectLocation(world.target(), { kind: "given", location: `s3://${B}/big.csv` }, users, {
      scrub: true,
      partBytes: 5 * MiB,
    }),
  );
  expect(done.state).toBe("scrubbed");
  expect(dec((await world.get(B, "big.csv")).bytes) === keptCsv(original)).toBe(true);
  expect((await world.versions(B)).versions.length).toBe(1);
}, 60_000);

test("what cannot be read is unreadable with why (no USER_ID header, unknown format, AccessDenied, KMS); the rest is still read", async () => {
  const B = await world.bucket(false);
  await world.put(B, "in/no-header.csv", "ITEM_ID,TIMESTAMP\ni,1\n");
  await world.put(B, "in/notes.txt", "USER_ID\nerased-2\n");
  await world.put(B, "in/secret.csv", CSV_V2);
  await world.put(B, "in/sealed.csv", CSV_V2);
  await world.put(B, "in/fine.csv", CSV_V2);
  const target = world.target((url, init, send) => {
    if (init.method === "GET" && url.includes("secret.csv"))
      return Promise.resolve(s3ErrorResponse(403, "AccessDenied", "Access Denied"));
    if (init.method === "GET" && url.includes("sealed.csv"))
      return Promise.resolve(
        s3ErrorResponse(
          403,
          "AccessDenied",
          "User is not authorized to perform: kms:Decrypt on the resource",
        ),
      );
    return send(url, init);
  });
  for (const scrub of [false, true]) {
    const report = noIds(
      await inspectLocation(target, { kind: "given", location: `s3://${B}/in/` }, users, { scrub }),
    );
    expect(report.state).toBe("unreadable");
    const why = Object.fromEntries(report.objects.map((o) => [o.key, [o.state, o.reason]]));
    expect(why["in/no-header.csv"]?.[0]).toBe("unreadable");
    expect(why["in/no-header.csv"]?.[1]).toContain("USER_ID");
    expect(why["in/notes.txt"]).toEqual(["unreadable", expect.stringContaining("unknown format")]);
    expect(why["in/secret.csv"]).toEqual(["unreadable", expect.stringContaining("AccessDenied")]);
    expect(why["in/secret.csv"]?.[1]).toContain("s3:GetObject");
    expect(why["in/sealed.csv"]).toEqual(["unreadable", expect.stringContaining("kms:Decrypt")]);
    expect(why["in/fine.csv"]?.[0]).toBe(scrub ? "scrubbed" : "holds-users");
  }
  // A CSV read with a given format, whatever its name.
  const asCsv = await inspectLocation(
    world.target(),
    { kind: "given", location: `s3://${B}/in/notes.txt`, format: "csv" },
    users,
  );
  expect(asCsv.objects[0]).toMatchObject({ state: "holds-users", matching: 1 });
});

test("a listing refused makes the location unreadable with why; a prefix without / is S3's (folder_test/ too)", async () => {
  const B = await world.bucket(false);
  await world.put(B, "folder/a.csv", "USER_ID\nerased-2\n");
  await world.put(B, "folder_test/b.csv", "USER_ID\nerased-ü-1\n");
  const refused = world.target((url, init, send) =>
    new URL(url).searchParams.has("versions")
      ? Promise.resolve(s3ErrorResponse(403, "AccessDenied"))
      : send(url, init),
  );
  const denied = await inspectLocation(refused, { kind: "given", location: `s3://${B}/folder/` }, users);
  expect(denied).toMatchObject({ state: "unreadable", objects: [] });
  expect(denied.reason).toContain("s3:ListBucketVersions");
  const folder = await inspectLocation(
    world.target(),
    { kind: "given", location: `s3://${B}/folder/` },
    users,
  );
  expect(folder.objects.map((o) => o.key)).toEqual(["folder/a.csv"]);
  const prefix = await inspectLocation(
    world.target(),
    { kind: "given", location: `s3://${B}/folder` },
    users,
  );
  expect(prefix.objects.map((o) => [o.key, o.matching])).toEqual([
    ["folder/a.csv", 1],
    ["folder_test/b.csv", 1],
  ]);
  const bad = await inspectLocation(world.target(), { kind: "given", location: "/tmp/local.csv" }, users);
  expect(bad.state).toBe("unreadable");
  expect(bad.reason).toContain("not an S3 location");
});

test("a cancelled scrub stops with AbortError, leaves no upload behind and the object as it was", async () => {
  const B = await world.bucket(false);
  const lines = ["USER_ID\n"];
  for (let i = 0; lines.length < 1_200_000; i++) lines.push(i % 100 === 0 ? "erased-2\n" : `kept-${i}\n`);
  const original = lines.join("");
  await world.put(B, "cancel.csv", original);
  const controller = new AbortController();
  let parts = 0;
  const target = world.target((url, init, send) => {
    // Cancelled once the first part is sent: the rewrite is under way, in a multipart upload.
    if (new URL(url).searchParams.has("partNumber") && ++parts === 1) controller.abort(new Error("stop"));
    return send(url, init);
  });
  const error = await inspectLocation(target, { kind: "given", location: `s3://${B}/cancel.csv` }, users, {
    scrub: true,
    partBytes: 5 * MiB,
    signal: controller.signal,
  }).catch((e: unknown) => e);
  expect((error as Error).name).toBe("AbortError");
  expect(parts).toBeGreaterThan(0);
  expect(await world.uploads(B)).toBe(0);
  expect(dec((await world.get(B, "cancel.csv")).bytes) === original).toBe(true);
}, 60_000);

test("a scrub keeps the object's properties (Cache-Control, Content-Disposition, Content-Language, Expires) and refuses a stored Content-Encoding it could not keep", async () => {
  const B = await world.bucket(false);
  const expires = new Date("2030-01-01T00:00:00.000Z");
  await world.put(B, "kept.csv", CSV_V2, {
    CacheControl: "max-age=60",
    ContentDisposition: "attachment",
    ContentLanguage: "de",
    Expires: expires,
  });
  const report = await inspectLocation(
    world.target(),
    { kind: "given", location: `s3://${B}/kept.csv` },
    users,
    {
      scrub: true,
    },
  );
  expect(report.state).toBe("scrubbed");
  const got = await world.sdk.send(new GetObjectCommand({ Bucket: B, Key: "kept.csv" }));
  expect([got.CacheControl, got.ContentDisposition, got.ContentLanguage, got.Expires?.toISOString()]).toEqual(
    ["max-age=60", "attachment", "de", expires.toISOString()],
  );
  expect(await got.Body?.transformToString()).toBe(keptCsv(CSV_V2));

  const gzipped = gzipSync(enc(CSV_V2));
  await world.put(B, "zipped.csv", gzipped, { ContentEncoding: "gzip" });
  const zipped = await inspectLocation(
    world.target(),
    { kind: "given", location: `s3://${B}/zipped.csv` },
    users,
    {
      scrub: true,
    },
  );
  expect(zipped.state).toBe("holds-users");
  expect(zipped.objects[0]?.reason).toContain("stored gzip-encoded");
  const after = await world.sdk.send(new GetObjectCommand({ Bucket: B, Key: "zipped.csv" }));
  expect(after.ContentEncoding).toBe("gzip");
  expect(
    Buffer.from(await (after.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
  ).toEqual(Buffer.from(gzipped));
});
