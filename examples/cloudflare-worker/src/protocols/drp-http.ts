// DRP's answers on the wire: JSON bodies, its error shape (section 3.06: `code` as a string, `message`,
// `fatal` when the request can never succeed), and the capped reading of the signed text bodies.

/** The largest signed body taken: an exercise with every identity claim fits many times over. */
import { readBounded } from "./web-crypto.ts";
export const MAX_DRP_BODY_BYTES = 16 * 1024;

/** A DRP answer (200) with a JSON body. */
export const drpJson = (body: unknown, status = 200): Response =>
  Response.json(body, { status, headers: { "cache-control": "no-store" } });

/** DRP's error shape (section 3.06); `fatal` marks a request that will never be processed as sent. */
export function drpError(status: number, message: string, fatal?: boolean): Response {
  return drpJson({ code: String(status), message, ...(fatal ? { fatal: true } : {}) }, status);
}

/** Section 2.05.1: a failed pairing is `403 Forbidden` with no body, the reason settled out of band. */
export const forbiddenNoBody = (): Response => new Response(null, { status: 403 });

/** The body as text, or `undefined` when it is over the cap (read no further than the cap). */
export async function readCapped(request: Request): Promise<string | undefined> {
  const bytes = await readBounded(request, MAX_DRP_BODY_BYTES);
  return bytes && new TextDecoder().decode(bytes);
}
