// The Worker as an OpenGDPR 1.0 Processor, against the specification's own examples (copied into
// test/fixtures/opengdpr/ from opengdpr/opengdpr, branch opengdpr_v1): every signature the processor sends
// is verified here with node:crypto under the public key of its CA-issued test certificate, as a controller
// would (security_guidelines.md, "Callback validation"), never with the module under test.
import { beforeEach, describe, expect, test } from "bun:test";
import { createVerify, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  handleOpenGdpr,
  type OpenGdprConfig,
  openGdprCallback,
  openGdprKeyProblem,
} from "../../examples/cloudflare-worker/src/protocols/opengdpr.ts";
import type { CallbackTarget, RequestState } from "../../examples/cloudflare-worker/src/protocols/port.ts";
import { MemoryIntake, MemoryStore } from "../support/memory-protocol-port.ts";

const FIXTURES = new URL("../fixtures/opengdpr/", import.meta.url).pathname;
const fixture = (name: string) => readFileSync(FIXTURES + name, "utf8");
const specJson = (name: string) => JSON.parse(fixture(name)) as Record<string, unknown>;

const DOMAIN = "opengdpr.example-processor.test";
const CERT = fixture("processor.pem");
const TOKEN = "controller-token-0123456789abcdef0123456789";
const OTHER_TOKEN = "other-controller-token-0123456789abcdef0123";
const ORIGIN = `https://${DOMAIN}`;

const baseConfig = (): OpenGdprConfig => ({
  processorDomain: DOMAIN,
  privateKeyPem: fixture("processor.key.pem"),
  certificatePem: CERT,
  controllers: [
    { id: "example_controller_id", token: TOKEN },
    { id: "other_controller", token: OTHER_TOKEN },
  ],
  identity: { type: "controller_customer_id", format: "raw" },
  datasetGroup: "shop",
  receiptsUrl: `${ORIGIN}/receipts`,
});

let intake: MemoryIntake;
let store: MemoryStore;
let config: OpenGdprConfig;
beforeEach(() => {
  intake = new MemoryIntake();
  store = new MemoryStore(() => intake.now());
  config = baseConfig();
});

const call = (path: string, init: RequestInit = {}, token: string | undefined = TOKEN) => {
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  return handleOpenGdpr(new Request(`${ORIGIN}${path}`, { ...init, headers }), { intake, store, config });
};
const post = (body: string, token?: string) =>
  call(
    "/v1/opengdpr_requests",
    { method: "POST", body, headers: { "content-type": "application/json" } },
    token,
  );

// The controller's check: the signature in the header, over the exact bytes received, under the
// certificate's key; the certificate issued by the CA and naming the domain in the header.
async function verified(
  response: Response | Request,
): Promise<{ bytes: Buffer; json: Record<string, unknown> }> {
  const bytes = Buffer.from(await response.arrayBuffer());
  const signature = response.headers.get("x-opengdpr-signature");
  expect(signature).toBeTruthy();
  expect(response.headers.get("x-opengdpr-processor-domain")).toBe(DOMAIN);
  const certificate = new X509Certificate(CERT);
  expect(certificate.checkHost(DOMAIN)).toBe(DOMAIN);
  expect(certificate.verify(new X509Certificate(fixture("test-ca.pem")).publicKey)).toBe(true);
  const ok = createVerify("RSA-SHA256")
    .update(bytes)
    .verify(certificate.publicKey, signature as string, "base64");
  expect(ok).toBe(true);
  return { bytes, json: JSON.parse(bytes.toString("utf8")) };
}

const keysOf = (value: Record<string, unknown>) => Object.keys(value).sort();
// The spec's example request with its one JSON error (a trailing comma in "extensions") taken out.
const specRequest = () =>
  fixture("request.body.txt").replace(`"property_id": "123456",\n`, `"property_id": "123456"\n`);
const request = (change: Record<string, unknown> = {}) =>
  JSON.stringify({
    subject_request_id: "a7551968-d5d6-44b2-9831-815ac9017798",
    subject_request_type: "erasure",
    submitted_time: "2018-10-02T15:00:00Z",
    subject_identities: [
      { identity_type: "controller_customer_id", identity_value: "user-42", identity_format: "raw" },
    ],
    api_version: "1.0",
    status_callback_urls: ["https://examplecontroller.com/opengdpr_callbacks"],
    ...change,
  });

