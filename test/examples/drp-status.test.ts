// The DRP adapter's status and revoke (OSIRAA cert checks 3, 3.1-3.4 and 4): the ledger's states in DRP's
// words, each request for its own agent only. Signatures by node:crypto or libsodium, never the module under test.
import { beforeEach, describe, expect, test } from "bun:test";
import vectors from "../fixtures/drp/libsodium-vectors.json";
import spec from "../fixtures/drp/spec-examples.json";
import {
  alice,
  bob,
  call,
  configure,
  DAY_MS,
  envelope,
  expectDrpError,
  intake,
  iso,
  PYTHON_ISO,
  pair,
  resetWorld,
  signed,
  submit,
  submitted,
  vectorAgent,
} from "../support/drp-world.ts";

beforeEach(resetWorld);

describe("OSIRAA 3: GET /v1/data-rights-request/{request_id} (Data Rights Status)", () => {
  async function status(requestId: string, token: string) {
    const response = await call("GET", `/v1/data-rights-request/${requestId}`, undefined, token);
    return { response, body: (await response.json()) as Record<string, unknown> };
  }

  test("Returns a Data Rights Status object, and “request_id” matches request", async () => {
    const { token, requestId } = await submitted();
    const { response, body } = await status(requestId, token);
    expect(response.status).toBe(200);
    expect(body.request_id).toBe(requestId);
    for (const field of ["received_at", "expected_by", "expires_at"]) expect(body[field]).toMatch(PYTHON_ISO);
    for (const field of Object.keys(body)) expect(spec.status_fields_section_3_03).toContain(field);
  });

  test.each([
    ["queued", "waiting for the next deletion window"],
    ["in_window", "In a deletion window"],
    ["submitted", "running in Amazon Personalize"],
  ] as const)("Is “status” valid: %s is in_progress", async (state, words) => {
    const { token, requestId, workerId } = await submitted();
    intake.settle(workerId, { status: state });
    const { body } = await status(requestId, token);
    expect(body.status).toBe("in_progress");
    expect(body.reason).toBeNull();
    expect(body.processing_details).toContain(words);
  });

  test("Response valid for status fulfilled: completed, with expires_at and the receipt's key and SHA-256; final", async () => {
    const { token, requestId, workerId } = await submitted();
    const receipt = { key: "receipts/shop/w-1.json", sha256: "ab".repeat(32) };
    intake.settle(workerId, { status: "completed", completedAt: iso(intake.clock + DAY_MS), receipt });
    const first = await status(requestId, token);
    expect(first.body.status).toBe("fulfilled");
    expect(first.body.reason).toBeNull();
    expect(first.body).toHaveProperty("expires_at");
    expect(first.body).not.toHaveProperty("results_url"); // an erasure has no results to fetch
    expect(first.body.processing_details).toContain(receipt.key);
    expect(first.body.processing_details).toContain(receipt.sha256);
    intake.clock += 3 * DAY_MS;
    expect((await status(requestId, token)).body).toEqual(first.body);
  });

  test("completed_in_personalize stays in_progress by default, saying the files outside Personalize were not scanned", async () => {
    const { token, requestId, workerId } = await submitted();
    intake.settle(workerId, { status: "completed_in_personalize" });
    const { body } = await status(requestId, token);
    expect(body.status).toBe("in_progress");
    expect(body.processing_details).toContain("not scanned");
    expect(body.processing_details).toContain("may still hold");
  });

  test("deleted (RETRAIN off) stays in_progress by default, saying gone from the datasets, still in the models", async () => {
    const { token, requestId, workerId } = await submitted();
    intake.settle(workerId, { status: "deleted" });
    const { body } = await status(requestId, token);
    expect(body.status).toBe("in_progress");
    expect(body.processing_details).toContain("Gone from the datasets, still in the models");
  });

  test("DRP_ACCEPT_AS_FULFILLED reports the partial outcomes it lists as fulfilled, with the same words", async () => {
    configure({ DRP_ACCEPT_AS_FULFILLED: "deleted" });
    const token = await pair(alice);
    const deleted = (await submit(alice, token)).body.request_id as string;
    const inPersonalize = (await submit(alice, token)).body.request_id as string;
    intake.settle("w-1", { status: "deleted" });
    intake.settle("w-2", { status: "completed_in_personalize" });
    const one = (await status(deleted, token)).body;
    expect(one.status).toBe("fulfilled");
    expect(one.processing_details).toContain("still in the models");
    expect((await status(inPersonalize, token)).body.status).toBe("in_progress");
  });

  test.each(["failed", "lost"] as const)(
    "Response valid for status denied: %s is denied, reason other, with processing_details",
    async (state) => {
      const { token, requestId, workerId } = await submitted();
      intake.settle(workerId, {
        status: state,
        ...(state === "failed" && { failure: "the deletion job FAILED" }),
      });
      const { body } = await status(requestId, token);
      expect(body.status).toBe("denied");
      expect(spec.reasons_section_3_02).toContain(body.reason as string);
      expect(body.reason).toBe("other");
      expect(body.processing_details).toContain(
        state === "failed" ? "the deletion job FAILED" : "nothing was erased",
      );
    },
  );

  test("Response valid for status revoked: cancelled is revoked", async () => {
    const { token, requestId, workerId } = await submitted();
    intake.settle(workerId, { status: "cancelled" });
    expect((await status(requestId, token)).body.status).toBe("revoked");
  });

  test("a request past its expected_by while not final says so", async () => {
    const { token, requestId } = await submitted();
    intake.clock += 31 * DAY_MS;
    expect((await status(requestId, token)).body.processing_details).toContain("past its expected-by date");
  });

  test("2.02.1: another agent's token gets 403 Forbidden", async () => {
    const { requestId } = await submitted(alice);
    const response = await call("GET", `/v1/data-rights-request/${requestId}`, undefined, await pair(bob));
    expect(await expectDrpError(response, 403)).toContain("another agent");
  });

  test("an unknown request_id is 404 in DRP's shape; a missing token 403", async () => {
    const { token, requestId } = await submitted();
    await expectDrpError(
      await call("GET", "/v1/data-rights-request/c789ff35-7644-4ceb-9981-4b35c264aac3", undefined, token),
      404,
    );
    await expectDrpError(await call("GET", `/v1/data-rights-request/${requestId}`), 403);
  });

  test("the record is forgotten after its expires_at", async () => {
    const { token, requestId } = await submitted();
    intake.clock += (30 + 60) * DAY_MS + 1000;
    await expectDrpError(await call("GET", `/v1/data-rights-request/${requestId}`, undefined, token), 404);
  });
});

