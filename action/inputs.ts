// Reads and checks the action's inputs before anything is uploaded. Pure: the caller passes getInput and
// the environment, so tests can drive it without a runner.

import { IF_BUSY_CHOICES, type IfBusy, TRAINING_MODES } from "../src/erasure/index.ts";
import {
  DEFAULT_MAX_FILE_BYTES,
  type FieldNames,
  fitName,
  type ListDigest,
  nameForList,
  parseTags,
  RULES_IN_WORDS,
  type Tag,
  ValidationError,
  type ValidationIssue,
} from "../src/index.ts";

/** A bad input: which one, the rule it broke, what was received. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly rule: string,
    received?: string,
    /** `received` as the core already rendered it (quoted, shortened), rather than raw text. */
    rendered = false,
  ) {
    const shown =
      received === undefined || rendered
        ? received
        : JSON.stringify(received.length > 80 ? `${received.slice(0, 77)}...` : received);
    super(`input ${input}: ${rule}${shown === undefined ? "" : `, received ${shown}`}`);
    this.name = "InputError";
  }

  /** The core's account of a bad field, told as this input's. */
  static fromIssue(input: string, issue: ValidationIssue): InputError {
    return new InputError(input, issue.rule, issue.received, true);
  }
}

export type UserSource =
  | { kind: "file"; pattern: string }
  | { kind: "inline"; ids: string[] }
  | { kind: "location"; dataLocation: string };

export interface ActionInputs {
  users: UserSource;
  s3Uri: string | undefined;
  datasetGroupArn: string;
  roleArn: string;
  /** As given; else derived from the list once it is prepared (see {@link defaultJobName}). */
  jobName: string | undefined;
  tags: Tag[] | undefined;
  trimIds: boolean;
  wait: boolean;
  waitTimeoutMinutes: number;
  pollIntervalSeconds: number;
  failOnJobFailure: boolean;
  keepUploadedFile: boolean;
  ifBusy: IfBusy;
  repeatOnInterference: boolean;
  retrain: boolean;
  trainingMode: "FULL" | "UPDATE";
  updateCampaigns: boolean;
  maxFileBytes: number;
  region: string;
  endpointUrl: string | undefined;
  s3EndpointUrl: string | undefined;
  /** The stage past Personalize's edge: scan, scrub, more locations, the suppression list and its key. */
  outside: {
    scan: boolean;
    scrub: boolean;
    locations: string[];
    suppression: string | undefined;
    suppressionKey: string | undefined;
  };
}

/** The environment variable the suppression list's key comes from (a secret: never an input). */
export const SUPPRESSION_KEY_ENV = "ERASURE_SUPPRESSION_KEY";

/**
 * The library's fields by the action's input names, for its errors: `input role-arn: must be an IAM role
 * ARN ...`. The data location is the `s3-uri` input when the action uploads, `data-location` when not.
 */
export function fieldNames(inputs: Pick<ActionInputs, "users">): FieldNames {
  const input = (name: string, pattern?: string) => ({
    name: `input ${name}`,
    ...(pattern ? { pattern } : {}),
  });
  return {
    datasetGroupArn: input("dataset-group-arn"),
    roleArn: input("role-arn", RULES_IN_WORDS.RoleArn),
    jobName: input("job-name", RULES_IN_WORDS.Name),
    trimIds: input("trim-ids"),
    s3Uri: input("s3-uri"),
    "dataSource.dataLocation": input(inputs.users.kind === "location" ? "data-location" : "s3-uri"),
    tags: input("tags"),
    ifBusy: input("if-busy"),
    "retrain.trainingMode": input("training-mode"),
    maxFileBytes: input("max-file-mb"),
    region: input("aws-region"),
    endpoint: input("endpoint-url"),
    s3Endpoint: input("s3-endpoint-url"),
    locations: input("locations"),
    suppression: input("suppression"),
    suppressionKey: { name: `the ${SUPPRESSION_KEY_ENV} environment variable` },
  };
}

// scan, scrub, locations and suppression: what the erasure does past Personalize's edge.
function readOutside(
  get: (name: string) => string,
  env: Record<string, string | undefined>,
  wait: boolean,
): ActionInputs["outside"] {
  const scan = parseBoolean(get, "scan", false);
  const scrub = parseBoolean(get, "scrub", false);
  const suppression = get("suppression").trim() || undefined;
  for (const [name, on] of [
    ["scan", scan],
    ["scrub", scrub],
    ["suppression", suppression !== undefined],
  ] as const) {
    if (on && !wait) {
      throw new InputError(name, "needs wait: true: it runs once the deletion job COMPLETED");
    }
  }
  const suppressionKey = env[SUPPRESSION_KEY_ENV] || undefined;
  if (suppression !== undefined && suppressionKey === undefined) {
    throw new InputError(
      "suppression",
      `needs the ${SUPPRESSION_KEY_ENV} environment variable (the list's key, at least 32 bytes, from a secret: env: ${SUPPRESSION_KEY_ENV}: \${{ secrets.${SUPPRESSION_KEY_ENV} }})`,
    );
  }
  // One per line: an S3 key may hold a comma.
  const locations = get("locations")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return { scan, scrub, locations, suppression, suppressionKey };
}

/** The longest wait a job step allows (a step may run 6 hours; leave room for the rest of it). */
export const MAX_WAIT_MINUTES = 355;

export interface RunContext {
  repository: string | undefined;
  runId: number | undefined;
  runAttempt: number | undefined;
}

/**
 * The default job name. For a list the action prepares: `owner-repo-<16 hex digits of the list's SHA-256>`
 * (the library's `nameForList`), so re-running the step with the same list carries that erasure on, and a
 * list that gained an id (a new file under the glob) gets a job of its own. For a `data-location` (no list
 * to hash): `owner-repo-RUNID`, the same for every attempt of a run.
 */
