// The job clock of the work that leaves files in S3: batch inference and batch segment jobs read their JSON
// lines input when they end and write one `.out` file per input file; dataset export jobs write the dataset's
// rows as CSV. They take as long as an import (a third of it CREATE PENDING, then CREATE IN_PROGRESS) and end
// ACTIVE or CREATE FAILED with the reason, as AWS's do.
import type { InteractionRow, ObjectSource } from "../state-types.ts";
import { DEFAULT_NUM_RESULTS, exportCsv, inferenceOutput, segmentOutput } from "./batch-output.ts";
import type { DueEvent, World, WorldBatchJob, WorldExport } from "./world.ts";

/** What the clock reads and writes beside the world. */
export interface OutsideIO {
  /** Where inputs are read (the emulator's S3, or the one `--s3-endpoint` names). */
  source: ObjectSource;
  /** The dataset group's rows now. */
  rowsOf(datasetGroupArn: string): readonly InteractionRow[];
  /** Writes an object into the emulator's own S3; false when the bucket is not there. */
  write(bucket: string, key: string, body: Uint8Array, contentType: string, at: number): boolean;
}

/** An `s3://bucket/key` path split; `undefined` when it is not one. */
export function s3Path(path: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(path);
  return m ? { bucket: m[1] as string, key: m[2] as string } : undefined;
}

// An output path is a folder: what AWS writes goes under it.
const folder = (key: string) => (key === "" || key.endsWith("/") ? key : `${key}/`);

type Outcome = { failureReason: string } | undefined;

async function runBatchJob(world: World, io: OutsideIO, job: WorldBatchJob, at: number): Promise<Outcome> {
  const version = world.versions.get(job.solutionVersionArn);
  const input = s3Path(job.input ?? "");
  const output = s3Path(job.output ?? "");
  if (!version || !input || !output) return { failureReason: "The job has no input or output path." };
  // S3 is prefix based: a path is every object whose key starts with it (a file, or a whole folder).
  const keys = (await io.source.list(input.bucket, input.key))?.filter((k) => !k.endsWith("/"));
  if (!keys || keys.length === 0) return { failureReason: `Input file not found at ${job.input}.` };
  const numResults = job.numResults ?? DEFAULT_NUM_RESULTS;
  const files: [string, string][] = [];
  for (const key of keys) {
    const body = await io.source.get(input.bucket, key);
    if (!body) return { failureReason: `Input file not found at s3://${input.bucket}/${key}.` };
    const text = new TextDecoder().decode(body);
    const name = key.slice(key.lastIndexOf("/") + 1);
    const out =
      job.kind === "inference"
        ? inferenceOutput(text, version, numResults)
        : segmentOutput(text, version, numResults);
    files.push([`${folder(output.key)}${name}.out`, out]);
  }
  for (const [key, text] of files) {
    if (!io.write(output.bucket, key, new TextEncoder().encode(text), "application/octet-stream", at))
      return { failureReason: `S3 bucket ${output.bucket} does not exist or is not accessible.` };
  }
  return undefined;
}

/** Where an export writes its one CSV file under its output folder. */
export const exportKey = (outputKey: string, jobName: string) =>
  `${folder(outputKey)}${jobName}/${jobName}_part_00000.csv`;

function runExport(world: World, io: OutsideIO, job: WorldExport, at: number): Outcome {
  const dataset = world.datasets.get(job.datasetArn);
  const output = s3Path(job.output);
  if (!dataset || !output) return { failureReason: "The job has no dataset or output path." };
  // Every row the emulator holds came in bulk (the seed, imports): PUT data, from PutEvents, it has none.
  const rows = job.ingestionMode === "PUT" ? [] : io.rowsOf(dataset.datasetGroupArn);
  const body = new TextEncoder().encode(exportCsv(rows));
  if (!io.write(output.bucket, exportKey(output.key, job.jobName), body, "text/csv", at))
    return { failureReason: `S3 bucket ${output.bucket} does not exist or is not accessible.` };
  return undefined;
}

/** Every change due by now to the batch and export jobs, in no order (the state sorts them). */
export function outsideDue(world: World, io: OutsideIO, now: number): DueEvent[] {
  const total = world.timings.importSeconds * 1000;
  const events: DueEvent[] = [];
  const step = (
    job: { status: string; createdAt: number; updatedAt: number; failureReason?: string },
    run: (at: number) => Outcome | Promise<Outcome>,
  ) => {
    const third = job.createdAt + Math.floor(total / 3);
    if (job.status === "CREATE PENDING" && total > 0 && now >= third && now < job.createdAt + total) {
      events.push({
        at: third,
        apply: () => {
          job.status = "CREATE IN_PROGRESS";
          job.updatedAt = third;
        },
      });
    } else if (/^CREATE (PENDING|IN_PROGRESS)$/.test(job.status) && now >= job.createdAt + total) {
      const at = job.createdAt + total;
      events.push({
        at,
        apply: async () => {
          const failed = await run(at);
          job.updatedAt = at;
          job.status = failed ? "CREATE FAILED" : "ACTIVE";
          if (failed) job.failureReason = failed.failureReason;
        },
      });
    }
  };
  for (const job of world.batchJobs.values()) step(job, (at) => runBatchJob(world, io, job, at));
  for (const job of world.exportJobs.values()) step(job, (at) => runExport(world, io, job, at));
  return events;
}
