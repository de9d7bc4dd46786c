// ListObjects, ListObjectsV2 and ListObjectVersions, paged as S3 pages them: a delimiter rolls keys up into
// common prefixes, max-keys counts keys, versions, delete markers and prefixes alike, and each page says
// where the next one starts.
import type { StoredObject } from "../state-types.ts";
import { isVersionId, type ObjectVersion, type Versions } from "../versioning.ts";
import { xmlEscape } from "../wire.ts";
import {
  encoder,
  encodingProblem,
  etagOf,
  invalidArgument,
  invalidVersionId,
  maxKeys,
  OWNER,
  XMLNS,
  xml,
} from "./common.ts";

// A key under a delimiter: its common prefix (prefix, then up to and including the delimiter), if any.
function commonPrefix(key: string, prefix: string, delimiter: string): string | undefined {
  const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
  return cut === -1 ? undefined : key.slice(0, cut + delimiter.length);
}

/**
 * The keys of a listing, S3's way: after `start`, under `prefix`, the keys below a `delimiter` rolled up
 * into common prefixes, at most `max` entries (keys and prefixes together), and whether more follow.
 */
function listKeys(keys: string[], prefix: string, delimiter: string, start: string, max: number) {
  const contents: string[] = [];
  const prefixes: string[] = [];
  let last = "";
  let truncated = false;
  for (const key of keys) {
    if (!key.startsWith(prefix) || key <= start) continue;
    const common = commonPrefix(key, prefix, delimiter);
    if (common !== undefined && (common === prefixes.at(-1) || common <= start)) continue;
    if (contents.length + prefixes.length >= max) {
      truncated = max > 0;
      break;
    }
    if (common === undefined) contents.push(key);
    else prefixes.push(common);
    last = common ?? key;
  }
  return { contents, prefixes, truncated, last };
}

// ListObjectsV2's continuation token: opaque to clients, as S3's is.
const tokenOf = (key: string) => btoa(`v1:${encodeURIComponent(key)}`);
function keyOfToken(token: string): string | undefined {
  try {
    const text = atob(token);
    return text.startsWith("v1:") ? decodeURIComponent(text.slice(3)) : undefined;
  } catch {
    return undefined;
  }
}

