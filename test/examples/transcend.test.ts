// The Worker as a Transcend server webhook: the `x-sombra-token` JWTs are made here with node:crypto
// (P-384, ES384, raw r||s signatures as JWS has them), never with the module under test; the completion
// report is checked against the fields and values Transcend documents for PUT /v1/data-silo (transcribed
// into test/fixtures/transcend/), and Transcend's own sample public key is imported as the Worker would.
import { beforeEach, describe, expect, test } from "bun:test";
import { createPublicKey, createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { CallbackTarget, RequestState } from "../../examples/cloudflare-worker/src/protocols/port.ts";
import {
  handleTranscend,
  sombraKeyProblem,
  type TranscendConfig,
  transcendCallback,
} from "../../examples/cloudflare-worker/src/protocols/transcend.ts";
import { MemoryIntake, MemoryStore } from "../support/memory-protocol-port.ts";

const FIXTURES = new URL("../fixtures/transcend/", import.meta.url).pathname;
const fixture = (name: string) => readFileSync(FIXTURES + name, "utf8");
const WEBHOOK = JSON.parse(fixture("webhook-erasure.json"));
const PUT_DOC = JSON.parse(fixture("put-v1-data-silo.json"));

const sombra = generateKeyPairSync("ec", { namedCurve: "P-384" });
const stranger = generateKeyPairSync("ec", { namedCurve: "P-384" });
const AUDIENCE = "https://acme.sombra.transcend.io";
const NONCE = "nonce-token-of-this-job.abc";
const API_KEY = "transcend-api-key-0123456789abcdef0123456789";

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

function jwt(
  claims: Record<string, unknown>,
  key: KeyObject = sombra.privateKey,
  header: Record<string, unknown> = { alg: "ES384", typ: "JWT" },
  encoding: "ieee-p1363" | "der" = "ieee-p1363",
): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign("SHA384").update(input).sign({ key, dsaEncoding: encoding });
  return `${input}.${b64url(signature)}`;
}

let intake: MemoryIntake;
let store: MemoryStore;
let config: TranscendConfig;
let now: number;
beforeEach(() => {
  intake = new MemoryIntake();
  store = new MemoryStore(() => intake.now());
  now = Math.floor(intake.now() / 1000);
  config = {
    publicKeyPem: sombra.publicKey.export({ type: "spki", format: "pem" }).toString(),
    audience: AUDIENCE,
    identifier: "userId",
    datasetGroup: "shop",
    sombraUrl: "https://multi-tenant.sombra.transcend.io/",
    apiKey: API_KEY,
  };
});

const claims = (change: Record<string, unknown> = {}) => ({
  scope: "coreIdentifier",
  value: "customer-8731",
  aud: AUDIENCE,
  iat: now - 5,
  exp: now + 300,
  jti: "jti-1",
  ...change,
});

function send(
  options: {
    token?: string | null;
    body?: unknown;
    nonce?: string | null;
    path?: string;
    method?: string;
  } = {},
) {
  const headers = new Headers({ "content-type": "application/json" });
  const token = options.token === undefined ? jwt(claims()) : options.token;
  if (token !== null) headers.set("x-sombra-token", token);
  const nonce = options.nonce === undefined ? NONCE : options.nonce;
  if (nonce !== null) headers.set("x-transcend-nonce", nonce);
  const body = options.body === undefined ? WEBHOOK : options.body;
  const method = options.method ?? "POST";
  return handleTranscend(
    new Request(`https://erasure.example.test${options.path ?? "/webhooks/transcend/dsr-job"}`, {
      method,
      headers,
      ...(method === "POST" && { body: typeof body === "string" ? body : JSON.stringify(body) }),
    }),
    { intake, store, config },
  );
}

const refusedWith = async (response: Response | undefined, status: number, words: string) => {
  expect(response?.status).toBe(status);
  const text = (await response?.text()) ?? "";
  expect(text).toContain(words);
  expect(text).not.toContain("customer-8731");
  expect(intake.taken).toHaveLength(0);
};

