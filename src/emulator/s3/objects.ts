// GetObject, HeadObject, PutObject and DeleteObject, of the current object or of a version by its id: ranged
// and part-numbered reads, conditional reads and writes, the headers S3 stores, checksums on request.
import type { StoredObject } from "../state-types.ts";
import { isVersionId, type ObjectVersion, type Versions } from "../versioning.ts";
import { s3Error } from "../wire.ts";
import { checksumHeader, checksumHeaders, verifyUpload } from "./checksums.ts";
import { etagOf, invalidArgument, invalidVersionId, noSuchKey } from "./common.ts";
import { readCondition, writeCondition } from "./conditions.ts";

/** The headers S3 stores with an object and returns on GET and HEAD (beside Content-Type). */
const STORED_HEADERS = [
  "cache-control",
  "content-disposition",
  "content-encoding",
  "content-language",
  "expires",
];
/** GetObject's `response-*` overrides, and the header each sets. */
const OVERRIDES = [
  "response-cache-control",
  "response-content-disposition",
  "response-content-encoding",
  "response-content-language",
  "response-content-type",
  "response-expires",
];

/** What the object calls need besides the request. */
export interface ObjectContext {
  versions: Versions;
  bucket: string;
  key: string;
  now(): number;
  changed(): void;
}

/** The stored headers and user metadata of an upload (PutObject, CreateMultipartUpload). */
export function storedFields(request: Request): Pick<StoredObject, "contentType" | "meta" | "headers"> {
  const meta: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    if (name.startsWith("x-amz-meta-")) meta[name] = value;
    else if (STORED_HEADERS.includes(name)) headers[name] = value;
  }
  // aws-chunked is how the body travelled, not how it is stored: S3 drops it from Content-Encoding.
  const encoding = (headers["content-encoding"] ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e && e !== "aws-chunked")
    .join(",");
  if (encoding) headers["content-encoding"] = encoding;
  else delete headers["content-encoding"];
  return { contentType: request.headers.get("content-type") ?? "binary/octet-stream", meta, headers };
}

function objectHeaders(object: StoredObject): Headers {
  const headers = new Headers({
    "content-type": object.contentType,
    etag: `"${etagOf(object)}"`,
    "last-modified": new Date(object.lastModified).toUTCString(),
    "accept-ranges": "bytes",
  });
  for (const [name, value] of Object.entries(object.headers ?? {})) headers.set(name, value);
  for (const [name, value] of Object.entries(object.meta)) headers.set(name, value);
  return headers;
}

// A Range header's bytes within `size`: `undefined` for none (or one S3 ignores), "unsatisfiable" for one
// that starts past the end.
function byteRange(header: string | null, size: number): [number, number] | "unsatisfiable" | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return [Math.max(0, size - suffix), size - 1];
  }
  const first = Number(m[1]);
  const last = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (first >= size || last < first) return "unsatisfiable";
  return [first, last];
}

// An error S3 answers with a body on GET and with none on HEAD.
function failed(head: boolean, error: Response, extra: Record<string, string> = {}): Response {
  for (const [name, value] of Object.entries(extra)) error.headers.set(name, value);
  return head ? new Response(null, { status: error.status, headers: error.headers }) : error;
}

// The part `n` of an object as a byte range (a whole object written in one PUT is its only part).
function partRange(object: StoredObject, n: number): [number, number] | undefined {
  const parts = object.parts ?? [object.body.length];
  if (n > parts.length) return undefined;
  const first = parts.slice(0, n - 1).reduce((a, b) => a + b, 0);
  return [first, first + (parts[n - 1] as number) - 1];
}

