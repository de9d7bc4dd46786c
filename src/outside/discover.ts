// Where a dataset group's users' data lives outside Personalize, from AWS's own records: the S3 sources its
// imports read, the files its batch jobs read and wrote, and its dataset exports. The guide leaves these to
// the user ("it doesn't delete their userIds from batch recommendations in your Amazon S3 bucket"), and a
// later import from an unscrubbed source brings the users back.
import type { ErasureApi } from "../erasure/api.ts";
import { iso, named } from "../erasure/survey.ts";
import type { LocationKind, OutsideLocation } from "./types.ts";

// Describe calls at once: each job's paths are only in its Describe answer, and Personalize throttles
// Describe calls per account (the transport retries a throttled one), so a few at a time, not all.
const DESCRIBE_CONCURRENCY = 4;

/** The order locations are reported in: imports first (the ones that bring the users back). */
const KIND_ORDER: readonly LocationKind[] = [
  "dataset-import",
  "dataset-export",
  "batch-inference-input",
  "batch-inference-output",
  "batch-segment-output",
  "given",
];

/**
 * Every S3 location AWS's records name for the dataset group `datasetGroupArn`: the sources of the imports
 * and the outputs of the exports of each dataset with a `USER_ID` field, the input and output of the batch
 * inference jobs and the output of the batch segment jobs of its solutions' versions, whatever their status
 * (a failed job's source still holds the users). Each with the job that names it and when that job was
 * created; a location named by several jobs of one kind is reported once, with the newest job.
 */
export async function discoverLocations(
  api: ErasureApi,
  datasetGroupArn: string,
  signal?: AbortSignal,
): Promise<OutsideLocation[]> {
  const [datasets, solutions] = await Promise.all([
    api.list("ListDatasets", { datasetGroupArn }, "datasets", signal),
    api.list("ListSolutions", { datasetGroupArn }, "solutions", signal),
  ]);
  const found: OutsideLocation[] = [];
  const schemas = new Map<string, Promise<boolean>>();
  for (const { datasetArn } of named(datasets, "datasetArn")) {
    if (!(await holdsUsers(api, datasetArn, schemas, signal))) continue;
    found.push(...(await importsOf(api, datasetArn, signal)), ...(await exportsOf(api, datasetArn, signal)));
  }
  for (const { solutionArn } of named(solutions, "solutionArn")) {
    const versions = await api.list("ListSolutionVersions", { solutionArn }, "solutionVersions", signal);
    for (const { solutionVersionArn } of named(versions, "solutionVersionArn")) {
      found.push(...(await batchJobsOf(api, solutionVersionArn, signal)));
    }
  }
  return newestPerLocation(found);
}

/**
 * The newest FULL import's source among `locations`: a FULL import replaces the dataset's bulk data with
 * what its source holds, so re-running it from an unscrubbed source undoes the erasure.
 */
export function lastFullImport(locations: readonly OutsideLocation[]): OutsideLocation | undefined {
  let newest: OutsideLocation | undefined;
  for (const l of locations) {
    if (l.kind !== "dataset-import" || l.importMode !== "FULL") continue;
    if (!newest || time(l) > time(newest)) newest = l;
  }
  return newest;
}

const time = (l: OutsideLocation) => (l.createdAt ? Date.parse(l.createdAt) : Number.NEGATIVE_INFINITY);

/**
 * Whether the dataset's schema has a `USER_ID` field (interactions, users and action interactions do; items
 * and actions do not). A schema that cannot be read as Avro JSON counts as holding users: reporting a
 * location too many is visible in the receipt, one too few is not.
 */
async function holdsUsers(
  api: ErasureApi,
  datasetArn: string,
  schemas: Map<string, Promise<boolean>>,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const { dataset } = await api.call("DescribeDataset", { datasetArn }, signal);
  const schemaArn = dataset?.schemaArn;
  if (!schemaArn) return true;
  let known = schemas.get(schemaArn);
  if (!known) {
    known = api.call("DescribeSchema", { schemaArn }, signal).then(({ schema }) => hasUserId(schema?.schema));
    schemas.set(schemaArn, known);
  }
  return known;
}

function hasUserId(avro: string | undefined): boolean {
  try {
    const fields = (JSON.parse(avro ?? "") as { fields?: unknown }).fields;
    if (!Array.isArray(fields)) return true;
    return fields.some(
      (f) => typeof (f as { name?: unknown })?.name === "string" && f.name.toUpperCase() === "USER_ID",
    );
  } catch {
    return true;
  }
}

