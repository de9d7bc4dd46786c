// The emulator's erasure operations through the official AWS SDK v3 client (its own signer, serializer,
// paginators and error parsing): what passes here is what the SDK accepts from AWS.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateDatasetImportJobCommand,
  CreateSolutionVersionCommand,
  DescribeCampaignCommand,
  DescribeDatasetGroupCommand,
  DescribeDatasetImportJobCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
  InvalidInputException,
  InvalidNextTokenException,
  ListBatchInferenceJobsCommand,
  ListBatchSegmentJobsCommand,
  ListCampaignsCommand,
  ListDatasetImportJobsCommand,
  ListDatasetsCommand,
  ListRecommendersCommand,
  ListSolutionsCommand,
  ListSolutionVersionsCommand,
  PersonalizeClient,
  paginateListSolutionVersions,
  ResourceAlreadyExistsException,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateCampaignCommand,
} from "@aws-sdk/client-personalize";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeImportRole";
let running: RunningEmulator;
let dsg: string;
let solutionArn: string;
let campaignArn: string;
const personalize = () =>
  new PersonalizeClient({
    region: "us-east-1",
    endpoint: running.endpoint,
    credentials: creds,
    maxAttempts: 1,
  });

beforeAll(async () => {
  running = await startEmulator({ port: 0, jobSeconds: 0, trainingSeconds: 1, campaignSeconds: 1 });
  dsg = running.emulator.datasetGroupArn;
  solutionArn = dsg.replace(/dataset-group\/(.*)$/, "solution/$1-solution");
  campaignArn = dsg.replace(/dataset-group\/(.*)$/, "campaign/$1-campaign");
});
afterAll(() => running.close());

async function until<T>(look: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await look();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("never reached");
}

