// S3's versioning rules on the emulator's version store alone (the SDK tests in s3-versions.test.ts drive
// the same rules through HTTP): the null version, delete markers, and a snapshot that keeps them.
import { describe, expect, test } from "bun:test";
import type { StoredObject } from "../../src/emulator/state-types.ts";
import { isVersionId, Versions } from "../../src/emulator/versioning.ts";

const object = (text: string, at = 1): StoredObject => ({
  body: new TextEncoder().encode(text),
  sha256: `sha-${text}`,
  contentType: "text/plain",
  meta: {},
  lastModified: at,
});

function store() {
  const buckets = new Map([["b", new Map<string, StoredObject>()]]);
  return { buckets, versions: new Versions(buckets), current: (key: string) => buckets.get("b")?.get(key) };
}

const text = (o: StoredObject | undefined) => (o ? new TextDecoder().decode(o.body) : undefined);

describe("Versions", () => {
  test("a bucket never versioned: a PUT overwrites, a DELETE removes, no version id is given", () => {
    const { versions, current } = store();
    expect(versions.put("b", "k", object("one"))).toBeUndefined();
    versions.put("b", "k", object("two"));
    expect(text(current("k"))).toBe("two");
    expect(versions.versionsOf("b", "k").map((v) => v.versionId)).toEqual(["null"]);
    expect(versions.deleteCurrent("b", "k", 5)).toEqual({ deleteMarker: false });
    expect(current("k")).toBeUndefined();
    expect(versions.isEmpty("b")).toBe(true);
  });

  test("Enabled: each PUT is a new version; a DELETE adds a marker and keeps every byte", () => {
    const { versions, current } = store();
    versions.put("b", "k", object("before"));
    versions.status.set("b", "Enabled");
    const id = versions.put("b", "k", object("after")) as string;
    expect(isVersionId(id)).toBe(true);
    const deletion = versions.deleteCurrent("b", "k", 9);
    expect(deletion.deleteMarker).toBe(true);
    expect(current("k")).toBeUndefined();
    const kept = versions.versionsOf("b", "k");
    expect(kept.map((v) => v.versionId)).toEqual(["null", id, deletion.versionId as string]);
    expect(kept.map((v) => text(v.object))).toEqual(["before", "after", undefined]);
    expect(versions.isEmpty("b")).toBe(false);
  });

  test("deleting the marker by its id brings the version under it back; deleting every version empties the key", () => {
    const { versions, current } = store();
    versions.status.set("b", "Enabled");
    const id = versions.put("b", "k", object("kept")) as string;
    const marker = versions.deleteCurrent("b", "k", 2).versionId as string;
    expect(versions.deleteVersion("b", "k", marker)).toEqual({ versionId: marker, deleteMarker: true });
    expect(text(current("k"))).toBe("kept");
    expect(versions.deleteVersion("b", "k", id)).toEqual({ versionId: id, deleteMarker: false });
    expect(current("k")).toBeUndefined();
    expect(versions.keys("b")).toEqual([]);
    expect(versions.deleteVersion("b", "k", id)).toBeUndefined();
  });

  test("Suspended: a PUT replaces the null version in place and leaves the others", () => {
    const { versions, current } = store();
    versions.status.set("b", "Enabled");
    const id = versions.put("b", "k", object("v1")) as string;
    versions.status.set("b", "Suspended");
    expect(versions.put("b", "k", object("n1"))).toBeUndefined();
    versions.put("b", "k", object("n2"));
    expect(versions.versionsOf("b", "k").map((v) => [v.versionId, text(v.object)])).toEqual([
      [id, "v1"],
      ["null", "n2"],
    ]);
    expect(text(current("k"))).toBe("n2");
  });

  test("a snapshot keeps statuses, versions and markers, and the bodies come back by SHA-256", () => {
    const { versions } = store();
    versions.status.set("b", "Enabled");
    versions.put("b", "k", object("one"));
    versions.deleteCurrent("b", "k", 3);
    const data = JSON.parse(JSON.stringify(versions.data()));
    const blobs = new Map<string, Uint8Array>();
    versions.addBlobs(blobs);
    expect([...blobs.keys()]).toEqual(["sha-one"]);

    const restored = store();
    restored.versions.restore(data, (sha) => blobs.get(sha) as Uint8Array);
    expect(restored.versions.status.get("b")).toBe("Enabled");
    expect(restored.versions.versionsOf("b", "k").map((v) => text(v.object))).toEqual(["one", undefined]);
    expect(restored.current("k")).toBeUndefined();
  });

  test("isVersionId: null and 32 lowercase hex digits only", () => {
    expect(isVersionId("null")).toBe(true);
    expect(isVersionId("0123456789abcdef0123456789abcdef")).toBe(true);
    expect(isVersionId("0123456789ABCDEF0123456789ABCDEF")).toBe(false);
    expect(isVersionId("123")).toBe(false);
  });
});
