// One location in S3, scanned (and with `scrub`, cleaned) against the erased users: every version of every
// object it names is read once through its format's row reader. A scrub rewrites the current version only
// while it is still the one read (If-Match), starting over from the new one when someone wrote meanwhile,
// then deletes by id each version that held erased users. Reports carry keys, counts and version ids only.
import { deleteObject, parseS3Uri, type S3Target } from "../aws/s3.ts";
import { AbortError } from "../errors.ts";
import { expandLocation, type ListedVersion } from "./expand.ts";
import {
  type Context,
  type Count,
  open,
  RewriteError,
  type ScrubOutcome,
  scan,
  scrubOnce,
} from "./object-pass.ts";
import { unreadableReason } from "./read-object.ts";
import type { LocationReport, ObjectReport, OutsideLocation, UserMatcher } from "./types.ts";
import { checkPartBytes, DEFAULT_PART_BYTES } from "./write-back.ts";

/** Options of {@link inspectLocation}. */
export interface InspectOptions {
  /** Rewrite each object holding erased users without them, then delete noncurrent versions that held them. */
  scrub?: boolean;
  signal?: AbortSignal;
  /** Multipart part size for a scrub's write-back; an output at most this size goes in one PUT. Default 8 MiB. */
  partBytes?: number;
  maxRowBytes?: number;
  /** Called after each object version is read (and scrubbed), for progress. */
  onObject?: (report: ObjectReport) => void;
}

/** Tries of a scrub whose write found the object changed since it was read. */
const WRITE_TRIES = 3;

/**
 * Scans every object version `location` names (an S3 key, folder or prefix) for the erased `users`, and
 * with `scrub` removes them: see {@link InspectOptions}. A version that cannot be read is reported
 * `unreadable` with why; a listing that fails makes the whole location `unreadable` with its `reason`.
 */
export async function inspectLocation(
  s3: S3Target,
  location: OutsideLocation,
  users: UserMatcher,
  options: InspectOptions = {},
): Promise<LocationReport> {
  const partBytes = checkPartBytes(options.partBytes ?? DEFAULT_PART_BYTES);
  const objects: ObjectReport[] = [];
  const done = (state: LocationReport["state"], reason?: string): LocationReport => ({
    ...location,
    state,
    ...(reason ? { reason } : {}),
    objects,
  });
  let bucket: string;
  let key: string;
  try {
    ({ bucket, key } = parseS3Uri(location.location, "location"));
  } catch (error) {
    return done("unreadable", `not an S3 location: ${(error as Error).message}`);
  }
  let listed: Awaited<ReturnType<typeof expandLocation>>;
  try {
    listed = await expandLocation(s3, bucket, key, options.signal);
  } catch (error) {
    if (error instanceof AbortError) throw error;
    return done("unreadable", `listing its objects failed: ${listingReason(error)}`);
  }
  const context: Context = {
    s3,
    bucket,
    users,
    format: location.format,
    scrub: options.scrub === true,
    partBytes,
    rowOptions: options.maxRowBytes === undefined ? {} : { maxRowBytes: options.maxRowBytes },
    signal: options.signal,
    report: (report) => {
      objects.push(report);
      options.onObject?.(report);
    },
  };
  for (const object of listed) {
    // An import reads a folder's .csv files only, and an export writes only those: a manifest or a
    // checksum beside them is not the users' data, and reading it as CSV would call it unreadable.
    if (CSV_ONLY.has(location.kind) && key.endsWith("/") && !object.key.toLowerCase().endsWith(".csv"))
      continue;
    for (const version of object.versions) {
      if (options.signal?.aborted) throw new AbortError(options.signal.reason);
      if (version.noncurrent) await noncurrent(context, version);
      else await current(context, version);
    }
  }
  if (objects.some((o) => o.state === "unreadable")) return done("unreadable");
  if (objects.some((o) => o.state === "holds-users")) return done("holds-users");
  return done(objects.some((o) => o.state === "scrubbed") ? "scrubbed" : "clean");
}

const CSV_ONLY: ReadonlySet<OutsideLocation["kind"]> = new Set(["dataset-import", "dataset-export"]);

function listingReason(error: unknown): string {
  const code = (error as Error)?.name;
  if (code === "AccessDenied" || code === "Forbidden") {
    return `${code}: allow s3:ListBucketVersions (and s3:ListBucket) on the bucket`;
  }
  if (code === "NoSuchBucket") return "the bucket does not exist (NoSuchBucket)";
  return unreadableReason(error);
}

const reportOf = (
  version: ListedVersion,
  read: { size: number } | undefined,
  count: Count,
): ObjectReport => ({
  key: version.key,
  ...(version.versionId === "null" ? {} : { versionId: version.versionId }),
  noncurrent: version.noncurrent,
  bytes: read?.size ?? version.size,
  rows: count.rows,
  matching: count.matching,
  ...(count.entries ? { matchingEntries: count.entries } : {}),
  state: count.matching > 0 ? "holds-users" : "clean",
});

