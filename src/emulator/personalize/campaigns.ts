// Campaigns: ListCampaigns, DescribeCampaign, and UpdateCampaign, which moves a campaign to an ACTIVE
// version of its own solution once the world's clock finishes the update.
import { jsonError, jsonOk } from "../wire.ts";
import { type GroupContext, notFound, type Operation } from "./common.ts";
import { page, seqOf } from "./paging.ts";
import { campaignWire } from "./wire.ts";

/** The campaign operations over `context`'s world. */
export function campaignOperations({ state, hooks, tokens }: GroupContext): Record<string, Operation> {
  const world = state.world;
  return {
    ListCampaigns(input) {
      const items = [...world.campaigns.values()]
        .filter((c) => !input.solutionArn || c.solutionArn === input.solutionArn)
        .map((c) => ({ seq: seqOf(c.campaignArn, world.campaigns), wire: campaignWire(c, false) }));
      return page(tokens, "campaigns", items, input, input.solutionArn as string | undefined);
    },
    DescribeCampaign({ campaignArn }) {
      const c = world.campaigns.get(campaignArn as string);
      return c ? jsonOk({ campaign: campaignWire(c, true) }) : notFound(campaignArn);
    },
    UpdateCampaign(input) {
      const campaign = world.campaigns.get(input.campaignArn as string);
      if (!campaign) return notFound(input.campaignArn);
      if (campaign.update && /PENDING|IN_PROGRESS/.test(campaign.update.status)) {
        return jsonError(
          400,
          "ResourceInUseException",
          `Campaign ${campaign.campaignArn} has an update in progress`,
        );
      }
      const target = (input.solutionVersionArn as string | undefined) ?? campaign.solutionVersionArn;
      const version = world.versions.get(target);
      if (!version) return notFound(target);
      if (version.solutionArn !== campaign.solutionArn || version.status !== "ACTIVE") {
        return jsonError(
          400,
          "InvalidInputException",
          `Solution version ${target} is not an ACTIVE version of the campaign's solution`,
        );
      }
      world.updateCampaign(campaign, target, hooks.now());
      hooks.changed();
      return jsonOk({ campaignArn: campaign.campaignArn });
    },
  };
}
