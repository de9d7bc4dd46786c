// What the stage past Personalize's edge found, kept beside the erasure's list in S3. The stage runs while
// the list (the ids) is still there, and the clean-up deletes the list right after; a later run (a
// scheduler's next tick, `status`) has no ids to scan with, so it reads this record instead of saying
// "not scanned" about data that was scrubbed. The record holds keys, version ids and counts, never an id.

import { formatS3Uri, parseS3Uri, putObjectOnce } from "../../aws/s3.ts";
import { UnreadableError } from "../../outside/errors.ts";
import { readObject } from "../../outside/read-object.ts";
import type { LocationReport } from "../../outside/types.ts";
import type { ReceiptOutside } from "../types.ts";

/** The record as written: the receipt's part outside Personalize, less what is judged anew (`pending`). */
export type OutsideRecord = Omit<ReceiptOutside, "pending">;

const SUFFIX = ".outside.json";
const encoder = new TextEncoder();

/**
 * Where an erasure's record lives: beside its first list, never inside a folder a deletion job reads
 * (`s3://b/deletions/erase.csv` → `s3://b/deletions/erase.outside.json`; a folder `s3://b/windows/w1/` →
 * `s3://b/windows/erase.outside.json`).
 */
export function outsideRecordLocation(
  dataLocation: string,
  jobName: string,
): { bucket: string; key: string } {
  const { bucket, key } = parseS3Uri(dataLocation, "dataLocation");
  const path = key.endsWith("/") ? key.slice(0, -1) : key;
  const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "";
  return { bucket, key: `${parent}${jobName}${SUFFIX}` };
}

/** Writes (or replaces) the record. */
export async function writeOutsideRecord(
  s3: Parameters<typeof putObjectOnce>[0],
  where: { bucket: string; key: string },
  record: OutsideRecord,
  signal?: AbortSignal,
): Promise<void> {
  const body = encoder.encode(`${JSON.stringify(record, null, 2)}\n`);
  await putObjectOnce(s3, where.bucket, where.key, body, { overwrite: true, signal });
}

const isRecord = (value: unknown): value is OutsideRecord =>
  typeof value === "object" &&
  value !== null &&
  ["listed", "scanned", "scrubbed"].includes((value as OutsideRecord).checked) &&
  Array.isArray((value as OutsideRecord).locations);

/** The record, or undefined when there is none (or it cannot be read or is not one: then nothing is claimed). */
export async function readOutsideRecord(
  s3: Parameters<typeof readObject>[0],
  where: { bucket: string; key: string },
  signal?: AbortSignal,
): Promise<OutsideRecord | undefined> {
  try {
    const read = await readObject(s3, where.bucket, where.key, undefined, signal);
    const value: unknown = JSON.parse(await new Response(read.body).text());
    return isRecord(value) ? value : undefined;
  } catch (error) {
    if (error instanceof UnreadableError || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * The record against the locations found now: each location as the record found it when it is the same
 * one (same job, created before the record was made), and any other (a job made since, even one writing
 * to the same place) as not scanned, with why.
 */
export function withRecord(record: OutsideRecord, locations: readonly LocationReport[]): OutsideRecord {
  const known = new Map(record.locations.map((l) => [`${l.kind} ${l.location}`, l]));
  const checkedAt = record.checkedAt ? Date.parse(record.checkedAt) : Number.NaN;
  return {
    ...record,
    locations: locations.map((l) => {
      const was = known.get(`${l.kind} ${l.location}`);
      if (!was) return l;
      const sameJob = was.jobArn === l.jobArn;
      const before = !l.createdAt || !(Date.parse(l.createdAt) > checkedAt);
      if (sameJob && before) return was;
      return {
        ...l,
        reason: `a job wrote here after the scan of ${record.checkedAt ?? "an earlier run"}: not scanned since`,
      };
    }),
  };
}

/** `s3://bucket/key` of a record's place, for messages. */
export const recordUri = (where: { bucket: string; key: string }): string =>
  formatS3Uri(where.bucket, where.key);
