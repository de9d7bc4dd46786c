// Replaces an object with a stream of bytes only if it is still the version that was read: one PutObject
// with `If-Match` when the output fits in one part, else a multipart upload of fixed-size parts filled as
// the stream goes (one part uploading while the next fills: at most two held), completed with `If-Match`.
// On any failure the upload is aborted, so no part is left billed and the original stays as it was.
import { sha256Hex } from "../aws/hash.ts";
import { objectUrl, parseS3Error, type S3Target, xmlField } from "../aws/s3.ts";
import { ConfigurationError, DataDeletionError } from "../errors.ts";

/** S3's smallest part but the last, and its largest. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;
/** The default part size of a write-back. */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;

/**
 * Someone wrote the object after it was read (S3 answered 412 PreconditionFailed, or 409
 * ConditionalRequestConflict for a write racing ours): nothing was replaced.
 */
export class WriteConflictError extends DataDeletionError {}

/** What the object being replaced was, as read. */
export interface WriteBackOptions {
  /** The ETag read (with its quotes): the write happens only while the object still has it. */
  etag: string;
  contentType?: string | undefined;
  /** User metadata, names without `x-amz-meta-`. */
  meta?: Record<string, string>;
  /** The object's other kept properties, as headers (encryption, storage class, caching...; see read-object.ts). */
  properties?: Record<string, string>;
  /** Part size; an output of at most this many bytes goes in one PUT. Default 8 MiB. */
  partBytes?: number;
  /** The output's expected size (the object read), so that a small one gets a buffer of its size. */
  sizeHint?: number;
  /** Asked once the stream has ended, before anything replaces the object: `false` writes nothing. */
  shouldWrite?: () => boolean;
  signal?: AbortSignal;
}

/** What a write-back did. */
export interface WriteBackResult {
  written: boolean;
  /** The new version's id (`"null"` on an unversioned bucket). */
  versionId?: string;
  bytes: number;
  parts: number;
  /** The most bytes of output this writer held at once (its part buffers). */
  peakBytesHeld: number;
}

/** Checks a part size given as `partBytes`. */
export function checkPartBytes(partBytes: number): number {
  if (!Number.isInteger(partBytes) || partBytes < MIN_PART_BYTES || partBytes > MAX_PART_BYTES) {
    throw new ConfigurationError(
      `partBytes must be a whole number of bytes from 5 MiB (${MIN_PART_BYTES}) to 5 GiB, as S3 requires of parts, received ${partBytes}`,
    );
  }
  return partBytes;
}

