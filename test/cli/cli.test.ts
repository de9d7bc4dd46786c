// Runs the CLI as users do: a child process, under Node (the bundled dist/cli.js) and under Bun (the
// TypeScript source), against the emulator, checking exit codes, stdout, stderr and what really happened.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { HELP } from "../../src/cli/help.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { buildNodeCli } from "../support/node-cli.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PACKAGE_VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
const TMP = mkdtempSync(join(tmpdir(), "pdd-cli-"));
// Inside the checkout, so Node resolves the external packages from its node_modules.
const NODE_CLI = join(ROOT, ".tmp", `cli-test-${process.pid}`, "cli.js");
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";
const SECRET = "CLI-SECRET-KEY-d41d8cd98f00b204e980";
const TOKEN = "CLI-SESSION-TOKEN-9e107d9d372bb6826bd8";
let emu: RunningEmulator;

beforeAll(async () => {
  await buildNodeCli(NODE_CLI);
  emu = await startEmulator({ port: 0, jobSeconds: 0, accessKeyId: "AKIDCLI", secretAccessKey: SECRET });
});
afterAll(async () => {
  await emu.close();
  rmSync(join(ROOT, ".tmp", `cli-test-${process.pid}`), { recursive: true, force: true });
});

const RUNTIMES = {
  node: (args: string[]) => ["node", NODE_CLI, ...args],
  bun: (args: string[]) => [process.execPath, join(ROOT, "src/cli/bin.ts"), ...args],
  // --cached-only: Deno resolves packages from the checkout's node_modules and must download nothing.
  deno: (args: string[]) => [
    join(ROOT, "node_modules/.bin/deno"),
    "run",
    "--cached-only",
    "-A",
    join(ROOT, "src/cli/bin.ts"),
    ...args,
  ],
};

async function run(runtime: keyof typeof RUNTIMES, args: string[], env: Record<string, string> = {}) {
  const { stdout, stderr, code } = await runProcess(RUNTIMES[runtime](args), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDCLI",
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_SESSION_TOKEN: TOKEN,
      AWS_ENDPOINT_URL: emu.endpoint,
      DENO_DIR: join(ROOT, ".tmp", "deno-cache"),
      DENO_NO_UPDATE_CHECK: "1",
      ...env,
    },
  });
  expect(stdout + stderr).not.toContain(SECRET);
  expect(stdout + stderr).not.toContain(TOKEN);
  return { stdout, stderr, code };
}

