// A location to the objects it names, against the emulator judged with the AWS SDK: a key exactly, a
// folder, S3's prefix (`folder` takes `folder_test/` too), every version of each key on a versioned bucket
// (noncurrent ones included, delete markers left out), and a listing over several pages.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { expandLocation } from "../../src/outside/expand.ts";
import { type S3World, s3World } from "./s3-emulator.ts";

let world: S3World;
beforeAll(async () => {
  world = await s3World();
});
afterAll(() => world.running.close());

const keys = (objects: { key: string }[]) => objects.map((o) => o.key);

test("a folder is every object under it; a prefix without / is S3's (folder_test/ too); an existing key is that key alone", async () => {
  const B = await world.bucket(false);
  for (const key of [
    "folder/a.csv",
    "folder/sub/b.csv",
    "folder_test/c.csv",
    "folderx.csv",
    "data.csv",
    "data.csv.bak",
  ])
    await world.put(B, key, "USER_ID\nu\n");
  const target = world.target();
  expect(keys(await expandLocation(target, B, "folder/"))).toEqual(["folder/a.csv", "folder/sub/b.csv"]);
  expect(keys(await expandLocation(target, B, "folder"))).toEqual([
    "folder/a.csv",
    "folder/sub/b.csv",
    "folder_test/c.csv",
    "folderx.csv",
  ]);
  expect(keys(await expandLocation(target, B, "data.csv"))).toEqual(["data.csv"]);
  expect(keys(await expandLocation(target, B, "data.cs"))).toEqual(["data.csv", "data.csv.bak"]);
  expect(keys(await expandLocation(target, B, "nothing/"))).toEqual([]);
  const [one] = await expandLocation(target, B, "data.csv");
  expect(one?.versions).toEqual([
    { key: "data.csv", versionId: "null", noncurrent: false, size: 10, etag: expect.stringMatching(/^"/) },
  ]);
});

test("a versioned bucket: every version, current first; under a delete marker all are noncurrent; a key of markers only is no object", async () => {
  const B = await world.bucket(true);
  const v1 = await world.put(B, "k.csv", "USER_ID\n1\n");
  const v2 = await world.put(B, "k.csv", "USER_ID\n22\n");
  const v3 = await world.put(B, "k.csv", "USER_ID\n333\n");
  const g1 = await world.put(B, "gone.csv", "USER_ID\nx\n");
  await world.sdk.send(new DeleteObjectCommand({ Bucket: B, Key: "gone.csv" }));
  await world.put(B, "only-marker.csv", "x");
  const listedBefore = await world.versions(B, "only-marker.csv");
  await world.sdk.send(
    new DeleteObjectCommand({ Bucket: B, Key: "only-marker.csv", VersionId: listedBefore.versions[0]?.id }),
  );
  await world.sdk.send(new DeleteObjectCommand({ Bucket: B, Key: "only-marker.csv" }));
  const objects = await expandLocation(world.target(), B, "");
  expect(keys(objects)).toEqual(["gone.csv", "k.csv"]);
  const k = objects.find((o) => o.key === "k.csv");
  expect(k?.versions.map((v) => [v.versionId, v.noncurrent, v.size])).toEqual([
    [v3.VersionId as string, false, 12],
    [v2.VersionId as string, true, 11],
    [v1.VersionId as string, true, 10],
  ]);
  const gone = objects.find((o) => o.key === "gone.csv");
  expect(gone?.versions.map((v) => [v.versionId, v.noncurrent])).toEqual([[g1.VersionId as string, true]]);
});

test("a listing over several pages (more than 1,000 versions) misses none", async () => {
  const B = await world.bucket(true);
  const wanted: string[] = [];
  for (let batch = 0; batch < 11; batch++) {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const key = `many/${String(batch * 100 + i).padStart(4, "0")}.csv`;
        wanted.push(key);
        return world.put(B, key, "USER_ID\n");
      }),
    );
  }
  await world.put(B, "many/0000.csv", "USER_ID\nagain\n");
  const objects = await expandLocation(world.target(), B, "many/");
  expect(keys(objects)).toEqual(wanted.sort());
  expect(objects[0]?.versions.length).toBe(2);
  expect(objects.reduce((n, o) => n + o.versions.length, 0)).toBe(1101);
}, 60_000);
