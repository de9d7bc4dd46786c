import { EMULATOR_DEFAULTS } from "./defaults.ts";
import { type ExternalS3Options, externalS3 } from "./external-s3.ts";
import { type FaultOptions, faultRoller } from "./faults.ts";
import type { ServiceHooks } from "./hooks.ts";
import { modelsView } from "./personalize/models-view.ts";
import { seedDatasetGroup } from "./personalize/seed.ts";
import { seedOutsideData } from "./personalize/seed-outside.ts";
import { personalizeService } from "./personalize-service.ts";
import { entityTooLarge, MAX_OBJECT_BODY, uploadSizeProblem } from "./s3/size.ts";
import { s3Service } from "./s3-service.ts";
import { checkSignature, isPresigned, type SignatureProblem } from "./sigv4-check.ts";
import { EmulatorState, type Snapshot } from "./state.ts";
import type { InteractionRow, StateOptions } from "./state-types.ts";
import { jsonError, s3Error } from "./wire.ts";

export type { FaultOptions } from "./faults.ts";

/** Options of {@link createEmulator}. */
export interface EmulatorOptions extends Partial<StateOptions> {
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Interaction rows of the seeded dataset group (default: a built-in sample of 50 users). */
  seed?: InteractionRow[];
  /** Name of the seeded dataset group (default `emulator-sample`). */
  datasetGroupName?: string;
  /** More dataset groups, each seeded like the first (its own dataset, solution, campaign and batch job). */
  moreDatasetGroups?: { name: string; seed?: InteractionRow[] }[];
  /** Also seed a second campaign that follows the latest solution version by itself. */
  followingCampaign?: boolean;
  /** Also seed the sample's data outside Personalize, in the bucket `emulator-data` (seed-outside.ts). */
  outsideData?: boolean;
  /** A bucket created at start (default `emulator-deletions`). */
  bucket?: string;
  faults?: FaultOptions;
  /** Time source (tests). */
  now?: () => number;
  /**
   * Another S3-compatible server to read deletion files from, instead of the emulator's own S3 (which still
   * serves clients).
   */
  externalS3?: ExternalS3Options;
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
  /**
   * The most body bytes this request may carry, by its service (from its headers alone): a server reads no
   * further, and refuses a larger `Content-Length` before reading any.
   */
  bodyLimit(request: Request): number;
  /** The answer to a body over {@link Emulator.bodyLimit} (`bytes` when `Content-Length` said so). */
  tooLarge(request: Request, bytes?: number): Response;
}

/**
 * The largest Personalize request body the emulator reads. Personalize documents no request size limit;
 * 10 MiB is far above any request its model allows (200 tags of 128 + 256 characters is under 400 KB).
 */
export const MAX_JSON_BODY = 10 * 1024 * 1024;

function bodyLimit(request: Request): number {
  return request.headers.has("x-amz-target") ? MAX_JSON_BODY : MAX_OBJECT_BODY;
}

// The body, read chunk by chunk up to `limit` bytes; `undefined` once it passes it (the rest is not read).
async function readCapped(request: Request, limit: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return body;
}

// S3's refusal is the one it makes of an upload over its limit, the same before the body is read as after.
function tooLarge(request: Request, bytes?: number): Response {
  if (!request.headers.has("x-amz-target")) return uploadSizeProblem(request) ?? entityTooLarge(bytes);
  return jsonError(
    413,
    "SerializationException",
    bytes === undefined
      ? `Request body is over the ${MAX_JSON_BODY} byte limit`
      : `Request body of ${bytes} bytes is over the ${MAX_JSON_BODY} byte limit`,
  );
}

