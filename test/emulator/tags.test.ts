// Tags through the AWS SDK v3 client: what each Create stored, ListTagsForResource, TagResource and
// UntagResource, with the guide's rules (50 tags a resource, no `aws:` prefix) and the model's (lengths).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateDataDeletionJobCommand,
  CreateDatasetImportJobCommand,
  CreateSolutionVersionCommand,
  InvalidInputException,
  ListDatasetsCommand,
  ListTagsForResourceCommand,
  PersonalizeClient,
  ResourceNotFoundException,
  type Tag,
  TagResourceCommand,
  TooManyTagKeysException,
  TooManyTagsException,
  UntagResourceCommand,
} from "@aws-sdk/client-personalize";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeRole";
let running: RunningEmulator;
let dsg: string;
const client = (endpoint = running.endpoint) =>
  new PersonalizeClient({ region: "us-east-1", endpoint, credentials: creds, maxAttempts: 1 });
const tagsOf = async (resourceArn: string, c = client()) =>
  (await c.send(new ListTagsForResourceCommand({ resourceArn }))).tags;
const many = (n: number, prefix = "k"): Tag[] =>
  Array.from({ length: n }, (_, i) => ({ tagKey: `${prefix}${i}`, tagValue: `v${i}` }));
let jobCount = 0;
const createJob = (tags?: Tag[]) =>
  client().send(
    new CreateDataDeletionJobCommand({
      jobName: `tagged-${++jobCount}`,
      datasetGroupArn: dsg,
      dataSource: { dataLocation: `s3://${running.emulator.bucket}/none.csv` },
      roleArn: ROLE,
      ...(tags && { tags }),
    }),
  );

beforeAll(async () => {
  // Jobs stay PENDING for an hour: the PENDING limit is raised so that the tests can create many.
  running = await startEmulator({ port: 0, jobSeconds: 3600, pendingLimit: 1000, trainingSeconds: 3600 });
  dsg = running.emulator.datasetGroupArn;
});
afterAll(() => running.close());

describe("tags on data deletion jobs", () => {
  test("the tags given at creation are listed, in order; a job created without tags lists none", async () => {
    const tags = [
      { tagKey: "erasure-sha256", tagValue: "ab".repeat(32) },
      { tagKey: "erasure-user-count", tagValue: "3" },
    ];
    const { dataDeletionJobArn } = await createJob(tags);
    expect(await tagsOf(dataDeletionJobArn as string)).toEqual(tags);
    const bare = await createJob();
    expect(await tagsOf(bare.dataDeletionJobArn as string)).toEqual([]);
  });

  test("TagResource adds and overwrites by key, UntagResource removes (unknown keys are no error)", async () => {
    const { dataDeletionJobArn: arn } = await createJob([{ tagKey: "a", tagValue: "1" }]);
    const c = client();
    await c.send(
      new TagResourceCommand({
        resourceArn: arn,
        tags: [
          { tagKey: "a", tagValue: "2" },
          { tagKey: "b", tagValue: "" },
        ],
      }),
    );
    expect(await tagsOf(arn as string)).toEqual([
      { tagKey: "a", tagValue: "2" },
      { tagKey: "b", tagValue: "" },
    ]);
    await c.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["a", "never-there"] }));
    expect(await tagsOf(arn as string)).toEqual([{ tagKey: "b", tagValue: "" }]);
  });

  test("51 tags at creation is TooManyTagsException and creates nothing; 50 is fine", async () => {
    const before = running.emulator.state.jobs.size;
    await expect(createJob(many(51))).rejects.toBeInstanceOf(TooManyTagsException);
    expect(running.emulator.state.jobs.size).toBe(before);
    const { dataDeletionJobArn } = await createJob(many(50));
    expect(await tagsOf(dataDeletionJobArn as string)).toHaveLength(50);
  });

  test("TagResource past 50 is TooManyTagsException and changes nothing; new values for old keys are fine", async () => {
    const { dataDeletionJobArn: arn } = await createJob(many(49));
    const c = client();
    await expect(
      c.send(new TagResourceCommand({ resourceArn: arn, tags: many(2, "x") })),
    ).rejects.toBeInstanceOf(TooManyTagsException);
    expect(await tagsOf(arn as string)).toEqual(many(49));
    await c.send(new TagResourceCommand({ resourceArn: arn, tags: [...many(49), ...many(1, "x")] }));
    expect(await tagsOf(arn as string)).toHaveLength(50);
  });

  test("UntagResource with more than 50 keys is TooManyTagKeysException", async () => {
    const { dataDeletionJobArn: arn } = await createJob(many(2));
    const keys = many(51).map((t) => t.tagKey as string);
    await expect(
      client().send(new UntagResourceCommand({ resourceArn: arn, tagKeys: keys })),
    ).rejects.toBeInstanceOf(TooManyTagKeysException);
    expect(await tagsOf(arn as string)).toHaveLength(2);
  });

  test("aws: keys or values, a key twice, and lengths past the model are InvalidInputException", async () => {
    const { dataDeletionJobArn: arn } = await createJob();
    const bad: [Tag[], RegExp][] = [
      [[{ tagKey: "aws:owner", tagValue: "x" }], /aws:/],
      [[{ tagKey: "AWS:owner", tagValue: "x" }], /aws:/],
      [[{ tagKey: "owner", tagValue: "aws:x" }], /aws:/],
      [
        [
          { tagKey: "dup", tagValue: "1" },
          { tagKey: "dup", tagValue: "2" },
        ],
        /more than once/,
      ],
      [[{ tagKey: "k".repeat(129), tagValue: "x" }], /length less than or equal to 128/],
      [[{ tagKey: "", tagValue: "x" }], /length greater than or equal to 1/],
      [[{ tagKey: "k", tagValue: "v".repeat(257) }], /length less than or equal to 256/],
      [[{ tagKey: "semi;colon", tagValue: "x" }], /regular expression pattern/],
    ];
    for (const [tags, message] of bad) {
      const error = await client()
        .send(new TagResourceCommand({ resourceArn: arn, tags }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputException);
      expect((error as Error).message).toMatch(message);
      await expect(createJob(tags)).rejects.toBeInstanceOf(InvalidInputException);
    }
    expect(await tagsOf(arn as string)).toEqual([]);
    // 128 and 256 characters (code points) are within the model's bounds.
    const edge = [{ tagKey: "é".repeat(128), tagValue: "ü".repeat(256) }];
    await client().send(new TagResourceCommand({ resourceArn: arn, tags: edge }));
    expect(await tagsOf(arn as string)).toEqual(edge);
  });

  test("an ARN the emulator does not have is ResourceNotFoundException for all three", async () => {
    const resourceArn = dsg.replace(/dataset-group\/.*$/, "data-deletion-job/never-made");
    const c = client();
    for (const command of [
      new ListTagsForResourceCommand({ resourceArn }),
      new TagResourceCommand({ resourceArn, tags: [{ tagKey: "a", tagValue: "b" }] }),
      new UntagResourceCommand({ resourceArn, tagKeys: ["a"] }),
    ]) {
      // biome-ignore lint/suspicious/noExplicitAny: three command types through one send
      await expect(c.send(command as any)).rejects.toBeInstanceOf(ResourceNotFoundException);
    }
  });
});

