// The S3 side of the emulator: path-style buckets and objects, with the behaviours real S3 clients rely on
// (ranged GETs, multipart uploads, listings with delimiters) and S3's refusals. A query the emulator does not
// implement is answered 501 NotImplemented, never served as a plain GET, PUT or DELETE.
import { sha256Hex } from "../hash.ts";
import { checksum, md5, multipartEtag } from "./digest.ts";
import type { ServiceHooks } from "./personalize.ts";
import type { EmulatorState, MultipartUpload, StoredObject } from "./state.ts";
import { Versions } from "./versioning.ts";
import { s3Error, xmlEscape } from "./wire.ts";

/** Largest object accepted in one PUT. */
export const MAX_OBJECT_BODY = 256 << 20;
/** S3's smallest part, except the last. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

/** The query parameters each operation takes; any other is a feature the emulator does not have. */
const OPERATIONS: Record<string, string[]> = {
  ListObjectsV2: [
    "list-type",
    "prefix",
    "delimiter",
    "max-keys",
    "continuation-token",
    "start-after",
    "encoding-type",
    "fetch-owner",
  ],
  ListObjects: ["prefix", "delimiter", "max-keys", "marker", "encoding-type"],
  GetBucketLocation: ["location"],
  GetBucketVersioning: ["versioning"],
  PutBucketVersioning: ["versioning"],
  ListObjectVersions: ["versions", "prefix"],
  ObjectVersion: ["versionId"],
  CreateMultipartUpload: ["uploads"],
  UploadPart: ["partNumber", "uploadId"],
  CompleteMultipartUpload: ["uploadId"],
  AbortMultipartUpload: ["uploadId"],
  ListParts: ["uploadId", "max-parts", "part-number-marker"],
  Object: [],
  Bucket: [],
};
// Added by the AWS SDKs to requests, by presigned URLs, and checksums hoisted into a presigned query: not
// subresources.
const ALWAYS = /^(x-id|X-Amz-[A-Za-z0-9-]+|x-amz-checksum-[a-z0-9]+|x-amz-sdk-checksum-algorithm)$/;

const xml = (body: string, status = 200) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    status,
    headers: { "content-type": "application/xml" },
  });
const notAllowed = () =>
  s3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
const noSuchBucket = (bucket: string) =>
  s3Error(404, "NoSuchBucket", "The specified bucket does not exist", bucket);
const notImplemented = (what: string) =>
  s3Error(
    501,
    "NotImplemented",
    `A header or query you provided implies functionality that is not implemented: ${what}`,
  );

// A conditional write (If-None-Match: *) onto a key that is taken: PutObject and CompleteMultipartUpload.
const exists = (request: Request, objects: Map<string, StoredObject>, key: string) =>
  request.headers.get("if-none-match") === "*" && objects.has(key);
const preconditionFailed = (key: string) =>
  s3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", key);

