// The Personalize routing (src/emulator/personalize-service.ts) and its operation groups under
// src/emulator/personalize/ are driven through @aws-sdk/client-personalize by: sdk.test.ts (deletion jobs,
// validation, paging), models-sdk.test.ts (datasets and imports, solutions and versions, campaigns,
// recommenders and batch jobs), tags.test.ts (tags), exact-ids.test.ts (input reading), and
// conformance.test.ts (every answer held to the model's output shapes). Here: what only the routing
// decides, that every operation validated has a group to answer it and nothing else is served.
import { describe, expect, test } from "bun:test";
import {
  INPUT_SCHEMAS,
  personalizeOperations,
  personalizeService,
} from "../../src/emulator/personalize-service.ts";
import { EmulatorState } from "../../src/emulator/state.ts";

function service() {
  const state = new EmulatorState({
    region: "us-east-1",
    accountId: "123456789012",
    jobSeconds: 0,
    pendingLimit: 5,
    maxInputBytes: 1024,
    trainingSeconds: 0,
    campaignSeconds: 0,
  });
  let advanced = 0;
  const hooks = {
    now: () => 1_800_000_000_000,
    changed() {},
    async advance() {
      advanced++;
    },
  };
  return { state, hooks, advanced: () => advanced };
}

describe("the Personalize routing", () => {
  test("every operation with an input schema has exactly one group answering it, and no group more", () => {
    const { state, hooks } = service();
    const { operations } = personalizeOperations(state, hooks);
    expect(Object.keys(operations).sort()).toEqual(Object.keys(INPUT_SCHEMAS).sort());
    expect(Object.keys(operations)).toContain("CreateDataDeletionJob");
    expect(Object.keys(operations)).toContain("UntagResource");
    expect(Object.keys(operations)).toContain("UpdateCampaign");
  });

  test("only the models groups move the clock again after an answer (a deletion job does it itself)", () => {
    const { state, hooks } = service();
    const { advancesAfter } = personalizeOperations(state, hooks);
    expect(advancesAfter("CreateSolutionVersion")).toBe(true);
    expect(advancesAfter("ListBatchSegmentJobs")).toBe(true);
    expect(advancesAfter("CreateDataDeletionJob")).toBe(false);
    expect(advancesAfter("TagResource")).toBe(false);
  });

  test.each([
    "AmazonPersonalize.toString",
    "AmazonPersonalize.constructor",
    "AmazonPersonalize.__proto__",
    "AmazonPersonalize.CreateCampaign",
    "Other.ListDataDeletionJobs",
  ])("%s is UnknownOperationException, without moving the clock", async (target) => {
    const { state, hooks, advanced } = service();
    const answer = await personalizeService(state, hooks)(target, {});
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { __type: string }).__type).toBe("UnknownOperationException");
    expect(advanced()).toBe(0);
  });

  test("input is validated before the clock moves or a group is called", async () => {
    const { state, hooks, advanced } = service();
    const answer = await personalizeService(state, hooks)("AmazonPersonalize.DescribeCampaign", {});
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as { __type: string; message: string };
    expect(body.__type).toBe("InvalidInputException");
    expect(body.message).toContain("campaignArn");
    expect(advanced()).toBe(0);
  });
});
