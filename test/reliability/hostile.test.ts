// The hostile-input corpus (test/fixtures/bad/): every case fails with the project's typed error naming
// the line or field, through the library, the CLI (exit 2) and the action (exit 1 with an annotation),
// and no request reaches the emulator.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { flags as createFlags } from "../../src/cli/commands/create.ts";
import { fieldNames } from "../../src/cli/options.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import {
  CsvError,
  DataDeletionError,
  DataDeletionJobsClient,
  lookup,
  prepareDeletionCsv,
  ValidationError,
} from "../../src/index.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const BAD = join(ROOT, "test/fixtures/bad");
const manifest = JSON.parse(readFileSync(join(BAD, "csv-manifest.json"), "utf8")) as Record<
  string,
  { line: number | null; message: string }
>;
const params = JSON.parse(readFileSync(join(BAD, "params.json"), "utf8")) as {
  call: "create" | "describe" | "list";
  input: Record<string, unknown>;
  field: string;
}[];
const TMP = join(ROOT, ".tmp", `hostile-${process.pid}`);
const BIG = join(TMP, "ten-mb-single-line.csv");
let emu: RunningEmulator;
let requests = 0;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, jobSeconds: 0 });
  const inner = emu.emulator.fetch.bind(emu.emulator);
  emu.emulator.fetch = (request: Request) => {
    requests++;
    return inner(request);
  };
  mkdirSync(TMP, { recursive: true });
  writeFileSync(BIG, `USER_ID\n${"y".repeat(10 * 1024 * 1024)}`);
});
afterAll(async () => {
  await emu.close();
  rmSync(TMP, { recursive: true, force: true });
});

const cases: [string, string, { line: number | null; message: string }][] = [
  ...Object.entries(manifest).map(
    ([name, expected]) => [name, join(BAD, "csv", name), expected] as [string, string, typeof expected],
  ),
  ["ten-mb-single-line.csv (generated)", BIG, { line: 2, message: "longer than" }],
];

test("the corpus has at least 60 cases", () => {
  expect(cases.length + params.length).toBeGreaterThanOrEqual(60);
});

describe("CSV corpus through the library", () => {
  for (const [name, path, expected] of cases) {
    test(name, async () => {
      const error = await prepareDeletionCsv(new Blob([readFileSync(path)])).catch((e) => e);
      expect(error).toBeInstanceOf(CsvError);
      expect(error.message).toContain(expected.message);
      expect(error.line).toBe(expected.line ?? undefined);
    });
  }
});

async function spawn(cmd: string[], env: Record<string, string>) {
  const { stdout, stderr, code } = await runProcess(cmd, {
    cwd: TMP,
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return { out: stdout + stderr, code };
}

const AWS = () => ({
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_ENDPOINT_URL: emu.endpoint,
});

describe("CSV corpus through the CLI (exit 2) and the action (exit 1), sending nothing", () => {
  test("every file", async () => {
    const before = requests;
    for (const [name, path, expected] of cases) {
      const cli = await spawn(
        [
          process.execPath,
          join(ROOT, "src/cli/bin.ts"),
          "delete-users",
          "--users-file",
          path,
          "--s3-uri",
          `s3://${emu.emulator.bucket}/bad/`,
          "--dataset-group-arn",
          emu.emulator.datasetGroupArn,
          "--role-arn",
          "arn:aws:iam::000000000000:role/R",
        ],
        AWS(),
      );
      expect({ name, code: cli.code }).toEqual({ name, code: 2 });
      expect(cli.out).toContain(expected.message);
      // The action also takes plain lists (headerless "auto"): a file that is a valid list there is not bad.
      const asList = await prepareDeletionCsv(new Blob([readFileSync(path)]), { headerless: "auto" }).catch(
        (e) => e,
      );
      if (!(asList instanceof CsvError)) continue;
      const action = await spawn(["node", join(ROOT, "dist/index.js")], {
        ...AWS(),
        GITHUB_WORKSPACE: TMP,
        "INPUT_USER-IDS-FILE": path,
        "INPUT_S3-URI": `s3://${emu.emulator.bucket}/bad/`,
        "INPUT_DATASET-GROUP-ARN": emu.emulator.datasetGroupArn,
        "INPUT_ROLE-ARN": "arn:aws:iam::000000000000:role/R",
        "INPUT_ENDPOINT-URL": emu.endpoint,
      });
      expect({ name, code: action.code }).toEqual({ name, code: 1 });
      expect(action.out).toMatch(/::error title=CsvError::/);
    }
    expect(requests).toBe(before);
  }, 120_000);
});

describe("parameter corpus", () => {
  const base = {
    jobName: "valid-name",
    datasetGroupArn: "arn:aws:personalize:us-east-1:123456789012:dataset-group/shop",
    dataSource: { dataLocation: "s3://bucket/users.csv" },
    roleArn: "arn:aws:iam::123456789012:role/R",
  };
  for (const c of params) {
    test(`${c.call} ${c.field}: ${JSON.stringify(c.input).slice(0, 60)}`, async () => {
      let sent = 0;
      const client = new DataDeletionJobsClient({
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        useEnvironment: false,
        fetch: async () => {
          sent++;
          return new Response("{}");
        },
      });
      const call =
        c.call === "create"
          ? client.createDataDeletionJob({ ...base, ...c.input } as never)
          : c.call === "describe"
            ? client.describeDataDeletionJob(c.input as never)
            : client.listDataDeletionJobs(c.input as never);
      const error = await call.catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toBeInstanceOf(DataDeletionError);
      expect((error as ValidationError).issues.map((i) => i.path)).toContain(c.field);
      expect(sent).toBe(0);
    });
  }

  test("through the CLI: create with each bad job name or ARN exits 2 and sends nothing", async () => {
    const before = requests;
    const cliCases = params.filter(
      (p) =>
        p.call === "create" &&
        typeof Object.values(p.input)[0] === "string" &&
        Object.values(p.input)[0] !== "",
    );
    expect(cliCases.length).toBeGreaterThan(10);
    for (const c of cliCases) {
      const input = { ...base, ...c.input } as typeof base;
      const cli = await spawn(
        [
          process.execPath,
          join(ROOT, "src/cli/bin.ts"),
          "create",
          `--job-name=${input.jobName}`,
          `--dataset-group-arn=${input.datasetGroupArn}`,
          `--role-arn=${input.roleArn}`,
          `--data-location=${input.dataSource.dataLocation}`,
        ],
        AWS(),
      );
      expect({ field: c.field, code: cli.code }).toEqual({ field: c.field, code: 2 });
      // Named by the flag the user typed, through the one table of the command's flags.
      const flag = lookup(fieldNames(createFlags), c.field)?.name;
      expect({ field: c.field, flag }).toEqual({ field: c.field, flag: expect.stringMatching(/^--/) });
      expect(cli.out).toContain(`${flag}:`);
    }
    expect(requests).toBe(before);
  }, 60_000);
});
