// The world the DRP adapter's tests run in (test/examples/drp*.test.ts): a real intake and store in memory
// (examples/cloudflare-worker/src/protocols/port.ts), agents with node:crypto Ed25519 keys (and the
// libsodium vectors' agent), and helpers that sign as DRP says (section 3.07.1) and read DRP's answers.
import { expect } from "bun:test";
import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import {
  type DrpConfig,
  handleDrp,
  parseDrpConfig,
} from "../../examples/cloudflare-worker/src/protocols/drp.ts";
import type {
  IntakePort,
  InternalErasureRequest,
  Protocol,
  ProtocolStore,
  RequestState,
} from "../../examples/cloudflare-worker/src/protocols/port.ts";
import vectors from "../fixtures/drp/libsodium-vectors.json";

export const DAY_MS = 86_400_000;
export const BUSINESS = "PERSONALIZE_ERASURE_TEST";
export const BASE = "https://erasure.example.com";

// A real intake in memory: records each request it takes, keeps its state, refuses what the Worker refuses
// for an id, cancels only before a window is submitted, and can be told to be unavailable once.
export class MemoryIntake implements IntakePort {
  readonly taken: InternalErasureRequest[] = [];
  readonly states = new Map<string, RequestState>();
  readonly cancels: string[] = [];
  deadlineDays = 30;
  clock = Date.parse("2025-01-31T12:01:00.000Z");
  unavailable = false;

  now() {
    return this.clock;
  }
  async take(request: InternalErasureRequest) {
    if (this.unavailable) {
      this.unavailable = false;
      return { ok: false as const, status: 503, error: "the request could not be queued; try again" };
    }
    if (request.userId === "" || request.userId.trim() !== request.userId) {
      return { ok: false as const, status: 400, error: "userId refused", field: "userId" };
    }
    if (request.datasetGroup !== undefined && request.datasetGroup !== "shop") {
      return {
        ok: false as const,
        status: 400,
        error: "datasetGroup must be one of shop",
        field: "datasetGroup",
      };
    }
    this.taken.push(structuredClone(request));
    const state: RequestState = {
      requestId: `w-${this.taken.length}`,
      status: "queued",
      receivedAt: new Date(this.clock).toISOString(),
      deadline: new Date(this.clock + this.deadlineDays * DAY_MS).toISOString(),
    };
    this.states.set(state.requestId, state);
    return { ok: true as const, state: { ...state } };
  }
  async state(id: { requestId: string } | { protocol: Protocol; externalId: string }) {
    const key = "requestId" in id ? id.requestId : undefined;
    const state = key === undefined ? undefined : this.states.get(key);
    return state && { ...state };
  }
  async cancel(requestId: string) {
    this.cancels.push(requestId);
    const state = this.states.get(requestId);
    if (!state) return "unknown" as const;
    if (!["received", "queued", "in_window"].includes(state.status)) return "too-late" as const;
    state.status = "cancelled";
    return "cancelled" as const;
  }
  settle(requestId: string, change: Partial<RequestState>) {
    Object.assign(this.states.get(requestId) as RequestState, change);
  }
}

// A key-value store with expiry on the intake's clock, keeping everything written to it for inspection.
export class MemoryStore implements ProtocolStore {
  readonly entries = new Map<string, { value: string; expires?: number }>();
  constructor(private readonly clock: () => number) {}
  /**
   * When set, each read waits until this many reads are waiting (or 100 ms passed): two deliveries racing
   * then both read before either writes, the interleaving a check-then-set guard cannot survive.
   */
  readTogether = 0;
  #waiting: (() => void)[] = [];
  async #meet(): Promise<void> {
    if (this.readTogether < 2) return;
    await new Promise<void>((resolve) => {
      this.#waiting.push(resolve);
      if (this.#waiting.length >= this.readTogether) for (const go of this.#waiting.splice(0)) go();
      else setTimeout(resolve, 100);
    });
  }
  async get(key: string) {
    await this.#meet();
    const entry = this.entries.get(key);
    if (!entry || (entry.expires !== undefined && entry.expires <= this.clock())) return undefined;
    return entry.value;
  }
  async put(key: string, value: string, ttlSeconds?: number) {
    this.entries.set(key, {
      value,
      ...(ttlSeconds !== undefined && { expires: this.clock() + ttlSeconds * 1000 }),
    });
  }
  // No await between the read and the write: as atomic as D1's one statement.
  async putIfAbsent(key: string, value: string, ttlSeconds?: number, replacing?: string) {
    const entry = this.entries.get(key);
    const live = entry && (entry.expires === undefined || entry.expires > this.clock());
    if (live && entry.value !== replacing) return false;
    await this.put(key, value, ttlSeconds);
    return true;
  }
  dump() {
    return [...this.entries].map(([k, v]) => `${k}=${v.value}`).join("\n");
  }
}

