// The CLI's long waits notice and speak, run as users run them: `wait` and `delete-users --wait` against the
// emulator with 70-second jobs, each line of stderr stamped with the time it arrived.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateDataDeletionJobCommand, PersonalizeClient } from "@aws-sdk/client-personalize";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { longestSilence, runTimed } from "../support/timed-lines.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";
const JOB_SECONDS = 70;
const TMP = mkdtempSync(join(tmpdir(), "pdd-cli-wait-"));
const credentials = { accessKeyId: "AKIDWAIT", secretAccessKey: "wait-secret" };
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, jobSeconds: JOB_SECONDS, ...credentials });
});
afterAll(async () => {
  await emu.close();
  rmSync(TMP, { recursive: true, force: true });
});

function cli(args: string[]) {
  return runTimed([process.execPath, join(ROOT, "src/cli/bin.ts"), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL: emu.endpoint,
    },
  });
}

test("wait and delete-users --wait say how the job stands at least every 30 s, and see it end within a tenth of its time", async () => {
  // A job made by the reference client, for `wait`.
  const aws = { region: "us-east-1", endpoint: emu.endpoint, credentials };
  await new S3Client({ ...aws, forcePathStyle: true }).send(
    new PutObjectCommand({ Bucket: emu.emulator.bucket, Key: "waits/sdk.csv", Body: "USER_ID\nuser-005\n" }),
  );
  const { dataDeletionJobArn } = await new PersonalizeClient(aws).send(
    new CreateDataDeletionJobCommand({
      jobName: "waits-sdk",
      datasetGroupArn: emu.emulator.datasetGroupArn,
      roleArn: ROLE,
      dataSource: { dataLocation: `s3://${emu.emulator.bucket}/waits/sdk.csv` },
    }),
  );
  const file = join(TMP, "users.csv");
  writeFileSync(file, "USER_ID\nuser-006\n");
  const [waited, deleted] = await Promise.all([
    cli(["wait", dataDeletionJobArn as string]),
    cli([
      "delete-users",
      "--users-file",
      file,
      "--s3-uri",
      `s3://${emu.emulator.bucket}/waits/`,
      "--dataset-group-arn",
      emu.emulator.datasetGroupArn,
      "--role-arn",
      ROLE,
      "--job-name",
      "waits-cli",
      "--wait",
    ]),
  ]);
  for (const [run, label] of [
    [waited, dataDeletionJobArn?.replace(/^.*\//, "")],
    [deleted, "waits-cli"],
  ] as const) {
    const said = run.stderr.map((l) => l.line);
    expect(run.code).toBe(0);
    // Silent at most 30 s (the heartbeat) plus a second for a process on a busy machine.
    expect(longestSilence(run.stderr, run.ms)).toBeLessThanOrEqual(31_000);
    // The 30 s and 1 min marks, each a line even though the status did not change.
    const still = said.filter((l) => l.startsWith(`${label}: still `));
    expect(still).toEqual([
      `${label}: still IN_PROGRESS after 30s; AWS says up to a day`,
      `${label}: still IN_PROGRESS after 1m00s; AWS says up to a day`,
    ]);
    expect(
      said.filter((l) => /: (PENDING|IN_PROGRESS|COMPLETED) after/.test(l)).map((l) => l.split(" ")[1]),
    ).toEqual(["PENDING", "IN_PROGRESS", "COMPLETED"]);
  }
  // A 70 s job is seen COMPLETED within a tenth of its time (7 s), with 3 s for the processes to start:
  // the old doubling from 5 s looked at about 56 s and next at about 101 s.
  expect(waited.ms).toBeLessThanOrEqual((JOB_SECONDS + 7 + 3) * 1000);
  expect(deleted.ms).toBeLessThanOrEqual((JOB_SECONDS + 7 + 3) * 1000);
  expect(emu.emulator.state.users(emu.emulator.datasetGroupArn)).not.toContain("user-006");
}, 150_000);
