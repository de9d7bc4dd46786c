// DeleteObjects (POST /bucket?delete): up to 1,000 keys, each with an optional version id, deleted as
// DeleteObject would; quiet mode reports only the errors. S3 requires the body's Content-MD5 or an
// x-amz-checksum-* so that a list altered on the way deletes nothing.
import { isVersionId, type Versions } from "../versioning.ts";
import { s3Error, xmlEscape } from "../wire.ts";
import { claimedChecksums, verifyUpload } from "./checksums.ts";
import { malformedXml, XMLNS, xml, xmlField } from "./common.ts";

const MAX_KEYS = 1000;

/** DeleteObjects of `bucket`. */
export async function deleteObjects(
  request: Request,
  url: URL,
  body: Uint8Array,
  bucket: string,
  versions: Versions,
  now: () => number,
): Promise<Response> {
  if (!request.headers.has("content-md5") && claimedChecksums(request, url, new Headers()).length === 0) {
    return s3Error(
      400,
      "InvalidRequest",
      "Missing required header for this request: Content-MD5 (or an x-amz-checksum-* header)",
    );
  }
  const verified = await verifyUpload(request, url, body, new Headers());
  if (verified instanceof Response) return verified;
  const text = new TextDecoder().decode(body);
  if (!/^\s*(<\?xml[^>]*\?>\s*)?<Delete[\s>]/.test(text)) return malformedXml();
  const quiet = xmlField(text, "Quiet")?.trim() === "true";
  const objects = [...text.matchAll(/<Object>([\s\S]*?)<\/Object>/g)].map((m) => ({
    key: xmlField(m[1] as string, "Key"),
    versionId: xmlField(m[1] as string, "VersionId"),
  }));
  if (objects.length === 0 || objects.length > MAX_KEYS || objects.some((o) => o.key === undefined)) {
    return malformedXml();
  }
  const results: string[] = [];
  for (const { key, versionId } of objects as { key: string; versionId?: string }[]) {
    const keyXml = `<Key>${xmlEscape(key)}</Key>`;
    const versionXml = versionId === undefined ? "" : `<VersionId>${xmlEscape(versionId)}</VersionId>`;
    if (versionId !== undefined && !isVersionId(versionId)) {
      results.push(
        `<Error>${keyXml}${versionXml}<Code>NoSuchVersion</Code><Message>The specified version does not exist.</Message></Error>`,
      );
      continue;
    }
    const done =
      versionId !== undefined
        ? (versions.deleteVersion(bucket, key, versionId) ?? { versionId, deleteMarker: false })
        : versions.deleteCurrent(bucket, key, now());
    if (quiet) continue;
    // A marker deleted by its id, or one just added: S3 names it DeleteMarkerVersionId.
    const marker = done.deleteMarker
      ? `<DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>${done.versionId}</DeleteMarkerVersionId>`
      : "";
    results.push(`<Deleted>${keyXml}${versionXml}${marker}</Deleted>`);
  }
  return xml(`<DeleteResult xmlns="${XMLNS}">${results.join("")}</DeleteResult>`);
}
