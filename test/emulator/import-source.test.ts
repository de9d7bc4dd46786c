// A dataset import job reads its source when it completes: FULL replaces the dataset's bulk rows with the
// files' rows, INCREMENTAL adds them, a missing or unreadable source fails the job with a reason. So a FULL
// re-import from a source that still holds erased users brings them back (the resurrection), and one from
// a scrubbed source does not. The reader on its own first, then the whole path through the AWS SDK v3
// clients, the dataset observed as AWS shows it: a BULK dataset export job's CSV, read back with S3.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CreateDataDeletionJobCommand,
  CreateDatasetExportJobCommand,
  CreateDatasetImportJobCommand,
  DescribeDataDeletionJobCommand,
  DescribeDatasetExportJobCommand,
  DescribeDatasetImportJobCommand,
  type ImportMode,
  PersonalizeClient,
} from "@aws-sdk/client-personalize";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import Papa from "papaparse";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import {
  parseImportCsv,
  readImportRows,
  rowsAfterImport,
} from "../../src/emulator/personalize/import-source.ts";
import type { ObjectSource } from "../../src/emulator/state-types.ts";

const HEADER = "USER_ID,ITEM_ID,TIMESTAMP\n";
const bytes = (text: string) => new TextEncoder().encode(text);

function source(files: Record<string, string | Uint8Array>): ObjectSource {
  const objects = new Map(
    Object.entries(files).map(([k, v]) => [k, typeof v === "string" ? bytes(v) : v] as const),
  );
  return {
    async list(bucket, prefix) {
      return bucket === "b" ? [...objects.keys()].filter((k) => k.startsWith(prefix)).sort() : undefined;
    },
    async get(bucket, key) {
      return bucket === "b" ? objects.get(key) : undefined;
    },
  };
}

describe("readImportRows", () => {
  test("a file's rows, ids byte for byte: spaces, a quoted comma and quote, unicode, BOM and CRLF", async () => {
    const text = `\uFEFFUSER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\r\n" u1",i1,5,click\r\n"a,""b""",i2,6,buy\r\nü ,i3,7,x\r\n`;
    const rows = await readImportRows(source({ "in/a.csv": text }), "s3://b/in/a.csv");
    expect(rows).toEqual([
      { userId: " u1", itemId: "i1", timestamp: 5 },
      { userId: 'a,"b"', itemId: "i2", timestamp: 6 },
      { userId: "ü ", itemId: "i3", timestamp: 7 },
    ]);
  });

  test("a folder: every .csv object under it, sub folders too, in key order; no other object is read", async () => {
    const files = {
      "in/2.csv": `${HEADER}u2,i,2\n`,
      "in/1.csv": `${HEADER}u1,i,1\n`,
      "in/sub/3.CSV": `${HEADER}u3,i,3\n`,
      "in/_manifest.json": "{}",
      "other.csv": `${HEADER}x,i,9\n`,
    };
    const rows = await readImportRows(source(files), "s3://b/in/");
    expect(rows).toEqual([
      { userId: "u1", itemId: "i", timestamp: 1 },
      { userId: "u2", itemId: "i", timestamp: 2 },
      { userId: "u3", itemId: "i", timestamp: 3 },
    ]);
  });

  test.each([
    ["a location that is not s3://bucket/key", "b/in/a.csv", "Invalid S3 location: b/in/a.csv"],
    ["a file that is not there", "s3://b/in/none.csv", "Input file not found at s3://b/in/none.csv"],
    ["a folder with no .csv in it", "s3://b/empty/", "Input file not found at s3://b/empty/"],
    ["a bucket that cannot be read", "s3://nope/in/", "S3 bucket nope does not exist or is not accessible."],
    [
      "a header without TIMESTAMP",
      "s3://b/no-ts.csv",
      "Input CSV s3://b/no-ts.csv is missing the following columns: [TIMESTAMP]",
    ],
    [
      "a row whose timestamp is not a whole number",
      "s3://b/bad.csv",
      "Input file s3://b/bad.csv, row 3: USER_ID and ITEM_ID must not be empty and TIMESTAMP must be a whole number of seconds.",
    ],
    [
      "a row with a column too few",
      "s3://b/short.csv",
      "Input file s3://b/short.csv, row 2: 2 columns where the header has 3.",
    ],
    ["bytes that are not UTF-8", "s3://b/latin1.csv", "Input file s3://b/latin1.csv is not valid UTF-8."],
  ])("%s fails with the reason", async (_label, location, reason) => {
    const files = {
      "in/a.csv": `${HEADER}u1,i1,5\n`,
      "empty/notes.txt": "x",
      "no-ts.csv": "USER_ID,ITEM_ID\nu1,i1\n",
      "bad.csv": `${HEADER}u1,i1,5\nu2,i1,1.5\n`,
      "short.csv": `${HEADER}u1,i1\n`,
      "latin1.csv": new Uint8Array([...bytes(`${HEADER}`), 0xfc, ...bytes(",i1,5\n")]),
    };
    expect(await readImportRows(source(files), location)).toEqual({ failureReason: reason });
  });

  test("an empty id is refused, not imported as a user named nothing", () => {
    expect(parseImportCsv(bytes(`${HEADER},i1,5\n`), "s3://b/k.csv")).toHaveProperty("failureReason");
  });

  test("a file of another dataset type is checked against its id column and yields no interactions", () => {
    const items = bytes("ITEM_ID,PRICE\ni1,5\n");
    expect(parseImportCsv(items, "s3://b/items.csv", "Items")).toEqual([]);
    expect(parseImportCsv(bytes("USER_ID,AGE\nu1,5\n"), "s3://b/items.csv", "Items")).toEqual({
      failureReason: "Input CSV s3://b/items.csv is missing the following columns: [ITEM_ID]",
    });
  });

  test("FULL replaces the bulk rows, INCREMENTAL appends, and neither changes the rows it was given", () => {
    const old = [{ userId: "a", itemId: "i", timestamp: 1 }];
    const added = [{ userId: "b", itemId: "i", timestamp: 2 }];
    expect(rowsAfterImport(old, added, "FULL")).toEqual(added);
    expect(rowsAfterImport(old, added, "INCREMENTAL")).toEqual([...old, ...added]);
    expect(old).toHaveLength(1);
  });
});

