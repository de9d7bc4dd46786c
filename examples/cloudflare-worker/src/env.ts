// The Worker's bindings, as wrangler.toml declares them: what `wrangler types` generates from it (vars as
// strings), written by hand because wrangler is not a dependency of this repository.
// test/examples/cloudflare-worker-env.test.ts holds the two together, member for binding.
import type { D1Database, Queue, R2Bucket, Workflow } from "./runtime.ts";

/** What the intake queues: the id travels only here and into its window's file. */
export interface ErasureMessage {
  requestId: string;
  datasetGroup: string;
  userId: string;
}

/** What a settled window queues for each request it owes a report: the request, by which all else is read. */
export interface CallbackMessage {
  requestId: string;
}

/** What the cron gives each window's workflow: its window, by which every step re-reads the ledger. */
export interface WindowParams {
  windowId: string;
}

/** The bindings of wrangler.toml, and the optional vars a deployment may add. */
export interface Env {
  // [[queues.producers]], [[d1_databases]], [[r2_buckets]], [[workflows]]
  ERASURE_QUEUE: Queue<ErasureMessage>;
  /** The reports owed to the protocols' callers, sent and retried with backoff by this Worker (src/callbacks.ts). */
  CALLBACK_QUEUE: Queue<CallbackMessage>;
  LEDGER: D1Database;
  RECEIPTS: R2Bucket;
  /** Each closed window's erasure, one instance per window (src/window-workflow.ts). */
  WINDOW_WORKFLOW: Workflow<WindowParams>;

  // [vars]
  AWS_REGION: string;
  /** `name=ARN` pairs, separated by commas: the dataset groups a request may name. */
  DATASET_GROUPS: string;
  ROLE_ARN: string;
  /** An S3 (or R2 through its S3 API) prefix: each window is a folder under it. */
  S3_URI: string;
  /** Days from receipt to the legal deadline (30 when removed: GDPR's month). */
  DEADLINE_DAYS: string;
  RETRY_DELAY_SECONDS: string;
  /** "true": retrain and move campaigns after each window's deletion. */
  RETRAIN: string;
  /** "true": count the window's users in the S3 data around Personalize once its jobs COMPLETED. */
  SCAN: string;
  /** "true" (implies SCAN): also rewrite that data without them and delete the older versions that held them. */
  SCRUB: string;
  /** Submit a window once no batch came for this long (300 when removed). */
  WINDOW_IDLE_SECONDS: string;
  /** Submit a window once it has been open this long, even while batches keep coming (3600 when removed). */
  WINDOW_MAX_SECONDS: string;

  // [secrets] required (`wrangler secret put`): deploy refuses without them, and the Worker refuses to start
  // unless INTAKE_TOKEN and LEDGER_KEY are at least 32 bytes each (config.ts, configProblem).
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  /** The intake's bearer secret. */
  INTAKE_TOKEN: string;
  /** The HMAC key of the user-id hashes kept in the ledger. */
  LEDGER_KEY: string;

  // Optional vars, not in wrangler.toml (named in its closing comment): an emulator or private endpoints,
  // a smaller window, another dead-letter queue name, the outside stage's extra locations and suppression list.
  AWS_ENDPOINT_URL?: string;
  AWS_ENDPOINT_URL_S3?: string;
  /** A window's size cap in bytes (default 49,000,000: under a job's 50 MB). */
  MAX_WINDOW_BYTES?: string;
  /** The name of the intake queue's dead-letter queue (default `erasure-requests-dlq`). */
  DEAD_LETTER_QUEUE?: string;
  /** More `s3://` objects or folders to scan or scrub besides AWS's records, separated by commas. */
  OUTSIDE_LOCATIONS?: string;
  /** An `s3://bucket/prefix/` each window appends its users to, as keyed hashes (never the ids). */
  SUPPRESSION?: string;
  /** A window's workflow first looks at AWS this long after its job is made (default 60)... */
  LOOK_FIRST_SECONDS?: string;
  /** ...then sleeps twice as long between looks, up to this (default 3600). */
  LOOK_MAX_SECONDS?: string;
  /** A failed callback is tried again this long after (default 60), doubling each time up to six hours. */
  CALLBACK_RETRY_SECONDS?: string;

  // The protocol adapters (docs/drp.md, docs/opengdpr.md, docs/transcend.md), each off until its first var is
  // set. DRP: no secret (agents' keys are public; the tokens it issues are stored as SHA-256 only).
  DRP_BUSINESS_ID?: string;
  DRP_AGENTS?: string;
  DRP_USER_ID_CLAIM?: string;
  DRP_REQUIRE_VERIFIED?: string;
  DRP_DATASET_GROUP?: string;
  DRP_MAX_VALIDITY_SECONDS?: string;
  DRP_CLOCK_SKEW_SECONDS?: string;
  DRP_RECORD_DAYS?: string;
  DRP_ACCEPT_AS_FULFILLED?: string;
  DRP_BASE_PATH?: string;
  // OpenGDPR: OPENGDPR_PRIVATE_KEY and OPENGDPR_CONTROLLERS are secrets.
  OPENGDPR_DOMAIN?: string;
  OPENGDPR_CERTIFICATE?: string;
  OPENGDPR_PRIVATE_KEY?: string;
  OPENGDPR_CONTROLLERS?: string;
  OPENGDPR_IDENTITY?: string;
  OPENGDPR_BASE_PATH?: string;
  OPENGDPR_DATASET_GROUP?: string;
  OPENGDPR_RECEIPTS_URL?: string;
  OPENGDPR_ACCEPT_AS_COMPLETED?: string;
  // Transcend: TRANSCEND_API_KEY and TRANSCEND_SOMBRA_API_KEY are secrets.
  TRANSCEND_AUDIENCE?: string;
  TRANSCEND_PUBLIC_KEY?: string;
  TRANSCEND_IDENTIFIER?: string;
  TRANSCEND_SOMBRA_URL?: string;
  TRANSCEND_API_KEY?: string;
  TRANSCEND_SOMBRA_API_KEY?: string;
  TRANSCEND_PATH?: string;
  TRANSCEND_DATASET_GROUP?: string;
  TRANSCEND_ACCEPT_AS_COMPLETED?: string;
  /** The suppression list's HMAC key, a secret (`wrangler secret put`): at least 32 bytes when SUPPRESSION is set. */
  SUPPRESSION_KEY?: string;
}
