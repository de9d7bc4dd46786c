// S3 versioning for the emulator: a versioned bucket keeps every version of a key, a DELETE without a
// versionId only adds a delete marker, and the bytes stay until each version is deleted by its id. This is
// what makes "deleted" mean gone on a versioned bucket, so the erasure's cleanup can be tested.
import type { EmulatorState, StoredObject } from "./state.ts";
import { xmlEscape } from "./wire.ts";

/** One version of a key: an object, or a delete marker. */
export interface ObjectVersion {
  versionId: string;
  /** Absent for a delete marker. */
  object?: StoredObject;
  lastModified: number;
}

/** The versioning state of the emulator's buckets, beside the current objects in `state.buckets`. */
export class Versions {
  /** `Enabled` or `Suspended`; a bucket never configured is absent. */
  readonly status: Map<string, "Enabled" | "Suspended"> = new Map();
  // bucket -> key -> versions, oldest first.
  private readonly history: Map<string, Map<string, ObjectVersion[]>> = new Map();

  constructor(private readonly state: EmulatorState) {}

  private enabled(bucket: string): boolean {
    return this.status.get(bucket) === "Enabled";
  }

  // A key's versions; an object written before versioning was enabled is its one version, id "null".
  private versionsOf(bucket: string, key: string): ObjectVersion[] {
    const current = (): ObjectVersion[] => {
      const before = this.state.buckets.get(bucket)?.get(key);
      return before ? [{ versionId: "null", object: before, lastModified: before.lastModified }] : [];
    };
    // A bucket never versioned has no history: its one version is whatever is there now.
    if (!this.status.has(bucket)) return current();
    let keys = this.history.get(bucket);
    if (!keys) {
      keys = new Map();
      this.history.set(bucket, keys);
    }
    let list = keys.get(key);
    if (!list) {
      list = current();
      keys.set(key, list);
    }
    return list;
  }

  /** Records a PUT; answers the version id to send back (`undefined` on a bucket never versioned). */
  put(bucket: string, key: string, object: StoredObject): string | undefined {
    if (!this.status.has(bucket)) return undefined;
    const versionId = this.enabled(bucket) ? crypto.randomUUID().replace(/-/g, "") : "null";
    const list = this.versionsOf(bucket, key).filter((v) => v.versionId !== "null" || versionId !== "null");
    list.push({ versionId, object, lastModified: object.lastModified });
    this.history.get(bucket)?.set(key, list);
    return versionId;
  }

  /**
   * A DELETE without a version id: on a versioned bucket a delete marker becomes the latest version and
   * the current object goes; the versions stay. Answers the marker's id, or `undefined` when unversioned.
   */
  deleteCurrent(bucket: string, key: string, now: number): string | undefined {
    if (!this.status.has(bucket)) return undefined;
    const versionId = this.enabled(bucket) ? crypto.randomUUID().replace(/-/g, "") : "null";
    const list = this.versionsOf(bucket, key).filter((v) => v.versionId !== "null" || versionId !== "null");
    list.push({ versionId, lastModified: now });
    this.history.get(bucket)?.set(key, list);
    return versionId;
  }

  /** Deletes one version for good; the newest remaining one (if an object) becomes current. */
  deleteVersion(bucket: string, key: string, versionId: string): { deleteMarker: boolean } | undefined {
    const list = this.versionsOf(bucket, key);
    const at = list.findIndex((v) => v.versionId === versionId);
    if (at < 0) return undefined;
    const [removed] = list.splice(at, 1);
    const objects = this.state.buckets.get(bucket);
    const latest = list.at(-1);
    if (latest?.object) objects?.set(key, latest.object);
    else objects?.delete(key);
    return { deleteMarker: !removed?.object };
  }

  /** One version by id. */
  find(bucket: string, key: string, versionId: string): ObjectVersion | undefined {
    return this.versionsOf(bucket, key).find((v) => v.versionId === versionId);
  }

  /** ListObjectVersions: every version and delete marker under a prefix, by key, newest first per key. */
  list(bucket: string, url: URL): string {
    const prefix = url.searchParams.get("prefix") ?? "";
    const current = this.state.buckets.get(bucket) ?? new Map<string, StoredObject>();
    const keys = new Set([...(this.history.get(bucket)?.keys() ?? []), ...current.keys()]);
    const entries: string[] = [];
    for (const key of [...keys].filter((k) => k.startsWith(prefix)).sort()) {
      const versions = [...this.versionsOf(bucket, key)].reverse();
      versions.forEach((v, i) => {
        const common = `<Key>${xmlEscape(key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${i === 0}</IsLatest><LastModified>${new Date(v.lastModified).toISOString()}</LastModified>`;
        entries.push(
          v.object
            ? `<Version>${common}<ETag>"${v.object.etag}"</ETag><Size>${v.object.body.length}</Size><StorageClass>STANDARD</StorageClass></Version>`
            : `<DeleteMarker>${common}</DeleteMarker>`,
        );
      });
    }
    return `<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${entries.join("")}</ListVersionsResult>`;
  }
}