describe("the emulator's erasure operations, through the AWS SDK", () => {
  test("the seeded world: dataset group, interactions dataset, solution, an ACTIVE version, a campaign, a batch job", async () => {
    const c = personalize();
    const { datasetGroup } = await c.send(new DescribeDatasetGroupCommand({ datasetGroupArn: dsg }));
    expect(datasetGroup).toMatchObject({ datasetGroupArn: dsg, status: "ACTIVE" });
    const { datasets } = await c.send(new ListDatasetsCommand({ datasetGroupArn: dsg }));
    expect(datasets?.map((d) => d.datasetType)).toEqual(["Interactions"]);
    const { solutions } = await c.send(new ListSolutionsCommand({ datasetGroupArn: dsg }));
    expect(solutions?.map((s) => s.solutionArn)).toEqual([solutionArn]);
    const { solution } = await c.send(new DescribeSolutionCommand({ solutionArn }));
    expect(solution?.latestSolutionVersion?.status).toBe("ACTIVE");
    const { solutionVersions } = await c.send(new ListSolutionVersionsCommand({ solutionArn }));
    expect(solutionVersions?.[0]?.creationDateTime).toBeInstanceOf(Date);
    const { campaign } = await c.send(new DescribeCampaignCommand({ campaignArn }));
    expect(campaign?.solutionVersionArn).toBe(solutionVersions?.[0]?.solutionVersionArn);
    expect(campaign?.campaignConfig?.syncWithLatestSolutionVersion).toBe(false);
    const batch = await c.send(
      new ListBatchInferenceJobsCommand({ solutionVersionArn: solutionVersions?.[0]?.solutionVersionArn }),
    );
    expect(batch.batchInferenceJobs?.[0]?.batchInferenceJobArn).toContain(":batch-inference-job/");
    expect((await c.send(new ListBatchSegmentJobsCommand({}))).batchSegmentJobs).toEqual([]);
    expect((await c.send(new ListRecommendersCommand({ datasetGroupArn: dsg }))).recommenders).toEqual([]);
    expect((await c.send(new ListCampaignsCommand({ solutionArn }))).campaigns).toHaveLength(1);
  });

  test("DescribeDatasetGroup has real times: the group made before its dataset, in the past", async () => {
    const c = personalize();
    const { datasetGroup } = await c.send(new DescribeDatasetGroupCommand({ datasetGroupArn: dsg }));
    const { datasets } = await c.send(new ListDatasetsCommand({ datasetGroupArn: dsg }));
    const created = datasetGroup?.creationDateTime?.getTime() ?? 0;
    expect(created).toBeGreaterThan(Date.UTC(2020, 0, 1));
    expect(created).toBeLessThan(datasets?.[0]?.creationDateTime?.getTime() ?? 0);
    expect(datasetGroup?.lastUpdatedDateTime?.getTime()).toBeGreaterThanOrEqual(created);
    expect(datasetGroup?.lastUpdatedDateTime?.getTime()).toBeLessThanOrEqual(Date.now());
  });

  test("ListSolutionVersions of an unknown solution is ResourceNotFound; Lists whose model declares no such error list nothing", async () => {
    const c = personalize();
    const unknownSolution = `${solutionArn}-never-made`;
    await expect(
      c.send(new ListSolutionVersionsCommand({ solutionArn: unknownSolution })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await c.send(new ListCampaignsCommand({ solutionArn: unknownSolution }))).campaigns).toEqual([]);
    const unknownGroup = `${dsg}-never-made`;
    expect((await c.send(new ListDatasetsCommand({ datasetGroupArn: unknownGroup }))).datasets).toEqual([]);
    expect((await c.send(new ListSolutionsCommand({ datasetGroupArn: unknownGroup }))).solutions).toEqual([]);
  });

  test("CreateSolutionVersion trains to ACTIVE; a second while one trains is ResourceInUse; a name twice is ResourceAlreadyExists", async () => {
    const c = personalize();
    const { solutionVersionArn } = await c.send(
      new CreateSolutionVersionCommand({ solutionArn, name: "sdk-v2", trainingMode: "FULL" }),
    );
    expect(solutionVersionArn?.startsWith(`${solutionArn}/`)).toBe(true);
    await expect(
      c.send(new CreateSolutionVersionCommand({ solutionArn, name: "sdk-v3" })),
    ).rejects.toBeInstanceOf(ResourceInUseException);
    const active = await until(
      () => c.send(new DescribeSolutionVersionCommand({ solutionVersionArn })),
      (r) => r.solutionVersion?.status === "ACTIVE",
    );
    expect(active.solutionVersion).toMatchObject({ name: "sdk-v2", trainingMode: "FULL", solutionArn });
    await expect(
      c.send(new CreateSolutionVersionCommand({ solutionArn, name: "sdk-v2" })),
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(
      c.send(new CreateSolutionVersionCommand({ solutionArn, trainingMode: "NIGHTLY" as "FULL" })),
    ).rejects.toBeInstanceOf(InvalidInputException);
    const all = [];
    for await (const page of paginateListSolutionVersions({ client: c, pageSize: 1 }, { solutionArn })) {
      all.push(...(page.solutionVersions ?? []));
    }
    expect(all.map((v) => v.solutionVersionArn)).toContain(solutionVersionArn);
    expect(all.length).toBe(2);
    await expect(
      c.send(new ListSolutionVersionsCommand({ solutionArn, nextToken: "forged" })),
    ).rejects.toBeInstanceOf(InvalidNextTokenException);
  });

  test("UpdateCampaign moves the campaign after its update is ACTIVE; one in progress refuses another", async () => {
    const c = personalize();
    const { solutionVersions } = await c.send(new ListSolutionVersionsCommand({ solutionArn }));
    const newest = solutionVersions?.[0]?.solutionVersionArn;
    await c.send(new UpdateCampaignCommand({ campaignArn, solutionVersionArn: newest }));
    const during = await c.send(new DescribeCampaignCommand({ campaignArn }));
    expect(during.campaign?.status).toBe("ACTIVE");
    expect(during.campaign?.latestCampaignUpdate).toMatchObject({
      solutionVersionArn: newest,
      status: "CREATE PENDING",
    });
    expect(during.campaign?.solutionVersionArn).not.toBe(newest);
    await expect(
      c.send(new UpdateCampaignCommand({ campaignArn, solutionVersionArn: newest })),
    ).rejects.toBeInstanceOf(ResourceInUseException);
    const after = await until(
      () => c.send(new DescribeCampaignCommand({ campaignArn })),
      (r) => r.campaign?.latestCampaignUpdate?.status === "ACTIVE",
    );
    expect(after.campaign?.solutionVersionArn).toBe(newest);
    await expect(
      c.send(new UpdateCampaignCommand({ campaignArn: `${campaignArn}-gone`, solutionVersionArn: newest })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test("CreateDatasetImportJob reads USER_ID,ITEM_ID,TIMESTAMP rows from S3 and adds the users", async () => {
    const s3 = new S3Client({
      region: "us-east-1",
      endpoint: running.endpoint,
      forcePathStyle: true,
      credentials: creds,
    });
    await s3.send(
      new PutObjectCommand({
        Bucket: running.emulator.bucket,
        Key: "imports/new.csv",
        Body: "USER_ID,ITEM_ID,TIMESTAMP\nnewcomer-1,item-1,1700000000\n",
      }),
    );
    const c = personalize();
    const { datasets } = await c.send(new ListDatasetsCommand({ datasetGroupArn: dsg }));
    const datasetArn = datasets?.[0]?.datasetArn;
    const { datasetImportJobArn } = await c.send(
      new CreateDatasetImportJobCommand({
        jobName: "sdk-import",
        datasetArn,
        dataSource: { dataLocation: `s3://${running.emulator.bucket}/imports/new.csv` },
        roleArn: ROLE,
      }),
    );
    const done = await until(
      () => c.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })),
      (r) => r.datasetImportJob?.status === "ACTIVE",
    );
    expect(done.datasetImportJob?.dataSource?.dataLocation).toBe(
      `s3://${running.emulator.bucket}/imports/new.csv`,
    );
    const listed = await c.send(new ListDatasetImportJobsCommand({ datasetArn }));
    expect(listed.datasetImportJobs?.map((j) => j.jobName)).toEqual(["sdk-import"]);
    expect(running.emulator.state.users(dsg)).toContain("newcomer-1");
  });

  test("state with --data-dir: datasets, versions and campaigns survive a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pdd-world-"));
    let emu = await startEmulator({ port: 0, jobSeconds: 0, trainingSeconds: 0, dataDir: dir });
    try {
      const sArn = emu.emulator.datasetGroupArn.replace(/dataset-group\/(.*)$/, "solution/$1-solution");
      const client = new PersonalizeClient({
        region: "us-east-1",
        endpoint: emu.endpoint,
        credentials: creds,
      });
      const { solutionVersionArn } = await client.send(
        new CreateSolutionVersionCommand({ solutionArn: sArn, name: "kept" }),
      );
      const port = emu.port;
      await emu.close();
      emu = await startEmulator({ port, jobSeconds: 0, trainingSeconds: 0, dataDir: dir });
      const again = new PersonalizeClient({
        region: "us-east-1",
        endpoint: emu.endpoint,
        credentials: creds,
      });
      const { solutionVersion } = await again.send(
        new DescribeSolutionVersionCommand({ solutionVersionArn }),
      );
      expect(solutionVersion?.name).toBe("kept");
      const { solutionVersions } = await again.send(new ListSolutionVersionsCommand({ solutionArn: sArn }));
      expect(solutionVersions).toHaveLength(2);
    } finally {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
