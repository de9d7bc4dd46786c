// The stage past Personalize's edge: once every deletion job COMPLETED, and before the uploaded lists are
// deleted (they are where a run without the ids finds them), count the erased users in the S3 data around
// Personalize (`scan`), rewrite it without them (`scrub`), and keep them from coming back (`suppression`).
// The AWS guide leaves all of this to the user: "You must delete these records manually."

import { parseS3Uri } from "../../aws/s3.ts";
import { listObjects } from "../../aws/s3-list.ts";
import { S3Error, ValidationError } from "../../errors.ts";
import { lastFullImport } from "../../outside/discover.ts";
import { UnreadableError } from "../../outside/errors.ts";
import { IdSet } from "../../outside/ids.ts";
import { inspectLocation } from "../../outside/inspect.ts";
import { readObject } from "../../outside/read-object.ts";
import { appendSuppression, suppressionKeyBytes } from "../../outside/suppression.ts";
import type { LocationReport, OutsideLocation } from "../../outside/types.ts";
import type { ErasureContext } from "../context.ts";
import { outsideLocations, type RunFacts } from "../receipt/read.ts";
import {
  outsideRecordLocation,
  readOutsideRecord,
  withRecord,
  writeOutsideRecord,
} from "./outside-record.ts";

/** The caller's choices for the data outside Personalize. */
export interface OutsideChoices {
  /** Count the erased users' rows in every discovered and given location (S3 GETs; writes nothing). */
  scan?: boolean;
  /** Also rewrite each object holding them without them, then delete the noncurrent versions that held them. */
  scrub?: boolean;
  /** More locations to scan or scrub (`s3://bucket/key`, `s3://bucket/folder/`), besides AWS's records. */
  locations?: readonly string[];
  /** A suppression location (`s3://bucket/prefix/`): the erased ids are appended to it as keyed hashes. */
  suppression?: string;
  /** The suppression list's HMAC key, at least 32 bytes (held by the caller; never written anywhere). */
  suppressionKey?: string | Uint8Array;
}

/** A location read by the outside stage, for progress. */
export interface OutsideEvent {
  phase: "outside";
  location: string;
  kind: OutsideLocation["kind"];
  state: LocationReport["state"];
  objects: number;
  matching: number;
}

/** The preflight's look at the last FULL import's source: a re-import from it brings the users back. */
export interface ImportSourceEvent {
  phase: "import-source";
  location: string;
  jobArn?: string;
  /** Rows of the erased users it holds (current objects and older versions). */
  matching: number;
}

/**
 * Before the deletion, when the caller allowed S3 reads (scan or scrub): counts the erased users in the source
 * of the dataset group's last FULL import, and says so when it holds them. The count goes to the receipt's
 * preflight; the stage after the deletion scans (or scrubs) it again with the rest.
 */
export async function checkImportSource(
  context: ErasureContext,
  plan: Pick<OutsidePlan, "datasetGroupArn" | "files" | "facts" | "signal" | "locations"> & {
    onProgress: ((event: ImportSourceEvent) => void) | undefined;
  },
): Promise<{ location: string; matching: number } | undefined> {
  const bodies = plan.files.flatMap((f) => (f.body ? [f.body] : []));
  if (bodies.length === 0) return undefined;
  const source = lastFullImport(await outsideLocations(context, plan, plan.facts));
  if (!source) return undefined;
  const report = await inspectLocation(context.s3, source, IdSet.fromDeletionFiles(bodies), {
    signal: plan.signal,
  });
  const matching = report.objects.reduce((n, o) => n + o.matching, 0);
  if (matching > 0) {
    plan.onProgress?.({
      phase: "import-source",
      location: source.location,
      ...(source.jobArn && { jobArn: source.jobArn }),
      matching,
    });
  }
  return { location: source.location, matching };
}

/** Refuses unusable outside choices before anything is sent, naming the option. */
export function checkOutsideChoices(choices: OutsideChoices): void {
  for (const [i, location] of (choices.locations ?? []).entries()) {
    if (!/^s3:\/\//i.test(location)) {
      throw new ValidationError(
        [
          {
            path: `locations.${i}`,
            rule: "must be an s3:// object or folder (local files: the scan and scrub commands)",
            received: "a value not starting with s3://",
          },
        ],
        "eraseUsers",
      );
    }
    parseS3Uri(location, `locations.${i}`);
  }
  if (choices.suppression !== undefined) {
    parseS3Uri(choices.suppression, "suppression");
    suppressionKeyBytes(choices.suppressionKey);
  }
}

/** Whether the stage has anything to read or write (else the receipt only lists the locations). */
export const outsideAsked = (choices: OutsideChoices): boolean =>
  choices.scan === true || choices.scrub === true || choices.suppression !== undefined;

/** The stage's input: the erasure's deletion files (the bytes this run uploaded, else where the jobs read them). */
export interface OutsidePlan extends OutsideChoices {
  datasetGroupArn: string;
  /** The erasure's name: its record outside Personalize is kept under it. */
  jobName: string;
  files: { dataLocation: string; body?: Uint8Array }[];
  facts: RunFacts;
  signal: AbortSignal | undefined;
  onProgress: ((event: OutsideEvent) => void) | undefined;
}