export function defaultJobName(context: RunContext, list?: ListDigest): string {
  const repository = context.repository ?? "local";
  if (list) return nameForList(repository, list);
  return fitName(repository, `-${context.runId ?? Math.floor(Date.now() / 1000)}`, "run");
}

/** A true/false input as @actions/core's getBooleanInput reads it (YAML 1.2 core schema). */
export function parseBoolean(get: (name: string) => string, name: string, fallback: boolean): boolean {
  const raw = get(name).trim();
  if (raw === "") return fallback;
  // YAML 1.2 core schema, as @actions/core's getBooleanInput.
  if (["true", "True", "TRUE"].includes(raw)) return true;
  if (["false", "False", "FALSE"].includes(raw)) return false;
  throw new InputError(name, "must be true or false (YAML 1.2)", raw);
}

function parseNumber(get: (name: string) => string, name: string, fallback: number, min: number): number {
  const raw = get(name).trim();
  if (raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new InputError(name, `must be a number of at least ${min}`, raw);
  return n;
}

function choice<T extends string>(
  get: (name: string) => string,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = get(name).trim();
  if (raw === "") return fallback;
  if (!allowed.includes(raw as T)) throw new InputError(name, `must be one of ${allowed.join(", ")}`, raw);
  return raw as T;
}

// The core's parser, its ValidationError told in the action's terms: the input's name.
function parseInputTags(raw: string): Tag[] | undefined {
  try {
    return parseTags(raw, "tags");
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw InputError.fromIssue("tags", error.issues[0] as ValidationIssue);
  }
}

/** Reads every input, applying the defaults action.yml declares (so the bundle also runs without a runner). */
export function readInputs(
  get: (name: string) => string,
  env: Record<string, string | undefined>,
  context: RunContext,
  warn: (message: string) => void,
): ActionInputs {
  const file = get("user-ids-file").trim();
  const inline = get("user-ids");
  const location = get("data-location").trim();
  const given = [file && "user-ids-file", inline.trim() && "user-ids", location && "data-location"].filter(
    Boolean,
  );
  if (given.length !== 1) {
    throw new InputError(
      given.length === 0 ? "user-ids-file" : (given[1] as string),
      `give exactly one of user-ids-file, user-ids or data-location (got ${given.length === 0 ? "none" : given.join(" and ")})`,
    );
  }
  const users: UserSource = file
    ? { kind: "file", pattern: file }
    : location
      ? { kind: "location", dataLocation: location }
      : { kind: "inline", ids: inline.split(/\r?\n|,/) };
  const s3Uri = get("s3-uri").trim() || undefined;
  if (users.kind !== "location" && !s3Uri)
    throw new InputError(
      "s3-uri",
      "is required to upload the ids (s3://bucket/prefix/ or s3://bucket/key.csv)",
    );
  const datasetGroupArn = get("dataset-group-arn").trim();
  if (!datasetGroupArn) throw new InputError("dataset-group-arn", "is required");
  const roleArn = get("role-arn").trim();
  if (!roleArn)
    throw new InputError("role-arn", "is required (the Personalize service role that reads the bucket)");
  let waitTimeoutMinutes = parseNumber(get, "wait-timeout-minutes", 340, 0.01);
  if (waitTimeoutMinutes > MAX_WAIT_MINUTES) {
    warn(
      `wait-timeout-minutes ${waitTimeoutMinutes} is capped at ${MAX_WAIT_MINUTES}: a job step may run 6 hours at most`,
    );
    waitTimeoutMinutes = MAX_WAIT_MINUTES;
  }
  // As the CLI: the retrain starts once the deletion job COMPLETED, which only a waiting run sees.
  if (parseBoolean(get, "retrain", false) && !parseBoolean(get, "wait", false)) {
    throw new InputError(
      "retrain",
      "needs wait: true: the retrain starts once the deletion job COMPLETED",
      "true",
    );
  }
  const region = get("aws-region").trim() || env.AWS_REGION || env.AWS_DEFAULT_REGION || "";
  if (!region)
    throw new InputError(
      "aws-region",
      "is required when AWS_REGION is not set (aws-actions/configure-aws-credentials sets it)",
    );
  return {
    users,
    s3Uri,
    datasetGroupArn,
    roleArn,
    jobName: get("job-name").trim() || (users.kind === "location" ? defaultJobName(context) : undefined),
    tags: parseInputTags(get("tags")),
    trimIds: parseBoolean(get, "trim-ids", false),
    wait: parseBoolean(get, "wait", false),
    waitTimeoutMinutes,
    pollIntervalSeconds: parseNumber(get, "poll-interval-seconds", 60, 1),
    failOnJobFailure: parseBoolean(get, "fail-on-job-failure", true),
    keepUploadedFile: parseBoolean(get, "keep-uploaded-file", false),
    ifBusy: choice(get, "if-busy", IF_BUSY_CHOICES, "wait"),
    repeatOnInterference: parseBoolean(get, "repeat-on-interference", true),
    retrain: parseBoolean(get, "retrain", false),
    trainingMode: choice(get, "training-mode", TRAINING_MODES, "FULL"),
    updateCampaigns: parseBoolean(get, "update-campaigns", true),
    // MB of 1,000,000 bytes, as the guide's cap is written; unset, the library's default (under that cap).
    maxFileBytes: Math.round(
      parseNumber(get, "max-file-mb", DEFAULT_MAX_FILE_BYTES / 1_000_000, 0.001) * 1_000_000,
    ),
    region,
    endpointUrl: get("endpoint-url").trim() || undefined,
    s3EndpointUrl: get("s3-endpoint-url").trim() || undefined,
    outside: readOutside(get, env, parseBoolean(get, "wait", false)),
  };
}
