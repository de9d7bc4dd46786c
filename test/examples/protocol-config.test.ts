// The OpenGDPR and Transcend adapters read from the Worker's vars: off until their first var is set, then
// refused at start, naming each var and never its value, when a setting is missing or unusable.
import { describe, expect, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  openGdprConfigFrom,
  type ProtocolVars,
  transcendConfigFrom,
} from "../../examples/cloudflare-worker/src/protocols/protocol-config.ts";

const OPENGDPR = new URL("../fixtures/opengdpr/", import.meta.url).pathname;
const TOKEN_A = "a-token-of-controller-a-0123456789abcdef";
const TOKEN_B = "a-token-of-controller-b-0123456789abcdef";

const openGdprVars = (change: ProtocolVars = {}): ProtocolVars => ({
  OPENGDPR_DOMAIN: "opengdpr.example-processor.test",
  OPENGDPR_CERTIFICATE: readFileSync(`${OPENGDPR}processor.pem`, "utf8"),
  OPENGDPR_PRIVATE_KEY: readFileSync(`${OPENGDPR}processor.key.pem`, "utf8"),
  OPENGDPR_CONTROLLERS: `acme=${TOKEN_A}, globex=${TOKEN_B}`,
  ...change,
});

const problemsOf = (read: Awaited<ReturnType<typeof openGdprConfigFrom>>) =>
  read && !read.ok ? read.problems : [];

describe("OpenGDPR from vars", () => {
  test("is off until OPENGDPR_DOMAIN is set", async () => {
    expect(await openGdprConfigFrom({})).toBeUndefined();
    expect(await openGdprConfigFrom({ OPENGDPR_CONTROLLERS: `acme=${TOKEN_A}` })).toBeUndefined();
  });

  test("reads a complete setting, with the spec's defaults", async () => {
    const read = await openGdprConfigFrom(openGdprVars({ OPENGDPR_ACCEPT_AS_COMPLETED: "deleted" }));
    expect(read?.ok).toBe(true);
    if (!read?.ok) return;
    expect(read.config).toMatchObject({
      processorDomain: "opengdpr.example-processor.test",
      controllers: [
        { id: "acme", token: TOKEN_A },
        { id: "globex", token: TOKEN_B },
      ],
      identity: { type: "controller_customer_id", format: "raw" },
      basePath: "/v1",
      acceptAsCompleted: ["deleted"],
    });
  });

  test("names each missing or unusable var, never a value", async () => {
    const read = await openGdprConfigFrom(
      openGdprVars({
        OPENGDPR_CONTROLLERS: "acme=tiny-secret-value, nopair, globex=",
        OPENGDPR_IDENTITY: "customer_number:raw",
        OPENGDPR_BASE_PATH: "/opengdpr",
        OPENGDPR_RECEIPTS_URL: "http://receipts.example.test",
        OPENGDPR_ACCEPT_AS_COMPLETED: "failed",
      }),
    );
    expect(problemsOf(read)).toEqual([
      "OPENGDPR_CONTROLLERS entry 1's token is shorter than 32 bytes",
      "OPENGDPR_CONTROLLERS entry 2 is not controller_id=token",
      "OPENGDPR_CONTROLLERS entry 3 is not controller_id=token",
      "OPENGDPR_IDENTITY is not identity_type:identity_format of OpenGDPR 1.0 sections 5.1 and 5.2",
      "OPENGDPR_BASE_PATH must end in /v1 (the spec puts the major version in the path)",
      "OPENGDPR_RECEIPTS_URL is not an https URL",
      "OPENGDPR_ACCEPT_AS_COMPLETED may list only completed_in_personalize and deleted",
    ]);
    expect(JSON.stringify(read)).not.toContain("tiny-secret-value");
  });

  test("refuses a key that is not the certificate's, and missing secrets", async () => {
    const other = readFileSync(`${OPENGDPR}other.key.pem`, "utf8");
    expect(problemsOf(await openGdprConfigFrom(openGdprVars({ OPENGDPR_PRIVATE_KEY: other })))).toEqual([
      "the OpenGDPR private key does not belong to the certificate's public key (OPENGDPR_CERTIFICATE, OPENGDPR_PRIVATE_KEY)",
    ]);
    const bare = await openGdprConfigFrom({ OPENGDPR_DOMAIN: "opengdpr.example.test" });
    expect(problemsOf(bare)).toEqual([
      "OPENGDPR_CERTIFICATE is not set (OPENGDPR_DOMAIN is)",
      "OPENGDPR_PRIVATE_KEY is not set (OPENGDPR_DOMAIN is)",
      "OPENGDPR_CONTROLLERS is not set (OPENGDPR_DOMAIN is)",
    ]);
    const repeated = await openGdprConfigFrom(
      openGdprVars({ OPENGDPR_CONTROLLERS: `a=${TOKEN_A},b=${TOKEN_A}` }),
    );
    expect(problemsOf(repeated)).toEqual(["OPENGDPR_CONTROLLERS entry 2 repeats a controller_id or a token"]);
    expect(problemsOf(await openGdprConfigFrom(openGdprVars({ OPENGDPR_DOMAIN: "not a domain" })))).toEqual([
      "OPENGDPR_DOMAIN is not a domain name",
    ]);
  });
});

describe("Transcend from vars", () => {
  const key = generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey.export({
    type: "spki",
    format: "pem",
  });

  test("is off until TRANSCEND_AUDIENCE is set, then reads its defaults", async () => {
    expect(await transcendConfigFrom({ TRANSCEND_API_KEY: "k" })).toBeUndefined();
    const read = await transcendConfigFrom({
      TRANSCEND_AUDIENCE: "https://acme.sombra.transcend.io",
      TRANSCEND_PUBLIC_KEY: key.toString(),
      TRANSCEND_API_KEY: "api-key",
      TRANSCEND_IDENTIFIER: "userId",
    });
    expect(read).toMatchObject({
      ok: true,
      config: {
        audience: "https://acme.sombra.transcend.io",
        identifier: "userId",
        sombraUrl: "https://multi-tenant.sombra.transcend.io",
        path: "/webhooks/transcend/dsr-job",
        apiKey: "api-key",
        acceptAsCompleted: [],
      },
    });
  });

  test("names each missing or unusable var", async () => {
    const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    const read = await transcendConfigFrom({
      TRANSCEND_AUDIENCE: "aud",
      TRANSCEND_PUBLIC_KEY: p256.toString(),
      TRANSCEND_SOMBRA_URL: "http://sombra.internal",
      TRANSCEND_PATH: "webhook",
      TRANSCEND_ACCEPT_AS_COMPLETED: "deleted,lost",
    });
    expect(read?.ok).toBe(false);
    expect(read && !read.ok && read.problems).toEqual([
      "TRANSCEND_API_KEY is not set (TRANSCEND_AUDIENCE is)",
      "TRANSCEND_PUBLIC_KEY: the Transcend public key is not a P-384 SPKI PEM (BEGIN PUBLIC KEY), as /public-keys/sombra-general-signing-key serves it",
      "TRANSCEND_SOMBRA_URL is not an https URL",
      "TRANSCEND_PATH is not a path (/a/b)",
      "TRANSCEND_ACCEPT_AS_COMPLETED may list only completed_in_personalize and deleted",
    ]);
  });
});
