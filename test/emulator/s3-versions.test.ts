// The emulator's S3 versioning against S3's documented behaviour, through the AWS SDK v3 client: the "null"
// version, Suspended versioning, stacked delete markers, ListObjectVersions paging, multi-object delete,
// the version ids PUT and CompleteMultipartUpload return, and a --data-dir that keeps no unreferenced body.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { AwsV4Signer } from "aws4fetch";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
let running: RunningEmulator;
let n = 0;
const client = (endpoint = running.endpoint) =>
  new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: creds, maxAttempts: 1 });

async function bucket(status?: "Enabled" | "Suspended", c = client()): Promise<string> {
  const name = `versions-${++n}`;
  await c.send(new CreateBucketCommand({ Bucket: name }));
  if (status)
    await c.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: status } }),
    );
  return name;
}
const put = (Bucket: string, Key: string, Body: string, c = client()) =>
  c.send(new PutObjectCommand({ Bucket, Key, Body }));
const text = async (Bucket: string, Key: string, VersionId?: string) =>
  (await client().send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body?.transformToString();
async function versionsOf(Bucket: string) {
  const out = await client().send(new ListObjectVersionsCommand({ Bucket }));
  const all = [
    ...(out.Versions ?? []).map((v) => ({ key: v.Key, id: v.VersionId, latest: v.IsLatest, marker: false })),
    ...(out.DeleteMarkers ?? []).map((v) => ({
      key: v.Key,
      id: v.VersionId,
      latest: v.IsLatest,
      marker: true,
    })),
  ];
  return all;
}

beforeAll(async () => {
  running = await startEmulator({ port: 0, jobSeconds: 0, ...creds });
});
afterAll(() => running.close());

describe("the null version and Suspended versioning", () => {
  test("an object written before versioning is the version 'null': kept by later PUTs, removed by versionId=null", async () => {
    const b = await bucket();
    const before = await put(b, "k", "before");
    expect(before.VersionId).toBeUndefined();
    await client().send(
      new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Enabled" } }),
    );
    const one = await put(b, "k", "one");
    expect(one.VersionId).toMatch(/^[0-9a-f]{32}$/);
    expect(await text(b, "k", "null")).toBe("before");
    const head = await client().send(new HeadObjectCommand({ Bucket: b, Key: "k" }));
    expect(head.VersionId).toBe(one.VersionId);
    const gone = await client().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: "null" }));
    expect([gone.VersionId, gone.DeleteMarker]).toEqual(["null", undefined]);
    expect((await versionsOf(b)).map((v) => v.id)).toEqual([one.VersionId]);
    expect(await text(b, "k")).toBe("one");
  });

  test("Suspended: a PUT overwrites the null version in place (no x-amz-version-id), the Enabled versions stay", async () => {
    const b = await bucket("Enabled");
    const kept = await put(b, "k", "kept");
    await client().send(
      new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Suspended" } }),
    );
    const first = await put(b, "k", "first null");
    const second = await put(b, "k", "second null");
    expect([first.VersionId, second.VersionId]).toEqual([undefined, undefined]);
    expect(await versionsOf(b)).toEqual([
      { key: "k", id: "null", latest: true, marker: false },
      { key: "k", id: kept.VersionId, latest: false, marker: false },
    ]);
    expect(await text(b, "k", "null")).toBe("second null");
    const head = await client().send(new HeadObjectCommand({ Bucket: b, Key: "k" }));
    expect(head.VersionId).toBe("null");
  });

  test("Suspended: a DELETE replaces the null version with a null delete marker; deleting that marker brings back the older version", async () => {
    const b = await bucket("Enabled");
    const kept = await put(b, "k", "kept");
    await client().send(
      new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Suspended" } }),
    );
    await put(b, "k", "null body");
    const marker = await client().send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
    expect([marker.DeleteMarker, marker.VersionId]).toEqual([true, "null"]);
    expect(await versionsOf(b)).toEqual([
      { key: "k", id: kept.VersionId, latest: false, marker: false },
      { key: "k", id: "null", latest: true, marker: true },
    ]);
    const hidden = await client()
      .send(new GetObjectCommand({ Bucket: b, Key: "k" }))
      .catch((e) => e);
    expect(hidden.name).toBe("NoSuchKey");
    await client().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: "null" }));
    expect(await text(b, "k")).toBe("kept");
  });

  test("stacked delete markers: each DELETE adds one; removing the top one leaves the key deleted, removing all restores it", async () => {
    const b = await bucket("Enabled");
    await put(b, "k", "body");
    const m1 = await client().send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
    const m2 = await client().send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
    expect(m1.VersionId).not.toBe(m2.VersionId);
    const byId = await client()
      .send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: m2.VersionId }))
      .catch((e) => e);
    expect(byId.$metadata.httpStatusCode).toBe(405);
    await client().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: m2.VersionId }));
    expect(
      (
        await client()
          .send(new GetObjectCommand({ Bucket: b, Key: "k" }))
          .catch((e) => e)
      ).name,
    ).toBe("NoSuchKey");
    await client().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: m1.VersionId }));
    expect(await text(b, "k")).toBe("body");
  });

  test("a version id S3 could not have issued is 400 InvalidArgument; an unknown one is NoSuchVersion", async () => {
    const b = await bucket("Enabled");
    await put(b, "k", "x");
    const bad = await client()
      .send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: "not-an-id" }))
      .catch((e) => e);
    expect([bad.name, bad.$metadata.httpStatusCode]).toEqual(["InvalidArgument", 400]);
    const unknown = await client()
      .send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: "0".repeat(32) }))
      .catch((e) => e);
    expect(unknown.name).toBe("NoSuchVersion");
  });

  test("a bucket with only a delete marker left is not empty: DeleteBucket is refused until the marker goes", async () => {
    const b = await bucket("Enabled");
    const v = await put(b, "k", "x");
    const m = await client().send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
    await client().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v.VersionId }));
    expect(
      (
        await client()
          .send(new DeleteBucketCommand({ Bucket: b }))
          .catch((e) => e)
      ).name,
    ).toBe("BucketNotEmpty");
    await client().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: m.VersionId }));
    await client().send(new DeleteBucketCommand({ Bucket: b }));
  });
});