describe("the webhook", () => {
  test("an ERASURE webhook of the configured identifier is taken exactly as given, one job per nonce", async () => {
    const response = await send();
    expect(response?.status).toBe(200);
    expect(await response?.json()).toEqual({
      received: true,
      status: "received",
      expectedBy: "2026-12-31T10:00:00.000Z",
    });
    const hash = new Bun.CryptoHasher("sha256").update(NONCE).digest("hex").slice(0, 16);
    expect(intake.taken).toEqual([
      {
        userId: "customer-8731",
        datasetGroup: "shop",
        protocol: "transcend",
        callback: {
          protocol: "transcend",
          urls: ["https://multi-tenant.sombra.transcend.io/v1/data-silo"],
          externalId: `5c7a0a5e-4a34-4a6b-9a1e-0d1b2c3d4e5f:${hash}`,
          extra: { nonce: NONCE },
        },
      },
    ]);
    // The same delivery again (a retry) is answered again without a second request.
    expect((await send())?.status).toBe(200);
    expect(intake.taken).toHaveLength(1);
    // Another job of the same request (another nonce, another token) is its own request.
    expect((await send({ token: jwt(claims({ jti: "jti-2" })), nonce: "another-nonce" }))?.status).toBe(200);
    expect(intake.taken).toHaveLength(2);
  });

  test("the dataset group comes from the webhook URL when it names one", async () => {
    config.datasetGroup = undefined;
    expect((await send({ path: "/webhooks/transcend/dsr-job?dataset_group=shop" }))?.status).toBe(200);
    expect(intake.taken[0]?.datasetGroup).toBe("shop");
    const response = await send({
      token: jwt(claims({ jti: "j2" })),
      nonce: "n2",
      path: "/webhooks/transcend/dsr-job?dataset_group=films",
    });
    expect(response?.status).toBe(400);
    expect(await response?.text()).toContain("?dataset_group");
  });

  test("a webhook of another identifier is answered 204: nothing is held under it", async () => {
    const email = structuredClone(WEBHOOK);
    email.extras.profile = { identifier: "someone@example.com", type: "email" };
    const response = await send({ body: email });
    expect(response?.status).toBe(204);
    expect(intake.taken).toHaveLength(0);
  });

  test("with coreIdentifier configured, the id is the value the token signs, and a body that differs is refused", async () => {
    config.identifier = "coreIdentifier";
    const body = structuredClone(WEBHOOK);
    body.extras.profile = { identifier: "someone@example.com", type: "email" };
    expect((await send({ body }))?.status).toBe(200);
    expect(intake.taken[0]?.userId).toBe("customer-8731");
    intake.taken.length = 0;
    const forged = structuredClone(WEBHOOK);
    forged.coreIdentifier.value = "victim-1";
    await refusedWith(
      await send({ body: forged, token: jwt(claims({ jti: "j3" })), nonce: "n3" }),
      401,
      "differs",
    );
  });

  test("refuses an id the intake refuses, naming the field and not the id", async () => {
    const padded = structuredClone(WEBHOOK);
    padded.extras.profile.identifier = " customer-8731";
    await refusedWith(await send({ body: padded }), 400, "extras.profile.identifier refused");
  });

  test("other request types, a missing nonce or request id, and bodies that are not JSON are refused 400", async () => {
    const access = { ...WEBHOOK, type: "ACCESS" };
    await refusedWith(await send({ body: access }), 400, 'type "ACCESS" is not handled');
    await refusedWith(await send({ body: { ...WEBHOOK, type: "SALE_OPT_OUT" } }), 400, "ERASURE only");
    await refusedWith(await send({ nonce: null }), 400, "x-transcend-nonce");
    await refusedWith(
      await send({ body: { ...WEBHOOK, extras: { profile: WEBHOOK.extras.profile } } }),
      400,
      "extras.request.id",
    );
    await refusedWith(await send({ body: "{not json" }), 400, "not valid UTF-8 JSON");
    const noProfile = { ...WEBHOOK, extras: { request: WEBHOOK.extras.request } };
    await refusedWith(await send({ body: noProfile }), 400, "extras.profile.type");
  });

  test("paths other than the webhook's are left to the rest of the Worker; GET is refused", async () => {
    expect(await send({ path: "/v1/discovery" })).toBeUndefined();
    expect((await send({ method: "GET" }))?.status).toBe(405);
  });
});

