// The baseline of the "intake at scale" bench: examples/cloudflare-worker as it was before windows (commit
// 4a12e55): HTTP intake -> Queue -> one deletion job per batch of at most 100 -> a cron trigger that follows
// the jobs. Kept only to measure the windowed design against it in the same run; not an example to follow.
import {
  DataDeletionClient,
  DataDeletionError,
  LimitExceededException,
  MAX_USER_ID_LENGTH,
} from "personalize-data-deletion";

export interface Env {
  ERASURE_QUEUE: Queue<ErasureMessage>;
  REQUESTS: KVNamespace;
  AWS_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_ENDPOINT_URL?: string;
  AWS_ENDPOINT_URL_S3?: string;
  DATASET_GROUP_ARN: string;
  ROLE_ARN: string;
  S3_URI: string;
  INTAKE_TOKEN: string;
  RETRY_DELAY_SECONDS?: string;
}

export interface ErasureMessage {
  requestId: string;
  userId: string;
}

/** What GET /erasure-requests/{id} answers. */
export interface RequestRecord {
  requestId: string;
  status: "queued" | "in_job" | "completed" | "failed";
  createdAt: string;
  jobArn?: string;
  failureReason?: string;
}

// Minimal shapes of the Workers runtime types this file uses (install @cloudflare/workers-types for all).
interface Queue<T> {
  send(body: T): Promise<void>;
}
interface KVNamespace {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  list(options: {
    prefix: string;
    cursor?: string;
  }): Promise<{ keys: { name: string }[]; list_complete: boolean; cursor?: string }>;
}
interface MessageBatch<T> {
  messages: { body: T; ack(): void }[];
  retryAll(options?: { delaySeconds?: number }): void;
  ackAll(): void;
}

const encoder = new TextEncoder();

function client(env: Env): DataDeletionClient {
  return new DataDeletionClient({
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
    ...(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL
      ? { s3Endpoint: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL }
      : {}),
    useEnvironment: false,
  });
}

// Compares digests, so neither the time taken nor an early exit depends on where the strings differ.
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] as number) ^ (y[i] as number);
  return diff === 0 && expected.length > 0;
}

function checkUserId(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const id = value.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused on purpose
  if (id === "" || [...id].length > MAX_USER_ID_LENGTH || /[\u0000-\u001f\u007f]/.test(id)) return undefined;
  return id;
}

async function intake(request: Request, env: Env): Promise<Response> {
  const auth = request.headers.get("authorization") ?? "";
  if (!(await sameSecret(auth.replace(/^Bearer /, ""), env.INTAKE_TOKEN))) {
    return Response.json({ error: "unauthorized" }, { status: 401 });
  }
  let body: { userId?: unknown };
  try {
    body = (await request.json()) as { userId?: unknown };
  } catch {
    return Response.json({ error: 'the body must be JSON: { "userId": "..." }' }, { status: 400 });
  }
  const userId = checkUserId(body?.userId);
  if (!userId) {
    return Response.json(
      { error: `userId must be a string of 1-${MAX_USER_ID_LENGTH} characters without control characters` },
      { status: 400 },
    );
  }
  const record: RequestRecord = {
    requestId: crypto.randomUUID(),
    status: "queued",
    createdAt: new Date().toISOString(),
  };
  await env.REQUESTS.put(`req:${record.requestId}`, JSON.stringify(record));
  await env.ERASURE_QUEUE.send({ requestId: record.requestId, userId });
  return Response.json({ requestId: record.requestId, status: record.status }, { status: 202 });
}

async function status(id: string, env: Env): Promise<Response> {
  const record = await env.REQUESTS.get(`req:${id}`);
  if (!record) return Response.json({ error: "no such request" }, { status: 404 });
  return new Response(record, { headers: { "content-type": "application/json" } });
}

async function hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function setStatus(env: Env, requestId: string, patch: Partial<RequestRecord>): Promise<void> {
  const current = JSON.parse((await env.REQUESTS.get(`req:${requestId}`)) ?? "{}") as RequestRecord;
  await env.REQUESTS.put(`req:${requestId}`, JSON.stringify({ ...current, requestId, ...patch }));
}

/** One deletion job per batch. A redelivered batch gets the same job name, so it adopts its job. */
async function consume(batch: MessageBatch<ErasureMessage>, env: Env): Promise<void> {
  const messages = batch.messages.map((m) => m.body);
  const jobName = `erasure-${(
    await hex(
      messages
        .map((m) => m.requestId)
        .sort()
        .join(","),
    )
  ).slice(0, 40)}`;
  const c = client(env);
  try {
    const upload = await c.uploadUserIds(
      messages.map((m) => m.userId),
      { s3Uri: `${env.S3_URI.replace(/\/?$/, "/")}${jobName}.csv` },
    );
    const { dataDeletionJobArn } = await c.createDataDeletionJob({
      jobName,
      datasetGroupArn: env.DATASET_GROUP_ARN,
      roleArn: env.ROLE_ARN,
      dataSource: { dataLocation: upload.dataLocation },
    });
    const arn = dataDeletionJobArn as string;
    await env.REQUESTS.put(`openjob:${arn}`, JSON.stringify(messages.map((m) => m.requestId)));
    for (const m of messages) await setStatus(env, m.requestId, { status: "in_job", jobArn: arn });
    batch.ackAll();
  } catch (error) {
    // No room (5 PENDING jobs per dataset group) or a transient failure: the whole batch comes back later.
    const delaySeconds = Number(env.RETRY_DELAY_SECONDS ?? 300);
    if (error instanceof LimitExceededException || (error instanceof DataDeletionError && error.retryable)) {
      batch.retryAll({ delaySeconds });
      return;
    }
    throw error;
  }
}

/** The cron trigger: describes the open jobs and settles their requests. */
async function followUp(env: Env): Promise<void> {
  const c = client(env);
  let cursor: string | undefined;
  do {
    const page = await env.REQUESTS.list({ prefix: "openjob:", ...(cursor ? { cursor } : {}) });
    for (const key of page.keys) {
      const arn = key.name.slice("openjob:".length);
      const { dataDeletionJob } = await c.describeDataDeletionJob({ dataDeletionJobArn: arn });
      const jobStatus = dataDeletionJob?.status;
      if (jobStatus !== "COMPLETED" && jobStatus !== "FAILED") continue;
      const requestIds = JSON.parse((await env.REQUESTS.get(key.name)) ?? "[]") as string[];
      for (const id of requestIds) {
        await setStatus(env, id, {
          status: jobStatus === "COMPLETED" ? "completed" : "failed",
          ...(dataDeletionJob?.failureReason ? { failureReason: dataDeletionJob.failureReason } : {}),
        });
      }
      // The CSV of ids is personal data: once the job COMPLETED it is no longer needed (FAILED keeps it).
      if (jobStatus === "COMPLETED" && dataDeletionJob?.dataSource?.dataLocation) {
        await c.deleteUploadedFile(dataDeletionJob.dataSource.dataLocation);
      }
      await env.REQUESTS.delete(key.name);
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/erasure-requests") return intake(request, env);
    const match = /^\/erasure-requests\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (request.method === "GET" && match) return status(match[1] as string, env);
    return Response.json({ error: "not found" }, { status: 404 });
  },
  async queue(batch: MessageBatch<ErasureMessage>, env: Env): Promise<void> {
    await consume(batch, env);
  },
  async scheduled(_event: unknown, env: Env): Promise<void> {
    await followUp(env);
  },
};