for (const runtime of Object.keys(RUNTIMES) as (keyof typeof RUNTIMES)[]) {
  describe(`CLI under ${runtime}`, () => {
    test("--help on every command, with examples", async () => {
      for (const command of Object.keys(HELP).filter((c) => c !== "main")) {
        const { stdout, code } = await run(runtime, [command, "--help"]);
        expect(code).toBe(0);
        expect(stdout).toContain(`Usage: personalize-data-deletion ${command}`);
      }
      const top = await run(runtime, ["--help"]);
      expect(top.stdout).toContain("delete-users");
    });

    test("delete-users --wait --json: one JSON document, users really deleted, CSV cleaned up", async () => {
      const file = join(TMP, `users-${runtime}.csv`);
      const ids = { node: ["user-001", "user-002", "user-001"], bun: ["user-003"], deno: ["user-004"] }[
        runtime
      ];
      writeFileSync(file, `USER_ID\n${ids.join("\n")}\n`);
      const { stdout, stderr, code } = await run(runtime, [
        "delete-users",
        "--users-file",
        file,
        "--s3-uri",
        `s3://${emu.emulator.bucket}/cli/`,
        "--dataset-group-arn",
        emu.emulator.datasetGroupArn,
        "--role-arn",
        ROLE,
        "--job-name",
        `cli-${runtime}`,
        "--wait",
        "--json",
        "--debug",
      ]);
      expect(code).toBe(0);
      const out = JSON.parse(stdout);
      expect(out.jobs[0].status).toBe("COMPLETED");
      expect(out.jobs[0].numDeleted).toBe(new Set(ids).size * 3);
      expect(stderr).toContain("[redacted]");
      const left = emu.emulator.state.users(emu.emulator.datasetGroupArn) ?? [];
      for (const id of ids) expect(left).not.toContain(id);
      expect(emu.emulator.state.buckets.get(emu.emulator.bucket)?.has(`cli/cli-${runtime}.csv`)).toBe(false);
    });

    test("a validation error: exit 2, one line naming the field, nothing sent", async () => {
      const jobsBefore = emu.emulator.state.jobs.size;
      const { stderr, code } = await run(runtime, [
        "delete-users",
        "--user-ids",
        "a,b",
        "--s3-uri",
        `s3://${emu.emulator.bucket}/x/`,
        "--dataset-group-arn",
        emu.emulator.datasetGroupArn,
        "--role-arn",
        "arn:aws:iam::1:role/x",
      ]);
      expect(code).toBe(2);
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).toContain("--role-arn");
      expect(stderr).not.toContain("    at ");
      expect(emu.emulator.state.jobs.size).toBe(jobsBefore);
    });

    test("unknown options are usage errors that list the options and suggest the nearest", async () => {
      const { stderr, code } = await run(runtime, ["list", "--no-such-option"]);
      expect(code).toBe(2);
      expect(stderr).toContain("unknown option --no-such-option for list.");
      expect(stderr).toContain("--page-size");
      const typo = await run(runtime, ["list", "--page-sise", "5"]);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toContain("Did you mean --page-size?");
    });

    test("numbers, ranges and files are checked and named, in every command, before anything runs", async () => {
      const cases: [string[], RegExp][] = [
        [["demo", "--job-seconds", "abc"], /--job-seconds must be a number from 0 to 3600, received "abc"/],
        [["emulator", "--port", "99999"], /--port must be a whole number from 0 to 65535, received "99999"/],
        [["emulator", "--fail-rate", "2"], /--fail-rate must be a number from 0 to 1, received "2"/],
        [
          ["emulator", "--seed", "/nonexistent/seed.csv"],
          /cannot read --seed \/nonexistent\/seed.csv: ENOENT/,
        ],
        [["list", "--page-size", "101"], /--page-size must be a whole number from 1 to 100, received "101"/],
        [["emulator", "--s3-endpoint", "http://127.0.0.1:9000"], /--s3-access-key-id is required/],
        [["emulator", "--s3-endpoint", "minio:9000"], /--s3-endpoint must be an http\(s\) URL/],
        [["wait", "x", "--timeout-minutes", "soon"], /--timeout-minutes must be a number of at least 0/],
      ];
      for (const [args, message] of cases) {
        const { stderr, code } = await run(runtime, args);
        expect({ args, code }).toEqual({ args, code: 2 });
        expect(stderr).toMatch(message);
      }
    });

    test("errors name the flag the user typed, not the library's field, with the rule in words", async () => {
      const base = ["delete-users", "--user-ids", "a", "--s3-uri", `s3://${emu.emulator.bucket}/x/`];
      const cases: [string[], string][] = [
        [
          [...base, "--dataset-group-arn", "not-an-arn", "--role-arn", ROLE],
          'error: --dataset-group-arn: must be a dataset group ARN (arn:aws:personalize:REGION:ACCOUNT:dataset-group/NAME), received "not-an-arn"',
        ],
        [
          [...base, "--dataset-group-arn", emu.emulator.datasetGroupArn, "--role-arn", "PersonalizeRole"],
          'error: --role-arn: must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), received "PersonalizeRole"',
        ],
        [
          [
            ...base,
            "--dataset-group-arn",
            emu.emulator.datasetGroupArn,
            "--role-arn",
            ROLE,
            "--job-name",
            "bad name",
          ],
          "error: --job-name: must start with a letter or digit",
        ],
        [
          [
            ...base,
            "--dataset-group-arn",
            emu.emulator.datasetGroupArn,
            "--role-arn",
            ROLE,
            "--tag",
            "aws:x=1",
          ],
          "error: --tag: must not start with the reserved prefix aws:",
        ],
      ];
      for (const [args, message] of cases) {
        const { stderr, code } = await run(runtime, args);
        expect({ args: args.join(" "), code }).toEqual({ args: args.join(" "), code: 2 });
        expect(stderr).toContain(message);
        expect(stderr).not.toMatch(/datasetGroupArn|roleArn|jobName|deleteUsers:/);
      }
      const plain = join(TMP, `plain-${runtime}.txt`);
      writeFileSync(plain, "user-1\nuser-2\n");
      const list = await run(runtime, ["validate-csv", plain]);
      expect(list.code).toBe(2);
      expect(list.stderr).toContain("for a plain list of ids pass --headerless");
      const region = await run(runtime, ["list"], { AWS_REGION: "", AWS_DEFAULT_REGION: "" });
      expect(region.code).toBe(2);
      expect(region.stderr).toContain("no AWS region: pass --region or set AWS_REGION");
    });

    test("a job name taken by another job says which flag to change", async () => {
      const name = `cli-taken-${runtime}`;
      const create = (location: string) =>
        run(runtime, [
          "create",
          "--job-name",
          name,
          "--dataset-group-arn",
          emu.emulator.datasetGroupArn,
          "--role-arn",
          ROLE,
          "--data-location",
          `s3://${emu.emulator.bucket}/${location}`,
        ]);
      expect((await create("a.csv")).code).toBe(0);
      const taken = await create("b.csv");
      // A conflict is the caller's to change, like a bad flag: exit 2.
      expect(taken.code).toBe(2);
      expect(taken.stderr).toContain("choose another --job-name");
    });

    test("--json prints one JSON document on failure too: the error, its flag, the exit code, what was done", async () => {
      const bad = await run(runtime, [
        "delete-users",
        "--user-ids",
        "a",
        "--s3-uri",
        `s3://${emu.emulator.bucket}/x/`,
        "--dataset-group-arn",
        "not-an-arn",
        "--role-arn",
        ROLE,
        "--json",
      ]);
      expect(bad.code).toBe(2);
      expect(JSON.parse(bad.stdout).error).toMatchObject({
        name: "ValidationError",
        field: "datasetGroupArn",
        flag: "--dataset-group-arn",
        exitCode: 2,
      });
      const noHeader = join(TMP, `no-header-${runtime}.csv`);
      writeFileSync(noHeader, "ID,X\n1,2\n");
      const csv = await run(runtime, ["validate-csv", noHeader, "--json"]);
      expect(csv.code).toBe(2);
      expect(JSON.parse(csv.stdout).error).toMatchObject({ name: "CsvError", exitCode: 2 });
      const created = await run(runtime, [
        "create",
        "--job-name",
        `cli-json-fail-${runtime}`,
        "--dataset-group-arn",
        emu.emulator.datasetGroupArn,
        "--role-arn",
        ROLE,
        "--data-location",
        `s3://${emu.emulator.bucket}/missing-for-json.csv`,
        "--json",
      ]);
      const arn = JSON.parse(created.stdout).dataDeletionJobArn;
      const waited = await run(runtime, ["wait", arn, "--json"]);
      expect(waited.code).toBe(1);
      const document = JSON.parse(waited.stdout);
      expect(document.error).toMatchObject({ name: "DataDeletionJobFailedError", exitCode: 1 });
      expect(document.partial.job).toMatchObject({ dataDeletionJobArn: arn, status: "FAILED" });
    });

    test("a wait that times out exits 4 and says how to check later, with the same region and endpoint", async () => {
      const slow = await startEmulator({
        port: 0,
        jobSeconds: 3600,
        accessKeyId: "AKIDCLI",
        secretAccessKey: SECRET,
      });
      try {
        await new S3Client({
          region: "us-east-1",
          endpoint: slow.endpoint,
          forcePathStyle: true,
          credentials: { accessKeyId: "AKIDCLI", secretAccessKey: SECRET },
        }).send(
          new PutObjectCommand({ Bucket: slow.emulator.bucket, Key: "slow.csv", Body: "USER_ID\nu\n" }),
        );
        const where = ["--endpoint-url", slow.endpoint, "--region", "us-east-1"];
        const created = await run(runtime, [
          "create",
          "--job-name",
          "slow",
          "--dataset-group-arn",
          slow.emulator.datasetGroupArn,
          "--role-arn",
          ROLE,
          "--data-location",
          `s3://${slow.emulator.bucket}/slow.csv`,
          "--json",
          ...where,
        ]);
        const arn = JSON.parse(created.stdout).dataDeletionJobArn;
        const waited = await run(runtime, ["wait", arn, "--timeout-minutes", "0.01", "--json", ...where]);
        expect(waited.code).toBe(4);
        expect(waited.stderr).toContain(
          `check later: personalize-data-deletion wait ${arn} --region us-east-1 --endpoint-url ${slow.endpoint}`,
        );
        expect(JSON.parse(waited.stdout).partial.job).toMatchObject({
          dataDeletionJobArn: arn,
          status: "PENDING",
        });
      } finally {
        await slow.close();
      }
    });

    test("a refused connection says why, in one line", async () => {
      const closed = Bun.serve({ port: 0, fetch: () => new Response() });
      const port = closed.port;
      closed.stop(true);
      const { stderr, code } = await run(runtime, [
        "list",
        "--endpoint-url",
        `http://127.0.0.1:${port}`,
        "--max-attempts",
        "1",
      ]);
      expect(code).toBe(3);
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).toMatch(/ECONNREFUSED|Connection refused/);
      expect(stderr).toContain(`127.0.0.1:${port}`);
    });

    test("credentials from a profile: static keys, and credential_process, through AWS's own chain", async () => {
      const credentialsFile = join(TMP, `credentials-${runtime}`);
      writeFileSync(
        credentialsFile,
        `[pdd]\naws_access_key_id = AKIDCLI\naws_secret_access_key = ${SECRET}\n`,
      );
      const script = join(TMP, `credential-process-${runtime}.mjs`);
      writeFileSync(
        script,
        `console.log(JSON.stringify({ Version: 1, AccessKeyId: "AKIDCLI", SecretAccessKey: ${JSON.stringify(SECRET)} }));`,
      );
      const configFile = join(TMP, `config-${runtime}`);
      writeFileSync(configFile, `[profile proc]\nregion = us-east-1\ncredential_process = node ${script}\n`);
      const noKeys = {
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "",
        AWS_SESSION_TOKEN: "",
        AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
        AWS_CONFIG_FILE: configFile,
        HOME: TMP,
      };
      const byFlag = await run(runtime, ["list", "--profile", "pdd", "--json"], noKeys);
      expect(byFlag.stderr).toBe("");
      expect(byFlag.code).toBe(0);
      expect(Array.isArray(JSON.parse(byFlag.stdout))).toBe(true);
      const byEnv = await run(runtime, ["list", "--json"], {
        ...noKeys,
        AWS_PROFILE: "proc",
        AWS_REGION: "",
      });
      expect(byEnv.stderr).toBe("");
      expect(byEnv.code).toBe(0);
    });

    test("--version is the package's", async () => {
      const { stdout, code } = await run(runtime, ["--version"]);
      expect(code).toBe(0);
      expect(stdout.trim()).toBe(`personalize-data-deletion ${PACKAGE_VERSION}`);
    });

    test("a service error: exit 3 with the request id", async () => {
      const { stderr, code } = await run(runtime, [
        "describe",
        "arn:aws:personalize:us-east-1:000000000000:data-deletion-job/absent",
      ]);
      expect(code).toBe(3);
      expect(stderr).toMatch(/Could not find resource .* \(request id [0-9a-f-]{36}\)/);
    });

    test("wait on a FAILED job exits 1 with the reason", async () => {
      const create = await run(runtime, [
        "create",
        "--job-name",
        `cli-fail-${runtime}`,
        "--dataset-group-arn",
        emu.emulator.datasetGroupArn,
        "--role-arn",
        ROLE,
        "--data-location",
        `s3://${emu.emulator.bucket}/nothing-here.csv`,
        "--json",
      ]);
      expect(create.code).toBe(0);
      const arn = JSON.parse(create.stdout).dataDeletionJobArn;
      const { stderr, code } = await run(runtime, ["wait", arn]);
      expect(code).toBe(1);
      expect(stderr).toContain("FAILED: Input file not found");
    });

    test("list prints a table, all pages", async () => {
      const { stdout, code } = await run(runtime, ["list", "--page-size", "1"]);
      expect(code).toBe(0);
      expect(stdout.split("\n")[0]).toMatch(/^NAME\s+STATUS\s+CREATED\s+ARN$/);
      expect(stdout).toContain(`cli-fail-${runtime}`);
    });

    test("validate-csv reports counts and bad lines with numbers", async () => {
      const file = join(TMP, `check-${runtime}.csv`);
      writeFileSync(file, `USER_ID,X\na,1\nb,2\na,3\n${"z".repeat(300)},4\nc\n`);
      const { stdout, code } = await run(runtime, ["validate-csv", file, "--json"]);
      expect(code).toBe(2);
      const report = JSON.parse(stdout);
      expect(report).toMatchObject({
        rows: 5,
        uniqueUserIds: 2,
        duplicates: 1,
        valid: false,
        fitsOneJob: true,
      });
      expect(report.invalidLines.map((l: { line: number }) => l.line)).toEqual([5, 6]);
    });
  });
}

describe("emulator command", () => {
  test("prints its endpoint and dataset group, one line per fact, and serves", async () => {
    const proc = Bun.spawn(
      [process.execPath, join(ROOT, "src/cli/bin.ts"), "emulator", "--port", "0", "--json"],
      { stdout: "pipe", stderr: "pipe" },
    );
    try {
      const reader = proc.stdout.getReader();
      const { value } = await reader.read();
      const facts = JSON.parse(new TextDecoder().decode(value));
      expect(facts.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(facts.datasetGroupArns[0]).toBe(
        "arn:aws:personalize:us-east-1:000000000000:dataset-group/emulator-sample",
      );
      const res = await fetch(`${facts.endpoint}/_emulator/health`);
      expect(res.status).toBe(200);
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  });
});
