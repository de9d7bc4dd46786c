// The guard stopping the resurrection, end to end on the emulator through the AWS SDK v3 clients: users
// imported FULL, erased by a deletion job and appended to the suppression list; the guard fails on the
// unchanged source (a FULL re-import from it would bring them back), its scrub makes it pass, and the FULL
// re-import from the scrubbed source leaves them out, as a BULK dataset export shows.
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  CreateDataDeletionJobCommand,
  CreateDatasetExportJobCommand,
  CreateDatasetImportJobCommand,
  DescribeDataDeletionJobCommand,
  DescribeDatasetExportJobCommand,
  DescribeDatasetImportJobCommand,
  PersonalizeClient,
} from "@aws-sdk/client-personalize";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Transport } from "../../src/aws/transport.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { guardImport } from "../../src/outside/guard.ts";
import { appendSuppression, SuppressionList } from "../../src/outside/suppression.ts";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeRole";
const KEY = "resurrection-test-key-0123456789abcdef";
const ERASED = ["erase-1", " erase-2"];
const ROWS = [
  "USER_ID,ITEM_ID,TIMESTAMP\n",
  "keep-1,i1,1\n",
  "erase-1,i2,2\n",
  "keep-2,i3,3\n",
  '" erase-2",i4,4\n',
];

let running: RunningEmulator;
let personalize: PersonalizeClient;
let s3: S3Client;
let bucket: string;
let datasetArn: string;
let n = 0;

beforeAll(async () => {
  running = await startEmulator({ port: 0, jobSeconds: 0, seed: [] });
  const common = { region: "us-east-1", endpoint: running.endpoint, credentials: creds, maxAttempts: 1 };
  personalize = new PersonalizeClient(common);
  s3 = new S3Client({ ...common, forcePathStyle: true });
  bucket = running.emulator.bucket;
  [datasetArn] = [...running.emulator.state.world.datasets.keys()] as [string];
});
afterAll(() => running.close());

const put = (Key: string, Body: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
const target = () => ({
  endpoint: running.endpoint,
  transport: new Transport({ region: "us-east-1", credentials: creds }),
});

async function until<T>(read: () => Promise<T>, done: (t: T) => boolean): Promise<T> {
  for (let i = 0; i < 50; i++) {
    const value = await read();
    if (done(value)) return value;
    await Bun.sleep(20);
  }
  throw new Error("the job did not end");
}

async function importFull(Key: string): Promise<string | undefined> {
  const { datasetImportJobArn } = await personalize.send(
    new CreateDatasetImportJobCommand({
      jobName: `import-${++n}`,
      datasetArn,
      dataSource: { dataLocation: `s3://${bucket}/${Key}` },
      roleArn: ROLE,
      importMode: "FULL",
    }),
  );
  const { datasetImportJob } = await until(
    () => personalize.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })),
    (r) => /^(ACTIVE|CREATE FAILED)$/.test(r.datasetImportJob?.status ?? ""),
  );
  return datasetImportJob?.status;
}

async function erase(users: string[]): Promise<void> {
  const Key = `deletions/${++n}.csv`;
  await put(Key, `USER_ID\n${users.map((u) => `"${u}"`).join("\n")}\n`);
  const { dataDeletionJobArn } = await personalize.send(
    new CreateDataDeletionJobCommand({
      jobName: `erase-${n}`,
      datasetGroupArn: running.emulator.datasetGroupArn,
      dataSource: { dataLocation: `s3://${bucket}/${Key}` },
      roleArn: ROLE,
    }),
  );
  const { dataDeletionJob } = await until(
    () => personalize.send(new DescribeDataDeletionJobCommand({ dataDeletionJobArn })),
    (r) => /^(COMPLETED|FAILED)$/.test(r.dataDeletionJob?.status ?? ""),
  );
  expect(dataDeletionJob?.status).toBe("COMPLETED");
}

// The dataset's users as a BULK export writes them (the first column of its CSV rows).
async function exportedUsers(): Promise<string[]> {
  const jobName = `export-${++n}`;
  const { datasetExportJobArn } = await personalize.send(
    new CreateDatasetExportJobCommand({
      jobName,
      datasetArn,
      roleArn: ROLE,
      ingestionMode: "BULK",
      jobOutput: { s3DataDestination: { path: `s3://${bucket}/exports/${jobName}/` } },
    }),
  );
  await until(
    () => personalize.send(new DescribeDatasetExportJobCommand({ datasetExportJobArn })),
    (r) => r.datasetExportJob?.status === "ACTIVE",
  );
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `exports/${jobName}/` }));
  const users = new Set<string>();
  for (const { Key } of listed.Contents ?? []) {
    const text = await (
      await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))
    ).Body?.transformToString();
    for (const line of (text ?? "").split("\n").slice(1).filter(Boolean)) {
      // The export quotes a field that needs it; these ids hold no comma or quote.
      users.add(line.slice(0, line.indexOf(",")).replace(/^"(.*)"$/, "$1"));
    }
  }
  return [...users].sort();
}

test("the guard fails on the source that would bring erased users back; scrubbed, the re-import leaves them out", async () => {
  await put("src/interactions.csv", ROWS.join(""));
  expect(await importFull("src/interactions.csv")).toBe("ACTIVE");
  expect(await exportedUsers()).toEqual([" erase-2", "erase-1", "keep-1", "keep-2"]);

  await erase(ERASED);
  await appendSuppression(target(), `s3://${bucket}/suppression/`, ERASED, KEY);
  expect(await exportedUsers()).toEqual(["keep-1", "keep-2"]);

  const suppression = await SuppressionList.load(target(), `s3://${bucket}/suppression/`, KEY);
  const source = `s3://${bucket}/src/interactions.csv`;
  const before = await guardImport({ s3: target(), source, suppression });
  expect({ ok: before.ok, rows: before.suppressedRows }).toEqual({ ok: false, rows: 2 });

  const scrubbed = await guardImport({ s3: target(), source, suppression, scrub: true });
  expect(scrubbed.ok).toBe(true);
  const body = await (
    await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "src/interactions.csv" }))
  ).Body?.transformToString();
  expect(body).toBe(`${ROWS[0]}${ROWS[1]}${ROWS[3]}`);

  expect(await importFull("src/interactions.csv")).toBe("ACTIVE");
  expect(await exportedUsers()).toEqual(["keep-1", "keep-2"]);
});
