// The library's validation messages: every pattern of the models is said in words, the words are the ones
// RULES_IN_WORDS publishes, and the emulator still answers with the pattern in AWS's own wording.
import { describe, expect, test } from "bun:test";
import { PersonalizeClient, UpdateCampaignCommand } from "@aws-sdk/client-personalize";
import { startEmulator } from "../../src/emulator/index.ts";
import { RULES_IN_WORDS, ValidationError } from "../../src/index.ts";
import { shapes } from "../../src/model/deletion.ts";
import { erasureShapes } from "../../src/model/erasure.ts";
import {
  CreateDataDeletionJobInputSchema,
  erasureInputSchema,
  JobNameSchema,
  ListDataDeletionJobsInputSchema,
  validate,
} from "../../src/model/schemas.ts";

const GROUP = "arn:aws:personalize:us-east-1:123456789012:dataset-group/shop";
const CREATE = {
  jobName: "erase-1",
  datasetGroupArn: GROUP,
  dataSource: { dataLocation: "s3://my-bucket/erase/users.csv" },
  roleArn: "arn:aws:iam::123456789012:role/PersonalizeRole",
};

function issueOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues[0];
  }
  throw new Error("no ValidationError");
}

describe("the model's patterns in words", () => {
  test("every pattern of the deletion and erasure models has words, found by the shape that carries it", () => {
    const patterns = new Set<string>();
    for (const table of [shapes, erasureShapes] as Record<string, { pattern?: string }>[]) {
      for (const shape of Object.values(table)) if (shape.pattern) patterns.add(shape.pattern);
    }
    const said = new Set(
      Object.keys(RULES_IN_WORDS).map(
        (name) => (shapes as Record<string, { pattern?: string }>)[name]?.pattern,
      ),
    );
    expect(patterns.size).toBeGreaterThanOrEqual(6);
    expect([...patterns].filter((p) => !said.has(p))).toEqual([]);
  });

  test("a job name, a role ARN, a page token: the rule in words and what was received", () => {
    expect(issueOf(() => validate(JobNameSchema, "-bad name", "jobName"))).toEqual({
      path: "(input)",
      rule: RULES_IN_WORDS.Name,
      received: '"-bad name"',
    });
    expect(
      issueOf(() =>
        validate(CreateDataDeletionJobInputSchema, { ...CREATE, roleArn: "PersonalizeRole" }, "Create"),
      ),
    ).toEqual({ path: "roleArn", rule: RULES_IN_WORDS.RoleArn, received: '"PersonalizeRole"' });
    expect(issueOf(() => validate(ListDataDeletionJobsInputSchema, { nextToken: "tokén" }, "List"))).toEqual({
      path: "nextToken",
      rule: RULES_IN_WORDS.NextToken,
      received: '"tok\\u00e9n"',
    });
  });

  test("a tag key's rule in words, its value still not shown (the model marks it sensitive)", () => {
    const issue = issueOf(() =>
      validate(
        CreateDataDeletionJobInputSchema,
        { ...CREATE, tags: [{ tagKey: "team#1", tagValue: "x" }] },
        "Create",
      ),
    );
    expect(issue).toEqual({
      path: "tags.0.tagKey",
      rule: RULES_IN_WORDS.TagKey,
      received: "a value of 6 characters (not shown: the model marks it sensitive)",
    });
  });

  test("the erasure's operations say it in words too (UpdateCampaign's campaignArn)", () => {
    const issue = issueOf(() =>
      validate(
        erasureInputSchema("UpdateCampaign"),
        { campaignArn: "shop-campaign", solutionVersionArn: "arn:aws:personalize:us-east-1:1:x/y" },
        "UpdateCampaign",
      ),
    );
    expect(issue).toEqual({ path: "campaignArn", rule: RULES_IN_WORDS.Arn, received: '"shop-campaign"' });
    expect(issue?.rule).not.toContain("pattern");
  });
});

test("the emulator still answers a broken pattern as AWS does, with the pattern itself", async () => {
  const running = await startEmulator({ port: 0, jobSeconds: 0 });
  try {
    const client = new PersonalizeClient({
      region: "us-east-1",
      endpoint: running.endpoint,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    const error = await client.send(new UpdateCampaignCommand({ campaignArn: "shop-campaign" })).then(
      () => new Error("UpdateCampaign was accepted"),
      (e: Error) => e,
    );
    expect(error.name).toBe("InvalidInputException");
    expect(error.message).toContain(
      "Value 'shop-campaign' at 'campaignArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:([a-z\\d-]+):personalize:.*:.*:.+",
    );
  } finally {
    await running.close();
  }
});