describe("the x-sombra-token", () => {
  const cases: [string, () => string | null, string][] = [
    ["a missing token", () => null, "missing"],
    ["a token of another key", () => jwt(claims(), stranger.privateKey), "does not verify"],
    [
      "a payload changed after signing",
      () => {
        const [h, , s] = jwt(claims()).split(".");
        return `${h}.${b64url(JSON.stringify(claims({ value: "victim-1" })))}.${s}`;
      },
      "does not verify",
    ],
    ["alg none", () => `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(claims()))}.`, "ES384"],
    ["alg HS384", () => jwt(claims(), sombra.privateKey, { alg: "HS384" }), "ES384"],
    ["alg ES256", () => jwt(claims(), sombra.privateKey, { alg: "ES256" }), "ES384"],
    ["a DER signature", () => jwt(claims(), sombra.privateKey, undefined, "der"), "96-byte"],
    ["not three parts", () => "abc.def", "three base64url parts"],
    ["an expired token", () => jwt(claims({ exp: now - 61 })), "expired"],
    ["a token not valid yet", () => jwt(claims({ nbf: now + 120 })), "not valid yet"],
    ["a token issued in the future", () => jwt(claims({ iat: now + 120 })), "future"],
    [
      "a token with neither exp nor iat",
      () => jwt(claims({ exp: undefined, iat: undefined })),
      "neither exp nor iat",
    ],
    [
      "a token without exp, older than an hour",
      () => jwt(claims({ exp: undefined, iat: now - 3700 })),
      "too old",
    ],
    ["another audience", () => jwt(claims({ aud: "https://other.sombra.transcend.io" })), "audience"],
    ["no audience", () => jwt(claims({ aud: undefined })), "audience"],
    ["another scope", () => jwt(claims({ scope: "dataSubject" })), "scope"],
    ["a string exp", () => jwt(claims({ exp: String(now + 300) })), "exp is not a number"],
  ];
  for (const [what, token, words] of cases) {
    test(`refuses ${what} with 401`, async () => {
      await refusedWith(await send({ token: token() }), 401, words);
    });
  }

  test("accepts a token within the clock skew, with its audience in a list, without jti", async () => {
    const token = jwt(claims({ exp: now - 30, aud: ["x", AUDIENCE], jti: undefined }));
    expect((await send({ token }))?.status).toBe(200);
  });

  test("a token used again for another body or nonce is a replay; after it expires it is refused anyway", async () => {
    const token = jwt(claims());
    expect((await send({ token }))?.status).toBe(200);
    const other = structuredClone(WEBHOOK);
    other.extras.profile.identifier = "victim-1";
    const replay = await send({ token, body: other });
    expect(replay?.status).toBe(401);
    expect(await replay?.text()).toContain("replay");
    expect((await send({ token, nonce: "stolen-nonce" }))?.status).toBe(401);
    expect(intake.taken.map((r) => r.userId)).toEqual(["customer-8731"]);
    intake.clock += 400_000;
    expect((await send({ token, body: other }))?.status).toBe(401);
    expect(intake.taken).toHaveLength(1);
  });

  test("a token without jti used again for another body is a replay too; the same delivery again is answered", async () => {
    const token = jwt(claims({ jti: undefined }));
    expect((await send({ token }))?.status).toBe(200);
    expect((await send({ token }))?.status).toBe(200);
    const other = structuredClone(WEBHOOK);
    other.extras.profile.identifier = "victim-1";
    const replay = await send({ token, body: other });
    expect(replay?.status).toBe(401);
    expect(await replay?.text()).toContain("replay");
    expect((await send({ token, nonce: "stolen-nonce" }))?.status).toBe(401);
    expect(intake.taken.map((r) => r.userId)).toEqual(["customer-8731"]);
  });

  test("two webhooks racing under one token with different bodies: exactly one taken, the other a replay", async () => {
    const token = jwt(claims({ jti: undefined }));
    const other = structuredClone(WEBHOOK);
    other.extras.profile.identifier = "victim-1";
    store.readTogether = 2;
    const both = await Promise.all([send({ token }), send({ token, body: other })]);
    expect(both.map((r) => r?.status).sort()).toEqual([200, 401]);
    expect(intake.taken).toHaveLength(1);
  });

  test("a token without jti nor exp is guarded until its iat plus the oldest age taken", async () => {
    config.maxAgeSeconds = 600;
    const token = jwt(claims({ jti: undefined, exp: undefined, iat: now - 100 }));
    expect((await send({ token }))?.status).toBe(200);
    const guard = [...store.entries.entries()].find(([key]) => key.startsWith("transcend:token:"));
    // iat + 600 s, plus the default 60 s of skew, from now (iat was 100 s ago).
    expect(guard?.[1].expires).toBe(intake.now() + (600 - 100 + 60) * 1000);
  });

  test("Transcend's published sample key imports as P-384, and a token of another key fails under it", async () => {
    const pem = fixture("sombra-general-signing-key.pem");
    expect(createPublicKey(pem).asymmetricKeyDetails?.namedCurve).toBe("secp384r1");
    expect(await sombraKeyProblem(pem)).toBeUndefined();
    const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    expect(await sombraKeyProblem(p256.toString())).toContain("P-384");
    config.publicKeyPem = pem;
    await refusedWith(await send(), 401, "does not verify");
  });
});

