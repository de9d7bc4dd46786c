// What the DRP adapter is told by the operator, read from the Worker's vars: who it is in the network
// (DRP_BUSINESS_ID), which agents it trusts and their keys (DRP_AGENTS, entries of the Service Directory's
// agents.json), and which identity claim carries the Personalize user id (DRP_USER_ID_CLAIM).
import { verifyKeyBytes } from "./drp-crypto.ts";
import type { PartialOutcome } from "./drp-status.ts";

/** The claims section 3.04 pairs with a `<claim>_verified` flag. */
export const VERIFIABLE_CLAIMS = ["email", "phone_number", "address"] as const;

/** The DRP adapter's settings (see examples/cloudflare-worker/docs/drp.md for the vars they come from). */
export interface DrpConfig {
  /** DRP_BUSINESS_ID: the `business-id` every signed message must name (this Covered Business). */
  businessId: string;
  /** DRP_AGENTS: each trusted Authorized Agent's `id` and 32-byte Ed25519 verify key. */
  agents: ReadonlyMap<string, Uint8Array<ArrayBuffer>>;
  /** DRP_USER_ID_CLAIM: the identity claim (section 3.04's or a custom one) holding the Personalize user id. */
  userIdClaim: string;
  /** DRP_REQUIRE_VERIFIED (default true): for email, phone_number or address, `<claim>_verified` must be true. */
  requireVerified: boolean;
  /** DRP_DATASET_GROUP: the dataset group (a key of DATASET_GROUPS) DRP requests erase from; absent: the only one. */
  datasetGroup?: string;
  /** DRP_MAX_VALIDITY_SECONDS (default 3600): the longest `issued-at`..`expires-at` span taken. */
  maxValiditySeconds: number;
  /** DRP_CLOCK_SKEW_SECONDS (default 60): how far an agent's clock may run ahead of `issued-at`'s check. */
  clockSkewSeconds: number;
  /** DRP_RECORD_DAYS (default 60): how long past its expected-by date a request's DRP record is kept. */
  recordDays: number;
  /**
   * DRP_ACCEPT_AS_FULFILLED (default none): partial outcomes this deployment reports as `fulfilled`
   * (`completed_in_personalize`, `deleted`); any other stays `in_progress`, its details saying what is left.
   */
  acceptAsFulfilled: PartialOutcome[];
  /** DRP_BASE_PATH (default none): a prefix before `/v1/...`, when the Directory's `api_base` has a path. */
  basePath: string;
}

/** The vars DRP reads, as wrangler passes them (strings, or absent). */
export type DrpVars = Partial<
  Record<
    | "DRP_BUSINESS_ID"
    | "DRP_AGENTS"
    | "DRP_USER_ID_CLAIM"
    | "DRP_REQUIRE_VERIFIED"
    | "DRP_DATASET_GROUP"
    | "DRP_MAX_VALIDITY_SECONDS"
    | "DRP_CLOCK_SKEW_SECONDS"
    | "DRP_RECORD_DAYS"
    | "DRP_ACCEPT_AS_FULFILLED"
    | "DRP_BASE_PATH",
    string
  >
>;

const AGENT_ID = /^[A-Za-z0-9_.-]{1,128}$/;
const CLAIM = /^[A-Za-z0-9_.:-]{1,64}$/;

function wholeNumber(vars: DrpVars, name: keyof DrpVars, fallback: number, problems: string[]): number {
  const raw = vars[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    problems.push(
      `${name} must be a whole number of ${name.endsWith("DAYS") ? "days" : "seconds"}, got "${raw}"`,
    );
  }
  return n;
}

