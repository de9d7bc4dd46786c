// The DRP adapter's pairing and agent information (OSIRAA cert checks 5 and 5.1), its routing and its
// configuration. Signatures by node:crypto or libsodium (test/fixtures/drp), never the module under test.
import { beforeEach, describe, expect, test } from "bun:test";
import { handleDrp, parseDrpConfig } from "../../examples/cloudflare-worker/src/protocols/drp.ts";
import vectors from "../fixtures/drp/libsodium-vectors.json";
import osiraaAgents from "../fixtures/drp/osiraa-agents.json";
import spec from "../fixtures/drp/spec-examples.json";
import {
  alice,
  BASE,
  BUSINESS,
  bob,
  call,
  config,
  configure,
  envelope,
  expectDrpError,
  expectForbiddenNoBody,
  intake,
  iso,
  newAgent,
  pair,
  resetWorld,
  signed,
  store,
  useConfig,
  vectorAgent,
} from "../support/drp-world.ts";

beforeEach(resetWorld);

describe("OSIRAA 5: POST /v1/agent/{agent-id} (Pair-wise Key Setup)", () => {
  test("Is valid json", async () => {
    const response = await call("POST", `/v1/agent/${alice.id}`, signed(alice, envelope(alice)));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(Object.keys(JSON.parse(await response.text())).sort()).toEqual(["agent-id", "token"]);
  });

  test("Contains field “agent-id”, and “agent-id” matches request", async () => {
    const response = await call("POST", `/v1/agent/${bob.id}`, signed(bob, envelope(bob)));
    expect(((await response.json()) as Record<string, string>)["agent-id"]).toBe(bob.id);
  });

  test("Contains field “token”: from the CSPRNG, a new one each pairing, kept in the store only as a hash", async () => {
    const first = await pair(alice);
    const second = await pair(alice);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(second).not.toBe(first);
    expect(store.dump()).not.toContain(first);
    expect(store.dump()).not.toContain(second);
  });

  test("a new pairing voids the agent's previous token (one token per agent, as OSIRAA's PIP keeps)", async () => {
    const first = await pair(alice);
    const second = await pair(alice);
    expect((await call("GET", `/v1/agent/${alice.id}`, undefined, first)).status).toBe(403);
    expect((await call("GET", `/v1/agent/${alice.id}`, undefined, second)).status).toBe(200);
  });

  test("Returns 403 on failed validation, with no body: a bad signature", async () => {
    const body = Buffer.from(signed(alice, envelope(alice)), "base64");
    body[10] = (body[10] as number) ^ 1;
    await expectForbiddenNoBody(await call("POST", `/v1/agent/${alice.id}`, body.toString("base64")));
  });

  test("Returns 403 on failed validation: signed by another agent's key", async () => {
    await expectForbiddenNoBody(await call("POST", `/v1/agent/${alice.id}`, signed(bob, envelope(alice))));
  });

  test("Returns 403 on failed validation: an agent not in DRP_AGENTS", async () => {
    const mallory = newAgent("MALLORY_AA");
    await expectForbiddenNoBody(
      await call("POST", `/v1/agent/${mallory.id}`, signed(mallory, envelope(mallory))),
    );
  });

  test("Returns 403 on failed validation: the agent-id in the URL is not the one in the signed message", async () => {
    await expectForbiddenNoBody(await call("POST", `/v1/agent/${alice.id}`, signed(alice, envelope(bob))));
  });

  test("Returns 403 on failed validation: business-id names another Covered Business", async () => {
    const message = envelope(alice, { "business-id": "SOMEONE_ELSE" });
    await expectForbiddenNoBody(await call("POST", `/v1/agent/${alice.id}`, signed(alice, message)));
  });

  test("Returns 403 on failed validation: expired (now after expires-at)", async () => {
    const message = envelope(alice, {
      "issued-at": iso(intake.clock - 20 * 60_000),
      "expires-at": iso(intake.clock - 1),
    });
    await expectForbiddenNoBody(await call("POST", `/v1/agent/${alice.id}`, signed(alice, message)));
  });

  test("Returns 403 on failed validation: issued-at in the future (past the clock skew allowed)", async () => {
    const message = envelope(alice, {
      "issued-at": iso(intake.clock + 61_000),
      "expires-at": iso(intake.clock + 600_000),
    });
    await expectForbiddenNoBody(await call("POST", `/v1/agent/${alice.id}`, signed(alice, message)));
    const within = envelope(alice, { "issued-at": iso(intake.clock + 59_000) });
    expect((await call("POST", `/v1/agent/${alice.id}`, signed(alice, within))).status).toBe(200);
  });

  test("Returns 403 on failed validation: a pairing message replayed (it would hand its sender a token)", async () => {
    const body = signed(alice, envelope(alice));
    expect((await call("POST", `/v1/agent/${alice.id}`, body)).status).toBe(200);
    await expectForbiddenNoBody(await call("POST", `/v1/agent/${alice.id}`, body));
  });

  test("a pairing message delivered twice at once hands out one token: the other is 403", async () => {
    const body = signed(alice, envelope(alice));
    store.readTogether = 2;
    const both = await Promise.all([
      call("POST", `/v1/agent/${alice.id}`, body),
      call("POST", `/v1/agent/${alice.id}`, body),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 403]);
  });

  test("Returns 403 on failed validation: valid for longer than DRP_MAX_VALIDITY_SECONDS", async () => {
    const message = envelope(alice, { "expires-at": iso(intake.clock + 2 * 3600_000) });
    await expectForbiddenNoBody(await call("POST", `/v1/agent/${alice.id}`, signed(alice, message)));
  });

  test("libsodium's own signed pairing message (OSIRAA's serialisation) pairs", async () => {
    const response = await call("POST", `/v1/agent/${vectors.agent.id}`, vectors.pairing.signed_base64);
    expect(response.status).toBe(200);
    expect(((await response.json()) as Record<string, string>)["agent-id"]).toBe(vectors.agent.id);
  });
});