/** GetObject and HeadObject, of the current object or of `versionId`. */
export async function getObject(request: Request, url: URL, ctx: ObjectContext): Promise<Response> {
  const { versions, bucket, key } = ctx;
  const head = request.method === "HEAD";
  const q = url.searchParams;
  const versionId = q.get("versionId");
  let version: ObjectVersion | undefined;
  if (versionId !== null) {
    if (!isVersionId(versionId)) return failed(head, invalidVersionId(versionId));
    version = versions.find(bucket, key, versionId);
    if (!version) {
      return failed(head, s3Error(404, "NoSuchVersion", "The specified version does not exist.", key));
    }
  } else version = versions.latest(bucket, key);
  if (!version) return failed(head, noSuchKey(key));
  const marker = { "x-amz-delete-marker": "true", "x-amz-version-id": version.versionId };
  if (!version.object) {
    // The latest version is a delete marker: the key is gone (404); asked for by id, it is no object (405).
    if (versionId === null) return failed(head, noSuchKey(key), marker);
    const error = s3Error(
      405,
      "MethodNotAllowed",
      "The specified method is not allowed against this resource.",
    );
    return failed(head, error, {
      ...marker,
      "last-modified": new Date(version.lastModified).toUTCString(),
      allow: "DELETE",
    });
  }
  const object = version.object;
  const headers = objectHeaders(object);
  if (versionId !== null || versions.status.has(bucket)) headers.set("x-amz-version-id", version.versionId);
  const condition = readCondition(request.headers, etagOf(object), object.lastModified);
  if (condition === 304) {
    const kept = ["etag", "last-modified", "x-amz-version-id"];
    return new Response(null, {
      status: 304,
      headers: Object.fromEntries([...headers].filter(([name]) => kept.includes(name))),
    });
  }
  if (condition === 412) {
    return failed(
      head,
      s3Error(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        key,
      ),
    );
  }
  const size = object.body.length;
  const rawPart = q.get("partNumber");
  let range: [number, number] | "unsatisfiable" | undefined;
  let partNumber: number | undefined;
  if (rawPart !== null) {
    partNumber = Number(rawPart);
    if (!/^\d+$/.test(rawPart) || partNumber < 1 || partNumber > 10_000) {
      return failed(head, invalidArgument("Part number must be an integer between 1 and 10000, inclusive"));
    }
    if (request.headers.has("range")) {
      return failed(
        head,
        s3Error(400, "InvalidRequest", "Cannot specify both Range header and partNumber query parameter"),
      );
    }
    range = partRange(object, partNumber);
    if (!range) {
      return failed(
        head,
        s3Error(416, "InvalidPartNumber", "The requested partnumber is not satisfiable", key),
      );
    }
    if (object.parts) headers.set("x-amz-mp-parts-count", String(object.parts.length));
    if (size === 0) range = undefined;
  } else {
    range = byteRange(request.headers.get("range"), size);
  }
  if (range === "unsatisfiable") {
    const error = s3Error(416, "InvalidRange", "The requested range is not satisfiable", key);
    return failed(head, error, { "content-range": `bytes */${size}` });
  }
  if (request.headers.get("x-amz-checksum-mode")?.toUpperCase() === "ENABLED" && (!range || partNumber)) {
    for (const [name, value] of Object.entries(await checksumHeaders(object, partNumber)))
      headers.set(name, value);
  }
  for (const name of OVERRIDES) {
    const value = q.get(name);
    if (value !== null) headers.set(name.slice("response-".length), value);
  }
  const [first, last] = range ?? [0, size - 1];
  const bytes = range ? object.body.subarray(first, last + 1) : object.body;
  headers.set("content-length", String(bytes.length));
  if (range) headers.set("content-range", `bytes ${first}-${last}/${size}`);
  return new Response(head ? null : (bytes as Uint8Array<ArrayBuffer>), {
    status: range ? 206 : 200,
    headers,
  });
}

/**
 * PutObject: verified against what it claims of its bytes, under its write conditions, stored as a new
 * version (or the "null" one) and made current.
 */
export async function putObject(
  request: Request,
  url: URL,
  ctx: ObjectContext,
  body: Uint8Array,
  trailers: Headers,
  store: (
    body: Uint8Array,
    fields: Omit<StoredObject, "body" | "sha256" | "lastModified">,
  ) => Promise<StoredObject>,
): Promise<Response> {
  const { versions, bucket, key } = ctx;
  const verified = await verifyUpload(request, url, body, trailers);
  if (verified instanceof Response) return verified;
  const refused = writeCondition(request.headers, key, versions.latest(bucket, key)?.object);
  if (refused) return refused;
  const fields = { ...storedFields(request), ...(verified.checksum ? { checksum: verified.checksum } : {}) };
  const object = await store(body, fields);
  const versionId = versions.put(bucket, key, object);
  ctx.changed();
  const headers: Record<string, string> = { etag: `"${etagOf(object)}"` };
  if (versionId) headers["x-amz-version-id"] = versionId;
  if (verified.checksum) {
    headers[checksumHeader(verified.checksum.algorithm)] = verified.checksum.value;
    headers["x-amz-checksum-type"] = "FULL_OBJECT";
  }
  return new Response(null, { status: 200, headers });
}

/** DeleteObject: one version for good (`versionId`), or the current object (a delete marker when versioned). */
export function deleteObject(url: URL, ctx: ObjectContext): Response {
  const { versions, bucket, key } = ctx;
  const versionId = url.searchParams.get("versionId");
  if (versionId !== null && !isVersionId(versionId)) return invalidVersionId(versionId);
  const done =
    versionId !== null
      ? (versions.deleteVersion(bucket, key, versionId) ?? { versionId, deleteMarker: false })
      : versions.deleteCurrent(bucket, key, ctx.now());
  ctx.changed();
  const headers: Record<string, string> = {};
  if (done.versionId) headers["x-amz-version-id"] = done.versionId;
  if (done.deleteMarker) headers["x-amz-delete-marker"] = "true";
  return new Response(null, { status: 204, headers });
}
