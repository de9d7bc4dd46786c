// How the emulator's Personalize resources look on the wire: the members of the model's output shapes (which
// test/emulator/conformance.test.ts holds them to), times in epoch seconds.
import type { EmulatorJob } from "../state-types.ts";
import type { World, WorldCampaign, WorldImport, WorldVersion } from "./world.ts";

/** Epoch milliseconds as AWS JSON 1.1's epoch seconds. */
export const seconds = (ms: number) => ms / 1000;

/** A data deletion job as Describe (`full`) and List answer it. */
export function deletionJobWire(job: EmulatorJob, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    dataDeletionJobArn: job.dataDeletionJobArn,
    datasetGroupArn: job.datasetGroupArn,
    jobName: job.jobName,
    status: job.status,
    creationDateTime: job.createdAt / 1000,
    lastUpdatedDateTime: job.updatedAt / 1000,
  };
  if (full) {
    out.dataSource = { dataLocation: job.dataLocation };
    out.roleArn = job.roleArn;
    if (job.numDeleted !== undefined) out.numDeleted = job.numDeleted;
  }
  if (job.failureReason) out.failureReason = job.failureReason;
  return out;
}

/** A dataset import job as Describe (`full`) and List answer it. */
export const importWire = (j: WorldImport, full: boolean) => ({
  datasetImportJobArn: j.datasetImportJobArn,
  jobName: j.jobName,
  status: j.status,
  importMode: j.importMode,
  creationDateTime: seconds(j.createdAt),
  lastUpdatedDateTime: seconds(j.updatedAt),
  ...(j.failureReason && { failureReason: j.failureReason }),
  ...(full && {
    datasetArn: j.datasetArn,
    dataSource: { dataLocation: j.dataLocation },
    roleArn: j.roleArn,
  }),
});
/** A solution version as Describe (`full`) and List answer it. */
export const versionWire = (world: World, v: WorldVersion, full: boolean) => ({
  solutionVersionArn: v.solutionVersionArn,
  status: v.status,
  trainingMode: v.trainingMode,
  trainingType: "MANUAL",
  creationDateTime: seconds(v.createdAt),
  lastUpdatedDateTime: seconds(v.updatedAt),
  ...(v.failureReason && { failureReason: v.failureReason }),
  ...(full && {
    ...(v.name !== undefined && { name: v.name }),
    solutionArn: v.solutionArn,
    datasetGroupArn: world.solutions.get(v.solutionArn)?.datasetGroupArn,
    recipeArn: world.solutions.get(v.solutionArn)?.recipeArn,
  }),
});
/** A campaign as Describe (`full`) and List answer it. */
export const campaignWire = (c: WorldCampaign, full: boolean) => ({
  name: c.name,
  campaignArn: c.campaignArn,
  status: c.status,
  creationDateTime: seconds(c.createdAt),
  lastUpdatedDateTime: seconds(c.updatedAt),
  ...(full && {
    solutionVersionArn: c.solutionVersionArn,
    minProvisionedTPS: 1,
    campaignConfig: { syncWithLatestSolutionVersion: c.syncWithLatestSolutionVersion },
    ...(c.update && {
      latestCampaignUpdate: {
        solutionVersionArn: c.update.solutionVersionArn,
        minProvisionedTPS: 1,
        status: c.update.status,
        creationDateTime: seconds(c.update.createdAt),
        lastUpdatedDateTime: seconds(c.update.updatedAt),
      },
    }),
  }),
});
