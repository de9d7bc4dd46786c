import * as v from "valibot";
import { sha256Hex } from "../hash.ts";
import { inputSchema } from "../schemas.ts";
import { checkSignature } from "./sigv4-check.ts";
import {
  type EmulatorJob,
  EmulatorState,
  type InteractionRow,
  type Snapshot,
  type StateOptions,
  type StoredObject,
  sampleInteractions,
} from "./state.ts";

/** Fractions of requests that misbehave, for reliability tests; deterministic for a given `seed`. */
export interface FaultOptions {
  /** 500/503 answers. */
  failRate?: number;
  /** 400 ThrottlingException (Personalize) or 503 SlowDown (S3). */
  throttleRate?: number;
  /** The connection is dropped before the request is handled. */
  resetRate?: number;
  /** The request takes effect, then the connection is dropped: the lost-response case. */
  dropResponseRate?: number;
  /** Added delay per request. */
  latencyMs?: number;
  seed?: number;
}

/** Options of {@link createEmulator}. */
export interface EmulatorOptions extends Partial<StateOptions> {
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Interaction rows of the seeded dataset group (default: a built-in sample of 50 users). */
  seed?: InteractionRow[];
  /** Name of the seeded dataset group (default `emulator-sample`). */
  datasetGroupName?: string;
  /** A bucket created at start (default `emulator-deletions`). */
  bucket?: string;
  faults?: FaultOptions;
  /** Time source (tests). */
  now?: () => number;
  /** Called after every change with the state to persist (the server edge writes it to `--data-dir`). */
  onChange?: (snapshot: Snapshot, objects: Map<string, Uint8Array>) => void;
}

/** Thrown by the handler when the connection should be dropped; servers destroy the socket. */
export class ConnectionDropped extends Error {
  constructor(readonly afterEffect: boolean) {
    super(
      afterEffect ? "connection dropped after the request took effect" : "connection reset by the emulator",
    );
  }
}

/** A running emulator: a fetch handler over in-memory state. */
export interface Emulator {
  fetch(request: Request): Promise<Response>;
  readonly state: EmulatorState;
  readonly datasetGroupArn: string;
  readonly bucket: string;
  /** Replaces the state from a snapshot (restart with `--data-dir`). */
  restore(snapshot: Snapshot, bodyOf: (sha256: string) => Uint8Array): void;
}

const MAX_JSON_BODY = 1 << 20;
const MAX_OBJECT_BODY = 256 << 20;

const INPUT_SCHEMAS: Record<string, v.GenericSchema> = {
  CreateDataDeletionJob: inputSchema("CreateDataDeletionJobRequest", false),
  DescribeDataDeletionJob: inputSchema("DescribeDataDeletionJobRequest", false),
  ListDataDeletionJobs: inputSchema("ListDataDeletionJobsRequest", false),
};

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// One roll decides a request's fault, so the rates add up and a seed replays the same sequence.
function pickFault(faults: FaultOptions, roll: number): "reset" | "fail" | "throttle" | "drop" | undefined {
  const table = [
    ["reset", faults.resetRate],
    ["fail", faults.failRate],
    ["throttle", faults.throttleRate],
    ["drop", faults.dropResponseRate],
  ] as const;
  let edge = 0;
  for (const [kind, rate] of table) {
    edge += rate ?? 0;
    if (roll < edge) return kind;
  }
  return undefined;
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

function requestId(): string {
  return crypto.randomUUID();
}

function jsonError(status: number, type: string, message: string): Response {
  return new Response(JSON.stringify({ __type: type, message }), {
    status,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId() },
  });
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function s3Error(status: number, code: string, message: string, resource = ""): Response {
  const id = requestId();
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><Resource>${xmlEscape(resource)}</Resource><RequestId>${id}</RequestId></Error>`;
  return new Response(xml, {
    status,
    headers: { "content-type": "application/xml", "x-amz-request-id": id },
  });
}

// Coral-style validation message: "Value 'x' at 'jobName' failed to satisfy constraint: ...".
function validationMessage(issues: v.BaseIssue<unknown>[]): string {
  const parts = issues.slice(0, 5).map((issue) => {
    const path = (issue.path ?? []).map((p) => String(p.key)).join(".") || "input";
    const value = typeof issue.input === "string" ? issue.input : JSON.stringify(issue.input);
    if (issue.input === undefined)
      return `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
    return `Value '${value}' at '${path}' failed to satisfy constraint: Member ${issue.message}`;
  });
  return `${parts.length} validation error${parts.length > 1 ? "s" : ""} detected: ${parts.join("; ")}`;
}

