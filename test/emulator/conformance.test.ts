// Every Personalize operation the emulator answers, checked against the output shapes of botocore's model:
// by the project's own checker over the model fixtures, and, where python3 has botocore, by botocore itself
// (its JSON parser and validator over its bundled model). A member AWS does not send, a wrong type, a
// missing or zero time, or an error the operation does not declare all fail here.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AwsClient } from "aws4fetch";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { conformanceProblems, type ServiceModel } from "./model-conformance.ts";

const here = import.meta.dir;
const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as ServiceModel;
const fixtures = [
  join(here, "../fixtures/model/personalize-erasure.service-2.json"),
  join(here, "fixtures/personalize-tags.service-2.json"),
].map(read);
const model: ServiceModel = {
  operations: Object.assign({}, ...fixtures.map((m) => m.operations)),
  shapes: Object.assign({}, ...fixtures.map((m) => m.shapes)),
};
const hasBotocore = spawnSync("python3", ["-c", "import botocore"]).status === 0;
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeRole";

interface Answer {
  operation: string;
  status: number;
  body: string;
}
let running: RunningEmulator;
const answers: Answer[] = [];
const aws = new AwsClient({
  accessKeyId: "test",
  secretAccessKey: "test",
  region: "us-east-1",
  service: "personalize",
});

async function call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await aws.fetch(running.endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AmazonPersonalize.${operation}`,
    },
    body: JSON.stringify(input),
  });
  const body = await response.text();
  answers.push({ operation, status: response.status, body });
  return JSON.parse(body);
}

beforeAll(async () => {
  running = await startEmulator({
    port: 0,
    jobSeconds: 0,
    trainingSeconds: 0,
    campaignSeconds: 0,
    followingCampaign: true,
  });
  const dsg = running.emulator.datasetGroupArn;
  const world = running.emulator.state.world;
  const [datasetArn] = world.datasets.keys();
  const [solutionArn] = world.solutions.keys();
  const [campaignArn] = world.campaigns.keys();
  const bucket = running.emulator.bucket;
  const missing = dsg.replace(/dataset-group\/.*$/, "solution/never-made");

  // Everything first made, so every answer has its fullest form (failure reasons, updates, tags).
  const { dataDeletionJobArn } = await call("CreateDataDeletionJob", {
    jobName: "conformance",
    datasetGroupArn: dsg,
    dataSource: { dataLocation: `s3://${bucket}/absent.csv` },
    roleArn: ROLE,
    tags: [{ tagKey: "erasure-user-count", tagValue: "1" }],
  });
  const { datasetImportJobArn } = await call("CreateDatasetImportJob", {
    jobName: "conformance",
    datasetArn,
    dataSource: { dataLocation: `s3://${bucket}/absent/` },
    roleArn: ROLE,
  });
  const { solutionVersionArn } = await call("CreateSolutionVersion", { solutionArn, name: "conformance" });
  await call("UpdateCampaign", { campaignArn, solutionVersionArn });
  const [seededVersionArn] = world.versions.keys();
  // One batch job fails (nothing under its input) so its answer carries a failureReason.
  const batchJob = (path: string) => ({
    jobName: "conformance",
    solutionVersionArn: seededVersionArn,
    roleArn: ROLE,
    numResults: 5,
    jobInput: { s3DataSource: { path: `s3://${bucket}/${path}` } },
    jobOutput: { s3DataDestination: { path: `s3://${bucket}/out/` } },
  });
  const items = new TextEncoder().encode('{"itemId":"item-1"}\n');
  running.emulator.state.writeObject(bucket, "items.json", items, "application/json", Date.now());
  const { batchInferenceJobArn } = await call("CreateBatchInferenceJob", batchJob("absent/"));
  const { batchSegmentJobArn } = await call("CreateBatchSegmentJob", batchJob("items.json"));
  const { datasetExportJobArn } = await call("CreateDatasetExportJob", {
    jobName: "conformance",
    datasetArn,
    roleArn: ROLE,
    ingestionMode: "BULK",
    jobOutput: { s3DataDestination: { path: `s3://${bucket}/exports/` } },
  });
  await call("TagResource", { resourceArn: dsg, tags: [{ tagKey: "env", tagValue: "test" }] });
  await call("UntagResource", { resourceArn: dsg, tagKeys: ["env"] });

  await call("DescribeDataDeletionJob", { dataDeletionJobArn });
  await call("ListDataDeletionJobs", { datasetGroupArn: dsg, maxResults: 1 });
  await call("ListTagsForResource", { resourceArn: dataDeletionJobArn });
  await call("DescribeDatasetGroup", { datasetGroupArn: dsg });
  await call("ListDatasets", { datasetGroupArn: dsg });
  await call("ListDatasetImportJobs", { datasetArn });
  await call("DescribeDatasetImportJob", { datasetImportJobArn });
  await call("ListSolutions", { datasetGroupArn: dsg });
  await call("DescribeSolution", { solutionArn });
  await call("ListSolutionVersions", { solutionArn });
  await call("DescribeSolutionVersion", { solutionVersionArn });
  await call("ListCampaigns", { solutionArn });
  await call("DescribeCampaign", { campaignArn });
  await call("ListRecommenders", { datasetGroupArn: dsg });
  await call("ListBatchInferenceJobs", {});
  await call("ListBatchSegmentJobs", {});
  await call("DescribeBatchInferenceJob", { batchInferenceJobArn });
  await call("DescribeBatchSegmentJob", { batchSegmentJobArn });
  await call("DescribeDatasetExportJob", { datasetExportJobArn });
  await call("ListDatasetExportJobs", { datasetArn });
  const { dataset } = await call("DescribeDataset", { datasetArn });
  await call("DescribeSchema", { schemaArn: (dataset as { schemaArn: string }).schemaArn });
  // Errors, each of which its operation must declare.
  await call("DescribeRecommender", { recommenderArn: dsg.replace("dataset-group", "recommender") });
  await call("ListSolutionVersions", { solutionArn: missing });
  await call("DescribeSolution", { solutionArn: missing });
  await call("ListTagsForResource", { resourceArn: missing });
  await call("TagResource", { resourceArn: dsg, tags: [{ tagKey: "aws:x", tagValue: "y" }] });
  await call("ListDataDeletionJobs", { nextToken: "not-a-token" });
  await call("CreateSolutionVersion", { solutionArn, name: "conformance" });
});
afterAll(() => running.close());

