// The OpenGDPR and Transcend adapters' settings read from the Worker's vars and secrets, by name: an
// adapter is off until its first var is set, and refused at start, naming each var (never a value), when a
// setting is missing or unusable.
import { type OpenGdprConfig, openGdprKeyProblem } from "./opengdpr-wire.ts";
import type { PartialOutcome } from "./state-words.ts";
import { sombraKeyProblem, type TranscendConfig } from "./transcend.ts";

/** The vars each adapter reads; the secrets among them go in with `wrangler secret put`. */
export interface ProtocolVars {
  /** Turns OpenGDPR on: the domain its certificate is issued to. */
  OPENGDPR_DOMAIN?: string;
  /** The certificate, PEM. */
  OPENGDPR_CERTIFICATE?: string;
  /** Secret: the certificate's private key, PKCS#8 PEM. */
  OPENGDPR_PRIVATE_KEY?: string;
  /** Secret: `controller_id=token` pairs, separated by commas. */
  OPENGDPR_CONTROLLERS?: string;
  /** `identity_type:identity_format` of the Personalize user id (default `controller_customer_id:raw`). */
  OPENGDPR_IDENTITY?: string;
  OPENGDPR_BASE_PATH?: string;
  OPENGDPR_DATASET_GROUP?: string;
  OPENGDPR_RECEIPTS_URL?: string;
  /** `deleted` and/or `completed_in_personalize`, separated by commas. */
  OPENGDPR_ACCEPT_AS_COMPLETED?: string;
  /** Turns Transcend on: the Sombra audience. */
  TRANSCEND_AUDIENCE?: string;
  /** The Sombra's signing key, SPKI PEM. */
  TRANSCEND_PUBLIC_KEY?: string;
  /** `coreIdentifier` (default) or an identifier's name. */
  TRANSCEND_IDENTIFIER?: string;
  /** Default https://multi-tenant.sombra.transcend.io. */
  TRANSCEND_SOMBRA_URL?: string;
  /** Secret: the integration's API key. */
  TRANSCEND_API_KEY?: string;
  /** Secret: the Sombra internal key (self-hosted gateways). */
  TRANSCEND_SOMBRA_API_KEY?: string;
  TRANSCEND_PATH?: string;
  TRANSCEND_DATASET_GROUP?: string;
  TRANSCEND_ACCEPT_AS_COMPLETED?: string;
}

/** A configured adapter, or why it cannot start. */
export type Read<T> = { ok: true; config: T } | { ok: false; problems: string[] };

// Section 5.1 and 5.2 of OpenGDPR 1.0: the identities a controller can send.
const IDENTITY_TYPES = [
  "controller_customer_id",
  "android_advertising_id",
  "android_id",
  "email",
  "fire_advertising_id",
  "ios_advertising_id",
  "ios_vendor_id",
  "microsoft_advertising_id",
  "microsoft_publisher_id",
  "roku_publisher_id",
  "roku_advertising_id",
];
const IDENTITY_FORMATS = ["raw", "sha1", "md5", "sha256"];
const PARTIAL: PartialOutcome[] = ["completed_in_personalize", "deleted"];
const MIN_TOKEN_BYTES = 32;
const encoder = new TextEncoder();

const listOf = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
const set = (value: string | undefined): value is string => typeof value === "string" && value.trim() !== "";

function accepted(name: string, value: string | undefined, problems: string[]): PartialOutcome[] {
  const outcomes = listOf(value);
  const wrong = outcomes.filter((o) => !PARTIAL.includes(o as PartialOutcome));
  if (wrong.length > 0) problems.push(`${name} may list only ${PARTIAL.join(" and ")}`);
  return outcomes.filter((o): o is PartialOutcome => PARTIAL.includes(o as PartialOutcome));
}

function https(name: string, value: string, problems: string[]): void {
  try {
    if (new URL(value).protocol === "https:") return;
  } catch {}
  problems.push(`${name} is not an https URL`);
}