describe("discovery and the certificate (sections 6, 4.1)", () => {
  test("discovery answers the spec's fields, signed, and names the certificate on the processor's domain", async () => {
    const response = (await call("/v1/discovery", {}, undefined)) as Response;
    expect(response.status).toBe(200);
    const { json } = await verified(response);
    expect(keysOf(json)).toEqual(keysOf(specJson("discovery-response.json")));
    expect(json.supported_identities).toEqual([
      { identity_type: "controller_customer_id", identity_format: "raw" },
    ]);
    expect(json.supported_subject_request_types).toEqual(["erasure"]);
    expect(json.processor_certificate).toBe(`https://${DOMAIN}/v1/cert.pem`);
    const cert = (await call("/v1/cert.pem", {}, undefined)) as Response;
    expect(await cert.text()).toBe(CERT);
    const status = (await call("/v1/status", {}, undefined)) as Response;
    expect((await verified(status)).json).toEqual({ api_version: "1.0", status: "ok" });
    expect((await call("/v1/discovery", { method: "POST" }, undefined))?.status).toBe(405);
  });

  test("paths outside OpenGDPR's are left to the rest of the Worker", async () => {
    expect(await call("/v2/discovery")).toBeUndefined();
    expect(await call("/v1/data-rights-request")).toBeUndefined();
    expect(await call("/discovery")).toBeUndefined();
    expect(await call("/v1/opengdpr_requests/a/b")).toBeUndefined();
    // An id is a lowercase UUID v4 or nothing: an escape in it is refused, not decoded.
    expect((await call("/v1/opengdpr_requests/%E0%A4%A"))?.status).toBe(400);
  });

  test("the key check accepts the certificate's own key and refuses another", async () => {
    expect(await openGdprKeyProblem(config)).toBeUndefined();
    expect(await openGdprKeyProblem({ ...config, privateKeyPem: fixture("other.key.pem") })).toBe(
      "the OpenGDPR private key does not belong to the certificate's public key",
    );
    expect(await openGdprKeyProblem({ ...config, certificatePem: "not a certificate" })).toContain(
      "not a PEM X.509",
    );
  });

  test("the spec's signature example is an illustration, not a vector: the same text signs four different bodies", () => {
    const spec = fixture("example-signature.txt").trim();
    expect(Buffer.from(spec, "base64").length).toBe(512);
    // Four bodies (7.4, 8.4, 8.7, 9.3) differ, so at most one could verify; no certificate is given to try.
    const bodies = [
      "response.json",
      "status-response.json",
      "callback-request.json",
      "cancellation-response.json",
    ];
    expect(new Set(bodies.map(fixture)).size).toBe(4);
  });
});

