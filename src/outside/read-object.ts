// GET one object version as a byte stream, with what a write-back must keep (its Content-Type and user
// metadata) and what it must be conditional on (its ETag). S3's refusals become an UnreadableError whose
// reason says, in words, what S3 said and what to allow: the object is then reported, never skipped.
import { EMPTY_PAYLOAD_SHA256, objectUrl, parseS3Error, type S3Target } from "../aws/s3.ts";
import { AbortError, DataDeletionError, S3Error } from "../errors.ts";
import { UnreadableError } from "./errors.ts";

/** An object version being read. */
export interface ObjectRead {
  body: ReadableStream<Uint8Array>;
  /** With its quotes, as S3 sent it: the `If-Match` of a write-back. */
  etag: string;
  /** The version read (`"null"` on an unversioned bucket). */
  versionId: string;
  contentType: string | undefined;
  /**
   * The properties a rewrite keeps, as the PUT headers that set them: encryption (SSE-S3 or SSE-KMS with its
   * key and bucket key), storage class, Cache-Control, Content-Disposition, Content-Language, Expires.
   */
  properties: Record<string, string>;
  /** A stored Content-Encoding (gzip...): the fetch may hand over decoded bytes, so a rewrite refuses it. */
  contentEncoding: string | undefined;
  /** The `x-amz-meta-*` headers, names lowercase without the prefix. */
  meta: Record<string, string>;
  size: number;
}

// What a GET returns that a PUT sets the same way, so a rewritten object keeps it.
const KEPT_PROPERTIES = [
  "cache-control",
  "content-disposition",
  "content-language",
  "expires",
  "x-amz-server-side-encryption",
  "x-amz-server-side-encryption-aws-kms-key-id",
  "x-amz-server-side-encryption-bucket-key-enabled",
  "x-amz-storage-class",
] as const;

/** What S3's error codes mean for a reader, and what to allow. */
const WHY: Record<string, string> = {
  AccessDenied:
    "reading it was refused (AccessDenied): allow s3:GetObject, and s3:GetObjectVersion for older versions",
  Forbidden: "reading it was refused (403): allow s3:GetObject, and s3:GetObjectVersion for older versions",
  NoSuchKey: "it is gone (NoSuchKey): deleted since it was listed",
  NotFound: "it is gone (404): deleted since it was listed",
  NoSuchVersion: "this version is gone (NoSuchVersion): deleted since it was listed",
  NoSuchBucket: "the bucket does not exist (NoSuchBucket)",
  InvalidObjectState:
    "it is archived (InvalidObjectState: Glacier or Deep Archive storage class): restore it first",
};

/** The reason in words of a failed read; never S3's message verbatim past its code (it may quote a key). */
export function unreadableReason(error: unknown): string {
  if (error instanceof UnreadableError) return error.message;
  if (error instanceof S3Error) {
    const code = error.name;
    if (/kms/i.test(code) || /kms/i.test(error.message)) {
      return `its KMS key refused to decrypt it (${code}): allow kms:Decrypt on the bucket's key to these credentials`;
    }
    return WHY[code] ?? `S3 answered ${code} (HTTP ${error.httpStatus})`;
  }
  if (error instanceof AbortError) return "the scan was cancelled";
  if (error instanceof DataDeletionError) return `reading it failed: ${error.name}: ${error.message}`;
  return `reading it failed: ${(error as Error)?.message ?? String(error)}`;
}

/**
 * GETs `key` (the version `versionId`, or the current one when absent). Throws an {@link UnreadableError}
 * with the reason in words when S3 refuses. The body is the caller's to read or cancel; `signal` cancels it.
 */
export async function readObject(
  target: S3Target,
  bucket: string,
  key: string,
  versionId?: string,
  signal?: AbortSignal,
): Promise<ObjectRead> {
  const query = versionId === undefined ? "" : `?versionId=${encodeURIComponent(versionId)}`;
  let read: ObjectRead;
  try {
    read = await target.transport.send(
      {
        service: "s3",
        operation: "GetObject",
        method: "GET",
        url: objectUrl(target, bucket, key) + query,
        headers: { "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256 },
        signal,
      },
      async (response): Promise<ObjectRead> => {
        if (!response.ok) {
          throw parseS3Error(response.status, response.headers, await response.text());
        }
        const meta: Record<string, string> = {};
        for (const [name, value] of response.headers) {
          if (name.startsWith("x-amz-meta-")) meta[name.slice("x-amz-meta-".length)] = value;
        }
        const properties: Record<string, string> = {};
        for (const name of KEPT_PROPERTIES) {
          const value = response.headers.get(name);
          if (value !== null) properties[name] = value;
        }
        const body = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
        return {
          body,
          etag: response.headers.get("etag") ?? "",
          versionId: response.headers.get("x-amz-version-id") ?? versionId ?? "null",
          contentType: response.headers.get("content-type") ?? undefined,
          properties,
          contentEncoding: response.headers.get("content-encoding") ?? undefined,
          meta,
          size: Number(response.headers.get("content-length") ?? 0),
        };
      },
    );
  } catch (error) {
    if (error instanceof AbortError) throw error;
    throw new UnreadableError(unreadableReason(error));
  }
  return { ...read, body: cancellable(read.body, signal) };
}

// The transport's deadline and signal cover the answer's headers only: the body, read for as long as the
// scan takes, is cancelled here when the caller's signal fires.
function cancellable(body: ReadableStream<Uint8Array>, signal: AbortSignal | undefined) {
  if (!signal) return body;
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (signal.aborted) {
          await reader.cancel().catch(() => {});
          controller.error(new AbortError(signal.reason));
          return;
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
