// What every S3 operation group of the emulator answers with: XML documents and S3's errors.
import { md5 } from "../digest.ts";
import type { StoredObject } from "../state-types.ts";
import { s3Error, xmlEscape } from "../wire.ts";

/** S3's XML namespace. */
export const XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

/** The owner the emulator reports (one account). */
export const OWNER = "<Owner><ID>emulator</ID><DisplayName>emulator</DisplayName></Owner>";

/** An XML answer. */
export const xml = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    status,
    headers: { "content-type": "application/xml", ...headers },
  });

export const notAllowed = () =>
  s3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
export const noSuchBucket = (bucket: string) =>
  s3Error(404, "NoSuchBucket", "The specified bucket does not exist", bucket);
export const noSuchKey = (key: string) => s3Error(404, "NoSuchKey", "The specified key does not exist.", key);
export const notImplemented = (what: string) =>
  s3Error(
    501,
    "NotImplemented",
    `A header or query you provided implies functionality that is not implemented: ${what}`,
  );
export const malformedXml = () =>
  s3Error(
    400,
    "MalformedXML",
    "The XML you provided was not well-formed or did not validate against our published schema",
  );
export const invalidArgument = (message: string, resource = "") =>
  s3Error(400, "InvalidArgument", message, resource);
export const invalidVersionId = (versionId: string) =>
  invalidArgument("Invalid version id specified", versionId);
export const preconditionFailed = (key: string) =>
  s3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", key);

/** How a listing writes keys: URL-encoded (`encoding-type=url`, `/` kept) or XML-escaped. */
export function encoder(url: URL): (text: string) => string {
  return url.searchParams.get("encoding-type") === "url"
    ? (text) => encodeURIComponent(text).replace(/%2F/g, "/")
    : xmlEscape;
}

/** S3's refusal of an `encoding-type` other than `url`, or `undefined`. */
export function encodingProblem(url: URL): Response | undefined {
  const type = url.searchParams.get("encoding-type");
  return type === null || type === "url"
    ? undefined
    : invalidArgument(`Invalid Encoding Method specified in Request: encoding-type was '${type}'`);
}

/** `max-keys` (default 1000, at most 1000 served), or S3's refusal. */
export function maxKeys(url: URL): { echo: number; max: number } | Response {
  const raw = url.searchParams.get("max-keys");
  const echo = raw === null ? 1000 : Number(raw);
  if (!Number.isInteger(echo) || echo < 0 || (raw !== null && !/^\d+$/.test(raw))) {
    return invalidArgument("Provided max-keys not an integer or within integer range");
  }
  return { echo, max: Math.min(echo, 1000) };
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** The text of an XML element's content, entities decoded. */
export function xmlText(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e.startsWith("#x")
      ? String.fromCodePoint(Number.parseInt(e.slice(2), 16))
      : e.startsWith("#")
        ? String.fromCodePoint(Number(e.slice(1)))
        : (ENTITIES[e] as string),
  );
}

/** The content of the first `<name>` element in `text`, decoded; `undefined` when there is none. */
export function xmlField(text: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text);
  return m ? xmlText(m[1] as string) : undefined;
}

/** An object's ETag, unquoted; objects put in place by hand (tests) or older snapshots carry none yet. */
export const etagOf = (object: StoredObject) => (object.etag ??= md5(object.body));