describe("the completion report (PUT /v1/data-silo)", () => {
  const target: CallbackTarget = {
    protocol: "transcend",
    urls: ["https://multi-tenant.sombra.transcend.io/v1/data-silo"],
    externalId: "5c7a0a5e-4a34-4a6b-9a1e-0d1b2c3d4e5f:0123456789abcdef",
    extra: { nonce: NONCE },
  };
  const state = (change: Partial<RequestState> = {}): RequestState => ({
    requestId: "req-1",
    status: "completed",
    receivedAt: "2026-12-01T10:00:00.000Z",
    deadline: "2026-12-31T10:00:00.000Z",
    receipt: { key: "receipts/w1.json", sha256: "ef".repeat(32) },
    ...change,
  });
  const report = async (s: RequestState) => {
    const request = transcendCallback(s, target, config);
    const body = JSON.parse(await request.text());
    // Only documented fields and values, and never the profile (the id) the deprecated form would name.
    for (const key of Object.keys(body)) expect(PUT_DOC.bodyFields).toContain(key);
    if (body.status !== undefined) expect(PUT_DOC.status).toContain(body.status);
    if (body.profileStatus !== undefined) expect(PUT_DOC.profileStatus).toContain(body.profileStatus);
    expect(body.profiles).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain("customer-8731");
    return { request, body };
  };

  test("goes to the Sombra gateway with the job's nonce and the API key, as Transcend documents", async () => {
    const { request, body } = await report(state());
    expect(request.method).toBe("PUT");
    expect(request.url).toBe("https://multi-tenant.sombra.transcend.io/v1/data-silo");
    expect(request.headers.get("authorization")).toBe(`Bearer ${API_KEY}`);
    expect(request.headers.get("x-transcend-nonce")).toBe(NONCE);
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(request.headers.get("x-sombra-authorization")).toBeNull();
    expect(request.headers.get("idempotency-key")).toBe(`transcend:${target.externalId}:completed`);
    expect(body).toEqual({
      profileStatus: "RESOLVED",
      message: `erased from Personalize and from the S3 data around it that the service checks; receipt receipts/w1.json sha256 ${"ef".repeat(32)}`,
    });
    config.sombraApiKey = "sombra-internal-key";
    expect(transcendCallback(state(), target, config).headers.get("x-sombra-authorization")).toBe(
      "Bearer sombra-internal-key",
    );
  });

  test("each state in Transcend's words: partial outcomes need action unless accepted, failures are errors", async () => {
    const expected: [Partial<RequestState>, Record<string, string>, string][] = [
      [
        { status: "queued", receipt: undefined },
        { profileStatus: "WAITING" },
        "expected by 2026-12-31T10:00:00.000Z",
      ],
      [{ status: "submitted", receipt: undefined }, { profileStatus: "WAITING" }, "being processed"],
      [{ status: "completed_in_personalize" }, { status: "ACTION_REQUIRED" }, "may still hold the user"],
      [{ status: "deleted" }, { status: "ACTION_REQUIRED" }, "still in the trained models"],
      [
        { status: "failed", receipt: undefined, failure: "deletion job FAILED" },
        { profileStatus: "ERROR" },
        "deletion job FAILED",
      ],
      [{ status: "lost", receipt: undefined }, { profileStatus: "ERROR" }, "not erased"],
      [{ status: "cancelled", receipt: undefined }, { profileStatus: "SKIPPED" }, "cancelled"],
    ];
    for (const [change, fields, words] of expected) {
      const { body } = await report(state(change));
      expect(body).toMatchObject(fields);
      expect(body.message).toContain(words);
    }
    config.acceptAsCompleted = ["deleted"];
    const { body } = await report(state({ status: "deleted" }));
    expect(body.profileStatus).toBe("RESOLVED");
    expect(body.message).toContain("still in the trained models");
  });

  test("a target without a nonce, or of another protocol, is refused", () => {
    expect(() => transcendCallback(state(), { ...target, extra: {} }, config)).toThrow("nonce");
    expect(() => transcendCallback(state(), { ...target, protocol: "opengdpr" }, config)).toThrow(
      "not transcend",
    );
  });
});

