// Multipart uploads: Create (with the headers and checksum algorithm the object will have), UploadPart,
// ListParts, Abort, and Complete (S3's refusals, its ETag, composite or full-object checksums, write
// conditions, a new version).
import { checksum, md5 as md5Of, multipartEtag } from "../digest.ts";
import type { EmulatorState } from "../state.ts";
import type { MultipartUpload, StoredChecksum, StoredObject } from "../state-types.ts";
import { s3Error, xmlEscape } from "../wire.ts";
import { isAwsChunked } from "./aws-chunked.ts";
import { checksumHeader, multipartChecksum, verifyUpload } from "./checksums.ts";
import { invalidArgument, malformedXml, OWNER, XMLNS, xml, xmlField } from "./common.ts";
import { writeCondition } from "./conditions.ts";
import { type ObjectContext, storedFields } from "./objects.ts";

/** S3's smallest part, except the last. */
const MIN_PART_BYTES = 5 * 1024 * 1024;

const invalidRequest = (message: string) => s3Error(400, "InvalidRequest", message);
const tag = (algorithm: string) => `Checksum${algorithm.toUpperCase()}`;

// The XML of CompleteMultipartUpload: its parts in the order given, with the checksums they name.
function requestedParts(text: string) {
  if (!/<CompleteMultipartUpload[\s>]/.test(text)) return undefined;
  return [...text.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => {
    const part = m[1] as string;
    const checksums: Record<string, string> = {};
    for (const c of part.matchAll(/<Checksum([A-Z0-9]+)>([\s\S]*?)<\/Checksum[A-Z0-9]+>/g))
      checksums[(c[1] as string).toLowerCase()] = (c[2] as string).trim();
    return {
      partNumber: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(part)?.[1]),
      etag: (xmlField(part, "ETag") ?? "").replace(/"/g, "").trim(),
      checksums,
    };
  });
}

// The checksum a Create asks for: its algorithm and type, COMPOSITE by default but for CRC64NVME, which
// S3 keeps only as a full-object checksum (and the SHAs only as composite).
function requestedChecksum(request: Request): Response | MultipartUpload["checksum"] {
  const algorithm = request.headers.get("x-amz-checksum-algorithm")?.toLowerCase();
  const type = request.headers.get("x-amz-checksum-type")?.toUpperCase();
  if (!algorithm)
    return type ? invalidRequest("x-amz-checksum-type needs x-amz-checksum-algorithm") : undefined;
  if (!["crc32", "crc32c", "crc64nvme", "sha1", "sha256"].includes(algorithm)) {
    return invalidRequest(`Checksum algorithm ${algorithm} is not supported: x-amz-checksum-algorithm`);
  }
  const chosen = type ?? (algorithm === "crc64nvme" ? "FULL_OBJECT" : "COMPOSITE");
  if (chosen !== "FULL_OBJECT" && chosen !== "COMPOSITE") {
    return invalidRequest(`Value for x-amz-checksum-type header is invalid: ${type}`);
  }
  if ((chosen === "FULL_OBJECT") !== (algorithm === "crc64nvme") && !algorithm.startsWith("crc32")) {
    return invalidRequest(
      `The ${chosen} checksum type cannot be used with the ${algorithm} checksum algorithm.`,
    );
  }
  return { algorithm, type: chosen };
}