describe("erasure requests (section 7)", () => {
  test("the spec's example request as printed is refused: its extensions hold a trailing comma", async () => {
    config.identity = { type: "email", format: "raw" };
    const response = (await post(fixture("request.body.txt"))) as Response;
    expect(response.status).toBe(400);
    const { json } = await verified(response);
    expect(keysOf(json)).toEqual(keysOf(specJson("error-response.json")));
    const error = json.error as { code: number; message: string; errors: Record<string, unknown>[] };
    expect(error.code).toBe(400);
    expect(keysOf(error)).toEqual(keysOf(specJson("error-response.json").error as Record<string, unknown>));
    expect(keysOf(error.errors[0] as Record<string, unknown>)).toEqual(["domain", "message", "reason"]);
    expect(intake.taken).toHaveLength(0);
  });

  test("the spec's example request, corrected, is taken with its email exactly as given and answered 201", async () => {
    config = {
      ...config,
      processorDomain: "example-processor.com",
      identity: { type: "email", format: "raw" },
    };
    const body = specRequest();
    const response = (await post(body)) as Response;
    expect(response.status).toBe(201);
    expect(response.headers.get("x-opengdpr-processor-domain")).toBe("example-processor.com");
    const json = JSON.parse(await response.text());
    // The 7.4 example's fields, and the optional api_version.
    expect(keysOf(json)).toEqual([...keysOf(specJson("response.json")), "api_version"].sort());
    expect(json.controller_id).toBe("example_controller_id");
    expect(json.subject_request_id).toBe("a7551968-d5d6-44b2-9831-815ac9017798");
    expect(Buffer.from(json.encoded_request, "base64").toString("utf8")).toBe(body);
    expect(json.received_time).toBe("2026-12-01T10:00:00.000Z");
    expect(json.expected_completion_time).toBe("2026-12-31T10:00:00.000Z");
    expect(intake.taken).toEqual([
      {
        userId: "johndoe@example.com",
        datasetGroup: "shop",
        protocol: "opengdpr",
        callback: {
          protocol: "opengdpr",
          urls: ["https://examplecontroller.com/opengdpr_callbacks"],
          // Scoped by controller in the ledger; the callback names the controller's own id.
          externalId: "example_controller_id:a7551968-d5d6-44b2-9831-815ac9017798",
          extra: {
            controllerId: "example_controller_id",
            subjectRequestId: "a7551968-d5d6-44b2-9831-815ac9017798",
          },
        },
      },
    ]);
  });

  test("the dataset group comes from the processor's own extension when given", async () => {
    const body = request({
      extensions: { [DOMAIN]: { dataset_group: "shop" }, "other.test": { dataset_group: "x" } },
    });
    config.datasetGroup = undefined;
    expect(((await post(body)) as Response).status).toBe(201);
    expect(intake.taken[0]?.datasetGroup).toBe("shop");
    const unknown = request({
      subject_request_id: "b7551968-d5d6-44b2-9831-815ac9017798",
      extensions: { [DOMAIN]: { dataset_group: "films" } },
    });
    const refused = (await post(unknown)) as Response;
    expect(refused.status).toBe(400);
    expect((await verified(refused)).json.error).toMatchObject({
      message: expect.stringContaining(`extensions["${DOMAIN}"].dataset_group`),
    });
  });

  test("the same request again is answered again, once taken; another body under its id is refused", async () => {
    const first = JSON.parse(await ((await post(request())) as Response).text());
    const again = (await post(request())) as Response;
    expect(again.status).toBe(201);
    expect(JSON.parse(await again.text()).received_time).toBe(first.received_time);
    expect(intake.taken).toHaveLength(1);
    const other = (await post(request({ submitted_time: "2018-10-03T15:00:00Z" }))) as Response;
    expect(other.status).toBe(400);
    expect(((await verified(other)).json.error as { errors: { reason: string }[] }).errors[0]?.reason).toBe(
      "DuplicateSubjectRequestId",
    );
    // Another controller reusing the id gets its own request: never the first's, nor word of it.
    const theirs = (await post(request(), OTHER_TOKEN)) as Response;
    expect(theirs.status).toBe(201);
    expect(intake.taken).toHaveLength(2);
    expect(intake.taken[1]?.callback?.externalId).not.toBe(intake.taken[0]?.callback?.externalId);
    // The first controller's request done, the second's still pending: each sees its own.
    intake.set("req-1", { status: "completed" });
    const theirStatus = (await call(
      `/v1/opengdpr_requests/a7551968-d5d6-44b2-9831-815ac9017798`,
      {},
      OTHER_TOKEN,
    )) as Response;
    expect((await verified(theirStatus)).json.request_status).toBe("pending");
    const cancelled = (await call(
      `/v1/opengdpr_requests/a7551968-d5d6-44b2-9831-815ac9017798`,
      { method: "DELETE" },
      OTHER_TOKEN,
    )) as Response;
    expect(cancelled.status).toBe(202);
    expect(intake.cancelled).toEqual(["req-2"]);
  });

  test("the same id racing from one controller with two bodies: one request, made from one body; the other refused", async () => {
    store.readTogether = 2;
    const [a, b] = await Promise.all([
      post(request()),
      post(request({ submitted_time: "2018-10-03T15:00:00Z" })),
    ]);
    expect([(a as Response).status, (b as Response).status].sort()).toEqual([201, 400]);
    expect(intake.taken).toHaveLength(1);
  });

  test("an id claimed by a delivery that never finished is busy (503) for a minute, then taken", async () => {
    // The Worker stops between the claim and the intake's answer (here the intake throws, as a crash would).
    const take = intake.take.bind(intake);
    intake.take = () => Promise.reject(new Error("the isolate was stopped"));
    await expect(post(request())).rejects.toThrow("the isolate was stopped");
    intake.take = take;
    expect(((await post(request())) as Response).status).toBe(503);
    intake.clock += 61_000;
    expect(((await post(request())) as Response).status).toBe(201);
    expect(intake.taken).toHaveLength(1);
  });

  test("a request the intake refused frees its id: the corrected one is taken", async () => {
    const refused = (await post(
      request({ extensions: { [DOMAIN]: { dataset_group: "films" } } }),
    )) as Response;
    expect(refused.status).toBe(400);
    expect(((await post(request())) as Response).status).toBe(201);
    expect(intake.taken).toHaveLength(1);
  });

  const refusals: [string, Record<string, unknown>, string, string][] = [
    ["access requests", { subject_request_type: "access" }, "UnsupportedSubjectRequestType", "erasure only"],
    [
      "portability requests",
      { subject_request_type: "portability" },
      "UnsupportedSubjectRequestType",
      "erasure only",
    ],
    ["an unknown type", { subject_request_type: "delete" }, "IllegalArgumentException", "must be one of"],
    [
      "a missing id",
      { subject_request_id: undefined },
      "IllegalArgumentException",
      "subject_request_id field is required",
    ],
    [
      "an upper-case id",
      { subject_request_id: "A7551968-D5D6-44B2-9831-815AC9017798" },
      "IllegalArgumentException",
      "lowercase UUID v4",
    ],
    [
      "a v1 UUID",
      { subject_request_id: "a7551968-d5d6-11b2-9831-815ac9017798" },
      "IllegalArgumentException",
      "UUID v4",
    ],
    ["a missing submitted_time", { submitted_time: undefined }, "IllegalArgumentException", "submitted_time"],
    ["api_version 2.0", { api_version: "2.0" }, "UnsupportedApiVersion", "1.x"],
    [
      "an http callback",
      { status_callback_urls: ["http://examplecontroller.com/cb"] },
      "IllegalArgumentException",
      "https",
    ],
    [
      "only an email identity",
      {
        subject_identities: [
          { identity_type: "email", identity_value: "johndoe@example.com", identity_format: "raw" },
        ],
      },
      "UnsupportedIdentity",
      "received types: email",
    ],
    [
      "a hashed customer id",
      {
        subject_identities: [
          { identity_type: "controller_customer_id", identity_value: "ab12", identity_format: "sha256" },
        ],
      },
      "UnsupportedIdentityFormat",
      'must be "raw"',
    ],
    [
      "two different customer ids",
      {
        subject_identities: [
          { identity_type: "controller_customer_id", identity_value: "user-42", identity_format: "raw" },
          { identity_type: "controller_customer_id", identity_value: "user-43", identity_format: "raw" },
        ],
      },
      "AmbiguousIdentity",
      "one request erases one data subject",
    ],
    [
      "an id the intake refuses",
      {
        subject_identities: [
          { identity_type: "controller_customer_id", identity_value: " user-42", identity_format: "raw" },
        ],
      },
      "Refused",
      "subject_identities[0].identity_value refused",
    ],
  ];
  for (const [what, change, reason, words] of refusals) {
    test(`refuses ${what} in the spec's error shape, naming the field and never the identity`, async () => {
      const response = (await post(request(change))) as Response;
      expect(response.status).toBe(400);
      const { json, bytes } = await verified(response);
      const error = json.error as { code: number; message: string; errors: { reason: string }[] };
      expect(error.code).toBe(400);
      expect(error.errors[0]?.reason).toBe(reason);
      expect(error.message).toContain(words);
      for (const secret of ["johndoe@example.com", "user-42", "user-43", "ab12"]) {
        expect(bytes.toString("utf8")).not.toContain(secret);
      }
      expect(intake.taken).toHaveLength(0);
    });
  }

  test("refuses a missing or wrong bearer token, and a body that is not JSON", async () => {
    for (const token of ["", "controller-token-0123456789abcdef012345678X"]) {
      const response = (await post(request(), token)) as Response;
      expect(response.status).toBe(401);
      expect(((await verified(response)).json.error as { code: number }).code).toBe(401);
    }
    const bare = await handleOpenGdpr(
      new Request(`${ORIGIN}/v1/opengdpr_requests`, {
        method: "POST",
        headers: { authorization: TOKEN },
        body: request(),
      }),
      { intake, store, config },
    );
    expect(bare?.status).toBe(401);
    expect(((await post("{not json")) as Response).status).toBe(400);
    expect(((await post("x".repeat(20_000))) as Response).status).toBe(413);
    expect(intake.taken).toHaveLength(0);
  });
});

