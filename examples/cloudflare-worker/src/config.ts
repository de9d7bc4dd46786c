// The Worker's settings, read once per invocation from its bindings: which dataset groups it serves, where
// the id files go, and the legal deadline.
import { ErasureClient } from "personalize-data-deletion/erasure";
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
 * Why the Worker must not start, naming each missing or short secret (never its value), or `undefined`.
 * A short INTAKE_TOKEN can be guessed; a short LEDGER_KEY lets anyone holding the ledger test guessed ids
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
  if (problems.length === 0) return undefined;
  return `refusing to start: ${problems.join(", ")}; generate each with \`openssl rand -base64 48\` and set it with \`wrangler secret put <NAME>\``;
}

/** The queue whose messages exhausted their retries on the intake queue. */
export const deadLetterQueue = (env: Env) => env.DEAD_LETTER_QUEUE ?? "erasure-requests-dlq";

export const DAY_MS = 24 * 60 * 60 * 1000;
export const deadlineDays = (env: Env) => Number(env.DEADLINE_DAYS ?? 30);
export const maxWindowBytes = (env: Env) => Number(env.MAX_WINDOW_BYTES ?? 49_000_000);
export const windowIdleMs = (env: Env) => Number(env.WINDOW_IDLE_SECONDS ?? 300) * 1000;
export const windowMaxMs = (env: Env) => Number(env.WINDOW_MAX_SECONDS ?? 3600) * 1000;
export const retryDelay = (env: Env) => Number(env.RETRY_DELAY_SECONDS ?? 300);

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