describe("tags on the other resources", () => {
  test("seeded dataset group, dataset, solution, version and campaign can be tagged", async () => {
    const models = running.emulator.state.world;
    const arns = [
      dsg,
      ...[models.datasets, models.solutions, models.versions, models.campaigns, models.batchJobs].map(
        (m) => [...m.keys()][0] as string,
      ),
    ];
    for (const arn of arns) {
      expect(await tagsOf(arn)).toEqual([]);
      await client().send(
        new TagResourceCommand({ resourceArn: arn, tags: [{ tagKey: "t", tagValue: arn }] }),
      );
      expect(await tagsOf(arn)).toEqual([{ tagKey: "t", tagValue: arn }]);
    }
  });

  test("CreateSolutionVersion and CreateDatasetImportJob store their tags, and refuse 51", async () => {
    const c = client();
    const solutionArn = [...running.emulator.state.world.solutions.keys()][0];
    await expect(
      c.send(new CreateSolutionVersionCommand({ solutionArn, tags: many(51) })),
    ).rejects.toBeInstanceOf(TooManyTagsException);
    const { solutionVersionArn } = await c.send(
      new CreateSolutionVersionCommand({ solutionArn, tags: [{ tagKey: "kind", tagValue: "retrain" }] }),
    );
    expect(await tagsOf(solutionVersionArn as string)).toEqual([{ tagKey: "kind", tagValue: "retrain" }]);

    const datasetArn = (await c.send(new ListDatasetsCommand({ datasetGroupArn: dsg }))).datasets?.[0]
      ?.datasetArn;
    const importOf = (jobName: string, tags: Tag[]) =>
      new CreateDatasetImportJobCommand({
        jobName,
        datasetArn,
        dataSource: { dataLocation: `s3://${running.emulator.bucket}/imports/x.csv` },
        roleArn: ROLE,
        tags,
      });
    await expect(c.send(importOf("refused", [{ tagKey: "aws:x", tagValue: "y" }]))).rejects.toBeInstanceOf(
      InvalidInputException,
    );
    const { datasetImportJobArn } = await c.send(importOf("tagged", [{ tagKey: "source", tagValue: "s3" }]));
    expect(await tagsOf(datasetImportJobArn as string)).toEqual([{ tagKey: "source", tagValue: "s3" }]);
  });

  test("tags survive a restart with --data-dir", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pdd-tags-"));
    let emu = await startEmulator({ port: 0, jobSeconds: 3600, dataDir: dir });
    try {
      const job = await client(emu.endpoint).send(
        new CreateDataDeletionJobCommand({
          jobName: "kept",
          datasetGroupArn: emu.emulator.datasetGroupArn,
          dataSource: { dataLocation: `s3://${emu.emulator.bucket}/none.csv` },
          roleArn: ROLE,
          tags: [{ tagKey: "erasure-user-count", tagValue: "7" }],
        }),
      );
      await client(emu.endpoint).send(
        new TagResourceCommand({
          resourceArn: emu.emulator.datasetGroupArn,
          tags: [{ tagKey: "env", tagValue: "prod" }],
        }),
      );
      const port = emu.port;
      await emu.close();
      emu = await startEmulator({ port, jobSeconds: 3600, dataDir: dir });
      const again = client(emu.endpoint);
      expect(await tagsOf(job.dataDeletionJobArn as string, again)).toEqual([
        { tagKey: "erasure-user-count", tagValue: "7" },
      ]);
      expect(await tagsOf(emu.emulator.datasetGroupArn, again)).toEqual([
        { tagKey: "env", tagValue: "prod" },
      ]);
    } finally {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