/** ListObjects (v1) and ListObjectsV2 of a bucket's current objects. */
export function listObjects(
  bucketName: string,
  objects: Map<string, StoredObject>,
  url: URL,
  v2: boolean,
): Response {
  const q = url.searchParams;
  const bad = encodingProblem(url);
  if (bad) return bad;
  const limits = maxKeys(url);
  if (limits instanceof Response) return limits;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const token = q.get("continuation-token");
  const startAfter = q.get("start-after") ?? "";
  let start: string;
  if (!v2) start = q.get("marker") ?? "";
  else if (token !== null) {
    const key = keyOfToken(token);
    if (key === undefined) return invalidArgument("The continuation token provided is incorrect", token);
    // A token resumes where its page ended; start-after only shapes the first page.
    start = key < startAfter ? startAfter : key;
  } else start = startAfter;
  const enc = encoder(url);
  const page = listKeys([...objects.keys()].sort(), prefix, delimiter, start, limits.max);
  const owner = !v2 || q.get("fetch-owner") === "true" ? OWNER : "";
  const contents = page.contents
    .map((k) => {
      const o = objects.get(k) as StoredObject;
      return `<Contents><Key>${enc(k)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified><ETag>"${etagOf(o)}"</ETag><Size>${o.body.length}</Size>${owner}<StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join("");
  const common = page.prefixes
    .map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`)
    .join("");
  const head = `<Name>${xmlEscape(bucketName)}</Name><Prefix>${enc(prefix)}</Prefix>${delimiter ? `<Delimiter>${enc(delimiter)}</Delimiter>` : ""}<MaxKeys>${limits.echo}</MaxKeys>${q.get("encoding-type") === "url" ? "<EncodingType>url</EncodingType>" : ""}<IsTruncated>${page.truncated}</IsTruncated>`;
  const body = `${contents}${common}`;
  if (v2) {
    const next = page.truncated ? `<NextContinuationToken>${tokenOf(page.last)}</NextContinuationToken>` : "";
    const count = page.contents.length + page.prefixes.length;
    const after = q.has("start-after") ? `<StartAfter>${enc(startAfter)}</StartAfter>` : "";
    return xml(
      `<ListBucketResult xmlns="${XMLNS}">${head}<KeyCount>${count}</KeyCount>${token !== null ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : ""}${after}${next}${body}</ListBucketResult>`,
    );
  }
  // Version 1 names the next marker only when a delimiter rolled keys up; without one the last key serves.
  const next = page.truncated && delimiter ? `<NextMarker>${enc(page.last)}</NextMarker>` : "";
  return xml(
    `<ListBucketResult xmlns="${XMLNS}">${head}<Marker>${enc(start)}</Marker>${next}${body}</ListBucketResult>`,
  );
}

function versionXml(key: string, v: ObjectVersion, isLatest: boolean, enc: (t: string) => string): string {
  const common = `<Key>${enc(key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${isLatest}</IsLatest><LastModified>${new Date(v.lastModified).toISOString()}</LastModified>`;
  return v.object
    ? `<Version>${common}<ETag>"${etagOf(v.object)}"</ETag><Size>${v.object.body.length}</Size><StorageClass>STANDARD</StorageClass>${OWNER}</Version>`
    : `<DeleteMarker>${OWNER}${common}</DeleteMarker>`;
}

/**
 * ListObjectVersions: by key, each key's versions and delete markers newest first, from after
 * `key-marker` (and, within that key, after `version-id-marker`), at most `max-keys` entries.
 */
export function listVersions(bucket: string, versions: Versions, url: URL): Response {
  const q = url.searchParams;
  const bad = encodingProblem(url);
  if (bad) return bad;
  const limits = maxKeys(url);
  if (limits instanceof Response) return limits;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const keyMarker = q.get("key-marker") ?? "";
  const versionIdMarker = q.get("version-id-marker") ?? "";
  if (versionIdMarker && !keyMarker) {
    return invalidArgument("A version-id marker cannot be specified without a key marker.");
  }
  if (versionIdMarker && !isVersionId(versionIdMarker)) return invalidVersionId(versionIdMarker);
  const enc = encoder(url);
  const entries: string[] = [];
  const prefixes: string[] = [];
  let next: { key: string; versionId?: string } | undefined;
  let truncated = false;
  const full = () => entries.length + prefixes.length >= limits.max;
  scan: for (const key of versions.keys(bucket)) {
    if (!key.startsWith(prefix) || key < keyMarker || (key === keyMarker && !versionIdMarker)) continue;
    const common = commonPrefix(key, prefix, delimiter);
    if (common !== undefined) {
      if (common === prefixes.at(-1) || (keyMarker && common <= keyMarker)) continue;
      if (full()) {
        truncated = limits.max > 0;
        break;
      }
      prefixes.push(common);
      next = { key: common };
      continue;
    }
    const list = [...versions.versionsOf(bucket, key)].reverse();
    let from = 0;
    if (key === keyMarker) {
      const at = list.findIndex((v) => v.versionId === versionIdMarker);
      from = at === -1 ? list.length : at + 1;
    }
    for (let i = from; i < list.length; i++) {
      if (full()) {
        truncated = limits.max > 0;
        break scan;
      }
      const v = list[i] as ObjectVersion;
      entries.push(versionXml(key, v, i === 0, enc));
      next = { key, versionId: v.versionId };
    }
  }
  const nextMarkers =
    truncated && next
      ? `<NextKeyMarker>${enc(next.key)}</NextKeyMarker>${next.versionId ? `<NextVersionIdMarker>${next.versionId}</NextVersionIdMarker>` : ""}`
      : "";
  const common = prefixes.map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`).join("");
  return xml(
    `<ListVersionsResult xmlns="${XMLNS}"><Name>${xmlEscape(bucket)}</Name><Prefix>${enc(prefix)}</Prefix><KeyMarker>${enc(keyMarker)}</KeyMarker><VersionIdMarker>${xmlEscape(versionIdMarker)}</VersionIdMarker>${nextMarkers}<MaxKeys>${limits.echo}</MaxKeys>${delimiter ? `<Delimiter>${enc(delimiter)}</Delimiter>` : ""}${q.get("encoding-type") === "url" ? "<EncodingType>url</EncodingType>" : ""}<IsTruncated>${truncated}</IsTruncated>${entries.join("")}${common}</ListVersionsResult>`,
  );
}