/** S3's bucket naming rules (general purpose buckets). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return "must hold only lowercase letters, digits, dots and hyphens, and begin and end with a letter or digit";
  }
  if (name.includes("..") || name.includes(".-") || name.includes("-.")) return "must not hold adjacent dots";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "must not look like an IP address";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3)$/.test(name)) {
    return "must not use a reserved prefix or suffix";
  }
  return undefined;
}

function encoder(url: URL): (text: string) => string {
  return url.searchParams.get("encoding-type") === "url"
    ? (text) => encodeURIComponent(text).replace(/%2F/g, "/")
    : xmlEscape;
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
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const common = cut === -1 ? undefined : key.slice(0, cut + delimiter.length);
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

// Objects put in place by hand (tests) or restored from an older snapshot carry no ETag yet.
const etagOf = (object: StoredObject) => (object.etag ??= md5(object.body));

function contentsXml(objects: Map<string, StoredObject>, keys: string[], enc: (t: string) => string): string {
  return keys
    .map((k) => {
      const o = objects.get(k) as StoredObject;
      return `<Contents><Key>${enc(k)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified><ETag>"${etagOf(o)}"</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join("");
}

function listObjects(
  bucketName: string,
  objects: Map<string, StoredObject>,
  url: URL,
  v2: boolean,
): Response {
  const q = url.searchParams;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const rawMax = q.get("max-keys");
  const max = rawMax === null ? 1000 : Number(rawMax);
  if (!Number.isInteger(max) || max < 0) {
    return s3Error(400, "InvalidArgument", "Provided max-keys not an integer or within integer range");
  }
  const start = v2 ? (q.get("continuation-token") ?? q.get("start-after") ?? "") : (q.get("marker") ?? "");
  const enc = encoder(url);
  const page = listKeys([...objects.keys()].sort(), prefix, delimiter, start, Math.min(max, 1000));
  const common = page.prefixes
    .map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`)
    .join("");
  const head = `<Name>${xmlEscape(bucketName)}</Name><Prefix>${enc(prefix)}</Prefix>${delimiter ? `<Delimiter>${enc(delimiter)}</Delimiter>` : ""}<MaxKeys>${max}</MaxKeys>${q.get("encoding-type") === "url" ? "<EncodingType>url</EncodingType>" : ""}<IsTruncated>${page.truncated}</IsTruncated>`;
  const body = `${contentsXml(objects, page.contents, enc)}${common}`;
  if (v2) {
    const token = q.get("continuation-token");
    const next = page.truncated
      ? `<NextContinuationToken>${xmlEscape(page.last)}</NextContinuationToken>`
      : "";
    const count = page.contents.length + page.prefixes.length;
    return xml(
      `<ListBucketResult xmlns="${XMLNS}">${head}<KeyCount>${count}</KeyCount>${token ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : ""}${next}${body}</ListBucketResult>`,
    );
  }
  // Version 1 names the next marker only when a delimiter rolled keys up; without one the last key serves.
  const next = page.truncated && delimiter ? `<NextMarker>${enc(page.last)}</NextMarker>` : "";
  return xml(
    `<ListBucketResult xmlns="${XMLNS}">${head}<Marker>${enc(start)}</Marker>${next}${body}</ListBucketResult>`,
  );
}

// A Range header's bytes within `size`: `undefined` for none (or one S3 ignores), "unsatisfiable" for one
// that starts past the end.
function byteRange(header: string | null, size: number): [number, number] | "unsatisfiable" | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    return [Math.max(0, size - suffix), size - 1];
  }
  const first = Number(m[1]);
  const last = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (first >= size || last < first) return "unsatisfiable";
  return [first, last];
}

function objectHeaders(object: StoredObject): Headers {
  const headers = new Headers({
    "content-type": object.contentType,
    etag: `"${etagOf(object)}"`,
    "last-modified": new Date(object.lastModified).toUTCString(),
    "accept-ranges": "bytes",
  });
  for (const [name, value] of Object.entries(object.meta)) headers.set(name, value);
  return headers;
}

function getObject(request: Request, object: StoredObject | undefined, key: string): Response {
  const head = request.method === "HEAD";
  if (!object) {
    return head
      ? new Response(null, { status: 404 })
      : s3Error(404, "NoSuchKey", "The specified key does not exist.", key);
  }
  const size = object.body.length;
  const headers = objectHeaders(object);
  const range = byteRange(request.headers.get("range"), size);
  if (range === "unsatisfiable") {
    if (head) return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
    const response = s3Error(416, "InvalidRange", "The requested range is not satisfiable", key);
    response.headers.set("content-range", `bytes */${size}`);
    return response;
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

function metadataOf(request: Request): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [name, value] of request.headers) if (name.startsWith("x-amz-meta-")) meta[name] = value;
  return meta;
}

// Content-MD5 and every x-amz-checksum-* (a header, or a presigned URL's query), when sent, must be the
// body's: S3 refuses a body that changed on the way, or a checksum taken of other bytes.
async function digestProblem(request: Request, url: URL, body: Uint8Array): Promise<Response | undefined> {
  const claimed = request.headers.get("content-md5");
  if (claimed !== null) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(claimed)) {
      return s3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
    }
    if (claimed !== md5(body, "base64")) {
      return s3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
    }
  }
  const sent = [...request.headers, ...url.searchParams].filter(([name]) =>
    /^x-amz-checksum-[a-z0-9]+$/i.test(name),
  );
  for (const [name, value] of sent) {
    const algorithm = name.toLowerCase().slice("x-amz-checksum-".length);
    if (algorithm === "type" || algorithm === "algorithm") continue;
    const actual = await checksum(algorithm, body);
    if (actual === undefined) return notImplemented(name);
    if (actual !== value) {
      return s3Error(
        400,
        "BadDigest",
        `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
      );
    }
  }
  return undefined;
}

// The XML of CompleteMultipartUpload: its parts in the order given.
function requestedParts(text: string): { partNumber: number; etag: string }[] | undefined {
  if (!/<CompleteMultipartUpload[\s>]/.test(text)) return undefined;
  return [...text.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
    partNumber: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1] as string)?.[1]),
    etag: (/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1] as string)?.[1] ?? "").replace(/&quot;|"/g, "").trim(),
  }));
}

