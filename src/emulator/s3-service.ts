// The S3 side of the emulator: path-style buckets and objects, routed to their operation group under s3/
// (objects, listings, multipart uploads, multi-object delete, versions), with S3's refusals. A query or
// header the emulator does not implement is answered 501 NotImplemented, never served as a plain GET, PUT
// or DELETE.
import { sha256Hex } from "../aws/hash.ts";
import type { ServiceHooks } from "./hooks.ts";
import { decodeAwsChunked, isAwsChunked } from "./s3/aws-chunked.ts";
import { malformedXml, noSuchBucket, notAllowed, notImplemented, XMLNS, xml } from "./s3/common.ts";
import { deleteObjects } from "./s3/delete-objects.ts";
import { listObjects, listVersions } from "./s3/listings.ts";
import { listUploads, multipart } from "./s3/multipart.ts";
import { deleteObject, getObject, type ObjectContext, putObject } from "./s3/objects.ts";
import { uploadSizeProblem } from "./s3/size.ts";
import type { EmulatorState } from "./state.ts";
import type { StoredObject } from "./state-types.ts";
import { s3Error, xmlEscape } from "./wire.ts";

const GET_OVERRIDES = [
  "response-cache-control",
  "response-content-disposition",
  "response-content-encoding",
  "response-content-language",
  "response-content-type",
  "response-expires",
];
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
  ListObjectVersions: [
    "versions",
    "prefix",
    "delimiter",
    "max-keys",
    "key-marker",
    "version-id-marker",
    "encoding-type",
  ],
  DeleteObjects: ["delete"],
  GetObject: ["versionId", "partNumber", ...GET_OVERRIDES],
  DeleteObject: ["versionId"],
  CreateMultipartUpload: ["uploads"],
  UploadPart: ["partNumber", "uploadId"],
  CompleteMultipartUpload: ["uploadId"],
  AbortMultipartUpload: ["uploadId"],
  ListParts: ["uploadId", "max-parts", "part-number-marker"],
  ListMultipartUploads: ["uploads", "prefix"],
  PutObject: [],
  Bucket: [],
};
// Added by the AWS SDKs to requests, by presigned URLs, and checksums hoisted into a presigned query: not
// subresources.
const ALWAYS = /^(x-id|X-Amz-[A-Za-z0-9-]+|x-amz-checksum-[a-z0-9]+|x-amz-sdk-checksum-algorithm)$/;

// Headers that ask for what the emulator does not keep (ACLs, encryption, tagging, object lock, website
// redirects, storage classes, copies): refused rather than silently dropped.
function unimplementedHeader(headers: Headers): string | undefined {
  for (const [name, value] of headers) {
    if (name === "x-amz-copy-source" || name.startsWith("x-amz-grant-")) return name;
    if (name === "x-amz-acl" && value !== "private") return `${name}: ${value}`;
    if (name === "x-amz-storage-class" && value !== "STANDARD") return `${name}: ${value}`;
    if (/^x-amz-(server-side-encryption|tagging|object-lock-|website-redirect-location)/.test(name))
      return name;
  }
  return undefined;
}

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

/** Which operation a request is, from its method, whether it names a key, and its query. */
function operationOf(method: string, hasKey: boolean, q: URLSearchParams): string {
  if (!hasKey) {
    if (method === "GET" && q.has("location")) return "GetBucketLocation";
    if (q.has("versioning")) return method === "PUT" ? "PutBucketVersioning" : "GetBucketVersioning";
    if (method === "GET" && q.has("versions")) return "ListObjectVersions";
    if (method === "POST" && q.has("delete")) return "DeleteObjects";
    if (method === "GET" && q.has("uploads")) return "ListMultipartUploads";
    if (method === "GET") return q.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects";
    return "Bucket";
  }
  if (method === "POST" && q.has("uploads")) return "CreateMultipartUpload";
  if (method === "PUT" && q.has("uploadId")) return "UploadPart";
  if (method === "POST" && q.has("uploadId")) return "CompleteMultipartUpload";
  if (method === "DELETE" && q.has("uploadId")) return "AbortMultipartUpload";
  if (method === "GET" && q.has("uploadId")) return "ListParts";
  if (method === "GET" || method === "HEAD") return "GetObject";
  if (method === "DELETE") return "DeleteObject";
  return "PutObject";
}

