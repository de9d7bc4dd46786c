// discoverLocations against the emulator seeded with the data outside Personalize (outsideData), its
// expectations read with the AWS SDK v3 (the reference client, paging by its own paginators), not with the
// module: the sample's FULL import, batch inference input and output, batch segment output and export; an
// items dataset whose import and export are left out; more batch inference jobs than one page holds, all
// writing to one folder (one location, the newest job's).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CreateBatchInferenceJobCommand,
  CreateDatasetExportJobCommand,
  CreateDatasetImportJobCommand,
  DescribeBatchInferenceJobCommand,
  DescribeBatchSegmentJobCommand,
  DescribeDatasetCommand,
  DescribeDatasetExportJobCommand,
  DescribeDatasetImportJobCommand,
  DescribeSchemaCommand,
  ListBatchInferenceJobsCommand,
  PersonalizeClient,
  paginateListBatchInferenceJobs,
  paginateListBatchSegmentJobs,
  paginateListDatasetExportJobs,
  paginateListDatasetImportJobs,
  paginateListDatasets,
  paginateListSolutions,
  paginateListSolutionVersions,
} from "@aws-sdk/client-personalize";
import { Transport } from "../../src/aws/transport.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { erasureApi } from "../../src/erasure/api.ts";
import { discoverLocations, lastFullImport } from "../../src/outside/discover.ts";
import type { OutsideLocation } from "../../src/outside/types.ts";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeRole";
const BUCKET = "emulator-data";
const PAGED_JOBS = 105;

let running: RunningEmulator;
let sdk: PersonalizeClient;
// Near the real time (the emulator checks signatures against its clock), one second further per job made,
// so each job's creationDateTime differs; jobs never finish (a day each), so nothing moves under the test.
let clock = Date.now();
let group: string;
let dsg: string;

const iso = (d: Date | undefined) => d?.toISOString();

/** What AWS's records name, read with the SDK: the expectation, made without the module. */
async function expectedBySdk(): Promise<OutsideLocation[]> {
  const all: OutsideLocation[] = [];
  const add = (l: OutsideLocation) => all.push(l);
  for await (const page of paginateListDatasets({ client: sdk }, { datasetGroupArn: dsg })) {
    for (const { datasetArn } of page.datasets ?? []) {
      const { dataset } = await sdk.send(new DescribeDatasetCommand({ datasetArn }));
      const { schema } = await sdk.send(new DescribeSchemaCommand({ schemaArn: dataset?.schemaArn }));
      const fields = (JSON.parse(schema?.schema ?? "{}") as { fields: { name: string }[] }).fields;
      if (!fields.some((f) => f.name === "USER_ID")) continue;
      for await (const p of paginateListDatasetImportJobs({ client: sdk }, { datasetArn })) {
        for (const { datasetImportJobArn } of p.datasetImportJobs ?? []) {
          const { datasetImportJob: j } = await sdk.send(
            new DescribeDatasetImportJobCommand({ datasetImportJobArn }),
          );
          add({
            kind: "dataset-import",
            location: j?.dataSource?.dataLocation as string,
            jobArn: datasetImportJobArn as string,
            format: "csv",
            importMode: j?.importMode as string,
            createdAt: iso(j?.creationDateTime) as string,
          });
        }
      }
      for await (const p of paginateListDatasetExportJobs({ client: sdk }, { datasetArn })) {
        for (const { datasetExportJobArn } of p.datasetExportJobs ?? []) {
          const { datasetExportJob: j } = await sdk.send(
            new DescribeDatasetExportJobCommand({ datasetExportJobArn }),
          );
          add({
            kind: "dataset-export",
            location: j?.jobOutput?.s3DataDestination?.path as string,
            jobArn: datasetExportJobArn as string,
            format: "csv",
            createdAt: iso(j?.creationDateTime) as string,
          });
        }
      }
    }
  }
  for await (const page of paginateListSolutions({ client: sdk }, { datasetGroupArn: dsg })) {
    for (const { solutionArn } of page.solutions ?? []) {
      for await (const v of paginateListSolutionVersions({ client: sdk }, { solutionArn })) {
        for (const { solutionVersionArn } of v.solutionVersions ?? []) {
          for await (const p of paginateListBatchInferenceJobs({ client: sdk }, { solutionVersionArn })) {
            for (const { batchInferenceJobArn } of p.batchInferenceJobs ?? []) {
              const { batchInferenceJob: j } = await sdk.send(
                new DescribeBatchInferenceJobCommand({ batchInferenceJobArn }),
              );
              const common = { jobArn: batchInferenceJobArn as string, format: "jsonl" as const };
              const createdAt = iso(j?.creationDateTime) as string;
              add({
                kind: "batch-inference-input",
                location: j?.jobInput?.s3DataSource?.path as string,
                ...common,
                createdAt,
              });
              add({
                kind: "batch-inference-output",
                location: j?.jobOutput?.s3DataDestination?.path as string,
                ...common,
                createdAt,
              });
            }
          }
          for await (const p of paginateListBatchSegmentJobs({ client: sdk }, { solutionVersionArn })) {
            for (const { batchSegmentJobArn } of p.batchSegmentJobs ?? []) {
              const { batchSegmentJob: j } = await sdk.send(
                new DescribeBatchSegmentJobCommand({ batchSegmentJobArn }),
              );
              add({
                kind: "batch-segment-output",
                location: j?.jobOutput?.s3DataDestination?.path as string,
                jobArn: batchSegmentJobArn as string,
                format: "jsonl",
                createdAt: iso(j?.creationDateTime) as string,
              });
            }
          }
        }
      }
    }
  }
  // One per (kind, location): the newest job's.
  const newest = new Map<string, OutsideLocation>();
  for (const l of all) {
    const key = `${l.kind} ${l.location}`;
    const known = newest.get(key);
    if (!known || Date.parse(l.createdAt as string) > Date.parse(known.createdAt as string))
      newest.set(key, l);
  }
  return [...newest.values()];
}