describe("status and cancellation (sections 8, 9)", () => {
  const ID = "a7551968-d5d6-44b2-9831-815ac9017798";
  const status = async (token = TOKEN) => (await call(`/v1/opengdpr_requests/${ID}`, {}, token)) as Response;

  test("each ledger state answers in OpenGDPR's four statuses, saying what a partial erasure leaves", async () => {
    await post(request());
    const cases: [Partial<RequestState>, string, string][] = [
      [{ status: "queued" }, "pending", "queued"],
      [{ status: "in_window" }, "pending", "not yet submitted"],
      [{ status: "submitted" }, "in_progress", "being processed"],
      [{ status: "failed", failure: "job FAILED" }, "in_progress", "not fulfilled"],
      [{ status: "lost" }, "in_progress", "not erased"],
      [{ status: "deleted" }, "in_progress", "still in the trained models"],
      [{ status: "completed_in_personalize" }, "in_progress", "may still hold the user"],
      [
        { status: "completed", receipt: { key: "receipts/w1.json", sha256: "ab".repeat(32) } },
        "completed",
        "erased",
      ],
    ];
    for (const [change, expected, words] of cases) {
      intake.set("req-1", change);
      const response = await status();
      expect(response.status).toBe(200);
      const { json } = await verified(response);
      expect(json.request_status).toBe(expected);
      const own = (json.extensions as Record<string, Record<string, string>>)[DOMAIN];
      expect(own?.erasure_state).toBe(change.status as string);
      expect(own?.detail).toContain(words);
    }
    const { json } = await verified(await status());
    // The 8.4 example's fields, and the processor's own extension.
    expect(keysOf(json)).toEqual([...keysOf(specJson("status-response.json")), "extensions"].sort());
    expect(json.results_url).toBe(`${ORIGIN}/receipts/receipts%2Fw1.json`);
    expect((json.extensions as Record<string, Record<string, string>>)[DOMAIN]?.receipt_sha256).toBe(
      "ab".repeat(32),
    );
  });

  test("a deployment that accepts `deleted` as its erasure reports it completed, still saying what it means", async () => {
    config.acceptAsCompleted = ["deleted"];
    await post(request());
    intake.set("req-1", { status: "deleted" });
    const { json } = await verified(await status());
    expect(json.request_status).toBe("completed");
    expect((json.extensions as Record<string, Record<string, string>>)[DOMAIN]?.detail).toContain(
      "still in the trained models",
    );
    intake.set("req-1", { status: "completed_in_personalize" });
    expect((await verified(await status())).json.request_status).toBe("in_progress");
  });

  test("another controller's request is unknown to it", async () => {
    await post(request());
    const response = await status(OTHER_TOKEN);
    expect(response.status).toBe(404);
    expect(((await verified(response)).json.error as { code: number }).code).toBe(404);
    const cancel = (await call(`/v1/opengdpr_requests/${ID}`, { method: "DELETE" }, OTHER_TOKEN)) as Response;
    expect(cancel.status).toBe(404);
    expect(intake.cancelled).toEqual([]);
  });

  test("a pending request is cancelled (202, the spec's fields); one whose job exists is refused", async () => {
    await post(request());
    intake.clock += 60_000;
    const response = (await call(`/v1/opengdpr_requests/${ID}`, { method: "DELETE" })) as Response;
    expect(response.status).toBe(202);
    const { json } = await verified(response);
    expect(keysOf(json)).toEqual(keysOf(specJson("cancellation-response.json")));
    expect(json.received_time).toBe("2026-12-01T10:01:00.000Z");
    expect(intake.cancelled).toEqual(["req-1"]);
    expect((await verified(await status())).json.request_status).toBe("cancelled");

    await post(request({ subject_request_id: "c7551968-d5d6-44b2-9831-815ac9017798" }));
    intake.set("req-2", { status: "submitted" });
    const late = (await call("/v1/opengdpr_requests/c7551968-d5d6-44b2-9831-815ac9017798", {
      method: "DELETE",
    })) as Response;
    expect(late.status).toBe(400);
    expect(((await verified(late)).json.error as { errors: { reason: string }[] }).errors[0]?.reason).toBe(
      "NotCancellable",
    );
  });
});