const NONE: Count = { rows: 0, matching: 0 };

function unreadable(version: ListedVersion, error: unknown): ObjectReport {
  if (error instanceof AbortError) throw error;
  return { ...reportOf(version, undefined, NONE), state: "unreadable", reason: unreadableReason(error) };
}

async function noncurrent(context: Context, version: ListedVersion): Promise<void> {
  let report: ObjectReport;
  try {
    if (version.size === 0) {
      report = reportOf(version, undefined, NONE);
    } else {
      const { format, read } = await open(context, version, version.versionId);
      report = reportOf(version, read, await scan(context, read, format));
    }
  } catch (error) {
    context.report(unreadable(version, error));
    return;
  }
  if (context.scrub && report.matching > 0) {
    try {
      await deleteObject(context.s3, context.bucket, version.key, context.signal, version.versionId);
      report = { ...report, state: "scrubbed", versionsDeleted: [version.versionId] };
    } catch (error) {
      if (error instanceof AbortError) throw error;
      report = { ...report, reason: `deleting this version failed: ${deleteReason(error)}` };
    }
  }
  context.report(report);
}

function deleteReason(error: unknown): string {
  const code = (error as Error)?.name;
  if (code === "AccessDenied") return "AccessDenied: allow s3:DeleteObjectVersion";
  return unreadableReason(error);
}

/** The current version: scanned, and with `scrub` rewritten without the erased users when it holds any. */
async function current(context: Context, listed: ListedVersion): Promise<void> {
  if (listed.size === 0) {
    context.report(reportOf(listed, undefined, NONE));
    return;
  }
  if (!context.scrub) {
    try {
      const { format, read } = await open(context, listed, listed.versionId);
      context.report(reportOf(listed, read, await scan(context, read, format)));
    } catch (error) {
      context.report(unreadable(listed, error));
    }
    return;
  }
  // Versions read that held erased users and were replaced (by this scrub or another writer): deleted.
  const held: string[] = [];
  let versionId: string | undefined = listed.versionId;
  for (let attempt = 1; ; attempt++) {
    let outcome: ScrubOutcome;
    try {
      outcome = await scrubOnce(context, listed, versionId);
    } catch (error) {
      if (!(error instanceof RewriteError)) {
        // The versions already read that held users go even when the key is now unreadable (deleted meanwhile).
        await finish(context, unreadable(listed, error), held, undefined);
        return;
      }
      const report = { ...reportOf(error.version, error.read, error.count), reason: error.reason };
      await finish(context, report, held, undefined);
      return;
    }
    const { version, count } = outcome;
    if (outcome.kind === "clean") {
      await finish(context, reportOf(version, outcome.read, count), held, undefined);
      return;
    }
    if (outcome.kind === "written") {
      held.push(version.versionId);
      const report = { ...reportOf(version, outcome.read, count), state: "scrubbed" as const };
      await finish(context, report, held, outcome.newVersionId);
      return;
    }
    // Someone wrote meanwhile: their version is read and scrubbed in turn; ours is not written.
    if (count.matching > 0) held.push(version.versionId);
    if (attempt >= WRITE_TRIES) {
      const report = {
        ...reportOf(version, outcome.read, count),
        state: "holds-users" as const,
        reason: `it changed while being scrubbed, ${WRITE_TRIES} times (PreconditionFailed): run the scrub again`,
      };
      await finish(context, report, held, undefined);
      return;
    }
    versionId = undefined;
  }
}

/** Deletes the versions read that held users (but the one now current), then reports the object. */
async function finish(
  context: Context,
  report: ObjectReport,
  held: string[],
  newVersionId: string | undefined,
): Promise<void> {
  const deleted: string[] = [];
  let failure: string | undefined;
  for (const id of held) {
    // The version now current stays; on an unversioned bucket (or the null version of a suspended one) the
    // "null" read is the current object, replaced by the write already or still there after a conflict.
    if (id === newVersionId || (id === "null" && (newVersionId ?? "null") === "null")) continue;
    try {
      await deleteObject(context.s3, context.bucket, report.key, context.signal, id);
      deleted.push(id);
    } catch (error) {
      if (error instanceof AbortError) throw error;
      failure = `deleting a version that held erased users failed: ${deleteReason(error)}`;
    }
  }
  const scrubbed =
    newVersionId === undefined
      ? {}
      : { scrubbedVersionId: newVersionId === "null" ? undefined : newVersionId };
  const final: ObjectReport = {
    ...report,
    ...(scrubbed.scrubbedVersionId ? { scrubbedVersionId: scrubbed.scrubbedVersionId } : {}),
    ...(deleted.length > 0 ? { versionsDeleted: deleted } : {}),
  };
  if (failure) {
    final.state = "holds-users";
    final.reason = failure;
  }
  context.report(final);
}