describe("ListObjectVersions paging", () => {
  // Three keys: a (3 versions), b (a version under a delete marker), c (1 version); 7 entries in S3's order.
  async function fixture() {
    const b = await bucket("Enabled");
    const ids: [string, string | undefined][] = [];
    for (const body of ["a1", "a2", "a3"]) ids.push(["a", (await put(b, "a", body)).VersionId]);
    ids.push(["b", (await put(b, "b", "b1")).VersionId]);
    ids.push(["b", (await client().send(new DeleteObjectCommand({ Bucket: b, Key: "b" }))).VersionId]);
    ids.push(["c", (await put(b, "c", "c1")).VersionId]);
    await put(b, "dir/x", "x");
    await put(b, "dir/y", "y");
    const order = [ids[2], ids[1], ids[0], ids[4], ids[3], ids[5]] as [string, string][];
    return { b, order };
  }
  const entries = (out: ListObjectVersionsCommandOutput) =>
    [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].map(
      (v) => [v.Key as string, v.VersionId as string] as [string, string],
    );

  for (const max of [1, 2, 3]) {
    test(`max-keys ${max}: pages by key-marker and version-id-marker cover every version once, in S3's order`, async () => {
      const { b, order } = await fixture();
      const seen: [string, string][] = [];
      const prefixes: string[] = [];
      let KeyMarker: string | undefined;
      let VersionIdMarker: string | undefined;
      for (let page = 0; page < 20; page++) {
        const out = await client().send(
          new ListObjectVersionsCommand({
            Bucket: b,
            MaxKeys: max,
            KeyMarker,
            VersionIdMarker,
            Delimiter: "/",
          }),
        );
        const got = entries(out);
        // Within a page the SDK splits versions from markers; S3's order is by key, newest first.
        got.sort((x, y) => order.findIndex((o) => o[1] === x[1]) - order.findIndex((o) => o[1] === y[1]));
        seen.push(...got);
        prefixes.push(...(out.CommonPrefixes ?? []).map((p) => p.Prefix as string));
        expect(got.length + (out.CommonPrefixes?.length ?? 0)).toBeLessThanOrEqual(max);
        if (!out.IsTruncated) {
          expect([out.NextKeyMarker, out.NextVersionIdMarker]).toEqual([undefined, undefined]);
          break;
        }
        expect(out.NextKeyMarker).toBeDefined();
        KeyMarker = out.NextKeyMarker;
        VersionIdMarker = out.NextVersionIdMarker;
      }
      expect(seen).toEqual(order);
      expect(prefixes).toEqual(["dir/"]);
    });
  }

  test("a truncated page names the last entry as NextKeyMarker / NextVersionIdMarker; IsLatest marks each key's newest", async () => {
    const { b, order } = await fixture();
    const out = await client().send(new ListObjectVersionsCommand({ Bucket: b, MaxKeys: 2 }));
    expect(out.IsTruncated).toBe(true);
    expect([out.NextKeyMarker, out.NextVersionIdMarker]).toEqual(order[1] as [string, string]);
    expect(out.Versions?.map((v) => v.IsLatest)).toEqual([true, false]);
    const rest = await client().send(
      new ListObjectVersionsCommand({ Bucket: b, KeyMarker: "a", Prefix: "b" }),
    );
    expect([rest.Versions?.length, rest.DeleteMarkers?.[0]?.IsLatest]).toEqual([1, true]);
  });

  test("encoding-type=url (botocore sends it on every call) encodes keys, and a version-id-marker needs a key-marker", async () => {
    const b = await bucket("Enabled");
    await put(b, "a key&<odd>", "x");
    const signed = async (query: string) => {
      const req = await new AwsV4Signer({
        ...creds,
        url: `${running.endpoint}/${b}?${query}`,
        service: "s3",
        region: "us-east-1",
      }).sign();
      return fetch(req.url, { headers: req.headers });
    };
    const res = await signed("versions&encoding-type=url");
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain("<Key>a%20key%26%3Codd%3E</Key>");
    expect(body).toContain("<EncodingType>url</EncodingType>");
    const sdk = await client().send(new ListObjectVersionsCommand({ Bucket: b, EncodingType: "url" }));
    // The JS SDK hands url-encoded keys back as sent (botocore decodes them): they decode to the key.
    expect(decodeURIComponent(sdk.Versions?.[0]?.Key ?? "")).toBe("a key&<odd>");
    const refused = await signed(`versions&version-id-marker=${"0".repeat(32)}`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("<Code>InvalidArgument</Code>");
  });
});

describe("DeleteObjects", () => {
  test("verbose: versions by id, delete markers added and removed, a key that never existed reported deleted", async () => {
    const b = await bucket("Enabled");
    const v1 = await put(b, "one", "1");
    await put(b, "two", "2");
    const marker = await client().send(new DeleteObjectCommand({ Bucket: b, Key: "three" }));
    const out = await client().send(
      new DeleteObjectsCommand({
        Bucket: b,
        Delete: {
          Objects: [
            { Key: "one", VersionId: v1.VersionId },
            { Key: "two" },
            { Key: "three", VersionId: marker.VersionId },
            { Key: "never" },
          ],
        },
      }),
    );
    const byKey = Object.fromEntries((out.Deleted ?? []).map((d) => [d.Key, d]));
    expect(byKey.one).toEqual({ Key: "one", VersionId: v1.VersionId });
    expect(byKey.two?.DeleteMarker).toBe(true);
    expect(byKey.two?.DeleteMarkerVersionId).toMatch(/^[0-9a-f]{32}$/);
    expect(byKey.three).toEqual({
      Key: "three",
      VersionId: marker.VersionId,
      DeleteMarker: true,
      DeleteMarkerVersionId: marker.VersionId,
    });
    expect(byKey.never?.DeleteMarker).toBe(true);
    expect(out.Errors).toBeUndefined();
    const left = await versionsOf(b);
    expect(left.filter((v) => !v.marker).map((v) => v.key)).toEqual(["two"]);
    expect(
      left
        .filter((v) => v.marker)
        .map((v) => v.key)
        .sort(),
    ).toEqual(["never", "two"]);
  });

  test("quiet: only errors are reported; a bad version id is an error entry, the rest is deleted", async () => {
    const b = await bucket();
    await put(b, "x", "1");
    await put(b, "y", "2");
    const out = await client().send(
      new DeleteObjectsCommand({
        Bucket: b,
        Delete: {
          Quiet: true,
          Objects: [{ Key: "x" }, { Key: "y", VersionId: "null" }, { Key: "z", VersionId: "bogus" }],
        },
      }),
    );
    expect(out.Deleted).toBeUndefined();
    expect(out.Errors?.map((e) => [e.Key, e.Code])).toEqual([["z", "NoSuchVersion"]]);
    expect(await versionsOf(b)).toEqual([]);
  });

  test("without Content-MD5 or an x-amz-checksum-* the request is refused and nothing is deleted; a wrong Content-MD5 too", async () => {
    const b = await bucket();
    await put(b, "keep", "1");
    const body = `<Delete><Object><Key>keep</Key></Object></Delete>`;
    const send = async (headers: Record<string, string>) => {
      const req = await new AwsV4Signer({
        ...creds,
        url: `${running.endpoint}/${b}?delete`,
        method: "POST",
        body,
        headers,
        service: "s3",
        region: "us-east-1",
      }).sign();
      return fetch(req.url, { method: "POST", headers: req.headers, body });
    };
    const bare = await send({});
    expect(bare.status).toBe(400);
    expect(await bare.text()).toContain("<Code>InvalidRequest</Code>");
    const wrong = await send({ "content-md5": createHash("md5").update("other").digest("base64") });
    expect(await wrong.text()).toContain("<Code>BadDigest</Code>");
    expect(await text(b, "keep")).toBe("1");
    const ok = await send({ "content-md5": createHash("md5").update(body).digest("base64") });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("<Deleted><Key>keep</Key></Deleted>");
  });
});

describe("version ids of writes", () => {
  test("PutObject and CompleteMultipartUpload (lib-storage) return the new version's id, and it reads back", async () => {
    const b = await bucket("Enabled");
    const body = new Uint8Array(6 * 1024 * 1024).fill(7);
    const done = await new Upload({
      client: client(),
      params: { Bucket: b, Key: "mp", Body: body },
      partSize: 5 * 1024 * 1024,
    }).done();
    expect(done.VersionId).toMatch(/^[0-9a-f]{32}$/);
    const head = await client().send(
      new HeadObjectCommand({ Bucket: b, Key: "mp", VersionId: done.VersionId }),
    );
    expect(head.ContentLength).toBe(body.length);
    const plain = await put(b, "mp", "small");
    expect(plain.VersionId).not.toBe(done.VersionId);
    expect((await versionsOf(b)).map((v) => v.id)).toEqual([plain.VersionId, done.VersionId]);
  });
});

describe("--data-dir", () => {
  test("keeps no body that no version refers to, and versions survive a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "s3-versions-"));
    let server = await startEmulator({ port: 0, jobSeconds: 0, dataDir: dir, ...creds });
    try {
      const c = client(server.endpoint);
      const b = await bucket("Enabled", c);
      const ids = [];
      for (const body of ["v1", "v2", "v3"]) ids.push((await put(b, "ids.csv", body, c)).VersionId);
      const marker = await c.send(new DeleteObjectCommand({ Bucket: b, Key: "ids.csv" }));
      expect(readdirSync(join(dir, "objects")).length).toBe(3);
      await server.close();
      server = await startEmulator({ port: 0, jobSeconds: 0, dataDir: dir, ...creds });
      const again = client(server.endpoint);
      const listed = await again.send(new ListObjectVersionsCommand({ Bucket: b }));
      expect(listed.Versions?.map((v) => v.VersionId)).toEqual([ids[2], ids[1], ids[0]]);
      expect(listed.DeleteMarkers?.map((m) => m.VersionId)).toEqual([marker.VersionId]);
      const old = await again.send(new GetObjectCommand({ Bucket: b, Key: "ids.csv", VersionId: ids[0] }));
      expect(await old.Body?.transformToString()).toBe("v1");
      for (const VersionId of [...ids, marker.VersionId])
        await again.send(new DeleteObjectCommand({ Bucket: b, Key: "ids.csv", VersionId }));
      expect(readdirSync(join(dir, "objects"))).toEqual([]);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