function headersOf(options: WriteBackOptions): Record<string, string> {
  const headers: Record<string, string> = { ...options.properties };
  if (options.contentType) headers["content-type"] = options.contentType;
  for (const [name, value] of Object.entries(options.meta ?? {})) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

const conflict = (bucket: string, key: string, code: string) =>
  new WriteConflictError(`s3://${bucket}/${key} changed after it was read (${code}): it was not replaced`);

/** Sends one S3 request whose answer is checked for an error (Complete may fail inside a 200). */
async function call(
  target: S3Target,
  operation: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: Uint8Array | undefined,
  signal: AbortSignal | undefined,
  conflictOf?: (code: string) => Error,
): Promise<{ headers: Headers; text: string }> {
  const payload = body ?? new Uint8Array(0);
  const sha256 = await sha256Hex(payload);
  return target.transport.send(
    {
      service: "s3",
      operation,
      method,
      url,
      headers: { ...headers, "x-amz-content-sha256": sha256 },
      ...(body ? { body } : {}),
      signal,
    },
    async (response) => {
      const text = await response.text();
      const failed = !response.ok || /^\s*(<\?xml[^>]*>\s*)?<Error>/.test(text);
      if (!failed) return { headers: response.headers, text };
      const error = parseS3Error(response.ok ? 500 : response.status, response.headers, text);
      // 409 ConditionalRequestConflict: a concurrent write; AWS says to start again from a fresh read (and,
      // for a multipart upload, a new one), which is what a conflict leads to, not a retry of this request.
      const raced = error.name === "PreconditionFailed" || error.name === "ConditionalRequestConflict";
      if (conflictOf && (response.status === 412 || raced)) throw conflictOf(error.name);
      throw error;
    },
  );
}

/**
 * Replaces `s3://bucket/key` with `body` if its ETag is still `options.etag`, keeping its Content-Type and
 * user metadata. Throws {@link WriteConflictError} when it changed meanwhile. The stream is read once;
 * whatever fails, no multipart upload is left behind.
 */
export async function writeBack(
  target: S3Target,
  bucket: string,
  key: string,
  body: ReadableStream<Uint8Array>,
  options: WriteBackOptions,
): Promise<WriteBackResult> {
  const partBytes = checkPartBytes(options.partBytes ?? DEFAULT_PART_BYTES);
  const { signal } = options;
  const url = objectUrl(target, bucket, key);
  const reader = body.getReader();
  let held = 0;
  let peak = 0;
  const hold = (n: number) => {
    held += n;
    peak = Math.max(peak, held);
  };
  let part = new Uint8Array(0);
  let filled = 0;
  let total = 0;
  let uploadId: string | undefined;
  const etags: string[] = [];
  let inFlight: Promise<void> | undefined;

  const newPart = () => {
    part = new Uint8Array(partBytes);
    filled = 0;
    hold(partBytes);
  };
  // The first part starts at the size hinted (a small object needs no 8 MiB buffer) and grows to a part.
  const grow = () => {
    const size = Math.min(partBytes, Math.max(part.length * 2, options.sizeHint ?? 0, 64 * 1024));
    const bigger = new Uint8Array(size);
    bigger.set(part.subarray(0, filled));
    hold(size - part.length);
    part = bigger;
  };
  const startUpload = async () => {
    const answer = await call(
      target,
      "CreateMultipartUpload",
      "POST",
      `${url}?uploads`,
      headersOf(options),
      undefined,
      signal,
    );
    uploadId = xmlField(answer.text, "UploadId");
    if (!uploadId)
      throw new DataDeletionError(`CreateMultipartUpload for s3://${bucket}/${key} gave no UploadId`);
  };
  // Sends the full part while the next one fills; waits for the one before, so at most two are held.
  const sendPart = async (bytes: Uint8Array) => {
    if (inFlight) await inFlight;
    const number = etags.length + 1;
    etags.push("");
    const sending = call(
      target,
      "UploadPart",
      "PUT",
      `${url}?partNumber=${number}&uploadId=${encodeURIComponent(uploadId as string)}`,
      {},
      bytes,
      signal,
    ).then((answer) => {
      etags[number - 1] = answer.headers.get("etag") ?? "";
      held -= bytes.buffer.byteLength;
    });
    // Awaited before the next part or the completion; a failure meanwhile must not go unhandled.
    sending.catch(() => {});
    inFlight = sending;
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let at = 0;
      while (at < value.length) {
        if (filled === partBytes) {
          // More output than one part: from here on it is a multipart upload.
          if (!uploadId) await startUpload();
          await sendPart(part);
          newPart();
        } else if (filled === part.length) {
          grow();
        }
        const n = Math.min(value.length - at, part.length - filled);
        part.set(value.subarray(at, at + n), filled);
        filled += n;
        at += n;
        total += n;
      }
    }
    if (inFlight) await inFlight;
    if (options.shouldWrite && !options.shouldWrite()) {
      if (uploadId) await abort(target, url, uploadId, signal);
      uploadId = undefined;
      return { written: false, bytes: total, parts: 0, peakBytesHeld: peak };
    }
    const conditional = { "if-match": options.etag };
    if (!uploadId) {
      const answer = await call(
        target,
        "PutObject",
        "PUT",
        url,
        { ...headersOf(options), ...conditional },
        part.subarray(0, filled),
        signal,
        (code) => conflict(bucket, key, code),
      );
      return {
        written: true,
        versionId: answer.headers.get("x-amz-version-id") ?? "null",
        bytes: total,
        parts: 1,
        peakBytesHeld: peak,
      };
    }
    if (filled > 0) await sendPart(part.subarray(0, filled));
    if (inFlight) await inFlight;
    const xml = `<CompleteMultipartUpload>${etags
      .map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
      .join("")}</CompleteMultipartUpload>`;
    const answer = await call(
      target,
      "CompleteMultipartUpload",
      "POST",
      `${url}?uploadId=${encodeURIComponent(uploadId)}`,
      conditional,
      new TextEncoder().encode(xml),
      signal,
      (code) => conflict(bucket, key, code),
    );
    uploadId = undefined;
    return {
      written: true,
      versionId: answer.headers.get("x-amz-version-id") ?? "null",
      bytes: total,
      parts: etags.length,
      peakBytesHeld: peak,
    };
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (inFlight) await inFlight.catch(() => {});
    if (uploadId) {
      const id = uploadId;
      const aborted = await abort(target, url, id).then(
        () => undefined,
        (abortError: Error) => abortError,
      );
      // Parts left behind are billed: say so with the write's own failure, never hide it.
      if (aborted && error instanceof Error) {
        error.message += `; and its multipart upload ${id} could not be aborted (${aborted.name}: allow s3:AbortMultipartUpload, or add an AbortIncompleteMultipartUpload lifecycle rule)`;
      }
    }
    throw error;
  } finally {
    reader.releaseLock();
  }
}

// Without the caller's signal: an abort must still clean up after a cancelled scrub.
async function abort(target: S3Target, url: string, uploadId: string, signal?: AbortSignal): Promise<void> {
  await call(
    target,
    "AbortMultipartUpload",
    "DELETE",
    `${url}?uploadId=${encodeURIComponent(uploadId)}`,
    {},
    undefined,
    signal,
  );
}