function agentsFrom(raw: string | undefined, problems: string[]): Map<string, Uint8Array<ArrayBuffer>> {
  const agents = new Map<string, Uint8Array<ArrayBuffer>>();
  let entries: unknown;
  try {
    entries = JSON.parse(raw ?? "");
  } catch {
    problems.push(
      'DRP_AGENTS must be a JSON array of Service Directory agent entries ([{"id": "...", "verify_key": "..."}])',
    );
    return agents;
  }
  if (!Array.isArray(entries) || entries.length === 0) {
    problems.push("DRP_AGENTS must be a non-empty JSON array of agent entries");
    return agents;
  }
  for (const [i, entry] of entries.entries()) {
    const { id, verify_key } = (entry ?? {}) as { id?: unknown; verify_key?: unknown };
    if (typeof id !== "string" || !AGENT_ID.test(id)) {
      problems.push(`DRP_AGENTS entry ${i + 1}: "id" must be 1-128 letters, digits, "_", "." or "-"`);
      continue;
    }
    const key = typeof verify_key === "string" ? verifyKeyBytes(verify_key) : undefined;
    if (!key) {
      problems.push(
        `DRP_AGENTS entry ${i + 1} (${id}): "verify_key" must be a 32-byte Ed25519 key in base64 (or hex, as in DRP 0.9)`,
      );
    } else if (agents.has(id)) problems.push(`DRP_AGENTS entry ${i + 1}: agent ${id} is listed twice`);
    else agents.set(id, key);
  }
  return agents;
}

/** The DRP settings from the Worker's vars, or every problem, each naming its var (never a secret's value). */
export function parseDrpConfig(
  vars: DrpVars,
): { ok: true; config: DrpConfig } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const businessId = vars.DRP_BUSINESS_ID?.trim() ?? "";
  if (businessId === "") problems.push("DRP_BUSINESS_ID is not set (this business's id in the DRP network)");
  const agents = agentsFrom(vars.DRP_AGENTS, problems);
  const userIdClaim = vars.DRP_USER_ID_CLAIM?.trim() ?? "";
  if (!CLAIM.test(userIdClaim)) {
    problems.push(
      "DRP_USER_ID_CLAIM must name the identity claim holding the Personalize user id (e.g. email, or a custom claim)",
    );
  }
  const verified = vars.DRP_REQUIRE_VERIFIED?.trim() ?? "true";
  if (verified !== "true" && verified !== "false") {
    problems.push(`DRP_REQUIRE_VERIFIED must be "true" or "false", got "${verified}"`);
  }
  const basePath = (vars.DRP_BASE_PATH ?? "").trim().replace(/\/+$/, "");
  if (basePath !== "" && !/^\/[A-Za-z0-9._~/-]*$/.test(basePath)) {
    problems.push(`DRP_BASE_PATH must be a path starting with "/", got "${vars.DRP_BASE_PATH}"`);
  }
  const acceptAsFulfilled: PartialOutcome[] = [];
  for (const item of (vars.DRP_ACCEPT_AS_FULFILLED ?? "").split(",").map((s) => s.trim())) {
    if (item === "completed_in_personalize" || item === "deleted") acceptAsFulfilled.push(item);
    else if (item !== "") {
      problems.push(
        `DRP_ACCEPT_AS_FULFILLED lists "${item}": only completed_in_personalize and deleted may be accepted`,
      );
    }
  }
  const config: DrpConfig = {
    businessId,
    agents,
    userIdClaim,
    requireVerified: verified !== "false",
    maxValiditySeconds: wholeNumber(vars, "DRP_MAX_VALIDITY_SECONDS", 3600, problems),
    clockSkewSeconds: wholeNumber(vars, "DRP_CLOCK_SKEW_SECONDS", 60, problems),
    recordDays: wholeNumber(vars, "DRP_RECORD_DAYS", 60, problems),
    acceptAsFulfilled,
    basePath,
    ...(vars.DRP_DATASET_GROUP?.trim() ? { datasetGroup: vars.DRP_DATASET_GROUP.trim() } : {}),
  };
  if (config.maxValiditySeconds === 0) problems.push("DRP_MAX_VALIDITY_SECONDS must be above 0");
  // Section 3.02: a final request may be disregarded after 60 days, "but no less than 7 days".
  if (config.recordDays < 7) problems.push(`DRP_RECORD_DAYS must be at least 7, got ${config.recordDays}`);
  return problems.length ? { ok: false, problems } : { ok: true, config };
}
