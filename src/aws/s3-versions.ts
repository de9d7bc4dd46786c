// Every version of an uploaded deletion file, and their deletion. On a versioned bucket a DELETE without a
// versionId only adds a delete marker and the ids stay readable: erasing the file means deleting each
// version (and marker) by its id. An unversioned bucket lists its object as the version "null".
import { S3Error } from "../errors.ts";
import {
  deleteObject,
  EMPTY_PAYLOAD_SHA256,
  objectUrl,
  parseS3Error,
  parseS3Uri,
  type S3Target,
  xmlText,
} from "./s3.ts";

/** One version or delete marker of a key. */
export interface ObjectVersionRef {
  key: string;
  versionId: string;
}

/** One entry of a ListObjectVersions answer: a version (with its size and ETag) or a delete marker. */
export interface VersionEntry extends ObjectVersionRef {
  /** The key's latest entry (its current version, or the marker that hides it). */
  latest: boolean;
  deleteMarker: boolean;
  /** Bytes; 0 for a delete marker. */
  size: number;
  /** With its quotes, as S3 sends it; empty for a delete marker. */
  etag: string;
}

/**
 * Every version and delete marker whose key starts with `prefix` (ListObjectVersions, all pages), in S3's
 * order: by key, newest first. Throws the listing's S3Error (AccessDenied without s3:ListBucketVersions...).
 */
export async function listVersionEntries(
  target: S3Target,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<VersionEntry[]> {
  const found: VersionEntry[] = [];
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
      const key = xmlText(entry as string, "Key");
      const versionId = xmlText(entry as string, "VersionId");
      if (key === undefined || versionId === undefined || !key.startsWith(prefix)) continue;
      found.push({
        key,
        versionId,
        latest: xmlText(entry as string, "IsLatest") === "true",
        deleteMarker: kind === "DeleteMarker",
        size: Number(xmlText(entry as string, "Size") ?? 0),
        etag: xmlText(entry as string, "ETag") ?? "",
      });
    }
    if (xmlText(xml, "IsTruncated") !== "true") return found;
    const nextKey = xmlText(xml, "NextKeyMarker") ?? "";
    const nextVersion = xmlText(xml, "NextVersionIdMarker");
    markers = `&key-marker=${encodeURIComponent(nextKey)}${nextVersion ? `&version-id-marker=${encodeURIComponent(nextVersion)}` : ""}`;
  }
}

/**
 * Every version and delete marker of exactly `key` (ListObjectVersions with the key as prefix, all pages),
 * or under `key` when it ends in `/` (a folder).
 */
export async function listVersions(
  target: S3Target,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<ObjectVersionRef[]> {
  const entries = await listVersionEntries(target, bucket, key, signal);
  return entries
    .filter((e) => key.endsWith("/") || e.key === key)
    .map(({ key: k, versionId }) => ({ key: k, versionId }));
}

/**
 * How many versions and delete markers of a data location's key (or under its folder) there are: 0 when
 * the bucket is gone, `null` when they cannot be listed (403: no `s3:ListBucketVersions`), which is not
 * the same as none.
 */
export async function countVersions(
  target: S3Target,
  dataLocation: string,
  signal?: AbortSignal,
): Promise<number | null> {
  const { bucket, key } = parseS3Uri(dataLocation, "dataLocation");
  try {
    return (await listVersions(target, bucket, key, signal)).length;
  } catch (error) {
    if (!(error instanceof S3Error) || error.httpStatus > 404) throw error;
    // No such bucket: nothing is left of the file. Forbidden: nothing can be said.
    return error.httpStatus === 404 ? 0 : null;
  }
}

/** Deletes one version (or delete marker) by its id: that version is gone for good. */
export const deleteVersion = (
  target: S3Target,
  bucket: string,
  version: ObjectVersionRef,
  signal?: AbortSignal,
): Promise<void> => deleteObject(target, bucket, version.key, signal, version.versionId);

/** Deletes every version of `key`; resolves with how many there were. Safe to repeat. */
export async function deleteEveryVersion(
  target: S3Target,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<number> {
  const versions = await listVersions(target, bucket, key, signal);
  for (const version of versions) await deleteVersion(target, bucket, version, signal);
  return versions.length;
}

/**
 * Deletes every version of `key`; where they cannot be listed (403: no `s3:ListBucketVersions`), deletes
 * the current object as a plain DELETE does, and says so with `listed: false` (on a versioned bucket its
 * earlier versions may stay).
 */
export async function eraseObject(
  target: S3Target,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<{ versionsDeleted: number; listed: boolean }> {
  try {
    return { versionsDeleted: await deleteEveryVersion(target, bucket, key, signal), listed: true };
  } catch (error) {
    if (!(error instanceof S3Error && error.httpStatus === 403)) throw error;
    await deleteObject(target, bucket, key, signal);
    return { versionsDeleted: 1, listed: false };
  }
}
