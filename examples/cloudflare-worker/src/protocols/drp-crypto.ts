// The signatures DRP rests on (section 3.07.1): libsodium "combined mode", a 64-byte Ed25519 signature
// immediately followed by the signed JSON, the whole base64-encoded. Verified with WebCrypto's Ed25519
// (workerd, Node 20+, Bun), so no new dependency.

const SIGNATURE_BYTES = 64;
const KEY_BYTES = 32;
const encoder = new TextEncoder();

/** Standard base64 (RFC 4648 section 4, padding optional) to bytes, or `undefined` when it is not base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  const s = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.replace(/=+$/, "").length % 4 === 1) return undefined;
  const padded = s.replace(/=+$/, "").padEnd(Math.ceil(s.replace(/=+$/, "").length / 4) * 4, "=");
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const toBase64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

/**
 * An agent's verify key as the Service Directory gives it: base64 since DRP 0.9.1, hex in 0.9 (OSIRAA's
 * own directory entry is still hex). Both name 32 bytes; `undefined` when the text is neither.
 */
export function verifyKeyBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  const s = text.trim();
  // 64 hex digits are also valid base64, but of 48 bytes, never 32: the length tells the two apart.
  if (/^[0-9a-fA-F]{64}$/.test(s)) {
    const bytes = new Uint8Array(KEY_BYTES);
    for (let i = 0; i < KEY_BYTES; i++) bytes[i] = Number.parseInt(s.slice(i * 2, i * 2 + 2), 16);
    return bytes;
  }
  const bytes = fromBase64(s);
  return bytes?.length === KEY_BYTES ? bytes : undefined;
}

/** Why a signed body cannot be opened, in the order section 3.07 checks. */
export type OpenFailure = "not-base64" | "too-short" | "bad-signature" | "not-json";

/**
 * Opens a combined-mode signed body with the agent's 32-byte key: the verified JSON object and its bytes
 * as signed (for replay detection), or why not. Nothing of the message is trusted before the signature.
 */
export async function openSigned(
  body: string,
  key: Uint8Array<ArrayBuffer>,
): Promise<
  | { ok: true; message: Record<string, unknown>; signed: Uint8Array<ArrayBuffer> }
  | { ok: false; why: OpenFailure }
> {
  const bytes = fromBase64(body);
  if (!bytes) return { ok: false, why: "not-base64" };
  if (bytes.length <= SIGNATURE_BYTES) return { ok: false, why: "too-short" };
  const signature = bytes.slice(0, SIGNATURE_BYTES);
  const signed = bytes.slice(SIGNATURE_BYTES);
  const publicKey = await crypto.subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]);
  if (!(await crypto.subtle.verify({ name: "Ed25519" }, publicKey, signature, signed))) {
    return { ok: false, why: "bad-signature" };
  }
  try {
    const message: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(signed));
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      return { ok: false, why: "not-json" };
    }
    return { ok: true, message: message as Record<string, unknown>, signed };
  } catch {
    return { ok: false, why: "not-json" };
  }
}

/** SHA-256 as lowercase hex: how tokens and messages are keyed in the store (never themselves). */
export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A bearer token: 32 bytes from the CSPRNG (section 2.05.1 asks for one), base64url. */
export function newToken(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

const ISO_8601 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * An ISO 8601 timestamp with its offset (Python's `isoformat()` gives microseconds and `+00:00`, others
 * `Z`) as milliseconds, or `undefined`: one without an offset names no instant, so it is refused.
 */
export function parseInstant(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = ISO_8601.exec(value);
  if (!m) return undefined;
  const fraction = m[2] ? `.${m[2].slice(0, 3).padEnd(3, "0")}` : "";
  const zone = m[3] === "Z" ? "Z" : `${m[3]?.slice(0, 3)}:${m[3]?.slice(-2)}`;
  const ms = Date.parse(`${m[1]}${fraction}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * An instant as DRP timestamps are written here: milliseconds and an explicit `+00:00`, the form Python's
 * `datetime.fromisoformat` (which OSIRAA's checks call, and which before Python 3.11 refuses `Z`) reads.
 */
export const formatInstant = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, "+00:00");