/** The S3 calls: `(request, its URL, its body)` to an answer. `secretAccessKey` checks aws-chunked chunks. */
export function s3Service(state: EmulatorState, hooks: ServiceHooks, secretAccessKey: string) {
  const versions = state.versions;

  // The payload hash a signature carried was checked against the body already: no need to hash it twice.
  const storeWith =
    (request: Request) =>
    async (
      body: Uint8Array,
      fields: Omit<StoredObject, "body" | "sha256" | "lastModified">,
    ): Promise<StoredObject> => {
      const claimed = request.headers.get("x-amz-content-sha256") ?? "";
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

  async function bucketCall(
    request: Request,
    url: URL,
    bucketName: string,
    operation: string,
    body: Uint8Array,
  ): Promise<Response> {
    const objects = state.buckets.get(bucketName);
    const region = state.options.region;
    if (request.method === "PUT" && operation === "Bucket") {
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
    if (operation === "ListObjectsV2" || operation === "ListObjects") {
      return listObjects(bucketName, objects, url, operation === "ListObjectsV2");
    }
    if (operation === "ListObjectVersions") return listVersions(bucketName, versions, url);
    if (operation === "ListMultipartUploads") return listUploads(bucketName, state, url);
    if (operation === "DeleteObjects") {
      const answer = await deleteObjects(request, url, body, bucketName, versions, hooks.now);
      if (answer.ok) hooks.changed();
      return answer;
    }
    if (operation === "GetBucketVersioning") {
      const status = versions.status.get(bucketName);
      return xml(
        `<VersioningConfiguration xmlns="${XMLNS}">${status ? `<Status>${status}</Status>` : ""}</VersioningConfiguration>`,
      );
    }
    if (operation === "PutBucketVersioning") {
      const text = new TextDecoder().decode(body);
      const wanted = /<Status>\s*(Enabled|Suspended)\s*<\/Status>/.exec(text)?.[1];
      if (!wanted) return malformedXml();
      if (/<MfaDelete>\s*Enabled/.test(text)) return notImplemented("MfaDelete");
      versions.status.set(bucketName, wanted as "Enabled" | "Suspended");
      hooks.changed();
      return new Response(null, { status: 200 });
    }
    if (operation === "GetBucketLocation") {
      // us-east-1 answers an empty constraint, for historical reasons.
      return xml(
        `<LocationConstraint xmlns="${XMLNS}">${region === "us-east-1" ? "" : region}</LocationConstraint>`,
      );
    }
    if (request.method === "HEAD") {
      return new Response(null, { status: 200, headers: { "x-amz-bucket-region": region } });
    }
    if (request.method === "DELETE") {
      // Every version and delete marker counts: S3 deletes only a bucket that holds none.
      if (!versions.isEmpty(bucketName))
        return s3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", bucketName);
      state.buckets.delete(bucketName);
      state.bucketCreated.delete(bucketName);
      versions.dropBucket(bucketName);
      hooks.changed();
      return new Response(null, { status: 204 });
    }
    return notAllowed();
  }

  async function objectCall(
    request: Request,
    url: URL,
    operation: string,
    ctx: ObjectContext,
    raw: Uint8Array,
  ): Promise<Response> {
    if (operation === "GetObject") return getObject(request, url, ctx);
    if (operation === "DeleteObject") return deleteObject(url, ctx);
    let body = raw;
    let trailers = new Headers();
    if (operation === "PutObject" || operation === "UploadPart") {
      const tooLarge = uploadSizeProblem(request);
      if (tooLarge) return tooLarge;
    }
    if ((operation === "PutObject" || operation === "UploadPart") && isAwsChunked(request)) {
      const decoded = await decodeAwsChunked(request, raw, secretAccessKey);
      if (decoded instanceof Response) return decoded;
      ({ body, trailers } = decoded);
    }
    const store = storeWith(request);
    if (operation !== "PutObject")
      return multipart(request, url, operation, state, ctx, body, trailers, store);
    // As S3 does: an upload without its length is refused, so a client that streams is caught here; an
    // aws-chunked one states its decoded length instead.
    if (!request.headers.has("content-length") && !isAwsChunked(request))
      return s3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
    return putObject(request, url, ctx, body, trailers, store);
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
    const header = method === "PUT" || method === "POST" ? unimplementedHeader(request.headers) : undefined;
    if (header) return notImplemented(header);
    if (!bucketName) return method === "GET" ? listBuckets() : notAllowed();
    if (key === "") return bucketCall(request, url, bucketName, operation, body);
    if (!state.buckets.has(bucketName)) return noSuchBucket(bucketName);
    if (operation === "PutObject" && method !== "PUT") return notAllowed();
    const ctx: ObjectContext = { versions, bucket: bucketName, key, now: hooks.now, changed: hooks.changed };
    return objectCall(request, url, operation, ctx, body);
  };
}
