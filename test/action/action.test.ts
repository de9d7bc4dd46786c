// Runs the committed bundle dist/index.js as the runner does: INPUT_* variables, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, against the emulator; then checks outputs, summary, annotations, what really
// happened in the emulator, and that no secret appears anywhere but in the ::add-mask:: commands.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { nodeBinaries } from "../support/node-binaries.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";
const KEY_ID = "AKIDACTIONTEST";
const SECRET = "ACTION-SECRET-2b7e151628aed2a6abf7158809cf4f3c";
const TOKEN = "ACTION-SESSION-TOKEN-6bc1bee22e409f96e93d7e117393";
// What a runner with `id-token: write` exposes; the action never needs it and must never print it.
const OIDC_TOKEN = "ACTION-OIDC-REQUEST-TOKEN-ae2d8a4b1f0c";
// action.yml declares node24: the action runs under it too where it is installed.
const NODES = nodeBinaries("node 24 (what action.yml declares)");
let emu: RunningEmulator;
let workspace: string;
let nodeBinary = "node";

beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), "pdd-action-"));
});

interface ActionRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^(.+?)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1] as string] = m[3] as string;
  return out;
}

async function runAction(
  inputs: Record<string, string>,
  options: {
    endpoint?: string;
    runId?: string;
    runAttempt?: string;
    node?: string;
    env?: Record<string, string>;
  } = {},
): Promise<ActionRun> {
  const outputFile = join(workspace, `output-${Math.random()}`);
  const summaryFile = join(workspace, `summary-${Math.random()}`);
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: workspace,
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: "octo-org/shop",
    GITHUB_RUN_ID: options.runId ?? "987654",
    GITHUB_RUN_ATTEMPT: options.runAttempt ?? "1",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_SESSION_TOKEN: TOKEN,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC_TOKEN,
    ACTIONS_ID_TOKEN_REQUEST_URL: `https://token.example/${OIDC_TOKEN}`,
    "INPUT_ENDPOINT-URL": options.endpoint ?? emu.endpoint,
    "INPUT_DATASET-GROUP-ARN": emu.emulator.datasetGroupArn,
    "INPUT_ROLE-ARN": ROLE,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  Object.assign(env, options.env);
  const { stdout, stderr, code } = await runProcess(
    [options.node ?? nodeBinary, join(ROOT, "dist/index.js")],
    {
      cwd: workspace,
      env,
    },
  );
  const outputsText = readFileSync(outputFile, "utf8");
  const summary = readFileSync(summaryFile, "utf8");
  const everything = [stdout.replace(/^::add-mask::.*$/gm, ""), stderr, outputsText, summary].join("\n");
  expect(everything).not.toContain(SECRET);
  expect(everything).not.toContain(TOKEN);
  expect(everything).not.toContain(OIDC_TOKEN);
  expect(stdout).toContain(`::add-mask::${SECRET}`);
  return { code, stdout: stdout + stderr, outputs: parseOutputs(outputsText), summary };
}

const users = () => emu.emulator.state.users(emu.emulator.datasetGroupArn) ?? [];
const objects = () => [...(emu.emulator.state.buckets.get(emu.emulator.bucket)?.keys() ?? [])];
const jobCount = () => emu.emulator.state.jobs.size;
// The default job name of a list (action/inputs.ts defaultJobName): the repository, then the first 16 hex
// digits of the SHA-256 of the file as the library writes it, a USER_ID header and one id a line.
const listSha256 = (ids: string[]) =>
  createHash("sha256")
    .update(`USER_ID\n${ids.map((id) => `${id}\n`).join("")}`)
    .digest("hex");
const listName = (ids: string[]) => `octo-org-shop-${listSha256(ids).slice(0, 16)}`;

test("dist/index.js is what the sources build (no stale bundle)", async () => {
  const { bundleAction } = await import("../../scripts/build-action.ts");
  expect(await bundleAction()).toBe(readFileSync(join(ROOT, "dist/index.js"), "utf8"));
});

