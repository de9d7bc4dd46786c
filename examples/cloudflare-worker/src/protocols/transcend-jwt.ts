// The `x-sombra-token` of Transcend's webhooks: a JWT signed ES384 with the Sombra gateway's P-384 key
// (docs.transcend.io "Verify webhook signature"; the key is served at /public-keys/sombra-general-signing-key
// and taken here from configuration). Verified as Transcend documents it and as its own examples do
// (transcend-io/examples): ES384 only, `scope` is `coreIdentifier`, the audience is the Sombra audience.
// The time claims are checked whenever present (RFC 7519 section 4.1).
import { fromBase64, pemBody } from "./web-crypto.ts";

/** The claims the adapter reads. */
export interface SombraClaims {
  scope: string;
  /** The request's core identifier, signed. */
  value?: string;
  jti?: string;
  exp?: number;
  iat?: number;
}

/** What verification checks against. */
export interface SombraTokenRules {
  /** The Sombra's public key, SPKI PEM (P-384). */
  publicKeyPem: string;
  /** The "Sombra audience" of the Admin Dashboard (Infrastructure, Sombra). */
  audience: string;
  /** Seconds of clock difference tolerated (default 60). */
  clockSkewSeconds?: number;
  /** The oldest a token without `exp` may be, by its `iat` (default 3600). */
  maxAgeSeconds?: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function publicKey(pem: string): Promise<CryptoKey> {
  let key = keys.get(pem);
  if (!key) {
    const der = pemBody(pem, "PUBLIC KEY");
    key = der
      ? crypto.subtle.importKey("spki", der, { name: "ECDSA", namedCurve: "P-384" }, false, ["verify"])
      : Promise.reject(new Error("the Transcend public key is not an SPKI PEM (BEGIN PUBLIC KEY)"));
    key.catch(() => keys.delete(pem));
    keys.set(pem, key);
  }
  return key;
}

/** Whether the configured public key imports as a P-384 ECDSA key; the reason when not. */
export async function sombraKeyProblem(pem: string): Promise<string | undefined> {
  try {
    await publicKey(pem);
    return undefined;
  } catch {
    return "the Transcend public key is not a P-384 SPKI PEM (BEGIN PUBLIC KEY), as /public-keys/sombra-general-signing-key serves it";
  }
}

function json(part: string): Record<string, unknown> | undefined {
  const bytes = fromBase64(part);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(decoder.decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The verified claims, or why the token is refused (words safe to answer: no claim values). */
export async function verifySombraToken(
  token: string | null,
  rules: SombraTokenRules,
  nowMs: number,
): Promise<{ ok: true; claims: SombraClaims } | { ok: false; reason: string }> {
  const no = (reason: string) => ({ ok: false as const, reason });
  if (!token) return no("the x-sombra-token header is missing");
  const parts = token.split(".");
  if (parts.length !== 3) return no("x-sombra-token is not a JWS compact token (three base64url parts)");
  const [head, body, sig] = parts as [string, string, string];
  const header = json(head);
  // Only ES384: a token naming another algorithm (HS384 with the public key as secret, or none) is refused.
  if (header?.alg !== "ES384") return no("x-sombra-token must be signed ES384");
  const signature = fromBase64(sig);
  // JWS ECDSA signatures are r||s, 48 bytes each for P-384 (RFC 7518 section 3.4), as WebCrypto takes them.
  if (signature?.length !== 96) return no("x-sombra-token's signature is not a 96-byte ES384 signature");
  let valid = false;
  try {
    valid = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-384" },
      await publicKey(rules.publicKeyPem),
      signature,
      encoder.encode(`${head}.${body}`),
    );
  } catch {
    return no("x-sombra-token could not be verified: the configured public key is not a P-384 key");
  }
  if (!valid) return no("x-sombra-token's signature does not verify under Transcend's public key");

  const claims = json(body);
  if (!claims) return no("x-sombra-token's payload is not a JSON object");
  if (claims.scope !== "coreIdentifier") return no("x-sombra-token's scope is not coreIdentifier");
  const audience = claims.aud;
  const audiences = Array.isArray(audience) ? audience : [audience];
  if (!audiences.includes(rules.audience)) return no("x-sombra-token is not for this Sombra audience");

  const skew = rules.clockSkewSeconds ?? 60;
  const now = nowMs / 1000;
  for (const name of ["exp", "nbf", "iat"]) {
    if (claims[name] !== undefined && typeof claims[name] !== "number")
      return no(`x-sombra-token's ${name} is not a number`);
  }
  const { exp, nbf, iat } = claims as { exp?: number; nbf?: number; iat?: number };
  if (exp !== undefined && exp + skew <= now) return no("x-sombra-token has expired");
  if (nbf !== undefined && nbf - skew > now) return no("x-sombra-token is not valid yet");
  if (iat !== undefined && iat - skew > now) return no("x-sombra-token was issued in the future");
  if (exp === undefined) {
    if (iat === undefined) return no("x-sombra-token carries neither exp nor iat: its age cannot be checked");
    if (iat + (rules.maxAgeSeconds ?? 3600) + skew <= now)
      return no("x-sombra-token is too old (by its iat)");
  }
  if (claims.value !== undefined && typeof claims.value !== "string")
    return no("x-sombra-token's value is not a string");
  if (claims.jti !== undefined && (typeof claims.jti !== "string" || claims.jti === "")) {
    return no("x-sombra-token's jti is not a string");
  }
  return {
    ok: true,
    claims: {
      scope: "coreIdentifier",
      ...(typeof claims.value === "string" && { value: claims.value }),
      ...(typeof claims.jti === "string" && { jti: claims.jti }),
      ...(exp !== undefined && { exp }),
      ...(iat !== undefined && { iat }),
    },
  };
}
