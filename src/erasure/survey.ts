// What uses a dataset group's data, read from AWS: its imports, its solutions' trainings, the batch jobs
// on their versions and its recommenders. The preflight, the interference check and the receipt all read
// this one survey.
import type { ErasureApi } from "./api.ts";
import type {
  Activity,
  Named,
  RecommenderSummary,
  SolutionSummary,
  SolutionVersionSummary,
} from "./types.ts";

/** The dataset group's users of data, as AWS lists them now. */
export interface Survey {
  imports: Activity[];
  solutions: { solution: SolutionSummary; versions: SolutionVersionSummary[] }[];
  batchJobs: Activity[];
  recommenders: RecommenderSummary[];
}

/** A status of a resource still being made or run (`CREATE PENDING`, `IN PROGRESS`, `CREATE STOPPING`...). */
export const inProgress = (status: string | undefined): boolean =>
  /PENDING|IN.PROGRESS|STOPPING/.test(status ?? "");

/** The items that carry their ARN under `key`: one without names no resource the erasure could act on. */
export function named<T, K extends keyof T>(items: readonly T[], key: K): Named<T, K>[] {
  return items.filter((item): item is Named<T, K> => typeof item[key] === "string");
}

/** ISO 8601 of a date from the service, if any. */
export const iso = (date: Date | undefined): string | undefined => date?.toISOString();

function activity(
  kind: Activity["kind"],
  arn: string,
  item: { status?: string; creationDateTime?: Date; lastUpdatedDateTime?: Date },
): Activity {
  const out: Activity = { kind, arn, status: item.status ?? "UNKNOWN" };
  const createdAt = iso(item.creationDateTime);
  const lastUpdatedAt = iso(item.lastUpdatedDateTime);
  if (createdAt) out.createdAt = createdAt;
  if (lastUpdatedAt) out.lastUpdatedAt = lastUpdatedAt;
  return out;
}

/** Reads everything that uses the dataset group's data (every page of every list). */
export async function surveyDatasetGroup(
  api: ErasureApi,
  datasetGroupArn: string,
  signal?: AbortSignal,
): Promise<Survey> {
  const [datasets, solutions, recommenders] = await Promise.all([
    api.list("ListDatasets", { datasetGroupArn }, "datasets", signal),
    api.list("ListSolutions", { datasetGroupArn }, "solutions", signal),
    api.list("ListRecommenders", { datasetGroupArn }, "recommenders", signal),
  ]);
  const imports: Activity[] = [];
  for (const { datasetArn } of named(datasets, "datasetArn")) {
    const jobs = await api.list("ListDatasetImportJobs", { datasetArn }, "datasetImportJobs", signal);
    for (const job of named(jobs, "datasetImportJobArn")) {
      imports.push(activity("dataset-import-job", job.datasetImportJobArn, job));
    }
  }
  const surveyed: Survey["solutions"] = [];
  const batchJobs: Activity[] = [];
  for (const solution of named(solutions, "solutionArn")) {
    const { solutionArn } = solution;
    const versions = named(
      await api.list("ListSolutionVersions", { solutionArn }, "solutionVersions", signal),
      "solutionVersionArn",
    );
    surveyed.push({ solution, versions });
    for (const { solutionVersionArn } of versions) {
      const [inference, segment] = await Promise.all([
        api.list("ListBatchInferenceJobs", { solutionVersionArn }, "batchInferenceJobs", signal),
        api.list("ListBatchSegmentJobs", { solutionVersionArn }, "batchSegmentJobs", signal),
      ]);
      for (const job of named(inference, "batchInferenceJobArn")) {
        batchJobs.push(activity("batch-inference-job", job.batchInferenceJobArn, job));
      }
      for (const job of named(segment, "batchSegmentJobArn")) {
        batchJobs.push(activity("batch-segment-job", job.batchSegmentJobArn, job));
      }
    }
  }
  return { imports, solutions: surveyed, batchJobs, recommenders: named(recommenders, "recommenderArn") };
}

/** The trainings of a survey as activities. */
export function trainings(survey: Survey): Activity[] {
  return survey.solutions.flatMap(({ versions }) =>
    versions.map((version) => activity("solution-version", version.solutionVersionArn, version)),
  );
}

/** What is in progress now: the guide asks for none of it while a deletion job runs. */
export function busyNow(survey: Survey): Activity[] {
  return [...survey.imports, ...trainings(survey), ...survey.batchJobs].filter((a) => inProgress(a.status));
}

/**
 * Imports and trainings that ran at any time between `from` and `to` (created before `to`, and not ended
 * before `from`): AWS does not guarantee a deletion job's effect on models when one did. One created at the
 * moment the job ended (an erasure's own retrain, started as soon as it saw COMPLETED) did not run during it.
 */
export function ranDuring(survey: Survey, from: Date, to: Date, except: ReadonlySet<string>): Activity[] {
  return [...survey.imports, ...trainings(survey)].filter((a) => {
    if (except.has(a.arn) || !a.createdAt) return false;
    const ended =
      inProgress(a.status) || !a.lastUpdatedAt ? Number.POSITIVE_INFINITY : Date.parse(a.lastUpdatedAt);
    return Date.parse(a.createdAt) < to.getTime() && ended >= from.getTime();
  });
}