for (const [label, binary, installed] of NODES)
  describe.skipIf(!installed)(`the action from dist/index.js under ${label}`, () => {
    // A fresh emulator per runtime, so each suite proves its own deletions.
    beforeAll(async () => {
      nodeBinary = binary;
      emu = await startEmulator({
        port: 0,
        jobSeconds: 0,
        trainingSeconds: 0,
        campaignSeconds: 0,
        accessKeyId: KEY_ID,
        secretAccessKey: SECRET,
      });
    });
    afterAll(() => emu.close());

    test("files by glob, merged; upload, create, wait; outputs, summary, cleanup", async () => {
      mkdirSync(join(workspace, "erasure"), { recursive: true });
      writeFileSync(
        join(workspace, "erasure", "a.csv"),
        "USER_ID,REQUESTED\nuser-001,2026-11-01\nuser-002,2026-11-02\n",
      );
      writeFileSync(join(workspace, "erasure", "b.txt"), "user-002\nuser-003\n");
      const run = await runAction({
        "user-ids-file": "erasure/*",
        "s3-uri": `s3://${emu.emulator.bucket}/gha/`,
        wait: "true",
        "poll-interval-seconds": "1",
        tags: "team=privacy\nticket=PRIV-1",
      });
      expect(run.code).toBe(0);
      const name = listName(["user-001", "user-002", "user-003"]);
      expect(run.outputs).toMatchObject({
        "job-name": name,
        "job-arn": emu.emulator.state.jobArn(name),
        status: "COMPLETED",
        "num-deleted": "9",
        "user-count": "3",
        "duplicate-count": "1",
        "data-location": `s3://${emu.emulator.bucket}/gha/${name}.csv`,
      });
      expect(JSON.parse(run.outputs["job-arns"] as string)).toHaveLength(1);
      for (const u of ["user-001", "user-002", "user-003"]) expect(users()).not.toContain(u);
      expect(objects()).not.toContain(`gha/${name}.csv`);
      expect(run.stdout).toContain("::group::Prepare the user ids");
      expect(run.stdout).toContain("::group::Wait");
      expect(run.summary).toContain("<table>");
      expect(run.summary).toContain(name);
      expect(run.summary).toContain("COMPLETED");
      expect(run.summary).toContain("console.aws.amazon.com/personalize");
      // Without retrain the models still hold the users, and every place says so.
      expect(run.outputs.complete).toBe("false");
      expect(run.outputs.stage).toBe("models-hold-users");
      expect(run.stdout).toContain(
        `::notice title=Erasure not complete::Erasure ${name} is not complete (models-hold-users)`,
      );
      expect(run.summary).toContain("Erasure: not complete (models-hold-users)");
      expect(run.summary).toMatch(/solution arn:aws:personalize:.*: the models still hold the users/);
      const receipt = JSON.parse(readFileSync(run.outputs["receipt-file"] as string, "utf8"));
      expect(receipt).toEqual(JSON.parse(run.outputs.receipt as string));
      expect(receipt).toMatchObject({
        jobName: name,
        complete: false,
        users: { unique: 3 },
      });
      expect(receipt.files[0]).toMatchObject({ versionsLeft: 0, versionsDeleted: 1 });
      for (const text of [run.outputs.receipt, run.summary]) expect(text).not.toContain("user-00");
      expect(emu.emulator.state.jobs.get(run.outputs["job-arn"] as string)?.tags).toEqual([
        { tagKey: "team", tagValue: "privacy" },
        { tagKey: "ticket", tagValue: "PRIV-1" },
        // The list's own tags, by which a re-run adopts the job (see nameForList and listTags).
        { tagKey: "erasure-sha256", tagValue: listSha256(["user-001", "user-002", "user-003"]) },
        { tagKey: "erasure-user-count", tagValue: "3" },
      ]);
    });

    test("user-ids split on commas as on newlines; debug lines fall in their group; the summary has no empty cell", async () => {
      const run = await runAction(
        {
          "user-ids": "user-030,user-031\nuser-032",
          "s3-uri": `s3://${emu.emulator.bucket}/commas/`,
          wait: "true",
          "poll-interval-seconds": "1",
        },
        { runId: "31", env: { RUNNER_DEBUG: "1" } },
      );
      expect(run.code).toBe(0);
      expect(run.outputs["num-deleted"]).toBe("9");
      for (const u of ["user-030", "user-031", "user-032"]) expect(users()).not.toContain(u);
      const lines = run.stdout.split("\n");
      const groupOf = (pattern: RegExp) => {
        const at = lines.findIndex((l) => pattern.test(l));
        expect(at).toBeGreaterThan(-1);
        return lines
          .slice(0, at)
          .filter((l) => l.startsWith("::group::"))
          .at(-1);
      };
      expect(groupOf(/^::debug::PutObject: PUT/)).toBe("::group::Upload and create the deletion job");
      expect(groupOf(/^::debug::CreateDataDeletionJob: POST/)).toBe(
        "::group::Upload and create the deletion job",
      );
      expect(groupOf(/^::debug::ListDatasets: POST/)).toBe(
        "::group::Check that nothing imports or trains (preflight)",
      );
      expect(groupOf(/^::debug::ListObjectVersions: GET/)).toBe(
        "::group::Delete the uploaded list (every version)",
      );
      expect(run.summary).toContain("Records deleted");
      expect(run.summary).not.toMatch(/<td>(?=<td>|<\/tr>)/);
      expect(run.stdout).toContain("3 unique user ids, 0 duplicates removed");
    });

    test("retrain: true completes the erasure: a new version, the campaign moved, complete in outputs and summary", async () => {
      const run = await runAction(
        {
          "user-ids": "user-040,user-041",
          "s3-uri": `s3://${emu.emulator.bucket}/retrain/`,
          wait: "true",
          retrain: "true",
          "poll-interval-seconds": "1",
        },
        { runId: "41" },
      );
      expect(run.code).toBe(0);
      expect(run.outputs.complete).toBe("true");
      expect(run.outputs.stage).toBe("complete");
      expect(run.stdout).toContain("::group::Retrain and move campaigns");
      const receipt = JSON.parse(run.outputs.receipt as string);
      expect(receipt.retrain.solutions[0]).toMatchObject({
        name: `${listName(["user-040", "user-041"])}-retrain`,
        status: "ACTIVE",
      });
      expect(receipt.retrain.campaigns[0].serving).toBe(receipt.retrain.solutions[0].solutionVersionArn);
      expect(run.summary).toContain("Erasure: complete");
      const res = await fetch(
        `${emu.endpoint}/_emulator/models?datasetGroupArn=${encodeURIComponent(emu.emulator.datasetGroupArn)}`,
      );
      const models = (await res.json()) as {
        solutionVersions: { solutionVersionArn: string; users: string[] }[];
        campaigns: { solutionVersionArn: string }[];
      };
      const served = models.solutionVersions.find(
        (v) => v.solutionVersionArn === models.campaigns[0]?.solutionVersionArn,
      );
      expect(served?.users).not.toContain("user-040");
    });

    test("if-busy: fail while a training runs fails the step naming it; nothing uploaded", async () => {
      const busy = await startEmulator({
        port: 0,
        jobSeconds: 0,
        trainingSeconds: 3600,
        accessKeyId: KEY_ID,
        secretAccessKey: SECRET,
      });
      try {
        busy.emulator.state.world.train(
          busy.emulator.datasetGroupArn.replace(/dataset-group\/(.*)$/, "solution/$1-solution"),
          busy.emulator.datasetGroupArn,
          "FULL",
          Date.now(),
          "nightly",
        );
        const run = await runAction(
          { "user-ids": "user-001", "s3-uri": `s3://${busy.emulator.bucket}/busy/`, "if-busy": "fail" },
          { endpoint: busy.endpoint, runId: "42" },
        );
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(
          /::error title=Dataset group in use \(nothing was uploaded\)::.*solution-version arn:aws:personalize:.*\(CREATE PENDING\)/,
        );
        expect(busy.emulator.state.jobs.size).toBe(0);
        expect([...(busy.emulator.state.buckets.get(busy.emulator.bucket)?.keys() ?? [])]).toEqual([]);
      } finally {
        await busy.close();
      }
    });

    test("ids that deleted nothing get a warning that says so", async () => {
      const run = await runAction(
        {
          "user-ids": "nobody-1,nobody-2",
          "s3-uri": `s3://${emu.emulator.bucket}/none/`,
          wait: "true",
          "poll-interval-seconds": "1",
        },
        { runId: "32" },
      );
      expect(run.code).toBe(0);
      expect(run.outputs["num-deleted"]).toBe("0");
      expect(run.stdout).toMatch(
        /::warning title=No records deleted::the job COMPLETED but deleted 0 records for the 2 user ids given/,
      );
    });

    test("a re-run (the same attempt or the next) adopts the job: never two jobs for one list; a changed list gets its own", async () => {
      const inputs = {
        "user-ids": "user-010\nuser-011",
        "s3-uri": `s3://${emu.emulator.bucket}/rerun/`,
        "keep-uploaded-file": "true",
      };
      const first = await runAction(inputs, { runId: "7", runAttempt: "1" });
      const before = jobCount();
      const second = await runAction(inputs, { runId: "7", runAttempt: "2" });
      expect(first.code).toBe(0);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain("Adopted the existing job");
      expect(second.outputs["job-arn"]).toBe(first.outputs["job-arn"] as string);
      expect(jobCount()).toBe(before);
      expect(first.outputs["job-name"]).toBe(listName(["user-010", "user-011"]));
      // The default name follows the list: a changed list is another erasure, not a conflict (with a
      // job-name given, it is one: test/action/exact.test.ts).
      const changed = await runAction({ ...inputs, "user-ids": "user-012" }, { runId: "7", runAttempt: "3" });
      expect(changed.code).toBe(0);
      expect(changed.stdout).toContain(`Created ${listName(["user-012"])}: `);
      expect(changed.outputs["job-name"]).toBe(listName(["user-012"]));
      expect(jobCount()).toBe(before + 1);
    });

    const badInputs: [string, Record<string, string>, RegExp][] = [
      [
        "a non-boolean wait",
        { "user-ids": "u1", "s3-uri": "s3://emulator-deletions/x/", wait: "yes" },
        /title=Invalid input%3A wait::input wait: must be true or false/,
      ],
      [
        "two user sources",
        { "user-ids": "u1", "user-ids-file": "x.csv", "s3-uri": "s3://emulator-deletions/x/" },
        /title=Invalid input%3A user-ids::.*exactly one of/,
      ],
      ["no s3-uri for an upload", { "user-ids": "u1" }, /title=Invalid input%3A s3-uri::/],
      [
        "malformed tags",
        { "user-ids": "u1", "s3-uri": "s3://emulator-deletions/x/", tags: "novalue" },
        /title=Invalid input%3A tags::input tags: each line must be KEY=VALUE/,
      ],
      [
        "a job name breaking the pattern",
        { "user-ids": "u1", "s3-uri": "s3://emulator-deletions/x/", "job-name": "bad name" },
        /title=Invalid input%3A job-name::input job-name: must start with a letter or digit and hold only letters, digits, hyphens and underscores, received "bad name"/,
      ],
      [
        "a dataset group ARN that is not one",
        { "user-ids": "u1", "s3-uri": "s3://emulator-deletions/x/", "dataset-group-arn": "not-an-arn" },
        /title=Invalid input%3A dataset-group-arn::input dataset-group-arn: must be a dataset group ARN \(arn:aws:personalize:REGION:ACCOUNT:dataset-group\/NAME\), received "not-an-arn"/,
      ],
      [
        "a role ARN that is not one",
        { "user-ids": "u1", "s3-uri": "s3://emulator-deletions/x/", "role-arn": "PersonalizeRole" },
        /title=Invalid input%3A role-arn::input role-arn: must be an IAM role ARN \(arn:aws:iam::ACCOUNT:role\/NAME\), received "PersonalizeRole"/,
      ],
      [
        "an s3-uri that is not one",
        { "user-ids": "u1", "s3-uri": "https://emulator-deletions/x/" },
        /title=Invalid input%3A s3-uri::input s3-uri: must look like s3:\/\/bucket\/prefix\//,
      ],
      [
        "a data-location that is not one",
        { "data-location": "s3://emulator-deletions" },
        /title=Invalid input%3A data-location::input data-location: must be s3:\/\/BUCKET\/KEY or a folder/,
      ],
      [
        "a reserved tag key, with a big file not read",
        { "user-ids-file": "big.csv", "s3-uri": "s3://emulator-deletions/x/", tags: "aws:team=x" },
        /title=Invalid input%3A tags::input tags: must not start with the reserved prefix aws:/,
      ],
      [
        "a file that does not exist",
        { "user-ids-file": "missing/*.csv", "s3-uri": "s3://emulator-deletions/x/" },
        /title=Invalid input%3A user-ids-file::input user-ids-file: matches no file/,
      ],
      [
        "an id that is too long",
        { "user-ids": "x".repeat(300), "s3-uri": "s3://emulator-deletions/x/" },
        /title=CsvError::user id number 1: a user id must be at most 256/,
      ],
    ];
    for (const [label, inputs, annotation] of badInputs) {
      test(`bad input fails before anything is sent: ${label}`, async () => {
        // A file that would fail if it were read: inputs are checked before it is.
        writeFileSync(join(workspace, "big.csv"), "NOT_A_USER_ID_HEADER\nx\n");
        const jobsBefore = jobCount();
        const objectsBefore = objects().length;
        const run = await runAction(inputs);
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(annotation);
        expect(run.stdout.match(/::error/g)?.length).toBe(1);
        expect(jobCount()).toBe(jobsBefore);
        expect(objects().length).toBe(objectsBefore);
      });
    }

    test("a FAILED job fails the step with its reason, deletes the CSV (no job needs it), fills outputs and summary", async () => {
      const failing = await startEmulator({
        port: 0,
        jobSeconds: 0,
        accessKeyId: KEY_ID,
        secretAccessKey: SECRET,
        maxInputBytes: 8,
      });
      try {
        const run = await runAction(
          {
            "user-ids": "user-001",
            "s3-uri": `s3://${failing.emulator.bucket}/f/`,
            wait: "true",
            "poll-interval-seconds": "1",
            "dataset-group-arn": failing.emulator.datasetGroupArn,
          },
          { endpoint: failing.endpoint },
        );
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(/::error title=Data deletion job FAILED::.*exceeds the limit/);
        expect(run.stdout).toContain("Deleted the uploaded s3://emulator-deletions/f/");
        expect(run.outputs.status).toBe("FAILED");
        expect(run.outputs.stage).toBe("failed");
        expect(run.summary).toContain("FAILED");
        expect([...(failing.emulator.state.buckets.get(failing.emulator.bucket)?.keys() ?? [])]).toEqual([]);
        const lenient = await runAction(
          {
            "user-ids": "user-001",
            "s3-uri": `s3://${failing.emulator.bucket}/g/`,
            wait: "true",
            "poll-interval-seconds": "1",
            "dataset-group-arn": failing.emulator.datasetGroupArn,
            "fail-on-job-failure": "false",
            "job-name": "lenient",
          },
          { endpoint: failing.endpoint },
        );
        expect(lenient.code).toBe(0);
        expect(lenient.stdout).toContain("::warning::lenient FAILED");
        expect(lenient.outputs.status).toBe("FAILED");
      } finally {
        await failing.close();
      }
    });

    test("data-location: no upload, the job reads the existing object", async () => {
      const objectsBefore = objects().length;
      emu.emulator.state.buckets.get(emu.emulator.bucket)?.set("existing/users.csv", {
        body: new TextEncoder().encode("USER_ID\nuser-020\n"),
        sha256: "x",
        contentType: "text/csv",
        meta: {},
        lastModified: Date.now(),
      });
      const run = await runAction({
        "data-location": `s3://${emu.emulator.bucket}/existing/users.csv`,
        wait: "true",
        "poll-interval-seconds": "1",
        "job-name": "existing-location",
      });
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({
        status: "COMPLETED",
        "num-deleted": "3",
        "user-count": "",
        "data-location": `s3://${emu.emulator.bucket}/existing/users.csv`,
      });
      expect(objects().length).toBe(objectsBefore + 1);
      expect(users()).not.toContain("user-020");
    });

    test("a wait that times out says the job goes on and how to check it later", async () => {
      const slow = await startEmulator({
        port: 0,
        jobSeconds: 3600,
        accessKeyId: KEY_ID,
        secretAccessKey: SECRET,
      });
      try {
        const run = await runAction(
          {
            "user-ids": "user-001",
            "s3-uri": `s3://${slow.emulator.bucket}/t/`,
            wait: "true",
            "wait-timeout-minutes": "0.02",
            "poll-interval-seconds": "1",
            "dataset-group-arn": slow.emulator.datasetGroupArn,
          },
          { endpoint: slow.endpoint },
        );
        expect(run.code).toBe(1);
        const arn = `arn:aws:personalize:us-east-1:000000000000:data-deletion-job/${listName(["user-001"])}`;
        expect(run.stdout).toMatch(
          new RegExp(
            `::error title=Stopped waiting \\(the job goes on\\)::.*up to a day.*npx personalize-data-deletion wait ${arn} --region us-east-1 --endpoint-url http://127\\.0\\.0\\.1:\\d+`,
          ),
        );
        const line = run.stdout.split("\n").find((l) => l.startsWith("::error")) ?? "";
        const annotation = line.slice(line.indexOf("::", 2) + 2);
        expect(annotation.match(/up to a day/g)).toHaveLength(1);
        expect(annotation.match(/the job goes on/g)).toHaveLength(1);
        expect(run.outputs.status).toBe("PENDING");
        expect(run.outputs["job-arn"]).toBe(arn);
      } finally {
        await slow.close();
      }
    });

    test("an expired session while waiting names role-duration-seconds, the job and the resume command", async () => {
      let created = false;
      const proxy = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        async fetch(req) {
          // The session expires once the job exists: while waiting for it.
          const target = req.headers.get("x-amz-target") ?? "";
          if (target.endsWith("CreateDataDeletionJob")) created = true;
          if (created && target.endsWith("DescribeDataDeletionJob")) {
            return Response.json(
              {
                __type: "ExpiredTokenException",
                message: "The security token included in the request is expired",
              },
              { status: 400 },
            );
          }
          const url = new URL(req.url);
          const body = req.method === "GET" || req.method === "HEAD" ? null : await req.arrayBuffer();
          return fetch(`${emu.endpoint}${url.pathname}${url.search}`, {
            method: req.method,
            headers: req.headers,
            body,
          });
        },
      });
      try {
        const run = await runAction(
          {
            "user-ids": "user-030",
            "s3-uri": `s3://${emu.emulator.bucket}/exp/`,
            wait: "true",
            "job-name": "expiring",
          },
          { endpoint: `http://127.0.0.1:${proxy.port}` },
        );
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(
          /::error title=AWS error%3A ExpiredTokenException::.*data-deletion-job\/expiring.*role-duration-seconds.*npx personalize-data-deletion wait/,
        );
        expect(run.stdout).not.toContain("    at ");
      } finally {
        proxy.stop(true);
      }
    });
  });
