// The Worker's settings, read once per invocation from its bindings: which dataset groups it serves, where
// the id files go, and the legal deadline.
import { ErasureClient, type OutsideChoices } from "personalize-data-deletion/erasure";
import type { Env } from "./env.ts";

/** The dataset groups by the names requests use. */
export function datasetGroups(env: Env): Map<string, string> {
  const groups = new Map<string, string>();
  for (const pair of env.DATASET_GROUPS.split(",")) {
    const [name, arn] = pair.split("=").map((s) => s.trim());
    if (name && arn) groups.set(name, arn);
  }
  return groups;
}

/** The shortest secret the Worker starts with: 256 bits, so neither can be guessed or searched. */
export const MIN_SECRET_BYTES = 32;

/**
 * Why the Worker must not start, naming each missing or short secret (never its value) and each unusable
 * outside setting, or `undefined`. A short INTAKE_TOKEN can be guessed; a short LEDGER_KEY (or
 * SUPPRESSION_KEY, while SUPPRESSION is set) lets anyone holding the ledger (or the list) test guessed ids
 * against its hashes.
 */
export function configProblem(env: Env): string | undefined {
  const problems: string[] = [];
  for (const name of ["INTAKE_TOKEN", "LEDGER_KEY"] as const) {
    // Typed as wrangler.toml requires them; at run time a secret may still be missing.
    const value: unknown = env[name];
    if (typeof value !== "string" || value === "") problems.push(`${name} is not set`);
    else if (encoder.encode(value).length < MIN_SECRET_BYTES) {
      problems.push(`${name} is shorter than ${MIN_SECRET_BYTES} bytes`);
    }
  }
  const outside = outsideProblems(env);
  // A pace that is no number would make every window's workflow fail at its first sleep, and again each tick.
  for (const name of ["LOOK_FIRST_SECONDS", "LOOK_MAX_SECONDS"] as const) {
    const value = env[name];
    if (value !== undefined && !(Number(value) > 0)) {
      outside.settings.push(`${name} is not a number of seconds above 0 (got "${value.slice(0, 20)}")`);
    }
  }
  // Every request's deadline (a NaN one is never at risk, never overdue), and a callback's retry delay (NaN
  // would retry at once, for ever): refused here, as above, rather than read as nonsense on every request.
  const days = env.DEADLINE_DAYS;
  if (days !== undefined && !(Number.isInteger(Number(days)) && Number(days) > 0)) {
    outside.settings.push(`DEADLINE_DAYS is not a whole number of days above 0 (got "${days.slice(0, 20)}")`);
  }
  const retry = env.CALLBACK_RETRY_SECONDS;
  if (retry !== undefined && !(Number(retry) > 0)) {
    outside.settings.push(
      `CALLBACK_RETRY_SECONDS is not a number of seconds above 0 (got "${retry.slice(0, 20)}")`,
    );
  }
  if (problems.length + outside.secrets.length + outside.settings.length === 0) return undefined;
  const secrets = [...problems, ...outside.secrets];
  const hint = secrets.length
    ? "; generate each secret with `openssl rand -base64 48` and set it with `wrangler secret put <NAME>`"
    : "";
  return `refusing to start: ${[...secrets, ...outside.settings].join(", ")}${hint}`;
}

const listOf = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

// The outside stage's settings the library would refuse on every tick: refused once, at start, instead.
function outsideProblems(env: Env): { secrets: string[]; settings: string[] } {
  const secrets: string[] = [];
  const settings: string[] = [];
  for (const [i, location] of listOf(env.OUTSIDE_LOCATIONS).entries()) {
    if (!/^s3:\/\/[^/]+/i.test(location)) {
      settings.push(`OUTSIDE_LOCATIONS entry ${i + 1} is not an s3:// object or folder`);
    }
  }
  if (env.SUPPRESSION === undefined || env.SUPPRESSION === "") return { secrets, settings };
  if (!/^s3:\/\/[^/]+\/(.*\/)?$/i.test(env.SUPPRESSION)) {
    settings.push("SUPPRESSION is not an s3://bucket/prefix/ folder (ending in /)");
  }
  const key: unknown = env.SUPPRESSION_KEY;
  if (typeof key !== "string" || key === "") secrets.push("SUPPRESSION_KEY is not set (SUPPRESSION is)");
  else if (encoder.encode(key).length < MIN_SECRET_BYTES) {
    secrets.push(`SUPPRESSION_KEY is shorter than ${MIN_SECRET_BYTES} bytes`);
  }
  return { secrets, settings };
}

/** What the erasure does past Personalize's edge: SCAN, SCRUB (implies SCAN), OUTSIDE_LOCATIONS, SUPPRESSION. */
export function outsideChoices(env: Env): OutsideChoices {
  const scrub = env.SCRUB === "true";
  const locations = listOf(env.OUTSIDE_LOCATIONS);
  return {
    scan: scrub || env.SCAN === "true",
    scrub,
    ...(locations.length > 0 && { locations }),
    ...(env.SUPPRESSION && { suppression: env.SUPPRESSION, suppressionKey: env.SUPPRESSION_KEY }),
  };
}

/** The queue whose messages exhausted their retries on the intake queue. */
export const deadLetterQueue = (env: Env) => env.DEAD_LETTER_QUEUE ?? "erasure-requests-dlq";

export const DAY_MS = 24 * 60 * 60 * 1000;
export const deadlineDays = (env: Env) => Number(env.DEADLINE_DAYS ?? 30);
export const maxWindowBytes = (env: Env) => Number(env.MAX_WINDOW_BYTES ?? 49_000_000);
export const windowIdleMs = (env: Env) => Number(env.WINDOW_IDLE_SECONDS ?? 300) * 1000;
export const windowMaxMs = (env: Env) => Number(env.WINDOW_MAX_SECONDS ?? 3600) * 1000;
export const retryDelay = (env: Env) => Number(env.RETRY_DELAY_SECONDS ?? 300);

/**
 * How long a window's workflow sleeps before its look number `n`, in milliseconds: LOOK_FIRST_SECONDS
 * (default 60), doubling up to LOOK_MAX_SECONDS (default 3600). A job ends within minutes or a day, a
 * training within hours: early looks see a quick end soon, later ones cost one call an hour.
 */
export function lookPace(env: Env): (n: number) => number {
  const first = Number(env.LOOK_FIRST_SECONDS ?? 60);
  const most = Math.max(first, Number(env.LOOK_MAX_SECONDS ?? 3600));
  return (n) => Math.min(most, first * 2 ** Math.min(n - 1, 30)) * 1000;
}

export function client(env: Env): ErasureClient {
  return new ErasureClient({
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
    ...(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL
      ? { s3Endpoint: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL }
      : {}),
    useEnvironment: false,
  });
}

const encoder = new TextEncoder();
const hex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** SHA-256 of a text or of bytes, hex. */
export async function sha256(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

/** The ledger's keyed hash of a user id: equal ids match, and the id cannot be read back. */
export async function userHash(env: Env, userId: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(env.LEDGER_KEY),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return hex(await crypto.subtle.sign("HMAC", key, encoder.encode(userId)));
}
