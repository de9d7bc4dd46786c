// A location to the object versions it names. `s3://bucket/folder/` is every object under the folder;
// `s3://bucket/name` is the object `name` when there is one, else what S3 means by the prefix `name` (so
// `s3://bucket/folder` also takes `folder_test/…`, as S3 and a dataset import would). Every version of each
// key is listed (ListObjectVersions, all pages): an older version still holds the users' rows. Delete markers
// hold no data and are not objects, but a key whose latest entry is one has only noncurrent versions.
import { EMPTY_PAYLOAD_SHA256, objectUrl, parseS3Error, type S3Target, xmlField } from "../aws/s3.ts";

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

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };

const field = (xml: string, name: string): string | undefined =>
  xmlField(xml, name)?.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity: string) => ENTITIES[entity] as string);

/** Every version and delete marker whose key starts with `prefix`, in S3's order (by key, newest first). */
async function listEntries(
  target: S3Target,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<{ key: string; version?: ListedVersion; latest: boolean }[]> {
  const found: { key: string; version?: ListedVersion; latest: boolean }[] = [];
  let markers = "";
  for (;;) {
    const url = `${objectUrl(target, bucket, "")}?versions&prefix=${encodeURIComponent(prefix)}${markers}`;
    const xml = await target.transport.send(
      {
        service: "s3",
        operation: "ListObjectVersions",
        method: "GET",
        url,
        headers: { "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256 },
        signal,
      },
      async (response) => {
        const text = await response.text();
        if (!response.ok) throw parseS3Error(response.status, response.headers, text);
        return text;
      },
    );
    for (const [, kind, entry] of xml.matchAll(/<(Version|DeleteMarker)>([\s\S]*?)<\/\1>/g)) {
      const key = field(entry as string, "Key");
      const versionId = field(entry as string, "VersionId");
      if (key === undefined || versionId === undefined || !key.startsWith(prefix)) continue;
      const latest = field(entry as string, "IsLatest") === "true";
      if (kind === "DeleteMarker") {
        found.push({ key, latest });
        continue;
      }
      found.push({
        key,
        latest,
        version: {
          key,
          versionId,
          noncurrent: !latest,
          size: Number(field(entry as string, "Size") ?? 0),
          etag: field(entry as string, "ETag") ?? "",
        },
      });
    }
    if (field(xml, "IsTruncated") !== "true") return found;
    const nextKey = field(xml, "NextKeyMarker") ?? "";
    const nextVersion = field(xml, "NextVersionIdMarker");
    markers = `&key-marker=${encodeURIComponent(nextKey)}${nextVersion ? `&version-id-marker=${encodeURIComponent(nextVersion)}` : ""}`;
  }
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
  const entries = await listEntries(target, bucket, key, signal);
  const exact = !key.endsWith("/") && key !== "" && entries.some((e) => e.key === key && e.version);
  const byKey = new Map<string, ListedVersion[]>();
  for (const entry of entries) {
    if (exact && entry.key !== key) continue;
    if (!byKey.has(entry.key)) byKey.set(entry.key, []);
    if (entry.version) byKey.get(entry.key)?.push(entry.version);
  }
  const objects: ListedObject[] = [];
  for (const [name, versions] of byKey) {
    if (versions.length === 0) continue;
    versions.sort((a, b) => Number(a.noncurrent) - Number(b.noncurrent));
    objects.push({ key: name, versions });
  }
  return objects;
}