describe("OSIRAA 4: DELETE /v1/data-rights-request/{request_id} (Data Rights Revoke)", () => {
  const revoke = (requestId: string, body: string, token: string) =>
    call("DELETE", `/v1/data-rights-request/${requestId}`, body, token);

  test("Returns a Data Rights Status object with the new revoked state; the Worker cancelled it", async () => {
    const { token, requestId, workerId } = await submitted();
    const response = await revoke(requestId, signed(alice, spec.revoke_section_2_04), token);
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(body.request_id).toBe(requestId);
    expect(body.received_at).toMatch(PYTHON_ISO);
    expect(body.status).toBe("revoked");
    expect(intake.cancels).toEqual([workerId]);
    expect(intake.states.get(workerId)?.status).toBe("cancelled");
  });

  test("libsodium's own signed revoke message is taken", async () => {
    const { token, requestId } = await submitted(vectorAgent);
    const response = await revoke(requestId, vectors.revoke.signed_base64, token);
    expect(((await response.json()) as Record<string, unknown>).status).toBe("revoked");
  });

  test("too late once the window's job is submitted: 409, still in progress", async () => {
    const { token, requestId, workerId } = await submitted();
    intake.settle(workerId, { status: "submitted" });
    expect(await expectDrpError(await revoke(requestId, signed(alice, {}), token), 409)).toContain(
      "too late",
    );
    expect(intake.states.get(workerId)?.status).toBe("submitted");
  });

  test("a final request is not revoked: 409 without asking the Worker", async () => {
    const { token, requestId, workerId } = await submitted();
    intake.settle(workerId, { status: "completed" });
    expect(await expectDrpError(await revoke(requestId, signed(alice, {}), token), 409)).toContain(
      "fulfilled",
    );
    expect(intake.cancels).toEqual([]);
  });

  test("revoking twice answers revoked twice, cancelling once", async () => {
    const { token, requestId } = await submitted();
    await revoke(requestId, signed(alice, {}), token);
    const again = await revoke(requestId, signed(alice, { reason: "again" }), token);
    expect(((await again.json()) as Record<string, unknown>).status).toBe("revoked");
    expect(intake.cancels).toHaveLength(1);
  });

  test("a bad signature or another agent's key is refused and nothing is cancelled", async () => {
    const { token, requestId } = await submitted();
    await pair(bob);
    await expectDrpError(await revoke(requestId, signed(bob, spec.revoke_section_2_04), token), 403);
    await expectDrpError(await revoke(requestId, "not base64!", token), 400, true);
    expect(intake.cancels).toEqual([]);
  });

  test("another agent cannot revoke the request (403)", async () => {
    const { requestId } = await submitted(alice);
    const bobToken = await pair(bob);
    await expectDrpError(await revoke(requestId, signed(bob, {}), bobToken), 403);
    expect(intake.cancels).toEqual([]);
  });

  test("a revoke message carrying the envelope's claims is held to them (an expired one refused)", async () => {
    const { token, requestId } = await submitted();
    const stale = {
      ...envelope(alice, {
        "issued-at": iso(intake.clock - 20 * 60_000),
        "expires-at": iso(intake.clock - 1),
      }),
      reason: "x",
    };
    await expectDrpError(await revoke(requestId, signed(alice, stale), token), 403, true);
    expect(intake.cancels).toEqual([]);
  });
});
