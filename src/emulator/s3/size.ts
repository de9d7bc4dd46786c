// How large an S3 request body may be: S3's own 5 GiB for one PUT or one part, and below it the emulator's
// cap, as it keeps objects in memory. Both are refused as S3 refuses an upload over its limit
// (400 EntityTooLarge), whether the size is known from the headers before the body is read or only once a
// body without a length passes the cap.
import { s3Error } from "../wire.ts";

/** The largest body the emulator holds in memory for one request (it keeps objects in memory). */
export const MAX_OBJECT_BODY = 256 << 20;
/** S3's largest single PUT, and its largest part. */
export const S3_MAX_UPLOAD = 5 * 1024 ** 3;

/**
 * S3's answer to an upload over the limit: `proposed` bytes when a header said so, `undefined` when a body
 * without a length was read past the emulator's cap.
 */
export function entityTooLarge(proposed: number | undefined): Response {
  const why =
    proposed === undefined
      ? `the body is over the emulator's ${MAX_OBJECT_BODY} byte in-memory limit`
      : proposed > S3_MAX_UPLOAD
        ? `${proposed} bytes is over S3's ${S3_MAX_UPLOAD} byte limit for one PUT or part`
        : `${proposed} bytes is over the emulator's ${MAX_OBJECT_BODY} byte in-memory limit`;
  return s3Error(400, "EntityTooLarge", `Your proposed upload exceeds the maximum allowed size: ${why}`);
}

/**
 * S3's size rule, from the Content-Length (or an aws-chunked body's decoded length) before the body is
 * read: over 5 GiB in one PUT or one part is EntityTooLarge; so is anything over what the emulator holds.
 */
export function uploadSizeProblem(request: Request): Response | undefined {
  const sizes = [request.headers.get("content-length"), request.headers.get("x-amz-decoded-content-length")];
  const proposed = Math.max(...sizes.map((s) => Number(s ?? 0) || 0));
  return proposed > Math.min(S3_MAX_UPLOAD, MAX_OBJECT_BODY) ? entityTooLarge(proposed) : undefined;
}
