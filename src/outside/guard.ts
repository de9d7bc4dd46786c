// The import guard: before CreateDatasetImportJob, read the proposed source against the suppression list,
// because a FULL import replaces the dataset with what the files hold and an INCREMENTAL one adds their
// rows: an erased user still in the source comes back. Counts and keys only, as every report here.
import { parseS3Uri, type S3Target } from "../aws/s3.ts";
import { type InspectOptions, inspectLocation } from "./inspect.ts";
import type { LocationReport, ObjectReport, UserMatcher } from "./types.ts";

/** Options of {@link guardImport}. */
export interface GuardImportOptions {
  s3: S3Target;
  /** The import's `dataLocation`: `s3://bucket/key.csv` or a folder `s3://bucket/prefix/`. */
  source: string;
  /** The erased users: a loaded `SuppressionList`, or any {@link UserMatcher} (such as the erased-id set). */
  suppression: UserMatcher;
  /** Rewrite each object holding suppressed users without them (and delete older versions that held them). */
  scrub?: boolean;
  signal?: AbortSignal;
  /** Called after each object version is read (and scrubbed), for progress. */
  onObject?: InspectOptions["onObject"];
}

/** What the guard found: the source's report, and whether importing it now brings no suppressed user back. */
export interface GuardImportReport extends LocationReport {
  /**
   * Every current object of the source is clean or was scrubbed (and the source could be listed). An import
   * reads current objects only, so older versions holding users are reported but do not fail the guard.
   */
  ok: boolean;
  /** Rows of suppressed users left in the current objects (0 when `ok`). */
  suppressedRows: number;
  /** Current objects still holding suppressed users, or that could not be read. */
  failing: ObjectReport[];
}

/**
 * Reads a proposed import source (every object under it, as a CSV with a `USER_ID` column, as Personalize
 * reads it) against the suppression list before CreateDatasetImportJob, and with `scrub` removes their rows
 * in place. `ok` is false when a current object still holds a suppressed user or cannot be read: an
 * unreadable object is not known to be clean. The `source` must be an `s3://` URI (a ValidationError naming
 * `source` otherwise).
 */
export async function guardImport(options: GuardImportOptions): Promise<GuardImportReport> {
  parseS3Uri(options.source, "source");
  const report = await inspectLocation(
    options.s3,
    { kind: "dataset-import", location: options.source, format: "csv" },
    options.suppression,
    {
      ...(options.scrub ? { scrub: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onObject ? { onObject: options.onObject } : {}),
    },
  );
  const failing = report.objects.filter(
    (o) => !o.noncurrent && o.state !== "clean" && o.state !== "scrubbed",
  );
  const listed = report.reason === undefined;
  return {
    ...report,
    ok: listed && failing.length === 0,
    suppressedRows: failing.reduce((n, o) => n + (o.state === "holds-users" ? o.matching : 0), 0),
    failing,
  };
}
