// The Worker as a Data Rights Protocol PIP for erasure (examples/cloudflare-worker/src/protocols/drp.ts),
// one test per check of OSIRAA's "DRP Cert Test Suite" (drp_aa_mvp/reporting) that applies to a PIP doing
// deletion, plus the spec's own validation rules (section 3.07). Every signature here is made by node:crypto
// or, in test/fixtures/drp/libsodium-vectors.json, by libsodium itself; never by the module under test.
import { beforeEach, describe, expect, test } from "bun:test";
import { handleDrp } from "../../examples/cloudflare-worker/src/protocols/drp.ts";
import vectors from "../fixtures/drp/libsodium-vectors.json";
import spec from "../fixtures/drp/spec-examples.json";
import {
  alice,
  BASE,
  bob,
  call,
  config,
  configure,
  DAY_MS,
  exerciseMessage,
  expectDrpError,
  intake,
  iso,
  PYTHON_ISO,
  pair,
  resetWorld,
  signed,
  store,
  submit,
  vectorAgent,
} from "../support/drp-world.ts";

beforeEach(resetWorld);

describe("OSIRAA 2: POST /v1/data-rights-request (Data Rights Exercise)", () => {
  test("PIP has validate the message is signed: one bit changed is refused, nothing taken", async () => {
    const token = await pair(alice);
    const body = Buffer.from(signed(alice, exerciseMessage(alice)), "base64");
    body[body.length - 3] = (body[body.length - 3] as number) ^ 1;
    const message = await expectDrpError(
      await call("POST", "/v1/data-rights-request", body.toString("base64"), token),
      403,
    );
    expect(message).toContain("signature does not verify");
    expect(intake.taken).toEqual([]);
  });

  test("PIP has validate the message is signed: libsodium's signature by another key is refused", async () => {
    const token = await pair(vectorAgent);
    intake.clock = Date.parse("2025-01-31T12:01:00.000Z");
    const response = await call(
      "POST",
      "/v1/data-rights-request",
      vectors.exercise_signed_by_other.signed_base64,
      token,
    );
    await expectDrpError(response, 403);
    expect(intake.taken).toEqual([]);
  });

  test("a body that is not base64 of a signed message is refused (section 3.07's first check)", async () => {
    const token = await pair(alice);
    await expectDrpError(
      await call("POST", "/v1/data-rights-request", JSON.stringify(exerciseMessage(alice)), token),
      400,
      true,
    );
    await expectDrpError(
      await call("POST", "/v1/data-rights-request", Buffer.alloc(64).toString("base64"), token),
      400,
      true,
    );
  });

  test("Returns a Data Rights Status object (request_id, received_at, status)", async () => {
    const { body } = await submit(alice, await pair(alice));
    expect(body).toHaveProperty("request_id");
    expect(body).toHaveProperty("received_at");
    expect(body).toHaveProperty("status");
  });

  test("Contains field request_id", async () => {
    const { body } = await submit(alice, await pair(alice));
    expect(body.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("request_id is a unique string", async () => {
    const token = await pair(alice);
    const ids = new Set<unknown>();
    for (let i = 0; i < 5; i++)
      ids.add((await submit(alice, token, { "issued-at": iso(intake.clock - i - 1) })).body.request_id);
    expect(ids.size).toBe(5);
  });

  test("Contains field “received_at”, and Is “received_at” ISO time format", async () => {
    const { body } = await submit(alice, await pair(alice));
    expect(body.received_at).toMatch(PYTHON_ISO);
    expect(Date.parse(body.received_at as string)).toBe(intake.clock);
  });

  test("Contains field “status”, and Is “status” valid", async () => {
    const { body } = await submit(alice, await pair(alice));
    expect(spec.statuses_section_3_02).toContain(body.status as string);
  });

  test("Contains field “expected_by”, and Is “expected_by” as ISO time format: received_at plus DEADLINE_DAYS", async () => {
    intake.deadlineDays = 45;
    const { body } = await submit(alice, await pair(alice));
    expect(body.expected_by).toMatch(PYTHON_ISO);
    expect(Date.parse(body.expected_by as string)).toBe(intake.clock + 45 * DAY_MS);
  });

  test("Contains field “reason”, and Is “reason” valid: null (none) while in progress", async () => {
    const { body } = await submit(alice, await pair(alice));
    expect(body).toHaveProperty("reason");
    expect(body.reason).toBeNull();
  });

  test("Contains field “processing_details”", async () => {
    const { body } = await submit(alice, await pair(alice));
    expect(body.processing_details).toContain("waiting for the next deletion window");
  });

  test("Has “user_verification_url” in valid format: N/A, never asked (no need_user_verification)", async () => {
    const { body } = await submit(alice, await pair(alice));
    expect(body).not.toHaveProperty("user_verification_url");
  });

  test("Contains field “expires_at”, and Is “expires_at” as ISO time format: expected_by plus DRP_RECORD_DAYS", async () => {
    const { body } = await submit(alice, await pair(alice));
    expect(body.expires_at).toMatch(PYTHON_ISO);
    expect(Date.parse(body.expires_at as string)).toBe(intake.clock + (30 + 60) * DAY_MS);
  });

  test("Contains no unknown fields (section 3.03's fields only)", async () => {
    const { body } = await submit(alice, await pair(alice), { "agent-request-id": "aa-7" });
    for (const field of Object.keys(body)) expect(spec.status_fields_section_3_03).toContain(field);
    expect(body.agent_request_id).toBe("aa-7");
  });

  test("Response valid for deletion + ccpa: in_progress, reason none, expires_at present", async () => {
    const { body } = await submit(alice, await pair(alice), { regime: "ccpa" });
    expect(body.status).toBe("in_progress");
    expect(body.reason).toBeNull();
    expect(body).toHaveProperty("expires_at");
  });

  test("Response valid for deletion + voluntary (and with no regime, voluntary by the spec)", async () => {
    const token = await pair(alice);
    const voluntary = await submit(alice, token, { regime: "voluntary" });
    const none = await submit(alice, token, { regime: undefined, "issued-at": iso(intake.clock - 2) });
    for (const { body } of [voluntary, none]) {
      expect(body.status).toBe("in_progress");
      expect(body.reason).toBeNull();
    }
    expect(intake.taken).toHaveLength(2);
  });

  test.each([...spec.rights_section_3_01.filter((r) => r !== "deletion"), "sale:opt_out", "sale:opt_in"])(
    "All calls MUST return a Data Rights Status object for all actions listed in the Service Directory: %s is not listed, so refused",
    async (right) => {
      const { response } = await submit(alice, await pair(alice), { exercise: right });
      const message = await expectDrpError(response, 400, true);
      expect(message).toStartWith(spec.error_section_3_06.message.replace(/\.$/, ""));
      expect(message).toContain(JSON.stringify(right));
      expect(intake.taken).toEqual([]);
    },
  );

  test.each(["agent-id", "business-id", "issued-at", "expires-at", "drp.version", "exercise"])(
    "The message body MUST contain the field %s: refused without it, nothing taken",
    async (field) => {
      const { response, body } = await submit(alice, await pair(alice), { [field]: undefined });
      expect(response.status).toBeOneOf([400, 403]);
      expect(body.code).toBe(String(response.status));
      expect(intake.taken).toEqual([]);
    },
  );

  test("3.07: the agent-id claim must be the bearer token's agent", async () => {
    const bobToken = await pair(bob);
    // Bob signs, with his own key and token, a message claiming to be Alice's.
    const response = await call(
      "POST",
      "/v1/data-rights-request",
      signed(bob, exerciseMessage(alice)),
      bobToken,
    );
    expect(await expectDrpError(response, 403, true)).toContain("agent-id");
    expect(intake.taken).toEqual([]);
  });

  test("3.07: the signature must verify with the key of the bearer token's agent", async () => {
    const aliceToken = await pair(alice);
    await pair(bob);
    const response = await call(
      "POST",
      "/v1/data-rights-request",
      signed(bob, exerciseMessage(alice)),
      aliceToken,
    );
    await expectDrpError(response, 403);
    expect(intake.taken).toEqual([]);
  });

  test("3.07: the business-id claim must be this Covered Business", async () => {
    const { response } = await submit(alice, await pair(alice), { "business-id": "OTHER_BUSINESS" });
    expect(await expectDrpError(response, 403, true)).toContain("business-id");
    expect(intake.taken).toEqual([]);
  });

  test("3.07: the current time must be after issued-at", async () => {
    const { response } = await submit(alice, await pair(alice), {
      "issued-at": iso(intake.clock + 5 * 60_000),
    });
    expect(await expectDrpError(response, 403)).toContain("issued-at");
    expect(intake.taken).toEqual([]);
  });

  test("3.07: the current time must be before expires-at (a fatal error state, section 2.01)", async () => {
    const token = await pair(alice);
    const body = signed(alice, exerciseMessage(alice));
    intake.clock += 10 * 60_000;
    expect(
      await expectDrpError(await call("POST", "/v1/data-rights-request", body, token), 403, true),
    ).toContain("expired");
    expect(intake.taken).toEqual([]);
  });

  test("a replayed exercise is refused, naming the request it already became; one erasure taken", async () => {
    const token = await pair(alice);
    const body = signed(alice, exerciseMessage(alice));
    const first = (await (await call("POST", "/v1/data-rights-request", body, token)).json()) as Record<
      string,
      string
    >;
    const again = await call("POST", "/v1/data-rights-request", body, token);
    expect(await expectDrpError(again, 409)).toContain(first.request_id as string);
    expect(intake.taken).toHaveLength(1);
  });

  test("the same signed exercise delivered twice at once: exactly one taken, the other refused 409", async () => {
    const token = await pair(alice);
    const body = signed(alice, exerciseMessage(alice));
    store.readTogether = 2;
    const both = await Promise.all([
      call("POST", "/v1/data-rights-request", body, token),
      call("POST", "/v1/data-rights-request", body, token),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(intake.taken).toHaveLength(1);
  });

  test("a message the Worker could not take (503) may be sent again; the first is not a replay", async () => {
    const token = await pair(alice);
    const body = signed(alice, exerciseMessage(alice));
    intake.unavailable = true;
    await expectDrpError(await call("POST", "/v1/data-rights-request", body, token), 503);
    expect((await call("POST", "/v1/data-rights-request", body, token)).status).toBe(200);
    expect(intake.taken).toHaveLength(1);
  });

  test("a missing, unknown or replaced bearer token is refused (403, DRP's shape)", async () => {
    const body = signed(alice, exerciseMessage(alice));
    await expectDrpError(await call("POST", "/v1/data-rights-request", body), 403);
    await expectDrpError(await call("POST", "/v1/data-rights-request", body, "bm90LWEtdG9rZW4"), 403);
    const old = await pair(alice);
    await pair(alice);
    await expectDrpError(await call("POST", "/v1/data-rights-request", body, old), 403);
    expect(intake.taken).toEqual([]);
  });

  test("the internal erasure request: the configured claim's id exactly as given, protocol drp, callback to status_callback", async () => {
    configure({ DRP_DATASET_GROUP: "shop" });
    const { body } = await submit(alice, await pair(alice), { email: "Zoë.Ünïcode+tag@example.com" });
    expect(intake.taken).toEqual([
      {
        userId: "Zoë.Ünïcode+tag@example.com",
        datasetGroup: "shop",
        protocol: "drp",
        callback: {
          protocol: "drp",
          urls: ["https://dsr-agent.example.com/update_status"],
          externalId: body.request_id as string,
        },
      },
    ]);
    expect(store.dump()).not.toContain("Zoë");
  });

  test("wrong identity fields: the configured claim missing is refused, naming the claim", async () => {
    const { response } = await submit(alice, await pair(alice), {
      email: undefined,
      phone_number: "+15555550100",
    });
    expect(await expectDrpError(response, 400, true)).toContain("email identity claim");
    expect(intake.taken).toEqual([]);
  });

  test("wrong identity fields: an id with trailing whitespace is refused without repeating it", async () => {
    const { response } = await submit(alice, await pair(alice), { email: "jane.doe@example.com " });
    const message = await expectDrpError(response, 400, true);
    expect(message).toContain("trailing whitespace");
    expect(message).not.toContain("jane.doe");
    expect(intake.taken).toEqual([]);
  });

  test("wrong identity fields: email_verified not true is refused while DRP_REQUIRE_VERIFIED (the default)", async () => {
    const token = await pair(alice);
    const { response } = await submit(alice, token, { email_verified: false });
    expect(await expectDrpError(response, 400, true)).toContain("email_verified must be true");
    expect(intake.taken).toEqual([]);
    configure({ DRP_REQUIRE_VERIFIED: "false" });
    expect((await submit(alice, token, { email_verified: false })).response.status).toBe(200);
  });

  test("wrong identity fields: a custom claim (DRP_USER_ID_CLAIM=user_id) is read instead of email", async () => {
    configure({ DRP_USER_ID_CLAIM: "user_id" });
    const token = await pair(alice);
    await expectDrpError((await submit(alice, token)).response, 400, true);
    expect((await submit(alice, token, { user_id: "u-000123" })).response.status).toBe(200);
    expect(intake.taken.map((r) => r.userId)).toEqual(["u-000123"]);
  });

  test("an intake refusal of the dataset group names DRP_DATASET_GROUP, and is no request to name on a resend", async () => {
    configure({ DRP_DATASET_GROUP: "books" });
    const token = await pair(alice);
    const body = signed(alice, exerciseMessage(alice));
    expect(
      await expectDrpError(await call("POST", "/v1/data-rights-request", body, token), 400, true),
    ).toContain("DRP_DATASET_GROUP");
    expect(
      await expectDrpError(await call("POST", "/v1/data-rights-request", body, token), 400, true),
    ).toContain("DRP_DATASET_GROUP");
  });

  test("drp.version outside 0.9-1.0, an unknown regime and a non-https status_callback are refused", async () => {
    const token = await pair(alice);
    for (const over of [
      { "drp.version": "0.8" },
      { regime: "gdpr" },
      { status_callback: "http://10.0.0.1/cb" },
    ]) {
      await expectDrpError((await submit(alice, token, over)).response, 400, true);
    }
    expect(intake.taken).toEqual([]);
    expect((await submit(alice, token, { "drp.version": "0.9.1" })).response.status).toBe(200);
  });

  test("a body over 16 KiB is refused (413) without being read further", async () => {
    const token = await pair(alice);
    const big = signed(alice, exerciseMessage(alice, { name: "x".repeat(20_000) }));
    await expectDrpError(await call("POST", "/v1/data-rights-request", big, token), 413, true);
    expect(intake.taken).toEqual([]);
  });

  test("the bearer scheme is read in any case (HTTP auth schemes are case-insensitive)", async () => {
    const token = await pair(alice);
    const response = await handleDrp(
      new Request(`${BASE}/v1/agent/${alice.id}`, { headers: { authorization: `bearer ${token}` } }),
      { intake, store, config },
    );
    expect(response?.status).toBe(200);
  });

  test("the pre-0.9.3 exercise URL with its trailing slash is taken too", async () => {
    const token = await pair(alice);
    expect(
      (await call("POST", "/v1/data-rights-request/", signed(alice, exerciseMessage(alice)), token)).status,
    ).toBe(200);
  });

  test("libsodium's own signed exercise (OSIRAA's serialisation, microsecond-free +00:00 times) is taken", async () => {
    const token = await pair(vectorAgent);
    const response = await call("POST", "/v1/data-rights-request", vectors.exercise.signed_base64, token);
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(body.agent_request_id).toBe("osiraa-42");
    expect(intake.taken[0]?.userId).toBe("jane.doe@example.com");
  });
});
