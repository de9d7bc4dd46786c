import { AwsV4Signer } from "aws4fetch";
import { sha256Hex } from "../hash.ts";

/** Why a request's signature was refused, in the words AWS uses. */
export interface SignatureProblem {
  kind: "missing" | "unknown-key" | "expired" | "mismatch" | "payload-hash";
  message: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const SKEW_MS = 15 * 60 * 1000;

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

/**
 * Re-derives a request's SigV4 signature from the configured secret and compares it. Checks the access key,
 * the date (15 minutes of skew, as AWS allows), the signed payload hash against the bytes received, and the
 * signature itself. Returns `undefined` when the request is genuine.
 */
export async function checkSignature(
  request: Request,
  body: Uint8Array,
  credentials: { accessKeyId: string; secretAccessKey: string; region: string },
  now: number,
): Promise<SignatureProblem | undefined> {
  const auth = request.headers.get("authorization");
  if (!auth) return { kind: "missing", message: "Missing Authentication Token" };
  const m = AUTH.exec(auth);
  if (!m) return { kind: "missing", message: "Authorization header is malformed" };
  const [, accessKeyId, day, region, service, signedHeaders, signature] = m as unknown as string[];
  if (accessKeyId !== credentials.accessKeyId) {
    return { kind: "unknown-key", message: "The security token included in the request is invalid." };
  }
  const amzDate = request.headers.get("x-amz-date") ?? "";
  const at = parseAmzDate(amzDate);
  if (Number.isNaN(at) || amzDate.slice(0, 8) !== day) {
    return { kind: "mismatch", message: "X-Amz-Date is missing or does not match the credential scope" };
  }
  if (Math.abs(now - at) > SKEW_MS) {
    return {
      kind: "expired",
      message: `Signature expired: ${amzDate} is now earlier or later than the allowed 15 minutes around the server time`,
    };
  }
  const names = (signedHeaders as string).split(";");
  if (!names.includes("host")) return { kind: "mismatch", message: "the host header must be signed" };
  const headers = new Headers();
  for (const name of names) {
    if (name === "host") continue;
    const value = request.headers.get(name);
    if (value === null) return { kind: "mismatch", message: `signed header ${name} is missing` };
    headers.set(name, value);
  }
  const claimedHash = request.headers.get("x-amz-content-sha256");
  if (claimedHash && /^[0-9a-f]{64}$/.test(claimedHash)) {
    const actual = await sha256Hex(body);
    if (actual !== claimedHash) {
      return {
        kind: "payload-hash",
        message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
      };
    }
  }
  const url = new URL(request.url);
  const host = request.headers.get("host");
  if (host) url.host = host;
  const signer = new AwsV4Signer({
    method: request.method,
    url: url.toString(),
    headers,
    body: body as Uint8Array<ArrayBuffer>,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    service: service as string,
    region: region as string,
    datetime: amzDate,
    allHeaders: true,
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
  if (!constantTimeEqual(expected, signature as string)) {
    return {
      kind: "mismatch",
      message:
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
    };
  }
  return undefined;
}
