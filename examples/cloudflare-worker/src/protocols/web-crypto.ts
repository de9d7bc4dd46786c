// What the OpenGDPR and Transcend adapters share: bounded body reads, base64 both ways, PEM and the one
// piece of X.509 they need (the certificate's public key), digests and a comparison that leaks no timing.
// WebCrypto and Web APIs only, as everywhere in the Worker.

const encoder = new TextEncoder();

/** The body's bytes, read only up to `max`; `undefined` when larger (refused without being held). */
export async function readBounded(
  request: Request,
  max: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (Number(request.headers.get("content-length") ?? 0) > max) return undefined;
  const reader = request.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
}

/** Standard base64 (RFC 4648 section 4) of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Bytes of base64 or base64url (RFC 4648 sections 4 and 5, padding optional); `undefined` when neither. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return undefined;
  const standard = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (standard.length % 4 === 1) return undefined;
  const padded = standard + "=".repeat((4 - (standard.length % 4)) % 4);
  try {
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** The DER inside the first PEM block labelled `label`, or `undefined`. */
export function pemBody(pem: string, label: string): Uint8Array<ArrayBuffer> | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  return match?.[1] === undefined ? undefined : fromBase64(match[1].replace(/\s+/g, ""));
}

/** SHA-256 of a string's UTF-8 bytes (or of bytes), as lowercase hex. */
export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether two secrets are equal, compared as digests so neither time nor an early exit depends on where they differ. */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256Hex(given), sha256Hex(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0 && expected.length > 0;
}

// One DER element: where its contents start and end, and where the whole element ends.
interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Uint8Array, at: number): Tlv | undefined {
  const tag = der[at];
  let length = der[at + 1];
  if (tag === undefined || length === undefined) return undefined;
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) return undefined;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + (der[start + i] ?? Number.NaN);
    start += octets;
  }
  const end = start + length;
  return Number.isFinite(end) && end <= der.length ? { tag, start, end } : undefined;
}

/**
 * The SubjectPublicKeyInfo of an X.509 certificate (RFC 5280 section 4.1: the seventh field of
 * tbsCertificate when the explicit version is present, the sixth otherwise), as DER.
 */
export function certificateSpki(
  certificateDer: Uint8Array<ArrayBuffer>,
): Uint8Array<ArrayBuffer> | undefined {
  const certificate = readTlv(certificateDer, 0);
  const tbs = certificate?.tag === 0x30 ? readTlv(certificateDer, certificate.start) : undefined;
  if (tbs?.tag !== 0x30) return undefined;
  let at = tbs.start;
  let field = readTlv(certificateDer, at);
  if (field?.tag === 0xa0) {
    at = field.end;
    field = readTlv(certificateDer, at);
  }
  // serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo.
  for (let skipped = 0; skipped < 5; skipped++) {
    if (!field) return undefined;
    at = field.end;
    field = readTlv(certificateDer, at);
  }
  return field?.tag === 0x30 ? certificateDer.slice(at, field.end) : undefined;
}
