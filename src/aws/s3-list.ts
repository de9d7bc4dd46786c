// The current objects under a prefix (ListObjectsV2, every page): a suppression list's folder, a deletion
// job's folder of lists. Needs s3:ListBucket, not s3:ListBucketVersions: older versions are not listed.

import {
  EMPTY_PAYLOAD_SHA256,
  formatS3Uri,
  locateS3Error,
  objectUrl,
  parseS3Error,
  type S3Target,
  xmlText,
} from "./s3.ts";

/** One current object under a prefix, as ListObjectsV2 described it. */
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
          throw locateS3Error(error, "listing", formatS3Uri(bucket, prefix), "s3:ListBucket on the bucket");
        }
        return text;
      },
    );
    for (const [, entry] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      const key = xmlText(entry as string, "Key");
      if (key !== undefined) found.push({ key, size: Number(xmlText(entry as string, "Size") ?? 0) });
    }
    token = xmlText(xml, "IsTruncated") === "true" ? xmlText(xml, "NextContinuationToken") : undefined;
    if (token === undefined) return found;
  }
}
