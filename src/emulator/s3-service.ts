// The S3 side of the emulator: path-style buckets and objects, with the behaviours clients rely on.
import { sha256Hex } from "../hash.ts";
import type { ServiceHooks } from "./personalize.ts";
import type { EmulatorState, StoredObject } from "./state.ts";
import { s3Error, xmlEscape } from "./wire.ts";

/** Largest object accepted. */
export const MAX_OBJECT_BODY = 256 << 20;

const notAllowed = () =>
  s3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
const noSuchBucket = (bucket: string) =>
  s3Error(404, "NoSuchBucket", "The specified bucket does not exist", bucket);

function listObjects(bucketName: string, objects: Map<string, StoredObject>, url: URL): Response {
  const prefix = url.searchParams.get("prefix") ?? "";
  const max = Math.min(1000, Number(url.searchParams.get("max-keys") ?? 1000) || 1000);
  const start = url.searchParams.get("continuation-token") ?? url.searchParams.get("start-after") ?? "";
  const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > start).sort();
  const page = keys.slice(0, max);
  const truncated = keys.length > max;
  const contents = page
    .map((k) => {
      const o = objects.get(k) as StoredObject;
      return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified><ETag>"${o.sha256.slice(0, 32)}"</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join("");
  const next = truncated
    ? `<NextContinuationToken>${xmlEscape(page[page.length - 1] as string)}</NextContinuationToken>`
    : "";
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucketName)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`;
  return new Response(xml, { headers: { "content-type": "application/xml" } });
}

/** The S3 calls: `(request, its URL, its body)` to an answer. */
export function s3Service(state: EmulatorState, hooks: ServiceHooks) {
  function bucketCall(request: Request, url: URL, bucketName: string): Response {
    const objects = state.buckets.get(bucketName);
    if (request.method === "PUT") {
      if (objects) {
        return s3Error(
          409,
          "BucketAlreadyOwnedByYou",
          "Your previous request to create the named bucket succeeded and you already own it.",
          bucketName,
        );
      }
      state.buckets.set(bucketName, new Map());
      hooks.changed();
      return new Response(null, { status: 200, headers: { location: `/${bucketName}` } });
    }
    if (!objects) return noSuchBucket(bucketName);
    if (request.method === "HEAD") return new Response(null, { status: 200 });
    if (request.method === "GET" && url.searchParams.get("list-type") === "2")
      return listObjects(bucketName, objects, url);
    return notAllowed();
  }

  async function put(request: Request, objects: Map<string, StoredObject>, key: string, body: Uint8Array) {
    // As S3 does: a chunked upload without its length is refused, so a client that streams is caught here.
    if (!request.headers.has("content-length"))
      return s3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
    if (body.length > MAX_OBJECT_BODY)
      return s3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
    if (request.headers.get("if-none-match") === "*" && objects.has(key)) {
      return s3Error(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        key,
      );
    }
    // A payload hash in the signature was checked against the body already; no need to hash it twice.
    const claimed = request.headers.get("x-amz-content-sha256") ?? "";
    const sha256 = /^[0-9a-f]{64}$/.test(claimed) ? claimed : await sha256Hex(body);
    const meta: Record<string, string> = {};
    for (const [name, value] of request.headers) if (name.startsWith("x-amz-meta-")) meta[name] = value;
    objects.set(key, {
      body,
      sha256,
      contentType: request.headers.get("content-type") ?? "application/octet-stream",
      meta,
      lastModified: hooks.now(),
    });
    hooks.changed();
    return new Response(null, { status: 200, headers: { etag: `"${sha256.slice(0, 32)}"` } });
  }

  function get(method: string, existing: StoredObject | undefined, key: string): Response {
    if (!existing) {
      return method === "HEAD"
        ? new Response(null, { status: 404 })
        : s3Error(404, "NoSuchKey", "The specified key does not exist.", key);
    }
    const headers = new Headers({
      "content-type": existing.contentType,
      "content-length": String(existing.body.length),
      etag: `"${existing.sha256.slice(0, 32)}"`,
      "last-modified": new Date(existing.lastModified).toUTCString(),
    });
    for (const [name, value] of Object.entries(existing.meta)) headers.set(name, value);
    return new Response(method === "HEAD" ? null : (existing.body as Uint8Array<ArrayBuffer>), {
      status: 200,
      headers,
    });
  }

  return async (request: Request, url: URL, body: Uint8Array): Promise<Response> => {
    const path = url.pathname.slice(1);
    const slash = path.indexOf("/");
    const bucketName = decodeURIComponent(slash === -1 ? path : path.slice(0, slash));
    let key: string;
    try {
      key = slash === -1 ? "" : decodeURIComponent(path.slice(slash + 1));
    } catch {
      return s3Error(400, "InvalidURI", "Couldn't parse the specified URI.", url.pathname);
    }
    if (!bucketName) return notAllowed();
    if (key === "") return bucketCall(request, url, bucketName);
    const objects = state.buckets.get(bucketName);
    if (!objects) return noSuchBucket(bucketName);
    const method = request.method;
    if (method === "PUT") return put(request, objects, key, body);
    if (method === "DELETE") {
      if (objects.delete(key)) hooks.changed();
      return new Response(null, { status: 204 });
    }
    if (method === "GET" || method === "HEAD") return get(method, objects.get(key), key);
    return notAllowed();
  };
}
