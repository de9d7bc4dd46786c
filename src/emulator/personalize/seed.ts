// The emulator's sample: a dataset group of 50 users with three interactions each (unless rows are given),
// and around it what uses its data, as an account that has trained and deployed a model would have it.
import type { EmulatorState } from "../state.ts";
import type { InteractionRow } from "../state-types.ts";
import type { World } from "./world.ts";

const DAY = 24 * 60 * 60 * 1000;

/** The built-in sample: 50 users with three interactions each. */
export function sampleInteractions(): InteractionRow[] {
  const rows: InteractionRow[] = [];
  for (let u = 1; u <= 50; u++) {
    for (let i = 0; i < 3; i++) {
      rows.push({
        userId: `user-${String(u).padStart(3, "0")}`,
        itemId: `item-${(u * 7 + i * 13) % 100}`,
        timestamp: 1700000000 + u * 100 + i,
      });
    }
  }
  return rows;
}

/**
 * The sample world of a dataset group: an interactions dataset, a custom solution with an ACTIVE version
 * trained a day ago on every user, a campaign serving it (and, with `followingCampaign`, a second one
 * that follows the latest version), and a finished batch inference job on that version.
 */
export function seedWorld(
  world: World,
  datasetGroupArn: string,
  name: string,
  now: number,
  followingCampaign = false,
): void {
  const at = now - DAY;
  // The group a minute before its dataset, as it has to exist first.
  world.datasetGroups.set(datasetGroupArn, { datasetGroupArn, name, createdAt: at - 60_000 });
  const datasetArn = world.arn(`dataset/${name}/INTERACTIONS`);
  world.datasets.set(datasetArn, {
    datasetArn,
    name: `${name}-interactions`,
    datasetType: "Interactions",
    datasetGroupArn,
    createdAt: at,
  });
  const solutionArn = world.arn(`solution/${name}-solution`);
  world.solutions.set(solutionArn, {
    solutionArn,
    name: `${name}-solution`,
    datasetGroupArn,
    recipeArn: "arn:aws:personalize:::recipe/aws-user-personalization-v2",
    createdAt: at,
  });
  const version = world.train(solutionArn, datasetGroupArn, "FULL", at, undefined);
  version.status = "ACTIVE";
  version.updatedAt = at + 60_000;
  const serve = (campaignName: string, sync: boolean) => {
    const campaignArn = world.arn(`campaign/${campaignName}`);
    world.campaigns.set(campaignArn, {
      campaignArn,
      name: campaignName,
      solutionArn,
      solutionVersionArn: version.solutionVersionArn,
      syncWithLatestSolutionVersion: sync,
      status: "ACTIVE",
      createdAt: at + 120_000,
      updatedAt: at + 120_000,
      moves: [],
    });
  };
  serve(`${name}-campaign`, false);
  if (followingCampaign) serve(`${name}-following-campaign`, true);
  const batchArn = world.arn(`batch-inference-job/${name}-batch-recommendations`);
  world.batchJobs.set(batchArn, {
    arn: batchArn,
    kind: "inference",
    jobName: `${name}-batch-recommendations`,
    solutionVersionArn: version.solutionVersionArn,
    status: "ACTIVE",
    createdAt: at + 180_000,
    updatedAt: at + 240_000,
  });
}

/**
 * Creates the dataset group `name` with `rows` (the sample's by default) and its sample world; answers its
 * ARN.
 */
export function seedDatasetGroup(
  state: EmulatorState,
  name: string,
  rows: InteractionRow[] | undefined,
  now: number,
  followingCampaign?: boolean,
): string {
  const arn = state.datasetGroupArn(name);
  state.datasetGroups.set(arn, rows ?? sampleInteractions());
  seedWorld(state.world, arn, name, now, followingCampaign);
  return arn;
}
