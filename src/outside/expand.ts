// A location to the object versions it names. `s3://bucket/folder/` is every object under the folder;
// `s3://bucket/name` is the object `name` when there is one, else what S3 means by the prefix `name` (so
// `s3://bucket/folder` also takes `folder_test/…`, as S3 and a dataset import would). Every version of each
// key is listed (ListObjectVersions, all pages): an older version still holds the users' rows. Delete markers
// hold no data and are not objects, but a key whose latest entry is one has only noncurrent versions.
import type { S3Target } from "../aws/s3.ts";
import { listVersionEntries } from "../aws/s3-versions.ts";

/** One stored version of a key, as the listing described it. */
export interface ListedVersion {
  key: string;
  /** `"null"` on an unversioned bucket (and for the null version of a suspended one). */
  versionId: string;
  /** Not the key's latest entry (an older version, or one under a delete marker). */
  noncurrent: boolean;
  size: number;
  /** With its quotes, as S3 sends it. */
  etag: string;
}

/** One key with its versions, the current one (when there is one) first. */
export interface ListedObject {
  key: string;
  versions: ListedVersion[];
}

/**
 * The objects `s3://bucket/key` names (see the module's note on folders and prefixes), each with every
 * stored version, current first. Throws the listing's {@link S3Error} (AccessDenied without
 * `s3:ListBucketVersions`, NoSuchBucket...).
 */
export async function expandLocation(
  target: S3Target,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<ListedObject[]> {
  const entries = await listVersionEntries(target, bucket, key, signal);
  const exact =
    !key.endsWith("/") && key !== "" && entries.some((e) => e.key === key && !e.deleteMarker && e.size > 0);
  const byKey = new Map<string, ListedVersion[]>();
  for (const entry of entries) {
    if (exact && entry.key !== key) continue;
    if (!byKey.has(entry.key)) byKey.set(entry.key, []);
    if (!entry.deleteMarker) {
      const { versionId, size, etag } = entry;
      byKey.get(entry.key)?.push({ key: entry.key, versionId, noncurrent: !entry.latest, size, etag });
    }
  }
  const objects: ListedObject[] = [];
  for (const [name, versions] of byKey) {
    if (versions.length === 0) continue;
    versions.sort((a, b) => Number(a.noncurrent) - Number(b.noncurrent));
    objects.push({ key: name, versions });
  }
  return objects;
}
