// The sample's data outside Personalize (the emulator's `outsideData` option): what an account that imports,
// runs batch jobs and exports keeps in S3, all holding the sample users. A FULL import from interactions.csv
// (the file there, with every row the dataset group has), the seeded batch inference job given its input and
// `.out` output, a finished batch segment job and a finished BULK export, each with its files, written by the
// same code the job clock uses.
import type { EmulatorState } from "../state.ts";
import { exportCsv, inferenceOutput, segmentOutput } from "./batch-output.ts";
import { exportKey } from "./outside-clock.ts";

/** The bucket the sample's outside data lives in. */
export const OUTSIDE_BUCKET = "emulator-data";

const DAY = 24 * 60 * 60 * 1000;

/** Adds the outside data of the seeded dataset group `name` (seeded `now`, as seedWorld did). */
export function seedOutsideData(state: EmulatorState, name: string, now: number): void {
  const world = state.world;
  const datasetGroupArn = state.datasetGroupArn(name);
  const at = now - DAY;
  if (!state.buckets.has(OUTSIDE_BUCKET)) {
    state.buckets.set(OUTSIDE_BUCKET, new Map());
    state.bucketCreated.set(OUTSIDE_BUCKET, at - 120_000);
  }
  const s3 = (key: string) => `s3://${OUTSIDE_BUCKET}/${key}`;
  const put = (key: string, text: string, type: string, when: number) =>
    state.writeObject(OUTSIDE_BUCKET, key, new TextEncoder().encode(text), type, when);
  const roleArn = `arn:aws:iam::${state.options.accountId}:role/PersonalizeRole`;
  const rows = state.datasetGroups.get(datasetGroupArn) ?? [];

  const dataset = [...world.datasets.values()].find((d) => d.datasetGroupArn === datasetGroupArn);
  if (!dataset) return;
  put(`${name}/interactions.csv`, exportCsv(rows), "text/csv", at - 60_000);
  const importArn = world.arn(`dataset-import-job/${name}-full-import`);
  world.imports.set(importArn, {
    seq: ++world.seq,
    datasetImportJobArn: importArn,
    jobName: `${name}-full-import`,
    datasetArn: dataset.datasetArn,
    dataLocation: s3(`${name}/interactions.csv`),
    roleArn,
    importMode: "FULL",
    status: "ACTIVE",
    createdAt: at,
    updatedAt: at + 30_000,
  });

  const inference = world.batchJobs.get(world.arn(`batch-inference-job/${name}-batch-recommendations`));
  const version = inference && world.versions.get(inference.solutionVersionArn);
  if (!inference || !version) return;
  const done = inference.updatedAt;
  const users = [...version.users].sort().slice(0, 10);
  const userLines = users.map((userId) => `${JSON.stringify({ userId })}\n`).join("");
  put(`${name}/batch/input/users.json`, userLines, "application/json", inference.createdAt - 60_000);
  put(
    `${name}/batch/output/users.json.out`,
    inferenceOutput(userLines, version, 25),
    "application/octet-stream",
    done,
  );
  Object.assign(inference, {
    input: s3(`${name}/batch/input/users.json`),
    output: s3(`${name}/batch/output/`),
    roleArn,
  });

  const items = [...(version.items ?? [])].sort().slice(0, 5);
  const itemLines = items.map((itemId) => `${JSON.stringify({ itemId })}\n`).join("");
  put(`${name}/segments/input/items.json`, itemLines, "application/json", done);
  put(
    `${name}/segments/output/items.json.out`,
    segmentOutput(itemLines, version, 25),
    "application/octet-stream",
    done + 60_000,
  );
  const segmentArn = world.arn(`batch-segment-job/${name}-batch-segments`);
  world.batchJobs.set(segmentArn, {
    arn: segmentArn,
    kind: "segment",
    jobName: `${name}-batch-segments`,
    solutionVersionArn: version.solutionVersionArn,
    status: "ACTIVE",
    createdAt: done,
    updatedAt: done + 60_000,
    input: s3(`${name}/segments/input/items.json`),
    output: s3(`${name}/segments/output/`),
    roleArn,
  });

  const exportName = `${name}-export`;
  put(exportKey(`${name}/exports/`, exportName), exportCsv(rows), "text/csv", done + 120_000);
  const exportArn = world.arn(`dataset-export-job/${exportName}`);
  world.exportJobs.set(exportArn, {
    datasetExportJobArn: exportArn,
    jobName: exportName,
    datasetArn: dataset.datasetArn,
    ingestionMode: "BULK",
    roleArn,
    output: s3(`${name}/exports/`),
    status: "ACTIVE",
    createdAt: done + 60_000,
    updatedAt: done + 120_000,
  });
}