describe("the report over HTTP", () => {
  test("a Sombra gateway receives the PUT with the job's nonce and the API key", async () => {
    const seen: { method: string; path: string; nonce: string | null; auth: string | null; body: unknown }[] =
      [];
    const server = Bun.serve({
      port: 0,
      async fetch(request) {
        seen.push({
          method: request.method,
          path: new URL(request.url).pathname,
          nonce: request.headers.get("x-transcend-nonce"),
          auth: request.headers.get("authorization"),
          body: await request.json(),
        });
        return Response.json({});
      },
    });
    try {
      config.sombraUrl = `http://127.0.0.1:${server.port}`;
      expect((await send())?.status).toBe(200);
      const taken = intake.taken[0];
      if (!taken?.callback) throw new Error("no callback target taken");
      const state = intake.set("req-1", {
        status: "completed",
        receipt: { key: "r/w1.json", sha256: "12".repeat(32) },
      });
      const response = await fetch(transcendCallback(state, taken.callback, config));
      expect(response.status).toBe(200);
      expect(seen).toEqual([
        {
          method: "PUT",
          path: "/v1/data-silo",
          nonce: NONCE,
          auth: `Bearer ${API_KEY}`,
          body: {
            profileStatus: "RESOLVED",
            message: `erased from Personalize and from the S3 data around it that the service checks; receipt r/w1.json sha256 ${"12".repeat(32)}`,
          },
        },
      ]);
    } finally {
      server.stop(true);
    }
  });
});