function toWire(job: EmulatorJob, summary: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    dataDeletionJobArn: job.dataDeletionJobArn,
    datasetGroupArn: job.datasetGroupArn,
    jobName: job.jobName,
    status: job.status,
    creationDateTime: job.createdAt / 1000,
    lastUpdatedDateTime: job.updatedAt / 1000,
  };
  if (!summary) {
    out.dataSource = { dataLocation: job.dataLocation };
    out.roleArn = job.roleArn;
    if (job.numDeleted !== undefined) out.numDeleted = job.numDeleted;
  }
  if (job.failureReason) out.failureReason = job.failureReason;
  return out;
}

/**
 * Creates the emulator: one fetch handler (`Request` -> `Response`) speaking the three Personalize data
 * deletion operations (AWS JSON 1.1) and the S3 calls the workflow needs (path style), checking every
 * SigV4 signature. Thin servers for Node, Bun and Deno wrap it; tests call it in-process.
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const region = options.region ?? "us-east-1";
  const credentials = {
    accessKeyId: options.accessKeyId ?? "test",
    secretAccessKey: options.secretAccessKey ?? "test",
    region,
  };
  const state = new EmulatorState({
    region,
    accountId: options.accountId ?? "000000000000",
    jobSeconds: options.jobSeconds ?? 5,
    pendingLimit: options.pendingLimit ?? 5,
    maxInputBytes: options.maxInputBytes ?? 50 * 1024 * 1024,
  });
  const now = options.now ?? (() => Date.now());
  const datasetGroupArn = state.datasetGroupArn(options.datasetGroupName ?? "emulator-sample");
  state.datasetGroups.set(datasetGroupArn, options.seed ?? sampleInteractions());
  const bucket = options.bucket ?? "emulator-deletions";
  state.buckets.set(bucket, new Map());
  const faults = options.faults ?? {};
  const random = mulberry32(faults.seed ?? 1);
  const tokenSecret = hex(crypto.getRandomValues(new Uint8Array(8)).buffer);

  const changed = () => {
    if (!options.onChange) return;
    const objects = new Map<string, Uint8Array>();
    for (const b of state.buckets.values()) for (const o of b.values()) objects.set(o.sha256, o.body);
    options.onChange(state.snapshot(), objects);
  };
  const advance = () => {
    if (state.advance(now())) changed();
  };

  function encodeToken(afterSeq: number, dsg: string | undefined): string {
    const payload = `${afterSeq}|${dsg ?? ""}`;
    return btoa(`${payload}|${checksum(payload)}`).replace(/=+$/, "");
  }
  function checksum(text: string): string {
    let h = 0x811c9dc5;
    for (const c of `${tokenSecret}${text}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
    return (h >>> 0).toString(36);
  }
  function decodeToken(token: string, dsg: string | undefined): number | undefined {
    let text: string;
    try {
      text = atob(token);
    } catch {
      return undefined;
    }
    const [seq, tokenDsg, sum] = text.split("|");
    if (sum !== checksum(`${seq}|${tokenDsg}`) || (tokenDsg || undefined) !== dsg) return undefined;
    const n = Number(seq);
    return Number.isInteger(n) ? n : undefined;
  }

  function personalize(target: string, input: Record<string, unknown>): Response {
    const operation = target.replace(/^AmazonPersonalize\./, "");
    const schema = INPUT_SCHEMAS[operation];
    if (!target.startsWith("AmazonPersonalize.") || !schema) {
      return jsonError(400, "UnknownOperationException", `Unknown operation ${target}`);
    }
    const parsed = v.safeParse(schema, input, { abortPipeEarly: true });
    if (!parsed.success) return jsonError(400, "InvalidInputException", validationMessage(parsed.issues));
    advance();
    const ok = (body: unknown) =>
      new Response(JSON.stringify(body), {
        headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId() },
      });
    if (operation === "CreateDataDeletionJob") {
      const req = parsed.output as {
        jobName: string;
        datasetGroupArn: string;
        roleArn: string;
        dataSource: { dataLocation?: string };
        tags?: { tagKey: string; tagValue: string }[];
      };
      if (!state.datasetGroups.has(req.datasetGroupArn)) {
        return jsonError(
          400,
          "ResourceNotFoundException",
          `Could not find resource with ARN ${req.datasetGroupArn}`,
        );
      }
      if (!req.dataSource.dataLocation) {
        return jsonError(400, "InvalidInputException", "dataSource.dataLocation is required");
      }
      const arn = state.jobArn(req.jobName);
      if (state.jobs.has(arn)) {
        return jsonError(
          400,
          "ResourceAlreadyExistsException",
          `Data deletion job with name ${req.jobName} already exists`,
        );
      }
      if ((req.tags?.length ?? 0) > 50) {
        return jsonError(400, "TooManyTagsException", "A resource can have at most 50 tags");
      }
      if (state.pendingCount(req.datasetGroupArn) >= state.options.pendingLimit) {
        return jsonError(
          400,
          "LimitExceededException",
          `The maximum number of PENDING data deletion jobs (${state.options.pendingLimit}) for dataset group ${req.datasetGroupArn} has been reached`,
        );
      }
      const at = now();
      state.jobs.set(arn, {
        seq: ++state.seq,
        jobName: req.jobName,
        dataDeletionJobArn: arn,
        datasetGroupArn: req.datasetGroupArn,
        dataLocation: req.dataSource.dataLocation,
        roleArn: req.roleArn,
        tags: req.tags ?? [],
        status: "PENDING",
        createdAt: at,
        updatedAt: at,
      });
      changed();
      if (state.options.jobSeconds === 0) advance();
      return ok({ dataDeletionJobArn: arn });
    }
    if (operation === "DescribeDataDeletionJob") {
      const { dataDeletionJobArn } = parsed.output as { dataDeletionJobArn: string };
      const job = state.jobs.get(dataDeletionJobArn);
      if (!job)
        return jsonError(
          400,
          "ResourceNotFoundException",
          `Could not find resource with ARN ${dataDeletionJobArn}`,
        );
      return ok({ dataDeletionJob: toWire(job, false) });
    }
    const req = parsed.output as { datasetGroupArn?: string; maxResults?: number; nextToken?: string };
    let after = Number.POSITIVE_INFINITY;
    if (req.nextToken !== undefined) {
      const decoded = decodeToken(req.nextToken, req.datasetGroupArn);
      if (decoded === undefined)
        return jsonError(400, "InvalidNextTokenException", "The next token is invalid.");
      after = decoded;
    }
    const max = req.maxResults ?? 100;
    const matching = [...state.jobs.values()]
      .filter((j) => j.seq < after && (!req.datasetGroupArn || j.datasetGroupArn === req.datasetGroupArn))
      .sort((a, b) => b.seq - a.seq);
    const page = matching.slice(0, max);
    const body: Record<string, unknown> = { dataDeletionJobs: page.map((j) => toWire(j, true)) };
    const last = page[page.length - 1];
    if (matching.length > max && last) body.nextToken = encodeToken(last.seq, req.datasetGroupArn);
    return ok(body);
  }

  async function s3(request: Request, url: URL, body: Uint8Array): Promise<Response> {
    const path = url.pathname.slice(1);
    const slash = path.indexOf("/");
    const bucketName = decodeURIComponent(slash === -1 ? path : path.slice(0, slash));
    let key: string;
    try {
      key = slash === -1 ? "" : decodeURIComponent(path.slice(slash + 1));
    } catch {
      return s3Error(400, "InvalidURI", "Couldn't parse the specified URI.", url.pathname);
    }
    const method = request.method;
    if (!bucketName)
      return s3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    const objects = state.buckets.get(bucketName);
    if (key === "") {
      if (method === "PUT") {
        if (objects) {
          return s3Error(
            409,
            "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.",
            bucketName,
          );
        }
        state.buckets.set(bucketName, new Map());
        changed();
        return new Response(null, { status: 200, headers: { location: `/${bucketName}` } });
      }
      if (!objects) return s3Error(404, "NoSuchBucket", "The specified bucket does not exist", bucketName);
      if (method === "HEAD") return new Response(null, { status: 200 });
      if (method === "GET" && url.searchParams.get("list-type") === "2")
        return listObjects(bucketName, objects, url);
      return s3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    }
    if (!objects) return s3Error(404, "NoSuchBucket", "The specified bucket does not exist", bucketName);
    const existing = objects.get(key);
    if (method === "PUT") {
      // As S3 does: a chunked upload without its length is refused, so a client that streams is caught here.
      if (!request.headers.has("content-length"))
        return s3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
      if (body.length > MAX_OBJECT_BODY)
        return s3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
      if (request.headers.get("if-none-match") === "*" && existing) {
        return s3Error(
          412,
          "PreconditionFailed",
          "At least one of the pre-conditions you specified did not hold",
          key,
        );
      }
      // A payload hash in the signature was checked against the body already; no need to hash it twice.
      const claimed = request.headers.get("x-amz-content-sha256") ?? "";
      const sha256 = /^[0-9a-f]{64}$/.test(claimed) ? claimed : await sha256Hex(body);
      const meta: Record<string, string> = {};
      for (const [name, value] of request.headers) if (name.startsWith("x-amz-meta-")) meta[name] = value;
      objects.set(key, {
        body,
        sha256,
        contentType: request.headers.get("content-type") ?? "application/octet-stream",
        meta,
        lastModified: now(),
      });
      changed();
      return new Response(null, { status: 200, headers: { etag: `"${sha256.slice(0, 32)}"` } });
    }
    if (method === "DELETE") {
      if (objects.delete(key)) changed();
      return new Response(null, { status: 204 });
    }
    if (method === "GET" || method === "HEAD") {
      if (!existing) {
        return method === "HEAD"
          ? new Response(null, { status: 404 })
          : s3Error(404, "NoSuchKey", "The specified key does not exist.", key);
      }
      const headers = new Headers({
        "content-type": existing.contentType,
        "content-length": String(existing.body.length),
        etag: `"${existing.sha256.slice(0, 32)}"`,
        "last-modified": new Date(existing.lastModified).toUTCString(),
      });
      for (const [name, value] of Object.entries(existing.meta)) headers.set(name, value);
      return new Response(method === "HEAD" ? null : (existing.body as Uint8Array<ArrayBuffer>), {
        status: 200,
        headers,
      });
    }
    return s3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  }

  function listObjects(bucketName: string, objects: Map<string, StoredObject>, url: URL): Response {
    const prefix = url.searchParams.get("prefix") ?? "";
    const max = Math.min(1000, Number(url.searchParams.get("max-keys") ?? 1000) || 1000);
    const start = url.searchParams.get("continuation-token") ?? url.searchParams.get("start-after") ?? "";
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > start).sort();
    const page = keys.slice(0, max);
    const truncated = keys.length > max;
    const contents = page
      .map((k) => {
        const o = objects.get(k) as StoredObject;
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified><ETag>"${o.sha256.slice(0, 32)}"</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join("");
    const next = truncated
      ? `<NextContinuationToken>${xmlEscape(page[page.length - 1] as string)}</NextContinuationToken>`
      : "";
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucketName)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`;
    return new Response(xml, { headers: { "content-type": "application/xml" } });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/_emulator/")) {
      advance();
      if (url.pathname === "/_emulator/health") return Response.json({ ok: true });
      if (url.pathname === "/_emulator/users" && request.method === "GET") {
        const arn = url.searchParams.get("datasetGroupArn") ?? "";
        const users = state.users(arn);
        if (!users) return Response.json({ message: `no dataset group ${arn}` }, { status: 404 });
        return Response.json({ users });
      }
      return Response.json({ message: "not found" }, { status: 404 });
    }
    const target = request.headers.get("x-amz-target");
    const isPersonalize = target !== null;
    const declared = Number(request.headers.get("content-length") ?? 0);
    const cap = isPersonalize ? MAX_JSON_BODY : MAX_OBJECT_BODY;
    if (declared > cap) {
      return isPersonalize
        ? jsonError(
            413,
            "SerializationException",
            `Request body of ${declared} bytes is over the ${cap} byte limit`,
          )
        : s3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
    }
    const body = new Uint8Array(await request.arrayBuffer());
    if (body.length > cap) {
      return isPersonalize
        ? jsonError(413, "SerializationException", "Request body is too large")
        : s3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
    }
    const problem = await checkSignature(request, body, credentials, now());
    if (problem) {
      if (isPersonalize) {
        const type =
          problem.kind === "missing"
            ? "MissingAuthenticationTokenException"
            : problem.kind === "unknown-key"
              ? "UnrecognizedClientException"
              : "InvalidSignatureException";
        return jsonError(403, type, problem.message);
      }
      const code =
        problem.kind === "unknown-key"
          ? "InvalidAccessKeyId"
          : problem.kind === "payload-hash"
            ? "XAmzContentSHA256Mismatch"
            : problem.kind === "missing"
              ? "AccessDenied"
              : "SignatureDoesNotMatch";
      return s3Error(problem.kind === "payload-hash" ? 400 : 403, code, problem.message);
    }
    if (!isPersonalize) return s3(request, url, body);
    if (request.method !== "POST")
      return jsonError(400, "UnknownOperationException", "Personalize operations use POST /");
    const contentType = request.headers.get("content-type") ?? "";
    if (
      !contentType.startsWith("application/x-amz-json-1.1") &&
      !contentType.startsWith("application/json")
    ) {
      return jsonError(400, "SerializationException", `Unsupported content type ${contentType || "(none)"}`);
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(new TextDecoder().decode(body));
    } catch {
      return jsonError(400, "SerializationException", "The request body is not valid JSON");
    }
    if (!input || typeof input !== "object" || Array.isArray(input)) {
      return jsonError(400, "SerializationException", "The request body must be a JSON object");
    }
    return personalize(target, input as Record<string, unknown>);
  }

  return {
    state,
    datasetGroupArn,
    bucket,
    restore(snapshot, bodyOf) {
      state.restore(snapshot, bodyOf);
    },
    async fetch(request: Request): Promise<Response> {
      if (faults.latencyMs) await new Promise((r) => setTimeout(r, faults.latencyMs));
      if (!new URL(request.url).pathname.startsWith("/_emulator/")) {
        const fault = pickFault(faults, random());
        const personalizeRequest = request.headers.has("x-amz-target");
        if (fault === "reset") throw new ConnectionDropped(false);
        if (fault === "fail") {
          return personalizeRequest
            ? jsonError(
                500,
                "InternalFailure",
                "The request processing has failed because of an unknown error.",
              )
            : s3Error(500, "InternalError", "We encountered an internal error. Please try again.");
        }
        if (fault === "throttle") {
          return personalizeRequest
            ? jsonError(400, "ThrottlingException", "Rate exceeded")
            : s3Error(503, "SlowDown", "Please reduce your request rate.");
        }
        if (fault === "drop") {
          await handle(request);
          throw new ConnectionDropped(true);
        }
      }
      return handle(request);
    },
  };
}

/** Wraps an emulator as a `fetch` (in-process tests, Workers): a dropped connection becomes a network error. */
export function emulatorFetch(
  emulator: Emulator,
): (input: string | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    try {
      return await emulator.fetch(new Request(input, init));
    } catch (error) {
      if (error instanceof ConnectionDropped) throw new TypeError(`fetch failed: ${error.message}`);
      throw error;
    }
  };
}
