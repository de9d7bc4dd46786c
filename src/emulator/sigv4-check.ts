import { AwsV4Signer } from "aws4fetch";
import { sha256Hex } from "../aws/hash.ts";

/** Why a request's signature was refused, in the words AWS uses. */
export interface SignatureProblem {
  kind:
    | "missing"
    | "unknown-key"
    | "expired"
    | "mismatch"
    | "payload-hash"
    | "region"
    | "service"
    | "no-payload-hash"
    | "bad-payload-hash"
    | "query";
  message: string;
}

/** The credentials and scope the emulator accepts. */
export interface SigningScope {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The service the request is for: `personalize` or `s3`. */
  service: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;
const SKEW_MS = 15 * 60 * 1000;
/** The longest a presigned URL may live: 7 days. */
const MAX_EXPIRES_SECONDS = 604_800;
const PAYLOAD_HASH = /^([0-9a-f]{64}|UNSIGNED-PAYLOAD|STREAMING-[A-Z0-9-]+)$/;

function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Whether the request is signed in its query string (a presigned URL) rather than its headers. */
export function isPresigned(url: URL): boolean {
  return url.searchParams.has("X-Amz-Signature") || url.searchParams.has("X-Amz-Algorithm");
}

/**
 * Re-derives a request's SigV4 signature from the configured secret and compares it, as AWS does: the access
 * key, the credential scope (region and service), the date (15 minutes of skew; a presigned URL's expiry),
 * for S3 the `x-amz-content-sha256` header (required with header signing) against the bytes received, and
 * the signature itself. Returns `undefined` when the request is genuine.
 */
export async function checkSignature(
  request: Request,
  body: Uint8Array,
  scope: SigningScope,
  now: number,
): Promise<SignatureProblem | undefined> {
  const url = new URL(request.url);
  const presigned = isPresigned(url);
  let accessKeyId: string;
  let day: string;
  let region: string;
  let service: string;
  let signedHeaders: string;
  let signature: string;
  let amzDate: string;
  if (presigned) {
    const q = url.searchParams;
    const credential = CREDENTIAL.exec(q.get("X-Amz-Credential") ?? "");
    const sig = q.get("X-Amz-Signature") ?? "";
    if (q.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256" || !credential || !/^[0-9a-f]{64}$/.test(sig)) {
      return {
        kind: "query",
        message:
          "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
      };
    }
    [, accessKeyId, day, region, service] = credential as unknown as string[] as [
      string,
      string,
      string,
      string,
      string,
    ];
    signedHeaders = q.get("X-Amz-SignedHeaders") ?? "";
    signature = sig;
    amzDate = q.get("X-Amz-Date") ?? "";
  } else {
    const auth = request.headers.get("authorization");
    if (!auth) return { kind: "missing", message: "Missing Authentication Token" };
    const m = AUTH.exec(auth);
    if (!m) return { kind: "missing", message: "Authorization header is malformed" };
    [, accessKeyId, day, region, service, signedHeaders, signature] = m as unknown as string[] as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    amzDate = request.headers.get("x-amz-date") ?? "";
  }
  if (accessKeyId !== scope.accessKeyId) {
    return { kind: "unknown-key", message: "The security token included in the request is invalid." };
  }
  if (region !== scope.region) {
    return {
      kind: "region",
      message:
        scope.service === "s3"
          ? `The authorization header is malformed; the region '${region}' is wrong; expecting '${scope.region}'`
          : "Credential should be scoped to a valid region.",
    };
  }
  if (service !== scope.service) {
    return {
      kind: "service",
      message:
        scope.service === "s3"
          ? `The authorization header is malformed; the service '${service}' is wrong; expecting 's3'`
          : `Credential should be scoped to correct service: '${scope.service}'.`,
    };
  }
  const at = parseAmzDate(amzDate);
  if (Number.isNaN(at) || amzDate.slice(0, 8) !== day) {
    return { kind: "mismatch", message: "X-Amz-Date is missing or does not match the credential scope" };
  }
  if (presigned) {
    const expires = Number(url.searchParams.get("X-Amz-Expires"));
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_SECONDS) {
      return {
        kind: "query",
        message: "X-Amz-Expires must be less than a week (in seconds) that is 604800",
      };
    }
    if (now > at + expires * 1000) return { kind: "expired", message: "Request has expired" };
  } else if (Math.abs(now - at) > SKEW_MS) {
    return {
      kind: "expired",
      message: `Signature expired: ${amzDate} is now earlier or later than the allowed 15 minutes around the server time`,
    };
  }
  const names = signedHeaders.split(";");
  if (!names.includes("host")) return { kind: "mismatch", message: "the host header must be signed" };
  const headers = new Headers();
  for (const name of names) {
    if (name === "host") continue;
    const value = request.headers.get(name);
    if (value === null) return { kind: "mismatch", message: `signed header ${name} is missing` };
    headers.set(name, value);
  }
  const claimedHash = request.headers.get("x-amz-content-sha256");
  if (scope.service === "s3" && !presigned) {
    if (claimedHash === null) {
      return {
        kind: "no-payload-hash",
        message: "Missing required header for this request: x-amz-content-sha256",
      };
    }
    if (!PAYLOAD_HASH.test(claimedHash)) {
      return {
        kind: "bad-payload-hash",
        message:
          "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.",
      };
    }
  }
  if (claimedHash && /^[0-9a-f]{64}$/.test(claimedHash)) {
    const actual = await sha256Hex(body);
    if (actual !== claimedHash) {
      return {
        kind: "payload-hash",
        message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
      };
    }
  }
  const host = request.headers.get("host");
  if (host) url.host = host;
  if (presigned) url.searchParams.delete("X-Amz-Signature");
  const signer = new AwsV4Signer({
    method: request.method,
    url: url.toString(),
    headers,
    body: body as Uint8Array<ArrayBuffer>,
    accessKeyId: scope.accessKeyId,
    secretAccessKey: scope.secretAccessKey,
    service,
    region,
    datetime: amzDate,
    allHeaders: true,
    signQuery: presigned,
    // The session token, when there is one, is already in the query it signed.
    appendSessionToken: presigned,
  });
  // aws4fetch would add these for S3 unless they are already present; the client decided what it signed.
  if (!names.includes("x-amz-content-sha256")) signer.headers.delete("x-amz-content-sha256");
  signer.signableHeaders = names;
  signer.signedHeaders = names.join(";");
  signer.canonicalHeaders = names
    .map(
      (name) =>
        `${name}:${name === "host" ? url.host : (headers.get(name) ?? "").trim().replace(/\s+/g, " ")}`,
    )
    .join("\n");
  const expected = await signer.signature();
  if (!constantTimeEqual(expected, signature)) {
    return {
      kind: "mismatch",
      message:
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
    };
  }
  return undefined;
}
