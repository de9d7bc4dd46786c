// examples/cloudflare-worker end to end in miniflare against the emulator: a DRP agent (Ed25519 keys made
// here with node:crypto) pairs and asks for an erasure, an OpenGDPR controller asks for another, Transcend's
// webhook (its ES384 token made with node:crypto) for a third, the JSON API for a fourth; the window is erased
// by its Workflow; the DRP status, the signed OpenGDPR status callback and Transcend's completion reach a
// local HTTP server (the Worker's https callbacks routed to it by miniflare's outbound service), the
// OpenGDPR one refused at first so that it is retried and shows as pending on the status page, which `GET /`
// serves behind the operator token. Signatures are verified here with node:crypto, never the Worker's code.
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  createHash,
  createSign,
  createVerify,
  generateKeyPairSync,
  randomUUID,
  sign,
  X509Certificate,
} from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Miniflare, Response as MiniflareResponse } from "miniflare";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { applyMigrations } from "../support/d1-migrations.ts";
import { bundleWorker } from "../support/worker-bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIXTURES = join(ROOT, "test/fixtures/opengdpr/");
const fixture = (name: string) => readFileSync(FIXTURES + name, "utf8");
const TOKEN = "operator-token-for-tests-0123456789abcdef";
const CONTROLLER_TOKEN = "controller-token-0123456789abcdef0123456789";
const DOMAIN = "opengdpr.example-processor.test";
const BUSINESS = "PERSONALIZE_E2E";
const AGENT = "E2E_AGENT";
const USERS = { drp: "drp-user-7", opengdpr: "gdpr-user-8", api: "api-user-9", transcend: "tr-user-12" };
const KEPT = "kept-user-10";
const ORIGIN = "https://erasure.example";
const DRP_CALLBACK = "https://agent.example/drp/status";
const GDPR_CALLBACK = "https://controller.example/opengdpr_callbacks";
const SOMBRA = "https://sombra.example";
const AUDIENCE = "https://acme.sombra.example";
const TRANSCEND_API_KEY = "transcend-api-key-0123456789abcdef0123456789";

