// A loopback server for tests: every request's SigV4 signature is re-derived with @smithy/signature-v4 (the
// AWS SDK's signer, independent of aws4fetch) and S3 payload hashes with node:crypto, before an emulator
// (or a test's own responder) answers. A request that fails the check gets a 403 and is recorded as such.
import { createHash } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { createEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/handler.ts";

export const TEST_CREDENTIALS = {
  accessKeyId: "AKIDTESTVERIFY",
  secretAccessKey: "verify/SECRET+key0123456789abcdefghijk",
};

export interface SeenRequest {
  method: string;
  path: string;
  target: string | null;
  verified: boolean;
  problem?: string;
  body: Uint8Array;
  headers: Headers;
}

export interface VerifyingServer {
  url: string;
  emulator: Emulator;
  requests: SeenRequest[];
  /** Answer before the emulator does (return undefined to let it answer). */
  intercept?: (req: SeenRequest) => Response | undefined | Promise<Response | undefined>;
  close(): void;
}

function amzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new Error(`bad x-amz-date ${value}`);
  const [, y, mo, d, h, mi, sec] = m.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, sec));
}

/** Re-signs the request with smithy and compares; returns a problem description or undefined. */
export async function smithyVerify(
  req: Request,
  body: Uint8Array,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<string | undefined> {
  const auth = req.headers.get("authorization") ?? "";
  const m =
    /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)/.exec(
      auth,
    );
  if (!m) return "no SigV4 authorization header";
  const [, accessKeyId, , region, service, signedHeaders] = m as unknown as string[];
  if (accessKeyId !== credentials.accessKeyId) return `unexpected access key ${accessKeyId}`;
  const url = new URL(req.url);
  const names = (signedHeaders as string).split(";");
  const headers: Record<string, string> = {};
  for (const name of names)
    headers[name] = name === "host" ? (req.headers.get("host") ?? url.host) : (req.headers.get(name) ?? "");
  if (service === "s3") {
    const claimed = req.headers.get("x-amz-content-sha256");
    const actual = createHash("sha256").update(body).digest("hex");
    if (claimed !== actual)
      return `x-amz-content-sha256 ${claimed} is not the SHA-256 of the ${body.length} bytes received (${actual})`;
    if (!names.includes("x-amz-content-sha256")) return "x-amz-content-sha256 is not signed";
  }
  const sessionToken = req.headers.get("x-amz-security-token") ?? undefined;
  const signer = new SignatureV4({
    credentials: { ...credentials, ...(sessionToken ? { sessionToken } : {}) },
    region: region as string,
    service: service as string,
    sha256: Sha256,
    uriEscapePath: service !== "s3",
    applyChecksum: false,
  });
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers,
      body: body.length ? body : undefined,
    },
    {
      signingDate: amzDate(req.headers.get("x-amz-date") ?? ""),
      signableHeaders: new Set(names),
      unsignableHeaders: new Set(),
    },
  );
  const expected = (signed.headers as Record<string, string>).authorization;
  return expected === auth
    ? undefined
    : `signature mismatch: smithy computed ${expected}, client sent ${auth}`;
}

export function startVerifyingServer(options: EmulatorOptions = {}): VerifyingServer {
  const emulator = createEmulator({
    accessKeyId: TEST_CREDENTIALS.accessKeyId,
    secretAccessKey: TEST_CREDENTIALS.secretAccessKey,
    jobSeconds: 0,
    ...options,
  });
  const requests: SeenRequest[] = [];
  const state: VerifyingServer = {
    url: "",
    emulator,
    requests,
    close: () => server.stop(true),
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = new Uint8Array(await req.arrayBuffer());
      const url = new URL(req.url);
      const problem = await smithyVerify(req, body, TEST_CREDENTIALS);
      const seen: SeenRequest = {
        method: req.method,
        path: url.pathname + url.search,
        target: req.headers.get("x-amz-target"),
        verified: problem === undefined,
        ...(problem ? { problem } : {}),
        body,
        headers: req.headers,
      };
      requests.push(seen);
      if (problem)
        return new Response(JSON.stringify({ __type: "InvalidSignatureException", message: problem }), {
          status: 403,
        });
      const early = await state.intercept?.(seen);
      if (early) return early;
      return emulator.fetch(
        new Request(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.method === "GET" || req.method === "HEAD" ? null : body,
        }),
      );
    },
  });
  state.url = `http://127.0.0.1:${server.port}`;
  return state;
}
