// S3 versioning for the emulator: a versioned bucket keeps every version of a key, a DELETE without a
// versionId only adds a delete marker, and the bytes stay until each version is deleted by its id. The
// "null" version is S3's: what was written before versioning, or while it is Suspended, and is overwritten
// in place. This is what makes "deleted" mean gone on a versioned bucket, so the erasure's cleanup can be
// tested; the history is part of the snapshot, so it survives a `--data-dir` restart.
import type { StoredObject } from "./state-types.ts";

/** One version of a key: an object, or a delete marker. */
export interface ObjectVersion {
  versionId: string;
  /** Absent for a delete marker. */
  object?: StoredObject;
  lastModified: number;
}

/** A bucket's versioning status; a bucket never configured has none. */
export type VersioningStatus = "Enabled" | "Suspended";

/** The versions as a snapshot keeps them: bodies by their SHA-256 only. */
export interface VersioningData {
  status: Record<string, VersioningStatus>;
  history: Record<
    string,
    Record<string, { versionId: string; lastModified: number; object?: Omit<StoredObject, "body"> }[]>
  >;
}

/** What a DELETE did: the version it removed or created, and whether that is a delete marker. */
export interface Deletion {
  versionId?: string;
  deleteMarker: boolean;
}

const newVersionId = () => crypto.randomUUID().replace(/-/g, "");

/** Whether `id` is a version id S3 could have issued here (`null` or the emulator's own form). */
export const isVersionId = (id: string) => id === "null" || /^[0-9a-f]{32}$/.test(id);

/**
 * The versioning state of the emulator's buckets. `buckets` (the state's current objects) always holds each
 * key's latest version when that is an object, so readers of current objects need not know about versions.
 */
export class Versions {
  readonly status: Map<string, VersioningStatus> = new Map();
  // bucket -> key -> versions, oldest first; only for buckets that were ever configured.
  private readonly history: Map<string, Map<string, ObjectVersion[]>> = new Map();

  constructor(private readonly buckets: Map<string, Map<string, StoredObject>>) {}

  /** A key's versions, oldest first; an object written before versioning is its version "null". */
  versionsOf(bucket: string, key: string): readonly ObjectVersion[] {
    const kept = this.history.get(bucket)?.get(key);
    if (kept) return kept;
    const current = this.buckets.get(bucket)?.get(key);
    return current ? [{ versionId: "null", object: current, lastModified: current.lastModified }] : [];
  }

  /** The latest version of a key (an object or a delete marker), if any. */
  latest(bucket: string, key: string): ObjectVersion | undefined {
    return this.versionsOf(bucket, key).at(-1);
  }

  /** One version by id. */
  find(bucket: string, key: string, versionId: string): ObjectVersion | undefined {
    return this.versionsOf(bucket, key).find((v) => v.versionId === versionId);
  }

  /** Every key with a version or a delete marker, sorted as S3 lists them (by UTF-8 bytes, as JS sorts). */
  keys(bucket: string): string[] {
    const keys = new Set([
      ...(this.history.get(bucket)?.keys() ?? []),
      ...(this.buckets.get(bucket)?.keys() ?? []),
    ]);
    return [...keys].sort();
  }

  /** Whether the bucket holds any version or delete marker (S3 refuses to delete it then). */
  isEmpty(bucket: string): boolean {
    return (this.buckets.get(bucket)?.size ?? 0) === 0 && (this.history.get(bucket)?.size ?? 0) === 0;
  }

  // The key's history, made writable (seeded with the object already there as its "null" version).
  private editable(bucket: string, key: string): ObjectVersion[] {
    let keys = this.history.get(bucket);
    if (!keys) {
      keys = new Map();
      this.history.set(bucket, keys);
    }
    let list = keys.get(key);
    if (!list) {
      list = [...this.versionsOf(bucket, key)];
      keys.set(key, list);
    }
    return list;
  }

  // Puts the current object in line with the latest version; a key with no version left is forgotten.
  private settle(bucket: string, key: string, list: ObjectVersion[]): void {
    const objects = this.buckets.get(bucket);
    const latest = list.at(-1);
    if (latest?.object) objects?.set(key, latest.object);
    else objects?.delete(key);
    if (list.length === 0) this.history.get(bucket)?.delete(key);
  }