interface Received {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}
const received: Received[] = [];
// The controller refuses callbacks until the test has seen one pending.
let controllerUp = false;
let server: Server;
let serverUrl: string;
let emu: RunningEmulator;
let mf: Miniflare;
const agentKeys = generateKeyPairSync("ed25519");
const sombraKeys = generateKeyPairSync("ec", { namedCurve: "P-384" });
const certificate = new X509Certificate(fixture("processor.pem"));

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]),
      );
      received.push({ url: req.url ?? "", headers, body: Buffer.concat(chunks) });
      const refuse = (req.url ?? "").startsWith("/controller.example/") && !controllerUp;
      res.writeHead(refuse ? 503 : 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  emu = await startEmulator({
    port: 0,
    jobSeconds: 2,
    trainingSeconds: 2,
    campaignSeconds: 1,
    datasetGroupName: "shop",
    seed: [...Object.values(USERS), KEPT].map((userId, i) => ({
      userId,
      itemId: `item-${i}`,
      timestamp: 1700000000 + i,
    })),
  });
  const groupArn = emu.emulator.state.datasetGroupArn("shop");
  const verifyKey = agentKeys.publicKey
    .export({ format: "der", type: "spki" })
    .subarray(-32)
    .toString("base64");
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker(join(ROOT, "examples/cloudflare-worker/src/index.ts")),
    compatibilityDate: "2026-04-01",
    d1Databases: ["LEDGER"],
    r2Buckets: ["RECEIPTS"],
    queueProducers: {
      ERASURE_QUEUE: { queueName: "erasure-requests" },
      CALLBACK_QUEUE: { queueName: "erasure-callbacks" },
    },
    queueConsumers: {
      "erasure-requests": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 100 },
      "erasure-callbacks": { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries: 100 },
    },
    workflows: { WINDOW_WORKFLOW: { name: "erasure-window", className: "WindowWorkflow" } },
    // The callbacks' https hosts are this test's local server; everything else (the emulator) goes as sent.
    outboundService: async (request: Request) => {
      const url = new URL(request.url);
      const target =
        url.protocol === "https:" ? `${serverUrl}/${url.host}${url.pathname}${url.search}` : url.href;
      const bodied = request.method !== "GET" && request.method !== "HEAD";
      const answer = await fetch(target, {
        method: request.method,
        headers: [...request.headers].filter(([name]) => name !== "host"),
        ...(bodied ? { body: await request.arrayBuffer() } : {}),
      });
      const empty = request.method === "HEAD" || answer.status === 204 || answer.status === 304;
      return new MiniflareResponse(empty ? null : await answer.arrayBuffer(), {
        status: answer.status,
        headers: [...answer.headers].filter(
          ([name]) => name !== "content-encoding" && name !== "content-length",
        ),
      });
    },
    bindings: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL: emu.endpoint,
      DATASET_GROUPS: `shop=${groupArn}`,
      ROLE_ARN: "arn:aws:iam::000000000000:role/PersonalizeDeletionRole",
      S3_URI: `s3://${emu.emulator.bucket}/intake/`,
      INTAKE_TOKEN: TOKEN,
      LEDGER_KEY: "ledger-key-for-tests-0123456789abcdef",
      DEADLINE_DAYS: "30",
      RETRY_DELAY_SECONDS: "1",
      RETRAIN: "true",
      SCAN: "false",
      SCRUB: "false",
      WINDOW_IDLE_SECONDS: "1",
      WINDOW_MAX_SECONDS: "10",
      LOOK_FIRST_SECONDS: "1",
      LOOK_MAX_SECONDS: "1",
      CALLBACK_RETRY_SECONDS: "1",
      DRP_BUSINESS_ID: BUSINESS,
      DRP_AGENTS: JSON.stringify([{ id: AGENT, verify_key: verifyKey }]),
      DRP_USER_ID_CLAIM: "user_id",
      OPENGDPR_DOMAIN: DOMAIN,
      OPENGDPR_CERTIFICATE: fixture("processor.pem"),
      OPENGDPR_PRIVATE_KEY: fixture("processor.key.pem"),
      OPENGDPR_CONTROLLERS: `example_controller=${CONTROLLER_TOKEN}`,
      OPENGDPR_DATASET_GROUP: "shop",
      TRANSCEND_AUDIENCE: AUDIENCE,
      TRANSCEND_PUBLIC_KEY: sombraKeys.publicKey.export({ type: "spki", format: "pem" }).toString(),
      TRANSCEND_API_KEY: TRANSCEND_API_KEY,
      TRANSCEND_SOMBRA_URL: SOMBRA,
      TRANSCEND_DATASET_GROUP: "shop",
    },
  });
  await applyMigrations(
    (await mf.getD1Database("LEDGER")) as never,
    join(ROOT, "examples/cloudflare-worker/migrations"),
  );
});
afterAll(async () => {
  await mf?.dispose();
  await emu?.close();
  server?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tick = async () =>
  ((await mf.getWorker()) as unknown as { scheduled(o: { cron: string }): Promise<unknown> }).scheduled({
    cron: "*/10 * * * *",
  });
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}`);
}
const call = (path: string, init: RequestInit = {}) =>
  mf.dispatchFetch(`${ORIGIN}${path}`, init as never) as unknown as Promise<Response>;

const instant = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");
function drpSigned(message: Record<string, unknown>): string {
  const text = Buffer.from(JSON.stringify(message));
  return Buffer.concat([sign(null, text, agentKeys.privateKey), text]).toString("base64");
}
const envelope = () => ({
  "agent-id": AGENT,
  "business-id": BUSINESS,
  "issued-at": instant(Date.now() - 1000),
  "expires-at": instant(Date.now() + 600_000),
  "drp.version": "1.0",
});
const opengdprSignatureValid = (r: Received) =>
  createVerifyFor(r.body, r.headers["x-opengdpr-signature"] ?? "");
// Transcend's x-sombra-token: ES384 over the JWS input, r||s as JWS has it, made here with node:crypto.
function sombraToken(value: string): string {
  const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    scope: "coreIdentifier",
    value,
    aud: AUDIENCE,
    iat: now - 5,
    exp: now + 300,
    jti: randomUUID(),
  };
  const input = `${b64url(JSON.stringify({ alg: "ES384", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign("SHA384")
    .update(input)
    .sign({ key: sombraKeys.privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${b64url(signature)}`;
}
function createVerifyFor(body: Buffer, signature: string): boolean {
  return createVerify("RSA-SHA256").update(body).verify(certificate.publicKey, signature, "base64");
}

test("requests through DRP, OpenGDPR, Transcend and the JSON API are erased by their window's workflow and reported back, signed, with the receipt's key and SHA-256; the status page shows a callback pending", async () => {
  // DRP: pairing, then the exercise with a status_callback.
  const paired = await call(`/v1/agent/${AGENT}`, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: drpSigned(envelope()),
  });
  expect(paired.status).toBe(200);
  const { token } = (await paired.json()) as { token: string };
  const exercised = await call("/v1/data-rights-request", {
    method: "POST",
    headers: { "content-type": "text/plain", authorization: `Bearer ${token}` },
    body: drpSigned({
      ...envelope(),
      exercise: "deletion",
      regime: "ccpa",
      "agent-request-id": "agent-42",
      status_callback: DRP_CALLBACK,
      user_id: USERS.drp,
    }),
  });
  expect(exercised.status).toBe(200);
  const drp = (await exercised.json()) as { request_id: string; status: string };
  expect(drp.status).toBe("in_progress");

  // OpenGDPR: an erasure with a status callback URL; the answer is signed with the certificate's key.
  const subjectRequestId = randomUUID();
  const created = await call("/v1/opengdpr_requests", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${CONTROLLER_TOKEN}` },
    body: JSON.stringify({
      subject_request_id: subjectRequestId,
      subject_request_type: "erasure",
      submitted_time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      subject_identities: [
        { identity_type: "controller_customer_id", identity_value: USERS.opengdpr, identity_format: "raw" },
      ],
      api_version: "1.0",
      status_callback_urls: [GDPR_CALLBACK],
    }),
  });
  expect(created.status).toBe(201);
  const createdBody = Buffer.from(await created.arrayBuffer());
  expect(createVerifyFor(createdBody, created.headers.get("x-opengdpr-signature") ?? "")).toBe(true);

  // The JSON API, through the same intake.
  const api = await call("/erasure-requests", {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ userId: USERS.api }),
  });
  expect(api.status).toBe(202);
  // The id exactly as given: one with a trailing space is another user, refused by the library's rule.
  const padded = await call("/erasure-requests", {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ userId: `${USERS.api} ` }),
  });
  expect(padded.status).toBe(400);
  expect(((await padded.json()) as { field: string }).field).toBe("userId");

  // Transcend: one webhook per job, the user id the value its token signs.
  const hooked = await call("/webhooks/transcend/dsr-job", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-sombra-token": sombraToken(USERS.transcend),
      "x-transcend-nonce": "nonce-of-the-e2e-job",
    },
    body: JSON.stringify({ type: "ERASURE", extras: { request: { id: "tr-request-1" } } }),
  });
  expect(hooked.status).toBe(200);
  expect(((await hooked.json()) as { status: string }).status).toBe("queued");

  const db = await mf.getD1Database("LEDGER");
  const rows = await db
    .prepare("SELECT protocol, external_id, callback FROM requests ORDER BY protocol")
    .all<{ protocol: string; external_id: string | null; callback: string | null }>();
  expect(
    rows.results.map((r: { protocol: string; external_id: string | null }) => [r.protocol, r.external_id]),
  ).toEqual([
    ["api", null],
    ["drp", drp.request_id],
    ["opengdpr", `example_controller:${subjectRequestId}`],
    ["transcend", expect.stringMatching(/^tr-request-1:[0-9a-f]{16}$/)],
  ]);
  // What the ledger keeps for a callback names no user.
  for (const id of Object.values(USERS)) expect(JSON.stringify(rows.results)).not.toContain(id);

  // The window: closed by the cron, erased by its workflow, settled; the callbacks queued.
  await until(
    "all four requests settled",
    async () => {
      await tick();
      const done = await db
        .prepare("SELECT COUNT(*) AS n FROM requests WHERE status = 'completed'")
        .first<{ n: number }>();
      return done?.n === 4 ? true : undefined;
    },
    70_000,
  );
  expect(emu.emulator.state.users(emu.emulator.state.datasetGroupArn("shop"))).toEqual([KEPT]);

  // The controller refused: its callback is retried and pending, as the status page says.
  const pending = await until("the OpenGDPR callback refused and pending", async () => {
    const row = await db
      .prepare(
        "SELECT request_id, attempts, delivered_at, last_error FROM callbacks WHERE protocol = 'opengdpr'",
      )
      .first<{ request_id: string; attempts: number; delivered_at: number | null; last_error: string }>();
    return row && row.attempts >= 1 && row.delivered_at === null ? row : undefined;
  });
  expect(pending.last_error).toContain("503");
  const pendingStatus = async () =>
    (await (await call(`/erasure-requests/${pending.request_id}`)).json()) as {
      callback?: string;
      status: string;
    };
  expect(await pendingStatus()).toMatchObject({ status: "completed", callback: "pending" });
  expect((await call("/")).status).toBe(401);
  const page = await call("/", { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(page.status).toBe(200);
  expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
  const html = await page.text();
  expect(html).toContain(pending.request_id);
  expect(html).toContain("opengdpr");
  expect(html).toMatch(/completed/);
  for (const id of [...Object.values(USERS), KEPT]) expect(html).not.toContain(id);

  // The controller is back: the next try is delivered, and the page no longer lists it.
  controllerUp = true;
  await until("the OpenGDPR callback delivered", async () => {
    const row = await db
      .prepare("SELECT delivered_at FROM callbacks WHERE protocol = 'opengdpr'")
      .first<{ delivered_at: number | null }>();
    return row?.delivered_at ? true : undefined;
  });
  const after = await (await call("/", { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  expect(after).not.toContain(pending.request_id);
  expect((await pendingStatus()).callback).toBe("delivered");

  // Each request's receipt, downloaded behind the token: what its report names by key and SHA-256.
  async function receiptOf(protocol: string) {
    const key = (
      await db
        .prepare("SELECT receipt_key FROM requests WHERE protocol = ?")
        .bind(protocol)
        .first<{ receipt_key: string }>()
    )?.receipt_key as string;
    const answer = await call(`/receipts/${encodeURIComponent(key)}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(answer.status).toBe(200);
    const text = Buffer.from(await answer.arrayBuffer());
    for (const id of [...Object.values(USERS), KEPT]) expect(text.toString()).not.toContain(id);
    return { key, sha: createHash("sha256").update(text).digest("hex") };
  }
  const drpReceipt = await receiptOf("drp");
  const gdprReceipt = await receiptOf("opengdpr");
  expect((await call(`/receipts/${encodeURIComponent(drpReceipt.key)}`)).status).toBe(401);

  // DRP: the Exercise Status, fulfilled, naming the receipt.
  const drpCalls = received.filter((r) => r.url === "/agent.example/drp/status");
  expect(drpCalls).toHaveLength(1);
  const drpStatus = JSON.parse(drpCalls[0]?.body.toString() ?? "{}");
  expect(drpStatus).toMatchObject({
    request_id: drp.request_id,
    agent_request_id: "agent-42",
    status: "fulfilled",
  });
  expect(drpStatus.processing_details).toContain(`${drpReceipt.key}, SHA-256 ${drpReceipt.sha}`);
  expect(drpCalls[0]?.headers["idempotency-key"]).toBe(`drp:${drp.request_id}:completed`);

  // OpenGDPR: refused once or more, then delivered; every try signed with the certificate's key, the same bytes.
  const gdprCalls = received.filter((r) => r.url === "/controller.example/opengdpr_callbacks");
  expect(gdprCalls.length).toBeGreaterThanOrEqual(2);
  for (const r of gdprCalls) {
    expect(opengdprSignatureValid(r)).toBe(true);
    expect(r.headers["x-opengdpr-processor-domain"]).toBe(DOMAIN);
    expect(r.headers["idempotency-key"]).toBe(`opengdpr:example_controller:${subjectRequestId}:completed`);
  }
  const callback = JSON.parse(gdprCalls.at(-1)?.body.toString() ?? "{}");
  expect(callback).toMatchObject({
    controller_id: "example_controller",
    subject_request_id: subjectRequestId,
    status_callback_url: GDPR_CALLBACK,
    request_status: "completed",
  });
  expect(callback.extensions[DOMAIN]).toMatchObject({
    receipt_key: gdprReceipt.key,
    receipt_sha256: gdprReceipt.sha,
  });
  // A tampered body fails the check: the signature covers these bytes.
  const tampered = {
    ...gdprCalls[0],
    body: Buffer.from(gdprCalls[0]?.body.toString().replace("completed", "pending") ?? ""),
  } as Received;
  expect(opengdprSignatureValid(tampered)).toBe(false);

  // Transcend: the completion PUT to the Sombra with the API key and the job's nonce, naming the receipt.
  const transcendReceipt = await receiptOf("transcend");
  const silo = received.filter((r) => r.url === "/sombra.example/v1/data-silo");
  expect(silo).toHaveLength(1);
  expect(silo[0]?.headers.authorization).toBe(`Bearer ${TRANSCEND_API_KEY}`);
  expect(silo[0]?.headers["x-transcend-nonce"]).toBe("nonce-of-the-e2e-job");
  const report = JSON.parse(silo[0]?.body.toString() ?? "{}");
  expect(report.profileStatus).toBe("RESOLVED");
  expect(report.message).toContain(`receipt ${transcendReceipt.key} sha256 ${transcendReceipt.sha}`);

  // No report carries a user id, its own or another's; the JSON API's request is reported to no one.
  for (const r of received)
    for (const id of [...Object.values(USERS), KEPT]) expect(r.body.toString()).not.toContain(id);
  expect(received.filter((r) => !/^\/(agent|controller|sombra)\.example\//.test(r.url))).toEqual([]);
}, 90_000);

test("the cron queues again a report owed but never queued, and one whose try is long overdue", async () => {
  const db = await mf.getD1Database("LEDGER");
  const count = (url: string) => received.filter((r) => r.url === url).length;
  const drpBefore = count("/agent.example/drp/status");
  const gdprBefore = count("/controller.example/opengdpr_callbacks");
  // A message lost with its retries spent: undelivered, its try due an hour ago.
  await db
    .prepare("UPDATE callbacks SET delivered_at = NULL, next_attempt_at = ? WHERE protocol = 'drp'")
    .bind(Date.now() - 3_600_000)
    .run();
  // A window whose call back step never ran: no row at all.
  await db.prepare("DELETE FROM callbacks WHERE protocol = 'opengdpr'").run();
  await tick();
  await until("both reports delivered again", async () => {
    const rows = await db
      .prepare("SELECT protocol FROM callbacks WHERE delivered_at IS NOT NULL ORDER BY protocol")
      .all<{ protocol: string }>();
    return rows.results.length === 3 ? true : undefined;
  });
  expect(count("/agent.example/drp/status")).toBe(drpBefore + 1);
  expect(count("/controller.example/opengdpr_callbacks")).toBe(gdprBefore + 1);
  // The same event, so the same key: the callee drops the repeat.
  const keys = received
    .filter((r) => r.url === "/agent.example/drp/status")
    .map((r) => r.headers["idempotency-key"]);
  expect(new Set(keys).size).toBe(1);
  // Delivered ones are not queued again.
  await tick();
  await sleep(1500);
  expect(count("/agent.example/drp/status")).toBe(drpBefore + 1);
});

test("a DRP revoke answers what the ledger holds: revoked and cancelled while queued, 409 once in a window's file", async () => {
  const paired = await call(`/v1/agent/${AGENT}`, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: drpSigned(envelope()),
  });
  const { token } = (await paired.json()) as { token: string };
  const exercised = await call("/v1/data-rights-request", {
    method: "POST",
    headers: { "content-type": "text/plain", authorization: `Bearer ${token}` },
    body: drpSigned({ ...envelope(), exercise: "deletion", user_id: "revoked-user-11" }),
  });
  const { request_id } = (await exercised.json()) as { request_id: string };
  const revoked = await call(`/v1/data-rights-request/${request_id}`, {
    method: "DELETE",
    headers: { "content-type": "text/plain", authorization: `Bearer ${token}` },
    body: drpSigned({ reason: "changed my mind" }),
  });
  const db = await mf.getD1Database("LEDGER");
  const row = await db
    .prepare("SELECT status, window_id FROM requests WHERE protocol = 'drp' AND external_id = ?")
    .bind(request_id)
    .first<{ status: string; window_id: string | null }>();
  // The consumer races the revoke; whichever won, the answer and the ledger agree.
  if (revoked.status === 200) {
    expect(((await revoked.json()) as { status: string }).status).toBe("revoked");
    expect(row).toEqual({ status: "cancelled", window_id: null });
    await sleep(1500);
    // Never placed in a window afterwards: the consumer skips a request no longer waiting.
    const later = await db
      .prepare("SELECT status, window_id FROM requests WHERE external_id = ?")
      .bind(request_id)
      .first();
    expect(later).toEqual({ status: "cancelled", window_id: null });
  } else {
    expect(revoked.status).toBe(409);
    expect(row?.window_id).not.toBeNull();
  }
});

test("a protocol set wrongly refuses the start, naming the var and never its value", async () => {
  const { adaptersOf } = await import("../../examples/cloudflare-worker/src/routes.ts");
  const read = await adaptersOf({
    DRP_BUSINESS_ID: BUSINESS,
    DRP_AGENTS: "not json",
    DRP_USER_ID_CLAIM: "user_id",
    OPENGDPR_DOMAIN: DOMAIN,
    OPENGDPR_CERTIFICATE: fixture("processor.pem"),
    OPENGDPR_PRIVATE_KEY: fixture("other.key.pem"),
    OPENGDPR_CONTROLLERS: "example_controller=tiny-secret-value",
  } as never);
  expect(read.adapters).toEqual({});
  const said = read.problems.join("\n");
  expect(said).toContain("DRP_AGENTS must be a JSON array");
  expect(said).toContain("OPENGDPR_CONTROLLERS entry 1's token is shorter than 32 bytes");
  expect(said).toContain("does not belong to the certificate");
  expect(said).not.toContain("tiny-secret-value");
  // Unset, an adapter is off and no problem.
  expect(await adaptersOf({} as never)).toEqual({ adapters: {}, problems: [] });
});