// The erased ids, from this run's prepared files or as the jobs read them from S3; else why they cannot be
// had (a run after the clean-up: the ids are nowhere any more, by design).
async function erasedIds(
  context: ErasureContext,
  plan: OutsidePlan,
): Promise<{ ids: IdSet } | { reason: string }> {
  const files: Uint8Array[] = [];
  for (const file of plan.files) {
    if (file.body) {
      files.push(file.body);
      continue;
    }
    const { bucket, key } = parseS3Uri(file.dataLocation, "dataLocation");
    try {
      // A folder is read as its deletion job reads it: every CSV object under it.
      const keys =
        key === "" || key.endsWith("/")
          ? (await listObjects(context.s3, bucket, key, plan.signal)).map((o) => o.key)
          : [key];
      // The job read every file of the folder; ids in one not read here would be claimed without a look.
      const other = keys.filter((k) => !k.toLowerCase().endsWith(".csv")).length;
      if (other > 0) {
        return {
          reason: `${file.dataLocation} holds ${other} file${other === 1 ? "" : "s"} that are not .csv, which its job read too: run the erasure with the ids to scan or scrub`,
        };
      }
      for (const each of keys) {
        const read = await readObject(context.s3, bucket, each, undefined, plan.signal);
        files.push(new Uint8Array(await new Response(read.body).arrayBuffer()));
      }
    } catch (error) {
      if (!(error instanceof UnreadableError || error instanceof S3Error)) throw error;
      return {
        reason: `the erased ids could not be read from ${file.dataLocation} (${error.message}); once the uploaded lists are deleted, run the erasure again with the same list to scan or scrub`,
      };
    }
  }
  if (files.length === 0) return { reason: "the erasure has no list to read the ids from" };
  return { ids: IdSet.fromDeletionFiles(files) };
}

// The record is for later runs: one that cannot be written (no s3:PutObject beside the list) costs them
// the findings, not this run its receipt.
async function keepRecord(
  context: ErasureContext,
  where: { bucket: string; key: string },
  outside: NonNullable<RunFacts["outside"]>,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    await writeOutsideRecord(context.s3, where, outside, signal);
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    outside.reason = `what this run found could not be kept beside the list (${error.name}: allow s3:PutObject there): a later run without the ids will list the locations as not scanned`;
  }
}

/**
 * Runs the stage into `plan.facts.outside`: the receipt then says what each location holds. Without `scan`
 * or `scrub` only the suppression list is written; the locations are listed by the receipt as it reads them.
 */
export async function outsideStage(context: ErasureContext, plan: OutsidePlan): Promise<void> {
  if (!outsideAsked(plan)) return;
  const found = await erasedIds(context, plan);
  const locations = await outsideLocations(context, plan, plan.facts);
  const listed = locations.map((l): LocationReport => ({ ...l, state: "not-scanned", objects: [] }));
  const where = plan.files[0] && outsideRecordLocation(plan.files[0].dataLocation, plan.jobName);
  if ("reason" in found) {
    // An earlier run had the ids: what it found stands (with its time), rather than "not scanned".
    const record = where && (await readOutsideRecord(context.s3, where, plan.signal));
    plan.facts.outside = record
      ? withRecord(record, listed)
      : { checked: "listed", reason: found.reason, locations: listed };
    return;
  }
  const { ids } = found;
  const outside: NonNullable<RunFacts["outside"]> = { checked: "listed", locations: [] };
  if (plan.scan || plan.scrub) {
    for (const location of locations) {
      const report = await inspectLocation(context.s3, location, ids, {
        scrub: plan.scrub === true,
        signal: plan.signal,
      });
      outside.locations.push(report);
      plan.onProgress?.({
        phase: "outside",
        location: report.location,
        kind: report.kind,
        state: report.state,
        objects: report.objects.length,
        matching: report.objects.reduce((n, o) => n + o.matching, 0),
      });
    }
    outside.checked = plan.scrub ? "scrubbed" : "scanned";
    outside.checkedAt = new Date(context.jobs.clock.now()).toISOString();
  } else {
    outside.locations = listed;
  }
  // Recorded first: what was scrubbed stands for a later run even if the suppression list fails.
  if (where && outside.checked !== "listed") await keepRecord(context, where, outside, plan.signal);
  if (plan.suppression !== undefined) {
    const written = await appendSuppression(
      context.s3,
      plan.suppression,
      ids,
      plan.suppressionKey as string | Uint8Array,
      { signal: plan.signal, now: () => new Date(context.jobs.clock.now()) },
    );
    outside.suppression = { location: plan.suppression, object: written.key, hashes: written.hashes };
  }
  if (where && outside.suppression) {
    // A run that only appended to the suppression list keeps an earlier scan's findings in the record.
    const earlier = outside.checked === "listed" && (await readOutsideRecord(context.s3, where, plan.signal));
    await keepRecord(
      context,
      where,
      earlier ? { ...earlier, suppression: outside.suppression } : outside,
      plan.signal,
    );
  }
  plan.facts.outside = outside;
}
