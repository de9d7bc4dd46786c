// Conditional requests, as S3 evaluates them (RFC 7232's order): on GET and HEAD, If-Match then
// If-Unmodified-Since (412), If-None-Match then If-Modified-Since (304); on writes (PutObject,
// CompleteMultipartUpload), If-Match against the current object's ETag and If-None-Match: * against its
// existence.
import type { StoredObject } from "../state-types.ts";
import { etagOf, noSuchKey, notImplemented, preconditionFailed } from "./common.ts";

// Whether an If-Match / If-None-Match list names this ETag (`*` names any).
function names(header: string, etag: string): boolean {
  return header
    .split(",")
    .map((t) => t.trim().replace(/^W\//, "").replace(/^"|"$/g, ""))
    .some((t) => t === "*" || t === etag);
}

// An HTTP date, in seconds; `undefined` for none or one that does not parse (then S3 ignores it).
function seconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.floor(at / 1000);
}

/**
 * How a GET or HEAD of an existing object is answered under its conditional headers: 412, 304, or
 * `undefined` to serve it. An If-Match that holds makes If-Unmodified-Since moot, and an If-None-Match
 * makes If-Modified-Since moot, as S3 documents.
 */
export function readCondition(headers: Headers, etag: string, lastModified: number): 304 | 412 | undefined {
  const modified = Math.floor(lastModified / 1000);
  const ifMatch = headers.get("if-match");
  const ifNoneMatch = headers.get("if-none-match");
  if (ifMatch !== null) {
    if (!names(ifMatch, etag)) return 412;
  } else {
    const since = seconds(headers.get("if-unmodified-since"));
    if (since !== undefined && modified > since) return 412;
  }
  if (ifNoneMatch !== null) {
    if (names(ifNoneMatch, etag)) return 304;
  } else {
    const since = seconds(headers.get("if-modified-since"));
    if (since !== undefined && modified <= since) return 304;
  }
  return undefined;
}

/**
 * S3's answer to a conditional write onto `key` whose current object is `current`, or `undefined` to go on:
 * If-Match needs the object (404 NoSuchKey without one) with that ETag (412); If-None-Match takes only `*`
 * and fails (412) when the key has a current object.
 */
export function writeCondition(
  headers: Headers,
  key: string,
  current: StoredObject | undefined,
): Response | undefined {
  const ifMatch = headers.get("if-match");
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null && ifNoneMatch.trim() !== "*") return notImplemented("If-None-Match other than *");
  if (ifMatch !== null) {
    if (!current) return noSuchKey(key);
    if (!names(ifMatch, etagOf(current))) return preconditionFailed(key);
  }
  if (ifNoneMatch !== null && current) return preconditionFailed(key);
  return undefined;
}