const creds = { accessKeyId: "test", secretAccessKey: "test" };
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeRole";
// The seed's users are none of the imported ones, so a FULL import that kept them would show.
const SEED = [
  { userId: "seed-1", itemId: "item-1", timestamp: 1700000000 },
  { userId: "seed-2", itemId: "item-2", timestamp: 1700000001 },
];

describe("imports through the AWS SDK, seen through a dataset export", () => {
  let running: RunningEmulator;
  let personalize: PersonalizeClient;
  let s3: S3Client;
  let bucket: string;
  let datasetArn: string;
  let n = 0;

  beforeAll(async () => {
    running = await startEmulator({ port: 0, jobSeconds: 0, seed: SEED });
    const endpoint = running.endpoint;
    const common = { region: "us-east-1", endpoint, credentials: creds, maxAttempts: 1 };
    personalize = new PersonalizeClient(common);
    s3 = new S3Client({ ...common, forcePathStyle: true });
    bucket = running.emulator.bucket;
    [datasetArn] = [...running.emulator.state.world.datasets.keys()] as [string];
  });
  afterAll(() => running.close());

  const put = (Key: string, Body: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));

  async function until<T>(read: () => Promise<T>, done: (t: T) => boolean): Promise<T> {
    for (let i = 0; i < 50; i++) {
      const value = await read();
      if (done(value)) return value;
      await Bun.sleep(20);
    }
    throw new Error("the job did not end");
  }

  /** Imports `location` and answers the finished job as DescribeDatasetImportJob shows it. */
  async function importFrom(location: string, importMode?: ImportMode) {
    const { datasetImportJobArn } = await personalize.send(
      new CreateDatasetImportJobCommand({
        jobName: `import-${++n}`,
        datasetArn,
        dataSource: { dataLocation: `s3://${bucket}/${location}` },
        roleArn: ROLE,
        ...(importMode && { importMode }),
      }),
    );
    const { datasetImportJob } = await until(
      () => personalize.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })),
      (r) => /^(ACTIVE|CREATE FAILED)$/.test(r.datasetImportJob?.status ?? ""),
    );
    return datasetImportJob;
  }

  /** The dataset's bulk rows as a BULK export writes them: `user|item|timestamp`, in file order. */
  async function exported(): Promise<string[]> {
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
    const rows: string[] = [];
    for (const { Key } of listed.Contents ?? []) {
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const csv = Papa.parse<string[]>((await body.Body?.transformToString()) ?? "", {
        skipEmptyLines: true,
      });
      expect(csv.data[0]).toEqual(["USER_ID", "ITEM_ID", "TIMESTAMP"]);
      rows.push(...csv.data.slice(1).map((r) => r.join("|")));
    }
    return rows;
  }

  const usersOf = (rows: string[]) => [...new Set(rows.map((r) => r.split("|")[0]))].sort();

  async function erase(users: string[]) {
    const key = `deletions/${++n}.csv`;
    await put(key, `USER_ID\n${users.map((u) => `"${u}"`).join("\n")}\n`);
    const { dataDeletionJobArn } = await personalize.send(
      new CreateDataDeletionJobCommand({
        jobName: `erase-${n}`,
        datasetGroupArn: running.emulator.datasetGroupArn,
        dataSource: { dataLocation: `s3://${bucket}/${key}` },
        roleArn: ROLE,
      }),
    );
    const { dataDeletionJob } = await until(
      () => personalize.send(new DescribeDataDeletionJobCommand({ dataDeletionJobArn })),
      (r) => /^(COMPLETED|FAILED)$/.test(r.dataDeletionJob?.status ?? ""),
    );
    expect(dataDeletionJob?.status).toBe("COMPLETED");
  }

  test("before any import, the export holds the seed's rows", async () => {
    expect(await exported()).toEqual(["seed-1|item-1|1700000000", "seed-2|item-2|1700000001"]);
  });

  test("a FULL import (the default) replaces the dataset's rows with exactly the file's, ids byte for byte", async () => {
    await put("src/full.csv", `${HEADER}" padded",i1,10\n"a,b",i2,11\nü,i3,12\n" padded",i4,13\n`);
    const job = await importFrom("src/full.csv");
    expect(job).toMatchObject({ status: "ACTIVE", importMode: "FULL" });
    expect(await exported()).toEqual([" padded|i1|10", "a,b|i2|11", "ü|i3|12", " padded|i4|13"]);
  });

  test("an INCREMENTAL import adds its rows to the ones there", async () => {
    await put("src/full.csv", `${HEADER}a,i1,1\n`);
    expect((await importFrom("src/full.csv", "FULL"))?.status).toBe("ACTIVE");
    await put("src/more/1.csv", `${HEADER}b,i2,2\n`);
    await put("src/more/2.csv", `${HEADER}c,i3,3\n`);
    const job = await importFrom("src/more/", "INCREMENTAL");
    expect(job).toMatchObject({ status: "ACTIVE", importMode: "INCREMENTAL" });
    expect(await exported()).toEqual(["a|i1|1", "b|i2|2", "c|i3|3"]);
  });

  test("a missing source fails the import with the reason, and the dataset keeps its rows", async () => {
    const before = await exported();
    const missing = await importFrom("src/none.csv");
    expect(missing).toMatchObject({
      status: "CREATE FAILED",
      failureReason: `Input file not found at s3://${bucket}/src/none.csv`,
    });
    const empty = await importFrom("src/nothing-here/");
    expect(empty).toMatchObject({
      status: "CREATE FAILED",
      failureReason: `Input file not found at s3://${bucket}/src/nothing-here/`,
    });
    await put("src/broken.csv", "USER_ID,ITEM\nz,i\n");
    expect(await importFrom("src/broken.csv")).toMatchObject({
      status: "CREATE FAILED",
      failureReason: `Input CSV s3://${bucket}/src/broken.csv is missing the following columns: [ITEM_ID, TIMESTAMP]`,
    });
    expect(before.length).toBeGreaterThan(0);
    expect(await exported()).toEqual(before);
  });

  test("a FULL import into the group's items dataset leaves its interactions as they were", async () => {
    const before = await exported();
    const world = running.emulator.state.world;
    const group = running.emulator.datasetGroupArn;
    // The emulator has no CreateDataset: the items dataset is added to its world as CreateDataset would.
    const itemsArn = world.arn(`dataset/${group.split("/").pop()}/ITEMS`);
    world.datasets.set(itemsArn, {
      datasetArn: itemsArn,
      name: "items",
      datasetType: "Items",
      datasetGroupArn: group,
      createdAt: Date.now(),
    });
    await put("src/items.csv", "ITEM_ID,PRICE\ni1,5\n");
    const { datasetImportJobArn } = await personalize.send(
      new CreateDatasetImportJobCommand({
        jobName: "items-import",
        datasetArn: itemsArn,
        dataSource: { dataLocation: `s3://${bucket}/src/items.csv` },
        roleArn: ROLE,
      }),
    );
    const { datasetImportJob } = await until(
      () => personalize.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })),
      (r) => /^(ACTIVE|CREATE FAILED)$/.test(r.datasetImportJob?.status ?? ""),
    );
    expect(datasetImportJob?.status).toBe("ACTIVE");
    expect(before.length).toBeGreaterThan(0);
    expect(await exported()).toEqual(before);
  });

  test("the resurrection: a FULL re-import from the unscrubbed source brings erased users back; from the scrubbed one it does not", async () => {
    const rows = [`${HEADER}keep-1,i1,1\n`, "erase-1,i2,2\n", "keep-2,i3,3\n", '" erase-2",i4,4\n'];
    await put("src/interactions.csv", rows.join(""));
    expect((await importFrom("src/interactions.csv"))?.status).toBe("ACTIVE");
    expect(usersOf(await exported())).toEqual([" erase-2", "erase-1", "keep-1", "keep-2"]);

    await erase(["erase-1", " erase-2"]);
    expect(usersOf(await exported())).toEqual(["keep-1", "keep-2"]);

    // The source is unchanged: the users the deletion job removed come back with it.
    expect((await importFrom("src/interactions.csv"))?.status).toBe("ACTIVE");
    expect(await exported()).toEqual(["keep-1|i1|1", "erase-1|i2|2", "keep-2|i3|3", " erase-2|i4|4"]);

    await erase(["erase-1", " erase-2"]);
    // The source scrubbed by hand: the erased users' rows taken out, every other byte kept.
    await put("src/interactions.csv", `${rows[0]}${rows[2]}`);
    expect((await importFrom("src/interactions.csv"))?.status).toBe("ACTIVE");
    expect(await exported()).toEqual(["keep-1|i1|1", "keep-2|i3|3"]);
  });
});
