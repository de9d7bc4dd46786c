// Ids are stored and compared exactly as the CSV has them: an import of " a" and "a" makes two users, and
// a deletion file naming one never removes the other (the emulator must not hide a client's trimming bug).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CreateDataDeletionJobCommand,
  CreateDatasetImportJobCommand,
  DescribeDataDeletionJobCommand,
  DescribeDatasetImportJobCommand,
  ListDatasetsCommand,
  PersonalizeClient,
} from "@aws-sdk/client-personalize";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { parseSeed } from "../../src/emulator/personalize/input.ts";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeRole";
let running: RunningEmulator;
const personalize = () =>
  new PersonalizeClient({
    region: "us-east-1",
    endpoint: running.endpoint,
    credentials: creds,
    maxAttempts: 1,
  });
const put = (Key: string, Body: string) =>
  new S3Client({
    region: "us-east-1",
    endpoint: running.endpoint,
    forcePathStyle: true,
    credentials: creds,
  }).send(new PutObjectCommand({ Bucket: running.emulator.bucket, Key, Body }));
async function users(): Promise<string[]> {
  const url = `${running.endpoint}/_emulator/users?datasetGroupArn=${encodeURIComponent(running.emulator.datasetGroupArn)}`;
  return ((await (await fetch(url)).json()) as { users: string[] }).users;
}
let n = 0;
async function deleteWith(csv: string): Promise<number | undefined> {
  const key = `deletions/${++n}.csv`;
  await put(key, csv);
  const c = personalize();
  const { dataDeletionJobArn } = await c.send(
    new CreateDataDeletionJobCommand({
      jobName: `exact-${n}`,
      datasetGroupArn: running.emulator.datasetGroupArn,
      dataSource: { dataLocation: `s3://${running.emulator.bucket}/${key}` },
      roleArn: ROLE,
    }),
  );
  const { dataDeletionJob } = await c.send(new DescribeDataDeletionJobCommand({ dataDeletionJobArn }));
  expect(dataDeletionJob?.status).toBe("COMPLETED");
  return dataDeletionJob?.numDeleted;
}

beforeAll(async () => {
  running = await startEmulator({ port: 0, jobSeconds: 0, seed: [] });
  await put("imports/padded.csv", 'USER_ID,ITEM_ID,TIMESTAMP\n" a",i1,1\na,i2,2\n"b ",i3,3\nb,i4,4\n');
  const c = personalize();
  const datasets = await c.send(
    new ListDatasetsCommand({ datasetGroupArn: running.emulator.datasetGroupArn }),
  );
  const { datasetImportJobArn } = await c.send(
    new CreateDatasetImportJobCommand({
      jobName: "padded",
      datasetArn: datasets.datasets?.[0]?.datasetArn,
      dataSource: { dataLocation: `s3://${running.emulator.bucket}/imports/padded.csv` },
      roleArn: ROLE,
    }),
  );
  const { datasetImportJob } = await c.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn }));
  expect(datasetImportJob?.status).toBe("ACTIVE");
});
afterAll(() => running.close());

describe("ids exactly as written", () => {
  test("an import keeps a quoted field's spaces: four users, two of them padded", async () => {
    expect(await users()).toEqual([" a", "a", "b", "b "].sort());
  });

  test('a file naming "a" removes "a" and leaves " a"; one naming " a" then removes " a"', async () => {
    expect(await deleteWith("USER_ID\na\n")).toBe(1);
    expect(await users()).toEqual([" a", "b", "b "].sort());
    expect(await deleteWith('USER_ID\n" a"\n')).toBe(1);
    expect(await users()).toEqual(["b", "b "]);
  });

  test('a padded id in the file ("b " unquoted, " b") removes only a user with that exact id', async () => {
    expect(await deleteWith("USER_ID\n b\n")).toBe(0);
    expect(await users()).toEqual(["b", "b "]);
    expect(await deleteWith("USER_ID\nb \n")).toBe(1);
    expect(await users()).toEqual(["b"]);
  });

  test("a --seed file keeps ids as written too", () => {
    expect(parseSeed('USER_ID,ITEM_ID,TIMESTAMP\n" u",i,1\nu,i,2\n').map((r) => r.userId)).toEqual([
      " u",
      "u",
    ]);
  });
});