/** The multipart calls on `ctx.key`. */
export async function multipart(
  request: Request,
  url: URL,
  operation: string,
  state: EmulatorState,
  ctx: ObjectContext,
  body: Uint8Array,
  trailers: Headers,
  store: (
    body: Uint8Array,
    fields: Omit<StoredObject, "body" | "sha256" | "lastModified">,
  ) => Promise<StoredObject>,
): Promise<Response> {
  const { bucket, key } = ctx;
  const q = url.searchParams;
  if (operation === "CreateMultipartUpload") {
    const wanted = requestedChecksum(request);
    if (wanted instanceof Response) return wanted;
    const uploadId = crypto.randomUUID().replace(/-/g, "");
    state.uploads.set(uploadId, {
      bucket,
      key,
      ...storedFields(request),
      ...(wanted ? { checksum: wanted } : {}),
      initiated: ctx.now(),
      parts: new Map(),
    });
    const headers: Record<string, string> = wanted
      ? { "x-amz-checksum-algorithm": wanted.algorithm.toUpperCase(), "x-amz-checksum-type": wanted.type }
      : {};
    return xml(
      `<InitiateMultipartUploadResult xmlns="${XMLNS}"><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
      200,
      headers,
    );
  }
  const uploadId = q.get("uploadId") ?? "";
  const upload = state.uploads.get(uploadId);
  if (!upload || upload.bucket !== bucket || upload.key !== key) {
    return s3Error(
      404,
      "NoSuchUpload",
      "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
      uploadId,
    );
  }
  if (operation === "UploadPart") {
    const rawPart = q.get("partNumber") ?? "";
    const partNumber = Number(rawPart);
    if (!/^\d+$/.test(rawPart) || partNumber < 1 || partNumber > 10_000) {
      return invalidArgument("Part number must be an integer between 1 and 10000, inclusive");
    }
    if (!request.headers.has("content-length") && !isAwsChunked(request))
      return s3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
    const verified = await verifyUpload(request, url, body, trailers);
    if (verified instanceof Response) return verified;
    const algorithm = upload.checksum?.algorithm;
    if (algorithm && verified.checksum && verified.checksum.algorithm !== algorithm) {
      return invalidRequest(
        `Checksum Type mismatch occurred, expected checksum Type: ${algorithm}, actual checksum Type: ${verified.checksum.algorithm}`,
      );
    }
    // A part sent without the upload's checksum gets it computed here, so the object's can be.
    const partChecksum = algorithm
      ? (verified.checksum?.value ?? (await checksum(algorithm, body)))
      : undefined;
    const md5 = md5Of(body);
    upload.parts.set(partNumber, {
      body,
      md5,
      lastModified: ctx.now(),
      ...(partChecksum ? { checksum: partChecksum } : {}),
    });
    const headers: Record<string, string> = { etag: `"${md5}"` };
    if (algorithm && partChecksum) headers[checksumHeader(algorithm)] = partChecksum;
    return new Response(null, { status: 200, headers });
  }
  if (operation === "AbortMultipartUpload") {
    state.uploads.delete(uploadId);
    return new Response(null, { status: 204 });
  }
  if (operation === "ListParts") return listParts(ctx, uploadId, upload, q);
  return complete(request, ctx, state, uploadId, upload, body, store);
}

// A ListParts query number: absent is `fallback`, anything but a whole number up to 2^31-1 is refused.
function queryInt(q: URLSearchParams, name: string, fallback: number): number | Response {
  const raw = q.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  return /^\d+$/.test(raw) && n <= 2 ** 31 - 1
    ? n
    : invalidArgument(`Provided ${name} not an integer or within integer range`);
}

// ListParts pages as S3's do: the parts after `part-number-marker`, at most `max-parts` (echoed, 1000
// served at most). Only a truncated page has a NextPartNumberMarker (its last part, where the next page
// starts), as the API reference words it; the SDK's paginator stops on a page without one.
function listParts(ctx: ObjectContext, uploadId: string, upload: MultipartUpload, q: URLSearchParams) {
  const max = queryInt(q, "max-parts", 1000);
  if (max instanceof Response) return max;
  const marker = queryInt(q, "part-number-marker", 0);
  if (marker instanceof Response) return marker;
  const after = [...upload.parts.entries()].filter(([n]) => n > marker).sort((a, b) => a[0] - b[0]);
  const page = after.slice(0, Math.min(max, 1000));
  const truncated = page.length < after.length && max > 0;
  const algorithm = upload.checksum?.algorithm;
  const parts = page
    .map(([n, p]) => {
      const sum = algorithm && p.checksum ? `<${tag(algorithm)}>${p.checksum}</${tag(algorithm)}>` : "";
      return `<Part><PartNumber>${n}</PartNumber><LastModified>${new Date(p.lastModified).toISOString()}</LastModified><ETag>"${p.md5}"</ETag><Size>${p.body.length}</Size>${sum}</Part>`;
    })
    .join("");
  const kind = upload.checksum
    ? `<ChecksumAlgorithm>${upload.checksum.algorithm.toUpperCase()}</ChecksumAlgorithm><ChecksumType>${upload.checksum.type}</ChecksumType>`
    : "";
  const next = truncated ? `<NextPartNumberMarker>${page.at(-1)?.[0]}</NextPartNumberMarker>` : "";
  return xml(
    `<ListPartsResult xmlns="${XMLNS}"><Bucket>${xmlEscape(ctx.bucket)}</Bucket><Key>${xmlEscape(ctx.key)}</Key><UploadId>${uploadId}</UploadId><PartNumberMarker>${marker}</PartNumberMarker>${next}<MaxParts>${max}</MaxParts><IsTruncated>${truncated}</IsTruncated><Initiator><ID>emulator</ID><DisplayName>emulator</DisplayName></Initiator>${OWNER}<StorageClass>STANDARD</StorageClass>${kind}${parts}</ListPartsResult>`,
  );
}

async function complete(
  request: Request,
  ctx: ObjectContext,
  state: EmulatorState,
  uploadId: string,
  upload: MultipartUpload,
  body: Uint8Array,
  store: (
    body: Uint8Array,
    fields: Omit<StoredObject, "body" | "sha256" | "lastModified">,
  ) => Promise<StoredObject>,
): Promise<Response> {
  const { bucket, key, versions } = ctx;
  const requested = requestedParts(new TextDecoder().decode(body));
  if (!requested || requested.length === 0) return malformedXml();
  const wanted = upload.checksum;
  const chosen: { body: Uint8Array; md5: string; checksum?: string }[] = [];
  for (const [i, want] of requested.entries()) {
    if (i > 0 && want.partNumber <= (requested[i - 1] as { partNumber: number }).partNumber) {
      return s3Error(
        400,
        "InvalidPartOrder",
        "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
      );
    }
    const part = upload.parts.get(want.partNumber);
    const named = wanted ? want.checksums[wanted.algorithm] : undefined;
    if (!part || part.md5 !== want.etag || (named !== undefined && named !== part.checksum)) {
      return s3Error(
        400,
        "InvalidPart",
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      );
    }
    if (wanted?.type === "COMPOSITE" && named === undefined) {
      return invalidRequest(
        `The upload was created using a ${wanted.algorithm} checksum. The complete request must include the checksum for each part. It was missing for part ${want.partNumber} in the request.`,
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
  const refused = writeCondition(request.headers, key, versions.latest(bucket, key)?.object);
  if (refused) return refused;
  const whole = new Uint8Array(chosen.reduce((n, p) => n + p.body.length, 0));
  let at = 0;
  for (const part of chosen) {
    whole.set(part.body, at);
    at += part.body.length;
  }
  let kept: StoredChecksum | undefined;
  if (wanted) {
    kept = await multipartChecksum(
      wanted.algorithm,
      wanted.type,
      chosen.map((p) => p.checksum as string),
      whole,
    );
    const claimed = request.headers.get(checksumHeader(wanted.algorithm));
    if (claimed !== null && claimed !== kept.value) {
      return s3Error(
        400,
        "BadDigest",
        `The ${wanted.algorithm.toUpperCase()} you specified for the whole object did not match the calculated checksum.`,
      );
    }
  }
  const etag = multipartEtag(chosen.map((p) => p.md5));
  const object = await store(whole, {
    etag,
    contentType: upload.contentType,
    meta: upload.meta,
    ...(upload.headers ? { headers: upload.headers } : {}),
    parts: chosen.map((p) => p.body.length),
    ...(kept ? { checksum: kept } : {}),
  });
  const versionId = versions.put(bucket, key, object);
  state.uploads.delete(uploadId);
  ctx.changed();
  const sum = kept
    ? `<${tag(kept.algorithm)}>${kept.value}</${tag(kept.algorithm)}><ChecksumType>${kept.type}</ChecksumType>`
    : "";
  return xml(
    `<CompleteMultipartUploadResult xmlns="${XMLNS}"><Location>/${xmlEscape(bucket)}/${xmlEscape(key)}</Location><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>"${etag}"</ETag>${sum}</CompleteMultipartUploadResult>`,
    200,
    versionId ? { "x-amz-version-id": versionId } : {},
  );
}

/**
 * ListMultipartUploads: the uploads in progress in `bucket` (under `prefix`), by key then by when each was
 * initiated, as S3 lists them; all in one page (no `max-uploads` paging here).
 */
export function listUploads(bucket: string, state: EmulatorState, url: URL): Response {
  const prefix = url.searchParams.get("prefix") ?? "";
  const uploads = [...state.uploads.entries()]
    .filter(([, u]) => u.bucket === bucket && u.key.startsWith(prefix))
    .sort(([, a], [, b]) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated - b.initiated))
    .map(
      ([id, u]) =>
        `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${id}</UploadId><Initiator><ID>emulator</ID><DisplayName>emulator</DisplayName></Initiator>${OWNER}<StorageClass>STANDARD</StorageClass><Initiated>${new Date(u.initiated).toISOString()}</Initiated></Upload>`,
    )
    .join("");
  return xml(
    `<ListMultipartUploadsResult xmlns="${XMLNS}"><Bucket>${xmlEscape(bucket)}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><Prefix>${xmlEscape(prefix)}</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${uploads}</ListMultipartUploadsResult>`,
  );
}
