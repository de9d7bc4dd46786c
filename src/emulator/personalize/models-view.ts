// The emulator's own view of a dataset group's models (GET /_emulator/models): which users each solution
// version was trained on and which version each campaign serves, what no AWS API shows and tests ask.
import type { World } from "./world.ts";

/** Each solution version's users and each campaign's version, for the dataset group's solutions. */
export function modelsView(world: World, datasetGroupArn: string) {
  const solutions = new Set(
    [...world.solutions.values()]
      .filter((s) => s.datasetGroupArn === datasetGroupArn)
      .map((s) => s.solutionArn),
  );
  return {
    solutionVersions: [...world.versions.values()]
      .filter((v) => solutions.has(v.solutionArn))
      .map((v) => ({
        solutionVersionArn: v.solutionVersionArn,
        solutionArn: v.solutionArn,
        status: v.status,
        users: v.users,
      })),
    campaigns: [...world.campaigns.values()]
      .filter((c) => solutions.has(c.solutionArn))
      .map((c) => ({
        campaignArn: c.campaignArn,
        solutionVersionArn: c.solutionVersionArn,
        status: c.status,
      })),
  };
}
