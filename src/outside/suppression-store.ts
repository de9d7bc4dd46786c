// The suppression list's S3 side: its folder is listed by src/aws/s3-list.ts (the current objects are the
// list, so s3:ListBucket is enough, not s3:ListBucketVersions); here: read an object whole (each is 32 bytes per
// erased user, small), and write a new one only where nothing is (If-None-Match: *), so a retry whose
// first answer was lost cannot replace anything.

import {
  EMPTY_PAYLOAD_SHA256,
  formatS3Uri,
  locateS3Error,
  objectUrl,
  parseS3Error,
  type S3Target,
} from "../aws/s3.ts";

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
        throw locateS3Error(error, "reading", formatS3Uri(bucket, key), "s3:GetObject on its keys");
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
      throw locateS3Error(error, "writing", formatS3Uri(bucket, key), "s3:PutObject on its keys");
    },
  );
}