// The answer to a bad signature, in each service's own codes and statuses.
function signatureError(isPersonalize: boolean, problem: SignatureProblem, presigned: boolean): Response {
  const { kind, message } = problem;
  if (isPersonalize) {
    const type =
      kind === "missing"
        ? "MissingAuthenticationTokenException"
        : kind === "unknown-key"
          ? "UnrecognizedClientException"
          : "InvalidSignatureException";
    return jsonError(403, type, message);
  }
  const [status, code]: readonly [number, string] = (
    {
      "unknown-key": [403, "InvalidAccessKeyId"],
      "payload-hash": [400, "XAmzContentSHA256Mismatch"],
      missing: [403, "AccessDenied"],
      region: [400, presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed"],
      service: [400, presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed"],
      "no-payload-hash": [400, "InvalidRequest"],
      "bad-payload-hash": [400, "InvalidArgument"],
      expired: presigned ? [403, "AccessDenied"] : [403, "RequestTimeTooSkewed"],
      query: [400, "AuthorizationQueryParametersError"],
      mismatch: [403, "SignatureDoesNotMatch"],
    } as const satisfies Record<SignatureProblem["kind"], readonly [number, string]>
  )[kind];
  return s3Error(status, code, message);
}

/** A Personalize request's JSON object body, or the error answer for one that is not. */
function jsonBody(request: Request, body: Uint8Array): Record<string, unknown> | Response {
  if (request.method !== "POST")
    return jsonError(400, "UnknownOperationException", "Personalize operations use POST /");
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.startsWith("application/x-amz-json-1.1") && !contentType.startsWith("application/json")) {
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
  return input as Record<string, unknown>;
}

/**
 * Creates the emulator: one fetch handler (`Request` -> `Response`) that routes each request to the
 * Personalize service (AWS JSON 1.1, by its X-Amz-Target) or the S3 service (path style) after the checks
 * they share: debug routes, body size caps, the SigV4 signature and injected faults. Thin servers for Node,
 * Bun and Deno wrap it; tests call it in-process.
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const defaults = EMULATOR_DEFAULTS;
  const region = options.region ?? defaults.region;
  const credentials = {
    accessKeyId: options.accessKeyId ?? defaults.accessKeyId,
    secretAccessKey: options.secretAccessKey ?? defaults.secretAccessKey,
    region,
  };
  const state = new EmulatorState({
    region,
    accountId: options.accountId ?? defaults.accountId,
    jobSeconds: options.jobSeconds ?? defaults.jobSeconds,
    pendingLimit: options.pendingLimit ?? defaults.pendingLimit,
    maxInputBytes: options.maxInputBytes ?? defaults.maxInputBytes,
    trainingSeconds: options.trainingSeconds ?? defaults.trainingSeconds,
    campaignSeconds: options.campaignSeconds ?? defaults.campaignSeconds,
  });
  const now = options.now ?? (() => Date.now());
  const datasetGroupName = options.datasetGroupName ?? defaults.datasetGroupName;
  const datasetGroupArn = seedDatasetGroup(
    state,
    datasetGroupName,
    options.seed,
    now(),
    options.followingCampaign,
  );
  for (const more of options.moreDatasetGroups ?? [])
    seedDatasetGroup(state, more.name, more.seed, now(), options.followingCampaign);
  const bucket = options.bucket ?? defaults.bucket;
  state.buckets.set(bucket, new Map());
  state.bucketCreated.set(bucket, now());
  if (options.outsideData)
    for (const name of [datasetGroupName, ...(options.moreDatasetGroups ?? []).map((g) => g.name)])
      seedOutsideData(state, name, now());
  if (options.externalS3) state.source = externalS3(options.externalS3);
  const faults = options.faults ?? {};
  const rollFault = faultRoller(faults);

  const hooks: ServiceHooks = {
    now,
    changed() {
      if (!options.onChange) return;
      options.onChange(state.snapshot(), state.blobs());
    },
    async advance() {
      if (await state.advance(now())) hooks.changed();
    },
  };
  const personalize = personalizeService(state, hooks);
  const s3 = s3Service(state, hooks, credentials.secretAccessKey);

  async function debugRoute(request: Request, url: URL): Promise<Response> {
    await hooks.advance();
    if (url.pathname === "/_emulator/health") return Response.json({ ok: true });
    if (url.pathname === "/_emulator/users" && request.method === "GET") {
      const arn = url.searchParams.get("datasetGroupArn") ?? "";
      const users = state.users(arn);
      if (!users) return Response.json({ message: `no dataset group ${arn}` }, { status: 404 });
      return Response.json({ users });
    }
    if (url.pathname === "/_emulator/models" && request.method === "GET") {
      const arn = url.searchParams.get("datasetGroupArn") ?? "";
      if (!state.datasetGroups.has(arn))
        return Response.json({ message: `no dataset group ${arn}` }, { status: 404 });
      return Response.json(modelsView(state.world, arn));
    }
    return Response.json({ message: "not found" }, { status: 404 });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/_emulator/")) return debugRoute(request, url);
    const target = request.headers.get("x-amz-target");
    const isPersonalize = target !== null;
    const declared = Number(request.headers.get("content-length") ?? 0);
    const cap = bodyLimit(request);
    if (declared > cap) return tooLarge(request, declared);
    const body = await readCapped(request, cap);
    if (!body) return tooLarge(request);
    const service = isPersonalize ? "personalize" : "s3";
    const problem = await checkSignature(request, body, { ...credentials, service }, now());
    if (problem) return signatureError(isPersonalize, problem, isPresigned(url));
    if (!isPersonalize) {
      // What was due before this request happens first: a job that ended before a file was deleted read it.
      await hooks.advance();
      return s3(request, url, body);
    }
    const input = jsonBody(request, body);
    return input instanceof Response ? input : personalize(target, input);
  }

  // An injected fault, or undefined to handle the request as usual.
  async function fault(request: Request): Promise<Response | undefined> {
    const kind = rollFault();
    const isPersonalize = request.headers.has("x-amz-target");
    if (kind === "reset") throw new ConnectionDropped(false);
    if (kind === "fail") {
      return isPersonalize
        ? jsonError(500, "InternalFailure", "The request processing has failed because of an unknown error.")
        : s3Error(500, "InternalError", "We encountered an internal error. Please try again.");
    }
    if (kind === "throttle") {
      return isPersonalize
        ? jsonError(400, "ThrottlingException", "Rate exceeded")
        : s3Error(503, "SlowDown", "Please reduce your request rate.");
    }
    if (kind === "drop") {
      await handle(request);
      throw new ConnectionDropped(true);
    }
    return undefined;
  }

  return {
    state,
    datasetGroupArn,
    bucket,
    restore(snapshot, bodyOf) {
      state.restore(snapshot, bodyOf);
    },
    bodyLimit,
    tooLarge,
    async fetch(request: Request): Promise<Response> {
      if (faults.latencyMs) await new Promise((r) => setTimeout(r, faults.latencyMs));
      if (!new URL(request.url).pathname.startsWith("/_emulator/")) {
        const faulty = await fault(request);
        if (faulty) return faulty;
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