describe("status callbacks (sections 8.5 to 8.8)", () => {
  const target: CallbackTarget = {
    protocol: "opengdpr",
    urls: ["https://examplecontroller.com/opengdpr_callbacks", "https://backup.examplecontroller.com/cb"],
    externalId: "a7551968-d5d6-44b2-9831-815ac9017798",
    extra: { controllerId: "example_controller_id" },
  };
  const state: RequestState = {
    requestId: "req-1",
    status: "completed",
    receivedAt: "2026-12-01T10:00:00.000Z",
    deadline: "2026-12-31T10:00:00.000Z",
    completedAt: "2026-12-02T10:00:00.000Z",
    receipt: { key: "receipts/w1.json", sha256: "cd".repeat(32) },
  };

  test("a callback names the controller's own subject_request_id, not the ledger's scoped id", async () => {
    const scoped: CallbackTarget = {
      ...target,
      externalId: `example_controller_id:${target.externalId}`,
      extra: { controllerId: "example_controller_id", subjectRequestId: target.externalId },
    };
    const { json } = await verified(await openGdprCallback(state, scoped, config));
    expect(json.subject_request_id).toBe(target.externalId);
  });

  test("a callback carries the spec's fields, signed over its exact body, to each URL in turn", async () => {
    for (const url of target.urls) {
      const callback = await openGdprCallback(state, target, config, url);
      expect(callback.method).toBe("POST");
      expect(callback.url).toBe(url);
      expect(callback.headers.get("idempotency-key")).toBe(`opengdpr:${target.externalId}:completed`);
      const { json } = await verified(callback);
      expect(keysOf(json)).toEqual([...keysOf(specJson("callback-request.json")), "extensions"].sort());
      expect(json).toMatchObject({
        controller_id: "example_controller_id",
        status_callback_url: url,
        subject_request_id: target.externalId,
        request_status: "completed",
        expected_completion_time: state.deadline,
        results_url: `${ORIGIN}/receipts/receipts%2Fw1.json`,
      });
    }
  });

  test("the controller's check fails on a body changed in transit and on another key's signature", async () => {
    const callback = await openGdprCallback({ ...state, status: "deleted" }, target, config);
    const body = await callback.text();
    expect(JSON.parse(body).request_status).toBe("in_progress");
    const signature = callback.headers.get("x-opengdpr-signature") as string;
    const key = new X509Certificate(CERT).publicKey;
    expect(createVerify("RSA-SHA256").update(body).verify(key, signature, "base64")).toBe(true);
    const changed = body.replace('"in_progress"', '"completed"');
    expect(createVerify("RSA-SHA256").update(changed).verify(key, signature, "base64")).toBe(false);
    const forged = await openGdprCallback(state, target, {
      ...config,
      privateKeyPem: fixture("other.key.pem"),
    });
    const forgedBody = await forged.text();
    const forgedSignature = forged.headers.get("x-opengdpr-signature") as string;
    expect(createVerify("RSA-SHA256").update(forgedBody).verify(key, forgedSignature, "base64")).toBe(false);
  });

  test("a URL the request did not name, or a target of another protocol, is refused", async () => {
    expect(openGdprCallback(state, target, config, "https://attacker.test/cb")).rejects.toThrow(
      "status_callback_urls",
    );
    expect(openGdprCallback(state, { ...target, protocol: "transcend" }, config)).rejects.toThrow(
      "not opengdpr",
    );
  });
});