  // Adds a version on top: a new id when Enabled; "null" (replacing the null version) otherwise.
  private push(bucket: string, key: string, version: Omit<ObjectVersion, "versionId">): string {
    const versionId = this.status.get(bucket) === "Enabled" ? newVersionId() : "null";
    const list = this.editable(bucket, key);
    if (versionId === "null") {
      const at = list.findIndex((v) => v.versionId === "null");
      if (at >= 0) list.splice(at, 1);
    }
    list.push({ ...version, versionId });
    this.settle(bucket, key, list);
    return versionId;
  }

  /**
   * Records a PUT and makes it current. Answers the `x-amz-version-id` to send back: a new id when
   * versioning is Enabled, none otherwise (S3 stores the write as "null" but does not say so).
   */
  put(bucket: string, key: string, object: StoredObject): string | undefined {
    if (!this.status.has(bucket)) {
      this.buckets.get(bucket)?.set(key, object);
      return undefined;
    }
    const versionId = this.push(bucket, key, { object, lastModified: object.lastModified });
    return versionId === "null" ? undefined : versionId;
  }

  /**
   * A DELETE without a version id: on a bucket never versioned the object goes; otherwise a delete marker
   * becomes the latest version (even for a key that had none), and the versions stay.
   */
  deleteCurrent(bucket: string, key: string, now: number): Deletion {
    if (!this.status.has(bucket)) {
      this.buckets.get(bucket)?.delete(key);
      return { deleteMarker: false };
    }
    return { versionId: this.push(bucket, key, { lastModified: now }), deleteMarker: true };
  }

  /**
   * Deletes one version for good; the newest remaining one becomes current (an object, or nothing under a
   * delete marker). Answers `undefined` when there was no such version.
   */
  deleteVersion(bucket: string, key: string, versionId: string): Deletion | undefined {
    if (!this.versionsOf(bucket, key).some((v) => v.versionId === versionId)) return undefined;
    const list = this.editable(bucket, key);
    const [removed] = list.splice(
      list.findIndex((v) => v.versionId === versionId),
      1,
    );
    this.settle(bucket, key, list);
    return { versionId, deleteMarker: !removed?.object };
  }

  /** Forgets a deleted bucket. */
  dropBucket(bucket: string): void {
    this.status.delete(bucket);
    this.history.delete(bucket);
  }

  /** Every stored body any version refers to, by SHA-256. */
  addBlobs(into: Map<string, Uint8Array>): void {
    for (const keys of this.history.values())
      for (const list of keys.values())
        for (const v of list) if (v.object) into.set(v.object.sha256, v.object.body);
  }

  /** The versions for a snapshot. */
  data(): VersioningData {
    const history: VersioningData["history"] = {};
    for (const [bucket, keys] of this.history) {
      const out: VersioningData["history"][string] = {};
      for (const [key, list] of keys) {
        out[key] = list.map(({ versionId, lastModified, object }) => {
          if (!object) return { versionId, lastModified };
          const { body: _body, ...meta } = object;
          return { versionId, lastModified, object: meta };
        });
      }
      history[bucket] = out;
    }
    return { status: Object.fromEntries(this.status), history };
  }

  /** Restores the versions of a snapshot (after the current objects), sharing the current objects' bodies. */
  restore(data: VersioningData | undefined, bodyOf: (sha256: string) => Uint8Array): void {
    this.status.clear();
    this.history.clear();
    for (const [bucket, status] of Object.entries(data?.status ?? {})) this.status.set(bucket, status);
    for (const [bucket, keys] of Object.entries(data?.history ?? {})) {
      const restored = new Map<string, ObjectVersion[]>();
      for (const [key, list] of Object.entries(keys)) {
        const versions = list.map(({ versionId, lastModified, object }) =>
          object
            ? { versionId, lastModified, object: { ...object, body: bodyOf(object.sha256) } }
            : { versionId, lastModified },
        );
        restored.set(key, versions);
      }
      this.history.set(bucket, restored);
      for (const [key, list] of restored) this.settle(bucket, key, list);
    }
  }
}
