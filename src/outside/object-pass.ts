// One pass over one object version: its format, a scan through its row reader, or a scrub that rewrites it
// through the write-back only while it is still the version read. What inspect.ts runs per version.
import type { S3Target } from "../aws/s3.ts";
import { AbortError } from "../errors.ts";
import { scanCsv, scrubCsv } from "./csv-rows.ts";
import { UnreadableError } from "./errors.ts";
import type { ListedVersion } from "./expand.ts";
import { scanJsonl, scrubJsonl } from "./jsonl-rows.ts";
import { type ObjectRead, readObject } from "./read-object.ts";
import type { RowOptions } from "./rows.ts";
import type { ObjectReport, RowFormat, UserMatcher } from "./types.ts";
import { WriteConflictError, writeBack } from "./write-back.ts";

/**
 * The format of a key (or a local path) by its extension: `.csv`; `.json`, `.jsonl`, `.out` as batch jobs
 * name them.
 */
export function formatOfKey(key: string): RowFormat | undefined {
  const extension = /\.([^./\\]+)$/.exec(key)?.[1]?.toLowerCase();
  if (extension === "csv") return "csv";
  if (extension === "jsonl" || extension === "json" || extension === "out") return "jsonl";
  return undefined;
}

/** What one read of a version counted. */
export interface Count {
  rows: number;
  matching: number;
  entries?: number;
}

/** What a pass needs of the location being inspected. */
export interface Context {
  s3: S3Target;
  bucket: string;
  users: UserMatcher;
  format: RowFormat | undefined;
  scrub: boolean;
  partBytes: number;
  rowOptions: RowOptions;
  signal: AbortSignal | undefined;
  report: (report: ObjectReport) => void;
}

function formatOf(context: Context, key: string): RowFormat {
  const format = context.format ?? formatOfKey(key);
  if (!format) {
    throw new UnknownFormat();
  }
  return format;
}

class UnknownFormat extends UnreadableError {
  constructor() {
    super("unknown format: the key ends in none of .csv, .json, .jsonl, .out (give the location's format)");
  }
}

/** Reads a version through its format's reader; nothing written. */
export async function scan(context: Context, read: ObjectRead, format: RowFormat): Promise<Count> {
  return format === "csv"
    ? await scanCsv(read.body, context.users, context.rowOptions)
    : await scanJsonl(read.body, context.users, context.rowOptions);
}

/** GETs a version with the format it is read as (an unknown format is an UnreadableError). */
export async function open(context: Context, version: ListedVersion, versionId: string | undefined) {
  const format = formatOf(context, version.key);
  const read = await readObject(context.s3, context.bucket, version.key, versionId, context.signal);
  return { format, read };
}

/** What one scrub did: found the version clean, rewrote it, or found it changed since it was read. */
export type ScrubOutcome = { version: ListedVersion; read: ObjectRead; count: Count } & (
  | { kind: "clean" }
  | { kind: "written"; newVersionId: string }
  | { kind: "conflict" }
);

/**
 * One scrub of the version `versionId` (the current one when absent). An object of at most one part is
 * read once, its output held and written only if it held users; a larger one is scanned first, so that a
 * clean one is not uploaded in full for nothing, then read again for the rewrite.
 */
export async function scrubOnce(
  context: Context,
  listed: ListedVersion,
  versionId: string | undefined,
): Promise<ScrubOutcome> {
  let { format, read } = await open(context, listed, versionId);
  let version: ListedVersion = { ...listed, versionId: read.versionId, size: read.size, noncurrent: false };
  if (read.contentEncoding && read.contentEncoding !== "identity") {
    await read.body.cancel().catch(() => {});
    throw new RewriteError(
      `it is stored ${read.contentEncoding}-encoded: a rewrite could not keep its bytes as they were (scrub it by hand); nothing was replaced`,
      version,
      read,
      await countOf(context, listed, read.versionId),
    );
  }
  if (read.size > context.partBytes) {
    const count = await scan(context, read, format);
    if (count.matching === 0) return { kind: "clean", version, read, count };
    ({ format, read } = await open(context, listed, read.versionId));
    version = { ...version, size: read.size };
  }
  const transform =
    format === "csv"
      ? scrubCsv(context.users, context.rowOptions)
      : scrubJsonl(context.users, context.rowOptions);
  const counted = (): Count => transform.count();
  try {
    const written = await writeBack(
      context.s3,
      context.bucket,
      listed.key,
      read.body.pipeThrough(transform),
      {
        etag: read.etag,
        contentType: read.contentType,
        meta: read.meta,
        properties: read.properties,
        partBytes: partsFor(context.partBytes, read.size),
        sizeHint: read.size,
        shouldWrite: () => counted().matching > 0,
        ...(context.signal ? { signal: context.signal } : {}),
      },
    );
    if (!written.written) return { kind: "clean", version, read, count: counted() };
    return { kind: "written", version, read, count: counted(), newVersionId: written.versionId ?? "null" };
  } catch (error) {
    if (error instanceof WriteConflictError) return { kind: "conflict", version, read, count: counted() };
    if (error instanceof UnreadableError || error instanceof AbortError) throw error;
    throw new RewriteError(writeReason(error), version, read, counted());
  }
}

// S3 takes at most 10,000 parts: a larger object gets larger parts (whole MiB), so a 100 GB import source fits.
const MAX_PARTS = 10_000;
const MIB = 1024 * 1024;
function partsFor(partBytes: number, size: number): number {
  return Math.max(partBytes, Math.ceil(size / MAX_PARTS / MIB) * MIB);
}

// The count of a version the scrub will not rewrite, so its report still says whether it holds users.
async function countOf(context: Context, listed: ListedVersion, versionId: string): Promise<Count> {
  const { format, read } = await open(context, listed, versionId);
  return scan(context, read, format);
}

/** The rewrite of an object that holds users failed (nothing was replaced): it still holds them. */
export class RewriteError extends Error {
  constructor(
    readonly reason: string,
    readonly version: ListedVersion,
    readonly read: ObjectRead,
    readonly count: Count,
  ) {
    super(reason);
  }
}

function writeReason(error: unknown): string {
  const code = (error as Error)?.name;
  if (code === "AccessDenied") {
    return "rewriting it was refused (AccessDenied): allow s3:PutObject (and kms:GenerateDataKey under SSE-KMS); nothing was replaced";
  }
  return `rewriting it failed (${code}: ${(error as Error)?.message}); nothing was replaced`;
}