async function importsOf(api: ErasureApi, datasetArn: string, signal?: AbortSignal) {
  const jobs = named(
    await api.list("ListDatasetImportJobs", { datasetArn }, "datasetImportJobs", signal),
    "datasetImportJobArn",
  );
  return describeAll(jobs, async ({ datasetImportJobArn }) => {
    const { datasetImportJob: job } = await api.call(
      "DescribeDatasetImportJob",
      { datasetImportJobArn },
      signal,
    );
    return located("dataset-import", job?.dataSource?.dataLocation, datasetImportJobArn, job, {
      format: "csv",
      ...(job?.importMode && { importMode: job.importMode }),
    });
  });
}

async function exportsOf(api: ErasureApi, datasetArn: string, signal?: AbortSignal) {
  const jobs = named(
    await api.list("ListDatasetExportJobs", { datasetArn }, "datasetExportJobs", signal),
    "datasetExportJobArn",
  );
  return describeAll(jobs, async ({ datasetExportJobArn }) => {
    const { datasetExportJob: job } = await api.call(
      "DescribeDatasetExportJob",
      { datasetExportJobArn },
      signal,
    );
    return located("dataset-export", job?.jobOutput?.s3DataDestination?.path, datasetExportJobArn, job, {
      format: "csv",
    });
  });
}

// A batch segment job's input is left out: it holds item ids (`{"itemId": …}` lines), never a user's; its
// output is where the users are (`recommendedUsers`).
async function batchJobsOf(api: ErasureApi, solutionVersionArn: string, signal?: AbortSignal) {
  const [inference, segment] = await Promise.all([
    api.list("ListBatchInferenceJobs", { solutionVersionArn }, "batchInferenceJobs", signal),
    api.list("ListBatchSegmentJobs", { solutionVersionArn }, "batchSegmentJobs", signal),
  ]);
  const inferred = await describeAll(
    named(inference, "batchInferenceJobArn"),
    async ({ batchInferenceJobArn }) => {
      const { batchInferenceJob: job } = await api.call(
        "DescribeBatchInferenceJob",
        { batchInferenceJobArn },
        signal,
      );
      return [
        ...located("batch-inference-input", job?.jobInput?.s3DataSource?.path, batchInferenceJobArn, job),
        ...located(
          "batch-inference-output",
          job?.jobOutput?.s3DataDestination?.path,
          batchInferenceJobArn,
          job,
        ),
      ];
    },
  );
  const segmented = await describeAll(
    named(segment, "batchSegmentJobArn"),
    async ({ batchSegmentJobArn }) => {
      const { batchSegmentJob: job } = await api.call(
        "DescribeBatchSegmentJob",
        { batchSegmentJobArn },
        signal,
      );
      return located(
        "batch-segment-output",
        job?.jobOutput?.s3DataDestination?.path,
        batchSegmentJobArn,
        job,
      );
    },
  );
  return [...inferred, ...segmented];
}

/** The location a job's record names, if it names one. Batch files are JSON lines. */
function located(
  kind: LocationKind,
  location: string | undefined,
  jobArn: string,
  job: { creationDateTime?: Date } | undefined,
  more: Partial<OutsideLocation> = { format: "jsonl" },
): OutsideLocation[] {
  if (!location) return [];
  const createdAt = iso(job?.creationDateTime);
  return [{ kind, location, jobArn, ...more, ...(createdAt && { createdAt }) }];
}

/** `describe` of every job, {@link DESCRIBE_CONCURRENCY} at a time, the results in the jobs' order. */
async function describeAll<T>(
  jobs: readonly T[],
  describe: (job: T) => Promise<OutsideLocation[]>,
): Promise<OutsideLocation[]> {
  const results: OutsideLocation[][] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await describe(jobs[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DESCRIBE_CONCURRENCY, jobs.length) }, worker));
  return results.flat();
}

/** One location per (kind, location), the newest job's; by kind, then newest first. */
function newestPerLocation(found: readonly OutsideLocation[]): OutsideLocation[] {
  const kept = new Map<string, OutsideLocation>();
  for (const l of found) {
    const key = `${l.kind}\u0000${l.location}`;
    const known = kept.get(key);
    if (!known || time(l) > time(known)) kept.set(key, l);
  }
  const newerFirst = (a: OutsideLocation, b: OutsideLocation) =>
    time(a) === time(b) ? 0 : time(a) > time(b) ? -1 : 1;
  return [...kept.values()].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || newerFirst(a, b),
  );
}