describe("answers as botocore's model shapes them", () => {
  test("every operation the emulator implements was called, and answered", () => {
    const called = new Set(answers.map((a) => a.operation));
    expect([...called].sort()).toEqual(Object.keys(model.operations).sort());
  });

  test("each success has only the output shape's members, typed as the model says, with every time", () => {
    const problems = answers
      .filter((a) => a.status === 200)
      .flatMap((a) => {
        const shape = model.operations[a.operation]?.output?.shape as string;
        return conformanceProblems(model, shape, JSON.parse(a.body)).map((p) => `${a.operation}${p}`);
      });
    expect(problems).toEqual([]);
  });

  test("each error is one its operation declares, answered as 400 with __type and message", () => {
    const errors = answers.filter((a) => a.status !== 200);
    expect(errors.length).toBe(7);
    for (const a of errors) {
      const { __type, message } = JSON.parse(a.body) as { __type: string; message: string };
      const declared = model.operations[a.operation]?.errors?.map((e) => e.shape);
      expect({ operation: a.operation, status: a.status, declared: declared?.includes(__type) }).toEqual({
        operation: a.operation,
        status: 400,
        declared: true,
      });
      expect(typeof message).toBe("string");
    }
  });

  test("the checker itself refuses a member AWS does not send, a wrong type, a zero time", () => {
    const bad = { datasetGroup: { name: 1, creationDateTime: 0, colour: "red" } };
    expect(conformanceProblems(model, "DescribeDatasetGroupResponse", bad)).toEqual([
      ".datasetGroup.name: expected a string (Name), got 1",
      ".datasetGroup.creationDateTime: expected epoch seconds after 1970 (Date), got 0",
      ".datasetGroup.colour: not a member of DatasetGroup",
      ".datasetGroup.lastUpdatedDateTime: DatasetGroup has it, missing",
    ]);
  });

  test.skipIf(!hasBotocore)("botocore parses and validates every answer against its own model", () => {
    const run = spawnSync("python3", [join(here, "botocore-check.py")], {
      input: JSON.stringify(answers),
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual([]);
  });
});
