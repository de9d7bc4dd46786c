// The emulator's batch inference, batch segment and dataset export jobs, DescribeDataset and DescribeSchema,
// through the AWS SDK v3 clients: each job on the job clock (a clock the test moves), its output read back
// with the S3 SDK. And the sample's data outside Personalize (`outsideData`), which is opt-in.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CreateBatchInferenceJobCommand,
  CreateBatchSegmentJobCommand,
  CreateDatasetExportJobCommand,
  DescribeBatchInferenceJobCommand,
  DescribeBatchSegmentJobCommand,
  DescribeDatasetCommand,
  DescribeDatasetExportJobCommand,
  DescribeDatasetImportJobCommand,
  DescribeSchemaCommand,
  ListBatchInferenceJobsCommand,
  ListBatchSegmentJobsCommand,
  ListDatasetExportJobsCommand,
  ListDatasetImportJobsCommand,
  ListSolutionVersionsCommand,
  PersonalizeClient,
  ResourceAlreadyExistsException,
} from "@aws-sdk/client-personalize";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeRole";
const clients = (running: RunningEmulator) => ({
  personalize: new PersonalizeClient({
    region: "us-east-1",
    endpoint: running.endpoint,
    credentials: creds,
    maxAttempts: 1,
  }),
  s3: new S3Client({
    region: "us-east-1",
    endpoint: running.endpoint,
    credentials: creds,
    forcePathStyle: true,
    maxAttempts: 1,
  }),
});
const text = async (s3: S3Client, Bucket: string, Key: string) =>
  (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToString() as Promise<string>;
const jsonLines = (body: string) =>
  body
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe("jobs on the clock", () => {
  let running: RunningEmulator;
  // Near the real time: the emulator checks request signatures against its own clock.
  let clock = Date.now();
  let c: ReturnType<typeof clients>;
  let versionArn: string;
  let datasetArn: string;
  let bucket: string;
  beforeAll(async () => {
    running = await startEmulator({ port: 0, jobSeconds: 60, now: () => clock });
    c = clients(running);
    bucket = running.emulator.bucket;
    [versionArn] = [...running.emulator.state.world.versions.keys()] as [string];
    [datasetArn] = [...running.emulator.state.world.datasets.keys()] as [string];
  });
  afterAll(() => running.close());

  test("a batch inference job reads every file under its input prefix and writes one .out per file", async () => {
    const { personalize, s3 } = c;
    const put = (Key: string, Body: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    await put("in/a.json", '{"userId":"user-001"}\n{"userId":"user-002"}\n');
    await put("in/b.json", '{"userId":"user-003"}\r\n\r\nnot json\n');
    const { batchInferenceJobArn } = await personalize.send(
      new CreateBatchInferenceJobCommand({
        jobName: "recs",
        solutionVersionArn: versionArn,
        roleArn: ROLE,
        numResults: 5,
        jobInput: { s3DataSource: { path: `s3://${bucket}/in/` } },
        jobOutput: { s3DataDestination: { path: `s3://${bucket}/out/` } },
      }),
    );
    const describe = () => personalize.send(new DescribeBatchInferenceJobCommand({ batchInferenceJobArn }));
    expect((await describe()).batchInferenceJob?.status).toBe("CREATE PENDING");
    clock += 20_000;
    expect((await describe()).batchInferenceJob?.status).toBe("CREATE IN_PROGRESS");
    clock += 40_000;
    const { batchInferenceJob: job } = await describe();
    expect(job).toMatchObject({
      jobName: "recs",
      status: "ACTIVE",
      numResults: 5,
      roleArn: ROLE,
      batchInferenceJobMode: "BATCH_INFERENCE",
      jobInput: { s3DataSource: { path: `s3://${bucket}/in/` } },
      jobOutput: { s3DataDestination: { path: `s3://${bucket}/out/` } },
    });
    expect(job?.lastUpdatedDateTime?.getTime()).toBe(clock);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "out/" }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["out/a.json.out", "out/b.json.out"]);
    const a = jsonLines(await text(s3, bucket, "out/a.json.out"));
    expect(a.map((l) => l.input)).toEqual([{ userId: "user-001" }, { userId: "user-002" }]);
    const items = new Set(
      running.emulator.state.datasetGroups.get(running.emulator.datasetGroupArn)?.map((r) => r.itemId),
    );
    for (const line of a) {
      expect(line.error).toBeNull();
      expect(line.output.recommendedItems).toHaveLength(5);
      expect(line.output.scores).toHaveLength(5);
      for (const item of line.output.recommendedItems) expect(items.has(item)).toBe(true);
    }
    const b = jsonLines(await text(s3, bucket, "out/b.json.out"));
    expect(b.map((l) => [l.input, l.error === null])).toEqual([
      [{ userId: "user-003" }, true],
      [null, false],
    ]);
    const { batchInferenceJobs } = await personalize.send(
      new ListBatchInferenceJobsCommand({ solutionVersionArn: versionArn }),
    );
    expect(batchInferenceJobs?.map((j) => j.jobName)).toEqual([
      "recs",
      "emulator-sample-batch-recommendations",
    ]);
    await expect(
      personalize.send(
        new CreateBatchInferenceJobCommand({
          jobName: "recs",
          solutionVersionArn: versionArn,
          roleArn: ROLE,
          jobInput: { s3DataSource: { path: `s3://${bucket}/in/` } },
          jobOutput: { s3DataDestination: { path: `s3://${bucket}/out/` } },
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  test("the same input gives the same recommendations; an input path with nothing under it fails the job", async () => {
    const { personalize, s3 } = c;
    const create = (jobName: string, input: string) =>
      personalize.send(
        new CreateBatchInferenceJobCommand({
          jobName,
          solutionVersionArn: versionArn,
          roleArn: ROLE,
          numResults: 5,
          jobInput: { s3DataSource: { path: `s3://${bucket}/${input}` } },
          jobOutput: { s3DataDestination: { path: `s3://${bucket}/again` } },
        }),
      );
    await create("again", "in/a.json");
    const { batchInferenceJobArn } = await create("nothing", "absent/");
    clock += 60_000;
    expect(await text(s3, bucket, "again/a.json.out")).toBe(await text(s3, bucket, "out/a.json.out"));
    const { batchInferenceJob } = await personalize.send(
      new DescribeBatchInferenceJobCommand({ batchInferenceJobArn }),
    );
    expect(batchInferenceJob).toMatchObject({
      status: "CREATE FAILED",
      failureReason: `Input file not found at s3://${bucket}/absent/.`,
    });
  });

  test("a batch segment job writes recommendedUsers from the version's users", async () => {
    const { personalize, s3 } = c;
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "seg/items.json",
        Body: '{"itemId":"item-7"}\n{"itemId":"item-20"}\n',
      }),
    );
    const { batchSegmentJobArn } = await personalize.send(
      new CreateBatchSegmentJobCommand({
        jobName: "segments",
        solutionVersionArn: versionArn,
        roleArn: ROLE,
        numResults: 3,
        jobInput: { s3DataSource: { path: `s3://${bucket}/seg/items.json` } },
        jobOutput: { s3DataDestination: { path: `s3://${bucket}/seg-out/` } },
      }),
    );
    clock += 60_000;
    const { batchSegmentJob } = await personalize.send(
      new DescribeBatchSegmentJobCommand({ batchSegmentJobArn }),
    );
    expect(batchSegmentJob).toMatchObject({
      status: "ACTIVE",
      numResults: 3,
      solutionVersionArn: versionArn,
    });
    const body = await text(s3, bucket, "seg-out/items.json.out");
    // The guide's spaced form, as AWS writes it.
    expect(body.split("\n")[0]).toStartWith(
      '{"input": {"itemId": "item-7"}, "output": {"recommendedUsers": ["user-',
    );
    const version = running.emulator.state.world.versions.get(versionArn);
    for (const line of jsonLines(body)) {
      expect(line.output.recommendedUsers).toHaveLength(3);
      for (const u of line.output.recommendedUsers) expect(version?.users).toContain(u);
    }
    const { batchSegmentJobs } = await personalize.send(new ListBatchSegmentJobsCommand({}));
    expect(batchSegmentJobs?.map((j) => [j.jobName, j.status])).toEqual([["segments", "ACTIVE"]]);
  });

  test("a dataset export writes the rows as CSV with a header; the default PUT mode has no rows to write", async () => {
    const { personalize, s3 } = c;
    const create = (jobName: string, ingestionMode?: "BULK") =>
      personalize.send(
        new CreateDatasetExportJobCommand({
          jobName,
          datasetArn,
          roleArn: ROLE,
          ...(ingestionMode && { ingestionMode }),
          jobOutput: { s3DataDestination: { path: `s3://${bucket}/exports/` } },
        }),
      );
    const { datasetExportJobArn } = await create("bulk", "BULK");
    await create("put");
    clock += 60_000;
    const { datasetExportJob } = await personalize.send(
      new DescribeDatasetExportJobCommand({ datasetExportJobArn }),
    );
    expect(datasetExportJob).toMatchObject({
      status: "ACTIVE",
      ingestionMode: "BULK",
      datasetArn,
      roleArn: ROLE,
    });
    const csv = await text(s3, bucket, "exports/bulk/bulk_part_00000.csv");
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).toBe("USER_ID,ITEM_ID,TIMESTAMP");
    const rows = running.emulator.state.datasetGroups.get(running.emulator.datasetGroupArn) ?? [];
    expect(lines.slice(1)).toEqual(rows.map((r) => `${r.userId},${r.itemId},${r.timestamp}`));
    expect(await text(s3, bucket, "exports/put/put_part_00000.csv")).toBe("USER_ID,ITEM_ID,TIMESTAMP\n");
    const { datasetExportJobs } = await personalize.send(new ListDatasetExportJobsCommand({ datasetArn }));
    expect(datasetExportJobs?.map((j) => j.jobName)).toEqual(["put", "bulk"]);
  });

  test("DescribeDataset names its schema; DescribeSchema holds the interactions columns in Avro JSON", async () => {
    const { personalize } = c;
    const { dataset } = await personalize.send(new DescribeDatasetCommand({ datasetArn }));
    expect(dataset).toMatchObject({ datasetArn, datasetType: "Interactions", status: "ACTIVE" });
    const { schema } = await personalize.send(new DescribeSchemaCommand({ schemaArn: dataset?.schemaArn }));
    expect(schema?.schemaArn).toBe(dataset?.schemaArn as string);
    const avro = JSON.parse(schema?.schema ?? "{}") as { fields: { name: string }[] };
    expect(avro.fields.map((f) => f.name)).toEqual(["USER_ID", "ITEM_ID", "TIMESTAMP"]);
  });
});

describe("the sample's data outside Personalize (outsideData)", () => {
  let running: RunningEmulator;
  beforeAll(async () => {
    running = await startEmulator({ port: 0, outsideData: true });
  });
  afterAll(() => running.close());

  test("a FULL import from interactions.csv, and a finished batch inference job, batch segment job and export, with their files", async () => {
    const { personalize, s3 } = clients(running);
    const dsg = running.emulator.datasetGroupArn;
    const [datasetArn] = [...running.emulator.state.world.datasets.keys()] as [string];
    const users = (await (await fetch(`${running.endpoint}/_emulator/users?datasetGroupArn=${dsg}`)).json())
      .users;
    const { datasetImportJobs } = await personalize.send(new ListDatasetImportJobsCommand({ datasetArn }));
    const { datasetImportJob } = await personalize.send(
      new DescribeDatasetImportJobCommand({
        datasetImportJobArn: datasetImportJobs?.[0]?.datasetImportJobArn,
      }),
    );
    expect(datasetImportJob).toMatchObject({ importMode: "FULL", status: "ACTIVE" });
    const [, bucket, key] =
      /^s3:\/\/([^/]+)\/(.*)$/.exec(datasetImportJob?.dataSource?.dataLocation ?? "") ?? [];
    expect(key).toEndWith("interactions.csv");
    const csv = (await text(s3, bucket as string, key as string)).trimEnd().split("\n");
    expect(csv[0]).toBe("USER_ID,ITEM_ID,TIMESTAMP");
    expect([...new Set(csv.slice(1).map((l) => l.split(",")[0]))].sort()).toEqual(users);

    const { solutionVersions } = await personalize.send(new ListSolutionVersionsCommand({}));
    const solutionVersionArn = solutionVersions?.[0]?.solutionVersionArn;
    const [inference] =
      (await personalize.send(new ListBatchInferenceJobsCommand({ solutionVersionArn })))
        .batchInferenceJobs ?? [];
    const { batchInferenceJob } = await personalize.send(
      new DescribeBatchInferenceJobCommand({ batchInferenceJobArn: inference?.batchInferenceJobArn }),
    );
    const out = s3Key(batchInferenceJob?.jobOutput?.s3DataDestination?.path);
    const outObjects = await s3.send(new ListObjectsV2Command({ Bucket: out.bucket, Prefix: out.key }));
    expect(outObjects.Contents?.map((o) => o.Key)).toEqual([`${out.key}users.json.out`]);
    const recs = jsonLines(await text(s3, out.bucket, `${out.key}users.json.out`));
    expect(recs.map((l) => l.input.userId)).toEqual(users.slice(0, 10));

    const [segment] =
      (await personalize.send(new ListBatchSegmentJobsCommand({ solutionVersionArn }))).batchSegmentJobs ??
      [];
    const { batchSegmentJob } = await personalize.send(
      new DescribeBatchSegmentJobCommand({ batchSegmentJobArn: segment?.batchSegmentJobArn }),
    );
    expect(batchSegmentJob?.status).toBe("ACTIVE");
    const seg = s3Key(batchSegmentJob?.jobOutput?.s3DataDestination?.path);
    const segLines = jsonLines(await text(s3, seg.bucket, `${seg.key}items.json.out`));
    expect(segLines.length).toBe(5);
    for (const l of segLines) for (const u of l.output.recommendedUsers) expect(users).toContain(u);

    const [exported] =
      (await personalize.send(new ListDatasetExportJobsCommand({ datasetArn }))).datasetExportJobs ?? [];
    const { datasetExportJob } = await personalize.send(
      new DescribeDatasetExportJobCommand({ datasetExportJobArn: exported?.datasetExportJobArn }),
    );
    expect(datasetExportJob).toMatchObject({ status: "ACTIVE", ingestionMode: "BULK" });
    const exp = s3Key(datasetExportJob?.jobOutput?.s3DataDestination?.path);
    const files = await s3.send(new ListObjectsV2Command({ Bucket: exp.bucket, Prefix: exp.key }));
    expect(files.Contents).toHaveLength(1);
    expect(await text(s3, exp.bucket, files.Contents?.[0]?.Key as string)).toBe(`${csv.join("\n")}\n`);
  });

  test("is opt-in: without it the sample has no import, segment job or export", async () => {
    const plain = await startEmulator({ port: 0 });
    try {
      const { personalize } = clients(plain);
      expect((await personalize.send(new ListDatasetImportJobsCommand({}))).datasetImportJobs).toEqual([]);
      expect((await personalize.send(new ListBatchSegmentJobsCommand({}))).batchSegmentJobs).toEqual([]);
      expect((await personalize.send(new ListDatasetExportJobsCommand({}))).datasetExportJobs).toEqual([]);
      expect(plain.emulator.state.buckets.has("emulator-data")).toBe(false);
    } finally {
      await plain.close();
    }
  });
});

function s3Key(path: string | undefined): { bucket: string; key: string } {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.*)$/.exec(path ?? "") ?? [];
  return { bucket: bucket as string, key: key as string };
}
