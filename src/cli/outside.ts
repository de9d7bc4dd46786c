// What `scan` and `scrub` share: the erased ids prepared as delete-users prepares them, a local file's
// format and its bytes as a stream, and for an s3:// location the S3 target the common flags describe.

import type { S3Target } from "../aws/s3.ts";
import { prepareDeletionCsv } from "../index.ts";
import { fileSource } from "../node/index.ts";
import { IdSet } from "../outside/ids.ts";
import { formatOfKey } from "../outside/object-pass.ts";
import type { LocationReport, ObjectReport, RowFormat } from "../outside/types.ts";
import { makeClient } from "./client.ts";
import { type Flags, type Parsed, required, text, UsageError } from "./options.ts";
import type { Output } from "./output.ts";
import { usersFile } from "./users.ts";

/** The flags both commands take to name the erased users. */
export const USERS_FLAGS: Flags = {
  "users-file": { type: "string" },
  headerless: { type: "boolean" },
  "trim-ids": { type: "boolean" },
};

export type Format = RowFormat;

/** The erased ids of `--users-file`, prepared exactly as delete-users prepares them (same flags, same rules). */
export async function erasedIds(values: Parsed["values"]): Promise<{ ids: IdSet; users: number }> {
  const prepared = await prepareDeletionCsv(await usersFile(required(values, "users-file")), {
    headerless: values.headerless === true,
    trimIds: values["trim-ids"] === true,
  });
  return { ids: IdSet.fromDeletionFiles(prepared.files), users: prepared.userCount };
}

/** Whether a location is in S3 (`s3://…`) rather than a local path. */
export const isS3 = (location: string): boolean => /^s3:\/\//i.test(location);

/** Refuses an S3 location where only a local path goes (`--output`). */
export function localPath(location: string, flag: string, why: string): string {
  if (isS3(location))
    throw new UsageError(`${flag} must be a local file path (${why}), received ${location}`);
  return location;
}

/** The S3 target of the common flags (`--region`, `--profile`, `--s3-endpoint-url`...), as delete-users builds it. */
export async function s3Target(values: Parsed["values"], output: Output): Promise<S3Target> {
  return (await makeClient(values, output)).s3;
}

/** One location's counts: never an id. An S3 location has one report per object version read. */
export interface LocationScan {
  location: string;
  format: Format | null;
  bytes: number;
  rows: number;
  matchingRows: number;
  state: "clean" | "holds-users" | "scrubbed" | "unreadable";
  why?: string;
  objects?: ObjectReport[];
}

/** An S3 location's report in the shape of a local file's, its object versions kept. */
export function fromReport(report: LocationReport): LocationScan {
  const sum = (pick: (o: ObjectReport) => number) => report.objects.reduce((n, o) => n + pick(o), 0);
  return {
    location: report.location,
    format: report.format ?? null,
    bytes: sum((o) => o.bytes),
    rows: sum((o) => o.rows),
    matchingRows: sum((o) => o.matching),
    state: report.state === "not-scanned" ? "unreadable" : report.state,
    ...(report.reason ? { why: report.reason } : {}),
    objects: report.objects,
  };
}

/** The table rows of one location: itself, then each object version of an S3 location, indented. */
export function tableRows(r: LocationScan): (string | number | undefined)[][] {
  const state = (s: string, why?: string) => (why ? `${s}: ${why}` : s);
  return [
    [r.location, r.format ?? undefined, r.bytes, r.rows, r.matchingRows, state(r.state, r.why)],
    ...(r.objects ?? []).map((o) => [
      `  ${o.key}${o.noncurrent ? ` (noncurrent ${o.versionId ?? "null"})` : ""}`,
      undefined,
      o.bytes,
      o.rows,
      o.matching,
      state(
        o.state,
        o.reason ??
          (o.versionsDeleted ? `deleted ${o.versionsDeleted.length} version(s) that held them` : undefined),
      ),
    ]),
  ];
}

/** `--format`, when given: csv or jsonl. */
export function formatFlag(values: Parsed["values"]): Format | undefined {
  const format = text(values, "format");
  if (format === undefined) return undefined;
  if (format !== "csv" && format !== "jsonl") {
    throw new UsageError(`--format must be csv or jsonl, received ${JSON.stringify(format)}`);
  }
  return format;
}

/** The format by the file's extension: the S3 engine's one rule, for local paths too. */
export { formatOfKey as formatOf };

/**
 * A local file as a byte stream and its size. The file source reads into one buffer again and again, so each
 * chunk is copied when `copy` (a scrub passes views of its input on, to be written later); a scan reads each
 * chunk before it asks for the next (no queue: high-water mark 0), so it needs no copy.
 */
export async function fileStream(
  path: string,
  copy: boolean,
): Promise<{ stream: ReadableStream<Uint8Array>; bytes: number }> {
  const { source, size } = await fileSource(path);
  const chunks = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(copy ? value.slice() : value);
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, bytes: size ?? 0 };
}
