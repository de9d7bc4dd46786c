// The suppression list's S3 side: list its folder (ListObjectsV2, every page: the current objects are the
// list, so s3:ListBucket is enough, not s3:ListBucketVersions), read an object whole (each is 32 bytes per
// erased user, small), and write a new one only where nothing is (If-None-Match: *), so a retry whose
// first answer was lost cannot replace anything.

import {
  EMPTY_PAYLOAD_SHA256,
  formatS3Uri,
  objectUrl,
  parseS3Error,
  type S3Target,
  xmlField,
} from "../aws/s3.ts";
import { S3Error } from "../errors.ts";

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };

// A field with its XML entities decoded, named and numeric alike (`&amp;` and `&#38;` are both `&`).
const field = (xml: string, name: string): string | undefined =>
  xmlField(xml, name)?.replace(/&(lt|gt|quot|apos|amp|#[0-9]+|#x[0-9a-fA-F]+);/g, (_, entity: string) =>
    entity.startsWith("#")
      ? String.fromCodePoint(
          Number.parseInt(entity.slice(entity[1] === "x" ? 2 : 1), entity[1] === "x" ? 16 : 10),
        )
      : (ENTITIES[entity] as string),
  );

// A refused request, told with the location and what permission it needs.
function located(error: S3Error, what: string, uri: string, permission: string): S3Error {
  const hint = error.name === "AccessDenied" ? `; allow ${permission}` : "";
  return new S3Error(`${what} ${uri} failed: ${error.name}: ${error.message}${hint}`, {
    httpStatus: error.httpStatus,
    requestId: error.requestId,
    retryable: error.retryable,
    code: error.name,
  });
}

/** One object of the suppression folder, as the listing described it. */
export interface StoredObject {
  key: string;
  size: number;
}

/**
 * Every object whose key starts with `prefix` (all pages, of at most `maxKeys` keys each: S3's default and
 * cap is 1,000), in S3's key order.
 */
export async function listObjects(
  target: S3Target,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
  maxKeys?: number,
): Promise<StoredObject[]> {
  const found: StoredObject[] = [];
  let token: string | undefined;
  for (;;) {
    const page = maxKeys === undefined ? "" : `&max-keys=${maxKeys}`;
    const next = token === undefined ? "" : `&continuation-token=${encodeURIComponent(token)}`;
    const query = `?list-type=2&prefix=${encodeURIComponent(prefix)}${page}${next}`;
    const xml = await target.transport.send(
      {
        service: "s3",
        operation: "ListObjectsV2",
        method: "GET",
        url: objectUrl(target, bucket, "") + query,
        headers: { "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256 },
        signal,
      },
      async (response) => {
        const text = await response.text();
        if (!response.ok) {
          const error = parseS3Error(response.status, response.headers, text);
          throw located(error, "listing", formatS3Uri(bucket, prefix), "s3:ListBucket on the bucket");
        }
        return text;
      },
    );
    for (const [, entry] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      const key = field(entry as string, "Key");
      if (key !== undefined) found.push({ key, size: Number(field(entry as string, "Size") ?? 0) });
    }
    token = field(xml, "IsTruncated") === "true" ? field(xml, "NextContinuationToken") : undefined;
    if (token === undefined) return found;
  }
}

/** The whole body of an object, with its response headers (its user metadata among them). */
export async function getObjectBytes(
  target: S3Target,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<{ body: Uint8Array; headers: Headers }> {
  return target.transport.send(
    {
      service: "s3",
      operation: "GetObject",
      method: "GET",
      url: objectUrl(target, bucket, key),
      headers: { "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256 },
      signal,
    },
    async (response) => {
      if (!response.ok) {
        const error = parseS3Error(response.status, response.headers, await response.text());
        throw located(error, "reading", formatS3Uri(bucket, key), "s3:GetObject on its keys");
      }
      return { body: new Uint8Array(await response.arrayBuffer()), headers: response.headers };
    },
  );
}

/**
 * Writes `body` (whose hex SHA-256 is `sha256`) at `key` with the `x-amz-meta-*` headers in `metadata`,
 * unless an object is there already (`If-None-Match: *`; S3 answers 412). Returns whether this call wrote it.
 */
export async function putObjectIfAbsent(
  target: S3Target,
  bucket: string,
  key: string,
  body: Uint8Array,
  sha256: string,
  signal?: AbortSignal,
  metadata: Record<string, string> = {},
): Promise<boolean> {
  return target.transport.send(
    {
      service: "s3",
      operation: "PutObject",
      method: "PUT",
      url: objectUrl(target, bucket, key),
      headers: {
        "content-type": "application/octet-stream",
        "if-none-match": "*",
        "x-amz-content-sha256": sha256,
        ...metadata,
      },
      body,
      signal,
    },
    async (response) => {
      const text = await response.text();
      if (response.ok) return true;
      if (response.status === 412) return false;
      const error = parseS3Error(response.status, response.headers, text);
      throw located(error, "writing", formatS3Uri(bucket, key), "s3:PutObject on its keys");
    },
  );
}
