// The README's library example must run as written: it is extracted, pointed at the emulator through the
// environment variables it documents, and executed with Bun.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "../src/emulator/index.ts";

const ROOT = new URL("../", import.meta.url).pathname;
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, jobSeconds: 1 });
});
afterAll(() => emu.close());

test("the README's library example runs against the emulator", async () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Library"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code).toBeDefined();
  const dir = join(ROOT, ".tmp", `readme-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "example.ts");
  writeFileSync(
    file,
    (code as string).replace(
      'from "personalize-data-deletion"',
      `from ${JSON.stringify(join(ROOT, "src/index.ts"))}`,
    ),
  );
  try {
    const proc = Bun.spawn([process.execPath, file], {
      env: {
        PATH: process.env.PATH ?? "",
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_ENDPOINT_URL: emu.endpoint,
        DELETION_S3_URI: `s3://${emu.emulator.bucket}/readme/`,
        DATASET_GROUP_ARN: emu.emulator.datasetGroupArn,
        ROLE_ARN: "arn:aws:iam::000000000000:role/PersonalizeDeletionRole",
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    expect(stderr).toContain("PENDING after");
    expect(stdout.trim()).toBe("COMPLETED 2");
    expect(code).toBe(0);
    expect(emu.emulator.state.users(emu.emulator.datasetGroupArn)).not.toContain("user-001");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