/** OpenGDPR's settings, `undefined` while OPENGDPR_DOMAIN is unset. */
export async function openGdprConfigFrom(vars: ProtocolVars): Promise<Read<OpenGdprConfig> | undefined> {
  if (!set(vars.OPENGDPR_DOMAIN)) return undefined;
  const problems: string[] = [];
  const domain = vars.OPENGDPR_DOMAIN.trim().toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(domain)) {
    problems.push("OPENGDPR_DOMAIN is not a domain name");
  }
  for (const name of ["OPENGDPR_CERTIFICATE", "OPENGDPR_PRIVATE_KEY", "OPENGDPR_CONTROLLERS"] as const) {
    if (!set(vars[name])) problems.push(`${name} is not set (OPENGDPR_DOMAIN is)`);
  }
  const controllers: { id: string; token: string }[] = [];
  for (const [i, pair] of listOf(vars.OPENGDPR_CONTROLLERS).entries()) {
    const at = pair.indexOf("=");
    const id = at > 0 ? pair.slice(0, at).trim() : "";
    const token = at > 0 ? pair.slice(at + 1).trim() : "";
    if (!id || !token) problems.push(`OPENGDPR_CONTROLLERS entry ${i + 1} is not controller_id=token`);
    else if (encoder.encode(token).length < MIN_TOKEN_BYTES) {
      problems.push(`OPENGDPR_CONTROLLERS entry ${i + 1}'s token is shorter than ${MIN_TOKEN_BYTES} bytes`);
    } else if (controllers.some((c) => c.id === id || c.token === token)) {
      problems.push(`OPENGDPR_CONTROLLERS entry ${i + 1} repeats a controller_id or a token`);
    } else controllers.push({ id, token });
  }
  const [type = "", format = "", ...extra] = (vars.OPENGDPR_IDENTITY ?? "controller_customer_id:raw").split(
    ":",
  );
  if (!IDENTITY_TYPES.includes(type) || !IDENTITY_FORMATS.includes(format) || extra.length > 0) {
    problems.push(
      "OPENGDPR_IDENTITY is not identity_type:identity_format of OpenGDPR 1.0 sections 5.1 and 5.2",
    );
  }
  const basePath = vars.OPENGDPR_BASE_PATH ?? "/v1";
  if (!/^(\/[A-Za-z0-9._-]+)*\/v1$/.test(basePath)) {
    problems.push("OPENGDPR_BASE_PATH must end in /v1 (the spec puts the major version in the path)");
  }
  if (set(vars.OPENGDPR_RECEIPTS_URL)) https("OPENGDPR_RECEIPTS_URL", vars.OPENGDPR_RECEIPTS_URL, problems);
  const config: OpenGdprConfig = {
    processorDomain: domain,
    certificatePem: vars.OPENGDPR_CERTIFICATE ?? "",
    privateKeyPem: vars.OPENGDPR_PRIVATE_KEY ?? "",
    controllers,
    identity: { type, format },
    basePath,
    ...(set(vars.OPENGDPR_DATASET_GROUP) && { datasetGroup: vars.OPENGDPR_DATASET_GROUP.trim() }),
    ...(set(vars.OPENGDPR_RECEIPTS_URL) && { receiptsUrl: vars.OPENGDPR_RECEIPTS_URL.trim() }),
    acceptAsCompleted: accepted("OPENGDPR_ACCEPT_AS_COMPLETED", vars.OPENGDPR_ACCEPT_AS_COMPLETED, problems),
  };
  if (set(vars.OPENGDPR_CERTIFICATE) && set(vars.OPENGDPR_PRIVATE_KEY)) {
    const keyProblem = await openGdprKeyProblem(config);
    if (keyProblem) problems.push(`${keyProblem} (OPENGDPR_CERTIFICATE, OPENGDPR_PRIVATE_KEY)`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** Transcend's settings, `undefined` while TRANSCEND_AUDIENCE is unset. */
export async function transcendConfigFrom(vars: ProtocolVars): Promise<Read<TranscendConfig> | undefined> {
  if (!set(vars.TRANSCEND_AUDIENCE)) return undefined;
  const problems: string[] = [];
  for (const name of ["TRANSCEND_PUBLIC_KEY", "TRANSCEND_API_KEY"] as const) {
    if (!set(vars[name])) problems.push(`${name} is not set (TRANSCEND_AUDIENCE is)`);
  }
  if (set(vars.TRANSCEND_PUBLIC_KEY)) {
    const keyProblem = await sombraKeyProblem(vars.TRANSCEND_PUBLIC_KEY);
    if (keyProblem) problems.push(`TRANSCEND_PUBLIC_KEY: ${keyProblem}`);
  }
  const sombraUrl = (vars.TRANSCEND_SOMBRA_URL ?? "https://multi-tenant.sombra.transcend.io").trim();
  https("TRANSCEND_SOMBRA_URL", sombraUrl, problems);
  const path = vars.TRANSCEND_PATH ?? "/webhooks/transcend/dsr-job";
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(path)) problems.push("TRANSCEND_PATH is not a path (/a/b)");
  const config: TranscendConfig = {
    audience: vars.TRANSCEND_AUDIENCE.trim(),
    publicKeyPem: vars.TRANSCEND_PUBLIC_KEY ?? "",
    identifier: set(vars.TRANSCEND_IDENTIFIER) ? vars.TRANSCEND_IDENTIFIER.trim() : "coreIdentifier",
    sombraUrl,
    apiKey: vars.TRANSCEND_API_KEY ?? "",
    path,
    ...(set(vars.TRANSCEND_SOMBRA_API_KEY) && { sombraApiKey: vars.TRANSCEND_SOMBRA_API_KEY }),
    ...(set(vars.TRANSCEND_DATASET_GROUP) && { datasetGroup: vars.TRANSCEND_DATASET_GROUP.trim() }),
    acceptAsCompleted: accepted(
      "TRANSCEND_ACCEPT_AS_COMPLETED",
      vars.TRANSCEND_ACCEPT_AS_COMPLETED,
      problems,
    ),
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}
