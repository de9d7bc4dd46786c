// aws-chunked bodies (SigV4 streaming): `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` signs each chunk, chained
// from the request's own signature; `STREAMING-UNSIGNED-PAYLOAD-TRAILER` (what the AWS SDK v3 sends for a
// streamed body with a checksum) carries plain chunks and the checksum in a trailer; the `-TRAILER` signed
// form signs the trailer too. The emulator decodes them as S3 does and refuses what S3 refuses.
import { sha256Hex } from "../../aws/hash.ts";
import { s3Error } from "../wire.ts";

/** A decoded aws-chunked body, with its trailing headers. */
export interface Decoded {
  body: Uint8Array;
  trailers: Headers;
}

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const MIN_SIGNED_CHUNK = 8192;

const incomplete = (why: string) =>
  s3Error(400, "IncompleteBody", `The aws-chunked body is not well-formed: ${why}.`);
const signatureMismatch = (what: string) =>
  s3Error(
    403,
    "SignatureDoesNotMatch",
    `The ${what} signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.`,
  );

async function hmac(key: Uint8Array | string, text: string): Promise<Uint8Array> {
  const raw = typeof key === "string" ? new TextEncoder().encode(key) : key;
  const k = await crypto.subtle.importKey(
    "raw",
    raw as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(text)));
}
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** Whether a request's body is aws-chunked (by its payload hash, as S3 decides). */
export const isAwsChunked = (request: Request) =>
  (request.headers.get("x-amz-content-sha256") ?? "").startsWith("STREAMING-");

// The chain of signatures a signed streaming body carries, from the request's seed signature.
async function signer(request: Request, secretAccessKey: string) {
  const auth = /Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request.*Signature=([0-9a-f]{64})/.exec(
    request.headers.get("authorization") ?? "",
  );
  if (!auth) return undefined;
  const [, day, region, service, seed] = auth as unknown as [string, string, string, string, string];
  const scope = `${day}/${region}/${service}/aws4_request`;
  const amzDate = request.headers.get("x-amz-date") ?? "";
  let key = await hmac(`AWS4${secretAccessKey}`, day);
  for (const part of [region, service, "aws4_request"]) key = await hmac(key, part);
  let previous = seed;
  return async (kind: "PAYLOAD" | "TRAILER", hashed: string, claimed: string) => {
    const lines =
      kind === "PAYLOAD"
        ? ["AWS4-HMAC-SHA256-PAYLOAD", amzDate, scope, previous, EMPTY_SHA256, hashed]
        : ["AWS4-HMAC-SHA256-TRAILER", amzDate, scope, previous, hashed];
    const expected = hex(await hmac(key, lines.join("\n")));
    previous = expected;
    return expected === claimed;
  };
}

const CRLF = (bytes: Uint8Array, at: number) => bytes[at] === 13 && bytes[at + 1] === 10;
function lineEnd(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) if (CRLF(bytes, i)) return i;
  return -1;
}

/**
 * Decodes an aws-chunked body, verifying each chunk's signature (signed forms), the trailer's, and the
 * declared `x-amz-decoded-content-length`; answers S3's refusal when any fails.
 */
export async function decodeAwsChunked(
  request: Request,
  raw: Uint8Array,
  secretAccessKey: string,
): Promise<Decoded | Response> {
  const mode = request.headers.get("x-amz-content-sha256") ?? "";
  const signed = mode.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  const withTrailer = mode.endsWith("-TRAILER");
  if (
    !/^STREAMING-(AWS4-HMAC-SHA256-PAYLOAD|UNSIGNED-PAYLOAD-TRAILER|AWS4-HMAC-SHA256-PAYLOAD-TRAILER)$/.test(
      mode,
    )
  ) {
    return s3Error(
      501,
      "NotImplemented",
      `A header you provided implies functionality that is not implemented: x-amz-content-sha256 ${mode}`,
    );
  }
  const declared = request.headers.get("x-amz-decoded-content-length");
  if (declared === null || !/^\d+$/.test(declared)) {
    return s3Error(
      411,
      "MissingContentLength",
      "You must provide the x-amz-decoded-content-length header with an aws-chunked body.",
    );
  }
  const verify = signed ? await signer(request, secretAccessKey) : undefined;
  if (signed && !verify) return signatureMismatch("seed");
  const pieces: Uint8Array[] = [];
  let total = 0;
  let at = 0;
  for (;;) {
    const end = lineEnd(raw, at);
    if (end === -1) return incomplete("a chunk header has no CRLF");
    const header = new TextDecoder().decode(raw.subarray(at, end));
    const m = /^([0-9a-fA-F]+)(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(header);
    if (!m) return incomplete("a chunk header is not <hex size>[;chunk-signature=<signature>]");
    const size = Number.parseInt(m[1] as string, 16);
    if (signed && !m[2]) return signatureMismatch("chunk");
    const data = raw.subarray(end + 2, end + 2 + size);
    if (data.length !== size) return incomplete("a chunk is shorter than its size");
    if (verify && !(await verify("PAYLOAD", await sha256Hex(data), m[2] as string)))
      return signatureMismatch("chunk");
    at = end + 2 + size;
    if (size === 0) break;
    if (!CRLF(raw, at)) return incomplete("a chunk does not end in CRLF");
    at += 2;
    pieces.push(data);
    total += size;
  }
  if (signed) {
    for (const piece of pieces.slice(0, -1)) {
      if (piece.length < MIN_SIGNED_CHUNK) {
        return s3Error(
          400,
          "InvalidChunkSizeError",
          "Only the last chunk is allowed to have a size less than 8192 bytes",
        );
      }
    }
  }
  const trailers = new Headers();
  const trailerLines: string[] = [];
  for (;;) {
    const end = lineEnd(raw, at);
    if (end === -1) break;
    const line = new TextDecoder().decode(raw.subarray(at, end));
    at = end + 2;
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon <= 0)
      return s3Error(
        400,
        "MalformedTrailerError",
        "The request contained trailing data that was not well-formed.",
      );
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "x-amz-trailer-signature") {
      if (
        verify &&
        !(await verify("TRAILER", await sha256Hex(new TextEncoder().encode(trailerLines.join(""))), value))
      ) {
        return signatureMismatch("trailer");
      }
      continue;
    }
    trailerLines.push(`${name}:${value}\n`);
    trailers.set(name, value);
  }
  const expected = request.headers.get("x-amz-trailer")?.toLowerCase();
  if (withTrailer && expected && !trailers.has(expected)) {
    return s3Error(
      400,
      "MalformedTrailerError",
      `The trailer ${expected} that x-amz-trailer declares was not sent.`,
    );
  }
  if (total !== Number(declared)) {
    return incomplete(`x-amz-decoded-content-length says ${declared} bytes, the chunks hold ${total}`);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    body.set(piece, offset);
    offset += piece.length;
  }
  return { body, trailers };
}
