import { ConfigurationError, ConflictError, S3Error, ValidationError } from "../errors.ts";
import { sha256Hex } from "./hash.ts";
import { isRetryableS3Error } from "./retry.ts";
import type { Transport } from "./transport.ts";

/** A parsed `s3://bucket/key` (or `s3://bucket/prefix/`). */
export interface S3Location {
  bucket: string;
  /** The key, or the prefix when `isPrefix`. May be empty (the bucket's root). */
  key: string;
  isPrefix: boolean;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses an `s3://` URI, or throws a {@link ValidationError} naming `field`; with `object`, a folder (a
 * key that is empty or ends in `/`) is refused too.
 */
export function parseS3Uri(uri: unknown, field = "s3Uri", object = false): S3Location {
  const fail = (rule: string): never => {
    throw new ValidationError([{ path: field, rule, received: JSON.stringify(String(uri)).slice(0, 120) }]);
  };
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(typeof uri === "string" ? uri : "");
  if (!match) return fail("must look like s3://bucket/prefix/ or s3://bucket/KEY");
  const bucket = match[1] as string;
  const key = match[2] ?? "";
  if (!BUCKET.test(bucket) || bucket.includes("..")) {
    return fail("must name a valid bucket (3-63 lowercase letters, digits, dots and hyphens)");
  }
  if (new TextEncoder().encode(key).length > 1024) return fail("must have a key of at most 1024 bytes");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters in keys break tools downstream
  if (/[\u0000-\u001f\u007f]/.test(key)) return fail("must not contain control characters");
  if (key.startsWith("/") || key.includes("//")) return fail("must not contain empty path segments");
  // S3 keeps "." and ".." as they are, but a URL resolves them: the PUT would write another key (or bucket).
  if (key.split("/").some((segment) => segment === "." || segment === "..")) {
    return fail(
      "must not contain . or .. path segments (S3 takes keys literally; the request would go elsewhere)",
    );
  }
  const isPrefix = key === "" || key.endsWith("/");
  if (object && isPrefix) return fail("must name one object, not a folder");
  return { bucket, key, isPrefix };
}

/** Formats a location back to `s3://bucket/key`. */
export function formatS3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

function encodeKey(key: string): string {
  // Encode each segment: aws4fetch reads "+" in an S3 path as a space unless it is escaped.
  return key
    .split("/")
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join("/");
}

/** Where S3 requests go: AWS (virtual-hosted style) or a custom endpoint (path style). */
export interface S3Target {
  transport: Transport;
  /** A custom endpoint such as `http://127.0.0.1:4566`; AWS when absent. */
  endpoint?: string | undefined;
}

/** The URL of an object (or of the bucket when `key` is empty). */
export function objectUrl(target: S3Target, bucket: string, key: string): string {
  const path = key === "" ? "" : encodeKey(key);
  if (target.endpoint) return `${target.endpoint.replace(/\/+$/, "")}/${bucket}/${path}`;
  const region = target.transport.region;
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  // Dotted bucket names break the wildcard TLS certificate of virtual-hosted style.
  if (bucket.includes(".")) return `https://s3.${region}.${suffix}/${bucket}/${path}`;
  return `https://${bucket}.s3.${region}.${suffix}/${path}`;
}

/** The raw text of the first `<name>` element of an S3 XML answer (entities left as they are). */
export function xmlField(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };

/**
 * The text of the first `<name>` element, its entities decoded: named (`&amp;`, as S3 writes a key's `&`)
 * and numeric (`&#13;`, as it writes a carriage return) alike, since keys may hold any of them.
 */
export function xmlText(xml: string, name: string): string | undefined {
  return xmlField(xml, name)?.replace(
    /&(lt|gt|quot|apos|amp|#[0-9]+|#x[0-9a-fA-F]+);/g,
    (_, entity: string) =>
      entity[0] !== "#"
        ? (ENTITIES[entity] as string)
        : String.fromCodePoint(
            entity[1] === "x" ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10),
          ),
  );
}

/** Builds the typed error of an S3 error answer (XML `Code`, `Message`, `RequestId`; HEAD has no body). */
export function parseS3Error(status: number, headers: Headers, xml: string): S3Error {
  const code =
    xmlField(xml, "Code") ?? (status === 404 ? "NotFound" : status === 403 ? "Forbidden" : `Http${status}`);
  const message = xmlField(xml, "Message") ?? `HTTP ${status}`;
  const requestId = xmlField(xml, "RequestId") ?? headers.get("x-amz-request-id") ?? undefined;
  return new S3Error(message, {
    httpStatus: status,
    requestId,
    retryable: isRetryableS3Error(status, code),
    code,
  });
}

/**
 * The payload hash of a bodiless request, rather than aws4fetch's UNSIGNED-PAYLOAD default: the SHA-256 of
 * the empty string (SigV4's documented value for an empty body; a test checks it against node:crypto).
 */
export const EMPTY_PAYLOAD_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** Options of {@link putObjectOnce}. */
export interface PutOnceOptions {
  /** Replace a different object at the key instead of failing. */
  overwrite?: boolean;
  /** The body's SHA-256 (hex) when the caller has it already, so it is not hashed twice. */
  sha256?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** What S3 answered a conditional PUT: written (under the bucket's KMS key or not), or the key was taken. */
type PutAnswer =
  | { outcome: "written" }
  | { outcome: "written-under-kms"; kmsKeyId: string }
  | { outcome: "taken" };

/**
 * Uploads `body` so that a retry, or a re-run, never corrupts or silently replaces anything: the PUT is
 * conditional (`If-None-Match: *`), carries the payload's SHA-256 both as the signed payload hash and as
 * metadata, and when an object is already there it is accepted only if its SHA-256 metadata matches.
 * Returns whether this call wrote the object.
 */
export async function putObjectOnce(
  target: S3Target,
  bucket: string,
  key: string,
  body: Uint8Array,
  options: PutOnceOptions = {},
): Promise<{ created: boolean; sha256: string }> {
  const sha256 = options.sha256 ?? (await sha256Hex(body));
  const headers: Record<string, string> = {
    "content-type": "text/csv",
    "x-amz-content-sha256": sha256,
    "x-amz-meta-sha256": sha256,
  };
  if (!options.overwrite) headers["if-none-match"] = "*";
  const url = objectUrl(target, bucket, key);
  const put = await target.transport.send(
    { service: "s3", operation: "PutObject", method: "PUT", url, headers, body, signal: options.signal },
    async (response): Promise<PutAnswer> => {
      const text = await response.text();
      if (response.ok) {
        const kmsKeyId = response.headers.get("x-amz-server-side-encryption-aws-kms-key-id");
        return kmsKeyId === null ? { outcome: "written" } : { outcome: "written-under-kms", kmsKeyId };
      }
      // 412: something is at the key already. (409, a concurrent conditional write, is retried.)
      if (response.status === 412 && !options.overwrite) return { outcome: "taken" };
      throw uploadError(parseS3Error(response.status, response.headers, text), bucket, key);
    },
  );
  if (put.outcome === "written-under-kms") {
    // The guide: a deletion job cannot read a file under a KMS key of the bucket's own. The job would fail
    // hours later; the ids (personal data) are taken back now.
    await deleteObject(target, bucket, key, options.signal);
    throw new ConfigurationError(
      `s3://${bucket}/${key} got the KMS key ${put.kmsKeyId}, which Personalize cannot read: use a bucket with SSE-S3`,
    );
  }
  if (put.outcome === "written") return { created: true, sha256 };
  const existing = await headObject(target, bucket, key, options.signal);
  if (existing?.sha256 === sha256) return { created: false, sha256 };
  throw new ConflictError(
    `s3://${bucket}/${key} already holds a different object; choose another key or pass \`overwrite\``,
  );
}

// What a refused upload means, told with the location and the `s3Uri` it came from.
const UPLOAD_HINTS: Record<string, string> = {
  NoSuchBucket: "the bucket does not exist (check its name and the account)",
  AccessDenied: "these credentials may not write there (allow s3:PutObject on the bucket's keys)",
  PermanentRedirect: "the bucket is in another region than the requests",
  AuthorizationHeaderMalformed: "the bucket is in another region than the requests",
};

function uploadError(error: S3Error, bucket: string, key: string): S3Error {
  const hint = UPLOAD_HINTS[error.name];
  return new S3Error(
    `uploading to s3://${bucket}/${key} (from \`s3Uri\`) failed: ${error.name}: ${error.message}${hint ? `; ${hint}` : ""}`,
    {
      httpStatus: error.httpStatus,
      requestId: error.requestId,
      retryable: error.retryable,
      code: error.name,
    },
  );
}

/** HEAD an object: our SHA-256 metadata, or `undefined` when it does not exist. */
export async function headObject(
  target: S3Target,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<{ sha256: string | undefined } | undefined> {
  return target.transport.send(
    {
      service: "s3",
      operation: "HeadObject",
      method: "HEAD",
      url: objectUrl(target, bucket, key),
      headers: { "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256 },
      signal,
    },
    async (response) => {
      await response.body?.cancel();
      if (response.status === 404) return undefined;
      // Without s3:ListBucket, S3 answers a HEAD with 403 whether or not the object exists.
      if (response.status === 403) {
        throw new ConfigurationError(
          `HEAD s3://${bucket}/${key} answered 403: allow s3:GetObject and s3:ListBucket`,
        );
      }
      if (!response.ok) throw parseS3Error(response.status, response.headers, "");
      return { sha256: response.headers.get("x-amz-meta-sha256") ?? undefined };
    },
  );
}

// `?versionId=…` for a request about one version; nothing for the current object.
const versionQuery = (versionId: string | undefined): string =>
  versionId === undefined ? "" : `?versionId=${encodeURIComponent(versionId)}`;

/**
 * Deletes an object (S3 answers 204 whether or not it existed), or with `versionId` that one version or
 * delete marker, for good.
 */
export async function deleteObject(
  target: S3Target,
  bucket: string,
  key: string,
  signal?: AbortSignal,
  versionId?: string,
): Promise<void> {
  await target.transport.send(
    {
      service: "s3",
      operation: "DeleteObject",
      method: "DELETE",
      url: objectUrl(target, bucket, key) + versionQuery(versionId),
      headers: { "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256 },
      signal,
    },
    async (response) => {
      const text = await response.text();
      if (!response.ok && response.status !== 404)
        throw parseS3Error(response.status, response.headers, text);
    },
  );
}

/** An S3 refusal told with what was done where, and, for AccessDenied, the permission to allow. */
export function locateS3Error(error: S3Error, what: string, uri: string, permission: string): S3Error {
  const hint = error.name === "AccessDenied" ? `; allow ${permission}` : "";
  return new S3Error(`${what} ${uri} failed: ${error.name}: ${error.message}${hint}`, {
    httpStatus: error.httpStatus,
    requestId: error.requestId,
    retryable: error.retryable,
    code: error.name,
  });
}
