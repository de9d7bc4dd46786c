// Listing and deleting every version of a key, against scripted S3 answers.
import { describe, expect, test } from "bun:test";
import { deleteEveryVersion, listVersions } from "../../src/aws/s3-versions.ts";
import { scriptedTransport } from "../support/scripted-fetch.ts";

const xml = (body: string) => () =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult>${body}</ListVersionsResult>`, {
    status: 200,
  });
const version = (key: string, id: string) =>
  `<Version><Key>${key}</Key><VersionId>${id}</VersionId></Version>`;
const marker = (key: string, id: string) =>
  `<DeleteMarker><Key>${key}</Key><VersionId>${id}</VersionId></DeleteMarker>`;

describe("listVersions", () => {
  test("follows every page (key and version markers) and keeps only the exact key, entities decoded", async () => {
    const { transport, sent } = scriptedTransport([
      xml(
        `<IsTruncated>true</IsTruncated><NextKeyMarker>a&amp;b.csv</NextKeyMarker><NextVersionIdMarker>v+2</NextVersionIdMarker>${version("a&amp;b.csv", "v1")}${version("a&amp;b.csv.bak", "x")}`,
      ),
      xml(`<IsTruncated>false</IsTruncated>${marker("a&amp;b.csv", "m3")}${version("a&amp;b.csv", "v+2")}`),
    ]);
    const found = await listVersions({ transport, endpoint: "http://s3.test" }, "bkt", "a&b.csv");
    expect(found).toEqual([
      { key: "a&b.csv", versionId: "v1" },
      { key: "a&b.csv", versionId: "m3" },
      { key: "a&b.csv", versionId: "v+2" },
    ]);
    expect(sent).toHaveLength(2);
    const second = new URL(sent[1]?.url as string);
    expect(second.searchParams.get("prefix")).toBe("a&b.csv");
    expect(second.searchParams.get("key-marker")).toBe("a&b.csv");
    expect(second.searchParams.get("version-id-marker")).toBe("v+2");
    expect(second.searchParams.has("versions")).toBe(true);
  });

  test("a folder lists every key under it", async () => {
    const { transport } = scriptedTransport([
      xml(
        `<IsTruncated>false</IsTruncated>${version("w/1.csv", "a")}${version("w/2.csv", "b")}${version("w2/x", "c")}`,
      ),
    ]);
    const found = await listVersions({ transport, endpoint: "http://s3.test" }, "bkt", "w/");
    expect(found.map((f) => f.key)).toEqual(["w/1.csv", "w/2.csv"]);
  });

  test("AccessDenied (no s3:ListBucketVersions) is an S3Error, not an empty list", async () => {
    const { transport } = scriptedTransport([
      () =>
        new Response("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", {
          status: 403,
        }),
    ]);
    await expect(
      listVersions({ transport, endpoint: "http://s3.test" }, "bkt", "k.csv"),
    ).rejects.toMatchObject({
      name: "AccessDenied",
    });
  });
});

describe("deleteEveryVersion", () => {
  test("deletes each version and marker by its id, signed with the empty payload's hash", async () => {
    const { transport, sent } = scriptedTransport([
      xml(`<IsTruncated>false</IsTruncated>${version("d/k.csv", "v 1")}${marker("d/k.csv", "null")}`),
      () => new Response(null, { status: 204 }),
    ]);
    const n = await deleteEveryVersion({ transport, endpoint: "http://s3.test" }, "bkt", "d/k.csv");
    expect(n).toBe(2);
    const deletes = sent.filter((s) => s.method === "DELETE");
    expect(deletes.map((d) => new URL(d.url).searchParams.get("versionId"))).toEqual(["v 1", "null"]);
    expect(deletes.map((d) => new URL(d.url).pathname)).toEqual(["/bkt/d/k.csv", "/bkt/d/k.csv"]);
    expect(deletes[0]?.headers["x-amz-content-sha256"]).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });
});