const byKey = (a: OutsideLocation, b: OutsideLocation) =>
  `${a.kind} ${a.location}`.localeCompare(`${b.kind} ${b.location}`);

beforeAll(async () => {
  running = await startEmulator({ port: 0, outsideData: true, jobSeconds: 86_400, now: () => clock });
  sdk = new PersonalizeClient({
    region: "us-east-1",
    endpoint: running.endpoint,
    credentials: creds,
    maxAttempts: 1,
  });
  dsg = running.emulator.datasetGroupArn;
  group = dsg.split("/").pop() as string;
  const world = running.emulator.state.world;
  // The emulator has no CreateDataset: an items dataset (no USER_ID in its schema) is added to its world as
  // CreateDataset would, then imported into and exported through the API.
  const itemsArn = world.arn(`dataset/${group}/ITEMS`);
  world.datasets.set(itemsArn, {
    datasetArn: itemsArn,
    name: `${group}-items`,
    datasetType: "Items",
    datasetGroupArn: dsg,
    createdAt: clock,
  });
  clock += 1000;
  await sdk.send(
    new CreateDatasetImportJobCommand({
      jobName: "items-import",
      datasetArn: itemsArn,
      dataSource: { dataLocation: `s3://${BUCKET}/${group}/items.csv` },
      roleArn: ROLE,
      importMode: "FULL",
    }),
  );
  clock += 1000;
  await sdk.send(
    new CreateDatasetExportJobCommand({
      jobName: "items-export",
      datasetArn: itemsArn,
      roleArn: ROLE,
      jobOutput: { s3DataDestination: { path: `s3://${BUCKET}/${group}/items-export/` } },
    }),
  );
  // A newer INCREMENTAL import into the interactions dataset: the last FULL import stays the sample's.
  const interactionsArn = world.arn(`dataset/${group}/INTERACTIONS`);
  clock += 1000;
  await sdk.send(
    new CreateDatasetImportJobCommand({
      jobName: "daily-increment",
      datasetArn: interactionsArn,
      dataSource: { dataLocation: `s3://${BUCKET}/${group}/daily/` },
      roleArn: ROLE,
      importMode: "INCREMENTAL",
    }),
  );
  const [version] = [...world.versions.values()].filter((v) => v.status === "ACTIVE");
  for (let i = 0; i < PAGED_JOBS; i++) {
    clock += 1000;
    await sdk.send(
      new CreateBatchInferenceJobCommand({
        jobName: `nightly-${i}`,
        solutionVersionArn: version?.solutionVersionArn,
        roleArn: ROLE,
        jobInput: { s3DataSource: { path: `s3://${BUCKET}/nightly/in-${i}.json` } },
        jobOutput: { s3DataDestination: { path: `s3://${BUCKET}/nightly/out/` } },
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  sdk?.destroy();
  await running?.close();
});

const api = () =>
  erasureApi(
    new Transport({ region: "us-east-1", credentials: creds, now: () => new Date(clock) }),
    running.endpoint,
  );

describe("discoverLocations", () => {
  test("finds exactly what AWS's records name, read with the SDK", async () => {
    const found = await discoverLocations(api(), dsg);
    const expected = await expectedBySdk();
    expect([...found].sort(byKey)).toEqual(expected.sort(byKey));
  }, 60_000);

  test("the sample's locations, each with its kind, format and job; the segment input left out", async () => {
    const found = await discoverLocations(api(), dsg);
    const of = (location: string) => found.filter((l) => l.location === location);
    const s3 = (key: string) => `s3://${BUCKET}/${key}`;
    expect(of(s3(`${group}/interactions.csv`))).toEqual([
      expect.objectContaining({ kind: "dataset-import", importMode: "FULL", format: "csv" }),
    ]);
    expect(of(s3(`${group}/daily/`))).toEqual([
      expect.objectContaining({ kind: "dataset-import", importMode: "INCREMENTAL" }),
    ]);
    expect(of(s3(`${group}/batch/input/users.json`))).toEqual([
      expect.objectContaining({ kind: "batch-inference-input", format: "jsonl" }),
    ]);
    expect(of(s3(`${group}/batch/output/`))).toEqual([
      expect.objectContaining({ kind: "batch-inference-output", format: "jsonl" }),
    ]);
    expect(of(s3(`${group}/segments/output/`))).toEqual([
      expect.objectContaining({ kind: "batch-segment-output", format: "jsonl" }),
    ]);
    expect(of(s3(`${group}/exports/`))).toEqual([
      expect.objectContaining({ kind: "dataset-export", format: "csv" }),
    ]);
    // Its input holds item ids only.
    expect(of(s3(`${group}/segments/input/items.json`))).toEqual([]);
    for (const l of found) {
      expect(l.jobArn).toMatch(/^arn:aws:personalize:/);
      expect(new Date(l.createdAt as string).toISOString()).toBe(l.createdAt as string);
    }
    // Imports first, then exports, then the batch files, each kind newest first.
    const kinds = found.map((l) => l.kind);
    expect(kinds.indexOf("dataset-export")).toBeGreaterThan(kinds.lastIndexOf("dataset-import"));
    const imports = found.filter((l) => l.kind === "dataset-import").map((l) => l.location);
    expect(imports).toEqual([s3(`${group}/daily/`), s3(`${group}/interactions.csv`)]);
  });

  test("an items dataset (no USER_ID in its schema): its import and export are left out", async () => {
    const { schema } = await sdk.send(
      new DescribeSchemaCommand({
        schemaArn: (
          await sdk.send(
            new DescribeDatasetCommand({
              datasetArn: running.emulator.state.world.arn(`dataset/${group}/ITEMS`),
            }),
          )
        ).dataset?.schemaArn,
      }),
    );
    expect(JSON.parse(schema?.schema as string).fields.map((f: { name: string }) => f.name)).toEqual([
      "ITEM_ID",
      "CREATION_TIMESTAMP",
    ]);
    const found = await discoverLocations(api(), dsg);
    const locations = found.map((l) => l.location);
    expect(locations).not.toContain(`s3://${BUCKET}/${group}/items.csv`);
    expect(locations).not.toContain(`s3://${BUCKET}/${group}/items-export/`);
  });

  test("every page of jobs: more than one page of batch inference jobs, their shared output once, the newest job's", async () => {
    const versionArn = [...running.emulator.state.world.versions.values()].find(
      (v) => v.status === "ACTIVE",
    )?.solutionVersionArn;
    const first = await sdk.send(new ListBatchInferenceJobsCommand({ solutionVersionArn: versionArn }));
    expect(first.nextToken).toBeString();
    const found = await discoverLocations(api(), dsg);
    const inputs = found.filter(
      (l) => l.kind === "batch-inference-input" && l.location.startsWith(`s3://${BUCKET}/nightly/`),
    );
    expect(inputs.length).toBe(PAGED_JOBS);
    const outputs = found.filter((l) => l.location === `s3://${BUCKET}/nightly/out/`);
    expect(outputs.length).toBe(1);
    expect(outputs[0]?.jobArn).toEndWith(`batch-inference-job/nightly-${PAGED_JOBS - 1}`);
    expect(outputs[0]?.createdAt).toBe(inputs[0]?.createdAt as string);
  });

  test("lastFullImport: the newest FULL import's source, not a newer INCREMENTAL one", async () => {
    const found = await discoverLocations(api(), dsg);
    expect(lastFullImport(found)?.location).toBe(`s3://${BUCKET}/${group}/interactions.csv`);
  });
});

describe("lastFullImport", () => {
  const at = (kind: OutsideLocation["kind"], location: string, importMode?: string, createdAt?: string) => ({
    kind,
    location,
    ...(importMode && { importMode }),
    ...(createdAt && { createdAt }),
  });
  test("picks by creation time, FULL imports only", () => {
    const older = at("dataset-import", "s3://b/a.csv", "FULL", "2026-01-01T00:00:00.000Z");
    const newer = at("dataset-import", "s3://b/b.csv", "FULL", "2026-02-01T00:00:00.000Z");
    const incremental = at("dataset-import", "s3://b/c.csv", "INCREMENTAL", "2026-03-01T00:00:00.000Z");
    const exported = at("dataset-export", "s3://b/e/", "FULL", "2026-04-01T00:00:00.000Z");
    expect(lastFullImport([older, newer, incremental, exported])).toBe(newer);
    expect(lastFullImport([newer, older])).toBe(newer);
    expect(lastFullImport([incremental, exported])).toBeUndefined();
    expect(lastFullImport([])).toBeUndefined();
  });
});
