// `guard-import` run as users run it: the bundled CLI under Node against the emulator, the suppression
// list appended by the library, the source's objects put and read back with the AWS SDK. Exit 6 on a source
// holding suppressed users, 0 on a clean or scrubbed one, and no id or key in anything it prints.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Transport } from "../../src/aws/transport.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { appendSuppression } from "../../src/outside/suppression.ts";
import { buildNodeCli } from "../support/node-cli.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const NODE_CLI = join(ROOT, ".tmp", `cli-guard-test-${process.pid}`, "cli.js");
const creds = { accessKeyId: "test", secretAccessKey: "test" };
const KEY = "guard-test-key-0123456789abcdef-0123456789"; // 42 bytes
const ERASED = ["gone-ü-1", "gone-2"];
const BUCKET = "guard-cli";
const DIRTY = "USER_ID,ITEM_ID,TIMESTAMP\nkept-1,a,1\ngone-ü-1,b,2\ngone-2,c,3\nkept-2,d,4\n";
const CLEAN = "USER_ID,ITEM_ID,TIMESTAMP\nkept-1,a,1\nkept-2,d,4\n";

const ENV = {
  PATH: process.env.PATH ?? "",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: creds.accessKeyId,
  AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
};

let running: RunningEmulator;
let sdk: S3Client;

beforeAll(async () => {
  running = await startEmulator({ port: 0, jobSeconds: 0 });
  sdk = new S3Client({
    region: "us-east-1",
    endpoint: running.endpoint,
    forcePathStyle: true,
    credentials: creds,
    maxAttempts: 1,
  });
  await sdk.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const put = (Key: string, Body: string) => sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
  await Promise.all([
    put("dirty/part-1.csv", DIRTY),
    put("dirty/part-2.csv", CLEAN),
    put("to-scrub/data.csv", DIRTY),
    put("clean/data.csv", CLEAN),
  ]);
  const s3 = {
    endpoint: running.endpoint,
    transport: new Transport({ region: "us-east-1", credentials: creds }),
  };
  await appendSuppression(s3, `s3://${BUCKET}/suppression/`, ERASED, KEY);
  await buildNodeCli(NODE_CLI);
});
afterAll(() => {
  running.close();
  rmSync(join(ROOT, ".tmp", `cli-guard-test-${process.pid}`), { recursive: true, force: true });
});

async function guard(args: string[], key: string | null = KEY) {
  const run = await runProcess(
    ["node", NODE_CLI, "guard-import", "--suppression", `s3://${BUCKET}/suppression/`, ...args],
    {
      cwd: ROOT,
      env: { ...ENV, ...(key === null ? {} : { ERASURE_SUPPRESSION_KEY: key }) },
    },
  );
  for (const id of ERASED) expect(run.stdout + run.stderr).not.toContain(id);
  expect(run.stdout + run.stderr).not.toContain(KEY);
  return run;
}
const endpoint = () => ["--s3-endpoint-url", running.endpoint];
const object = async (Key: string) =>
  (await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body?.transformToString();

describe("guard-import", () => {
  test("a source holding suppressed users exits 6, naming the object and the count", async () => {
    const { code, stdout, stderr } = await guard(["--source", `s3://${BUCKET}/dirty/`, ...endpoint()]);
    expect({ code, stderr }).toEqual({ code: 6, stderr: expect.any(String) });
    expect(stdout).toMatch(/dirty\/part-1\.csv\s+-\s+\d+\s+4\s+2\s+holds-users/);
    expect(stdout).toMatch(/dirty\/part-2\.csv\s+-\s+\d+\s+2\s+0\s+clean/);
    expect(stdout).toContain("not ok against 2 suppressed users: 1 object with 2 rows of suppressed users");
    expect(await object("dirty/part-1.csv")).toBe(DIRTY);
  });

  test("--json: one document with ok false, the keys and counts", async () => {
    const { code, stdout } = await guard(["--source", `s3://${BUCKET}/dirty/`, "--json", ...endpoint()]);
    expect(code).toBe(6);
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(false);
    expect(report.suppressedRows).toBe(2);
    expect(report.suppressedUsers).toBe(2);
    expect(report.objects.map((o: { key: string; matching: number }) => [o.key, o.matching])).toEqual([
      ["dirty/part-1.csv", 2],
      ["dirty/part-2.csv", 0],
    ]);
  });

  test("a clean source exits 0", async () => {
    const { code, stdout } = await guard(["--source", `s3://${BUCKET}/clean/data.csv`, ...endpoint()]);
    expect(code).toBe(0);
    expect(stdout).toContain("ok against 2 suppressed users: no current object holds a suppressed user");
  });

  test("--scrub removes their rows in place and exits 0; the source then passes", async () => {
    const scrubbed = await guard(["--source", `s3://${BUCKET}/to-scrub/`, "--scrub", ...endpoint()]);
    expect(scrubbed.code).toBe(0);
    expect(scrubbed.stdout).toMatch(/to-scrub\/data\.csv\s+-\s+\d+\s+4\s+2\s+scrubbed/);
    expect(await object("to-scrub/data.csv")).toBe(CLEAN);
    expect((await guard(["--source", `s3://${BUCKET}/to-scrub/`, ...endpoint()])).code).toBe(0);
  });

  test("the key comes from ERASURE_SUPPRESSION_KEY only: missing or short is exit 2 naming it, never echoing it", async () => {
    const missing = await guard(["--source", `s3://${BUCKET}/clean/`, ...endpoint()], null);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("guard-import needs ERASURE_SUPPRESSION_KEY");
    const short = await guard(["--source", `s3://${BUCKET}/clean/`, ...endpoint()], "too-short-key-20-byt");
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("ERASURE_SUPPRESSION_KEY");
    expect(short.stderr).toContain("received 20 bytes");
    expect(short.stderr).not.toContain("too-short-key-20-byt");
    const flag = await guard(["--source", `s3://${BUCKET}/clean/`, "--suppression-key", "x", ...endpoint()]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option --suppression-key");
  });

  test("an empty suppression folder (a typo lists nothing) is warned about on stderr", async () => {
    const run = await runProcess(
      [
        "node",
        NODE_CLI,
        "guard-import",
        "--suppression",
        `s3://${BUCKET}/suppresion/`,
        "--source",
        `s3://${BUCKET}/dirty/`,
        ...endpoint(),
      ],
      { cwd: ROOT, env: { ...ENV, ERASURE_SUPPRESSION_KEY: KEY } },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`warning: the suppression list s3://${BUCKET}/suppresion/ holds no users`);
  });

  test("--help documents exit code 6", async () => {
    const { code, stdout } = await guard(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: personalize-data-deletion guard-import");
    expect(stdout).toContain("6 the import source holds suppressed users");
  });
});
