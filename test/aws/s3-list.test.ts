// The listings read keys as S3 writes them: entities named (`&amp;`) and numeric (`&#13;`) decoded, every
// page followed. The AWS SDK v3's own ListObjectsV2 and ListObjectVersions are the reference.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ListObjectsV2Command, ListObjectVersionsCommand } from "@aws-sdk/client-s3";
import { listObjects } from "../../src/aws/s3-list.ts";
import { listVersionEntries } from "../../src/aws/s3-versions.ts";
import { s3World } from "../outside/s3-emulator.ts";

let world: Awaited<ReturnType<typeof s3World>>;
beforeAll(async () => {
  world = await s3World();
});
afterAll(() => world.running.close());

const KEYS = [
  "in/a&b.csv",
  "in/<tag>.csv",
  `in/"quoted" 'single'.csv`,
  "in/line\rbreak.csv",
  "in/line\nfeed.csv",
  "in/plain.csv",
];

test("ListObjectsV2: keys with XML's special characters read as the SDK reads them, over pages", async () => {
  const bucket = await world.bucket(false);
  for (const key of KEYS) await world.put(bucket, key, "USER_ID\n");
  const sdk = await world.sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "in/" }));
  const ours = await listObjects(world.target(), bucket, "in/", undefined, 2);
  expect(ours.map((o) => o.key)).toEqual((sdk.Contents ?? []).map((o) => o.Key as string));
  expect(new Set(ours.map((o) => o.key))).toEqual(new Set(KEYS));
});

test("ListObjectVersions: the same keys, every version and marker, as the SDK lists them", async () => {
  const bucket = await world.bucket(true);
  for (const key of KEYS) {
    await world.put(bucket, key, "USER_ID\nu-1\n");
    await world.put(bucket, key, "USER_ID\n");
  }
  const sdk = await world.sdk.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: "in/" }));
  const ours = await listVersionEntries(world.target(), bucket, "in/");
  const row = (key?: string, versionId?: string, latest?: boolean, size?: number) =>
    `${key}|${versionId}|${latest}|${size}`;
  expect(ours.map((v) => row(v.key, v.versionId, v.latest, v.size))).toEqual(
    (sdk.Versions ?? []).map((v) => row(v.Key, v.VersionId, v.IsLatest, v.Size)),
  );
  expect(ours).toHaveLength(KEYS.length * 2);
});
