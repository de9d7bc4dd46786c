// The emulator's signature check on its own: requests signed by @smithy/signature-v4 (the AWS SDK's signer,
// not ours) are accepted, and each way a request can be wrong is refused with the problem AWS reports.
import { describe, expect, test } from "bun:test";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { checkSignature } from "../../src/emulator/sigv4-check.ts";

const CREDENTIALS = {
  accessKeyId: "AKIDSIGV4",
  secretAccessKey: "sigv4-secret",
  region: "us-east-1",
  service: "personalize",
};
const S3_SCOPE = { ...CREDENTIALS, service: "s3" };
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const encoder = new TextEncoder();

async function signed(
  options: { service?: string; body?: string; secret?: string; at?: number; path?: string } = {},
): Promise<{ request: Request; body: Uint8Array }> {
  const service = options.service ?? "personalize";
  const body = encoder.encode(options.body ?? '{"jobName":"j"}');
  const headers: Record<string, string> = {
    host: "127.0.0.1:4566",
    "content-type": "application/x-amz-json-1.1",
  };
  if (service === "s3") {
    headers["x-amz-content-sha256"] = new Bun.CryptoHasher("sha256").update(body).digest("hex");
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: CREDENTIALS.accessKeyId,
      secretAccessKey: options.secret ?? CREDENTIALS.secretAccessKey,
    },
    region: "us-east-1",
    service,
    sha256: Sha256,
    uriEscapePath: service !== "s3",
    applyChecksum: false,
  });
  const path = options.path ?? "/";
  const out = await signer.sign(
    { method: "POST", protocol: "http:", hostname: "127.0.0.1", port: 4566, path, headers, body },
    { signingDate: new Date(options.at ?? NOW) },
  );
  const request = new Request(`http://127.0.0.1:4566${path}`, {
    method: "POST",
    headers: out.headers as Record<string, string>,
    body,
  });
  return { request, body };
}

describe("checkSignature", () => {
  test("accepts what the AWS SDK's signer signs, for Personalize and for S3", async () => {
    const personalize = await signed();
    expect(await checkSignature(personalize.request, personalize.body, CREDENTIALS, NOW)).toBeUndefined();
    const s3 = await signed({ service: "s3", body: "USER_ID\nu\n", path: "/bucket/key.csv" });
    expect(await checkSignature(s3.request, s3.body, S3_SCOPE, NOW)).toBeUndefined();
  });

  test("no Authorization header, or a malformed one: missing", async () => {
    const bare = new Request("http://127.0.0.1:4566/", { method: "POST", body: "{}" });
    expect((await checkSignature(bare, encoder.encode("{}"), CREDENTIALS, NOW))?.kind).toBe("missing");
    const { request, body } = await signed();
    const headers = new Headers(request.headers);
    headers.set("authorization", "AWS4-HMAC-SHA256 nonsense");
    const malformed = new Request(request.url, {
      method: "POST",
      headers,
      body: body as Uint8Array<ArrayBuffer>,
    });
    expect((await checkSignature(malformed, body, CREDENTIALS, NOW))?.kind).toBe("missing");
  });

  test("another access key: unknown-key", async () => {
    const { request, body } = await signed();
    const problem = await checkSignature(request, body, { ...CREDENTIALS, accessKeyId: "AKIDOTHER" }, NOW);
    expect(problem?.kind).toBe("unknown-key");
  });

  test("another secret, or a body changed after signing: mismatch", async () => {
    const wrongSecret = await signed({ secret: "not-the-secret" });
    expect((await checkSignature(wrongSecret.request, wrongSecret.body, CREDENTIALS, NOW))?.kind).toBe(
      "mismatch",
    );
    const { request } = await signed();
    const changed = encoder.encode('{"jobName":"k"}');
    expect((await checkSignature(request, changed, CREDENTIALS, NOW))?.kind).toBe("mismatch");
  });

  test("S3: bytes that are not the signed payload hash: payload-hash", async () => {
    const { request } = await signed({ service: "s3", body: "USER_ID\nu\n", path: "/bucket/key.csv" });
    const problem = await checkSignature(request, encoder.encode("USER_ID\nv\n"), S3_SCOPE, NOW);
    expect(problem?.kind).toBe("payload-hash");
  });

  test("more than 15 minutes of clock skew either way: expired; within it: accepted", async () => {
    for (const offset of [-16 * 60_000, 16 * 60_000]) {
      const { request, body } = await signed({ at: NOW + offset });
      expect((await checkSignature(request, body, CREDENTIALS, NOW))?.kind).toBe("expired");
    }
    const { request, body } = await signed({ at: NOW - 14 * 60_000 });
    expect(await checkSignature(request, body, CREDENTIALS, NOW)).toBeUndefined();
  });

  test("a signed header that did not arrive: mismatch naming it", async () => {
    const { request, body } = await signed();
    const headers = new Headers(request.headers);
    headers.delete("content-type");
    const stripped = new Request(request.url, {
      method: "POST",
      headers,
      body: body as Uint8Array<ArrayBuffer>,
    });
    const problem = await checkSignature(stripped, body, CREDENTIALS, NOW);
    expect(problem?.kind).toBe("mismatch");
    expect(problem?.message).toContain("content-type");
  });
});