describe("OSIRAA 5.1: GET /v1/agent/{agent-id} (Agent Information)", () => {
  test("Returns 200 and empty json", async () => {
    const response = await call("GET", `/v1/agent/${alice.id}`, undefined, await pair(alice));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(spec.agent_information_response_section_2_06_1);
  });

  test("Returns 403 on failed validation: the token belongs to another agent", async () => {
    const token = await pair(bob);
    await expectDrpError(await call("GET", `/v1/agent/${alice.id}`, undefined, token), 403);
  });

  test("Returns 403 on failed validation: no token, or one never issued", async () => {
    await expectDrpError(await call("GET", `/v1/agent/${alice.id}`), 403);
    await expectDrpError(await call("GET", `/v1/agent/${alice.id}`, undefined, "bm90LWEtdG9rZW4"), 403);
  });

  test("a token stops working once its agent leaves DRP_AGENTS", async () => {
    const token = await pair(alice);
    const parsed = parseDrpConfig({
      DRP_BUSINESS_ID: BUSINESS,
      DRP_AGENTS: JSON.stringify([{ id: bob.id, verify_key: bob.verifyKey }]),
      DRP_USER_ID_CLAIM: "email",
    });
    if (!parsed.ok) throw new Error("config");
    useConfig(parsed.config);
    await expectDrpError(await call("GET", `/v1/agent/${alice.id}`, undefined, token), 403);
  });
});

describe("routing and configuration", () => {
  test("paths that are not DRP's are left to the Worker (undefined)", async () => {
    for (const path of ["/erasure-requests", "/", "/v2/agent/x", "/v1/other"]) {
      expect(await handleDrp(new Request(`${BASE}${path}`), { intake, store, config })).toBeUndefined();
    }
  });

  test("a wrong method on a DRP path is 405 in DRP's shape, with Allow", async () => {
    const response = await call("PUT", "/v1/data-rights-request");
    await expectDrpError(response, 405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  test("DRP_BASE_PATH puts the endpoints under the Directory's api_base path", async () => {
    configure({ DRP_BASE_PATH: "/drp/" });
    expect(
      await handleDrp(new Request(`${BASE}/v1/agent/${alice.id}`), { intake, store, config }),
    ).toBeUndefined();
    const response = await handleDrp(
      new Request(`${BASE}/drp/v1/agent/${alice.id}`, {
        method: "POST",
        body: signed(alice, envelope(alice)),
      }),
      { intake, store, config },
    );
    expect(response?.status).toBe(200);
  });

  test("DRP_AGENTS takes Service Directory entries: OSIRAA's hex verify key (0.9) and base64 (0.9.1+) are the same key", () => {
    const hex = osiraaAgents[0]?.verify_key as string;
    const base64 = Buffer.from(hex, "hex").toString("base64");
    const fromHex = parseDrpConfig({
      DRP_BUSINESS_ID: BUSINESS,
      DRP_AGENTS: JSON.stringify(osiraaAgents),
      DRP_USER_ID_CLAIM: "email",
    });
    const fromBase64 = parseDrpConfig({
      DRP_BUSINESS_ID: BUSINESS,
      DRP_AGENTS: JSON.stringify([{ id: "CR_AA_DRP_ID_001", verify_key: base64 }]),
      DRP_USER_ID_CLAIM: "email",
    });
    if (!fromHex.ok || !fromBase64.ok) throw new Error("refused");
    expect([...(fromHex.config.agents.get("CR_AA_DRP_ID_001") ?? [])]).toEqual([...Buffer.from(hex, "hex")]);
    expect(fromBase64.config.agents.get("CR_AA_DRP_ID_001")).toEqual(
      fromHex.config.agents.get("CR_AA_DRP_ID_001"),
    );
  });

  test("a configuration that cannot work is refused, each problem naming its var", () => {
    const parsed = parseDrpConfig({
      DRP_AGENTS: JSON.stringify([
        { id: "A", verify_key: "c2hvcnQ=" },
        { id: "bad id!", verify_key: "x" },
      ]),
      DRP_REQUIRE_VERIFIED: "yes",
      DRP_RECORD_DAYS: "3",
      DRP_ACCEPT_AS_FULFILLED: "failed",
    });
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? "" : parsed.problems.join("\n");
    for (const name of [
      "DRP_BUSINESS_ID",
      "DRP_AGENTS entry 1 (A)",
      "DRP_AGENTS entry 2",
      "DRP_USER_ID_CLAIM",
      "DRP_REQUIRE_VERIFIED",
      "DRP_RECORD_DAYS",
      "DRP_ACCEPT_AS_FULFILLED",
    ]) {
      expect(problems).toContain(name);
    }
  });

  test("the libsodium vectors verify with node:crypto, which re-makes them byte for byte from the seed", () => {
    for (const name of ["pairing", "exercise", "revoke"] as const) {
      const vector = vectors[name];
      expect(signed(vectorAgent, vector.json)).toBe(vector.signed_base64);
    }
  });
});