describe("a callback over HTTP", () => {
  test("a controller's endpoint receives it and verifies it as the security guidelines say, answering 202", async () => {
    const seen: { signature: string | null; domain: string | null; body: string }[] = [];
    const server = Bun.serve({
      port: 0,
      async fetch(request) {
        const body = Buffer.from(await request.arrayBuffer());
        const signature = request.headers.get("x-opengdpr-signature");
        seen.push({
          signature,
          domain: request.headers.get("x-opengdpr-processor-domain"),
          body: body.toString(),
        });
        const key = new X509Certificate(CERT).publicKey;
        const valid =
          signature !== null && createVerify("RSA-SHA256").update(body).verify(key, signature, "base64");
        if (!valid) return new Response(null, { status: 400 });
        const url = JSON.parse(body.toString()).status_callback_url;
        return new Response(null, { status: url === request.url ? 202 : 400 });
      },
    });
    try {
      const url = `http://127.0.0.1:${server.port}/opengdpr_callbacks`;
      const target: CallbackTarget = {
        protocol: "opengdpr",
        urls: [url],
        externalId: "a7551968-d5d6-44b2-9831-815ac9017798",
        extra: { controllerId: "example_controller_id" },
      };
      const state: RequestState = {
        requestId: "req-1",
        status: "completed_in_personalize",
        receivedAt: "2026-12-01T10:00:00.000Z",
        deadline: "2026-12-31T10:00:00.000Z",
      };
      const response = await fetch(await openGdprCallback(state, target, config));
      expect(response.status).toBe(202);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.domain).toBe(DOMAIN);
      expect(JSON.parse(seen[0]?.body ?? "{}").request_status).toBe("in_progress");
      // The same check refuses a callback signed by another key.
      const forged = await openGdprCallback(state, target, {
        ...config,
        privateKeyPem: fixture("other.key.pem"),
      });
      expect((await fetch(forged)).status).toBe(400);
    } finally {
      server.stop(true);
    }
  });
});