export interface Agent {
  id: string;
  key: KeyObject;
  verifyKey: string;
}
export function newAgent(id: string): Agent {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { id, key: privateKey, verifyKey: raw.toString("base64") };
}
// libsodium combined mode, as section 3.07.1 says: the 64-byte signature, then the JSON, base64-encoded.
export function signed(agent: Agent, message: unknown): string {
  const text = Buffer.from(typeof message === "string" ? message : JSON.stringify(message));
  return Buffer.concat([sign(null, text, agent.key), text]).toString("base64");
}

export let intake: MemoryIntake;
export let store: MemoryStore;
export let config: DrpConfig;
export let alice: Agent;
export let bob: Agent;
export const vectorAgent: Agent = {
  id: vectors.agent.id,
  key: createPrivateKey({
    key: Buffer.concat([
      Buffer.from("302e020100300506032b657004220420", "hex"),
      Buffer.from(vectors.agent.seed_hex, "hex"),
    ]),
    format: "der",
    type: "pkcs8",
  }),
  verifyKey: vectors.agent.verify_key_base64,
};

export function configure(extra: Record<string, string> = {}) {
  const parsed = parseDrpConfig({
    DRP_BUSINESS_ID: BUSINESS,
    DRP_AGENTS: JSON.stringify([alice, bob, vectorAgent].map((a) => ({ id: a.id, verify_key: a.verifyKey }))),
    DRP_USER_ID_CLAIM: "email",
    ...extra,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  config = parsed.config;
}

/** A new world for each test: an empty intake and store, two new agents, the default configuration. */
export function resetWorld() {
  intake = new MemoryIntake();
  store = new MemoryStore(() => intake.clock);
  alice = newAgent("ALICE_AA");
  bob = newAgent("BOB_AA");
  configure();
}

export const iso = (ms: number) => new Date(ms).toISOString();
// Each message a new one, as an agent signs each afresh: Ed25519 gives the same bytes the same signature.
let sent = 0;
export const envelope = (agent: Agent, over: Record<string, unknown> = {}) => ({
  "agent-id": agent.id,
  "business-id": BUSINESS,
  "issued-at": iso(intake.clock - 1000 - (++sent % 1000)),
  "expires-at": iso(intake.clock + 10 * 60_000),
  ...over,
});
export const exerciseMessage = (agent: Agent, over: Record<string, unknown> = {}) => ({
  ...envelope(agent),
  "drp.version": "1.0",
  exercise: "deletion",
  regime: "ccpa",
  status_callback: "https://dsr-agent.example.com/update_status",
  name: "Doe, Jane",
  email: "jane.doe@example.com",
  email_verified: true,
  ...over,
});

export async function call(method: string, path: string, body?: string, token?: string): Promise<Response> {
  const headers: Record<string, string> = body !== undefined ? { "content-type": "text/plain" } : {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await handleDrp(new Request(`${BASE}${path}`, { method, headers, body }), {
    intake,
    store,
    config,
  });
  if (!response) throw new Error(`${method} ${path} was not DRP's`);
  return response;
}
export async function pair(agent: Agent): Promise<string> {
  const response = await call(
    "POST",
    `/v1/agent/${agent.id}`,
    signed(agent, { ...envelope(agent), "drp.version": "1.0" }),
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}
export async function submit(agent: Agent, token: string, over: Record<string, unknown> = {}) {
  const response = await call(
    "POST",
    "/v1/data-rights-request",
    signed(agent, exerciseMessage(agent, over)),
    token,
  );
  // The copy is left unread, for a test that checks the error shape itself.
  const copy = response.clone();
  return { response: copy, body: (await response.json()) as Record<string, unknown> };
}
export async function submitted(agent = alice) {
  const token = await pair(agent);
  const { response, body } = await submit(agent, token);
  expect(response.status).toBe(200);
  return { token, requestId: body.request_id as string, workerId: `w-${intake.taken.length}` };
}
// DRP's error shape (section 3.06): code as the status in a string, a message, fatal only as true.
export async function expectDrpError(response: Response, status: number, fatal?: boolean): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/json");
  const body = (await response.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(fatal ? ["code", "fatal", "message"] : ["code", "message"]);
  expect(body.code).toBe(String(status));
  if (fatal) expect(body.fatal).toBe(true);
  expect(typeof body.message).toBe("string");
  return body.message as string;
}
export async function expectForbiddenNoBody(response: Response) {
  expect(response.status).toBe(403);
  expect(await response.text()).toBe("");
}
// The timestamps OSIRAA's checks read with Python 3.9's datetime.fromisoformat, which refuses a "Z".
export const PYTHON_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;

/** Replaces the configuration (an exported binding cannot be assigned by its importers). */
export function useConfig(next: DrpConfig) {
  config = next;
}