/** Which operation a request is, from its method, whether it names a key, and its query. */
function operationOf(method: string, hasKey: boolean, q: URLSearchParams): string {
  if (!hasKey) {
    if (method === "GET" && q.has("location")) return "GetBucketLocation";
    if (q.has("versioning")) return method === "PUT" ? "PutBucketVersioning" : "GetBucketVersioning";
    if (method === "GET" && q.has("versions")) return "ListObjectVersions";
    if (method === "GET") return q.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects";
    return "Bucket";
  }
  if (method === "POST" && q.has("uploads")) return "CreateMultipartUpload";
  if (method === "PUT" && q.has("uploadId")) return "UploadPart";
  if (method === "POST" && q.has("uploadId")) return "CompleteMultipartUpload";
  if (method === "DELETE" && q.has("uploadId")) return "AbortMultipartUpload";
  if (method === "GET" && q.has("uploadId")) return "ListParts";
  if (q.has("versionId") && method !== "PUT" && method !== "POST") return "ObjectVersion";
  return "Object";
}

/** The S3 calls: `(request, its URL, its body)` to an answer. */
export function s3Service(state: EmulatorState, hooks: ServiceHooks) {
  const versions = new Versions(state);

  // GetObject, HeadObject and DeleteObject of one version, by its id.
  function objectVersion(request: Request, url: URL, bucketName: string, key: string): Response {
    const versionId = url.searchParams.get("versionId") ?? "";
    if (request.method === "DELETE") {
      const gone = versions.deleteVersion(bucketName, key, versionId);
      if (gone) hooks.changed();
      return new Response(null, {
        status: 204,
        headers: {
          "x-amz-version-id": versionId,
          ...(gone?.deleteMarker ? { "x-amz-delete-marker": "true" } : {}),
        },
      });
    }
    const version = versions.find(bucketName, key, versionId);
    if (!version) {
      return request.method === "HEAD"
        ? new Response(null, { status: 404 })
        : s3Error(404, "NoSuchVersion", "The specified version does not exist.", key);
    }
    if (!version.object) {
      const response = s3Error(
        405,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
      );
      response.headers.set("x-amz-delete-marker", "true");
      return request.method === "HEAD"
        ? new Response(null, { status: 405, headers: response.headers })
        : response;
    }
    const response = getObject(request, version.object, key);
    response.headers.set("x-amz-version-id", versionId);
    return response;
  }
  // The payload hash a signature carried was checked against the body already: no need to hash it twice.
  const store = async (
    body: Uint8Array,
    fields: Omit<StoredObject, "body" | "sha256" | "lastModified">,
    request?: Request,
  ): Promise<StoredObject> => {
    const claimed = request?.headers.get("x-amz-content-sha256") ?? "";
    return {
      ...fields,
      body,
      sha256: /^[0-9a-f]{64}$/.test(claimed) ? claimed : await sha256Hex(body),
      lastModified: hooks.now(),
    };
  };

  function listBuckets(): Response {
    const buckets = [...state.buckets.keys()]
      .sort()
      .map(
        (name) =>
          `<Bucket><Name>${xmlEscape(name)}</Name><CreationDate>${new Date(state.bucketCreated.get(name) ?? 0).toISOString()}</CreationDate></Bucket>`,
      )
      .join("");
    return xml(
      `<ListAllMyBucketsResult xmlns="${XMLNS}"><Owner><ID>emulator</ID><DisplayName>emulator</DisplayName></Owner><Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`,
    );
  }

  function bucketCall(
    request: Request,
    url: URL,
    bucketName: string,
    operation: string,
    body: Uint8Array,
  ): Response {
    const objects = state.buckets.get(bucketName);
    const region = state.options.region;
    if (operation === "ListObjectsV2" || operation === "ListObjects") {
      return objects
        ? listObjects(bucketName, objects, url, operation === "ListObjectsV2")
        : noSuchBucket(bucketName);
    }
    if (
      operation === "PutBucketVersioning" ||
      operation === "GetBucketVersioning" ||
      operation === "ListObjectVersions"
    ) {
      if (!objects) return noSuchBucket(bucketName);
      if (operation === "ListObjectVersions") return xml(versions.list(bucketName, url));
      const status = versions.status.get(bucketName);
      if (operation === "GetBucketVersioning") {
        return xml(
          `<VersioningConfiguration xmlns="${XMLNS}">${status ? `<Status>${status}</Status>` : ""}</VersioningConfiguration>`,
        );
      }
      const wanted = /<Status>\s*(Enabled|Suspended)\s*<\/Status>/.exec(new TextDecoder().decode(body))?.[1];
      if (!wanted)
        return s3Error(
          400,
          "MalformedXML",
          "The XML you provided was not well-formed or did not validate against our published schema",
        );
      versions.status.set(bucketName, wanted as "Enabled" | "Suspended");
      return new Response(null, { status: 200 });
    }
    if (operation === "GetBucketLocation") {
      if (!objects) return noSuchBucket(bucketName);
      // us-east-1 answers an empty constraint, for historical reasons.
      return xml(
        `<LocationConstraint xmlns="${XMLNS}">${region === "us-east-1" ? "" : region}</LocationConstraint>`,
      );
    }
    if (request.method === "PUT") {
      const problem = bucketNameProblem(bucketName);
      if (problem)
        return s3Error(
          400,
          "InvalidBucketName",
          `The specified bucket is not valid: it ${problem}.`,
          bucketName,
        );
      if (objects) {
        // S3's legacy behaviour: re-creating your own bucket in us-east-1 succeeds.
        if (region === "us-east-1")
          return new Response(null, { status: 200, headers: { location: `/${bucketName}` } });
        return s3Error(
          409,
          "BucketAlreadyOwnedByYou",
          "Your previous request to create the named bucket succeeded and you already own it.",
          bucketName,
        );
      }
      state.buckets.set(bucketName, new Map());
      state.bucketCreated.set(bucketName, hooks.now());
      hooks.changed();
      return new Response(null, { status: 200, headers: { location: `/${bucketName}` } });
    }
    if (!objects) {
      return request.method === "HEAD" ? new Response(null, { status: 404 }) : noSuchBucket(bucketName);
    }
    if (request.method === "HEAD") {
      return new Response(null, { status: 200, headers: { "x-amz-bucket-region": region } });
    }
    if (request.method === "DELETE") {
      if (objects.size > 0)
        return s3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", bucketName);
      state.buckets.delete(bucketName);
      state.bucketCreated.delete(bucketName);
      hooks.changed();
      return new Response(null, { status: 204 });
    }
    return notAllowed();
  }

  async function putObject(
    request: Request,
    bucketName: string,
    objects: Map<string, StoredObject>,
    key: string,
    body: Uint8Array,
  ) {
    // As S3 does: a chunked upload without its length is refused, so a client that streams is caught here.
    if (!request.headers.has("content-length"))
      return s3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
    if (body.length > MAX_OBJECT_BODY)
      return s3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
    const digest = await digestProblem(request, new URL(request.url), body);
    if (digest) return digest;
    if (exists(request, objects, key)) return preconditionFailed(key);
    const etag = md5(body);
    const object = await store(
      body,
      {
        etag,
        contentType: request.headers.get("content-type") ?? "application/octet-stream",
        meta: metadataOf(request),
      },
      request,
    );
    // The version first: an object already there before versioning is its "null" version.
    const versionId = versions.put(bucketName, key, object);
    objects.set(key, object);
    hooks.changed();
    return new Response(null, {
      status: 200,
      headers: { etag: `"${etag}"`, ...(versionId ? { "x-amz-version-id": versionId } : {}) },
    });
  }

  async function multipart(
    request: Request,
    url: URL,
    operation: string,
    bucketName: string,
    objects: Map<string, StoredObject>,
    key: string,
    body: Uint8Array,
  ): Promise<Response> {
    const q = url.searchParams;
    if (operation === "CreateMultipartUpload") {
      const uploadId = crypto.randomUUID().replace(/-/g, "");
      state.uploads.set(uploadId, {
        bucket: bucketName,
        key,
        contentType: request.headers.get("content-type") ?? "application/octet-stream",
        meta: metadataOf(request),
        initiated: hooks.now(),
        parts: new Map(),
      });
      return xml(
        `<InitiateMultipartUploadResult xmlns="${XMLNS}"><Bucket>${xmlEscape(bucketName)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
      );
    }
    const uploadId = q.get("uploadId") ?? "";
    const upload: MultipartUpload | undefined = state.uploads.get(uploadId);
    if (!upload || upload.bucket !== bucketName || upload.key !== key) {
      return s3Error(
        404,
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        uploadId,
      );
    }
    if (operation === "UploadPart") {
      const partNumber = Number(q.get("partNumber"));
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
        return s3Error(
          400,
          "InvalidArgument",
          "Part number must be an integer between 1 and 10000, inclusive",
        );
      }
      if (!request.headers.has("content-length"))
        return s3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
      const digest = await digestProblem(request, url, body);
      if (digest) return digest;
      const partMd5 = md5(body);
      upload.parts.set(partNumber, { body, md5: partMd5, lastModified: hooks.now() });
      return new Response(null, { status: 200, headers: { etag: `"${partMd5}"` } });
    }
    if (operation === "AbortMultipartUpload") {
      state.uploads.delete(uploadId);
      return new Response(null, { status: 204 });
    }
    if (operation === "ListParts") {
      const parts = [...upload.parts.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(
          ([n, p]) =>
            `<Part><PartNumber>${n}</PartNumber><LastModified>${new Date(p.lastModified).toISOString()}</LastModified><ETag>"${p.md5}"</ETag><Size>${p.body.length}</Size></Part>`,
        )
        .join("");
      return xml(
        `<ListPartsResult xmlns="${XMLNS}"><Bucket>${xmlEscape(bucketName)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts}</ListPartsResult>`,
      );
    }
    // CompleteMultipartUpload
    const requested = requestedParts(new TextDecoder().decode(body));
    if (!requested || requested.length === 0) {
      return s3Error(
        400,
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
      );
    }
    const chosen: { body: Uint8Array; md5: string }[] = [];
    for (const [i, want] of requested.entries()) {
      if (i > 0 && want.partNumber <= (requested[i - 1] as { partNumber: number }).partNumber) {
        return s3Error(
          400,
          "InvalidPartOrder",
          "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
        );
      }
      const part = upload.parts.get(want.partNumber);
      if (!part || part.md5 !== want.etag) {
        return s3Error(
          400,
          "InvalidPart",
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        );
      }
      chosen.push(part);
    }
    for (const part of chosen.slice(0, -1)) {
      if (part.body.length < MIN_PART_BYTES) {
        return s3Error(
          400,
          "EntityTooSmall",
          "Your proposed upload is smaller than the minimum allowed object size.",
        );
      }
    }
    if (exists(request, objects, key)) return preconditionFailed(key);
    const whole = new Uint8Array(chosen.reduce((n, p) => n + p.body.length, 0));
    let at = 0;
    for (const part of chosen) {
      whole.set(part.body, at);
      at += part.body.length;
    }
    const etag = multipartEtag(chosen.map((p) => p.md5));
    const object = await store(whole, { etag, contentType: upload.contentType, meta: upload.meta });
    versions.put(bucketName, key, object);
    objects.set(key, object);
    state.uploads.delete(uploadId);
    hooks.changed();
    return xml(
      `<CompleteMultipartUploadResult xmlns="${XMLNS}"><Location>/${xmlEscape(bucketName)}/${xmlEscape(key)}</Location><Bucket>${xmlEscape(bucketName)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>"${etag}"</ETag></CompleteMultipartUploadResult>`,
    );
  }

  return async (request: Request, url: URL, body: Uint8Array): Promise<Response> => {
    const path = url.pathname.slice(1);
    const slash = path.indexOf("/");
    let bucketName: string;
    let key: string;
    try {
      bucketName = decodeURIComponent(slash === -1 ? path : path.slice(0, slash));
      key = slash === -1 ? "" : decodeURIComponent(path.slice(slash + 1));
    } catch {
      return s3Error(400, "InvalidURI", "Couldn't parse the specified URI.", url.pathname);
    }
    const method = request.method;
    const operation = operationOf(method, key !== "", url.searchParams);
    const allowed = OPERATIONS[operation] ?? [];
    for (const name of url.searchParams.keys()) {
      if (!allowed.includes(name) && !ALWAYS.test(name)) return notImplemented(`?${name}`);
    }
    if (!bucketName) return method === "GET" ? listBuckets() : notAllowed();
    if (key === "") return bucketCall(request, url, bucketName, operation, body);
    const objects = state.buckets.get(bucketName);
    if (!objects) return noSuchBucket(bucketName);
    if (operation === "ObjectVersion") return objectVersion(request, url, bucketName, key);
    if (operation !== "Object") return multipart(request, url, operation, bucketName, objects, key, body);
    if (method === "PUT") return putObject(request, bucketName, objects, key, body);
    if (method === "DELETE") {
      const marker = versions.deleteCurrent(bucketName, key, hooks.now());
      if (objects.delete(key) || marker) hooks.changed();
      return new Response(null, {
        status: 204,
        headers: marker ? { "x-amz-delete-marker": "true", "x-amz-version-id": marker } : {},
      });
    }
    if (method === "GET" || method === "HEAD") return getObject(request, objects.get(key), key);
    return notAllowed();
  };
}
