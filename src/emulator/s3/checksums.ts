// The integrity checks S3 makes of an upload (Content-MD5, x-amz-checksum-* from a header, a presigned
// query or an aws-chunked trailer) and the checksum it keeps and returns: full-object for a PUT, composite
// (the checksum of the parts' checksums, `-N`) or full-object for a multipart upload, as AWS's "Checking
// object integrity" describes.
import { CHECKSUM_ALGORITHMS, checksum, md5 } from "../digest.ts";
import type { StoredChecksum, StoredObject } from "../state-types.ts";
import { s3Error } from "../wire.ts";

const isAlgorithm = (name: string) => (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);

const invalidRequest = (message: string) => s3Error(400, "InvalidRequest", message);

/** The checksums a request claims, by algorithm: headers, a presigned query's, and a trailer's. */
export function claimedChecksums(request: Request, url: URL, trailers: Headers): [string, string][] {
  const claimed: [string, string][] = [];
  for (const [name, value] of [...request.headers, ...url.searchParams, ...trailers]) {
    const m = /^x-amz-checksum-([a-z0-9]+)$/i.exec(name);
    const algorithm = m?.[1]?.toLowerCase();
    if (algorithm && algorithm !== "type" && algorithm !== "mode" && algorithm !== "algorithm") {
      claimed.push([algorithm, value]);
    }
  }
  return claimed;
}

/**
 * Checks what an upload claims of its bytes; answers S3's refusal, or the checksum to keep (the one sent,
 * or none). One x-amz-checksum-* at most, as S3 requires.
 */
export async function verifyUpload(
  request: Request,
  url: URL,
  body: Uint8Array,
  trailers: Headers,
): Promise<Response | { checksum?: StoredChecksum }> {
  const md5Claim = request.headers.get("content-md5");
  if (md5Claim !== null) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(md5Claim)) {
      return s3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
    }
    if (md5Claim !== md5(body, "base64")) {
      return s3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
    }
  }
  const claimed = claimedChecksums(request, url, trailers);
  if (claimed.length > 1) {
    return invalidRequest(
      "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
    );
  }
  const sdkAlgorithm = request.headers.get("x-amz-sdk-checksum-algorithm")?.toLowerCase();
  if (sdkAlgorithm && claimed.length === 0 && !request.headers.has("x-amz-trailer")) {
    return invalidRequest(
      "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.",
    );
  }
  const [sent] = claimed;
  if (!sent) return {};
  const [algorithm, value] = sent;
  if (!isAlgorithm(algorithm))
    return invalidRequest(`Value for x-amz-checksum-${algorithm} header is invalid.`);
  if (sdkAlgorithm && sdkAlgorithm !== algorithm) {
    return invalidRequest(
      `Value for x-amz-sdk-checksum-algorithm header is invalid: ${sdkAlgorithm.toUpperCase()} does not match the x-amz-checksum-${algorithm} sent.`,
    );
  }
  const actual = (await checksum(algorithm, body)) as string;
  if (actual !== value) {
    return s3Error(
      400,
      "BadDigest",
      `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
    );
  }
  return { checksum: { algorithm, value, type: "FULL_OBJECT" } };
}

/** The header that carries a checksum of `algorithm`. */
export const checksumHeader = (algorithm: string) => `x-amz-checksum-${algorithm}`;

/**
 * A multipart upload's checksum from its parts': composite (the checksum of the parts' decoded checksums,
 * then `-N`) or full-object (the checksum of the whole object, which for a CRC S3 combines from the parts').
 */
export async function multipartChecksum(
  algorithm: string,
  type: StoredChecksum["type"],
  partChecksums: string[],
  whole: Uint8Array,
): Promise<StoredChecksum> {
  if (type === "FULL_OBJECT") {
    return { algorithm, type, value: (await checksum(algorithm, whole)) as string, parts: partChecksums };
  }
  const raw = partChecksums.map((p) => Uint8Array.from(atob(p), (c) => c.charCodeAt(0)));
  const joined = new Uint8Array(raw.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of raw) {
    joined.set(r, at);
    at += r.length;
  }
  const value = `${await checksum(algorithm, joined)}-${partChecksums.length}`;
  return { algorithm, type, value, parts: partChecksums };
}

/**
 * The checksum headers of a GET or HEAD with `x-amz-checksum-mode: ENABLED`: the object's (S3 keeps a
 * CRC64NVME of an object uploaded without one), or a part's when a composite object is read by
 * `partNumber`. A byte range has none.
 */
export async function checksumHeaders(
  object: StoredObject,
  partNumber: number | undefined,
): Promise<Record<string, string>> {
  const kept = object.checksum ?? {
    algorithm: "crc64nvme",
    value: (await checksum("crc64nvme", object.body)) as string,
    type: "FULL_OBJECT" as const,
  };
  if (partNumber !== undefined && kept.type === "COMPOSITE") {
    const part = kept.parts?.[partNumber - 1];
    return part ? { [checksumHeader(kept.algorithm)]: part, "x-amz-checksum-type": "COMPOSITE" } : {};
  }
  return { [checksumHeader(kept.algorithm)]: kept.value, "x-amz-checksum-type": kept.type };
}
